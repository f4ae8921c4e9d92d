// export-mail: every mail folder at any depth, each message's full MIME ($value) streamed into
// <archive>/Mail/<folder path>/<received> <subject> <id>.eml. The folder tree and each folder's message
// list are saved once; then each message is copied and its manifest row written after the upload, so a
// restart copies only what has no row (re-copying, under the same name, at most the few in flight).
// At most 4 requests reach the mailbox at once (Outlook's per-mailbox limit), and a mailbox slot is held
// only for the download: the message is then uploaded under its own limit, held in memory within a byte
// budget (or in a temporary file when large), so the slow archive write never idles a mailbox slot. Every mailbox request
// asks for immutable ids, so a message moved after listing keeps the id we hold. Mail keeps arriving
// after sign-in is blocked, so once every listed message is copied a catch-up pass re-lists each folder
// and copies what arrived or moved in since; passes repeat until one finds nothing new.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import pLimit from 'p-limit';
import { ArchiveWriter, MemoryBudget, openStream, spoolToFile } from '../archive';
import { ManifestLog, summarise, type ManifestRow, type RowSummary } from '../manifest';
import { appendMessageChunk, clearMessageList, LIST_CHUNK, messageChunks, type ListedMessage } from '../message-lists';
import { recoverableDeletionsFolder, walkMailFolders, type MailFolderEntry } from '../mail-folders';
import { findUncopiable, recordUncopiable } from '../mailbox-extras';
import { messageFileName } from '../names';
import { buildFolderIndex } from '../folder-index';
import { loadStepData, saveStepData } from '../state';
import { TimeSlice } from '../slice';
import type { Step, StepContext, StepOutcome } from '../types';

export interface ArchivedMailFolder extends MailFolderEntry {
  archiveFolderId: string;
}

export interface MailStepData {
  folders: ArchivedMailFolder[];
  /** Messages listed per folder id (the count verify compares with the archive). */
  listed: Record<string, number>;
  /** Catch-up passes run after the main copy, and how many messages each found. */
  catchUp?: number[];
}


/** Outlook ids change when an item moves; this header (per request) asks for ids that do not. */
export const IMMUTABLE_ID = { Prefer: 'IdType="ImmutableId"' };
/**
 * A message's MIME asked for unencoded: a gzip-encoded answer's Content-Length is not the MIME's length
 * (RFC 9110, 8.6), and with no length the message would go to a temporary file instead of memory.
 */
const MESSAGE_DOWNLOAD_HEADERS = { ...IMMUTABLE_ID, 'Accept-Encoding': 'identity' };
/** Catch-up passes before the step gives up for this run (mail still arriving); verify then catches the rest. */
const MAX_CATCH_UP_PASSES = 10;

const MAILBOX_CONCURRENCY = 4;
/** Messages under way at once in a folder (downloading, waiting for an upload slot, uploading). */
const COPY_WINDOW = 64;

/** The folder tree, with an archive folder made for each (so empty folders arrive too). */
async function prepareFolders(ctx: StepContext, writer: ArchiveWriter): Promise<MailStepData> {
  const target = ctx.record.target!;
  const folders = await walkMailFolders(ctx, target.id);
  const deletions = await recoverableDeletionsFolder(ctx, target.id, folders);
  if (deletions) folders.push(deletions);
  const mailRoot = await writer.ensureFolder(ctx.record.archive!.folderId, 'Mail');
  const archived: ArchivedMailFolder[] = [];
  const idOf = new Map<string, string>();
  for (const f of folders) {
    const parent = f.parentId ? idOf.get(f.parentId)! : mailRoot.id;
    const item = await writer.ensureFolder(parent, f.archivePath.split('/').pop()!);
    idOf.set(f.id, item.id);
    archived.push({ ...f, archiveFolderId: item.id });
  }
  return { folders: archived, listed: {} };
}

/** A folder's messages with their archive names, unique in the folder even when short ids collide. */
interface RawMessage {
  id: string;
  internetMessageId?: string;
  receivedDateTime?: string;
  subject?: string;
  hasAttachments?: boolean;
  from?: { emailAddress?: { address?: string; name?: string } };
  toRecipients?: { emailAddress?: { address?: string } }[];
}

