// The nightly summary as an HTML email: the same blocks as summary.md (reports/summary.ts), every piece of
// data escaped, inline styles only (mail clients drop <style> and external CSS), no images, so it reads
// the same with images blocked. The plain-text part of the email is summary.md itself.
import { esc } from './escape';
import type { SummaryBlock, SummarySegment } from './summary';

const FONT = 'font-family:Segoe UI,Arial,Helvetica,sans-serif;color:#1b1b1b;';

function segment(s: SummarySegment): string {
  if (typeof s === 'string') return esc(s);
  if ('strong' in s) return `<strong>${esc(s.strong)}</strong>`;
  // summaryBlocks only makes links from safeHttpsUrl, so the href is a well-formed https: URL.
  return `<a href="${esc(s.link)}" style="color:#0b57a4;">${esc(s.link)}</a>`;
}

export function renderSummaryEmailHtml(blocks: SummaryBlock[]): string {
  const body = blocks.map((b) => {
    switch (b.kind) {
      case 'title': return `<h1 style="${FONT}font-size:20px;margin:0 0 8px;">${b.text.map(segment).join('')}</h1>`;
      case 'heading': return `<h2 style="${FONT}font-size:16px;margin:20px 0 6px;">${b.text.map(segment).join('')}</h2>`;
      case 'paragraph': return `<p style="${FONT}font-size:14px;margin:0 0 10px;">${b.text.map(segment).join('')}</p>`;
      case 'list': return `<ul style="${FONT}font-size:14px;margin:0 0 10px;padding-left:20px;">${b.items.map((i) => `<li style="margin:0 0 4px;">${i.map(segment).join('')}</li>`).join('')}</ul>`;
    }
  }).join('\n');
  const title = blocks.find((b) => b.kind === 'title');
  const heading = title && title.kind === 'title' ? title.text.map((s) => (typeof s === 'string' ? s : 'strong' in s ? s.strong : s.link)).join('') : 'IT policy audit';
  return `<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${esc(heading)}</title></head>\n`
    + `<body style="margin:0;padding:16px;background:#ffffff;"><div style="max-width:640px;">\n${body}\n</div></body></html>\n`;
}
