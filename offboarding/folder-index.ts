// index.html for each mail folder of the archive: the clerk finds a message without a mail client. A
// table of the folder's messages (received, from, to, subject, attachments, size) linking to each .eml
// beside it, built from the listing (no extra request). Self-contained with the report's CSP: only this
// page's own stylesheet and sorting script run, each allowed by its SHA-256. Without script the table
// reads newest first; with it, each column header sorts.
import { esc } from '../reports/escape';
import { pageHead } from '../reports/page-head';
import { ukDateTime } from '../core/uk-time';
import type { ManifestRow } from './manifest';

const CSS = `body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1b1b1b;background:#fff;margin:1.5rem;line-height:1.4}
h1{font-size:1.4rem}table{border-collapse:collapse;width:100%;font-size:.95rem}th,td{border:1px solid #b1b4b6;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f2f1}th button{font:inherit;font-weight:bold;background:none;border:0;padding:0;cursor:pointer;text-align:left}
th button:focus{outline:3px solid #fd0}.num{text-align:right;font-variant-numeric:tabular-nums}a{color:#1d70b8}`;

// Sorts by the clicked column's data-sort values; a second click reverses. Text only, no markup is built.
const SCRIPT = `document.querySelectorAll('th button').forEach(function(b,i){b.addEventListener('click',function(){var th=b.parentNode,asc=th.getAttribute('aria-sort')!=='ascending';document.querySelectorAll('th').forEach(function(x){x.removeAttribute('aria-sort')});th.setAttribute('aria-sort',asc?'ascending':'descending');var tb=document.querySelector('tbody');var rows=Array.prototype.slice.call(tb.rows);rows.sort(function(a,c){var x=a.cells[i].getAttribute('data-sort'),y=c.cells[i].getAttribute('data-sort');var n=Number(x)-Number(y);var r=isNaN(n)?x.localeCompare(y):n;return asc?r:-r});rows.forEach(function(r){tb.appendChild(r)})})});`;

const COLUMNS = ['Received', 'From', 'To', 'Subject', 'Attachments', 'Size (bytes)'];

/** One message's table row, with what the page is ordered by; small, so a whole mailbox's fit in memory. */
export interface FolderIndexEntry {
  received: string;
  name: string;
  html: string;
}

/** The row for an archived message (from its manifest row: the listing's columns, never the body). */
export function folderIndexEntry(r: ManifestRow): FolderIndexEntry {
  const to = (r.to ?? []).join(', ');
  const subject = r.subject || '(no subject)';
  const html = `<tr><td data-sort="${esc(r.received ?? '')}">${r.received ? esc(ukDateTime(r.received)) : ''}</td><td data-sort="${esc((r.from ?? '').toLowerCase())}">${esc(r.from ?? '')}</td><td data-sort="${esc(to.toLowerCase())}">${esc(to)}</td><td data-sort="${esc(subject.toLowerCase())}"><a href="${esc(encodeURIComponent(r.name))}">${esc(subject)}</a></td><td data-sort="${r.hasAttachments ? 1 : 0}">${r.hasAttachments ? 'Yes' : 'No'}</td><td class="num" data-sort="${r.size}">${r.size.toLocaleString('en-GB')}</td></tr>`;
  return { received: r.received ?? '', name: r.name, html };
}

/** Newest first, then by file name: the same entries always give the same bytes, so a rerun can skip an unchanged page. */
export const byNewestFirst = (a: FolderIndexEntry, b: FolderIndexEntry): number => b.received.localeCompare(a.received) || a.name.localeCompare(b.name);

/**
 * Writes one folder's page to `out` a row at a time (a 25,000-message Inbox's page is about 10 MB, never
 * held as one string). `entries` must already be in page order (byNewestFirst).
 */
export async function writeFolderIndex(out: { write(text: string): Promise<void> }, folder: { sourcePath: string }, entries: readonly FolderIndexEntry[], councillor: string): Promise<void> {
  await out.write(`${pageHead(`${folder.sourcePath}: ${councillor}`, CSS, SCRIPT)}
<body>
<main>
<h1>${esc(folder.sourcePath)}</h1>
<p>${entries.length.toLocaleString('en-GB')} message(s) from the mailbox of ${esc(councillor)}, newest first. Each subject opens the message (.eml, with its attachments) in Outlook or any mail program.</p>
<table>
<thead><tr>${COLUMNS.map((c, i) => `<th scope="col"${i === 0 ? ' aria-sort="descending"' : ''}${i === 5 ? ' class="num"' : ''}><button type="button">${c}</button></th>`).join('')}</tr></thead>
<tbody>
`);
  for (const e of entries) await out.write(`${e.html}\n`);
  await out.write(`</tbody>
</table>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`);
}
