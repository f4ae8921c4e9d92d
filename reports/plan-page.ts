// An enforcement plan's page (GET /api/plans/{id}/page): each action with its finding, clause, the state
// before → after, and the call that undoes it, a tick box per action (all ticked) and, for an
// Enforcement.Approve holder while the plan awaits approval, an Approve button. The page's one small
// script (allowed by its SHA-256, nothing else runs) sends a same-origin JSON POST to …/approve with the
// plan's version as shown and the actions left unticked. Every string from the plan passes through esc().
import { esc } from './escape';
import { cspFor, pageHead } from './page-head';
import { ukDateTime } from '../core/uk-time';
import { plural } from './words';

/** The plan as the page needs it (enforce/types.ts EnforcementPlan has this shape). */
export interface PlanForPage {
  id: string;
  council: string;
  createdAt: string;
  createdBy: string;
  validUntil: string;
  basedOnRun: string;
  notes: string[];
  actions: {
    id: string;
    remediation: string;
    findingIds: string[];
    clauses: string[];
    target: { name: string };
    description: string;
    call: PlanCall;
    before: Record<string, unknown>;
    after: Record<string, unknown>;
    undo: { description: string; call: PlanCall };
  }[];
}

type PlanCall = { api: 'graph'; method: string; path: string; version?: string } | { api: 'exchange'; cmdlet: string };

/** The plan's status as the page needs it (enforce/types.ts PlanStatus has this shape). */
export interface PlanStatusForPage {
  state: string;
  approvedBy?: string;
  approvedAt?: string;
  deselected?: { actionIds: string[]; by: string; at: string };
  results: Record<string, { status: string; reason?: string }>;
}

const CSS = `*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Arial,sans-serif;margin:1rem auto;max-width:80rem;padding:0 1rem 2rem;color:#1b1b1b;background:#fff;line-height:1.4}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:1.6rem}
.meta{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem}.meta dt{font-weight:600}.meta dd{margin:0}
table{border-collapse:collapse;width:100%;font-size:.92rem}th,td{border:1px solid #999;padding:.35rem .5rem;text-align:left;vertical-align:top}thead th{background:#f0f0f0}
code{font-family:ui-monospace,Consolas,monospace;font-size:.85rem;word-break:break-all}
input[type=checkbox]{width:1.3rem;height:1.3rem}label{font-weight:600}
button{font:inherit;font-weight:700;color:#fff;background:#0b4f9c;border:2px solid #0b4f9c;border-radius:4px;padding:.45rem 1rem;cursor:pointer;margin-top:.8rem}
button:disabled{background:#595959;border-color:#595959}
a{color:#0b4f9c}
a:focus-visible,input:focus-visible,button:focus-visible{outline:3px solid #1b1b1b;outline-offset:3px}
.notice{border-left:4px solid #595959;padding:.3rem .7rem;background:#f3f3f3}
.left{color:#9a4f00;font-weight:700}.small{font-size:.88rem;color:#3d3d3d}
#approve-result{font-weight:700;margin-top:.6rem}`;

// Kept small and static so its hash in the CSP never changes. It reads the plan's version and the
// approve address from the form, and sends the unticked actions as "deselected".
const SCRIPT = `(function(){
var form=document.getElementById('approve-form');if(!form)return;
var out=document.getElementById('approve-result');var button=form.querySelector('button');
form.addEventListener('submit',function(e){e.preventDefault();
var boxes=Array.prototype.slice.call(form.querySelectorAll('input[name=action]'));
var deselected=boxes.filter(function(b){return !b.checked;}).map(function(b){return b.value;});
button.disabled=true;out.textContent='Approving and applying the ticked actions\\u2026';
fetch(form.getAttribute('data-approve'),{method:'POST',credentials:'same-origin',headers:{'Content-Type':'application/json'},body:JSON.stringify({planVersion:form.getAttribute('data-version'),deselected:deselected})})
.then(function(r){return r.json().catch(function(){return {};}).then(function(b){return {r:r,b:b};});})
.then(function(x){if(x.r.ok){var rs=x.b.results||[];out.textContent='Approved. '+rs.map(function(a){return a.actionId+': '+a.status;}).join('; ')+'. Reload the page to see the plan as recorded.';boxes.forEach(function(b){b.disabled=true;});}
else{out.textContent=(x.b&&x.b.error)||('The approval was refused ('+x.r.status+').');button.disabled=false;}})
.catch(function(err){out.textContent='The approval could not be sent: '+err.message;button.disabled=false;});});
})();`;

/** The page's Content-Security-Policy: its stylesheet and script by hash, fetch to its own origin only, no framing. */
export function planPageCsp(): string {
  return `${cspFor(CSS, SCRIPT, { connectSelf: true })}; frame-ancestors 'none'`;
}

