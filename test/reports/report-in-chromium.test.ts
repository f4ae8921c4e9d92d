import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { renderReportHtml } from '../../reports/html';
import { renderSupplierIndex } from '../../reports/index-html';
import { loadProfile } from '../../policy/load';
import type { Finding, FindingsDocument } from '../../checks/types';
import { haveChromium, launchChromium, CHROMIUM } from '../support/browser';

const OUT = join(__dirname, '../../test-output');
const HOSTILE = ['<script>window.__pwned=1</script>', '"><img src=x onerror="window.__pwned=1">', 'javascript:window.__pwned=1', '</style><b>x</b>', '<svg onload=window.__pwned=1>', 'Cllr Ŝïłvía 🐝 O\'Brien'];

function finding(i: number, text: string): Finding {
  return {
    id: `f${i}`, checkId: 'mail.external-forwarding', kind: 'inbox-rule', severity: (['high', 'medium', 'low', 'info'] as const)[i % 4],
    subject: { type: 'mailbox', id: `u${i}`, name: text, userPrincipalName: `${text}@exampleparish.gov.uk` }, clauses: ['mail.forwarding'],
    summary: `Rule "${text}" forwards to ${text}`, evidence: { rule: text, recipients: [text, 'javascript:alert(1)'], link: 'javascript:window.__pwned=1' },
    remediation: `Disable ${text}`, state: i % 2 ? 'new' : 'persisting', firstSeen: '2026-11-20T02:00:00.000Z', lastSeen: '2026-11-25T02:00:00.000Z',
  };
}

function doc(findings: Finding[], council = 'Example Parish Council'): FindingsDocument {
  return {
    schemaVersion: 1, tool: { name: 'councilguard', version: 'test' }, council, tenantId: '6f1c2b9a-4d3e-4a5b-8c7d-9e0f1a2b3c4d', generatedAt: '2026-11-25T02:00:00.000Z',
    policy: { id: 'model-council', version: '2025' },
    checks: [{ id: 'mail.external-forwarding', title: 'Council mail forwarded outside the council', status: 'fail', clauses: ['mail.forwarding'] },
      { id: 'devices.compliance', title: 'Devices', status: 'skipped', skipReason: { code: 'not-licensed', detail: 'needs a Intune licence' }, clauses: [] }],
    findings, resolved: [], metrics: { mfa: { inScope: 12, registered: 11, enforced: 11, registeredAndEnforced: 10, neither: 0 } },
  };
}

const history = Array.from({ length: 30 }, (_, i) => ({ generatedAt: `2026-10-${String(i + 1).padStart(2, '0')}T02:00:00.000Z`, high: i % 5, medium: 3, low: 1, info: 0 }));

(haveChromium ? describe : describe.skip)(`reports in headless Chromium (${CHROMIUM})`, () => {
  let browser: Browser;
  beforeAll(async () => { browser = await launchChromium(); mkdirSync(OUT, { recursive: true }); });
  afterAll(() => browser?.close());

  async function open(name: string, html: string) {
    const file = join(OUT, name);
    writeFileSync(file, html);
    const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => { if (!r.url().startsWith('file://') && !r.url().startsWith('data:')) requests.push(r.url()); });
    await page.goto(`file://${file}`);
    return { page, errors, requests };
  }

  it('report.html: charts present, no console errors, no network requests, hostile names inert in the DOM', async () => {
    const html = renderReportHtml(doc(HOSTILE.map((t, i) => finding(i, t))), { profile: loadProfile('model-council'), history });
    const { page, errors, requests } = await open('report.html', html);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    expect(await page.locator('svg').count()).toBeGreaterThanOrEqual(3);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(await page.locator('script').count()).toBe(0);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate("[...document.querySelectorAll('a')].filter((a) => !a.href.startsWith('https:')).length")).toBe(0);
    expect(await page.evaluate("[...document.querySelectorAll('*')].some((el) => [...el.attributes].some((a) => a.name.startsWith('on')))")).toBe(false);
    expect(await page.textContent('body')).toContain('<script>window.__pwned=1</script>');
    expect(await page.textContent('body')).toContain('Skipped: the tenant\'s licences do not include this');
    await page.screenshot({ path: join(OUT, 'report.png'), fullPage: false });
  });

  it('a 5,000-finding report stays under 5 MB and renders', async () => {
    const html = renderReportHtml(doc(Array.from({ length: 5000 }, (_, i) => finding(i, `Councillor ${i}`))), { profile: loadProfile('model-council'), history });
    expect(Buffer.byteLength(html)).toBeLessThan(5 * 1024 * 1024);
    const { page, errors } = await open('report-5000.html', html);
    expect(errors).toEqual([]);
    expect(await page.locator('.finding').count()).toBe(5000);
  });

  it('index.html lists each council with a sparkline, worst first, hostile council names inert', async () => {
    const html = renderSupplierIndex([
      { council: 'Quiet Parish Council', tenantId: 'a', generatedAt: '2026-11-25T02:00:00.000Z', high: 0, medium: 1, low: 0, new: 0, resolved: 1, trend: [1, 0, 0], reportHref: 'quiet-parish-council/report.html' },
      { council: HOSTILE[1], tenantId: 'b', generatedAt: '2026-11-25T02:00:00.000Z', high: 4, medium: 2, low: 0, new: 2, resolved: 0, trend: [2, 3, 4], reportHref: 'javascript:alert(1)' },
    ]);
    const { page, errors, requests } = await open('index.html', html);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    expect(await page.locator('tbody tr').first().textContent()).toContain(HOSTILE[1]);
    expect(await page.locator('tbody svg').count()).toBe(2);
    expect(await page.locator('a').count()).toBe(1);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    await page.screenshot({ path: join(OUT, 'index.png') });
  });
});
