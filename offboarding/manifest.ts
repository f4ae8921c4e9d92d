// The manifest: one row per archived item (message, contacts, calendar, OneDrive file). Rows are kept in
// the store as small append-only segments, written after the item's upload finished, so a run killed at
// any point loses at most the rows of items it will copy again under the same name (no duplicates),
// and never a row for an item that is not in the archive.
import { randomBytes } from 'node:crypto';
import { neutralise } from '../reports/csv';
import type { Store } from '../store';
import type { StepName } from './types';

export const CONTAINER = 'offboarding';

export interface ManifestRow {
  /** 'index': a mail folder's index.html, written by export-mail beside its .eml files. */
  kind: 'message' | 'contacts' | 'calendar' | 'file' | 'index';
  /** Message id, drive item id, or the export's own name for contacts/calendar files. */
  sourceId: string;
  internetMessageId?: string;
  /** Messages: sender, recipients, subject and attachments flag as the listing gave them (for the clerk's index). */
  from?: string;
  to?: string[];
  subject?: string;
  hasAttachments?: boolean;
  /** Where it came from, as the councillor saw it: "Inbox / Planning", "/Council/Photos". */
  sourceFolder: string;
  /** Archive-relative folder: "Mail/Inbox/Planning". */
  folder: string;
  name: string;
  received?: string;
  size: number;
  sha256: string;
  archiveItemId: string;
  /** OneDrive files: Graph's quickXorHash of the source and of the copy. */
  quickXorHash?: { source: string; copy: string };
  /** OneDrive files saved again during the surrender: the copy is a later version than the one listed. */
  changedDuringCopy?: boolean;
  /** Still changing after repeated copies: the archive holds the latest version copied (listed on the certificate). */
  keptChanging?: boolean;
  /** 'gone': the source answered 404 when we came to copy it (deleted during the export). */
  status: 'archived' | 'gone';
  /** When the row was written (ISO), to tell it from an invalidation. */
  at: string;
}

export const rowKey = (r: Pick<ManifestRow, 'kind' | 'sourceId'>) => `${r.kind}:${r.sourceId}`;

/** One item's latest row, in brief (ManifestLog.loadIndex). */
export interface RowSummary {
  at: string;
  size: number;
  status: ManifestRow['status'];
  /** Kept for index pages only (to skip rewriting an unchanged one). */
  sha256?: string;
}

export const summarise = (row: ManifestRow): RowSummary => ({ at: row.at, size: row.size, status: row.status, ...(row.kind === 'index' ? { sha256: row.sha256 } : {}) });

