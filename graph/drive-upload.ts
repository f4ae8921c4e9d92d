// Writing one file into a drive (the surrender archive, the reports library): a simple PUT up to the
// simple-upload limit, an upload session above it fed fragment by fragment from a stream (so nothing
// is held whole), with the SHA-256 of the bytes taken as they pass. Every request goes through the
// run's retry loop (graph/retry.ts); a fragment that fails is re-synced with the session and resent.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { LargeFileUploadTask, type FileObject, type Range } from '@microsoft/microsoft-graph-client';
import type { GraphContext } from '.';
import { statusOfError, toGraphRequestError } from './errors';

/** Graph's simple upload is for small files; an upload session above this. */
export const SIMPLE_UPLOAD_LIMIT = 4 * 1024 * 1024;
/** Every upload-session fragment but the last must be a multiple of this. */
export const FRAGMENT_UNIT = 320 * 1024;
export const DEFAULT_FRAGMENT_BYTES = 10 * FRAGMENT_UNIT;

export interface DriveItem {
  id: string;
  name: string;
  size?: number;
  webUrl?: string;
  file?: { hashes?: { quickXorHash?: string; sha256Hash?: string } };
  folder?: { childCount?: number };
}

export interface UploadedFile {
  item: DriveItem;
  size: number;
  sha256: string;
}

export interface DriveUploadTarget {
  driveId: string;
  /** The folder item the path is below; the drive's root when absent. */
  folderId?: string;
  /** '/'-separated path below the folder, e.g. '2026/11/2026-11-25 report.html'. */
  path: string;
}

export interface DriveUploadOptions {
  simpleUploadLimit?: number;
  /** Upload-session fragment size, a multiple of 320 KiB. */
  fragmentBytes?: number;
  conflictBehavior?: 'replace' | 'fail' | 'rename';
  /** Bytes the drive has taken since the last call. */
  onBytes?: (n: number) => void;
}

/** The upload session died (expired, cancelled, or needs bytes already passed): only a fresh read of the source can finish the file. */
export class UploadSessionGone extends Error {
  override name = 'UploadSessionGone';
}

/** Writes `source` (exactly `size` bytes) to the target; errors with a status are GraphRequestErrors. */
export async function uploadToDrive(graph: GraphContext, target: DriveUploadTarget, source: { body: Readable; size: number }, options: DriveUploadOptions = {}): Promise<UploadedFile> {
  const fragmentBytes = options.fragmentBytes ?? DEFAULT_FRAGMENT_BYTES;
  if (fragmentBytes <= 0 || fragmentBytes % FRAGMENT_UNIT !== 0) throw new Error(`an upload fragment must be a multiple of 320 KiB, not ${fragmentBytes} bytes`);
  const at = `/drives/${target.driveId}/${target.folderId ? `items/${target.folderId}` : 'root'}:`;
  const encoded = target.path.split('/').filter(Boolean).map(encodeURIComponent).join('/');
  const name = target.path.split('/').filter(Boolean).pop() ?? '';
  const conflict = options.conflictBehavior ?? 'replace';
  const small = source.size <= (options.simpleUploadLimit ?? SIMPLE_UPLOAD_LIMIT);
  try {
    return small
      ? await simpleUpload(graph, `${at}/${encoded}:/content`, conflict, source.body, options.onBytes)
      : await sessionUpload(graph, `${at}/${encoded}:/createUploadSession`, name, conflict, source, fragmentBytes, options.onBytes);
  } catch (err) {
    // The path is left out: archive file names can be personal data.
    throw toGraphRequestError(err, small ? 'PUT' : 'POST', `/v1.0${at}/…:/${small ? 'content' : 'createUploadSession'}`);
  }
}

async function simpleUpload(graph: GraphContext, path: string, conflict: string, body: Readable, onBytes?: (n: number) => void): Promise<UploadedFile> {
  const chunks: Buffer[] = [];
  const hash = createHash('sha256');
  for await (const c of body) {
    const b = Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array);
    hash.update(b);
    chunks.push(b);
  }
  // A source already whole in one buffer (a downloaded message) is sent as it is, not copied.
  const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
  // The middleware retries this request (a Buffer can be sent again); this loop starts it over only
  // when the middleware has given up (its retries spent), counted as a restart.
  const item = await graph.retryLoop.run(() => graph.client.api(path)
    .query({ '@microsoft.graph.conflictBehavior': conflict })
    .header('Content-Type', 'application/octet-stream')
    .put(bytes) as Promise<DriveItem>, { count: (attempt) => { if (attempt > 0) graph.meter.count('restart', path); } });
  onBytes?.(bytes.length);
  return { item, size: bytes.length, sha256: hash.digest('hex') };
}

async function sessionUpload(graph: GraphContext, sessionPath: string, name: string, conflict: string, source: { body: Readable; size: number }, fragmentBytes: number, onBytes?: (n: number) => void): Promise<UploadedFile> {
  const { size } = source;
  const file = new HashingStreamFile(source.body, name, size);
  // A JSON body: the middleware's retries cover it.
  const session = await LargeFileUploadTask.createUploadSession(graph.client, sessionPath, { item: { '@microsoft.graph.conflictBehavior': conflict, name } });
  let reported = 0;
  const task = new LargeFileUploadTask(graph.client, file, session, {
    rangeSize: fragmentBytes,
    uploadEventHandlers: { progress: (range?: Range) => { if (!range) return; const upto = range.maxValue + 1; onBytes?.(upto - reported); reported = upto; } },
  });
  const result = await graph.retryLoop.run(async () => {
    try {
      return await task.upload();
    } catch (err) {
      throw file.failure ?? err;
    }
  }, {
    // LargeFileUploadTask reads fragment responses raw, so a refused fragment surfaces without its status:
    // any fragment failure is re-synced and resent, except a failed source or a session that is gone.
    retryError: (err) => !(file.failure || err instanceof UploadSessionGone),
    // LargeFileUploadTask does not retry a fragment: ask the session where it stands, and the task resumes from there.
    beforeRetry: async () => {
      try {
        await task.getStatus();
      } catch (statusErr) {
        if (statusOfError(statusErr)?.status === 404) throw new UploadSessionGone(`the upload session for ${name} expired`);
        throw statusErr;
      }
    },
  });
  const item = result?.responseBody as DriveItem | undefined;
  if (!item?.id) throw new Error(`the upload session for ${name} ended without the file`);
  if (file.bytesRead !== size) throw new Error(`${name}: the source gave ${file.bytesRead} bytes, not the ${size} it announced`);
  return { item, size, sha256: file.sha256() };
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
      this.failure = new UploadSessionGone(`the upload session asked for bytes ${min}-${max} of ${this.name} again`);
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
