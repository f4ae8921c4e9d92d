// The supplier's page and the plan page in headless Chromium, served by the real handlers behind a tiny
// local server standing in for the Functions host and App Service authentication (it adds the signed-in
// supplier's token), so the plan page's fetch POST is same-origin. Accessibility is checked by hand
// (axe-core is not installed): one h1 and no skipped heading level, a label on every form control, text
// contrast of at least 4.5:1 from the computed styles, every interactive element reached by Tab and
// visibly focused. Then one action is unticked and the plan approved in the browser. Screenshots go to
// docs/images/ for the docs.
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { supplierHandlers } from '../../functions/handlers/supplier';
import { plansHttpHandlers } from '../../functions/handlers/plans-http';
import { loadStatus } from '../../enforce/plan-store';
import { haveChromium, CHROMIUM, openAppPage, saveScreenshot } from '../support/browser';
import { functionsHost } from '../support/functions-host';
import { supplierFixture, SUPPLIER, type SupplierFixture } from './supplier-support';

// Runs in the page: the accessibility findings, each a sentence (an empty list passes).
const A11Y = `(() => {
  const problems = [];
  const headings = [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map((h) => Number(h.tagName[1]));
  if (headings.filter((l) => l === 1).length !== 1) problems.push('there must be exactly one h1, found ' + headings.filter((l) => l === 1).length);
  headings.forEach((l, i) => { if (i > 0 && l > headings[i - 1] + 1) problems.push('heading level skipped: h' + headings[i - 1] + ' then h' + l); });
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (!(el.labels && el.labels.length) && !el.getAttribute('aria-label')) problems.push('no label for ' + el.outerHTML.slice(0, 80));
  }
  for (const b of document.querySelectorAll('button')) if (!b.textContent.trim() && !b.getAttribute('aria-label')) problems.push('button without a name');
  const rgb = (c) => { const m = c.match(/[\\d.]+/g).map(Number); return { r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1 }; };
  const lum = ({ r, g, b }) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const background = (el) => { for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.a > 0) return c; } return { r: 255, g: 255, b: 255, a: 1 }; };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    const el = t.parentElement;
    if (!t.textContent.trim() || !el || seen.has(el) || el.closest('svg, script, style')) continue;
    seen.add(el);
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    const fg = rgb(style.color), bg = background(el);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    if (ratio < 4.5) problems.push('contrast ' + ratio.toFixed(2) + ':1 for "' + t.textContent.trim().slice(0, 40) + '"');
  }
  return problems;
})()`;

/** Tabs through the page: every link, button and enabled control is reached, each with a visible focus outline. */
async function tabThrough(page: Page): Promise<{ reached: number; interactive: number; unfocused: string[] }> {
  const interactive = await page.evaluate("[...document.querySelectorAll('a[href], button:not([disabled]), input:not([disabled]), select, textarea')].length");
  const reached = new Set<string>();
  const unfocused: string[] = [];
  for (let i = 0; i < (interactive as number) + 2; i++) {
    await page.keyboard.press('Tab');
    const now = await page.evaluate(`(() => { const e = document.activeElement; if (!e || e === document.body) return undefined;
      const all = [...document.querySelectorAll('a[href], button, input, select, textarea')]; const s = getComputedStyle(e);
      return { key: String(all.indexOf(e)), name: e.outerHTML.slice(0, 60), visible: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2 }; })()`) as { key: string; name: string; visible: boolean } | undefined;
    if (!now) continue;
    reached.add(now.key);
    if (!now.visible) unfocused.push(now.name);
  }
  return { reached: reached.size, interactive: interactive as number, unfocused };
}

