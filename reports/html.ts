// report.html: one self-contained page (no scripts, fonts, images or CDNs; a CSP that allows only its own
// stylesheet by hash), readable offline, printable, in the council's own clause numbers. Every string from
// the findings document passes through esc(); the only links built from data are validated https: URLs
// and in-page fragments made from sanitised ids.
import { DateTime } from 'luxon';
import type { CheckId, CheckResultSummary, Finding, FindingsDocument } from '../core/findings';
import type { PolicyProfile } from '../policy/profile';
import { barChart, lineChart, SEVERITY_KEYS, stackedBarChart, type ChartKey, type StackedRow } from './charts';
import { anchorId, esc, safeHttpsUrl } from './escape';
import { pageHead } from './page-head';
import { ukDate, ukDateTime, ukDayMonth } from '../core/uk-time';
import { clauseResolver, plural, SEVERITY_WORDS, skipReasonInWords, statusInWords, type ClauseRef } from './words';
import { SEVERITIES, SEVERITY_RANK } from '../core/severity';

export interface NightTotals {
  generatedAt: string;
  high: number;
  medium: number;
  low: number;
  info: number;
}

export interface ReportContext {
  profile: PolicyProfile;
  /** The council's own clause numbers where its copy of the policy is numbered differently. */
  clauseOverrides?: Record<string, string>;
  /** Earlier nights' totals, any order; tonight is added from the document. The chart shows up to 30 nights. */
  history: NightTotals[];
  /** e.g. 'CouncilGuard 0.1.0 for Example IT Ltd'; defaults to the document's tool name and version. */
  generatedBy?: string;
  /** Recent entries of the action log (changes made, mailbox content read), newest last. */
  actions?: { at: string; actor: string; action: string; target: string; result: string }[];
  /** Tonight's enforcement plan awaiting the IT supplier's approval, if one was made. */
  planAwaiting?: PlanAwaitingLink;
}

/** A plan awaiting approval as reports name it: a link when the app's public address is known, else its id and path. */
export interface PlanAwaitingLink {
  id: string;
  actions: number;
  validUntil: string;
  /** The plan page's path on the function app, e.g. /api/plans/{id}/page. */
  path: string;
  /** https URL of the plan page, when the app's public address is configured. */
  url?: string;
}

const ACTION_ROWS = 50;

const TREND_NIGHTS = 30;
const EVIDENCE_ITEMS = 10;
const EVIDENCE_KEYS = 12;
const EVIDENCE_TEXT = 300;
const URGENT_ITEMS = 5;
const RESOLVED_ROWS = 500;
// Bytes the findings may take in all; each finding's share caps its text and evidence (5 MB page limit).
const FINDINGS_BYTES = 4_000_000;