export class ManifestLog {
  private pending: ManifestRow[] = [];
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly store: Store, private readonly surrenderId: string, private readonly step: StepName, private readonly flushEvery = 100) {}

  private prefix(): string {
    return `${this.surrenderId}/rows/${this.step}/`;
  }

  private async segmentNames(): Promise<string[]> {
    return (await this.store.listBlobs(CONTAINER, this.prefix())).sort();
  }

  /** Each segment's rows in the order written (of `names` only, when given), one segment in memory at a time. */
  private async eachSegment(fn: (rows: ManifestRow[], name: string) => void | Promise<void>, names?: readonly string[]): Promise<void> {
    for (const name of names ?? await this.segmentNames()) {
      const text = (await this.store.getBlob(CONTAINER, name))?.toString('utf8');
      if (text) await fn(JSON.parse(text) as ManifestRow[], name);
    }
  }

  /** Each item's latest row, as `keep` records it, minus rows verify invalidated since. */
  private async latest<T extends { at: string }>(keep: (row: ManifestRow) => T): Promise<Map<string, T>> {
    const latest = new Map<string, T>();
    await this.eachSegment((segment) => {
      for (const row of segment) {
        const key = rowKey(row);
        const prev = latest.get(key);
        if (!prev || prev.at <= row.at) latest.set(key, keep(row));
      }
    });
    await this.dropInvalidated(latest);
    return latest;
  }

  /** Every valid row of this step, one per item (the latest), minus rows verify invalidated since. */
  load(project: (row: ManifestRow) => ManifestRow = (r) => r): Promise<Map<string, ManifestRow>> {
    return this.latest(project);
  }

  /**
   * What a long export needs to know of its rows without holding them: for each valid item, when its
   * latest row was written, its size and status (and an index page's hash). A 50,000-message mailbox
   * keeps this small summary in memory, not 50,000 rows with their subjects and recipients.
   */
  loadIndex(): Promise<Map<string, RowSummary>> {
    return this.latest(summarise);
  }

  /**
   * The valid rows that `keep` accepts (each item's latest row as `index`, from loadIndex and kept up to
   * date by the caller, records it), read segment by segment, of `segments` only when given, so only
   * those rows are held; `project` trims each row as it is kept.
   */
  async scan(index: Map<string, RowSummary>, keep: (row: ManifestRow) => boolean, segments?: readonly string[], project: (row: ManifestRow) => ManifestRow = (r) => r): Promise<ManifestRow[]> {
    const found = new Map<string, ManifestRow>();
    // Trimmed as each row is kept, so a large folder's full rows are never held beside their trimmed copies.
    await this.eachValidSegment(index, async (valid) => {
      for (const row of valid) if (keep(row)) found.set(rowKey(row), project(row));
    }, segments);
    return [...found.values()];
  }

  /**
   * This step's valid rows (each item's latest, as `index` records it), a stored segment at a time in the
   * order written: one pass over the step, for work that needs no particular order (verify's hashing).
   */
  async eachValidSegment(index: Map<string, RowSummary>, fn: (rows: ManifestRow[]) => Promise<void>, segments?: readonly string[]): Promise<void> {
    await this.eachSegment(async (segment) => {
      const valid = segment.filter((r) => index.get(rowKey(r))?.at === r.at);
      if (valid.length) await fn(valid);
    }, segments);
  }

  /**
   * The archive folders this step's valid rows are in, sorted, each with the segments holding its rows
   * (a folder's rows are mostly written together, so reading one folder back reads few segments).
   */
  async folderSegments(index: Map<string, RowSummary>): Promise<Map<string, string[]>> {
    const found = new Map<string, Set<string>>();
    await this.eachSegment((segment, name) => {
      for (const row of segment) {
        if (index.get(rowKey(row))?.at !== row.at) continue;
        let names = found.get(row.folder);
        if (!names) found.set(row.folder, names = new Set());
        names.add(name);
      }
    });
    return new Map([...found].sort(([a], [b]) => a.localeCompare(b)).map(([folder, names]) => [folder, [...names].sort()]));
  }

  private async dropInvalidated(rows: Map<string, { at: string }>): Promise<void> {
    const invalid = await readInvalidations(this.store, this.surrenderId, this.step);
    for (const [key, at] of Object.entries(invalid)) {
      const row = rows.get(key);
      if (row && row.at <= at) rows.delete(key);
    }
  }

  /** Queues a row; writes a segment when enough are queued. */
  async add(row: ManifestRow): Promise<void> {
    this.pending.push(row);
    if (this.pending.length >= this.flushEvery) await this.flush();
  }

  /** Writes the queued rows as one new segment (segments are never rewritten). */
  flush(): Promise<void> {
    this.writing = this.writing.then(async () => {
      if (!this.pending.length) return;
      const rows = this.pending;
      this.pending = [];
      const name = `${this.prefix()}${Date.now().toString().padStart(15, '0')}-${randomBytes(3).toString('hex')}.json`;
      await this.store.putBlob(CONTAINER, name, JSON.stringify(rows), 'application/json');
    });
    return this.writing;
  }
}

async function readInvalidations(store: Store, id: string, step: StepName): Promise<Record<string, string>> {
  const text = (await store.getBlob(CONTAINER, `${id}/invalid/${step}.json`))?.toString('utf8');
  return text ? JSON.parse(text) as Record<string, string> : {};
}

/** Verify found these items missing or changed: their rows stop counting, so the next run copies them again. */
export async function invalidateRows(store: Store, id: string, step: StepName, rows: Pick<ManifestRow, 'kind' | 'sourceId'>[], at: string): Promise<void> {
  const current = await readInvalidations(store, id, step);
  for (const r of rows) current[rowKey(r)] = at;
  await store.putBlob(CONTAINER, `${id}/invalid/${step}.json`, JSON.stringify(current), 'application/json');
}

/**
 * A row without the listing columns (sender, recipients, subject, attachments flag, received): what
 * verify needs, at about half the memory of a full row for a 50,000-message mailbox.
 */
export const withoutListingColumns = (row: ManifestRow): ManifestRow => {
  const { from: _from, to: _to, subject: _subject, hasAttachments: _hasAttachments, received: _received, ...rest } = row;
  return rest;
};

export const EXPORT_STEPS: StepName[] = ['export-mail', 'export-contacts', 'export-calendar', 'export-files'];
const KIND_ORDER: Record<ManifestRow['kind'], number> = { message: 0, index: 1, contacts: 2, calendar: 3, file: 4 };
const byKindThenName = (a: ManifestRow, b: ManifestRow) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.name.localeCompare(b.name);

/** Each exporting step's index (ManifestLog.loadIndex), for a caller that walks the rows more than once. */
export type StepIndexes = Map<StepName, Map<string, RowSummary>>;

export interface RowGroupOptions {
  /** Trims each row as it is read. */
  project?: (row: ManifestRow) => ManifestRow;
  steps?: StepName[];
  /** The steps' indexes, already loaded: each step's is otherwise read from its segments again. */
  indexes?: StepIndexes;
}

/** One archive folder's valid rows (of one exporting step), by kind then name. */
export interface RowGroup {
  step: StepName;
  folder: string;
  rows: ManifestRow[];
}

/**
 * Every valid row of every exporting step, one archive folder at a time (steps in order, folders sorted):
 * what verify and the hand-over walk, so a 50,000-message mailbox never has all its rows in memory at
 * once, only the largest folder's. Each folder reads back only the segments that hold its rows.
 */
