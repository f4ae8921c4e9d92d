// The archive writer: folders and files in the council's archive library, copied from a source stream
// (a message's MIME, a OneDrive file) with the SHA-256 of the bytes taken as they pass. Small items go
// by simple upload; larger ones through an upload session (LargeFileUploadTask) fed fragment by
// fragment from the stream, so nothing is held whole. A fragment that fails is resent; a session that
// has expired is started again from the first byte with a fresh read of the source.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { LargeFileUploadTask, ResponseType, type FileObject, type Range } from '@microsoft/microsoft-graph-client';
import type { GraphContext } from '../graph';
import { GraphRequestError, graphRequestError } from '../graph/errors';
import { backoffMs, DEFAULT_RETRY, isTransientNetworkError, retryAfterMs, RETRYABLE_STATUS, sleep } from '../graph/throttle';
import { encodePath } from './names';
import { StepFailure, type Tuning } from './types';

export interface DriveItem {
  id: string;
  name: string;
  size?: number;
  webUrl?: string;
  file?: { hashes?: { quickXorHash?: string; sha256Hash?: string } };
  folder?: { childCount?: number };
}

export interface CopyResult {
  item: DriveItem;
  size: number;
  sha256: string;
}

/** A source to copy: opened afresh for each attempt; 'gone' when the source no longer exists (404). */
export type OpenSource = () => Promise<{ body: Readable; size?: number } | 'gone'>;

/** The upload session died (expired or cancelled): the copy starts again from the first byte. */
class SessionGone extends Error {
  override name = 'SessionGone';
}

const MAX_ATTEMPTS = 6;

interface SdkError { statusCode?: number; code?: string; message?: string; body?: unknown; headers?: Headers }

function statusOf(err: unknown): number | undefined {
  if (err instanceof GraphRequestError) return err.status;
  const s = (err as SdkError)?.statusCode;
  return typeof s === 'number' && s > 0 ? s : undefined;
}

function toGraphError(err: unknown, method: string, path: string): Error {
  const e = err as SdkError;
  const status = statusOf(err);
  if (status && !(err instanceof GraphRequestError)) {
    let body: unknown = e.body;
    if (typeof body === 'string') { try { body = JSON.parse(body); } catch { body = undefined; } }
    if (!(body as { error?: unknown } | undefined)?.error) body = { error: { code: e.code ?? `HTTP${status}`, message: e.message } };
    return graphRequestError(status, body, method, path);
  }
  return err instanceof Error ? err : new Error(String((err as { error?: { message?: string } })?.error?.message ?? err));
}

/** What a 403 or 507 on the archive means for the clerk and the IT supplier. */
function archiveRefusal(err: unknown, library: string): StepFailure | undefined {
  const status = statusOf(err);
  if (status === 403) return new StepFailure(`The archive library "${library}" refused the write (403): it is read-only for CouncilGuard. Give the app write access to the library (Sites.ReadWrite.All, and no read-only permission on "${library}"), then run the surrender again.`);
  if (status === 507) return new StepFailure(`The archive library "${library}" is full (507 insufficient storage). Free space on the SharePoint site or raise its storage limit, then run the surrender again.`);
  return undefined;
}

/**
 * Retries a write the Graph client would not retry (streamed and binary bodies): 429/503/504 after
 * their Retry-After, and dropped connections, within the run's shared throttle.
 */
export async function withRetries<T>(graph: GraphContext, what: string, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    await graph.throttle.gate();
    try {
      return await fn();
    } catch (err) {
      const status = statusOf(err);
      const retryable = status ? RETRYABLE_STATUS.has(status) : isTransientNetworkError(err);
      if (!retryable || attempt >= DEFAULT_RETRY.maxRetries) throw err;
      const delay = backoffMs(attempt, DEFAULT_RETRY, retryAfterMs((err as SdkError).headers?.get?.('retry-after')));
      if (status === 429) graph.throttle.pause(delay);
      graph.meter.count('retry', what);
      await sleep(delay);
    }
  }
}

export class ArchiveWriter {
  constructor(private readonly graph: GraphContext, readonly driveId: string, readonly library: string, private readonly tuning: Tuning) {}

  /** The folder `name` below `parentId`, created when missing. Never replaces an existing folder. */
  async ensureFolder(parentId: string, name: string): Promise<DriveItem> {
    const path = `/drives/${this.driveId}/items/${parentId}/children`;
    try {
      return await withRetries(this.graph, path, () => this.graph.client.api(path).post({ name, folder: {}, '@microsoft.graph.conflictBehavior': 'fail' })) as DriveItem;
    } catch (err) {
      if (statusOf(err) === 409) return this.itemAt(parentId, name) as Promise<DriveItem>;
      throw archiveRefusal(err, this.library) ?? toGraphError(err, 'POST', path);
    }
  }

