// verify: the proof. For every mail folder, the messages listed at export equal the messages archived
// (plus any deleted from the mailbox while we copied, re-checked as still gone) and the archive folder
// holds exactly those files; every manifest row has its file, same name and size; OneDrive copies
// carry the source's quickXorHash; and the SHA-256 of the archived bytes, read back from SharePoint,
// matches the manifest for every item (or a stated random sample). Anything wrong stops the surrender
// before any closing step, names what is missing, and marks those items to be copied again next run.
// The mailbox itself is asked again too: each folder's totalItemCount is re-read and reconciled with
// the archive (moved in or out since the copy, deleted since the copy); a message in the mailbox with
// no copy is never accepted: export-mail runs again and its catch-up pass copies it.
import { createHash } from 'node:crypto';
import { TimeSlice } from '../slice';
import { ArchiveWriter } from '../archive';
import { GraphRequestError } from '../../graph/errors';
import { CONTAINER, EXPORT_STEPS, getJson, invalidateRows, ManifestLog, putJson, rowGroups, rowKey, withoutListingColumns, type ManifestRow, type RowSummary, type StepIndexes } from '../manifest';
import { eachFolderPage, IMMUTABLE_ID, type MailStepData } from './export-mail';
import { messageChunks } from '../message-lists';
import type { FilesInventory } from './export-files';
import { loadStepData, saveStepData } from '../state';
import { reconcileCalendarsAndContacts } from '../reconcile-items';
import { StepFailure, type Step, type StepContext, type StepName, type StepOutcome } from '../types';

export interface VerifySummary {
  folders: {
    sourcePath: string; archivePath: string; listed: number; archived: number; gone: number; inArchive: number;
    /** Mail folders: totalItemCount re-read from the mailbox at verify, and how the difference with the archive is explained. */
    inMailboxNow?: number;
    /** Copied from another folder, then moved here (the copy is in that folder's archive folder). */
    movedIn?: number;
    /** Copied from here, then moved to another folder or deleted from the mailbox (the copy is kept). */
    leftSinceCopy?: number;
    /**
     * Items the folder's totalItemCount includes but its message listing does not show ("mailFolder
     * resource type": the count covers every item type): they stay in the mailbox and are named here.
     */
    notMessages?: number;
  }[];
  rows: number;
  gone: { name: string; sourceFolder: string; internetMessageId?: string }[];
  hashChecked: number;
  hashScope: 'all' | 'sample';
  problems: string[];
  verifiedAt?: string;
}

const SUMMARY = 'verify/summary.json';
const HASHED = 'verify/hashed.json';
/** Rows gathered before hashing starts on them: enough to keep every worker busy, few enough to hold. */
const HASH_BATCH = 500;
const stepOf: Record<ManifestRow['kind'], StepName> = { message: 'export-mail', index: 'export-mail', contacts: 'export-contacts', calendar: 'export-calendar', file: 'export-files' };

/**
 * Each valid item's row in brief, per exporting step (ManifestLog.loadIndex): counts and sizes without
 * the rows. Read once for the whole of verify: each is as large as the mailbox (50,000 keys), so every
 * part of verify shares these rather than reading its own.
 */
async function loadIndexes(ctx: StepContext): Promise<StepIndexes> {
  const indexes: StepIndexes = new Map();
  for (const step of EXPORT_STEPS) indexes.set(step, await new ManifestLog(ctx.store, ctx.record.id, step).loadIndex());
  return indexes;
}

/**
 * The items whose bytes are re-read when a sample is asked for: chosen by a hash of the surrender id and
 * the item (random, yet the same on a restart). Undefined when every archived item is re-read.
 */
export function sampledKeys(indexes: StepIndexes, surrenderId: string, sample: number | null): Set<string> | undefined {
  if (sample === null) return undefined;
  const ranked: { rank: string; key: string }[] = [];
  for (const index of indexes.values()) {
    for (const [key, r] of index) {
      if (r.status !== 'archived') continue;
      const colon = key.indexOf(':');
      ranked.push({ key, rank: createHash('sha256').update(`${surrenderId}|${key.slice(0, colon)}|${key.slice(colon + 1)}`).digest('hex') });
    }
  }
  if (sample >= ranked.length) return undefined;
  return new Set(ranked.sort((a, b) => a.rank.localeCompare(b.rank)).slice(0, sample).map((x) => x.key));
}

