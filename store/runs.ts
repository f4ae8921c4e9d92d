// Findings history: every run's files in Blob storage under <tenant>/<yyyy>/<mm>/<dd>/<runId>/, and a
// Table row per run (newest first) with the counts the trend charts and the supplier index need.
import { odata } from '@azure/data-tables';
import type { DateTime } from 'luxon';
import type { Blobs } from './blobs';
import { TextPieces, type FileText } from '../core/text-pieces';
import type { Tables } from './tables';
import { instantOf, invertedTime, tableKey, tenantKey } from './keys';

export const RUNS_CONTAINER = 'runs';
const RUNS_TABLE = 'runs';

export interface RunRow {
  runId: string;
  generatedAt: string;
  /** Where the run's files are in the runs container, ending in "/". */
  prefix: string;
  high: number;
  medium: number;
  low: number;
  info: number;
  new: number;
  resolved: number;
}

interface FindingsLike {
  findings?: { severity?: string; state?: string }[];
  resolved?: unknown[];
}

export class Runs {
  constructor(private readonly blobs: Blobs, private readonly tables: Tables) {}

  static prefixFor(tenantId: string, generatedAt: string, runId: string): string {
    const d = instantOf(generatedAt, 'generatedAt');
    return `${tenantFolder(tenantId)}${d.toFormat('yyyy/MM/dd')}/${runId}/`;
  }

  /** `doc`: the run's findings document, when the caller has it, so findings.json need not be read back for the counts. */
  async saveRun(tenantId: string, runId: string, generatedAt: string, files: Record<string, FileText | Buffer>, doc?: FindingsLike): Promise<RunRow> {
    if (!runId || /[/\\]/.test(runId) || runId === '.' || runId === '..') {
      throw new Error(`Run id "${runId}" cannot name a folder: use letters, digits, dashes and dots, without / or \\.`);
    }
    for (const name of Object.keys(files)) {
      if (!name || name.startsWith('/') || name.split('/').some((part) => part === '..' || part === '')) {
        throw new Error(`Run file name "${name}" must be a relative path without empty or ".." parts.`);
      }
    }
    const prefix = Runs.prefixFor(tenantId, generatedAt, runId);
    // One file at a time, and a large text in slices: at 15,000 users the run's files are tens of MB, and
    // uploading them all at once, each copied whole into a Buffer, was the run's peak memory.
    for (const [name, data] of Object.entries(files)) {
      if (data instanceof TextPieces) await this.blobs.putPieces(RUNS_CONTAINER, prefix + name, data);
      else if (typeof data === 'string' && data.length > SLICE) await this.blobs.putPieces(RUNS_CONTAINER, prefix + name, slices(data));
      else await this.blobs.put(RUNS_CONTAINER, prefix + name, data);
    }
    const findingsJson = files['findings.json'];
    doc ??= findingsJson === undefined ? {} : (JSON.parse(findingsJson.toString()) as FindingsLike);
    const findings = doc.findings ?? [];
    const count = (severity: string) => findings.filter((f) => f.severity === severity).length;
    const row: RunRow = {
      runId,
      generatedAt: instantOf(generatedAt, 'generatedAt').toISO()!,
      prefix,
      high: count('high'),
      medium: count('medium'),
      low: count('low'),
      info: count('info'),
      new: findings.filter((f) => f.state === 'new').length,
      resolved: (doc.resolved ?? []).length,
    };
    // The row is written last: a run without its row is invisible, never half-visible.
    const table = await this.tables.table(RUNS_TABLE);
    await table.upsertEntity({ partitionKey: tenantKey(tenantId), rowKey: rowKeyFor(row.generatedAt, runId), ...row }, 'Replace');
    return row;
  }

  /** The latest `nights` runs, newest first. */
  async runHistory(tenantId: string, nights = 30): Promise<RunRow[]> {
    if (!Number.isInteger(nights) || nights < 1) throw new Error(`The number of runs to read must be a whole number of at least 1 (got ${nights}).`);
    return this.rows(odata`PartitionKey eq ${tenantKey(tenantId)}`, nights);
  }

  /** The newest run's findings.json, parsed; undefined before the first run. */
  async latestRun<T = unknown>(tenantId: string): Promise<T | undefined> {
    const json = await this.readRunFile(tenantId, 'latest', 'findings.json');
    return json ? (JSON.parse(json.toString('utf8')) as T) : undefined;
  }

