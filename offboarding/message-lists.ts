// Each mail folder's message list as export-mail made it (ids, archive names, the listing's columns),
// stored in chunks of up to LIST_CHUNK messages, one blob each, written as the listing's pages arrive:
// neither the listing, the copy, the catch-up nor verify holds a 25,000-message folder's list whole.
import { createHash } from 'node:crypto';
import { CONTAINER, getJson, putJson } from './manifest';
import type { Store } from '../store';

export interface ListedMessage {
  id: string;
  internetMessageId?: string;
  receivedDateTime?: string;
  name: string;
  /** From the listing, for the manifest and the folder index (never the body). */
  subject?: string;
  from?: string;
  to?: string[];
  hasAttachments?: boolean;
}

/** Messages per stored chunk: one listing page ($top=1000). */
export const LIST_CHUNK = 1000;

const folderKey = (folderId: string) => createHash('sha256').update(folderId).digest('hex').slice(0, 24);
const chunkPrefix = (folderId: string) => `mail/list/${folderKey(folderId)}/`;
/** Surrenders begun before lists were chunked kept each folder's list as one blob: still read. */
const wholeListName = (folderId: string) => `mail/list/${folderKey(folderId)}.json`;

async function chunkNames(store: Store, id: string, folderId: string): Promise<string[]> {
  const prefix = `${id}/${chunkPrefix(folderId)}`;
  return (await store.listBlobs(CONTAINER, prefix)).map((n) => n.slice(id.length + 1)).sort();
}

/**
 * Removes a folder's list (a listing that did not finish is started again from the first page),
 * including a whole list an earlier version stored: left beside the new chunks, its messages would be
 * read twice.
 */
export async function clearMessageList(store: Store, id: string, folderId: string): Promise<void> {
  await store.blobs.deleteUnder(CONTAINER, `${id}/${chunkPrefix(folderId)}`);
  await store.blobs.delete(CONTAINER, `${id}/${wholeListName(folderId)}`);
}

/** Adds a chunk after the folder's others (a listing page, or what a catch-up pass found). */
export async function appendMessageChunk(store: Store, id: string, folderId: string, messages: ListedMessage[]): Promise<void> {
  const existing = await chunkNames(store, id, folderId);
  let seq = existing.length;
  for (let at = 0; at < messages.length; at += LIST_CHUNK) {
    await putJson(store, id, `${chunkPrefix(folderId)}${String(seq++).padStart(6, '0')}.json`, messages.slice(at, at + LIST_CHUNK));
  }
}

/** The folder's list, a chunk at a time, in the order it was listed. */
export async function* messageChunks(store: Store, id: string, folderId: string): AsyncGenerator<ListedMessage[]> {
  const whole = await getJson<ListedMessage[]>(store, id, wholeListName(folderId));
  if (whole) yield whole;
  for (const name of await chunkNames(store, id, folderId)) {
    const chunk = await getJson<ListedMessage[]>(store, id, name);
    if (chunk) yield chunk;
  }
}
