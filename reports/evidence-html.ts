// evidence.html: the year's Assertion 10 evidence as one self-contained page the clerk prints on A4 for
// the internal auditor: a cover with the nights audited, one section per component (each starting a new
// page) with its suggested answer, reasons and tables, and the records the pack rests on with their
// SHA-256. Every page carries the council and year in its running header (CSS page margin boxes). No
// scripts, fonts or images; the CSP admits only this page's stylesheet by hash (reports/page-head.ts).
import type { EvidencePack, EvidenceSection, EvidenceTable } from '../core/evidence';
import { ukDateTime, ukLongDate } from '../core/uk-time';
import { anchorId, esc } from './escape';
import { pageHead } from './page-head';

const ANSWER_CLASS: Record<EvidenceSection['answer'], string> = {
  'Yes': 'a-yes', 'No': 'a-no', 'Cannot tell from the tenant': 'a-unknown', 'For the council to evidence': 'a-council',
};

/** A value as a CSS string literal: everything but plain letters, digits and spaces as an escape, so data cannot end the string or the rule. */
function cssString(value: string): string {
  return `"${[...value].map((c) => (/[A-Za-z0-9 ]/.test(c) ? c : `\\${c.codePointAt(0)!.toString(16)} `)).join('')}"`;
}

const BASE_CSS = `*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Arial,sans-serif;margin:0 auto;max-width:60rem;padding:1rem 1.25rem 3rem;color:#1b1b1b;background:#fff;line-height:1.4}
h1{font-size:1.6rem;margin:.4rem 0}h2{font-size:1.25rem;margin:1.6rem 0 .5rem;padding-bottom:.2rem;border-bottom:2px solid #767676}h3{font-size:1.02rem;margin:1rem 0 .3rem}
.meta{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem;margin:.4rem 0}.meta dt{font-weight:600}.meta dd{margin:0;overflow-wrap:anywhere}
.answer{display:inline-block;font-weight:700;border:2px solid #555;border-radius:4px;padding:.15rem .6rem;margin:.2rem 0 .4rem}
.a-yes{border-color:#1d6b3a;color:#1d6b3a}.a-no{border-color:#b3261e;color:#b3261e}.a-unknown{border-color:#6b4e00;color:#6b4e00}.a-council{border-color:#0b4f9c;color:#0b4f9c}
.note{background:#f3f3f3;padding:.4rem .7rem;border-left:4px solid #767676}
table{border-collapse:collapse;margin:.3rem 0 .8rem;font-size:.85rem;width:100%;table-layout:fixed}caption{text-align:left;font-weight:600;padding:.2rem 0}
th,td{border:1px solid #999;padding:.2rem .45rem;text-align:left;vertical-align:top;overflow-wrap:anywhere;word-break:break-word}th{background:#f0f0f0}
td.n{text-align:right;font-variant-numeric:tabular-nums}th.night{width:7rem}
code,.hash{font-family:ui-monospace,Consolas,monospace;font-size:.78rem;overflow-wrap:anywhere;word-break:break-all}
ul{padding-left:1.2rem}li{overflow-wrap:anywhere}
@media print{
body{max-width:none;padding:0;font-size:10pt}
section.component,section.integrity{break-before:page}
h2,h3,caption{break-after:avoid}tr{break-inside:avoid}thead{display:table-header-group}
a{color:inherit;text-decoration:none}
}`;

function runningHeader(pack: EvidencePack): string {
  const head = cssString(`${pack.council}: Assertion 10 evidence ${pack.year}`);
  // A4 with margins wide enough for the header and the page number; margin boxes repeat on every page.
  return `@page{size:A4;margin:18mm 14mm 16mm 14mm;@top-left{content:${head};font:9pt system-ui,Arial,sans-serif;color:#444}@bottom-right{content:"Page " counter(page) " of " counter(pages);font:9pt system-ui,Arial,sans-serif;color:#444}}`;
}

