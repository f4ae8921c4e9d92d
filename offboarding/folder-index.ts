// index.html for each mail folder of the archive: the clerk finds a message without a mail client. A
// table of the folder's messages (received, from, to, subject, attachments, size) linking to each .eml
// beside it, built from the listing (no extra request). Self-contained with the report's CSP: only this
// page's own stylesheet and sorting script run, each allowed by its SHA-256. Without script the table
// reads newest first; with it, each column header sorts.
import { esc } from '../reports/escape';
import { pageHead } from '../reports/page-head';
import { ukDateTime } from '../core/uk-time';
import { OrderedScratchFile } from './ordered-scratch-file';
import { TempTextFile, type WrittenTextFile } from './temp-text-file';
import type { ManifestRow } from './manifest';

const CSS = `body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1b1b1b;background:#fff;margin:1.5rem;line-height:1.4}
h1{font-size:1.4rem}table{border-collapse:collapse;width:100%;font-size:.95rem}th,td{border:1px solid #b1b4b6;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f2f1}th button{font:inherit;font-weight:bold;background:none;border:0;padding:0;cursor:pointer;text-align:left}
th button:focus{outline:3px solid #fd0}.num{text-align:right;font-variant-numeric:tabular-nums}a{color:#1d70b8}`;

// Sorts by the clicked column's data-sort values; a second click reverses. Text only, no markup is built.
const SCRIPT = `document.querySelectorAll('th button').forEach(function(b,i){b.addEventListener('click',function(){var th=b.parentNode,asc=th.getAttribute('aria-sort')!=='ascending';document.querySelectorAll('th').forEach(function(x){x.removeAttribute('aria-sort')});th.setAttribute('aria-sort',asc?'ascending':'descending');var tb=document.querySelector('tbody');var rows=Array.prototype.slice.call(tb.rows);rows.sort(function(a,c){var x=a.cells[i].getAttribute('data-sort'),y=c.cells[i].getAttribute('data-sort');var n=Number(x)-Number(y);var r=isNaN(n)?x.localeCompare(y):n;return asc?r:-r});rows.forEach(function(r){tb.appendChild(r)})})});`;

const COLUMNS = ['Received', 'From', 'To', 'Subject', 'Attachments', 'Size (bytes)'];

/** What a message's table row shows: the listing's columns and the copy's size, never the body. */
export type FolderIndexItem = Pick<ManifestRow, 'name' | 'received' | 'from' | 'to' | 'subject' | 'hasAttachments' | 'size'>;

/** What the page is ordered by. */
interface PageOrder {
  received: string;
  name: string;
}

/** A message's table row. */
function tableRow(r: FolderIndexItem): string {
  const to = (r.to ?? []).join(', ');
  const subject = r.subject || '(no subject)';
  return `<tr><td data-sort="${esc(r.received ?? '')}">${r.received ? esc(ukDateTime(r.received)) : ''}</td><td data-sort="${esc((r.from ?? '').toLowerCase())}">${esc(r.from ?? '')}</td><td data-sort="${esc(to.toLowerCase())}">${esc(to)}</td><td data-sort="${esc(subject.toLowerCase())}"><a href="${esc(encodeURIComponent(r.name))}">${esc(subject)}</a></td><td data-sort="${r.hasAttachments ? 1 : 0}">${r.hasAttachments ? 'Yes' : 'No'}</td><td class="num" data-sort="${r.size}">${r.size.toLocaleString('en-GB')}</td></tr>`;
}

/** Newest first (undated last), then by file name: the same messages always give the same bytes, so a rerun can skip an unchanged page. */
const byNewestFirst = (a: PageOrder, b: PageOrder): number => b.received.localeCompare(a.received) || a.name.localeCompare(b.name);

/**
 * Builds a folder's index.html in a temporary file from the messages `fill` adds, in any order. Each
 * row is rendered as it is added and set aside in a scratch file; only its sort key stays in memory.
 */
export async function buildFolderIndex(
  folder: { sourcePath: string }, councillor: string, fill: (add: (item: FolderIndexItem) => Promise<void>) => Promise<void>,
): Promise<WrittenTextFile> {
  const rows = await OrderedScratchFile.create<PageOrder>();
  try {
    await fill((item) => rows.add({ received: item.received ?? '', name: item.name }, tableRow(item)));
    return await TempTextFile.build('index.html', (out) => writeFolderIndex(out, folder, rows.count, rows.inOrder(byNewestFirst), councillor));
  } finally {
    await rows.discard();
  }
}

/**
 * Writes one folder's page to `out` a row at a time (a 25,000-message Inbox's page is about 10 MB, never
 * held as one string); `rows` come in page order.
 */
async function writeFolderIndex(out: { write(text: string): Promise<void> }, folder: { sourcePath: string }, count: number, rows: AsyncIterable<string>, councillor: string): Promise<void> {
  await out.write(`${pageHead(`${folder.sourcePath}: ${councillor}`, CSS, SCRIPT)}
<body>
<main>
<h1>${esc(folder.sourcePath)}</h1>
<p>${count.toLocaleString('en-GB')} message(s) from the mailbox of ${esc(councillor)}, newest first. Each subject opens the message (.eml, with its attachments) in Outlook or any mail program.</p>
<table>
<thead><tr>${COLUMNS.map((c, i) => `<th scope="col"${i === 0 ? ' aria-sort="descending"' : ''}${i === 5 ? ' class="num"' : ''}><button type="button">${c}</button></th>`).join('')}</tr></thead>
<tbody>
`);
  for await (const row of rows) await out.write(`${row}\n`);
  await out.write(`</tbody>
</table>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`);
}
