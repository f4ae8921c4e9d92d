// The renderers' output in a real browser (headless Debian Chromium): nothing runs, nothing loads, the
// CSP admits the page's own stylesheet, the hostile corpus stays text in the DOM, charts render.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { renderReportHtml } from '../../reports/html';
import { renderSupplierIndex } from '../../reports/index-html';
import { loadProfile } from '../../policy/load';
import type { Finding } from '../../core/findings';
import { haveChromium, launchChromium, CHROMIUM, saveScreenshot } from '../support/browser';
import { GENERATED_AT, makeDocument, makeFinding, manyFindings, nights } from '../support/findings-factory';

const OUT = join(__dirname, '../../test-output');
// Payloads that would set window.__pwned if any of them ran.
const HOSTILE = ['<script>window.__pwned=1</script>', '"><img src=x onerror="window.__pwned=1">', 'javascript:window.__pwned=1', '</style><b>x</b>', '<svg onload=window.__pwned=1>', "' onfocus='window.__pwned=1' autofocus='", 'Cllr Ŝïłvía 🐝 O\'Brien'];

function hostile(i: number, text: string): Finding {
  return makeFinding(i, {
    severity: (['high', 'medium', 'low', 'info'] as const)[i % 4],
    state: i % 2 ? 'new' : 'persisting',
    firstSeen: '2026-11-20T02:00:00.000Z',
    subject: { type: 'mailbox', id: `u${i}`, name: text, userPrincipalName: `${text}@exampleparish.gov.uk` },
    summary: `Rule "${text}" forwards to ${text}`,
    evidence: { rule: text, recipients: [text, 'javascript:window.__pwned=1'], link: 'javascript:window.__pwned=1', [text]: 'https://exampleparish.sharepoint.com/sites/council' },
    remediation: `Disable ${text}`,
  });
}

const mfa = { inScope: 12, registered: 11, enforced: 10, registeredAndEnforced: 9, neither: 0 };

(haveChromium ? describe : describe.skip)(`reports in headless Chromium (${CHROMIUM})`, () => {
  let browser: Browser;
  beforeAll(async () => { browser = await launchChromium(); mkdirSync(OUT, { recursive: true }); });
  afterAll(() => browser?.close());

  async function open(name: string, html: string) {
    const file = join(OUT, name);
    writeFileSync(file, html);
    const page = await browser.newPage({ viewport: { width: 1100, height: 1400 }, javaScriptEnabled: true });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => { if (!r.url().startsWith('file://')) requests.push(r.url()); });
    await page.goto(`file://${file}`);
    return { page, errors, requests };
  }

  it('report.html: styled, charts drawn, no console or CSP errors, no requests, hostile text inert', async () => {
    const doc = makeDocument({ council: HOSTILE[1], findings: HOSTILE.map((t, i) => hostile(i, t)), metrics: { mfa } });
    const { page, errors, requests } = await open('report.html', renderReportHtml(doc, { profile: loadProfile('model-council'), history: nights(29) }));
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    expect(await page.locator('svg.chart').count()).toBe(3);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(await page.locator('script, img, iframe, object, embed').count()).toBe(0);
    expect(await page.evaluate("[...document.querySelectorAll('a')].filter((a) => !(a.href.startsWith('https:') || (a.getAttribute('href') || '').startsWith('#'))).length")).toBe(0);
    expect(await page.evaluate("[...document.querySelectorAll('*')].some((el) => [...el.attributes].some((a) => a.name.startsWith('on')))")).toBe(false);
    expect(await page.textContent('h1')).toBe(`${HOSTILE[1]}: IT policy audit`);
    expect(await page.textContent('body')).toContain('<script>window.__pwned=1</script>');
    // The stylesheet applied (its hash is in the CSP): the severity badge has its colour.
    expect(await page.evaluate("getComputedStyle(document.querySelector('.sev.high')).backgroundColor")).toBe('rgb(179, 38, 30)');
    await saveScreenshot(page, 'report.png');
  });

  it('works with scripts disabled and prints to PDF', async () => {
    const file = join(OUT, 'report-noscript.html');
    writeFileSync(file, renderReportHtml(makeDocument({ findings: manyFindings(30), metrics: { mfa } }), { profile: loadProfile('model-council'), history: nights(29) }));
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`file://${file}`);
    expect(await page.locator('svg.chart').count()).toBe(3);
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    await context.close();
  });

  it('a 5,000-finding report stays under 5 MB and renders every finding', async () => {
    const html = renderReportHtml(makeDocument({ findings: manyFindings(5000) }), { profile: loadProfile('model-council'), history: nights(29) });
    expect(Buffer.byteLength(html)).toBeLessThan(5 * 1024 * 1024);
    const { page, errors } = await open('report-5000.html', html);
    expect(errors).toEqual([]);
    expect(await page.locator('.f').count()).toBe(5000);
  });

  it('an empty run reads as good news', async () => {
    const { page, errors } = await open('report-empty.html', renderReportHtml(makeDocument(), { profile: loadProfile('model-council'), history: [] }));
    expect(errors).toEqual([]);
    expect(await page.textContent('.ok')).toBe('No findings: the tenant meets every check that ran.');
  });

  it('index.html lists each council with a sparkline, worst first, hostile names and hrefs inert', async () => {
    const html = renderSupplierIndex([
      { council: 'Quiet Parish Council', tenantId: 'a', generatedAt: GENERATED_AT, high: 0, medium: 1, low: 0, new: 0, resolved: 1, trend: [1, 0, 0], reportHref: 'quiet parish/report.html' },
      { council: HOSTILE[1], tenantId: HOSTILE[0], generatedAt: GENERATED_AT, high: 4, medium: 2, low: 0, new: 2, resolved: 0, trend: [2, 3, 4], reportHref: 'javascript:window.__pwned=1' },
    ]);
    const { page, errors, requests } = await open('index.html', html);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    expect(await page.locator('tbody tr').first().textContent()).toContain(HOSTILE[1]);
    expect(await page.locator('tbody svg').count()).toBe(2);
    expect(await page.locator('a').count()).toBe(1);
    expect(await page.locator('a').getAttribute('href')).toBe('quiet%20parish/report.html');
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    await page.screenshot({ path: join(OUT, 'index.png') });
  });
});
