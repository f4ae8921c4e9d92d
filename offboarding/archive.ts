// The archive writer: folders and files in the council's archive library, copied from a source stream
// (a message's MIME, a OneDrive file) with the SHA-256 of the bytes taken as they pass. The upload
// itself (simple PUT or upload session, fragment retries) is graph/drive-upload.ts; here a copy whose
// session has expired is started again from the first byte with a fresh read of the source.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { GraphContext } from '../graph';
import { uploadToDrive, UploadSessionGone, type DriveItem, type UploadedFile } from '../graph/drive-upload';
import { statusOfError, toGraphRequestError } from '../graph/errors';
import { encodePath } from './names';
import { StepFailure, type Tuning } from './types';

export type { DriveItem };
export type CopyResult = UploadedFile;

/** A source to copy: opened afresh for each attempt; 'gone' when the source no longer exists (404). */
export type OpenSource = () => Promise<{ body: Readable; size?: number } | 'gone'>;

function statusOf(err: unknown): number | undefined {
  return statusOfError(err)?.status;
}

/** What a 403 or 507 on the archive means for the clerk and the IT supplier. */
function archiveRefusal(err: unknown, library: string): StepFailure | undefined {
  const status = statusOf(err);
  if (status === 403) return new StepFailure(`The archive library "${library}" refused the write (403): it is read-only for CouncilGuard. Give the app write access to the library (Sites.ReadWrite.All, and no read-only permission on "${library}"), then run the surrender again.`);
  if (status === 507) return new StepFailure(`The archive library "${library}" is full (507 insufficient storage). Free space on the SharePoint site or raise its storage limit, then run the surrender again.`);
  return undefined;
}

export class ArchiveWriter {
  constructor(private readonly graph: GraphContext, readonly driveId: string, readonly library: string, private readonly tuning: Tuning) {}

  /** The folder `name` below `parentId`, created when missing. Never replaces an existing folder. */
  async ensureFolder(parentId: string, name: string): Promise<DriveItem> {
    const path = `/drives/${this.driveId}/items/${parentId}/children`;
    try {
      return await this.graph.send<DriveItem>('POST', path, { name, folder: {}, '@microsoft.graph.conflictBehavior': 'fail' });
    } catch (err) {
      if (statusOf(err) === 409) return this.itemAt(parentId, name) as Promise<DriveItem>;
      throw archiveRefusal(err, this.library) ?? err;
    }
  }

  /** A new folder `name` below `parentId`, or 'exists' when that name is taken (never reuses it). */
  async createFolder(parentId: string, name: string): Promise<DriveItem | 'exists'> {
    try {
      return await this.graph.send<DriveItem>('POST', `/drives/${this.driveId}/items/${parentId}/children`, { name, folder: {}, '@microsoft.graph.conflictBehavior': 'fail' });
    } catch (err) {
      if (statusOf(err) === 409) return 'exists';
      throw archiveRefusal(err, this.library) ?? err;
    }
  }

