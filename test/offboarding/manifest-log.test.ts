// The surrender's row log against Azurite: each item's latest row wins, an invalidated row stops
// counting, and reading one archive folder back reads only the stored segments that hold its rows.
import { randomUUID } from 'node:crypto';
import { invalidateRows, ManifestLog, rowGroups, type ManifestRow } from '../../offboarding/manifest';
import { openStore, type Store } from '../../store';

const row = (folder: string, sourceId: string, at: string, extra: Partial<ManifestRow> = {}): ManifestRow => ({
  kind: 'message', sourceId, sourceFolder: folder, folder, name: `${sourceId}.eml`, size: 10, sha256: `sha-${sourceId}-${at}`, archiveItemId: `item-${sourceId}`, status: 'archived', at, ...extra,
});

/** The store, counting reads of row segments (the real Azurite store underneath). */
function counting(store: Store): { store: Store; reads: string[] } {
  const reads: string[] = [];
  const wrapped = Object.create(store) as Store;
  wrapped.getBlob = (container, name) => {
    if (name.includes('/rows/')) reads.push(name);
    return store.getBlob(container, name);
  };
  return { store: wrapped, reads };
}

describe('the surrender manifest log', () => {
  let store: Store;
  beforeAll(async () => { store = await openStore(process.env.COUNCILGUARD_TEST_STORAGE!); });

  async function writeFolders(id: string): Promise<void> {
    const log = new ManifestLog(store, id, 'export-mail', 2);
    // Inbox in two segments, Sent in one, then Inbox's m1 copied again later (its newer row wins).
    for (const r of [row('Mail/Inbox', 'm1', 't1'), row('Mail/Inbox', 'm2', 't1'), row('Mail/Inbox', 'm3', 't1'), row('Mail/Inbox', 'm4', 't1'), row('Mail/Sent', 's1', 't1'), row('Mail/Sent', 's2', 't1')]) await log.add(r);
    await log.flush();
    // Segment names are ordered by the time they were written, in milliseconds.
    await new Promise((r) => setTimeout(r, 5));
    await log.add(row('Mail/Inbox', 'm1', 't2', { size: 99 }));
    await log.flush();
  }

  it('keeps each item\'s latest row, and drops a row verify invalidated', async () => {
    const id = randomUUID().replace(/-/g, '');
    await writeFolders(id);
    await invalidateRows(store, id, 'export-mail', [{ kind: 'message', sourceId: 's2' }], 't1');
    const rows = await new ManifestLog(store, id, 'export-mail').load();
    expect([...rows.values()].map((r) => `${r.sourceId}@${r.at}`).sort()).toEqual(['m1@t2', 'm2@t1', 'm3@t1', 'm4@t1', 's1@t1']);
    const index = await new ManifestLog(store, id, 'export-mail').loadIndex();
    expect(index.get('message:m1')).toEqual({ at: 't2', size: 99, status: 'archived' });
  });

  it('gives each archive folder\'s rows together, reading only the segments that hold them', async () => {
    const id = randomUUID().replace(/-/g, '');
    await writeFolders(id);
    const { store: watched, reads } = counting(store);
    const groups: { folder: string; ids: string[]; reads: number }[] = [];
    for await (const g of rowGroups(watched, id, { steps: ['export-mail'] })) {
      groups.push({ folder: g.folder, ids: g.rows.map((r) => `${r.sourceId}@${r.at}`), reads: reads.length });
    }
    expect(groups.map(({ folder, ids }) => ({ folder, ids }))).toEqual([
      { folder: 'Mail/Inbox', ids: ['m1@t2', 'm2@t1', 'm3@t1', 'm4@t1'] },
      { folder: 'Mail/Sent', ids: ['s1@t1', 's2@t1'] },
    ]);
    // 4 segments: two passes over all (index, folders) = 8; then Inbox's 3 segments ([m1,m2], [m3,m4], [m1 again])
    // and Sent's 1, not all 4 for each folder.
    expect(groups[0].reads).toBe(8 + 3);
    expect(groups[1].reads).toBe(8 + 3 + 1);
  });

  it('reads no segment for the index when the caller already holds it, and trims rows as it reads them', async () => {
    const id = randomUUID().replace(/-/g, '');
    await writeFolders(id);
    const index = await new ManifestLog(store, id, 'export-mail').loadIndex();
    const { store: watched, reads } = counting(store);
    const groups: { folder: string; ids: string[] }[] = [];
    const project = (r: ManifestRow): ManifestRow => ({ ...r, name: r.name.toUpperCase() });
    for await (const g of rowGroups(watched, id, { steps: ['export-mail'], indexes: new Map([['export-mail', index]]), project })) {
      groups.push({ folder: g.folder, ids: g.rows.map((r) => `${r.sourceId}@${r.at}`) });
      expect(g.rows.every((r) => r.name === r.name.toUpperCase())).toBe(true);
    }
    expect(groups.map((g) => g.folder)).toEqual(['Mail/Inbox', 'Mail/Sent']);
    // One pass for the folders (4 segments), then Inbox's 3 and Sent's 1: no second pass for the index.
    expect(reads.length).toBe(4 + 3 + 1);
  });
});