const MESSAGE_LIST_SELECT = ['id', 'internetMessageId', 'receivedDateTime', 'subject', 'hasAttachments', 'from', 'toRecipients'];
const messagesPath = (ctx: StepContext, folderId: string) => `/users/${ctx.record.target!.id}/mailFolders/${encodeURIComponent(folderId)}/messages`;

/** A folder's messages as they are now, with immutable ids and the metadata the hand-over shows, a page at a time. */
export function eachFolderPage(ctx: StepContext, folderId: string, onPage: (messages: RawMessage[]) => Promise<void>): Promise<void> {
  return ctx.mailbox(() => ctx.graph.pageEach<RawMessage>(messagesPath(ctx, folderId), MESSAGE_LIST_SELECT, { top: 1000, headers: IMMUTABLE_ID }, LIST_CHUNK, onPage));
}

/** Archive names for messages, unique in the folder (`taken` holds the names already used there) even when short ids collide. */
function nameMessages(raw: RawMessage[], taken: Set<string>): ListedMessage[] {
  return raw.map((m) => {
    let name = messageFileName(m.receivedDateTime ?? '', m.subject ?? '', m.id);
    for (let len = 16; taken.has(name.toLowerCase()) && len <= 64; len *= 2) name = messageFileName(m.receivedDateTime ?? '', m.subject ?? '', m.id, len);
    taken.add(name.toLowerCase());
    return {
      id: m.id, internetMessageId: m.internetMessageId, receivedDateTime: m.receivedDateTime, name,
      subject: m.subject ?? '', from: m.from?.emailAddress?.address ?? '', to: (m.toRecipients ?? []).map((r) => r.emailAddress?.address ?? '').filter(Boolean), hasAttachments: !!m.hasAttachments,
    };
  });
}

/** The hand-over's columns, straight from the listing (no extra request). */
const listingColumns = (m: ListedMessage): Pick<ManifestRow, 'from' | 'to' | 'subject' | 'hasAttachments'> => ({ from: m.from, to: m.to, subject: m.subject, hasAttachments: m.hasAttachments });

/** Lists the folder into its stored chunks, page by page; returns how many messages it holds. */
async function listMessages(ctx: StepContext, folder: ArchivedMailFolder): Promise<number> {
  const { store, record } = ctx;
  // A listing cut short by a restart left some chunks: it starts again from the first page.
  await clearMessageList(store, record.id, folder.id);
  const taken = new Set<string>();
  let count = 0;
  await eachFolderPage(ctx, folder.id, async (page) => {
    await appendMessageChunk(store, record.id, folder.id, nameMessages(page, taken));
    count += page.length;
  });
  return count;
}

/** The archive names already used in a folder's list (lower case), so later ones stay unique. */
async function namesTaken(ctx: StepContext, folderId: string): Promise<Set<string>> {
  const taken = new Set<string>();
  for await (const chunk of messageChunks(ctx.store, ctx.record.id, folderId)) for (const m of chunk) taken.add(m.name.toLowerCase());
  return taken;
}

/**
 * One catch-up pass: each folder re-listed; a message with no manifest row and not yet listed (arrived,
 * or moved in from a folder where it was never copied) is added to its folder's list. Returns how many.
 * Only the messages with no row are held, and only they are looked for in the stored lists: after a
 * full copy every listed message has a row, so a 50,000-message mailbox's ids are never gathered here.
 */
async function catchUpPass(ctx: StepContext, data: MailStepData, rows: Map<string, RowSummary>): Promise<number> {
  const { store, record } = ctx;
  const unseen = new Map<string, RawMessage[]>();
  // A message moved between folders while they were re-listed can show in both: it is taken once.
  const seen = new Set<string>();
  for (const folder of data.folders) {
    const fresh: RawMessage[] = [];
    await eachFolderPage(ctx, folder.id, async (page) => {
      for (const m of page) if (!rows.has(`message:${m.id}`) && !seen.has(m.id)) { seen.add(m.id); fresh.push(m); }
    });
    if (fresh.length) unseen.set(folder.id, fresh);
  }
  if (!unseen.size) return 0;
  // Listed already (in this folder or another) but with no row yet: copyListed copies it from that list.
  const listed = new Set<string>();
  for (const folder of data.folders) {
    for await (const chunk of messageChunks(store, record.id, folder.id)) for (const m of chunk) if (seen.has(m.id)) listed.add(m.id);
  }
  let found = 0;
  for (const folder of data.folders) {
    const fresh = (unseen.get(folder.id) ?? []).filter((m) => !listed.has(m.id));
    if (!fresh.length) continue;
    const named = nameMessages(fresh, await namesTaken(ctx, folder.id));
    await appendMessageChunk(store, record.id, folder.id, named);
    data.listed[folder.id] = (data.listed[folder.id] ?? 0) + named.length;
    found += named.length;
  }
  return found;
}