function renderTable(t: EvidenceTable): string {
  if (!t.rows.length) return `<h3>${esc(t.caption)}</h3><p>${esc(t.empty)}</p>`;
  const head = t.columns.map((c) => `<th scope="col">${esc(c)}</th>`).join('');
  const body = t.rows.map((r) => `<tr>${r.map((v) => `<td${typeof v === 'number' ? ' class="n"' : ''}>${esc(v)}</td>`).join('')}</tr>`).join('\n');
  return `<table id="${anchorId('t', t.id)}"><caption>${esc(t.caption)}</caption><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function renderSection(s: EvidenceSection, n: number): string {
  return `<section class="component" id="${anchorId('s', s.id)}" aria-labelledby="${anchorId('h', s.id)}">
<h2 id="${anchorId('h', s.id)}">${n}. ${esc(s.component)}</h2>
<p>Suggested answer: <span class="answer ${ANSWER_CLASS[s.answer]}">${esc(s.answer)}</span></p>
<ul class="reasons">${s.reasons.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>
${s.tables.map(renderTable).join('\n')}
</section>`;
}

export function renderEvidenceHtml(pack: EvidencePack): string {
  const css = `${runningHeader(pack)}\n${BASE_CSS}`;
  const c = pack.coverage;
  const noRecords = pack.records.length === 0;
  return `${pageHead(`${pack.council}: Assertion 10 evidence ${pack.year}`, css)}
<body>
<header>
<h1>${esc(pack.council)}: evidence for Assertion 10, ${esc(pack.year)}</h1>
<p>Annual Governance and Accountability Return, Annual Governance Statement Assertion 10: digital and data compliance. Built from CouncilGuard's nightly audits of the council's Microsoft 365 tenant.</p>
<dl class="meta">
<dt>Financial year</dt><dd>${esc(ukLongDate(pack.period.start))} to ${esc(ukLongDate(pack.period.end))}${pack.period.lastNight < pack.period.end ? ` (to ${esc(ukLongDate(pack.period.lastNight))} so far)` : ''}</dd>
<dt>Nights audited</dt><dd>${c.nightsAudited} of ${c.nightsInPeriod}</dd>
<dt>Nights missed</dt><dd>${c.missedNights.length ? esc(c.missedNights.join('; ')) : 'none'}</dd>
<dt>Policy profile</dt><dd>${pack.profiles.length ? pack.profiles.map((p) => `${esc(p.id)} version ${esc(p.version)} (${esc(ukLongDate(p.firstNight))} – ${esc(ukLongDate(p.lastNight))}, ${p.nights} nights)`).join('; ') : 'none'}</dd>
<dt>Generated</dt><dd>${esc(ukDateTime(pack.generatedAt))} by ${esc(pack.tool.name)} ${esc(pack.tool.version)}</dd>
<dt>Tenant</dt><dd><code>${esc(pack.tenantId)}</code></dd>
</dl>
${noRecords ? `<p class="note"><strong>No run records for ${esc(pack.year)}.</strong> CouncilGuard has no audit of this council in the period, so it suggests no answer. This pack is not evidence of compliance.</p>` : ''}
<p class="note">The answers are suggestions for the council, which decides its own answer. "Cannot tell from the tenant" and "For the council to evidence" mean the evidence is outside what Microsoft 365 shows; references the clerk recorded in the config are shown as declared, not verified.</p>
<h2>Summary</h2>
<table><thead><tr><th scope="col">Component</th><th scope="col">Suggested answer</th></tr></thead><tbody>
${pack.sections.map((s) => `<tr><td>${esc(s.component)}</td><td><span class="${ANSWER_CLASS[s.answer]}">${esc(s.answer)}</span></td></tr>`).join('\n')}
</tbody></table>
</header>
<main>
${pack.sections.map((s, i) => renderSection(s, i + 1)).join('\n')}
<section class="integrity" id="integrity">
<h2>Integrity: the run records this pack rests on</h2>
<p>Each night's record is written once and never changed. <code>councilguard evidence --verify DIR</code> rebuilds this pack from the store and names any file that differs.</p>
<dl class="meta"><dt>Records</dt><dd>${pack.records.length}</dd><dt>Digest of the records (SHA-256)</dt><dd class="hash">${esc(pack.recordsDigest)}</dd></dl>
${pack.records.length ? `<table><caption>Run records</caption><thead><tr><th scope="col" class="night">Night</th><th scope="col">SHA-256</th></tr></thead><tbody>
${pack.records.map((r) => `<tr><td>${esc(r.night)}</td><td class="hash">${esc(r.sha256)}</td></tr>`).join('\n')}
</tbody></table>` : '<p>None.</p>'}
</section>
</main>
</body></html>
`;
}