const CSS = `*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Arial,sans-serif;margin:0 auto;max-width:62rem;padding:1rem 1.25rem 3rem;color:#1b1b1b;background:#fff;line-height:1.45}
h1{font-size:1.7rem;margin:.5rem 0 .3rem}h2{font-size:1.3rem;margin:2.2rem 0 .6rem;padding-bottom:.2rem;border-bottom:2px solid #767676}h3{font-size:1.1rem;margin:.2rem 0 .4rem}
a{color:#0b4f9c}a:focus{outline:3px solid #0b4f9c;outline-offset:2px}
.meta{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem;margin:.4rem 0}.meta dt{font-weight:600}.meta dd{margin:0}
.notice{border-left:4px solid #767676;padding:.3rem .7rem;background:#f3f3f3}
.tiles{display:flex;flex-wrap:wrap;gap:.6rem;list-style:none;padding:0;margin:.6rem 0}.tiles li{border:2px solid #555;border-radius:6px;padding:.35rem .8rem;min-width:7.5rem}.tiles b{display:block;font-size:1.6rem;line-height:1.1}
.tiles .high{border-color:#b3261e;border-width:3px}.ok{font-size:1.1rem;font-weight:700;color:#1d6b3a}
table{border-collapse:collapse;margin:.4rem 0;font-size:.92rem}th,td{border:1px solid #999;padding:.25rem .55rem;text-align:left;vertical-align:top}th{background:#f0f0f0}td.n{text-align:right;font-variant-numeric:tabular-nums}
.chart{max-width:760px;height:auto;display:block;margin:.4rem 0}figure{margin:0}figcaption{font-size:.92rem}
details{margin:.3rem 0 1rem}summary{cursor:pointer;color:#0b4f9c}
.check{border:1px solid #999;border-radius:6px;padding:.7rem 1rem;margin:1.2rem 0}
.status{font-weight:700;margin:.2rem 0}.s-fail{color:#b3261e}.s-warn{color:#9a4f00}.s-pass{color:#1d6b3a}.s-skipped,.s-error{color:#3d3d3d}
.clauses{margin:.3rem 0;padding-left:1.2rem}.note{background:#f3f3f3;padding:.4rem .7rem;border-radius:4px}
.f{border-top:1px solid #ccc;padding:.55rem 0}.f p{margin:.15rem 0}
.sev{display:inline-block;min-width:4.2rem;text-align:center;padding:0 .4rem;border-radius:4px;color:#fff;font-size:.85rem;font-weight:700;-webkit-print-color-adjust:exact;print-color-adjust:exact}
.sev.high{background:#b3261e}.sev.medium{background:#9a4f00}.sev.low{background:#4a5a8a}.sev.info{background:#595959}
.st{font-size:.88rem;border:1px solid #767676;border-radius:4px;padding:0 .35rem}.st.new{font-weight:700;border-color:#1b1b1b}
.ty{color:#3d3d3d;font-size:.88rem}
.ev{display:grid;grid-template-columns:max-content 1fr;gap:.05rem .8rem;margin:.3rem 0 0;font-size:.88rem}.ev dt{font-weight:600;color:#3d3d3d}.ev dd{margin:0;overflow-wrap:anywhere}.ev ul{margin:0;padding-left:1.1rem}
@media print{body{max-width:none;padding:0;font-size:10.5pt}h2{break-after:avoid}.check h3{break-after:avoid}.f{break-inside:avoid}details>summary{display:none}a{color:#1b1b1b;text-decoration:none}.f a[href^="https:"]::after{content:" (" attr(href) ")";font-size:.85em}.tiles li{border-width:1px}}
@page{margin:14mm}`;


const SUBJECT_WORDS: Record<Finding['subject']['type'], string> = { user: 'Person', mailbox: 'Mailbox', file: 'File', site: 'Site', tenant: 'Tenant', device: 'Device' };

// Enum values are checked, not trusted: a document that skipped validation must not inject markup.
const sevWord = (s: string) => esc(SEVERITY_WORDS[s as Finding['severity']] ?? s);
const sevClass = (s: string) => (s in SEVERITY_WORDS ? s : 'info');
const STATUS_SHORT: Record<string, string> = { pass: 'Passed', fail: 'Failed', warn: 'Needs a look', skipped: 'Skipped', error: 'Could not run' };
const statusShort = (s: string) => esc(STATUS_SHORT[s] ?? s);

function byWorst(a: Finding, b: Finding): number {
  return SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || (a.state === b.state ? 0 : a.state === 'new' ? -1 : 1) || a.subject.name.localeCompare(b.subject.name);
}

function table(head: string[], rows: string[][], numeric: number[] = []): string {
  const cell = (c: string, i: number) => (numeric.includes(i) ? `<td class="n">${esc(c)}</td>` : `<td>${esc(c)}</td>`);
  return `<table><thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('')}</tbody></table>`;
}

function asTable(summaryText: string, tableHtml: string): string {
  return `<details><summary>${esc(summaryText)}</summary>${tableHtml}</details>`;
}