  /** The item at a relative path below a folder, or undefined. */
  async itemAt(parentId: string, relative: string): Promise<DriveItem | undefined> {
    const path = `/drives/${this.driveId}/items/${parentId}:/${encodePath(relative)}`;
    try {
      return await this.graph.client.api(path).select(['id', 'name', 'size', 'webUrl', 'file', 'folder']).get() as DriveItem;
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw toGraphError(err, 'GET', path);
    }
  }

  /** Every child of a folder (name, id, size, hashes), paged. */
  listChildren(folderId: string): Promise<DriveItem[]> {
    return this.graph.pageAll<DriveItem>(`/drives/${this.driveId}/items/${folderId}/children`, ['id', 'name', 'size', 'file', 'folder']);
  }

  /** Writes bytes we already hold (manifest, certificate, vCard): simple upload, or a session when large. */
  async writeBuffer(parentId: string, name: string, bytes: Buffer): Promise<CopyResult> {
    const result = await this.copy(parentId, name, async () => ({ body: Readable.from([bytes]), size: bytes.length }));
    if (result === 'gone') throw new Error('unreachable: a buffer cannot be gone');
    return result;
  }

  /**
   * Copies a source into the folder under `name`, replacing an earlier copy of the same name (a
   * restart re-copies the item it was on; the name is stable, so nothing is duplicated).
   */
  async copy(parentId: string, name: string, open: OpenSource, onBytes?: (n: number) => void): Promise<CopyResult | 'gone'> {
    for (let attempt = 1; ; attempt++) {
      const source = await open();
      if (source === 'gone') return 'gone';
      try {
        const sized = source.size === undefined ? await spoolToDisk(source.body) : { ...source, size: source.size, cleanup: async () => {} };
        try {
          return sized.size <= this.tuning.simpleUploadLimit
            ? await this.simpleUpload(parentId, name, sized.body, onBytes)
            : await this.sessionUpload(parentId, name, sized.body, sized.size, onBytes);
        } finally {
          await sized.cleanup();
        }
      } catch (err) {
        source.body.destroy();
        const refusal = archiveRefusal(err, this.library);
        if (refusal) throw refusal;
        if (err instanceof StepFailure) throw err;
        const again = err instanceof SessionGone || isTransientNetworkError(err) || RETRYABLE_STATUS.has(statusOf(err) ?? 0);
        if (!again || attempt >= MAX_ATTEMPTS) throw toGraphError(err, 'PUT', `/drives/${this.driveId}/items/${parentId}:/…`);
        this.graph.meter.count('retry', 'archive copy restarted');
        await sleep(backoffMs(attempt, { ...DEFAULT_RETRY, baseDelayMs: 200 }));
      }
    }
  }

  private async simpleUpload(parentId: string, name: string, body: Readable, onBytes?: (n: number) => void): Promise<CopyResult> {
    const chunks: Buffer[] = [];
    const hash = createHash('sha256');
    for await (const c of body) {
      const b = Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array);
      hash.update(b);
      chunks.push(b);
    }
    const bytes = Buffer.concat(chunks);
    const path = `/drives/${this.driveId}/items/${parentId}:/${encodeURIComponent(name)}:/content`;
    const item = await withRetries(this.graph, path, () => this.graph.client.api(path)
      .query({ '@microsoft.graph.conflictBehavior': 'replace' })
      .header('Content-Type', 'application/octet-stream')
      .put(bytes)) as DriveItem;
    onBytes?.(bytes.length);
    return { item, size: bytes.length, sha256: hash.digest('hex') };
  }

  private async sessionUpload(parentId: string, name: string, body: Readable, size: number, onBytes?: (n: number) => void): Promise<CopyResult> {
    const file = new HashingStreamFile(body, name, size);
    const sessionPath = `/drives/${this.driveId}/items/${parentId}:/${encodeURIComponent(name)}:/createUploadSession`;
    const session = await withRetries(this.graph, sessionPath, () => LargeFileUploadTask.createUploadSession(this.graph.client, sessionPath, {
      item: { '@microsoft.graph.conflictBehavior': 'replace', name },
    }));
    let reported = 0;
    const task = new LargeFileUploadTask(this.graph.client, file, session, {
      rangeSize: this.tuning.uploadChunkBytes,
      uploadEventHandlers: { progress: (range?: Range) => { if (!range) return; const upto = range.maxValue + 1; onBytes?.(upto - reported); reported = upto; } },
    });
    for (let attempt = 0; ; attempt++) {
      try {
        // After a failed fragment getStatus() below has moved the task to the range the session expects.
        const result = await task.upload();
        const item = result?.responseBody as DriveItem | undefined;
        if (!item?.id) throw new Error(`the upload session for ${name} ended without the file`);
        if (file.bytesRead !== size) throw new Error(`${name}: the source gave ${file.bytesRead} bytes, not the ${size} it announced`);
        return { item, size, sha256: file.sha256() };
      } catch (err) {
        if (file.failure) throw file.failure;
        // A fragment failed (LargeFileUploadTask does not retry): ask the session where it stands.
        try {
          await task.getStatus();
        } catch (statusErr) {
          if (statusOf(statusErr) === 404) throw new SessionGone(`the upload session for ${name} expired`);
          throw statusErr;
        }
        if (attempt >= MAX_ATTEMPTS) throw err;
        await sleep(backoffMs(attempt, { ...DEFAULT_RETRY, baseDelayMs: 200 }));
      }
    }
  }

  /** SHA-256 and length of an archived file's bytes, re-read from the library. */
  async sha256Of(itemId: string): Promise<{ sha256: string; size: number } | 'missing'> {
    const path = `/drives/${this.driveId}/items/${itemId}/content`;
    const res = await this.graph.client.api(path).responseType(ResponseType.RAW).get() as Response;
    if (res.status === 404) {
      await res.body?.cancel().catch(() => {});
      return 'missing';
    }
    if (!res.ok || !res.body) throw graphRequestError(res.status, await res.json().catch(() => undefined), 'GET', path);
    const hash = createHash('sha256');
    let size = 0;
    for await (const c of Readable.fromWeb(res.body as WebReadableStream<Uint8Array>)) {
      hash.update(c as Buffer);
      size += (c as Buffer).length;
    }
    return { sha256: hash.digest('hex'), size };
  }
}