/** A OneDrive copy that could not be compared by quickXorHash (no hash on one side): always re-read. */
const lacksQuickXor = (r: ManifestRow) => r.kind === 'file' && r.status === 'archived' && (!r.quickXorHash?.source || !r.quickXorHash.copy);

interface Tally {
  rows: number;
  gone: VerifySummary['gone'];
}

/**
 * The archive against the manifest and the listings, one archive folder's rows at a time (rowGroups):
 * a 50,000-message mailbox holds only its largest folder's rows here, never all of them.
 */
async function structuralChecks(ctx: StepContext, writer: ArchiveWriter, indexes: StepIndexes, problems: string[], bad: ManifestRow[], tally: Tally): Promise<VerifySummary['folders']> {
  const { record, store } = ctx;

  /** Compares one archive folder's files with the rows that say they are in it. */
  const compare = async (archiveFolderId: string, archivePath: string, expected: ManifestRow[]): Promise<number> => {
    const byId = await writer.childFiles(archiveFolderId);
    const expectedIds = new Set<string>();
    for (const r of expected.filter((x) => x.status === 'archived')) {
      expectedIds.add(r.archiveItemId);
      const found = byId.get(r.archiveItemId);
      if (!found) { problems.push(`${archivePath}/${r.name} is missing from the archive`); bad.push(r); continue; }
      if (found.name.toLowerCase() !== r.name.toLowerCase()) { problems.push(`${archivePath}/${r.name} was renamed to ${found.name} in the archive`); bad.push(r); }
      if ((found.size ?? -1) !== r.size) { problems.push(`${archivePath}/${r.name} is ${found.size} bytes in the archive, not the ${r.size} exported`); bad.push(r); }
    }
    const extras = [...byId].filter(([id]) => !expectedIds.has(id)).map(([, c]) => c);
    if (extras.length) problems.push(`${archivePath} holds ${extras.length} file(s) the export did not write: ${extras.slice(0, 5).map((e) => e.name).join(', ')}${extras.length > 5 ? ', …' : ''}`);
    // Items counted are the folder's own content, not the index export-mail writes beside it.
    const indexIds = expected.filter((r) => r.kind === 'index').map((r) => r.archiveItemId);
    return byId.size - indexIds.filter((id) => byId.has(id)).length;
  };

  const mail = await loadStepData<MailStepData>(store, record.id, 'export-mail');
  const mailIndex = indexes.get('export-mail')!;
  const files = await getJson<FilesInventory>(store, record.id, 'files/inventory.json');
  const mailSummaries = new Map<string, VerifySummary['folders'][number]>();
  const fileSummaries = new Map<string, VerifySummary['folders'][number]>();
  // Where each archived message's copy is, read only when a folder's count differs from its archive.
  let copiedFolderOf: Promise<Map<string, string>> | undefined;
  const copiedFolders = () => (copiedFolderOf ??= archivedMessageFolders(ctx, mailIndex));

  const checkMailFolder = async (f: MailStepData['folders'][number], rows: ManifestRow[]) => {
    const inFolder = rows.filter((r) => r.kind === 'message');
    // A message listed here may have been copied from the folder it was first listed in (moved since).
    let listed = 0;
    let notExported = 0;
    let example = '';
    for await (const chunk of messageChunks(store, record.id, f.id)) {
      listed += chunk.length;
      for (const m of chunk) if (!mailIndex.has(`message:${m.id}`)) { if (!notExported++) example = m.name; }
    }
    if (notExported) problems.push(`${notExported} message(s) listed in "${f.sourcePath}" were never exported (e.g. ${example})`);
    // The folder's index.html was written by export-mail too, so it is expected beside the messages.
    const inArchive = await compare(f.archiveFolderId, f.archivePath, rows);
    const reconciled = await reconcileMailFolder(ctx, f, inFolder, copiedFolders, problems);
    mailSummaries.set(f.archivePath, { sourcePath: f.sourcePath, archivePath: f.archivePath, listed, archived: inFolder.filter((r) => r.status === 'archived').length, gone: inFolder.filter((r) => r.status === 'gone').length, inArchive, ...reconciled });
  };

  const checkFileFolder = async (f: FilesInventory['folders'][number], expected: ManifestRow[]) => {
    const listed = files!.files.filter((x) => x.folder === f.archivePath);
    const exportedIds = new Set(expected.map((r) => r.sourceId));
    const notExported = listed.filter((x) => !exportedIds.has(x.id));
    if (notExported.length) problems.push(`${notExported.length} OneDrive file(s) in "${f.sourcePath}" were never exported (e.g. ${notExported[0].name})`);
    for (const r of expected) {
      if (r.quickXorHash?.source && r.quickXorHash.source !== r.quickXorHash.copy && !r.keptChanging) { problems.push(`${f.archivePath}/${r.name}: the copy's quickXorHash ${r.quickXorHash.copy || '(none)'} differs from the source's ${r.quickXorHash.source}`); bad.push(r); }
    }
    const inArchive = await compare(f.archiveFolderId, f.archivePath, expected);
    fileSummaries.set(f.archivePath, { sourcePath: `OneDrive${f.sourcePath === '/' ? '' : f.sourcePath.split('/').join(' / ')}${f.package === 'oneNote' ? ' (OneNote notebook)' : f.package ? ` (${f.package} package)` : ''}`, archivePath: f.archivePath, listed: listed.length, archived: expected.filter((r) => r.status === 'archived').length, gone: expected.filter((r) => r.status === 'gone').length, inArchive });
  };

  const itemKinds = new Set<string>();
  for await (const group of rowGroups(store, record.id, { project: withoutListingColumns, indexes })) {
    tally.rows += group.rows.length;
    for (const r of group.rows) if (r.status === 'gone') tally.gone.push({ name: r.name, sourceFolder: r.sourceFolder, internetMessageId: r.internetMessageId });
    await recheckGone(ctx, group.rows, problems, bad);
    if (group.step === 'export-mail') {
      const f = mail?.folders.find((x) => x.archivePath === group.folder);
      if (f) await checkMailFolder(f, group.rows);
    } else if (group.step === 'export-files') {
      const f = files?.folders.find((x) => x.archivePath === group.folder);
      if (f) await checkFileFolder(f, group.rows);
    } else {
      // Contacts and calendar rows span folders: the .ics/.vcf files, and the papers attached to meetings in folders below.
      for (const r of group.rows) itemKinds.add(r.kind);
      const folder = await writer.itemAt(record.archive!.folderId, group.folder);
      if (!folder) { problems.push(`the archive's ${group.folder} folder is missing`); bad.push(...group.rows); continue; }
      await compare(folder.id, group.folder, group.rows);
    }
  }
  // Folders with no row at all (empty, or nothing exported from them) are checked too.
  for (const f of mail?.folders ?? []) if (!mailSummaries.has(f.archivePath)) await checkMailFolder(f, []);
  for (const f of files?.folders ?? []) if (!fileSummaries.has(f.archivePath)) await checkFileFolder(f, []);
  for (const kind of ['contacts', 'calendar'] as const) if (!itemKinds.has(kind)) problems.push(`the ${kind} export has no manifest row`);
  return [
    ...(mail?.folders ?? []).map((f) => mailSummaries.get(f.archivePath)!),
    ...(files?.folders ?? []).map((f) => fileSummaries.get(f.archivePath)!),
  ];
}