/** Tonight plus up to 29 earlier nights, oldest first; unreadable dates are left out rather than guessed. */
function trendNights(doc: FindingsDocument, history: NightTotals[], tonight: NightTotals): NightTotals[] {
  const ms = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' }).toMillis();
  const tonightMs = ms(doc.generatedAt);
  const earlier = history.filter((h) => Number.isFinite(ms(h.generatedAt)) && ms(h.generatedAt) !== tonightMs);
  return [...earlier, tonight].sort((a, b) => ms(a.generatedAt) - ms(b.generatedAt)).slice(-TREND_NIGHTS);
}

function humanKey(key: string): string {
  const words = key.replace(/[_-]+/g, ' ').replace(/([a-z0-9])([A-Z])/g, '$1 $2').trim().toLowerCase();
  return words ? words[0].toUpperCase() + words.slice(1) : key;
}

function clip(text: string, max = EVIDENCE_TEXT): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/**
 * One evidence value as HTML in about `room` characters: dates in UK time, https links validated,
 * lists cut to the examples that fit (never more than 10), everything else escaped text.
 */
function evidenceValue(v: unknown, room: number): string {
  const textMax = Math.max(60, Math.min(EVIDENCE_TEXT, room));
  if (typeof v === 'string') {
    const href = safeHttpsUrl(v);
    if (href && href.length <= room) return `<a href="${esc(href)}" rel="noreferrer noopener">${esc(clip(v, Math.min(120, textMax)))}</a>`;
    return esc(ISO_DATE_TIME.test(v) ? ukDateTime(v) : clip(v, textMax));
  }
  if (typeof v === 'number' || typeof v === 'boolean') return typeof v === 'boolean' ? (v ? 'yes' : 'no') : esc(String(v));
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) {
    if (!v.length) return 'none';
    const items: string[] = [];
    let used = 0;
    for (const x of v.slice(0, EVIDENCE_ITEMS)) {
      const item = `<li>${evidenceValue(x, room - used)}</li>`;
      if (items.length && used + item.length > room) break;
      items.push(item);
      used += item.length;
    }
    const more = v.length - items.length;
    return `<ul>${items.join('')}${more ? `<li>… and ${more} more</li>` : ''}</ul>`;
  }
  let json: string;
  try {
    json = JSON.stringify(v) ?? '';
  } catch {
    json = '[unreadable]';
  }
  return esc(clip(json, textMax));
}

/** Evidence as a definition list in about `budget` characters; what does not fit is in findings.json. */
function evidenceList(evidence: Record<string, unknown>, budget: number): string {
  const entries = Object.entries(evidence ?? {}).filter(([, v]) => v !== undefined && v !== null && v !== '');
  if (!entries.length) return '';
  const rows: string[] = [];
  let used = 0;
  for (const [k, v] of entries.slice(0, EVIDENCE_KEYS)) {
    const room = budget - used;
    if (rows.length && room < 60) break;
    const row = `<dt>${esc(clip(humanKey(k), 60))}</dt><dd>${evidenceValue(v, room)}</dd>`;
    rows.push(row);
    used += row.length;
  }
  const omitted = entries.length - rows.length;
  const more = omitted ? `<dt>More</dt><dd>${plural(omitted, 'further detail')} in findings.json</dd>` : '';
  return `<dl class="ev">${rows.join('')}${more}</dl>`;
}

function stateWords(f: Finding): string {
  return f.state === 'new' ? '<span class="st new">New tonight</span>' : `<span class="st">Open since ${esc(ukDate(f.firstSeen))}</span>`;
}

/** How much of the page each finding may take, so a tenant with thousands of findings stays under 5 MB. */
interface Budget {
  name: number;
  text: number;
  /** 0: evidence is left to findings.json. */
  evidence: number;
}

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, Math.floor(v)));

/** Level 0 shares FINDINGS_BYTES between the findings; each further level halves the share. */
function budgetFor(findingCount: number, level: number): Budget {
  const share = FINDINGS_BYTES / Math.max(1, findingCount) / 2 ** level;
  return { name: clamp(share / 8, 60, 300), text: clamp(share / 4, 100, 2000), evidence: level >= 2 ? 0 : clamp(share - 450, 150, 4000) };
}