  /** The item at a relative path below a folder, or undefined. */
  async itemAt(parentId: string, relative: string): Promise<DriveItem | undefined> {
    const path = `/drives/${this.driveId}/items/${parentId}:/${encodePath(relative)}`;
    try {
      return await this.graph.get<DriveItem>(path, ['id', 'name', 'size', 'webUrl', 'file', 'folder']);
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }

  /** A folder's files (not its subfolders) by item id, with name and size: read page by page, kept small (a folder can hold 25,000 messages). */
  async childFiles(folderId: string): Promise<Map<string, { name: string; size?: number }>> {
    const files = new Map<string, { name: string; size?: number }>();
    await this.graph.pageEach<DriveItem>(`/drives/${this.driveId}/items/${folderId}/children`, ['id', 'name', 'size', 'folder'], {}, 1000, async (items) => {
      for (const c of items) if (!c.folder) files.set(c.id, { name: c.name, size: c.size });
    });
    return files;
  }

  /** Writes bytes we already hold (manifest, certificate, vCard): simple upload, or a session when large. */
  async writeBuffer(parentId: string, name: string, bytes: Buffer): Promise<CopyResult> {
    const result = await this.copy(parentId, name, async () => ({ body: Readable.from([bytes]), size: bytes.length }));
    if (result === 'gone') throw new Error('unreachable: a buffer cannot be gone');
    return result;
  }

  /**
   * Copies a source into the folder under `name`, replacing an earlier copy of the same name (a
   * restart re-copies the item it was on; the name is stable, so nothing is duplicated). A copy that
   * failed in a way a fresh read can cure (session gone, dropped connection, throttling past the
   * request's own retries) is started again through the run's retry loop.
   */
  async copy(parentId: string, name: string, open: OpenSource, onBytes?: (n: number) => void): Promise<CopyResult | 'gone'> {
    let openFailure: unknown;
    try {
      return await this.graph.retryLoop.run(async () => {
        let source: Awaited<ReturnType<OpenSource>>;
        try {
          source = await open();
        } catch (err) {
          // The source could not be opened: that ends the copy, as the source's reader already retried.
          openFailure = err;
          throw err;
        }
        if (source === 'gone') return 'gone';
        try {
          const sized = source.size === undefined ? await spoolToDisk(source.body) : { ...source, size: source.size, cleanup: async () => {} };
          try {
            return await uploadToDrive(this.graph, { driveId: this.driveId, folderId: parentId, path: name }, sized, {
              simpleUploadLimit: this.tuning.simpleUploadLimit,
              fragmentBytes: this.tuning.uploadChunkBytes,
              conflictBehavior: 'replace',
              onBytes,
            });
          } finally {
            await sized.cleanup();
          }
        } catch (err) {
          source.body.destroy();
          throw err;
        }
      }, {
        count: (attempt) => { if (attempt > 0) this.graph.meter.count('restart', 'archive copy restarted'); },
        retryError: (err) => err === openFailure || err instanceof StepFailure || archiveRefusal(err, this.library) ? false : err instanceof UploadSessionGone ? true : undefined,
      });
    } catch (err) {
      if (err === openFailure) throw err;
      const refusal = archiveRefusal(err, this.library);
      if (refusal) throw refusal;
      if (err instanceof StepFailure) throw err;
      throw toGraphRequestError(err, 'PUT', `/drives/${this.driveId}/items/${parentId}:/…`);
    }
  }

  /** SHA-256 and length of an archived file's bytes, re-read from the library. */
  async sha256Of(itemId: string): Promise<{ sha256: string; size: number } | 'missing'> {
    const download = await this.graph.download(`/drives/${this.driveId}/items/${itemId}/content`);
    if (download === 'gone') return 'missing';
    const hash = createHash('sha256');
    let size = 0;
    for await (const c of download.body) {
      hash.update(c as Buffer);
      size += (c as Buffer).length;
    }
    return { sha256: hash.digest('hex'), size };
  }
}

/** A source written whole to a temporary file (disk, not memory): its path and size; cleanup removes it. */
export async function spoolToFile(body: Readable): Promise<{ path: string; size: number; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'cg-spool-'));
  const path = join(dir, 'item');
  try {
    await pipeline(body, createWriteStream(path));
    const { size } = await stat(path);
    return { path, size, cleanup: () => rm(dir, { recursive: true, force: true }) };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** A source of unknown length goes to a temporary file first (disk, not memory) so its size is known. */
async function spoolToDisk(body: Readable): Promise<{ body: Readable; size: number; cleanup: () => Promise<void> }> {
  const file = await spoolToFile(body);
  return { body: createReadStream(file.path), size: file.size, cleanup: file.cleanup };
}

/** A Graph GET whose body we stream (MIME, file content): the body, or 'gone' on 404. */
export function openStream(graph: GraphContext, path: string, headers?: Record<string, string>): Promise<{ body: Readable; size?: number } | 'gone'> {
  return graph.download(path, headers);
}

/**
 * Bytes held in memory by copies between their download and their upload. Hand-written (a counter and
 * a wait list): p-limit counts tasks, not bytes. A download waits for room before it starts, then
 * takes the bytes its response announced, so use stays below the budget plus one item per download
 * slot (each at most the in-memory limit).
 */
export class MemoryBudget {
  private used = 0;
  private waiters: (() => void)[] = [];
  /** The most ever held at once. */
  peak = 0;

  constructor(readonly maxBytes: number) {
    if (!(maxBytes > 0)) throw new Error(`The copy memory budget must be above 0 bytes, not ${maxBytes}.`);
  }

  get inUse(): number {
    return this.used;
  }

  /** Resolves once the budget is not full. */
  async room(): Promise<void> {
    while (this.used >= this.maxBytes) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  take(bytes: number): void {
    this.used += bytes;
    this.peak = Math.max(this.peak, this.used);
  }

  release(bytes: number): void {
    this.used -= bytes;
    const waiting = this.waiters;
    this.waiters = [];
    for (const wake of waiting) wake();
  }
}
