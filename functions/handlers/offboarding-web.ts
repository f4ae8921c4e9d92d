// GET /api/clerk/{file?}: the clerk's surrender page and its script and stylesheet, from
// offboarding/web/. Static and data-free: the data endpoints check the app role. App Service
// authentication in front makes the clerk sign in before the page loads.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { packageRoot } from '../../config/paths';

const FILES: Record<string, { name: string; type: string }> = {
  '': { name: 'index.html', type: 'text/html; charset=utf-8' },
  offboarding: { name: 'index.html', type: 'text/html; charset=utf-8' },
  'offboarding.js': { name: 'offboarding.js', type: 'text/javascript; charset=utf-8' },
  'offboarding.css': { name: 'offboarding.css', type: 'text/css; charset=utf-8' },
  'favicon.svg': { name: 'favicon.svg', type: 'image/svg+xml' },
};

/** Nothing but the page's own script, style and API calls; no framing. */
export const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export async function clerkPageHandler(request: HttpRequest): Promise<HttpResponseInit> {
  const file = FILES[request.params.file ?? ''];
  if (!file) return { status: 404, body: 'Not found.', headers: { 'Content-Type': 'text/plain; charset=utf-8' } };
  const body = await readFile(join(packageRoot(), 'offboarding', 'web', file.name), 'utf8');
  return { status: 200, body, headers: { 'Content-Type': file.type, 'Content-Security-Policy': PAGE_CSP, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-cache', 'Referrer-Policy': 'no-referrer' } };
}