function renderFinding(f: Finding, clause: (k: string) => ClauseRef, checkClauses: Set<string>, budget: Budget): string {
  const upn = f.subject.userPrincipalName && f.subject.userPrincipalName !== f.subject.name ? ` <span class="ty">${esc(clip(f.subject.userPrincipalName, budget.name))}</span>` : '';
  // The check lists its clauses with their summaries once; a finding repeats only those it adds.
  const breaks = [...new Set(f.clauses)].map((k) => {
    const c = clause(k);
    return checkClauses.has(k) ? esc(c.label) : `${esc(c.label)} (${esc(c.summary)})`;
  }).join('; ');
  return `<div class="f" id="${anchorId('f', f.id)}"><p><span class="sev ${sevClass(f.severity)}">${sevWord(f.severity)}</span> ${stateWords(f)} <span class="ty">${SUBJECT_WORDS[f.subject.type] ?? 'Subject'}:</span> <b>${esc(clip(f.subject.name, budget.name))}</b>${upn}</p>
<p>${esc(clip(f.summary, budget.text))}</p>${breaks ? `<p><b>Breaks:</b> ${breaks}</p>` : ''}<p><b>How to fix:</b> ${esc(clip(f.remediation, budget.text))}</p>${budget.evidence ? evidenceList(f.evidence, budget.evidence) : ''}</div>`;
}

type CheckSection = Pick<CheckResultSummary, 'id' | 'title' | 'status' | 'skipReason' | 'error' | 'partialSkips' | 'clauses'>;

/** One check's section a piece at a time (its head, then each finding, then its end); joined, the section's HTML. */
function* checkPieces(c: CheckSection, findings: Finding[], clause: (k: string) => ClauseRef, profile: PolicyProfile, budget: Budget): Generator<string> {
  const clauses = [...new Set(c.clauses)];
  const clauseList = clauses.length
    ? `<ul class="clauses">${clauses.map((k) => { const cl = clause(k); return `<li><b>${esc(cl.label)}</b> — ${esc(cl.summary)}</li>`; }).join('')}</ul>`
    : '';
  const partial = c.partialSkips?.length
    ? `<p>Parts not checked tonight:</p><ul>${c.partialSkips.map((p) => `<li>${esc(humanKey(p.part))}: ${esc(skipReasonInWords(p.reason))}</li>`).join('')}</ul>`
    : '';
  const passwords = c.id === 'identity.password-policy' ? `<p class="note"><b>About passwords:</b> ${esc(profile.passwords.explanation)}</p>` : '';
  const fresh = findings.filter((f) => f.state === 'new').length;
  const counts = findings.length ? ` ${plural(findings.length, 'finding')}${fresh ? `, ${fresh} new` : ''}.` : '';
  const sorted = [...findings].sort(byWorst);
  const checkClauses = new Set(clauses);
  yield `<section class="check" id="${anchorId('check', c.id)}" aria-labelledby="${anchorId('check', c.id)}-h"><h3 id="${anchorId('check', c.id)}-h">${esc(c.title)}</h3>
<p class="status s-${c.status in STATUS_SHORT ? c.status : 'error'}">${esc(statusInWords(c))}${esc(counts)}</p>
${clauseList}${partial}${passwords}
`;
  for (const [i, f] of sorted.entries()) yield `${i ? '\n' : ''}${renderFinding(f, clause, checkClauses, budget)}`;
  yield '\n</section>';
}

/** Every check's section, a piece at a time, the sections one line apart. */
function* checksPieces(sections: CheckSection[], byCheck: Map<string, Finding[]>, clause: (k: string) => ClauseRef, profile: PolicyProfile, budget: Budget): Generator<string> {
  for (const [i, c] of sections.entries()) {
    if (i) yield '\n';
    yield* checkPieces(c, byCheck.get(c.id) ?? [], clause, profile, budget);
  }
}

/**
 * Every check with its findings, at the most detail that fits FINDINGS_BYTES: measured, not estimated,
 * because escaping can multiply the length of hostile text. Each level is measured a finding at a time
 * and only the chosen one kept: with tens of thousands of findings, holding every level's text whole
 * took hundreds of MB of heap.
 */