async function run(ctx: StepContext): Promise<StepOutcome> {
  const { record, store } = ctx;
  const target = record.target!;
  const archive = record.archive!;
  const writer = new ArchiveWriter(ctx.graph, archive.driveId, archive.library, ctx.tuning);
  let data = await loadStepData<MailStepData>(store, record.id, 'export-mail');
  if (!data) {
    await recordUncopiable(ctx, await findUncopiable(ctx));
    data = await prepareFolders(ctx, writer);
    await saveStepData(store, record.id, 'export-mail', data);
  }
  const log = new ManifestLog(store, record.id, 'export-mail', ctx.tuning.flushEvery);
  // Each copied item's row in brief; the rows themselves stream to the store and stay there.
  const rows = await log.loadIndex();
  const total = data.folders.reduce((n, f) => n + (data!.listed[f.id] ?? f.totalItemCount), 0);
  let bytesDone = 0;
  for (const r of rows.values()) bytesDone += r.size;
  const report = (note?: string) => ctx.progress({ step: 'export-mail', done: rows.size, total, bytesDone, bytesTotal: 0, note });
  report();
  const slice = new TimeSlice(ctx.deadline);

  for (;;) {
    const outcome = await copyListed(ctx, data, writer, log, rows, slice, report, (n) => { bytesDone += n; });
    if (outcome) return outcome;
    if ((data.catchUp?.length ?? 0) > 0 && data.catchUp!.at(-1) === 0) break;
    if ((data.catchUp?.length ?? 0) >= MAX_CATCH_UP_PASSES) break;
    if (slice.over) return { status: 'more' };
    const found = await catchUpPass(ctx, data, rows);
    data.catchUp = [...(data.catchUp ?? []), found];
    await saveStepData(store, record.id, 'export-mail', data);
    if (found) await ctx.audit({ action: 'content.list', target: `mailbox ${target.userPrincipalName}`, result: 'done', detail: `Catch-up pass ${data.catchUp.length}: ${found} message(s) arrived in or moved into the mailbox's folders since they were listed; they are copied now (surrender ${record.id}).` });
  }
  await writeFolderIndexes(ctx, data, writer, log, rows);
  const counts = { messages: 0, gone: 0, bytes: 0 };
  for (const [key, r] of rows) {
    if (!key.startsWith('message:')) continue;
    if (r.status === 'archived') counts.messages++;
    else counts.gone++;
    counts.bytes += r.size;
  }
  return {
    status: 'done',
    counts: { folders: data.folders.length, ...counts, caughtUp: (data.catchUp ?? []).reduce((n, x) => n + x, 0) },
  };
}

/**
 * Each folder's index.html (the clerk's browsable list), rewritten whenever the step finishes, with its
 * manifest row. A folder's page lists the messages of its stored list that were archived (each listed
 * message is copied into its own folder's archive folder), with the size from the rows index: the
 * list has every other column, so no manifest segment is read. Each page is written to a temporary
 * file and uploaded from it, and an unchanged page (same size and SHA-256 as its last row) is not
 * uploaded again.
 */
async function writeFolderIndexes(ctx: StepContext, data: MailStepData, writer: ArchiveWriter, log: ManifestLog, rows: Map<string, RowSummary>): Promise<void> {
  const { store, record } = ctx;
  await log.flush();
  const councillor = record.target!.displayName;
  for (const folder of data.folders) {
    const page = await buildFolderIndex(folder, councillor, async (add) => {
      // One row per message, as in the manifest: a message the list held twice was copied once, under its first name.
      const added = new Set<string>();
      for await (const chunk of messageChunks(store, record.id, folder.id)) {
        for (const m of chunk) {
          const copy = rows.get(`message:${m.id}`);
          if (copy?.status !== 'archived' || added.has(m.id)) continue;
          added.add(m.id);
          await add({ ...listingColumns(m), name: m.name, received: m.receivedDateTime, size: copy.size });
        }
      }
    });
    try {
      const key = `index:${folder.id}`;
      const previous = rows.get(key);
      if (previous && previous.size === page.size && previous.sha256 === page.sha256) continue;
      const copy = await writer.copy(folder.archiveFolderId, 'index.html', async () => ({ body: createReadStream(page.path), size: page.size }));
      if (copy === 'gone') throw new Error('unreachable: a local file cannot be gone');
      const row: ManifestRow = { kind: 'index', sourceId: folder.id, sourceFolder: folder.sourcePath, folder: folder.archivePath, name: 'index.html', size: copy.size, sha256: copy.sha256, archiveItemId: copy.item.id, status: 'archived', at: new Date().toISOString() };
      rows.set(key, summarise(row));
      await log.add(row);
    } finally {
      await page.cleanup();
    }
  }
  await log.flush();
}

