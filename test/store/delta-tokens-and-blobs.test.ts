import { randomUUID } from 'node:crypto';
import { openStore, type Store } from '../../store';

describe('drive delta links and blobs', () => {
  let store: Store;
  beforeAll(async () => { store = await openStore(process.env.COUNCILGUARD_TEST_STORAGE!); });

  it('keeps one delta link per tenant and drive, and forgets it on request', async () => {
    const [t, other] = [randomUUID(), randomUUID()];
    const drive = 'b!Xy_7a-QmTkuZ/odd#id';
    const link = `https://graph.microsoft.com/v1.0/drives/${encodeURIComponent(drive)}/root/delta?token=${'a'.repeat(900)}`;
    expect(await store.getDeltaLink(t, drive)).toBeUndefined();
    await store.putDeltaLink(t, drive, link);
    await store.putDeltaLink(t, 'another-drive', `${link}-2`);
    expect(await store.getDeltaLink(t, drive)).toBe(link);
    expect(await store.getDeltaLink(t.toUpperCase(), drive)).toBe(link);
    expect(await store.getDeltaLink(other, drive)).toBeUndefined();
    await store.putDeltaLink(t, drive, `${link}-next`);
    expect(await store.getDeltaLink(t, drive)).toBe(`${link}-next`);
    await store.deleteDeltaLink(t, drive);
    await store.deleteDeltaLink(t, drive); // already gone: no error
    expect(await store.getDeltaLink(t, drive)).toBeUndefined();
    expect(await store.getDeltaLink(t, 'another-drive')).toBe(`${link}-2`);
  });

  it('refuses something that is not a delta link', async () => {
    await expect(store.putDeltaLink(randomUUID(), 'd', 'token-only')).rejects.toThrow(/@odata.deltaLink/);
  });

  it('puts, gets and lists blobs by prefix', async () => {
    const prefix = `${randomUUID()}/`;
    await store.putBlob('reports', `${prefix}b.html`, '<p>b</p>');
    await store.putBlob('reports', `${prefix}a.json`, Buffer.from('{"a":1}'));
    await store.putBlob('reports', `${prefix}sub/c.csv`, 'x,y\r\n');
    expect(await store.listBlobs('reports', prefix)).toEqual([`${prefix}a.json`, `${prefix}b.html`, `${prefix}sub/c.csv`]);
    expect(await store.listBlobs('reports', `${prefix}sub/`)).toEqual([`${prefix}sub/c.csv`]);
    expect((await store.getBlob('reports', `${prefix}a.json`))?.toString()).toBe('{"a":1}');
    expect(await store.getBlob('reports', `${prefix}missing`)).toBeUndefined();
    expect(await store.getBlob('never-created-container', 'x')).toBeUndefined();
  });
});