(haveChromium ? describe : describe.skip)(`the supplier's page and plan approval in headless Chromium (${CHROMIUM})`, () => {
  let f: SupplierFixture;
  let server: Server;
  let base: string;
  let browser: Browser;
  beforeAll(async () => {
    f = await supplierFixture();
    const supplier = supplierHandlers({ councils: f.councils, signIn: f.s.signIn });
    const plans = plansHttpHandlers({ councils: f.councils, signIn: f.s.signIn });
    server = functionsHost([
      ['GET', /^\/api\/supplier$/, supplier.page],
      ['GET', /^\/api\/plans\/(?<id>[^/]+)\/page$/, plans.page],
      ['POST', /^\/api\/plans\/(?<id>[^/]+)\/approve$/, plans.approve],
    ], () => f.s.headers(f.supplier(['Reports.Read', 'Enforcement.Approve'])));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { launchChromium } = require('../support/browser') as typeof import('../support/browser');
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    await f?.close();
  });

  const open = (path: string) => openAppPage(browser, base, path, { width: 1280, height: 900 });

  it('opens the supplier page and the plan page, both accessible; unticking one action and approving leaves it out, recorded', async () => {
    const { page, problems } = await open('/api/supplier');
    expect(await page.locator('h1').textContent()).toBe('Your councils');
    expect(await page.locator('tbody th a').allTextContents()).toEqual([f.south.name, f.north.name]);
    expect(await page.locator('body').textContent()).toContain(SUPPLIER);
    expect(await page.evaluate(A11Y)).toEqual([]);
    const tabbed = await tabThrough(page);
    expect(tabbed.unfocused).toEqual([]);
    expect(tabbed.reached).toBe(tabbed.interactive);
    await page.evaluate('document.activeElement?.blur()');
    await saveScreenshot(page, 'supplier-page.png');

    // The plan awaiting approval links to its page.
    await Promise.all([page.waitForURL(/\/page$/), page.click(`a[href="plans/${f.plan.id}/page"]`)]);
    expect(await page.locator('h1').textContent()).toBe(`Enforcement plan for ${f.north.name}`);
    expect(await page.locator('input[name=action]:checked').count()).toBe(4);
    expect(await page.evaluate(A11Y)).toEqual([]);
    const planTabs = await tabThrough(page);
    expect(planTabs.unfocused).toEqual([]);
    expect(planTabs.reached).toBe(planTabs.interactive);

    // Untick the forwarding action (the first) and approve.
    const forwarding = f.plan.actions.find((a) => a.remediation === 'forwarding')!;
    await page.uncheck(`input[value="${forwarding.id}"]`);
    await page.click('button[type=submit]');
    await page.locator('#approve-result', { hasText: /^Approved\./ }).waitFor({ timeout: 30_000 });
    expect(await page.locator('#approve-result').textContent()).toContain(`${forwarding.id}: skipped`);
    await saveScreenshot(page, 'plan-approval.png');
    expect(problems).toEqual([]);

    // Not applied: Cllr Ahmed's forwarding rule is still on; the other actions were.
    const tenant = f.northHarness.sim.tenant();
    expect(tenant.users.find((u) => u.userPrincipalName === 'cllr.ahmed@exampleparish.gov.uk')!.rules[0].isEnabled).not.toBe(false);
    const status = (await loadStatus(f.northHarness.ctx.store, f.plan.id))!.status;
    expect(status).toMatchObject({ state: 'applied', approvedBy: SUPPLIER, deselected: { actionIds: [forwarding.id], by: SUPPLIER } });
    expect(Object.values(status.results).map((r) => [r.actionId, r.status])).toEqual(f.plan.actions.map((a) => [a.id, a.id === forwarding.id ? 'skipped' : 'done']));
    // Recorded in the action log: who approved, which action was left out, and that it was skipped.
    const log = await f.northHarness.ctx.store.listActions(f.north.tenantId);
    const approval = log.find((e) => e.action === 'plan.approve')!;
    expect(approval).toMatchObject({ actor: SUPPLIER, target: f.plan.id, after: { deselected: [forwarding.id] } });
    expect(approval.detail).toContain(`3 of 4 action(s) approved on the plan page; left out, never to be applied from this plan: ${forwarding.id}`);
    expect(log.find((e) => e.target.includes(`[${forwarding.id}]`))).toMatchObject({ result: 'skipped', detail: expect.stringContaining('left it out when approving') });

    // Reloaded, the page shows the plan as recorded, without the form.
    await page.reload();
    expect(await page.locator('form').count()).toBe(0);
    expect(await page.locator('.meta').textContent()).toContain(`Left out${forwarding.id}`);
  });
});