/** A source of unknown length goes to a temporary file first (disk, not memory) so its size is known. */
async function spoolToDisk(body: Readable): Promise<{ body: Readable; size: number; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'cg-spool-'));
  const file = join(dir, 'item');
  try {
    await pipeline(body, createWriteStream(file));
    const { size } = await stat(file);
    return { body: createReadStream(file), size, cleanup: () => rm(dir, { recursive: true, force: true }) };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * LargeFileUploadTask's file object for a stream we read once, hashing each byte as it first passes.
 * Written here because the SDK's StreamUpload never listens for a stream error (a dropped download
 * leaves the upload waiting for ever) and keeps adding listeners per fragment. Like StreamUpload it
 * keeps the last fragment, so a fragment the session did not take can be sent again.
 */
export class HashingStreamFile implements FileObject<Readable> {
  private readonly iterator: AsyncIterator<unknown>;
  private readonly hash = createHash('sha256');
  private carry: Buffer = Buffer.alloc(0);
  private last?: { min: number; max: number; bytes: Buffer };
  bytesRead = 0;
  failure?: Error;

  constructor(readonly content: Readable, readonly name: string, readonly size: number) {
    this.iterator = content[Symbol.asyncIterator]();
  }

  sha256(): string {
    return this.hash.copy().digest('hex');
  }

  async sliceFile(range: Range): Promise<Buffer> {
    const { minValue: min, maxValue: max } = range;
    const last = this.last;
    if (last && min >= last.min && max <= last.max) return last.bytes.subarray(min - last.min, max - last.min + 1);
    let head: Buffer = Buffer.alloc(0);
    let from = min;
    if (last && min >= last.min && min <= last.max) {
      head = last.bytes.subarray(min - last.min);
      from = last.max + 1;
    }
    if (from !== this.bytesRead) {
      // The session wants bytes we have passed: only a fresh read of the source can give them.
      this.failure = new SessionGone(`the upload session asked for bytes ${min}-${max} of ${this.name} again`);
      throw this.failure;
    }
    const bytes = Buffer.concat([head, await this.read(max - from + 1)]);
    this.last = { min, max, bytes };
    return bytes;
  }

  private async read(n: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let have = 0;
    while (have < n) {
      if (!this.carry.length) {
        let next: IteratorResult<unknown>;
        try {
          next = await this.iterator.next();
        } catch (err) {
          this.failure = err instanceof Error ? err : new Error(String(err));
          throw this.failure;
        }
        if (next.done) {
          this.failure = new Error(`${this.name}: the source ended after ${this.bytesRead + have} of ${this.size} bytes`);
          throw this.failure;
        }
        this.carry = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value as Uint8Array);
      }
      const take = this.carry.subarray(0, n - have);
      this.carry = this.carry.subarray(take.length);
      parts.push(take);
      have += take.length;
    }
    const out = Buffer.concat(parts);
    this.hash.update(out);
    this.bytesRead += out.length;
    return out;
  }
}

/** A Graph GET whose body we stream (MIME, file content): the raw response, or 'gone' on 404. */
export async function openStream(graph: GraphContext, path: string): Promise<{ body: Readable; size?: number } | 'gone'> {
  let res: Response;
  try {
    res = await graph.client.api(path).responseType(ResponseType.RAW).get() as Response;
  } catch (err) {
    throw toGraphError(err, 'GET', path);
  }
  if (res.status === 404) {
    await res.body?.cancel().catch(() => {});
    return 'gone';
  }
  if (!res.ok || !res.body) {
    const body = await res.json().catch(() => undefined);
    const err = graphRequestError(res.status, body, 'GET', `/v1.0${path}`, res.headers.get('request-id') ?? undefined);
    throw Object.assign(err, { headers: res.headers });
  }
  const length = Number(res.headers.get('content-length'));
  return { body: Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), size: Number.isFinite(length) && res.headers.has('content-length') ? length : undefined };
}