function checksSection(sections: CheckSection[], byCheck: Map<string, Finding[]>, clause: (k: string) => ClauseRef, profile: PolicyProfile, findingCount: number): string {
  let level = 0;
  for (; level <= 2; level++) {
    let bytes = 0;
    for (const piece of checksPieces(sections, byCheck, clause, profile, budgetFor(findingCount, level))) bytes += Buffer.byteLength(piece, 'utf8');
    if (bytes <= FINDINGS_BYTES) break;
  }
  // Nothing fits: the most shortened level (2) is shown, and `level` (3) says so in the note.
  const html = [...checksPieces(sections, byCheck, clause, profile, budgetFor(findingCount, Math.min(level, 2)))].join('');
  const full = budgetFor(findingCount, 0).evidence >= 4000 && level === 0;
  const note = full ? '' : `<p class="note">With ${findingCount} findings, long text and evidence are shortened here${level >= 2 ? ' and evidence left out' : ''} to keep this page small; findings.json and findings.csv hold all of it.</p>`;
  return `<section aria-labelledby="h-checks"><h2 id="h-checks">Each check</h2>
${note}${html}
</section>`;
}

const MFA_KEYS: Record<'registered' | 'enforced' | 'both' | 'neither', ChartKey> = {
  registered: { key: 'registered', label: 'Registered', colour: '#1d6b3a', fill: 'solid' },
  enforced: { key: 'enforced', label: 'Enforced', colour: '#4a5a8a', fill: 'dots' },
  both: { key: 'both', label: 'Both', colour: '#1d6b3a', fill: 'stripes' },
  neither: { key: 'neither', label: 'Neither', colour: '#b3261e', fill: 'cross' },
};

function mfaSection(mfa: NonNullable<NonNullable<FindingsDocument['metrics']>['mfa']>): string {
  const rows = [
    { label: 'Registered an MFA method', value: mfa.registered, key: MFA_KEYS.registered },
    { label: 'MFA enforced at sign-in', value: mfa.enforced, key: MFA_KEYS.enforced },
    { label: 'Both registered and enforced', value: mfa.registeredAndEnforced, key: MFA_KEYS.both },
    { label: 'Neither', value: mfa.neither, key: MFA_KEYS.neither },
  ].map((r) => ({ ...r, of: mfa.inScope }));
  const pct = (v: number) => (mfa.inScope ? `${Math.round((100 * v) / mfa.inScope)}%` : '–');
  return `<section aria-labelledby="h-mfa"><h2 id="h-mfa">Multi-factor authentication coverage</h2>
<p>${esc(plural(mfa.inScope, 'person', 'people'))} in scope (councillors and staff, not break-glass accounts).</p>
<figure>${barChart({ id: 'c-mfa', title: 'Multi-factor authentication coverage of people in scope', rows })}</figure>
${asTable('Show the MFA figures as a table', table(['Measure', 'People', 'Of', 'Share'], rows.map((r) => [r.label, String(r.value), String(r.of), pct(r.value)]), [1, 2, 3]))}
</section>`;
}

/** The whole report.html for one run. Pure: the same document and context give the same page. */
function planNotice(p: PlanAwaitingLink): string {
  const href = safeHttpsUrl(p.url);
  const where = href ? `<a href="${esc(href)}">open the plan page to read and approve it</a>` : `open ${esc(p.path)} on the CouncilGuard function app to read and approve it`;
  return `<p class="notice"><strong>Awaiting approval:</strong> ${esc(`enforcement plan ${p.id} (${plural(p.actions, 'action')}, valid until ${ukDateTime(p.validUntil)})`)}; ${where}. Nothing changes until it is approved.</p>`;
}

