import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { openStore, Store, CheckpointConflictError } from '../../store';
import { startAzurite } from '../../store/azurite';

const conn = () => process.env.COUNCILGUARD_TEST_STORAGE!;
const tenant = () => `t-${Math.random().toString(16).slice(2)}`;
const doc = (sev: string[]) => JSON.stringify({ findings: sev.map((severity) => ({ severity, state: 'new' })), resolved: [] });

describe('store on Azurite', () => {
  let store: Store;
  beforeAll(async () => { store = await openStore(conn()); });

  it('keeps runs and gives them back newest first, with counts for the trend', async () => {
    const t = tenant();
    await store.saveRun(t, 'r1', '2026-11-20T02:00:00.000Z', { 'findings.json': doc(['high']) });
    await store.saveRun(t, 'r2', '2026-11-22T02:00:00.000Z', { 'findings.json': doc(['high', 'medium', 'low']) });
    await store.saveRun(t, 'r3', '2026-11-21T02:00:00.000Z', { 'findings.json': doc([]) });
    const history = await store.runHistory(t);
    expect(history.map((r) => r.runId)).toEqual(['r2', 'r3', 'r1']);
    expect(history[0]).toMatchObject({ high: 1, medium: 1, low: 1, new: 3, prefix: `${t}/2026/11/22/r2/` });
    expect(await store.latestRun(t)).toEqual(JSON.parse(doc(['high', 'medium', 'low'])));
    expect(await store.latestRun(tenant())).toBeUndefined();
  });

  it('retention deletes an old run, blobs and row, and keeps a recent one', async () => {
    const t = tenant();
    await store.saveRun(t, 'old', '2025-01-01T02:00:00.000Z', { 'findings.json': doc(['high']), 'report.html': '<p>old</p>' });
    await store.saveRun(t, 'new', '2026-11-24T02:00:00.000Z', { 'findings.json': doc([]) });
    expect(await store.deleteRunsOlderThan(t, '2025-10-24T00:00:00.000Z')).toBe(1);
    expect((await store.runHistory(t)).map((r) => r.runId)).toEqual(['new']);
    expect(await store.listBlobs('runs', `${t}/2025/`)).toEqual([]);
  });

  it('checkpoints survive reopening, refuse a stale etag, and hold values larger than a table property', async () => {
    const t = tenant();
    const etag = await store.putCheckpoint('step', `${t}|export`, { done: 1 });
    const reopened = await openStore(conn());
    expect((await reopened.getCheckpoint<{ done: number }>('step', `${t}|export`))?.value).toEqual({ done: 1 });
    await reopened.putCheckpoint('step', `${t}|export`, { done: 2 }, etag);
    await expect(store.putCheckpoint('step', `${t}|export`, { done: 3 }, etag)).rejects.toBeInstanceOf(CheckpointConflictError);
    const big = { rows: Array.from({ length: 5000 }, (_, i) => `row-${i}-${'x'.repeat(20)}`) };
    await store.putCheckpoint('step', `${t}|big/with#odd?chars`, big);
    expect((await store.getCheckpoint<typeof big>('step', `${t}|big/with#odd?chars`))?.value).toEqual(big);
    await store.putCheckpoint('step', `${t}|big/with#odd?chars`, { small: true });
    expect((await store.getCheckpoint('step', `${t}|big/with#odd?chars`))?.value).toEqual({ small: true });
    expect(await store.listBlobs('checkpoints', 'step/')).not.toEqual(expect.arrayContaining([expect.stringContaining(encodeURIComponent(t))]));
  });

  it('the action log only appends and lists in time order', async () => {
    const t = tenant();
    await store.appendAction({ tenantId: t, actor: 'clerk@x', action: 'block-sign-in', target: 'cllr@x', before: { accountEnabled: true }, after: { accountEnabled: false }, result: 'done' }, '2026-11-24T10:00:00.000Z');
    await store.appendAction({ tenantId: t, actor: 'clerk@x', action: 'read-mail', target: 'cllr@x', result: 'done' }, '2026-11-24T09:00:00.000Z');
    const actions = await store.listActions(t);
    expect(actions.map((a) => a.action)).toEqual(['read-mail', 'block-sign-in']);
    expect(actions[1].before).toEqual({ accountEnabled: true });
    expect((store as unknown as Record<string, unknown>).deleteAction).toBeUndefined();
  });

  it('a lock refuses a second holder until it expires', async () => {
    const key = tenant();
    expect(await store.acquireLock('surrender', key, 'run-1', 60)).toEqual({ acquired: true });
    expect(await store.acquireLock('surrender', key, 'run-2', 60)).toMatchObject({ acquired: false, holder: 'run-1' });
    await store.releaseLock('surrender', key, 'run-1');
    expect(await store.acquireLock('surrender', key, 'run-2', -1)).toEqual({ acquired: true });
    expect(await store.acquireLock('surrender', key, 'run-3', 60)).toEqual({ acquired: true }); // run-2's lease had expired
  });

  it('a wrong connection string is refused with a message naming COUNCILGUARD_STORAGE', async () => {
    await expect(openStore('not a connection string')).rejects.toThrow(/COUNCILGUARD_STORAGE is not an Azure Storage connection string/);
  });

  it('a persistent Azurite keeps data across a restart, and a stale one left by a killed run is stopped', async () => {
    const location = mkdtempSync(join(tmpdir(), 'cg-azurite-'));
    // A leftover process recorded in the pid file, as a killed run would leave it.
    const stale = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    writeFileSync(join(location, 'azurite.pid'), String(stale.pid));
    const staleExit = new Promise((r) => stale.once('exit', r));
    const first = await startAzurite({ location });
    await staleExit;
    const t = tenant();
    await (await openStore(first.connectionString)).putCheckpoint('s', t, { kept: true });
    await first.stop();
    const second = await startAzurite({ location });
    try {
      expect((await (await openStore(second.connectionString)).getCheckpoint('s', t))?.value).toEqual({ kept: true });
    } finally {
      await second.stop();
    }
  }, 60_000);
});
