// The action log: append-only by construction (no update or delete here). Every change CouncilGuard
// makes, and every access to mailbox content, is recorded with who, when, what, before and after.
import { randomBytes } from 'node:crypto';
import type { Tables } from './tables';
import { tableKey } from './keys';

const TABLE = 'actionlog';

export interface ActionEntry {
  tenantId: string;
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
  at: string;
}

export class ActionLog {
  constructor(private readonly tables: Tables) {}

  async append(entry: ActionEntry, at = new Date().toISOString()): Promise<string> {
    const table = await this.tables.table(TABLE);
    // Time first so rows list in order; a random suffix keeps two actions in one millisecond apart.
    const id = `${at.replace(/[^0-9]/g, '')}-${randomBytes(4).toString('hex')}`;
    await table.createEntity({
      partitionKey: tableKey(entry.tenantId.toLowerCase()),
      rowKey: id,
      at,
      actor: entry.actor,
      action: entry.action,
      target: entry.target,
      before: JSON.stringify(entry.before ?? null),
      after: JSON.stringify(entry.after ?? null),
      result: entry.result,
      detail: entry.detail ?? '',
    });
    return id;
  }

  async list(tenantId: string, opts: { since?: string } = {}): Promise<LoggedAction[]> {
    const table = await this.tables.table(TABLE);
    const out: LoggedAction[] = [];
    const iter = table.listEntities<Record<string, string>>({ queryOptions: { filter: `PartitionKey eq '${tableKey(tenantId.toLowerCase())}'` } });
    for await (const e of iter) {
      if (opts.since && e.at < opts.since) continue;
      out.push({
        id: e.rowKey!, at: e.at, tenantId, actor: e.actor, action: e.action, target: e.target,
        before: JSON.parse(e.before), after: JSON.parse(e.after), result: e.result, detail: e.detail || undefined,
      });
    }
    return out;
  }
}
