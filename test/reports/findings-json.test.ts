import { FindingsFormatError } from '../../core/errors';
import { findingsJsonChunks, parseFindingsJson, renderFindingsJson, validateFindings } from '../../reports/findings-json';
import type { FindingsDocument } from '../../core/findings';
import { makeDocument, makeFinding } from '../support/findings-factory';

describe('findings.json schema version 1', () => {
  const good = makeDocument({
    findings: [makeFinding(1), makeFinding(2, { severity: 'low', state: 'persisting', firstSeen: '2026-11-01T02:00:00.000Z' })],
    resolved: [{ id: 'old-1', checkId: 'mail.external-forwarding', subject: { type: 'mailbox', id: 'u9', name: 'Councillor 9' }, resolvedAt: '2026-11-25T02:14:00.000Z' }],
    metrics: { mfa: { inScope: 12, registered: 11, enforced: 10, registeredAndEnforced: 9, neither: 0 } },
  });

  it('accepts a complete document and reads back exactly what was written', () => {
    expect(validateFindings(good)).toEqual([]);
    const text = renderFindingsJson(good);
    expect(text.endsWith('\n')).toBe(true);
    expect(parseFindingsJson(text, 'run/findings.json')).toEqual(good);
  });

  it('is written a piece at a time, byte for byte what JSON.stringify gives', () => {
    const hostile = makeFinding(3, { summary: 'line\nbreak "quoted" \u2028 tab\t', evidence: { nested: { list: [1, { deep: 'x\ny' }], empty: [] }, none: null } });
    const docs = [good, { ...good, findings: [], resolved: [] }, { ...good, findings: [hostile, makeFinding(4)], notice: 'n' }];
    for (const doc of docs) {
      const chunks = [...findingsJsonChunks(doc)];
      expect(chunks.join('')).toBe(`${JSON.stringify(doc, null, 2)}\n`);
      expect(chunks.length).toBeGreaterThan(doc.findings.length);
    }
  });

  it('rejects missing required fields, naming each path', () => {
    const { council: _council, ...noCouncil } = good;
    const broken = { ...noCouncil, findings: [{ ...good.findings[0], subject: { type: 'mailbox', id: 'x' } }] };
    const errors = validateFindings(broken);
    expect(errors).toContain('(the document): the field "council" is missing');
    expect(errors).toContain('findings[0].subject: the field "name" is missing');
    expect(() => renderFindingsJson(broken as unknown as FindingsDocument)).toThrow(/refusing to write an invalid findings\.json.*"council" is missing/);
  });

  it('rejects wrong values and fields the contract does not have', () => {
    const errors = validateFindings({
      ...good,
      generatedAt: '25/11/2026',
      checks: [{ ...good.checks[0], status: 'broken' }],
      findings: [{ ...good.findings[0], severity: 'critical', colour: 'red' }],
      metrics: { mfa: { inScope: -1, registered: 1, enforced: 1, registeredAndEnforced: 1 } },
    });
    expect(errors).toEqual(expect.arrayContaining([
      expect.stringMatching(/^generatedAt: must be an ISO 8601 date/),
      expect.stringMatching(/^checks\[0\]\.status: must be one of "pass"/),
      expect.stringMatching(/^findings\[0\]\.severity: must be one of "high"/),
      'findings[0]: unexpected field "colour"',
      'metrics.mfa: the field "neither" is missing',
      expect.stringMatching(/^metrics\.mfa\.inScope: must be >= 0/),
    ]));
  });

  it('metrics are optional: a document without them is valid', () => {
    const { metrics: _m, ...withoutMetrics } = good;
    expect(validateFindings(withoutMetrics)).toEqual([]);
  });

  it('another schema version is refused with the fix, before anything else is judged', () => {
    const v2 = JSON.stringify({ ...good, schemaVersion: 2, somethingNew: true });
    expect(() => parseFindingsJson(v2, 'old/findings.json')).toThrow(FindingsFormatError);
    expect(() => parseFindingsJson(v2, 'old/findings.json')).toThrow(
      'old/findings.json is findings.json from schema version 2; this CouncilGuard reads version 1 — re-run the audit or use a matching version.',
    );
    expect(validateFindings({ ...good, schemaVersion: 2 })).toContain('schemaVersion: must be 1');
  });

  it('truncated, empty, non-JSON and non-findings files each get a message that says what to do', () => {
    const text = renderFindingsJson(good);
    expect(() => parseFindingsJson(text.slice(0, text.length / 2), 'cut/findings.json')).toThrow(/cut\/findings\.json is cut short .* re-run the audit/);
    expect(() => parseFindingsJson('', 'empty/findings.json')).toThrow('empty/findings.json is empty; re-run the audit to write it again.');
    expect(() => parseFindingsJson('<html>', 'x.json')).toThrow(/x\.json is not valid JSON/);
    expect(() => parseFindingsJson('{"councils": []}', 'councils.json')).toThrow(/councils\.json is not a CouncilGuard findings\.json \(it has no schemaVersion\)/);
    expect(() => parseFindingsJson(JSON.stringify({ ...good, findings: 'none' }), 'bad.json')).toThrow(/bad\.json does not match .*findings: must be array/);
  });

  it('a byte-order mark (a file saved from Notepad) is not a reason to refuse', () => {
    expect(parseFindingsJson(`\uFEFF${renderFindingsJson(good)}`, 'bom.json').council).toBe(good.council);
  });
});
