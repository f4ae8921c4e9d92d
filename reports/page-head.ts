// The head every self-contained HTML page CouncilGuard writes shares (report, supplier index, surrender
// certificate): UK English, no referrer, not indexed, and a Content-Security-Policy that allows only this
// page's own stylesheet, by its SHA-256, so nothing injected into the page can run or load.
import { createHash } from 'node:crypto';
import { esc } from './escape';

const sha = (text: string) => createHash('sha256').update(text).digest('base64');

/** A page's own inline script, when it has one, is allowed by its SHA-256 too, and nothing else runs. */
export function cspFor(css: string, script?: string, opts: { connectSelf?: boolean } = {}): string {
  return `default-src 'none'; style-src 'sha256-${sha(css)}';${script ? ` script-src 'sha256-${sha(script)}';` : ''}${opts.connectSelf ? " connect-src 'self';" : ''} img-src data:; base-uri 'none'; form-action 'none'`;
}

/** `<!doctype html>` … `</head>`; the title is escaped here, the CSS (and script, placed by the page) are the page's own constants. */
export function pageHead(title: string, css: string, script?: string, opts: { connectSelf?: boolean } = {}): string {
  return `<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${cspFor(css, script, opts)}">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>${esc(title)}</title>
<style>${css}</style></head>`;
}
