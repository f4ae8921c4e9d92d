// Findings history: every run's files in Blob storage under <tenant>/<yyyy>/<mm>/<dd>/<runId>/, and a
// Table row per run with the counts the trend charts and the supplier index need.
import { DateTime } from 'luxon';
import type { Blobs } from './blobs';
import type { Tables } from './tables';
import { invertedTime, tableKey } from './keys';

export const RUNS_CONTAINER = 'runs';
const RUNS_TABLE = 'runs';

export interface RunRow {
  runId: string;
  generatedAt: string;
  prefix: string;
  high: number;
  medium: number;
  low: number;
  info: number;
  new: number;
  resolved: number;
}

interface FindingsLike {
  findings?: { severity: string; state: string }[];
  resolved?: unknown[];
}

export class Runs {
  constructor(private readonly blobs: Blobs, private readonly tables: Tables) {}

  static prefixFor(tenantId: string, generatedAt: string, runId: string): string {
    const d = DateTime.fromISO(generatedAt, { zone: 'utc' });
    return `${tenantId.toLowerCase()}/${d.toFormat('yyyy')}/${d.toFormat('MM')}/${d.toFormat('dd')}/${runId}/`;
  }

  async saveRun(tenantId: string, runId: string, generatedAt: string, files: Record<string, string | Buffer>): Promise<RunRow> {
    const prefix = Runs.prefixFor(tenantId, generatedAt, runId);
    for (const [name, data] of Object.entries(files)) {
      await this.blobs.put(RUNS_CONTAINER, prefix + name, data, contentTypeOf(name));
    }
    const doc = files['findings.json'] ? (JSON.parse(files['findings.json'].toString()) as FindingsLike) : {};
    const count = (sev: string) => (doc.findings ?? []).filter((f) => f.severity === sev).length;
    const row: RunRow = {
      runId, generatedAt, prefix,
      high: count('high'), medium: count('medium'), low: count('low'), info: count('info'),
      new: (doc.findings ?? []).filter((f) => f.state === 'new').length,
      resolved: (doc.resolved ?? []).length,
    };
    // The row is written last: a run without its row is invisible, never half-visible.
    const table = await this.tables.table(RUNS_TABLE);
    await table.upsertEntity({ partitionKey: tableKey(tenantId.toLowerCase()), rowKey: invertedTime(generatedAt) + tableKey(runId).slice(0, 40), ...row }, 'Replace');
    return row;
  }

  async runHistory(tenantId: string, nights = 30): Promise<RunRow[]> {
    const table = await this.tables.table(RUNS_TABLE);
    const rows: RunRow[] = [];
    const iter = table.listEntities<RunRow>({ queryOptions: { filter: `PartitionKey eq '${tableKey(tenantId.toLowerCase())}'` } });
    for await (const e of iter) {
      rows.push({ runId: e.runId, generatedAt: e.generatedAt, prefix: e.prefix, high: e.high, medium: e.medium, low: e.low, info: e.info, new: e.new, resolved: e.resolved });
      if (rows.length >= nights) break;
    }
    return rows;
  }

  async latestRun<T = unknown>(tenantId: string): Promise<T | undefined> {
    const [latest] = await this.runHistory(tenantId, 1);
    if (!latest) return undefined;
    const json = await this.blobs.get(RUNS_CONTAINER, latest.prefix + 'findings.json');
    return json ? (JSON.parse(json.toString('utf8')) as T) : undefined;
  }

  async readRunFile(tenantId: string, runId: string | 'latest', name: string): Promise<Buffer | undefined> {
    const rows = await this.runHistory(tenantId, runId === 'latest' ? 1 : 10_000);
    const row = runId === 'latest' ? rows[0] : rows.find((r) => r.runId === runId);
    return row ? this.blobs.get(RUNS_CONTAINER, row.prefix + name) : undefined;
  }

  /** Retention: the policy asks for proportionate monitoring, so old runs go (blobs first, then the row). */
  async deleteRunsOlderThan(tenantId: string, cutoffIso: string): Promise<number> {
    const table = await this.tables.table(RUNS_TABLE);
    const cutoff = Date.parse(cutoffIso);
    let deleted = 0;
    const iter = table.listEntities<RunRow>({ queryOptions: { filter: `PartitionKey eq '${tableKey(tenantId.toLowerCase())}'` } });
    for await (const e of iter) {
      if (Date.parse(e.generatedAt) >= cutoff) continue;
      for (const name of await this.blobs.list(RUNS_CONTAINER, e.prefix)) await this.blobs.delete(RUNS_CONTAINER, name);
      await table.deleteEntity(e.partitionKey!, e.rowKey!);
      deleted++;
    }
    return deleted;
  }
}

function contentTypeOf(name: string): string {
  if (name.endsWith('.json')) return 'application/json; charset=utf-8';
  if (name.endsWith('.html')) return 'text/html; charset=utf-8';
  if (name.endsWith('.csv')) return 'text/csv; charset=utf-8';
  if (name.endsWith('.md')) return 'text/markdown; charset=utf-8';
  return 'application/octet-stream';
}