const callWords = (c: PlanCall) => (c.api === 'graph' ? `${c.method} /${c.version ?? 'v1.0'}${c.path}` : `Exchange ${c.cmdlet}`);
const state = (v: Record<string, unknown>) => Object.entries(v).map(([k, x]) => `${k}: ${JSON.stringify(x)}`).join(', ') || '–';
const STATE_WORDS: Record<string, string> = { 'awaiting-approval': 'Awaiting approval', approved: 'Approved, being applied', applied: 'Applied' };

export function renderPlanPage(plan: PlanForPage, status: PlanStatusForPage | undefined, version: string | undefined, opts: { canApprove: boolean; now: Date }): string {
  const expired = Date.parse(plan.validUntil) < opts.now.getTime();
  const awaiting = status?.state === 'awaiting-approval';
  const approvable = awaiting && !expired && opts.canApprove && !!version;
  const left = new Set(status?.deselected?.actionIds ?? []);
  const rows = plan.actions.map((a, i) => {
    const box = `box-${i + 1}`;
    const choose = awaiting
      ? `<input type="checkbox" id="${box}" name="action" value="${esc(a.id)}" checked${approvable ? '' : ' disabled'}> <label for="${box}">Apply ${esc(a.id)}</label>`
      : left.has(a.id) ? `<span class="left">Left out</span> ${esc(a.id)}` : esc(a.id);
    const result = status?.results[a.id];
    return `<tr><td>${choose}</td><td>${esc(a.description)}<br><span class="small">${esc(a.target.name)}</span>${result ? `<br><b>Result:</b> ${esc(result.status)}${result.reason ? ` (${esc(result.reason)})` : ''}` : ''}</td>`
      + `<td>${esc(a.findingIds.join(', '))}</td><td>${esc(a.clauses.join(', ') || '–')}</td>`
      + `<td><code>${esc(state(a.before))}</code> → <code>${esc(state(a.after))}</code><br><span class="small">Call: <code>${esc(callWords(a.call))}</code></span></td>`
      + `<td>${esc(a.undo.description)}<br><span class="small">Call: <code>${esc(callWords(a.undo.call))}</code></span></td></tr>`;
  }).join('\n');
  const table = `<table><caption class="small">${esc(`${plural(plan.actions.length, 'action')}. Untick an action to leave it out: it is recorded as left out and never applied from this plan.`)}</caption>
<thead><tr><th scope="col">Action</th><th scope="col">What it does</th><th scope="col">Finding</th><th scope="col">Clause</th><th scope="col">Before → after</th><th scope="col">Undo</th></tr></thead>
<tbody>
${rows}
</tbody></table>`;
  const why = !awaiting ? '' : expired ? `<p class="notice">This plan expired at ${esc(ukDateTime(plan.validUntil))} and can no longer be approved; the next nightly audit makes a new one.</p>`
    : !opts.canApprove ? '<p class="notice">You can read this plan; approving it needs the app role Enforcement.Approve.</p>' : '';
  const actions = approvable
    ? `<form id="approve-form" data-approve="approve" data-version="${esc(version)}">
${table}
<button type="submit">Approve and apply the ticked actions</button>
<p id="approve-result" role="status" aria-live="polite"></p>
</form>`
    : table;
  const approval = status?.approvedBy
    ? `<dt>Approved by</dt><dd>${esc(status.approvedBy)}${status.approvedAt ? `, ${esc(ukDateTime(status.approvedAt))}` : ''}</dd>`
      + (status.deselected ? `<dt>Left out</dt><dd>${esc(`${status.deselected.actionIds.join(', ')} (by ${status.deselected.by}, ${ukDateTime(status.deselected.at)})`)}</dd>` : '')
    : '';
  return `${pageHead(`CouncilGuard: plan ${plan.id}`, CSS, SCRIPT, { connectSelf: true })}
<body><header><h1>Enforcement plan for ${esc(plan.council)}</h1>
<dl class="meta"><dt>Plan</dt><dd>${esc(plan.id)}</dd><dt>State</dt><dd>${esc(STATE_WORDS[status?.state ?? ''] ?? 'Unknown')}${expired && awaiting ? ' (expired)' : ''}</dd>
<dt>Made</dt><dd>${esc(`${ukDateTime(plan.createdAt)} by ${plan.createdBy}, from the audit of ${ukDateTime(plan.basedOnRun)}`)}</dd>
<dt>Valid until</dt><dd>${esc(ukDateTime(plan.validUntil))}</dd>${approval}</dl></header>
<main><h2>Actions</h2>
${why}
${actions}
${plan.notes.length ? `<h2>Notes</h2><ul>${plan.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
</main>
<footer><p class="small"><a href="../../supplier">Back to your councils</a></p></footer>
<script>${SCRIPT}</script>
</body></html>
`;
}