/** Each archived message's archive folder, by message id: read from the manifest only when a folder needs it. */
async function archivedMessageFolders(ctx: StepContext, mailIndex: Map<string, RowSummary>): Promise<Map<string, string>> {
  const folders = new Map<string, string>();
  // One string per folder name, not one per row as each segment's JSON gives them.
  const names = new Map<string, string>();
  await new ManifestLog(ctx.store, ctx.record.id, 'export-mail').eachValidSegment(mailIndex, async (segment) => {
    for (const r of segment) {
      if (r.kind !== 'message' || r.status !== 'archived') continue;
      let folder = names.get(r.folder);
      if (folder === undefined) names.set(r.folder, folder = r.folder);
      folders.set(r.sourceId, folder);
    }
  });
  return folders;
}

/** Marks a mail problem found in the mailbox itself (not the archive): export-mail runs its catch-up again. */
const MAILBOX_AHEAD = 'is in the mailbox but not in the archive';

/**
 * The folder's totalItemCount now, from Graph, against the archive. Equal counts are accepted (every
 * listed message has its copy, checked above); otherwise the folder is listed and each difference is
 * explained (moved in after its copy elsewhere, moved out or deleted after its copy) or is a problem.
 */
async function reconcileMailFolder(ctx: StepContext, f: MailStepData['folders'][number], inFolder: ManifestRow[], copiedFolders: () => Promise<Map<string, string>>, problems: string[]): Promise<Pick<VerifySummary['folders'][number], 'inMailboxNow' | 'movedIn' | 'leftSinceCopy' | 'notMessages'>> {
  const userId = ctx.record.target!.id;
  let total: number;
  try {
    total = (await ctx.mailbox(() => ctx.graph.get<{ totalItemCount?: number }>(`/users/${userId}/mailFolders/${encodeURIComponent(f.id)}`, ['id', 'totalItemCount'], 'v1.0', IMMUTABLE_ID))).totalItemCount ?? 0;
  } catch (err) {
    if (!(err instanceof GraphRequestError && err.status === 404)) throw err;
    // The folder was deleted since the export: every copy of it stays in the archive.
    return { inMailboxNow: 0, movedIn: 0, leftSinceCopy: inFolder.filter((r) => r.status === 'archived').length };
  }
  const archivedHere = inFolder.filter((r) => r.status === 'archived');
  if (total === archivedHere.length) return { inMailboxNow: total, movedIn: 0, leftSinceCopy: 0 };
  const copiedTo = await copiedFolders();
  // The folder's messages now, a page at a time: only their ids are kept, not a 25,000-message listing.
  const nowIds = new Set<string>();
  let missing = 0;
  let firstMissing = '';
  let movedIn = 0;
  await eachFolderPage(ctx, f.id, async (page) => {
    for (const m of page) {
      nowIds.add(m.id);
      const to = copiedTo.get(m.id);
      if (to === undefined) { if (!missing++) firstMissing = m.receivedDateTime ?? 'unknown'; }
      else if (to !== f.archivePath) movedIn++;
    }
  });
  const leftSinceCopy = archivedHere.filter((r) => !nowIds.has(r.sourceId)).length;
  if (missing) problems.push(`${missing} message(s) in "${f.sourcePath}" ${MAILBOX_AHEAD} (arrived or moved there after the copy; e.g. received ${firstMissing})`);
  // What the count holds beyond the messages listed is not silently accepted: it is named on the certificate.
  return { inMailboxNow: total, movedIn, leftSinceCopy, notMessages: Math.max(0, total - nowIds.size) };
}

