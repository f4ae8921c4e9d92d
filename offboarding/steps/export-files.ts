// export-files: the councillor's OneDrive into <archive>/Files/ with its folder structure. Each copy is
// checked against the source by the quickXorHash Graph reports for both (SharePoint computes it for the
// copy, so nothing is downloaded twice to compare). OneNote notebooks are package items (no folder or
// file facet): they are walked like folders and their files copied. An item of any other kind (a
// shortcut to someone else's folder) is not the councillor's to copy: it is listed as not copied.
import pLimit from 'p-limit';
import { TimeSlice } from '../slice';
import { ArchiveWriter, openStream, type DriveItem } from '../archive';
import { GraphRequestError } from '../../graph/errors';
import { getJson, ManifestLog, putJson, type ManifestRow } from '../manifest';
import { uniqueSegments } from '../names';
import type { NotCopied, Step, StepContext, StepOutcome } from '../types';

interface RawDriveItem {
  id: string;
  name?: string;
  size?: number;
  root?: object;
  folder?: object;
  file?: { hashes?: { quickXorHash?: string } };
  deleted?: object;
  parentReference?: { id?: string };
  package?: { type?: string };
  remoteItem?: { id?: string; name?: string };
}

export interface FileEntry {
  id: string;
  /** "/Council/Photos/fete.jpg" as it was in the OneDrive. */
  sourcePath: string;
  name: string;
  /** Archive folder path: "Files/Council/Photos". */
  folder: string;
  archiveFolderId: string;
  size: number;
  quickXorHash?: string;
}

export interface FilesInventory {
  driveId: string | null;
  /** `package`: the folder is a package item (a OneNote notebook), with its type. */
  folders: { id: string; sourcePath: string; archivePath: string; archiveFolderId: string; package?: string }[];
  files: FileEntry[];
  /** Items of a kind that is not copied (not file, folder or package), listed on the certificate. */
  skipped?: { id: string; sourcePath: string; kind: string }[];
}

const INVENTORY = 'files/inventory.json';
const SELECT = ['id', 'name', 'size', 'root', 'folder', 'file', 'deleted', 'parentReference', 'package', 'remoteItem'];

/** The OneDrive's live items as a tree (delta gives them flat, parents by id). */
export async function readDriveTree(ctx: StepContext, userId: string): Promise<{ driveId: string; items: RawDriveItem[] } | null> {
  let drive: { id: string };
  try {
    drive = await ctx.graph.get<{ id: string }>(`/users/${userId}/drive`, ['id']);
  } catch (err) {
    if (err instanceof GraphRequestError && err.status === 404) return null; // no OneDrive provisioned
    throw err;
  }
  const { values } = await ctx.graph.delta<RawDriveItem>(`/drives/${drive.id}/root/delta`, SELECT);
  return { driveId: drive.id, items: values.filter((i) => !i.deleted) };
}

async function buildInventory(ctx: StepContext, writer: ArchiveWriter): Promise<FilesInventory> {
  const tree = await readDriveTree(ctx, ctx.record.target!.id);
  if (!tree) return { driveId: null, folders: [], files: [] };
  const byParent = new Map<string, RawDriveItem[]>();
  const root = tree.items.find((i) => i.root);
  for (const i of tree.items) {
    if (i.root || !i.parentReference?.id) continue;
    const list = byParent.get(i.parentReference.id) ?? [];
    list.push(i);
    byParent.set(i.parentReference.id, list);
  }
  const filesRoot = await writer.ensureFolder(ctx.record.archive!.folderId, 'Files');
  const inventory: FilesInventory = { driveId: tree.driveId, folders: [], files: [] };
  const walk = async (parentId: string, sourcePath: string, archivePath: string, archiveFolderId: string): Promise<void> => {
    const children = [...(byParent.get(parentId) ?? [])].sort((a, b) => a.id.localeCompare(b.id));
    const names = uniqueSegments(children.map((c) => c.name ?? ''), 'untitled');
    for (const [i, child] of children.entries()) {
      const childSource = `${sourcePath}/${child.name ?? ''}`;
      if (child.folder || child.package) {
        const made = await writer.ensureFolder(archiveFolderId, names[i]);
        const archiveChild = `${archivePath}/${names[i]}`;
        inventory.folders.push({ id: child.id, sourcePath: childSource, archivePath: archiveChild, archiveFolderId: made.id, ...(child.package ? { package: child.package.type ?? 'unknown' } : {}) });
        await walk(child.id, childSource, archiveChild, made.id);
      } else if (child.file) {
        inventory.files.push({ id: child.id, sourcePath: childSource, name: names[i], folder: archivePath, archiveFolderId, size: child.size ?? 0, quickXorHash: child.file.hashes?.quickXorHash });
      } else {
        (inventory.skipped ??= []).push({ id: child.id, sourcePath: childSource, kind: child.remoteItem ? 'shortcut' : 'unknown' });
      }
    }
  };
  inventory.folders.push({ id: root?.id ?? 'root', sourcePath: '/', archivePath: 'Files', archiveFolderId: filesRoot.id });
  if (root) await walk(root.id, '', 'Files', filesRoot.id);
  return inventory;
}