  async readRunFile(tenantId: string, runId: string | 'latest', name: string): Promise<Buffer | undefined> {
    const [row] = runId === 'latest'
      ? await this.runHistory(tenantId, 1)
      : await this.rows(odata`PartitionKey eq ${tenantKey(tenantId)} and runId eq ${runId}`, 1);
    return row ? this.blobs.get(RUNS_CONTAINER, row.prefix + name) : undefined;
  }

  /** A read-only, expiring link to one file of a stored run (the report, when SharePoint does not hold it). */
  runFileUrl(tenantId: string, generatedAt: string, runId: string, name: string, expiresOn: Date, now?: Date): Promise<string> {
    return this.blobs.readUrl(RUNS_CONTAINER, Runs.prefixFor(tenantId, generatedAt, runId) + name, expiresOn, now);
  }

  /**
   * Retention: deletes every run generated before the cutoff, blobs first and then the row (so a
   * failure part-way leaves the row, and the next night finishes the job). Files of runs whose row was
   * never written (a run that crashed while saving) are swept by their date folder. Returns the number
   * of runs deleted.
   */
  async deleteRunsOlderThan(tenantId: string, cutoffIso: string): Promise<number> {
    const cutoff = instantOf(cutoffIso, 'The retention cutoff');
    const table = await this.tables.table(RUNS_TABLE);
    // Rows sort newest first, so every run older than the cutoff has a row key above the cutoff's.
    const old = await this.rows(odata`PartitionKey eq ${tenantKey(tenantId)} and RowKey gt ${invertedTime(cutoff.toISO()!)}`);
    let deleted = 0;
    for (const row of old) {
      if (instantOf(row.generatedAt, 'generatedAt') >= cutoff) continue;
      await this.blobs.deleteUnder(RUNS_CONTAINER, row.prefix);
      await table.deleteEntity(tenantKey(tenantId), rowKeyFor(row.generatedAt, row.runId)).catch((err: { statusCode?: number }) => {
        if (err.statusCode !== 404) throw err;
      });
      deleted++;
    }
    await this.sweepDaysBefore(tenantId, cutoff);
    return deleted;
  }

  private async sweepDaysBefore(tenantId: string, cutoff: DateTime): Promise<void> {
    const firstKeptDay = cutoff.toUTC().toFormat('yyyy/MM/dd');
    const root = tenantFolder(tenantId);
    // Folder names are zero-padded, so comparing "yyyy/MM/dd" strings compares dates.
    const relative = (folder: string) => folder.slice(root.length).replace(/\/$/, '');
    for (const year of await this.blobs.listFolders(RUNS_CONTAINER, root)) {
      if (relative(year) > firstKeptDay.slice(0, 4)) continue;
      for (const month of await this.blobs.listFolders(RUNS_CONTAINER, year)) {
        if (relative(month) > firstKeptDay.slice(0, 7)) continue;
        for (const day of await this.blobs.listFolders(RUNS_CONTAINER, month)) {
          if (relative(day) < firstKeptDay) await this.blobs.deleteUnder(RUNS_CONTAINER, day);
        }
      }
    }
  }

  private async rows(filter: string, limit = Infinity): Promise<RunRow[]> {
    const table = await this.tables.table(RUNS_TABLE);
    const rows: RunRow[] = [];
    for await (const e of table.listEntities<RunRow>({ queryOptions: { filter } })) {
      rows.push({
        runId: e.runId, generatedAt: e.generatedAt, prefix: e.prefix,
        high: e.high, medium: e.medium, low: e.low, info: e.info, new: e.new, resolved: e.resolved,
      });
      if (rows.length >= limit) break;
    }
    return rows;
  }
}

/** Characters per slice of a large text uploaded in pieces. */
const SLICE = 256 * 1024;

/** A string in slices of about SLICE characters, never splitting a surrogate pair (each slice is encoded alone). */
function* slices(text: string): Generator<string> {
  for (let at = 0; at < text.length;) {
    let end = Math.min(text.length, at + SLICE);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    yield text.slice(at, end);
    at = end;
  }
}

function tenantFolder(tenantId: string): string {
  return `${tenantKey(tenantId)}/`;
}

function rowKeyFor(generatedAt: string, runId: string): string {
  return invertedTime(generatedAt) + tableKey(runId).slice(0, 40);
}
