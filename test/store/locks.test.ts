import { randomUUID } from 'node:crypto';
import { openStore, type Store } from '../../store';

describe('locks', () => {
  let store: Store;
  beforeAll(async () => { store = await openStore(process.env.COUNCILGUARD_TEST_STORAGE!); });

  it('refuse a second holder, naming the first, until the first releases', async () => {
    const councillor = `${randomUUID()}|cllr.a@exampleparish.gov.uk`;
    expect(await store.acquireLock('surrender', councillor, 'run-1', 60)).toEqual({ acquired: true });
    const refused = await store.acquireLock('surrender', councillor, 'run-2', 60);
    expect(refused).toMatchObject({ acquired: false, holder: 'run-1' });
    expect(refused.acquired === false && Date.parse(refused.expiresAt)).toBeGreaterThan(Date.now());
    await store.releaseLock('surrender', councillor, 'run-2'); // not the holder: no effect
    expect(await store.acquireLock('surrender', councillor, 'run-2', 60)).toMatchObject({ acquired: false, holder: 'run-1' });
    expect(await store.acquireLock('surrender', councillor, 'run-1', 60)).toEqual({ acquired: true }); // renewal
    await store.releaseLock('surrender', councillor, 'run-1');
    expect(await store.acquireLock('surrender', councillor, 'run-2', 60)).toEqual({ acquired: true });
  });

  it('expire, so a crashed holder does not block forever', async () => {
    const key = randomUUID();
    expect(await store.acquireLock('surrender', key, 'crashed-run', 1)).toEqual({ acquired: true });
    expect(await store.acquireLock('surrender', key, 'next-run', 60)).toMatchObject({ acquired: false, holder: 'crashed-run' });
    await new Promise((r) => setTimeout(r, 1100));
    expect(await store.acquireLock('surrender', key, 'next-run', 60)).toEqual({ acquired: true });
    expect(await store.acquireLock('surrender', key, 'crashed-run', 60)).toMatchObject({ acquired: false, holder: 'next-run' });
  });

  it('give a contested lock to exactly one of several runs at once', async () => {
    const key = randomUUID();
    const results = await Promise.all(['a', 'b', 'c', 'd', 'e'].map(async (owner) => ({ owner, res: await (await openStore(process.env.COUNCILGUARD_TEST_STORAGE!)).acquireLock('surrender', key, owner, 60) })));
    const winners = results.filter((r) => r.res.acquired);
    expect(winners).toHaveLength(1);
    for (const r of results.filter((x) => !x.res.acquired)) expect(r.res).toMatchObject({ holder: winners[0].owner });
  });

  it('refuse a time to live that is not positive', async () => {
    await expect(store.acquireLock('surrender', randomUUID(), 'run', 0)).rejects.toThrow(/positive number of seconds/);
  });
});