/** Copies of a file that keeps changing before it is taken at its latest version and listed. */
const MAX_COPY_ATTEMPTS = 3;

/**
 * Copies one file and checks the copy's quickXorHash against the source's. A mismatch means the file
 * was saved again since it was listed: the source is read again and, if the copy is not its current
 * version, copied again and checked against the new hash; a file that still changes after
 * MAX_COPY_ATTEMPTS copies is kept at the latest version copied and marked so the certificate lists it.
 * Without a hash on either side nothing is compared here: verify re-downloads the copy and checks its SHA-256.
 */
async function copyChecked(ctx: StepContext, writer: ArchiveWriter, driveId: string, f: FileEntry, onBytes: (n: number) => void): Promise<ManifestRow> {
  const archive = ctx.record.archive!;
  const base = { kind: 'file' as const, sourceId: f.id, sourceFolder: f.sourcePath, folder: f.folder, name: f.name };
  for (let attempt = 1; ; attempt++) {
    const result = await writer.copy(f.archiveFolderId, f.name, () => openStream(ctx.graph, `/drives/${driveId}/items/${f.id}/content`), onBytes);
    if (result === 'gone') return { ...base, size: 0, sha256: '', archiveItemId: '', status: 'gone', at: new Date().toISOString() };
    let copyHash = result.item.file?.hashes?.quickXorHash;
    // SharePoint computes the hash after the write; when the upload's answer lacks it, ask for the item.
    if (!copyHash) copyHash = (await ctx.graph.get<DriveItem>(`/drives/${archive.driveId}/items/${result.item.id}`, ['id', 'file'])).file?.hashes?.quickXorHash;
    const row = (source: string, extra: Partial<ManifestRow> = {}): ManifestRow => ({
      ...base, size: result.size, sha256: result.sha256, archiveItemId: result.item.id,
      quickXorHash: { source, copy: copyHash ?? '' }, status: 'archived', at: new Date().toISOString(), ...extra,
    });
    if (!copyHash || !f.quickXorHash) return row(f.quickXorHash ?? '');
    if (attempt === 1 && copyHash === f.quickXorHash) return row(f.quickXorHash);
    let now: RawDriveItem;
    try {
      now = await ctx.graph.get<RawDriveItem>(`/drives/${driveId}/items/${f.id}`, ['id', 'size', 'file']);
    } catch (err) {
      // Deleted after our read: the copy is its last version.
      if (err instanceof GraphRequestError && err.status === 404) return row(copyHash, { changedDuringCopy: true });
      throw err;
    }
    const nowHash = now.file?.hashes?.quickXorHash ?? '';
    if (nowHash === copyHash) return row(nowHash, { changedDuringCopy: true });
    if (attempt >= MAX_COPY_ATTEMPTS) return row(nowHash, { changedDuringCopy: true, keptChanging: true });
    ctx.graph.meter.count('restart', 'OneDrive file changed during its copy');
  }
}

const SHORTCUTS = 'OneDrive shortcuts to folders or files in other people\'s OneDrives or sites';
const UNKNOWN_KINDS = 'OneDrive items of a kind CouncilGuard does not copy (neither file, folder nor notebook)';