export function renderReportHtml(doc: FindingsDocument, ctx: ReportContext): string {
  const clause = clauseResolver(ctx.profile, ctx.clauseOverrides);
  const count = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Finding['severity'], number>;
  const byCheck = new Map<string, Finding[]>();
  let fresh = 0;
  for (const f of doc.findings) {
    if (f.severity in count) count[f.severity]++;
    if (f.state === 'new') fresh++;
    const list = byCheck.get(f.checkId);
    if (list) list.push(f); else byCheck.set(f.checkId, [f]);
  }
  const known = new Set<string>(doc.checks.map((c) => c.id));
  // Findings whose check is missing from the checks list are still shown, never silently dropped.
  const orphanIds = [...byCheck.keys()].filter((id) => !known.has(id));
  const sections = [
    ...doc.checks,
    ...orphanIds.map((id) => ({ id: id as CheckId, title: `Other findings (${id})`, status: 'fail' as const, clauses: [] as string[] })),
  ];
  const titleOf = new Map<string, string>(sections.map((c) => [c.id, c.title]));

  const tonight: NightTotals = { generatedAt: doc.generatedAt, ...count };
  const nights = trendNights(doc, ctx.history, tonight);
  const chartRows: StackedRow[] = sections.map((c) => {
    const list = byCheck.get(c.id) ?? [];
    const values = Object.fromEntries(SEVERITIES.map((s) => [s, list.filter((f) => f.severity === s).length]));
    const note = c.status === 'skipped' ? 'skipped' : c.status === 'error' ? 'could not run' : c.status === 'pass' ? '0 (passed)' : undefined;
    return { label: c.title, values, note };
  });
  const ran = doc.checks.filter((c) => c.status !== 'skipped' && c.status !== 'error').length;
  const notRun = doc.checks.length - ran;
  const urgent = [...doc.findings].sort(byWorst).slice(0, URGENT_ITEMS);
  const produced = ctx.generatedBy ?? `${doc.tool.name} ${doc.tool.version}`;
  const policyNote = ctx.profile.id === doc.policy.id ? '' : ` (the run used policy ${doc.policy.id})`;

  const glance = `<section aria-labelledby="h-glance"><h2 id="h-glance">At a glance</h2>
<ul class="tiles">${SEVERITIES.filter((s) => s !== 'info' || count.info).map((s) => `<li class="${s}"><b>${count[s]}</b> ${SEVERITY_WORDS[s].toLowerCase()}</li>`).join('')}<li><b>${fresh}</b> new since last night</li><li><b>${doc.resolved.length}</b> resolved since last night</li></ul>
${doc.findings.length ? '' : ran ? '<p class="ok">No findings: the tenant meets every check that ran.</p>' : '<p class="status">No check ran tonight, so nothing was confirmed; each check below says why.</p>'}
<p>${esc(`${plural(ran, 'check')} ran${notRun ? `; ${notRun} did not (see below for why)` : ''}.`)}</p>
${urgent.length ? `<h3>Most urgent</h3><ol>${urgent.map((f) => `<li><a href="#${anchorId('f', f.id)}">${sevWord(f.severity)}${f.state === 'new' ? ', new' : ''}: ${esc(clip(f.subject.name, 120))}</a> — ${esc(clip(f.summary, 200))}</li>`).join('')}</ol>` : ''}
<h3>Checks</h3>
${`<table><thead><tr><th scope="col">Check</th><th scope="col">Result</th><th scope="col">Findings</th><th scope="col">New</th></tr></thead><tbody>${sections.map((c) => {
    const list = byCheck.get(c.id) ?? [];
    return `<tr><td><a href="#${anchorId('check', c.id)}">${esc(c.title)}</a></td><td>${statusShort(c.status)}</td><td class="n">${list.length}</td><td class="n">${list.filter((f) => f.state === 'new').length}</td></tr>`;
  }).join('')}</tbody></table>`}
</section>`;

  const byCheckChart = `<section aria-labelledby="h-bycheck"><h2 id="h-bycheck">Findings by check and severity</h2>
<figure>${stackedBarChart({ id: 'c-checks', title: 'Findings by check and severity', keys: SEVERITY_KEYS, rows: chartRows })}</figure>
${asTable('Show these figures as a table', table(['Check', ...SEVERITIES.map((s) => SEVERITY_WORDS[s]), 'Result'], sections.map((c, i) => [c.title, ...SEVERITIES.map((s) => String(chartRows[i].values[s])), STATUS_SHORT[c.status] ?? c.status]), [1, 2, 3, 4]))}
</section>`;

  const trend = `<section aria-labelledby="h-trend"><h2 id="h-trend">The last ${plural(nights.length, 'night')}</h2>
<figure>${lineChart({
    id: 'c-trend',
    title: 'Findings per night by severity',
    xLabels: nights.map((h) => ukDayMonth(h.generatedAt)),
    series: SEVERITY_KEYS.filter((k) => k.key !== 'info').map((k) => ({ key: k, values: nights.map((h) => h[k.key as 'high' | 'medium' | 'low'] ?? 0) })),
  })}</figure>
${asTable('Show the nights as a table', table(['Night', 'High', 'Medium', 'Low', 'Info'], [...nights].reverse().map((h) => [ukDate(h.generatedAt), String(h.high), String(h.medium), String(h.low), String(h.info)]), [1, 2, 3, 4]))}
</section>`;

  const resolved = doc.resolved.length
    ? `<section aria-labelledby="h-resolved"><h2 id="h-resolved">Resolved since last night</h2>
<p>These were found on an earlier night and are no longer there.</p>
${table(['Subject', 'Check', 'Resolved'], doc.resolved.slice(0, RESOLVED_ROWS).map((r) => [clip(r.subject.userPrincipalName && r.subject.userPrincipalName !== r.subject.name ? `${r.subject.name} (${r.subject.userPrincipalName})` : r.subject.name, 160), titleOf.get(r.checkId) ?? r.checkId, ukDate(r.resolvedAt)]))}
${doc.resolved.length > RESOLVED_ROWS ? `<p>… and ${doc.resolved.length - RESOLVED_ROWS} more, listed in findings.json.</p>` : ''}</section>`
    : '';

  const recent = ctx.actions ?? [];
  const actions = recent.length
    ? `<section aria-labelledby="h-actions"><h2 id="h-actions">Changes and content access by CouncilGuard</h2>
<p>From the action log (the last 30 days, newest first). Export all of it with <code>councilguard actions</code>.</p>
${table(['When', 'Who', 'What', 'Target', 'Result'], [...recent].reverse().slice(0, ACTION_ROWS).map((a) => [ukDateTime(a.at), clip(a.actor, 80), a.action, clip(a.target, 160), a.result]))}
${recent.length > ACTION_ROWS ? `<p>… and ${recent.length - ACTION_ROWS} more in the action log.</p>` : ''}</section>`
    : '';

  return `${pageHead(`${doc.council}: IT policy audit, ${ukDate(doc.generatedAt)}`, CSS)}
<body>
<header>
<h1>${esc(doc.council)}: IT policy audit</h1>
${doc.notice ? `<p class="notice" role="alert"><strong>Not audited:</strong> ${esc(doc.notice)}</p>` : ''}
${ctx.planAwaiting ? planNotice(ctx.planAwaiting) : ''}
<dl class="meta"><dt>Run</dt><dd>${esc(ukDateTime(doc.generatedAt))}</dd><dt>Policy</dt><dd>${esc(ctx.profile.title)}, version ${esc(doc.policy.version)}${esc(policyNote)}</dd><dt>Tenant</dt><dd>${esc(doc.tenantId)}</dd><dt>Produced by</dt><dd>${esc(produced)}</dd></dl>
<p class="notice">This report names council members and staff. Keep it within the council and its IT supplier, and delete old copies you no longer need.</p>
</header>
<main>
${glance}
${byCheckChart}
${trend}
${doc.metrics?.mfa ? mfaSection(doc.metrics.mfa) : ''}
${checksSection(sections, byCheck, clause, ctx.profile, doc.findings.length)}
${resolved}
${actions}
</main>
<footer><p class="meta">${esc(produced)}. Dates are UK time (Europe/London).</p></footer>
</body></html>
`;
}
