// The IT supplier's page (GET /api/supplier): one row per council the caller may see, worst first, with
// its last audit in UK time (flagged when stale or missing), the latest counts, a sparkline of high
// findings over recent runs, surrenders not yet finished with their step, and plans awaiting approval
// linking to each plan's page. No script; links are relative to /api/supplier and built from ids only.
import { esc } from './escape';
import { sparkline } from './charts';
import { cspFor, pageHead } from './page-head';
import { ukDateTime } from '../core/uk-time';
import { plural } from './words';

export interface SurrenderInProgress {
  id: string;
  councillor: string;
  /** running, or failed (stopped; starting it again continues where it stopped). */
  status: string;
  step?: string;
  stepTitle?: string;
}

export interface PlanAwaiting {
  id: string;
  createdAt: string;
  validUntil: string;
  actions: number;
}

export interface CouncilOverview {
  council: string;
  tenantId: string;
  /** generatedAt of the latest stored run (UTC ISO); absent before the first audit. */
  lastAudit?: string;
  /** No audit, or the latest is older than the overview's staleAfterHours. */
  stale: boolean;
  counts: { high: number; medium: number; low: number; info: number; new: number; resolved: number };
  /** High findings per run, oldest first, the latest last. */
  trend: number[];
  surrenders: SurrenderInProgress[];
  plansAwaitingApproval: PlanAwaiting[];
}

export interface SupplierOverview {
  generatedAt: string;
  staleAfterHours: number;
  /** Worst first. */
  councils: CouncilOverview[];
}

const CSS = `*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Arial,sans-serif;margin:1rem auto;max-width:80rem;padding:0 1rem 2rem;color:#1b1b1b;background:#fff;line-height:1.4}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:1.6rem}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #999;padding:.35rem .5rem;text-align:left;vertical-align:top}thead th{background:#f0f0f0}tbody th{background:#fff}
td.n{text-align:right;font-variant-numeric:tabular-nums}td.hi{font-weight:700;color:#b3261e}
ul.plain{margin:0;padding-left:1.1rem}
a{color:#0b4f9c}a:focus,a:focus-visible{outline:3px solid #0b4f9c;outline-offset:2px}
.stale{color:#9a4f00;font-weight:700}.small{font-size:.88rem;color:#3d3d3d}
@media print{body{max-width:none}a{color:#1b1b1b}}`;

/** The page's Content-Security-Policy: its own stylesheet by hash, inline SVG, nothing else, no framing. */
export const SUPPLIER_PAGE_CSP = `${cspFor(CSS)}; frame-ancestors 'none'`;

const idPath = (id: string) => encodeURIComponent(id);

function lastAudit(c: CouncilOverview, hours: number): string {
  if (!c.lastAudit) return '<span class="stale">Never audited</span>';
  const flag = c.stale ? `<br><span class="stale">Stale: more than ${hours} hours old; check its nightly run</span>` : '';
  return `${esc(ukDateTime(c.lastAudit))}${flag}`;
}

function surrenders(list: SurrenderInProgress[]): string {
  if (!list.length) return '<span class="small">None</span>';
  return `<ul class="plain">${list.map((s) => `<li>${esc(s.councillor)}: ${s.status === 'failed' ? 'stopped at' : 'at'} ${esc(s.stepTitle ?? s.step ?? 'the start')}</li>`).join('')}</ul>`;
}

function plans(list: PlanAwaiting[]): string {
  if (!list.length) return '<span class="small">None</span>';
  return `<ul class="plain">${list.map((p) => `<li><a href="plans/${idPath(p.id)}/page">${esc(p.id)}</a><br><span class="small">${esc(`${plural(p.actions, 'action')}; valid until ${ukDateTime(p.validUntil)}`)}</span></li>`).join('')}</ul>`;
}

export function renderSupplierPage(overview: SupplierOverview, signedInAs: string): string {
  const rows = overview.councils;
  const stale = rows.filter((r) => r.stale).length;
  const awaiting = rows.reduce((n, r) => n + r.plansAwaitingApproval.length, 0);
  const open = rows.reduce((n, r) => n + r.surrenders.length, 0);
  const body = rows.map((c) => `<tr><th scope="row"><a href="reports/latest?council=${encodeURIComponent(c.tenantId)}">${esc(c.council)}</a><br><span class="small">Tenant ${esc(c.tenantId)}</span></th>`
    + `<td>${lastAudit(c, overview.staleAfterHours)}</td>`
    + `<td class="n${c.counts.high ? ' hi' : ''}">${c.counts.high}</td><td class="n">${c.counts.medium}</td><td class="n">${c.counts.low}</td>`
    + `<td>${sparkline(c.trend, `${c.council}: high findings per run`)}</td>`
    + `<td>${surrenders(c.surrenders)}</td><td>${plans(c.plansAwaitingApproval)}</td></tr>`).join('\n');
  return `${pageHead('CouncilGuard: your councils', CSS)}
<body><header><h1>Your councils</h1>
<p>${esc(`${plural(rows.length, 'council')}; ${plural(stale, 'stale or missing audit')}; ${plural(awaiting, 'plan')} awaiting approval; ${plural(open, 'surrender')} not finished.`)}</p>
<p class="small">${esc(`As of ${ukDateTime(overview.generatedAt)}, signed in as ${signedInAs}. Worst first: most high findings, then medium, then a stale or missing audit, then low.`)}</p></header>
<main><h2>Councils</h2>
${rows.length ? `<table><caption class="small">One row per council you may see, from its latest audit. The line shows high findings over recent runs, oldest left.</caption>
<thead><tr><th scope="col">Council</th><th scope="col">Last audit (UK time)</th><th scope="col">High</th><th scope="col">Medium</th><th scope="col">Low</th><th scope="col">High findings, recent runs</th><th scope="col">Surrenders in progress</th><th scope="col">Plans awaiting approval</th></tr></thead>
<tbody>
${body}
</tbody></table>` : '<p>Your account speaks for no council in this CouncilGuard\'s config; ask whoever runs it to add your account to the council\'s itSupplier.accounts.</p>'}</main>
<footer><p class="small">The reports hold personal data about council members and staff; keep this page within your organisation.</p></footer>
</body></html>
`;
}
