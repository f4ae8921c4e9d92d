// index.html for an IT supplier serving several councils: a row per council, worst first.
import { sparkline } from './charts';
import { esc } from './escape';
import { ukDateTime } from './uk-time';

export interface IndexRow {
  council: string;
  tenantId: string;
  generatedAt: string;
  high: number;
  medium: number;
  low: number;
  new: number;
  resolved: number;
  trend: number[];
  reportHref: string;
}

export function renderSupplierIndex(rows: IndexRow[]): string {
  const sorted = [...rows].sort((a, b) => b.high - a.high || b.medium - a.medium || a.council.localeCompare(b.council));
  // Links are relative paths to a report.html; anything with a scheme (javascript:, http:) is shown as text.
  const link = (r: IndexRow) => (/^(?![a-z][a-z0-9+.-]*:)(?!\/\/)[^<>"'\\]*report\.html$/i.test(r.reportHref) ? `<a href="${esc(r.reportHref)}">${esc(r.council)}</a>` : esc(r.council));
  return `<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<title>CouncilGuard — councils overview</title>
<style>body{font-family:system-ui,Arial,sans-serif;margin:1rem auto;max-width:64rem;padding:0 1rem}table{border-collapse:collapse;width:100%}th,td{border:1px solid #bbb;padding:.3rem .5rem;text-align:left}td.n{text-align:right}</style>
</head><body><h1>Councils overview</h1>
<table><thead><tr><th scope="col">Council</th><th scope="col">Audited</th><th scope="col">High</th><th scope="col">Medium</th><th scope="col">Low</th><th scope="col">New</th><th scope="col">Resolved</th><th scope="col">High findings, recent nights</th></tr></thead><tbody>
${sorted.map((r) => `<tr><td>${link(r)}</td><td>${esc(ukDateTime(r.generatedAt))}</td><td class="n">${r.high}</td><td class="n">${r.medium}</td><td class="n">${r.low}</td><td class="n">${r.new}</td><td class="n">${r.resolved}</td><td>${sparkline(r.trend)}</td></tr>`).join('\n')}
</tbody></table></body></html>
`;
}
