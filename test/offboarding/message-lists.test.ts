// offboarding/message-lists.ts against Azurite: a folder's list stored in chunks of 1,000 and read back a
// chunk at a time in order; a listing begun again clears the old chunks; a list an older run stored whole
// (one blob per folder) is still read, before any chunk a catch-up pass added, and is cleared with the chunks.
import { createHash, randomUUID } from 'node:crypto';
import { appendMessageChunk, clearMessageList, LIST_CHUNK, messageChunks, type ListedMessage } from '../../offboarding/message-lists';
import { putJson } from '../../offboarding/manifest';
import { openStore, type Store } from '../../store';

const listed = (n: number, from = 0): ListedMessage[] => Array.from({ length: n }, (_, i) => ({ id: `m${from + i}`, name: `${from + i}.eml`, subject: `Subject ${from + i}` }));

async function readAll(store: Store, id: string, folderId: string): Promise<{ sizes: number[]; ids: string[] }> {
  const sizes: number[] = [];
  const ids: string[] = [];
  for await (const chunk of messageChunks(store, id, folderId)) {
    sizes.push(chunk.length);
    ids.push(...chunk.map((m) => m.id));
  }
  return { sizes, ids };
}

describe('mail folder message lists', () => {
  let store: Store;
  beforeAll(async () => { store = await openStore(process.env.COUNCILGUARD_TEST_STORAGE!); });

  it('stores a long list in chunks of 1,000 and reads it back a chunk at a time, in order; later chunks follow', async () => {
    const id = randomUUID().replace(/-/g, '');
    await appendMessageChunk(store, id, 'inbox', listed(2500));
    await appendMessageChunk(store, id, 'inbox', listed(3, 2500));
    const { sizes, ids } = await readAll(store, id, 'inbox');
    expect(sizes).toEqual([LIST_CHUNK, LIST_CHUNK, 500, 3]);
    expect(ids).toEqual(listed(2503).map((m) => m.id));
    // Another folder's list is its own.
    expect(await readAll(store, id, 'sent')).toEqual({ sizes: [], ids: [] });
  });

  it('a listing begun again starts from nothing', async () => {
    const id = randomUUID().replace(/-/g, '');
    await appendMessageChunk(store, id, 'inbox', listed(1500));
    await clearMessageList(store, id, 'inbox');
    await appendMessageChunk(store, id, 'inbox', listed(2, 9000));
    expect((await readAll(store, id, 'inbox')).ids).toEqual(['m9000', 'm9001']);
  });

  it('reads a list an earlier version stored whole, then what was appended after it', async () => {
    const id = randomUUID().replace(/-/g, '');
    const whole = `mail/list/${createHash('sha256').update('inbox').digest('hex').slice(0, 24)}.json`;
    await putJson(store, id, whole, listed(4));
    await appendMessageChunk(store, id, 'inbox', listed(1, 4));
    expect(await readAll(store, id, 'inbox')).toEqual({ sizes: [4, 1], ids: ['m0', 'm1', 'm2', 'm3', 'm4'] });
  });

  it('a listing begun again after an upgrade also clears the list an earlier version stored whole, so no message is read twice', async () => {
    const id = randomUUID().replace(/-/g, '');
    const whole = `mail/list/${createHash('sha256').update('inbox').digest('hex').slice(0, 24)}.json`;
    await putJson(store, id, whole, listed(4));
    await clearMessageList(store, id, 'inbox');
    await appendMessageChunk(store, id, 'inbox', listed(4));
    expect(await readAll(store, id, 'inbox')).toEqual({ sizes: [4], ids: ['m0', 'm1', 'm2', 'm3'] });
  });
});
