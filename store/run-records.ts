// Run records: one compact JSON blob per nightly run, under <tenant>/<night>/<runId>.json in the
// "runrecords" container, kept for RUN_RECORD_RETENTION_DAYS whatever the reports' retention (the AGAR
// evidence for a financial year is asked for the following spring). A record is written once: the
// upload is conditional on no blob of that name existing, so nothing can quietly rewrite a night.
// Evidence receipts (what a pack was generated from) sit beside them, so `evidence --verify` can
// rebuild the pack from the store alone.
import { DateTime } from 'luxon';
import pLimit from 'p-limit';
import type { Blobs } from './blobs';
import { instantOf, tableKey, tenantKey } from './keys';

const RECORDS = 'runrecords';
const RECEIPTS = 'evidencereceipts';
/** At least 400 days (the floor); 800 keeps last year's records through next year's audit too. */
export const RUN_RECORD_RETENTION_DAYS = 800;

export interface StoredRecord {
  /** The blob name, e.g. "<tenant>/2026-05-07/2026-05-07T01-00-00-000Z.json". */
  name: string;
  night: string;
  bytes: Buffer;
}

export class RunRecordAlreadyWrittenError extends Error {}

const READ_CONCURRENCY = 16;
const NIGHT = /^\d{4}-\d{2}-\d{2}$/;

export class RunRecords {
  constructor(private readonly blobs: Blobs) {}

  /** Writes a night's record once; a second write of the same name is refused. Returns the blob name. */
  async save(tenantId: string, night: string, runId: string, bytes: Buffer): Promise<string> {
    if (!NIGHT.test(night)) throw new Error(`A run record's night must be a date written YYYY-MM-DD (got "${night}").`);
    if (!runId || /[/\\]/.test(runId)) throw new Error(`Run id "${runId}" cannot name a record: use letters, digits, dashes and dots.`);
    const name = `${tenantKey(tenantId)}/${night}/${runId}.json`;
    const c = await this.blobs.container(RECORDS);
    try {
      await c.getBlockBlobClient(name).uploadData(bytes, {
        blobHTTPHeaders: { blobContentType: 'application/json; charset=utf-8' },
        conditions: { ifNoneMatch: '*' },
      });
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode;
      if (status === 409 || status === 412) throw new RunRecordAlreadyWrittenError(`The run record ${name} already exists; records are written once and never replaced.`);
      throw err;
    }
    return name;
  }

  /** Records whose night is within [firstNight, lastNight] (YYYY-MM-DD, inclusive), in name order. */
  async list(tenantId: string, firstNight: string, lastNight: string): Promise<StoredRecord[]> {
    const root = `${tenantKey(tenantId)}/`;
    const names = (await this.blobs.list(RECORDS, root)).filter((n) => {
      const night = n.slice(root.length, root.length + 10);
      return night >= firstNight && night <= lastNight;
    });
    // A few reads at once: a year is 365 small blobs, and one at a time is dominated by round trips.
    const limit = pLimit(READ_CONCURRENCY);
    const read = await Promise.all(names.map((name) => limit(async () => ({ name, night: name.slice(root.length, root.length + 10), bytes: await this.read(name) }))));
    return read.filter((r): r is StoredRecord => r.bytes !== undefined);
  }

  /** Several records' bytes by name (as a pack lists them), in the order given; undefined for one that is gone. */
  async getMany(names: string[]): Promise<(Buffer | undefined)[]> {
    const limit = pLimit(READ_CONCURRENCY);
    return Promise.all(names.map((name) => limit(() => this.read(name))));
  }

  /** One GET per record (downloadToBuffer asks for the properties first, doubling the round trips). */
  private async read(name: string): Promise<Buffer | undefined> {
    const c = await this.blobs.container(RECORDS);
    try {
      const res = await c.getBlobClient(name).download();
      const chunks: Buffer[] = [];
      for await (const chunk of res.readableStreamBody!) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      return Buffer.concat(chunks);
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw err;
    }
  }

  /** A record's bytes by name (as a pack lists it), or undefined when it is gone. */
  get(name: string): Promise<Buffer | undefined> {
    return this.blobs.get(RECORDS, name);
  }

  /** The newest record's instant before `beforeIso` within the last `days` days, if any. */
  async latestBefore(tenantId: string, beforeIso: string, days = 31): Promise<string | undefined> {
    const before = instantOf(beforeIso, 'The run time');
    const root = `${tenantKey(tenantId)}/`;
    const from = before.minus({ days }).toFormat('yyyy-MM-dd');
    const names = (await this.blobs.list(RECORDS, root)).filter((n) => n.slice(root.length, root.length + 10) >= from);
    for (const name of names.reverse()) {
      const bytes = await this.blobs.get(RECORDS, name);
      const at = bytes ? (JSON.parse(bytes.toString('utf8')) as { generatedAt?: string }).generatedAt : undefined;
      if (at && at < before.toISO()!) return at;
    }
    return undefined;
  }

  /** Deletes records of nights before the cutoff, refusing a cutoff that would keep fewer than 400 days. */
  async deleteOlderThan(tenantId: string, nowIso: string, days = RUN_RECORD_RETENTION_DAYS): Promise<number> {
    if (days < 400) throw new Error(`Run records are kept at least 400 days; ${days} is too few.`);
    const cutoff = instantOf(nowIso, 'The run time').minus({ days }).toFormat('yyyy-MM-dd');
    const root = `${tenantKey(tenantId)}/`;
    const old = (await this.blobs.list(RECORDS, root)).filter((n) => n.slice(root.length, root.length + 10) < cutoff);
    for (const name of old) await this.blobs.delete(RECORDS, name);
    return old.length;
  }

  /** Keeps what a pack was generated from (its inputs besides the records), by tenant, year and instant. */
  async saveReceipt(tenantId: string, year: string, generatedAt: string, receipt: string): Promise<void> {
    await this.blobs.put(RECEIPTS, receiptName(tenantId, year, generatedAt), receipt);
  }

  async getReceipt(tenantId: string, year: string, generatedAt: string): Promise<string | undefined> {
    return (await this.blobs.get(RECEIPTS, receiptName(tenantId, year, generatedAt)))?.toString('utf8');
  }
}

function receiptName(tenantId: string, year: string, generatedAt: string): string {
  const at = DateTime.fromISO(generatedAt, { zone: 'utc' });
  return `${tenantKey(tenantId)}/${tableKey(year)}/${at.isValid ? at.toFormat("yyyyMMdd'T'HHmmssSSS") : tableKey(generatedAt)}.json`;
}
