// report.html: one self-contained page (no scripts, fonts, images or CDNs; a strict CSP), readable
// offline and printable, in the council's own clause numbers.
import type { CheckResultSummary, Finding, FindingsDocument, SkipReason } from '../checks/types';
import type { PolicyProfile } from '../policy/profile';
import { lineChart, stackedBars, SEVERITY_COLOURS } from './charts';
import { esc, safeHref } from './escape';
import { ukDate, ukDateTime } from './uk-time';

export interface ReportContext {
  profile: PolicyProfile;
  clauseOverrides?: Record<string, string>;
  history: { generatedAt: string; high: number; medium: number; low: number; info: number }[];
}

const SEVERITIES = ['high', 'medium', 'low', 'info'] as const;
const STATUS_WORDS: Record<string, string> = { pass: 'Passed', fail: 'Breaches found', warn: 'Points to review', skipped: 'Skipped', error: 'Could not run' };
const EVIDENCE_LIST_CAP = 10;

export function skipReasonInWords(r: SkipReason): string {
  switch (r.code) {
    case 'not-licensed': return `Skipped: the tenant's licences do not include this (${r.detail}).`;
    case 'missing-permission': return `Skipped: CouncilGuard's app registration lacks a permission (${r.detail}); an administrator can grant it.`;
    case 'not-connected': return `Skipped: the Exchange Online admin connection is not set up (${r.detail}).`;
    case 'disabled-by-policy': return `Skipped: ${r.detail}.`;
  }
}

const CSS = `body{font-family:system-ui,-apple-system,"Segoe UI",Arial,sans-serif;margin:0 auto;max-width:60rem;padding:1rem 1.25rem;color:#1b1b1b;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:2px solid #ccc}h3{font-size:1.05rem;margin:.2rem 0}
.meta{color:#3d3d3d}.headline{display:flex;gap:.75rem;flex-wrap:wrap;padding:0;list-style:none}.headline li{border:2px solid #555;border-radius:6px;padding:.4rem .8rem;font-weight:600}
.sev{display:inline-block;padding:0 .4rem;border-radius:4px;color:#fff;font-size:.85rem;font-weight:700}.high{background:${SEVERITY_COLOURS.high}}.medium{background:${SEVERITY_COLOURS.medium}}.low{background:${SEVERITY_COLOURS.low}}.info{background:${SEVERITY_COLOURS.info}}
.check{border:1px solid #bbb;border-radius:6px;padding:.6rem .9rem;margin:1rem 0;break-inside:avoid}.status{font-weight:700}
.finding{border-top:1px solid #ddd;padding:.5rem 0}dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .8rem;margin:.3rem 0;font-size:.92rem}dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}
table{border-collapse:collapse;font-size:.9rem}th,td{border:1px solid #bbb;padding:.2rem .5rem;text-align:left}
svg text{font-family:inherit}svg .lbl{font-size:12px;text-anchor:end;fill:#1b1b1b}svg .seg{font-size:11px;text-anchor:middle;fill:#fff;font-weight:700}svg .tot,svg .leg,svg .ax{font-size:11px;fill:#1b1b1b}
details{margin:.4rem 0}.state-new{font-weight:700}
@media print{body{max-width:none}details{display:block}details>summary{list-style:none}.check{page-break-inside:avoid}}`;

