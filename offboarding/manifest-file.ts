// manifest.csv for the hand-over, written line by line to a temporary file (one archive folder's rows in
// memory at a time) and hashed as it is written, so a 50,000-message manifest is never one string.
import { MANIFEST_CSV_HEAD, ManifestTotalsCounter, manifestCsvLine, rowGroups, type ManifestRow, type ManifestTotals } from './manifest';
import { TempTextFile, type WrittenTextFile } from './temp-text-file';
import type { Store } from '../store';

export interface ManifestFile extends WrittenTextFile {
  totals: ManifestTotals;
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
  const counter = new ManifestTotalsCounter();
  const file = await TempTextFile.build('manifest.csv', async (out) => {
    await out.write(MANIFEST_CSV_HEAD);
    await eachRowInOrder(store, id, async (r) => {
      counter.add(r);
      await out.write(manifestCsvLine(r));
    });
  });
  return { ...file, totals: counter.totals };
}
