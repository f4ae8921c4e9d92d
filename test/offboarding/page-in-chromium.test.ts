// The clerk's page in headless Debian Chromium (playwright-core): served by the real handlers behind a
// small local server standing in for the Functions host and App Service authentication (it adds the
// signed-in clerk's principal header and the token store's ID token, from the simulated Entra). The clerk chooses the councillor, confirms, watches the
// progress, and opens the certificate. Skipped, saying why, where Chromium or playwright-core is missing.
import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { offboardingHttpHandlers } from '../../functions/handlers/offboarding-http';
import { clerkPageHandler } from '../../functions/handlers/offboarding-web';
import { inProcessStarter } from '../support/in-process-starter';
import { testCouncils } from '../support/councils';
import { CLERK, harness, leaver, LEAVER, type Harness } from './support';
import { signInWith } from '../support/sign-in';
import { openAppPage, saveScreenshot } from '../support/browser';
import { functionsHost } from '../support/functions-host';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const missing = [
  ...(existsSync(CHROMIUM) ? [] : [`Chromium at ${CHROMIUM} (apt-get install chromium)`]),
  ...((() => { try { require.resolve('playwright-core'); return []; } catch { return ['the playwright-core package (a devDependency)']; } })()),
];
const OUT = join(__dirname, '../../test-output');

if (missing.length) {
  console.warn(`Skipping the offboarding page test in Chromium: missing ${missing.join(' and ')}.`);
}


/** The clerk's routes, as functions/offboarding-registrations.ts registers them. */
function host(handlers: ReturnType<typeof offboardingHttpHandlers>, signedIn: () => Record<string, string>) {
  return functionsHost([
    ['GET', /^\/api\/clerk(?:\/(?<file>[^/]+))?$/, clerkPageHandler],
    ['GET', /^\/api\/offboarding-roster$/, handlers.roster],
    ['POST', /^\/api\/offboarding$/, handlers.start],
    ['GET', /^\/api\/offboarding\/(?<id>[^/]+)$/, handlers.status],
    ['GET', /^\/api\/offboarding\/(?<id>[^/]+)\/certificate$/, handlers.certificate],
  ], signedIn);
}

(missing.length ? describe.skip : describe)(`the clerk's offboarding page in headless Chromium (${CHROMIUM})`, () => {
  let h: Harness;
  let server: Server;
  let base: string;
  let browser: Browser;
  beforeAll(async () => {
    h = await harness({ name: 'surrender-page', inbox: 15 });
    const deps = h.deps();
    const s = signInWith(h.sim);
    const handlers = offboardingHttpHandlers({ councils: async () => testCouncils({ councils: [h.council], store: h.store, graph: h.graph }), starter: () => inProcessStarter(async () => deps), signIn: s.signIn });
    server = host(handlers, () => s.headers({ upn: CLERK, tenantId: h.council.tenantId, roles: ['Offboarding.Request'] }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    // Required here, not imported at the top: without playwright-core the module cannot load, and the suite is skipped.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { launchChromium } = require('../support/browser') as typeof import('../support/browser');
    browser = await launchChromium();
    mkdirSync(OUT, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    await h?.close();
  });

  const open = (path: string) => openAppPage(browser, base, path, { width: 1000, height: 1300 });

  it('is labelled and keyboard-usable, explains problems, starts the surrender, shows progress, and opens the certificate', async () => {
    const { page, problems } = await open('/api/clerk/offboarding');
    expect(await page.getAttribute('html', 'lang')).toBe('en-GB');
    expect(await page.title()).toBe('Surrender a councillor\'s account – CouncilGuard');
    expect(await page.locator('main h1').textContent()).toBe('Surrender a councillor\'s account');
    // WCAG basics: every control has a label, the skip link leads to main, the first Tab reaches it with a visible focus.
    expect(await page.evaluate("[...document.querySelectorAll('select, input, textarea')].filter((el) => el.labels?.length === 0).length")).toBe(0);
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Skip to main content');
    expect(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')).not.toBe('none');
    await page.waitForSelector('#councillor optgroup option', { state: 'attached' });

    // Nothing chosen: an error summary takes focus and links to each field; fields say what is wrong.
    await page.click('#start');
    await page.waitForSelector('#error-summary:not([hidden])');
    expect(await page.evaluate('document.activeElement?.id')).toBe('error-summary');
    expect(await page.locator('#error-list a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual(['#councillor', '#term-end', '#confirm']);
    expect(await page.getAttribute('#councillor', 'aria-invalid')).toBe('true');
    expect(await page.locator('#councillor-error').textContent()).toBe('Error: Choose the councillor whose account is to be surrendered');

    // Choose the councillor (the term end comes from the roster), confirm, start.
    const value = await page.locator('#councillor option').evaluateAll((os, upn) => (os.find((o) => o.textContent!.startsWith(upn as string)) as unknown as { value: string }).value, LEAVER);
    await page.selectOption('#councillor', value);
    expect(await page.inputValue('#term-end')).toBe('2026-05-07');
    expect(await page.locator('#term-end-words').textContent()).toBe('That is 7 May 2026.');
    expect(await page.locator(`#councillor option:checked`).textContent()).toContain('term ends 7 May 2026');
    await page.check('#confirm');
    await page.click('#start');
    await page.waitForSelector('#progress:not([hidden])');
    await page.locator('#progress-summary', { hasText: /complete and the archive has been verified/ }).waitFor({ timeout: 60_000 });
    expect(await page.locator('#steps li').allTextContents()).toEqual([
      'Check before starting: Done', 'Block sign-in: Done', 'Copy the mailbox: Done', 'Copy the contacts: Done', 'Copy the calendar: Done',
      'Copy the OneDrive: Done', 'Verify the archive: Done', 'Hand over to the clerk: Done', 'Close the account: Done',
    ]);
    expect(await page.locator('#progress-bar').getAttribute('value')).toBe('100');
    await saveScreenshot(page, 'offboarding-page.png');
    expect(leaver(h.tenant()).accountEnabled).toBe(false);

    // The certificate opens, self-contained, in the browser.
    await Promise.all([page.waitForURL(/\/certificate$/), page.click('#certificate-link')]);
    expect(await page.locator('h1').textContent()).toBe('Certificate of surrender');
    expect(await page.locator('body').textContent()).toContain('Cllr Lee Leaving');
    expect(await page.locator('script').count()).toBe(0);
    await saveScreenshot(page, 'offboarding-certificate.png');
    expect(problems).toEqual([]);
  });
});