/** Items not copied go on the record once (a restart replaces the same entries), for the certificate and the clerk's page. */
async function listSkipped(ctx: StepContext, inventory: FilesInventory): Promise<void> {
  const skipped = inventory.skipped ?? [];
  if (!skipped.length) return;
  const shortcuts = skipped.filter((x) => x.kind === 'shortcut');
  const unknown = skipped.filter((x) => x.kind !== 'shortcut');
  const entries: NotCopied[] = [];
  const paths = (xs: typeof skipped) => xs.slice(0, 10).map((x) => x.sourcePath).join(', ') + (xs.length > 10 ? ', …' : '');
  if (shortcuts.length) entries.push({ what: SHORTCUTS, count: shortcuts.length, where: `where they point, owned by someone else (${paths(shortcuts)})`, why: 'a shortcut is not the councillor\'s content; its owner keeps it', keepsMailbox: false });
  if (unknown.length) entries.push({ what: UNKNOWN_KINDS, count: unknown.length, where: `in the councillor's OneDrive until Microsoft deletes it after the OneDrive retention period (${paths(unknown)})`, why: 'Graph gave them no file, folder or package facet, so there are no bytes CouncilGuard can copy; the IT supplier should look at them before the OneDrive is deleted', keepsMailbox: false });
  ctx.record.notCopied = [...(ctx.record.notCopied ?? []).filter((x) => x.what !== SHORTCUTS && x.what !== UNKNOWN_KINDS), ...entries.map((e) => ({ ...e, source: 'export-files' as const }))];
  await ctx.saveRecord();
}

async function run(ctx: StepContext): Promise<StepOutcome> {
  const { record, store } = ctx;
  const archive = record.archive!;
  const writer = new ArchiveWriter(ctx.graph, archive.driveId, archive.library, ctx.tuning);
  let inventory = await getJson<FilesInventory>(store, record.id, INVENTORY);
  if (!inventory) {
    inventory = await buildInventory(ctx, writer);
    await putJson(store, record.id, INVENTORY, inventory);
  }
  await listSkipped(ctx, inventory);
  const log = new ManifestLog(store, record.id, 'export-files', ctx.tuning.flushEvery);
  const rows = await log.load();
  const total = inventory.files.length;
  const bytesTotal = inventory.files.reduce((n, f) => n + f.size, 0);
  let bytesDone = [...rows.values()].reduce((n, r) => n + r.size, 0);
  const report = () => ctx.progress({ step: 'export-files', done: rows.size, total, bytesDone, bytesTotal });
  report();
  const todo = inventory.files.filter((f) => !rows.has(`file:${f.id}`));
  let stopped = false;
  const slice = new TimeSlice(ctx.deadline);
  let copied = 0;
  let copiedBytes = 0;
  const limit = pLimit(4);
  const results = await Promise.allSettled(todo.map((f) => limit(async () => {
    if (stopped || !slice.take()) { stopped = true; return; }
    const row = await copyChecked(ctx, writer, inventory!.driveId!, f, (n) => { bytesDone += n; });
    if (row.status === 'archived') { copied++; copiedBytes += row.size; }
    rows.set(`file:${f.id}`, row);
    await log.add(row);
    report();
  }).catch((err) => { stopped = true; throw err; })));
  await log.flush();
  if (copied) {
    await ctx.audit({ action: 'content.read', target: `OneDrive of ${record.target!.userPrincipalName}`, result: 'done', detail: `Read ${copied} file(s), ${copiedBytes} bytes, and wrote them to ${archive.library}/${archive.folderName}/Files (surrender ${record.id}).` });
  }
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  if (stopped) return { status: 'more' };
  const all = [...rows.values()];
  return {
    status: 'done',
    counts: {
      files: all.filter((r) => r.status === 'archived').length,
      folders: Math.max(0, inventory.folders.filter((f) => !f.package).length - 1),
      notebooks: inventory.folders.filter((f) => f.package).length,
      notCopied: inventory.skipped?.length ?? 0,
      bytes: all.reduce((n, r) => n + r.size, 0),
      hashMismatches: all.filter((r) => r.quickXorHash && r.quickXorHash.source && r.quickXorHash.source !== r.quickXorHash.copy).length,
    },
  };
}

export const exportFiles: Step = {
  name: 'export-files',
  title: 'Copy the OneDrive',
  async plan(ctx) {
    const files = (ctx.planData.files as { count: number; bytes: number } | undefined) ?? { count: 0, bytes: 0 };
    return {
      step: 'export-files', title: this.title,
      summary: files.count ? `Copy ${files.count} OneDrive file(s) (${(files.bytes / 1048576).toFixed(1)} MB) with their folders into the archive's Files folder, each checked by quickXorHash.` : 'The councillor has no OneDrive files to copy.',
      counts: { files: files.count, bytes: files.bytes },
    };
  },
  run,
};
