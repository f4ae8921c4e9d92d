// A text file built a line at a time in a temporary directory and hashed as it is written, for the
// archive's generated files that can be large (manifest.csv, a big folder's index.html): the upload
// needs the size first, and the text is never one string in memory.
import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface WrittenTextFile {
  path: string;
  size: number;
  sha256: string;
  /** Removes the file and its directory; call once the upload is done (or has failed). */
  cleanup: () => Promise<void>;
}

export class TempTextFile {
  private readonly hash = createHash('sha256');
  private size = 0;

  private constructor(private readonly dir: string, readonly path: string, private readonly out: WriteStream) {}

  static async create(name: string): Promise<TempTextFile> {
    const dir = await mkdtemp(join(tmpdir(), 'cg-file-'));
    const path = join(dir, name);
    return new TempTextFile(dir, path, createWriteStream(path));
  }

  async write(text: string): Promise<void> {
    const bytes = Buffer.from(text, 'utf8');
    this.hash.update(bytes);
    this.size += bytes.length;
    if (!this.out.write(bytes)) await once(this.out, 'drain');
  }

  /** Closes the file: its size and SHA-256 are those of every byte written. */
  async finish(): Promise<WrittenTextFile> {
    this.out.end();
    await once(this.out, 'finish');
    return { path: this.path, size: this.size, sha256: this.hash.digest('hex'), cleanup: () => this.discard() };
  }

  /** Throws the file away (a failure part way). */
  async discard(): Promise<void> {
    this.out.destroy();
    await rm(this.dir, { recursive: true, force: true });
  }

  /** Writes with `fill`, then finishes; on any failure nothing is left behind. */
  static async build(name: string, fill: (file: TempTextFile) => Promise<void>): Promise<WrittenTextFile> {
    const file = await TempTextFile.create(name);
    try {
      await fill(file);
      return await file.finish();
    } catch (err) {
      await file.discard();
      throw err;
    }
  }
}