/** Copies every listed message that has no row yet, folder by folder; 'more' when the time slice ran out. */
async function copyListed(
  ctx: StepContext, data: MailStepData, writer: ArchiveWriter, log: ManifestLog, rows: Map<string, RowSummary>, slice: TimeSlice,
  report: (note?: string) => void, onBytes: (n: number) => void,
): Promise<StepOutcome | undefined> {
  const { record, store } = ctx;
  const target = record.target!;
  const archive = record.archive!;
  for (const folder of data.folders) {
    if (data.listed[folder.id] === undefined) {
      if (slice.over) return { status: 'more' };
      data.listed[folder.id] = await listMessages(ctx, folder);
      await saveStepData(store, record.id, 'export-mail', data);
    }

    let stopped = false;
    let copied = 0;
    let copiedBytes = 0;
    let gone = 0;
    // Two stages: the download under a mailbox slot, then the upload under its own limit. The byte
    // budget bounds what waits between them, so memory cannot grow with the mailbox.
    const downloads = pLimit(MAILBOX_CONCURRENCY);
    const uploads = pLimit(ctx.tuning.uploadConcurrency);
    const budget = new MemoryBudget(ctx.tuning.copyMemoryBytes);
    const copyOne = async (m: ListedMessage) => {
      const fetched = await downloads(async () => {
        if (stopped || !slice.take()) { stopped = true; return undefined; }
        await budget.room();
        return ctx.mailbox(() => fetchMessage(ctx, target.id, m.id, budget));
      });
      if (fetched === undefined) return;
      const result = fetched === 'gone' ? 'gone' : await uploads(async () => {
        try {
          return await writer.copy(folder.archiveFolderId, m.name, async () => ({ body: fetched.open(), size: fetched.size }), onBytes);
        } finally {
          await fetched.release();
        }
      });
      const row: ManifestRow = result === 'gone'
        ? { ...listingColumns(m), kind: 'message', sourceId: m.id, internetMessageId: m.internetMessageId, sourceFolder: folder.sourcePath, folder: folder.archivePath, name: m.name, received: m.receivedDateTime, size: 0, sha256: '', archiveItemId: '', status: 'gone', at: new Date().toISOString() }
        : { ...listingColumns(m), kind: 'message', sourceId: m.id, internetMessageId: m.internetMessageId, sourceFolder: folder.sourcePath, folder: folder.archivePath, name: m.name, received: m.receivedDateTime, size: result.size, sha256: result.sha256, archiveItemId: result.item.id, status: 'archived', at: new Date().toISOString() };
      if (result === 'gone') gone++;
      else { copied++; copiedBytes += result.size; }
      rows.set(`message:${m.id}`, summarise(row));
      await log.add(row);
      report(result === 'gone' ? 'a message was deleted from the mailbox before it could be copied' : undefined);
    };
    // Only a window of messages is under way at a time (not one promise per message of a 25,000-message
    // folder): enough to keep every mailbox and upload slot busy. Written by hand: p-limit would queue
    // a closure per message up front, which is the growth this avoids. A finished copy wakes the loop
    // directly: Promise.race over the copies under way would attach a reaction to each of the 64 per
    // wait, held until that copy ends, which was the largest source of garbage in the copy.
    const inFlight = new Set<Promise<void>>();
    let placeFreed: (() => void) | undefined;
    let failure: { reason: unknown } | undefined;
    // The list is read a stored chunk at a time (a listing page), not held whole.
    chunks: for await (const chunk of messageChunks(store, record.id, folder.id)) {
      for (const m of chunk) {
        if (stopped) break chunks;
        if (rows.has(`message:${m.id}`)) continue;
        while (inFlight.size >= COPY_WINDOW) await new Promise<void>((resolve) => { placeFreed = resolve; });
        if (stopped) break chunks;
        const p: Promise<void> = copyOne(m)
          .catch((err: unknown) => { stopped = true; failure ??= { reason: err }; })
          .finally(() => {
            inFlight.delete(p);
            const wake = placeFreed;
            placeFreed = undefined;
            wake?.();
          });
        inFlight.add(p);
      }
    }
    await Promise.all(inFlight);
    await log.flush();
    if (copied || gone) {
      await ctx.audit({
        action: 'content.read', target: `mailbox ${target.userPrincipalName}: ${folder.sourcePath}`, result: 'done',
        detail: `Read the full content (MIME) of ${copied} message(s), ${copiedBytes} bytes, and wrote them to ${archive.library}/${archive.folderName}/${folder.archivePath} for the clerk (surrender ${record.id}).${gone ? ` ${gone} message(s) had been deleted from the mailbox before they could be copied.` : ''}`,
      });
    }
    if (failure) throw failure.reason;
    if (stopped) return { status: 'more' };
  }
  return undefined;
}

