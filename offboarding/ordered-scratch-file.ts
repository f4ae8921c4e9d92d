// Pieces of text written to a temporary file as they come, then read back in another order: a large
// folder's index rows are put in page order holding only each row's sort key and place in the file,
// not 25,000 rendered rows. Written by hand over node:fs: the external-sort packages on npm sort the
// lines of a file by their own text, not records by a key held beside them.
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Pieces gathered before one write to the file. */
const WRITE_BYTES = 64 * 1024;
/** Pieces next to each other in both the file and the order are read back together, up to this much. */
const READ_BYTES = 256 * 1024;

interface Placed<K> {
  key: K;
  at: number;
  length: number;
}

export class OrderedScratchFile<K> {
  private readonly placed: Placed<K>[] = [];
  private pending: string[] = [];
  private pendingBytes = 0;
  private size = 0;
  private closed = false;

  private constructor(private readonly dir: string, readonly path: string, private readonly file: FileHandle) {}

  static async create<K>(): Promise<OrderedScratchFile<K>> {
    const dir = await mkdtemp(join(tmpdir(), 'cg-scratch-'));
    const path = join(dir, 'pieces');
    try {
      return new OrderedScratchFile<K>(dir, path, await open(path, 'w+'));
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** How many pieces were added. */
  get count(): number {
    return this.placed.length;
  }

  async add(key: K, text: string): Promise<void> {
    const length = Buffer.byteLength(text, 'utf8');
    this.placed.push({ key, at: this.size, length });
    this.size += length;
    this.pending.push(text);
    this.pendingBytes += length;
    if (this.pendingBytes >= WRITE_BYTES) await this.flush();
  }

  /** Every piece, ordered by `compare` on their keys (pieces with equal keys keep the order added). */
  async *inOrder(compare: (a: K, b: K) => number): AsyncGenerator<string> {
    await this.flush();
    const order = this.placed.sort((a, b) => compare(a.key, b.key));
    for (let i = 0; i < order.length;) {
      const start = order[i].at;
      let end = start + order[i].length;
      let j = i + 1;
      while (j < order.length && order[j].at === end && end - start < READ_BYTES) end += order[j++].length;
      const run = Buffer.allocUnsafe(end - start);
      await this.readFully(run, start);
      for (let offset = 0; i < j; i++) {
        yield run.toString('utf8', offset, offset + order[i].length);
        offset += order[i].length;
      }
    }
  }

  /** Closes and removes the file; safe to call more than once. */
  async discard(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.file.close().catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }

  private async flush(): Promise<void> {
    if (!this.pendingBytes) return;
    const bytes = Buffer.from(this.pending.join(''), 'utf8');
    const at = this.size - this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    // A write may take fewer bytes than given: the rest is written after them.
    for (let done = 0; done < bytes.length;) done += (await this.file.write(bytes, done, bytes.length - done, at + done)).bytesWritten;
  }

  private async readFully(into: Buffer, at: number): Promise<void> {
    for (let done = 0; done < into.length;) {
      const { bytesRead } = await this.file.read(into, done, into.length - done, at + done);
      if (bytesRead === 0) throw new Error(`the scratch file ${this.path} ended at ${at + done} bytes, before the ${at + into.length} written`);
      done += bytesRead;
    }
  }
}
