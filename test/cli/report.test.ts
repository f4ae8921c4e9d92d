import { mkdtempSync, readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { main } from '../../cli/main';
import { renderFindingsJson } from '../../reports/findings-json';
import type { FindingsDocument } from '../../core/findings';

const doc = (council: string, high: number): FindingsDocument => ({
  schemaVersion: 1, tool: { name: 'councilguard', version: 't' }, council, tenantId: `t-${council}`, generatedAt: '2026-11-25T02:00:00.000Z', policy: { id: 'wivelsfield-2023', version: '2023-12-11' },
  checks: [{ id: 'mail.external-forwarding', title: 'Forwarding', status: high ? 'fail' : 'pass', clauses: ['mail.forwarding'] }],
  findings: Array.from({ length: high }, (_, i) => ({ id: `f${i}`, checkId: 'mail.external-forwarding' as const, kind: 'inbox-rule', severity: 'high' as const, subject: { type: 'mailbox' as const, id: `u${i}`, name: `Cllr ${i}` }, clauses: ['mail.forwarding'], summary: 's', evidence: {}, remediation: 'r', state: 'new' as const, firstSeen: '2026-11-25T02:00:00.000Z', lastSeen: '2026-11-25T02:00:00.000Z' })),
  resolved: [],
});

function run(dir: string, d: FindingsDocument) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'findings.json'), renderFindingsJson(d));
  return dir;
}

describe('councilguard report', () => {
  const quiet = () => jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const log = () => jest.spyOn(console, 'log').mockImplementation(() => {});

  it('re-renders report.html, findings.csv and summary.md from a findings.json, in the policy\'s own clause numbers', async () => {
    const l = log();
    const dir = run(join(mkdtempSync(join(tmpdir(), 'cg-rep-')), 'a'), doc('Wivelsfield Parish Council', 2));
    expect(await main(['report', '--from', dir])).toBe(0);
    l.mockRestore();
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('Clause 15');
    expect(existsSync(join(dir, 'findings.csv'))).toBe(true);
  });

  it('--index builds index.html over several runs with relative links, worst first', async () => {
    const l = log();
    const root = mkdtempSync(join(tmpdir(), 'cg-idx-'));
    const a = run(join(root, 'runs', 'quiet'), doc('Quiet Parish Council', 0));
    const b = run(join(root, 'runs', 'busy'), doc('Busy Town Council', 3));
    expect(await main(['report', '--index', '--from', a, b, '--out', join(root, 'site')])).toBe(0);
    l.mockRestore();
    const html = readFileSync(join(root, 'site', 'index.html'), 'utf8');
    expect(html.indexOf('Busy Town Council')).toBeLessThan(html.indexOf('Quiet Parish Council'));
    expect(html).toContain('href="../runs/busy/report.html"');
  });

  it('a folder without findings.json, or of another schema version, exits 2 with the fix and writes nothing', async () => {
    const q = quiet();
    const empty = mkdtempSync(join(tmpdir(), 'cg-none-'));
    expect(await main(['report', '--from', empty])).toBe(2);
    const old = mkdtempSync(join(tmpdir(), 'cg-old-'));
    writeFileSync(join(old, 'findings.json'), JSON.stringify({ ...doc('X', 0), schemaVersion: 2 }));
    expect(await main(['report', '--from', old])).toBe(2);
    q.mockRestore();
    expect(existsSync(join(old, 'report.html'))).toBe(false);
  });
});