/** The message's content ended before the length its response announced: a fresh download can cure it. */
class ShortDownload extends Error {
  override name = 'ShortDownload';
}

/** A message's MIME, read whole: re-openable for the upload (and its retries); release frees it. */
type FetchedMessage = 'gone' | { size: number; open: () => Readable; release: () => Promise<void> };

/**
 * Downloads one message's MIME ($value) whole, so its mailbox slot can be freed before the upload: in
 * memory (taking its bytes from the budget) when the response announces a length within the simple
 * upload limit, otherwise to a temporary file. A download that breaks off is fetched again.
 */
async function fetchMessage(ctx: StepContext, userId: string, messageId: string, budget: MemoryBudget): Promise<FetchedMessage> {
  let openFailure: unknown;
  return ctx.graph.retryLoop.run(async () => {
    let source: Awaited<ReturnType<typeof openStream>>;
    try {
      source = await openStream(ctx.graph, `/users/${userId}/messages/${encodeURIComponent(messageId)}/$value`, MESSAGE_DOWNLOAD_HEADERS);
    } catch (err) {
      // The request's own retries are spent (the middleware retried it): that ends the copy.
      openFailure = err;
      throw err;
    }
    if (source === 'gone') return 'gone';
    const { body, size } = source;
    if (size === undefined || size > ctx.tuning.simpleUploadLimit) {
      const file = await spoolToFile(body);
      return { size: file.size, open: () => createReadStream(file.path), release: file.cleanup };
    }
    budget.take(size);
    try {
      // The chunks as they arrived, uploaded as they are: fetch gives each chunk its own buffer, so
      // gathering them into one more buffer would only double the garbage each message leaves.
      const chunks: Buffer[] = [];
      let at = 0;
      for await (const chunk of body) {
        const b = chunk as Buffer;
        if (at + b.length > size) throw new ShortDownload(`a message's content ran past the ${size} bytes announced`);
        chunks.push(b);
        at += b.length;
      }
      if (at !== size) throw new ShortDownload(`a message's content ended after ${at} of the ${size} bytes announced`);
      let released = false;
      return {
        size,
        open: () => Readable.from(chunks),
        release: async () => { if (!released) { released = true; budget.release(size); } },
      };
    } catch (err) {
      budget.release(size);
      body.destroy();
      throw err;
    }
  }, {
    count: (attempt) => { if (attempt > 0) ctx.graph.meter.count('restart', 'message download restarted'); },
    retryError: (err) => (err === openFailure ? false : err instanceof ShortDownload ? true : undefined),
  });
}

export const exportMail: Step = {
  name: 'export-mail',
  title: 'Copy the mailbox',
  async plan(ctx) {
    const folders = (ctx.planData.mailFolders as MailFolderEntry[] | undefined) ?? [];
    const messages = folders.reduce((n, f) => n + f.totalItemCount, 0);
    return {
      step: 'export-mail', title: this.title,
      summary: `Copy ${messages} message(s) in ${folders.length} folder(s), each as an .eml file with its attachments, into the archive's Mail folder.`,
      counts: { folders: folders.length, messages },
    };
  },
  run,
};
