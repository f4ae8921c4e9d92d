// evidence.csv: every table of the pack in one sheet, long form (one value per row) so a spreadsheet can
// filter by section and table: Excel-safe through renderCsv (BOM, CRLF, quoting, formulas neutralised).
import type { EvidencePack } from '../core/evidence';
import { renderCsv } from './csv';

export const EVIDENCE_CSV_COLUMNS = ['council', 'year', 'section', 'table', 'row', 'column', 'value'] as const;

export function renderEvidenceCsv(pack: EvidencePack): string {
  const rows: (string | number)[][] = [];
  const add = (section: string, tableId: string, row: number, column: string, value: string | number | null) => rows.push([pack.council, pack.year, section, tableId, row, column, value ?? '']);
  add('coverage', 'nights', 1, 'nights in period', pack.coverage.nightsInPeriod);
  add('coverage', 'nights', 1, 'nights audited', pack.coverage.nightsAudited);
  pack.coverage.missedNights.forEach((m, i) => add('coverage', 'missed-nights', i + 1, 'nights', m));
  for (const s of pack.sections) {
    add(s.id, 'answer', 1, 'suggested answer', s.answer);
    s.reasons.forEach((r, i) => add(s.id, 'reasons', i + 1, 'reason', r));
    for (const [k, v] of Object.entries(s.figures)) add(s.id, 'figures', 1, k, v);
    for (const t of s.tables) t.rows.forEach((r, i) => t.columns.forEach((c, j) => add(s.id, t.id, i + 1, c, r[j] ?? '')));
  }
  pack.records.forEach((r, i) => { add('integrity', 'records', i + 1, 'name', r.name); add('integrity', 'records', i + 1, 'sha256', r.sha256); });
  add('integrity', 'digest', 1, 'records digest', pack.recordsDigest);
  return renderCsv([...EVIDENCE_CSV_COLUMNS], rows);
}
