// The head every self-contained HTML page CouncilGuard writes shares (report, supplier index, surrender
// certificate): UK English, no referrer, not indexed, and a Content-Security-Policy that allows only this
// page's own stylesheet, by its SHA-256, so nothing injected into the page can run or load.
import { createHash } from 'node:crypto';
import { esc } from './escape';

export function cspFor(css: string): string {
  return `default-src 'none'; style-src 'sha256-${createHash('sha256').update(css).digest('base64')}'; img-src data:; base-uri 'none'; form-action 'none'`;
}

/** `<!doctype html>` … `</head>`; the title is escaped here, the CSS is the page's own constant. */
export function pageHead(title: string, css: string): string {
  return `<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${cspFor(css)}">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>${esc(title)}</title>
<style>${css}</style></head>`;
}
