import { renderFindingsCsv, CSV_COLUMNS } from '../../reports/csv';
import { parseFindingsJson, renderFindingsJson } from '../../reports/findings-json';
import { renderReportHtml } from '../../reports/html';
import { renderSummaryMarkdown } from '../../reports/summary';
import { loadProfile } from '../../policy/load';
import { parseCsv } from '../support/csv-parse';
import type { FindingsDocument } from '../../checks/types';

const base: FindingsDocument = {
  schemaVersion: 1, tool: { name: 'councilguard', version: 'test' }, council: 'Example Parish Council', tenantId: 't', generatedAt: '2026-07-15T01:00:00.000Z',
  policy: { id: 'model-council', version: '2025' }, checks: [{ id: 'mail.external-forwarding', title: 'Forwarding', status: 'fail', clauses: ['mail.forwarding'] }], findings: [], resolved: [],
};
const HOSTILE = ['=HYPERLINK("https://evil.example","x")', '+1+1', '-2+3', '@SUM(A1)', '\tTAB', '\rCR', 'plain, with "quotes"\r\nand a new line'];

describe('findings.csv', () => {
  const doc: FindingsDocument = { ...base, findings: HOSTILE.map((name, i) => ({
    id: `f${i}`, checkId: 'mail.external-forwarding', kind: 'inbox-rule', severity: 'high', subject: { type: 'mailbox', id: `u${i}`, name },
    clauses: ['mail.forwarding'], summary: name, evidence: {}, remediation: 'fix', state: 'new', firstSeen: base.generatedAt, lastSeen: base.generatedAt,
  })) };

  it('opens in Excel as UTF-8 (BOM), CRLF rows, and every formula-looking cell neutralised; a parse gives the same rows back', () => {
    const csv = renderFindingsCsv(doc, { profile: loadProfile('model-council') });
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const rows = parseCsv(csv);
    expect(rows[0]).toEqual(CSV_COLUMNS);
    expect(rows).toHaveLength(HOSTILE.length + 1);
    rows.slice(1).forEach((row, i) => {
      const name = row[CSV_COLUMNS.indexOf('subjectName')];
      expect(/^[=+\-@\t\r]/.test(name)).toBe(false);
      expect(name.replace(/^'/, '')).toBe(HOSTILE[i]);
      expect(row[CSV_COLUMNS.indexOf('clauses')]).toBe('6.1.5');
    });
  });
});

describe('findings.json', () => {
  it('another schema version, truncated JSON and a missing field are refused with the fix', () => {
    expect(() => parseFindingsJson(JSON.stringify({ ...base, schemaVersion: 2 }), 'old/findings.json')).toThrow(/schema version 2; this CouncilGuard reads version 1 — re-run the audit/);
    expect(() => parseFindingsJson(JSON.stringify(base).slice(0, 40), 'cut/findings.json')).toThrow(/is not complete JSON .* re-run the audit/);
    const { council: _c, ...missing } = base;
    expect(() => renderFindingsJson(missing as FindingsDocument)).toThrow(/refusing to write an invalid findings\.json/);
  });

  it('empty findings: the report says so instead of breaking; dates are UK time (BST in July)', () => {
    expect(parseFindingsJson(renderFindingsJson(base), 'x').findings).toEqual([]);
    const html = renderReportHtml(base, { profile: loadProfile('model-council'), history: [] });
    expect(html).toContain('No findings: the tenant meets every check that ran.');
    expect(html).toContain('Wednesday 15 July 2026, 02:00 BST');
    expect(renderSummaryMarkdown(base, { namesAllowed: false })).toContain('No findings');
  });
});
