import { randomUUID } from 'node:crypto';
import { openStore, CheckpointConflictError, type Store } from '../../store';

const conn = () => process.env.COUNCILGUARD_TEST_STORAGE!;

describe('checkpoints', () => {
  let store: Store;
  beforeAll(async () => { store = await openStore(conn()); });

  it('survive reopening the store', async () => {
    const key = `${randomUUID()}|export-mail`;
    await store.putCheckpoint('surrender-step', key, { folder: 'Inbox', done: 120 });
    const reopened = await openStore(conn());
    expect((await reopened.getCheckpoint('surrender-step', key))?.value).toEqual({ folder: 'Inbox', done: 120 });
    expect(await reopened.getCheckpoint('surrender-step', `${key}-never-written`)).toBeUndefined();
  });

  it('refuse a write with a stale etag, so two runs cannot both advance a step', async () => {
    const key = randomUUID();
    await store.putCheckpoint('step', key, { done: 1 });
    const read = (await store.getCheckpoint<{ done: number }>('step', key))!;
    const other = await openStore(conn());
    await other.putCheckpoint('step', key, { done: 2 }, read.etag);
    await expect(store.putCheckpoint('step', key, { done: 3 }, read.etag)).rejects.toBeInstanceOf(CheckpointConflictError);
    expect((await store.getCheckpoint('step', key))?.value).toEqual({ done: 2 });
  });

  it('refuse a write with an etag when the checkpoint was deleted meanwhile', async () => {
    const key = randomUUID();
    const etag = await store.putCheckpoint('step', key, { done: 1 });
    await store.deleteCheckpoint('step', key);
    await expect(store.putCheckpoint('step', key, { done: 2 }, etag)).rejects.toThrow(/changed by another run/);
  });

  it('hold values larger than a table property, and clean up the blob when the value shrinks or goes', async () => {
    const key = `${randomUUID()}|big/with#odd?chars\\and~tilde`;
    const big = { items: Array.from({ length: 4000 }, (_, i) => ({ id: `item-${i}`, path: `/Drafts/${'x'.repeat(20)}-${i}.docx` })) };
    expect(JSON.stringify(big).length).toBeGreaterThan(64 * 1024);
    const etag = await store.putCheckpoint('drive-index', key, big);
    const read = await store.getCheckpoint<typeof big>('drive-index', key);
    expect(read?.value).toEqual(big);
    expect(read?.etag).toBe(etag);
    const spilled = await store.listBlobs('checkpoints', 'drive-index/');
    const mine = spilled.filter((n) => n.includes(key.slice(0, 36)));
    expect(mine).toHaveLength(1);

    await store.putCheckpoint('drive-index', key, { small: true });
    expect((await store.getCheckpoint('drive-index', key))?.value).toEqual({ small: true });
    expect((await store.listBlobs('checkpoints', 'drive-index/')).filter((n) => n.includes(key.slice(0, 36)))).toEqual([]);

    await store.putCheckpoint('drive-index', key, big);
    await store.deleteCheckpoint('drive-index', key);
    expect(await store.getCheckpoint('drive-index', key)).toBeUndefined();
    expect((await store.listBlobs('checkpoints', 'drive-index/')).filter((n) => n.includes(key.slice(0, 36)))).toEqual([]);
  });

  it('keep keys apart that differ only in characters Table storage forbids', async () => {
    const id = randomUUID();
    const keys = [`${id}/a`, `${id}\\a`, `${id}#a`, `${id}?a`, `${id}_a`, `${id}~2Fa`, `${id}%2Fa`];
    for (const [i, k] of keys.entries()) await store.putCheckpoint('odd', k, i);
    for (const [i, k] of keys.entries()) expect((await store.getCheckpoint('odd', k))?.value).toBe(i);
  });
});
