// index.html for an IT supplier serving several councils: a row per council, worst first, each with a
// sparkline of its high findings over recent nights and a link to that council's report.
import { DateTime } from 'luxon';
import { sparkline } from './charts';
import { esc, relativeHref } from './escape';
import { pageHead } from './page-head';
import { ukDateTime } from '../core/uk-time';
import { plural } from './words';

export interface IndexRow {
  council: string;
  tenantId: string;
  generatedAt: string;
  high: number;
  medium: number;
  low: number;
  new: number;
  resolved: number;
  /** High findings per night, oldest first, tonight last. */
  trend: number[];
  /** Path of the council's report.html relative to index.html, as a file path (not URL-encoded). */
  reportHref: string;
}

// A council whose latest run is this far behind the newest is flagged: its nightly run may have stopped.
const STALE_HOURS = 36;

const CSS = `body{font-family:system-ui,-apple-system,"Segoe UI",Arial,sans-serif;margin:1rem auto;max-width:70rem;padding:0 1rem 2rem;color:#1b1b1b;background:#fff;line-height:1.4}
h1{font-size:1.6rem}table{border-collapse:collapse;width:100%}th,td{border:1px solid #999;padding:.3rem .5rem;text-align:left;vertical-align:middle}th{background:#f0f0f0}tbody th{background:#fff}tbody th{background:#fff}
td.n{text-align:right;font-variant-numeric:tabular-nums}td.hi{font-weight:700;color:#b3261e}a{color:#0b4f9c}a:focus{outline:3px solid #0b4f9c;outline-offset:2px}.stale{color:#9a4f00;font-weight:700}.small{font-size:.88rem;color:#3d3d3d}
@media print{body{max-width:none}a{color:#1b1b1b}}`;

const count = (v: unknown) => (Number.isFinite(Number(v)) && Number(v) > 0 ? Math.trunc(Number(v)) : 0);
const ms = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' }).toMillis();

function change(trend: number[]): string {
  if (trend.length < 2) return 'first night';
  const delta = trend[trend.length - 1] - trend[trend.length - 2];
  return delta > 0 ? `up ${delta}` : delta < 0 ? `down ${-delta}` : 'no change';
}

export function renderSupplierIndex(rows: IndexRow[]): string {
  const clean = rows.map((r) => ({ ...r, high: count(r.high), medium: count(r.medium), low: count(r.low), new: count(r.new), resolved: count(r.resolved), trend: (r.trend ?? []).map(count) }));
  const sorted = clean.sort((a, b) => b.high - a.high || b.medium - a.medium || b.new - a.new || b.low - a.low || String(a.council).localeCompare(String(b.council)));
  const newest = Math.max(...sorted.map((r) => ms(r.generatedAt)).filter(Number.isFinite));
  const totalHigh = sorted.reduce((s, r) => s + r.high, 0);
  const withHigh = sorted.filter((r) => r.high > 0).length;

  const body = sorted.map((r) => {
    const href = relativeHref(r.reportHref);
    const name = href ? `<a href="${esc(href)}">${esc(r.council)}</a>` : esc(r.council);
    const stale = Number.isFinite(newest) && newest - ms(r.generatedAt) > STALE_HOURS * 3600_000 ? ' <span class="stale">(behind the others: check its nightly run)</span>' : '';
    return `<tr><th scope="row">${name}<br><span class="small">Tenant ${esc(r.tenantId)}</span></th><td>${esc(ukDateTime(r.generatedAt))}${stale}</td><td class="n${r.high ? ' hi' : ''}">${r.high}</td><td class="n">${r.medium}</td><td class="n">${r.low}</td><td class="n">${r.new}</td><td class="n">${r.resolved}</td><td>${sparkline(r.trend, 'high findings per night')} <span class="small">${change(r.trend)}</span></td></tr>`;
  }).join('\n');

  return `${pageHead('CouncilGuard: councils overview', CSS)}
<body><header><h1>Councils overview</h1>
<p>${esc(`${plural(sorted.length, 'council')}; ${plural(totalHigh, 'high finding')} in all, at ${plural(withHigh, 'council')}.`)} Worst first: most high findings, then medium, then new.</p></header>
<main>${sorted.length ? `<table><caption class="small">One row per council, from its latest audit. The line shows high findings over recent nights, oldest left.</caption>
<thead><tr><th scope="col">Council</th><th scope="col">Latest audit</th><th scope="col">High</th><th scope="col">Medium</th><th scope="col">Low</th><th scope="col">New</th><th scope="col">Resolved</th><th scope="col">High findings, recent nights</th></tr></thead>
<tbody>
${body}
</tbody></table>` : '<p>No council has been audited yet.</p>'}</main>
<footer><p class="small">Each report holds personal data about council members and staff; keep this folder within your organisation.</p></footer>
</body></html>
`;
}
