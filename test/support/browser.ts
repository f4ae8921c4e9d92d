// Headless Debian Chromium through playwright-core, locked down: no network beyond the page, flags that
// stop Chromium's own background traffic. Tests skip (saying why) where Chromium is not installed.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * Saves a screenshot to test-output/ and, when UPDATE_DOCS_IMAGES=1 (`npm run docs:images`), also to
 * docs/images/ for the clerk's and supplier's guides. Plain `npm test` leaves the tracked images alone, so a
 * test run never dirties the tree.
 */
export async function saveScreenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  const out = join(__dirname, '../../test-output');
  mkdirSync(out, { recursive: true });
  await page.screenshot({ path: join(out, name), fullPage: options.fullPage ?? true });
  if (process.env.UPDATE_DOCS_IMAGES === '1') {
    const docs = join(__dirname, '../../docs/images');
    mkdirSync(docs, { recursive: true });
    copyFileSync(join(out, name), join(docs, name));
  }
}

/**
 * Opens `path` of a local app in a new page (en-GB, Europe/London) and collects what should never happen:
 * console errors, uncaught page errors, and any request that leaves the app.
 */
export async function openAppPage(browser: Browser, base: string, path: string, viewport: { width: number; height: number }): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport, locale: 'en-GB', timezoneId: 'Europe/London' });
  const problems: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`${m.text()} ${m.location().url}`); });
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('request', (r) => { if (!r.url().startsWith(base)) problems.push(`request outside the app: ${r.url()}`); });
  await page.goto(`${base}${path}`);
  return { page, problems };
}