export function renderReportHtml(doc: FindingsDocument, ctx: ReportContext): string {
  const count = (sev: string) => doc.findings.filter((f) => f.severity === sev).length;
  const fresh = doc.findings.filter((f) => f.state === 'new').length;
  const clause = (key: string) => {
    const c = ctx.profile.clauses[key];
    return { number: ctx.clauseOverrides?.[key] ?? c?.number ?? key, summary: c?.summary ?? '' };
  };
  const byCheck = new Map<string, Finding[]>();
  for (const f of doc.findings) byCheck.set(f.checkId, [...(byCheck.get(f.checkId) ?? []), f]);

  const chartRows = doc.checks.map((c) => ({ label: c.title, values: Object.fromEntries(SEVERITIES.map((s) => [s, (byCheck.get(c.id) ?? []).filter((f) => f.severity === s).length])) }));
  const history = [...ctx.history.filter((h) => h.generatedAt !== doc.generatedAt), { generatedAt: doc.generatedAt, high: count('high'), medium: count('medium'), low: count('low'), info: count('info') }]
    .sort((a, b) => a.generatedAt.localeCompare(b.generatedAt)).slice(-30);
  const mfa = doc.metrics?.mfa;

  return `<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${esc(doc.council)} — IT policy audit, ${esc(ukDate(doc.generatedAt))}</title>
<style>${CSS}</style></head>
<body>
<header>
<h1>${esc(doc.council)}: IT policy audit</h1>
<p class="meta">${esc(ukDateTime(doc.generatedAt))} · Policy: ${esc(ctx.profile.title)} · Tenant ${esc(doc.tenantId)} · CouncilGuard ${esc(doc.tool.version)}</p>
</header>
<main>
<section aria-labelledby="h-headline"><h2 id="h-headline">At a glance</h2>
<ul class="headline"><li>${count('high')} high</li><li>${count('medium')} medium</li><li>${count('low')} low</li><li>${fresh} new since last night</li><li>${doc.resolved.length} resolved</li></ul>
${doc.findings.length ? '' : '<p><strong>No findings: the tenant meets every check that ran.</strong></p>'}
</section>
<section aria-labelledby="h-charts"><h2 id="h-charts">Findings by check and severity</h2>
${stackedBars('Findings by check and severity', chartRows, [...SEVERITIES])}
<details><summary>The same as a table</summary>${table(['Check', ...SEVERITIES], chartRows.map((r) => [r.label, ...SEVERITIES.map((s) => String(r.values[s]))]))}</details>
<h2 id="h-trend">The last ${history.length} night${history.length === 1 ? '' : 's'}</h2>
${lineChart('High and medium findings per night', history.map((h) => ukDate(h.generatedAt)), [
    { name: 'high', values: history.map((h) => h.high), colour: SEVERITY_COLOURS.high },
    { name: 'medium', values: history.map((h) => h.medium), colour: SEVERITY_COLOURS.medium, dash: '5 3' },
  ])}
<details><summary>The same as a table</summary>${table(['Night', 'High', 'Medium', 'Low'], history.map((h) => [ukDate(h.generatedAt), String(h.high), String(h.medium), String(h.low)]))}</details>
${mfa ? `<h2 id="h-mfa">Multi-factor authentication coverage</h2>
${stackedBars('People in scope by MFA state', [{ label: 'People in scope', values: { high: mfa.neither ?? 0, medium: (mfa.registered ?? 0) - (mfa.registeredAndEnforced ?? 0), low: (mfa.enforced ?? 0) - (mfa.registeredAndEnforced ?? 0), info: mfa.registeredAndEnforced ?? 0 } }], ['high', 'medium', 'low', 'info'], { high: 'neither', medium: 'registered only', low: 'enforced only', info: 'registered and enforced' })}
<p>Neither registered nor enforced: ${mfa.neither ?? 0} · registered only: ${(mfa.registered ?? 0) - (mfa.registeredAndEnforced ?? 0)} · enforced only: ${(mfa.enforced ?? 0) - (mfa.registeredAndEnforced ?? 0)} · both: ${mfa.registeredAndEnforced ?? 0}.</p>` : ''}
</section>
<section aria-labelledby="h-checks"><h2 id="h-checks">Each check</h2>
${doc.checks.map((c) => renderCheck(c, byCheck.get(c.id) ?? [], clause, ctx)).join('\n')}
</section>
${doc.resolved.length ? `<section aria-labelledby="h-resolved"><h2 id="h-resolved">Resolved since last night</h2><ul>${doc.resolved.map((r) => `<li>${esc(r.subject.name)} — ${esc(r.checkId)}</li>`).join('')}</ul></section>` : ''}
</main>
<footer><p class="meta">This report holds personal data about council members and staff. Keep it within the council and its IT supplier.</p></footer>
</body></html>
`;
}

function renderCheck(c: CheckResultSummary, findings: Finding[], clause: (k: string) => { number: string; summary: string }, ctx: ReportContext): string {
  const clauses = c.clauses.map((k) => { const cl = clause(k); return `<li>Clause ${esc(cl.number)} — ${esc(cl.summary)}</li>`; }).join('');
  const status = c.status === 'skipped' && c.skipReason ? skipReasonInWords(c.skipReason) : c.status === 'error' ? `Could not run: ${c.error ?? 'unknown error'}` : STATUS_WORDS[c.status];
  const partial = (c.partialSkips ?? []).map((p) => `<li>${esc(p.part)}: ${esc(skipReasonInWords(p.reason))}</li>`).join('');
  const passwords = c.id === 'identity.password-policy' ? `<p><strong>Passwords and the NCSC:</strong> ${esc(ctx.profile.passwords.explanation)}</p>` : '';
  return `<article class="check" id="${esc(c.id)}"><h3>${esc(c.title)}</h3>
<p class="status">${esc(status)} (${findings.length} finding${findings.length === 1 ? '' : 's'})</p>
${clauses ? `<ul>${clauses}</ul>` : ''}${partial ? `<p>Parts not checked:</p><ul>${partial}</ul>` : ''}${passwords}
${findings.map((f) => renderFinding(f, clause)).join('')}
</article>`;
}

function renderFinding(f: Finding, clause: (k: string) => { number: string; summary: string }): string {
  const why = f.clauses.map((k) => `clause ${esc(clause(k).number)}`).join(', ');
  return `<div class="finding"><p><span class="sev ${esc(f.severity)}">${esc(f.severity)}</span> <span class="state-${esc(f.state)}">${f.state === 'new' ? 'New' : `Since ${esc(ukDate(f.firstSeen))}`}</span> — <strong>${esc(f.subject.name)}</strong>${f.subject.userPrincipalName ? ` (${esc(f.subject.userPrincipalName)})` : ''}</p>
<p>${esc(f.summary)}</p><p><em>Breaks ${why}.</em> <strong>How to fix:</strong> ${esc(f.remediation)}</p>
${evidence(f.evidence)}</div>`;
}

function evidence(e: Record<string, unknown>): string {
  const rows = Object.entries(e).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => {
    let value: string;
    if (Array.isArray(v)) value = v.slice(0, EVIDENCE_LIST_CAP).map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join('; ') + (v.length > EVIDENCE_LIST_CAP ? ` … and ${v.length - EVIDENCE_LIST_CAP} more` : '');
    else if (typeof v === 'object') value = JSON.stringify(v);
    else value = String(v);
    const href = typeof v === 'string' ? safeHref(v) : undefined;
    return `<dt>${esc(k)}</dt><dd>${href ? `<a href="${esc(href)}" rel="noreferrer">${esc(value.slice(0, 300))}</a>` : esc(value.slice(0, 600))}</dd>`;
  }).join('');
  return rows ? `<dl>${rows}</dl>` : '';
}

function table(head: string[], rows: string[][]): string {
  return `<table><thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}
