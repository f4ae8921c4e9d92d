// findings.csv for Excel: UTF-8 with a BOM (so Excel does not guess the code page), CRLF rows, RFC 4180
// quoting, ISO dates, and any cell a spreadsheet would read as a formula neutralised with a leading
// apostrophe (the OWASP approach). Written by hand: it is a dozen lines and no installed library does it.
import type { FindingsDocument } from '../core/findings';
import type { PolicyProfile } from '../policy/profile';
import { clauseResolver } from './words';

// OWASP CSV injection: = + - @ tab CR; also LF and NUL (ASVS 1.2.10), which some importers treat alike.
const FORMULA_START = /^[=+\-@\t\r\n\0]/;

export function neutralise(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

function quote(cell: string): string {
  return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

export const CSV_COLUMNS = ['id', 'checkId', 'severity', 'state', 'subjectType', 'subjectName', 'userPrincipalName', 'clauses', 'summary', 'remediation', 'firstSeen', 'lastSeen'] as const;

/** One row per finding. With a profile the clauses column holds the policy's own numbers ('6.1.5; 4.1.1'), else clause keys. */
export function renderFindingsCsv(doc: FindingsDocument, ctx: { profile?: PolicyProfile; clauseOverrides?: Record<string, string> } = {}): string {
  return `\uFEFF${[...findingsCsvLines(doc, ctx)].join('')}`;
}

/**
 * findings.csv a line at a time (CRLF included, no BOM): each finding becomes its line as it is reached,
 * so a tenant with tens of thousands of findings never holds a table of cells as well as the text.
 */
export function* findingsCsvLines(doc: FindingsDocument, ctx: { profile?: PolicyProfile; clauseOverrides?: Record<string, string> } = {}): Generator<string> {
  const clause = clauseResolver(ctx.profile, ctx.clauseOverrides);
  yield csvLine(CSV_COLUMNS);
  for (const f of doc.findings) {
    yield csvLine([
      f.id, f.checkId, f.severity, f.state, f.subject.type, f.subject.name, f.subject.userPrincipalName ?? '',
      [...new Set(f.clauses.map((k) => clause(k).number))].join('; '), f.summary, f.remediation, f.firstSeen, f.lastSeen,
    ]);
  }
}

const csvLine = (row: readonly unknown[]): string => `${row.map((c) => quote(neutralise(String(c ?? '')))).join(',')}\r\n`;

/** Any table as Excel-safe CSV: BOM, CRLF, RFC 4180 quoting, formulas neutralised. */
export function renderCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return `\uFEFF${[header, ...rows].map(csvLine).join('')}`;
}
