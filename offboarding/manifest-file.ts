// manifest.csv for the hand-over, written line by line to a temporary file (one archive folder's rows in
// memory at a time) and hashed as it is written, so a 50,000-message manifest is never one string.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MANIFEST_CSV_HEAD, ManifestTotalsCounter, manifestCsvLine, rowGroups, type ManifestRow, type ManifestTotals } from './manifest';
import type { Store } from '../store';

export interface ManifestFile {
  path: string;
  size: number;
  sha256: string;
  totals: ManifestTotals;
  cleanup: () => Promise<void>;
}

/**
 * Every valid row, in the manifest's order (kind, folder, name): rowGroups gives each step's folders in
 * order, with a folder's index.html row beside its messages, so those few index rows are held back and
 * written after every message row, as the order puts them.
 */
async function eachRowInOrder(store: Store, id: string, fn: (row: ManifestRow) => Promise<void>): Promise<void> {
  let indexRows: ManifestRow[] = [];
  const flushIndexRows = async () => {
    for (const r of indexRows) await fn(r);
    indexRows = [];
  };
  for await (const group of rowGroups(store, id)) {
    if (group.step !== 'export-mail') await flushIndexRows();
    for (const r of group.rows) {
      if (r.kind === 'index') indexRows.push(r);
      else await fn(r);
    }
  }
  await flushIndexRows();
}

/** The totals alone (a reissued certificate), read the same way. */
export async function readManifestTotals(store: Store, id: string): Promise<ManifestTotals> {
  const counter = new ManifestTotalsCounter();
  await eachRowInOrder(store, id, async (r) => counter.add(r));
  return counter.totals;
}

export async function writeManifestFile(store: Store, id: string): Promise<ManifestFile> {
  const dir = await mkdtemp(join(tmpdir(), 'cg-manifest-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  const path = join(dir, 'manifest.csv');
  const out = createWriteStream(path);
  const hash = createHash('sha256');
  const counter = new ManifestTotalsCounter();
  let size = 0;
  const write = async (text: string) => {
    const bytes = Buffer.from(text, 'utf8');
    hash.update(bytes);
    size += bytes.length;
    if (!out.write(bytes)) await once(out, 'drain');
  };
  try {
    await write(MANIFEST_CSV_HEAD);
    await eachRowInOrder(store, id, async (r) => {
      counter.add(r);
      await write(manifestCsvLine(r));
    });
    out.end();
    await once(out, 'finish');
    return { path, size, sha256: hash.digest('hex'), totals: counter.totals, cleanup };
  } catch (err) {
    out.destroy();
    await cleanup();
    throw err;
  }
}