export async function* rowGroups(store: Store, id: string, options: RowGroupOptions = {}): AsyncGenerator<RowGroup> {
  const { project, steps = EXPORT_STEPS, indexes } = options;
  for (const step of steps) {
    const log = new ManifestLog(store, id, step);
    const index = indexes?.get(step) ?? await log.loadIndex();
    for (const [folder, segments] of await log.folderSegments(index)) {
      const rows = (await log.scan(index, (r) => r.folder === folder, segments, project)).sort(byKindThenName);
      yield { step, folder, rows };
    }
  }
}

/** Every valid row of every exporting step, in a stable order (kind, folder, name); `project` trims each row as it is read. */
export async function loadAllRows(store: Store, id: string, project?: (row: ManifestRow) => ManifestRow): Promise<ManifestRow[]> {
  const all: ManifestRow[] = [];
  for (const step of EXPORT_STEPS) for (const row of (await new ManifestLog(store, id, step).load(project)).values()) all.push(row);
  return all.sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.folder.localeCompare(b.folder) || a.name.localeCompare(b.name));
}

export const MANIFEST_COLUMNS = ['kind', 'status', 'sourceFolder', 'archivePath', 'name', 'received', 'size', 'sha256', 'messageId', 'internetMessageId', 'archiveItemId', 'quickXorHashSource', 'quickXorHashCopy', 'from', 'to', 'subject', 'hasAttachments'] as const;

function cell(value: unknown): string {
  const s = neutralise(String(value ?? ''));
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** manifest.csv's first line: the BOM Excel needs for UTF-8, then the header. */
export const MANIFEST_CSV_HEAD = `\uFEFF${MANIFEST_COLUMNS.join(',')}\r\n`;

/** One manifest.csv line (CRLF, RFC 4180 quoting, formula-looking cells neutralised). */
export function manifestCsvLine(r: ManifestRow): string {
  return `${[
    r.kind, r.status, r.sourceFolder, r.folder, r.name, r.received ?? '', r.size, r.sha256,
    r.kind === 'message' ? r.sourceId : r.kind === 'file' ? r.sourceId : '', r.internetMessageId ?? '', r.archiveItemId,
    r.quickXorHash?.source ?? '', r.quickXorHash?.copy ?? '',
    r.from ?? '', (r.to ?? []).join('; '), r.subject ?? '', r.kind === 'message' ? (r.hasAttachments ? 'yes' : 'no') : '',
  ].map(cell).join(',')}\r\n`;
}

/** manifest.csv whole (small manifests and tests; the hand-over writes it line by line). */
export function renderManifestCsv(rows: ManifestRow[]): string {
  return MANIFEST_CSV_HEAD + rows.map(manifestCsvLine).join('');
}

/** Step scratch too big for a checkpoint row (message lists): whole JSON blobs under the surrender. */
export async function putJson(store: Store, id: string, name: string, value: unknown): Promise<void> {
  await store.putBlob(CONTAINER, `${id}/${name}`, JSON.stringify(value), 'application/json');
}

export async function getJson<T>(store: Store, id: string, name: string): Promise<T | undefined> {
  const text = (await store.getBlob(CONTAINER, `${id}/${name}`))?.toString('utf8');
  return text ? JSON.parse(text) as T : undefined;
}

/** What the certificate states of the manifest: counted as the rows stream past, never from all rows at once. */
export interface ManifestTotals {
  rows: number;
  archived: number;
  messages: number;
  files: number;
  bytes: number;
  /** OneDrive files whose copy carries the source's quickXorHash. */
  filesXorMatched: number;
  /** OneDrive files saved again during the copy, and the first of them (the certificate lists up to 100). */
  changedFiles: number;
  changedShown: { sourceFolder: string; keptChanging: boolean }[];
}

const CHANGED_SHOWN = 100;

export class ManifestTotalsCounter {
  readonly totals: ManifestTotals = { rows: 0, archived: 0, messages: 0, files: 0, bytes: 0, filesXorMatched: 0, changedFiles: 0, changedShown: [] };

  add(r: ManifestRow): void {
    const t = this.totals;
    t.rows++;
    t.bytes += r.size;
    if (r.status !== 'archived') return;
    t.archived++;
    if (r.kind === 'message') t.messages++;
    if (r.kind !== 'file') return;
    t.files++;
    if (r.quickXorHash?.source && r.quickXorHash.source === r.quickXorHash.copy) t.filesXorMatched++;
    if (r.changedDuringCopy) {
      t.changedFiles++;
      if (t.changedShown.length < CHANGED_SHOWN) t.changedShown.push({ sourceFolder: r.sourceFolder, keptChanging: !!r.keptChanging });
    }
  }
}

export function manifestTotals(rows: Iterable<ManifestRow>): ManifestTotals {
  const counter = new ManifestTotalsCounter();
  for (const r of rows) counter.add(r);
  return counter.totals;
}