/** A message that answered 404 during export must still be gone; if it is back, it must be copied. */
async function recheckGone(ctx: StepContext, rows: ManifestRow[], problems: string[], bad: ManifestRow[]): Promise<void> {
  for (const r of rows.filter((x) => x.status === 'gone' && x.kind === 'message')) {
    try {
      await ctx.mailbox(() => ctx.graph.get(`/users/${ctx.record.target!.id}/messages/${encodeURIComponent(r.sourceId)}`, ['id'], 'v1.0', IMMUTABLE_ID));
      problems.push(`"${r.sourceFolder}" message ${r.name} could not be read during the export but exists now`);
      bad.push(r);
    } catch (err) {
      if (!(err instanceof GraphRequestError && err.status === 404)) throw err;
    }
  }
}

async function run(ctx: StepContext): Promise<StepOutcome> {
  const { record, store } = ctx;
  const archive = record.archive!;
  const writer = new ArchiveWriter(ctx.graph, archive.driveId, archive.library, ctx.tuning);
  const problems: string[] = [];
  const bad: ManifestRow[] = [];
  let summary = await getJson<VerifySummary>(store, record.id, SUMMARY);
  const rerun = new Set<StepName>();
  const indexes = await loadIndexes(ctx);
  if (!summary) {
    const tally: Tally = { rows: 0, gone: [] };
    const folders = await structuralChecks(ctx, writer, indexes, problems, bad, tally);
    // Events per calendar and contacts per folder, asked of the mailbox again.
    const items = await reconcileCalendarsAndContacts(ctx);
    problems.push(...items.problems);
    for (const s of items.rerun) rerun.add(s);
    folders.push(...items.folders.map((f) => ({ sourcePath: f.sourcePath, archivePath: f.archivePath, listed: f.copied, archived: f.copied, gone: 0, inArchive: f.copied, inMailboxNow: f.inMailboxNow, movedIn: 0, leftSinceCopy: f.leftSinceCopy })));
    summary = {
      folders, rows: tally.rows, problems: [...problems], hashChecked: 0, hashScope: record.request.options.verifySample === null ? 'all' : 'sample',
      gone: tally.gone,
    };
    if (!problems.length) await putJson(store, record.id, SUMMARY, summary);
  }

  if (!problems.length) {
    // The long part, resumable: re-read and hash the archived bytes, remembering what is done. Rows are
    // read one archive folder at a time; the sample (if any) is chosen from the indexes' keys alone.
    const sampled = sampledKeys(indexes, record.id, record.request.options.verifySample);
    const chosen = (r: ManifestRow) => r.status === 'archived' && (!sampled || sampled.has(rowKey(r)) || lacksQuickXor(r));
    const hashed = new Set((await getJson<string[]>(store, record.id, HASHED)) ?? []);
    // The total to show: every archived item, or the sample plus the OneDrive copies without a quickXorHash.
    let total = 0;
    let bytesTotal = 0;
    let bytesDone = 0;
    const count = (key: string, size: number) => { total++; bytesTotal += size; if (hashed.has(key)) bytesDone += size; };
    for (const index of indexes.values()) for (const [key, r] of index) if (r.status === 'archived' && (!sampled || sampled.has(key))) count(key, r.size);
    if (sampled) {
      await new ManifestLog(store, record.id, 'export-files').eachValidSegment(indexes.get('export-files')!, async (rows) => {
        for (const r of rows) if (lacksQuickXor(r) && !sampled.has(rowKey(r))) count(rowKey(r), r.size);
      });
    }
    let stopped = false;
    const slice = new TimeSlice(ctx.deadline);
    let sinceSave = 0;
    const save = () => putJson(store, record.id, HASHED, [...hashed]);
    const hashOne = async (r: ManifestRow) => {
      if (stopped || !slice.take()) { stopped = true; return; }
      const got = await writer.sha256Of(r.archiveItemId);
      if (got === 'missing') { problems.push(`${r.folder}/${r.name} is missing from the archive`); bad.push(r); }
      else if (got.sha256 !== r.sha256 || got.size !== r.size) { problems.push(`${r.folder}/${r.name} has changed in the archive: SHA-256 ${got.sha256.slice(0, 12)}…, ${got.size} bytes; exported ${r.sha256.slice(0, 12)}…, ${r.size} bytes`); bad.push(r); }
      else hashed.add(rowKey(r));
      bytesDone += r.size;
      ctx.progress({ step: 'verify', done: hashed.size, total, bytesDone, bytesTotal });
      // Saved every flushEvery items at first, then less often as the set grows (each save rewrites the
      // whole set), so a 50,000-item verify writes a few times the set's size in all, not 500 copies of it.
      if (++sinceSave >= Math.max(ctx.tuning.flushEvery, Math.floor(hashed.size / 4))) { sinceSave = 0; await save(); }
    };
    // Rows to hash are gathered a batch at a time from one pass over each step's stored segments (the
    // order does not matter here), then hashed by one task per worker slot, each taking the next row.
    let todo: ManifestRow[] = [];
    const hashTodo = async () => {
      const batch = todo;
      todo = [];
      let next = 0;
      await Promise.all(Array.from({ length: Math.max(1, ctx.tuning.verifyConcurrency) }, async () => {
        while (next < batch.length && !stopped) await hashOne(batch[next++]);
      }));
    };
    for (const [step, index] of indexes) {
      if (stopped) break;
      await new ManifestLog(store, record.id, step).eachValidSegment(index, async (rows) => {
        if (stopped) return;
        for (const r of rows) if (chosen(r) && !hashed.has(rowKey(r))) todo.push(withoutListingColumns(r));
        if (todo.length >= HASH_BATCH) await hashTodo();
      });
    }
    if (!stopped) await hashTodo();
    await save();
    if (stopped && !problems.length) return { status: 'more' };
    summary.hashChecked = hashed.size;
  }

  if (problems.length) {
    // The next run copies these again (their rows no longer count), then verifies afresh.
    const at = new Date().toISOString();
    for (const step of new Set(bad.map((r) => stepOf[r.kind]))) {
      await invalidateRows(store, record.id, step, bad.filter((r) => stepOf[r.kind] === step), at);
      record.steps[step] = { status: 'pending' };
    }
    if (problems.some((p) => /never exported/.test(p))) record.steps['export-mail'] = { status: 'pending' };
    // Calendars or contacts the mailbox holds beyond the archive: those steps copy them again.
    for (const step of rerun) record.steps[step] = { status: 'pending' };
    if (problems.some((p) => p.includes(MAILBOX_AHEAD))) {
      // The next export-mail run starts its catch-up passes afresh, which copy what is missing.
      const mail = await loadStepData<MailStepData>(store, record.id, 'export-mail');
      if (mail) await saveStepData(store, record.id, 'export-mail', { ...mail, catchUp: [] });
      record.steps['export-mail'] = { status: 'pending' };
    }
    await store.blobs.delete(CONTAINER, `${record.id}/${SUMMARY}`);
    await store.blobs.delete(CONTAINER, `${record.id}/${HASHED}`);
    await ctx.audit({ action: 'surrender.verify', target: `archive of ${record.target!.userPrincipalName}`, result: 'failed', detail: problems.slice(0, 20).join('; ') });
    throw new StepFailure(
      `Verification failed, so nothing has been closed: ${problems.length} problem(s): ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? '; …' : ''}. Run the surrender again: the missing items are copied again and verified afresh.`,
      problems,
    );
  }
  summary.verifiedAt = ctx.clock().toISOString();
  await putJson(store, record.id, SUMMARY, summary);
  await ctx.audit({
    action: 'surrender.verify', target: `archive of ${record.target!.userPrincipalName}`, result: 'done',
    detail: `${summary.rows} manifest row(s) checked against the archive in ${summary.folders.length} folder(s); SHA-256 re-read for ${summary.hashChecked} item(s) (${summary.hashScope}); ${summary.gone.length} message(s) deleted from the mailbox during the export.`,
  });
  return { status: 'done', counts: { rows: summary.rows, hashChecked: summary.hashChecked, gone: summary.gone.length, folders: summary.folders.length } };
}

export async function readVerifySummary(ctx: Pick<StepContext, 'store' | 'record'>): Promise<VerifySummary | undefined> {
  return getJson<VerifySummary>(ctx.store, ctx.record.id, SUMMARY);
}

export const verify: Step = {
  name: 'verify',
  title: 'Verify the archive',
  async plan(ctx) {
    const sample = ctx.record.request.options.verifySample;
    return { step: 'verify', title: this.title, summary: `Compare the archive with the mailbox folder by folder and re-read the SHA-256 of ${sample === null ? 'every archived item' : `${sample} archived item(s) chosen at random`}; stop before closing anything if one is missing or differs.` };
  },
  run,
};
