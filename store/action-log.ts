// The action log: every change CouncilGuard makes, and every access to mailbox content, with who, when,
// what, before and after. Append-only by construction: this module has no update or delete, and each
// entry is created with createEntity, which refuses to overwrite a row.
import { randomBytes } from 'node:crypto';
import { odata } from '@azure/data-tables';
import type { Blobs } from './blobs';
import type { Tables } from './tables';
import { instantOf, sortableTime, tenantKey } from './keys';

const TABLE = 'actionlog';
const CONTAINER = 'actionlog';
// Table string properties hold 32,768 characters; larger before/after values go to a blob.
const INLINE_LIMIT = 30_000;
const SPILLABLE = ['before', 'after', 'detail'] as const;

export interface ActionEntry {
  tenantId: string;
  /** Who asked for it: a clerk's UPN, "timer", the IT supplier's account. */
  actor: string;
  action: string;
  target: string;
  before?: unknown;
  after?: unknown;
  result: 'done' | 'skipped' | 'failed' | string;
  detail?: string;
}

export interface LoggedAction extends ActionEntry {
  id: string;
  /** UTC ISO time of the action. */
  at: string;
}

type StoredAction = Record<string, string>;

// Orders actions logged by this process in the same millisecond.
let lastTime = '';
let sequence = 0;

export class ActionLog {
  constructor(private readonly blobs: Blobs, private readonly tables: Tables) {}

  /** Appends one entry and returns its id (time-sortable). `at` defaults to now. */
  async append(entry: ActionEntry, at = new Date().toISOString()): Promise<string> {
    for (const field of ['tenantId', 'actor', 'action', 'target', 'result'] as const) {
      if (typeof entry[field] !== 'string' || !entry[field].trim()) throw new Error(`An action log entry must name its ${field}; got ${JSON.stringify(entry[field])}.`);
    }
    const when = instantOf(at, 'The action time').toISO()!;
    const time = sortableTime(when);
    sequence = time === lastTime ? sequence + 1 : 0;
    lastTime = time;
    // Time first so rows list in order; the sequence orders one process's actions within a
    // millisecond; the random part keeps two processes' actions apart.
    const id = `${time}-${String(sequence).padStart(4, '0')}-${randomBytes(4).toString('hex')}`;
    const partitionKey = tenantKey(entry.tenantId);
    const row: StoredAction & { partitionKey: string; rowKey: string } = { partitionKey, rowKey: id, at: when, actor: entry.actor, action: entry.action, target: entry.target, result: entry.result };
    const texts = { before: JSON.stringify(entry.before ?? null), after: JSON.stringify(entry.after ?? null), detail: entry.detail ?? '' };
    for (const field of SPILLABLE) {
      if (texts[field].length > INLINE_LIMIT) {
        const name = `${partitionKey}/${id}/${field}.txt`;
        await this.blobs.put(CONTAINER, name, texts[field], 'text/plain; charset=utf-8');
        row[`${field}Blob`] = name;
      } else {
        row[field] = texts[field];
      }
    }
    const table = await this.tables.table(TABLE);
    await table.createEntity(row);
    return id;
  }

  /** The tenant's actions in time order, oldest first; `since` (ISO) keeps those at or after it. */
  async list(tenantId: string, opts: { since?: string } = {}): Promise<LoggedAction[]> {
    const table = await this.tables.table(TABLE);
    const partition = tenantKey(tenantId);
    const filter = opts.since
      ? odata`PartitionKey eq ${partition} and RowKey ge ${sortableTime(instantOf(opts.since, 'since').toISO()!)}`
      : odata`PartitionKey eq ${partition}`;
    const out: LoggedAction[] = [];
    for await (const e of table.listEntities<StoredAction>({ queryOptions: { filter } })) {
      const text = async (field: (typeof SPILLABLE)[number]) => {
        const blob = e[`${field}Blob`];
        return blob ? ((await this.blobs.get(CONTAINER, blob))?.toString('utf8') ?? '') : (e[field] ?? '');
      };
      const detail = await text('detail');
      out.push({
        id: e.rowKey!, at: e.at, tenantId, actor: e.actor, action: e.action, target: e.target,
        before: parseOrNull(await text('before')), after: parseOrNull(await text('after')), result: e.result,
        ...(detail ? { detail } : {}),
      });
    }
    return out;
  }
}

function parseOrNull(text: string): unknown {
  return text ? JSON.parse(text) : null;
}
