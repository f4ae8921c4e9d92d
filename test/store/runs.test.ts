import { randomUUID } from 'node:crypto';
import { openStore, type Store } from '../../store';
import { TextPieces } from '../../core/text-pieces';

const tenant = () => randomUUID();
const findings = (severities: string[], resolved = 0) => JSON.stringify({
  findings: severities.map((severity, i) => ({ severity, state: i === 0 ? 'new' : 'persisting' })),
  resolved: Array.from({ length: resolved }, (_, i) => ({ id: `r${i}` })),
});

describe('findings history (runs)', () => {
  let store: Store;
  beforeAll(async () => { store = await openStore(process.env.COUNCILGUARD_TEST_STORAGE!); });

  it('gives runs back newest first whatever order they were saved in, with the counts the trend chart needs', async () => {
    const t = tenant();
    await store.saveRun(t, 'r1', '2026-11-20T02:00:00.000Z', { 'findings.json': findings(['high']) });
    await store.saveRun(t, 'r3', '2026-11-22T02:00:00.000Z', { 'findings.json': findings(['high', 'medium', 'low', 'info'], 2), 'report.html': '<p>r3</p>' });
    await store.saveRun(t, 'r2', '2026-11-21T02:00:00.000Z', { 'findings.json': findings([]) });

    const history = await store.runHistory(t);
    expect(history.map((r) => r.runId)).toEqual(['r3', 'r2', 'r1']);
    expect(history[0]).toEqual({ runId: 'r3', generatedAt: '2026-11-22T02:00:00.000Z', prefix: `${t}/2026/11/22/r3/`, high: 1, medium: 1, low: 1, info: 1, new: 1, resolved: 2 });
    expect((await store.runHistory(t, 2)).map((r) => r.runId)).toEqual(['r3', 'r2']);
    expect(await store.listBlobs('runs', `${t}/2026/11/22/r3/`)).toEqual([`${t}/2026/11/22/r3/findings.json`, `${t}/2026/11/22/r3/report.html`]);
  });

  it('uploads text in pieces and large text in slices byte for byte, with the counts from the document when given', async () => {
    const t = tenant();
    // Over 256 K characters, an emoji (a surrogate pair) where a slice would end, and non-ASCII text.
    const html = `${'a'.repeat(256 * 1024 - 1)}🐝 Ŝïłvía ${'b'.repeat(300_000)}`;
    const json = findings(['high', 'low']);
    const row = await store.saveRun(t, 'big', '2026-11-25T02:00:00.000Z', { 'findings.json': new TextPieces(() => [json.slice(0, 10), json.slice(10)]), 'report.html': html },
      { findings: [{ severity: 'medium', state: 'new' }] });
    expect(row).toMatchObject({ medium: 1, high: 0, new: 1 });
    expect((await store.readRunFile(t, 'big', 'report.html'))?.toString('utf8')).toBe(html);
    expect((await store.readRunFile(t, 'big', 'findings.json'))?.toString('utf8')).toBe(json);
  });

  it('reads the latest findings.json back, and a named file of an earlier run', async () => {
    const t = tenant();
    expect(await store.latestRun(t)).toBeUndefined();
    await store.saveRun(t, 'first', '2026-11-23T02:00:00.000Z', { 'findings.json': findings(['low']), 'summary.md': '# first' });
    await store.saveRun(t, 'second', '2026-11-24T02:00:00.000Z', { 'findings.json': findings(['high']), 'summary.md': '# second' });
    expect(await store.latestRun(t)).toEqual(JSON.parse(findings(['high'])));
    expect((await store.readRunFile(t, 'first', 'summary.md'))?.toString()).toBe('# first');
    expect((await store.readRunFile(t, 'latest', 'summary.md'))?.toString()).toBe('# second');
    expect(await store.readRunFile(t, 'missing', 'summary.md')).toBeUndefined();
  });

  it('treats a tenant id in capitals as the same tenant', async () => {
    const t = tenant();
    await store.saveRun(t.toUpperCase(), 'r', '2026-11-24T02:00:00.000Z', { 'findings.json': findings(['medium']) });
    expect((await store.runHistory(t)).map((r) => r.runId)).toEqual(['r']);
  });

  it('stores the run time in UTC even when given with an offset', async () => {
    const t = tenant();
    const row = await store.saveRun(t, 'bst', '2026-07-01T03:00:00+01:00', { 'findings.json': findings([]) });
    expect(row.generatedAt).toBe('2026-07-01T02:00:00.000Z');
  });

  it('refuses a run id that would escape its folder, and a date it cannot read', async () => {
    await expect(store.saveRun(tenant(), '../x', '2026-11-24T02:00:00Z', {})).rejects.toThrow(/without \/ or \\/);
    await expect(store.saveRun(tenant(), 'r', 'last night', {})).rejects.toThrow(/"last night" is not an ISO 8601 date/);
  });

  it('retention deletes runs older than the cutoff, blobs and rows, and keeps the rest', async () => {
    const t = tenant();
    await store.saveRun(t, 'old', '2025-01-01T02:00:00.000Z', { 'findings.json': findings(['high']), 'report.html': '<p>old</p>' });
    await store.saveRun(t, 'at-cutoff', '2025-10-24T00:00:00.000Z', { 'findings.json': findings([]) });
    await store.saveRun(t, 'recent', '2026-11-24T02:00:00.000Z', { 'findings.json': findings([]) });
    // Files of a run that crashed before its row was written, older than the cutoff, and one newer.
    await store.putBlob('runs', `${t}/2025/03/04/crashed/findings.json`, '{}');
    await store.putBlob('runs', `${t}/2025/10/24/crashed-later/findings.json`, '{}');

    expect(await store.deleteRunsOlderThan(t, '2025-10-24T00:00:00.000Z')).toBe(1);

    expect((await store.runHistory(t)).map((r) => r.runId)).toEqual(['recent', 'at-cutoff']);
    expect(await store.listBlobs('runs', `${t}/`)).toEqual([
      `${t}/2025/10/24/at-cutoff/findings.json`,
      `${t}/2025/10/24/crashed-later/findings.json`,
      `${t}/2026/11/24/recent/findings.json`,
    ]);
    expect(await store.deleteRunsOlderThan(t, '2025-10-24T00:00:00.000Z')).toBe(0);
  });

  it('retention for one tenant leaves another tenant alone', async () => {
    const [a, b] = [tenant(), tenant()];
    await store.saveRun(a, 'old', '2024-01-01T02:00:00.000Z', { 'findings.json': findings([]) });
    await store.saveRun(b, 'old', '2024-01-01T02:00:00.000Z', { 'findings.json': findings([]) });
    await store.deleteRunsOlderThan(a, '2025-01-01T00:00:00.000Z');
    expect(await store.runHistory(a)).toEqual([]);
    expect((await store.runHistory(b)).map((r) => r.runId)).toEqual(['old']);
    expect(await store.listBlobs('runs', `${b}/`)).toHaveLength(1);
  });
});
