// findings.csv for Excel: UTF-8 with a BOM, CRLF, RFC 4180 quoting, ISO dates, and any cell that a
// spreadsheet would read as a formula neutralised (OWASP's leading-apostrophe approach).
import type { FindingsDocument } from '../checks/types';
import type { PolicyProfile } from '../policy/profile';

const FORMULA_START = /^[=+\-@\t\r]/;

export function neutralise(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

function quote(cell: string): string {
  return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

export const CSV_COLUMNS = ['id', 'checkId', 'severity', 'state', 'subjectType', 'subjectName', 'userPrincipalName', 'clauses', 'summary', 'remediation', 'firstSeen', 'lastSeen'];

export function renderFindingsCsv(doc: FindingsDocument, ctx: { profile?: PolicyProfile; clauseOverrides?: Record<string, string> } = {}): string {
  const clauseNumber = (key: string) => ctx.clauseOverrides?.[key] ?? ctx.profile?.clauses[key]?.number ?? key;
  const rows = doc.findings.map((f) => [
    f.id, f.checkId, f.severity, f.state, f.subject.type, f.subject.name, f.subject.userPrincipalName ?? '',
    f.clauses.map(clauseNumber).join('; '), f.summary, f.remediation, f.firstSeen, f.lastSeen,
  ]);
  const lines = [CSV_COLUMNS, ...rows].map((row) => row.map((c) => quote(neutralise(String(c)))).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
