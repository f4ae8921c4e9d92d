// Leases in Table storage: one holder per key (e.g. one surrender per councillor), expiring after a TTL
// so a crashed holder does not block forever. Etags make acquire atomic.
import type { Tables } from './tables';
import { tableKey } from './keys';

const TABLE = 'locks';

export type LockResult = { acquired: true } | { acquired: false; holder: string; expiresAt: string };

export class Locks {
  constructor(private readonly tables: Tables) {}

  async acquire(scope: string, key: string, owner: string, ttlSeconds: number, now = Date.now()): Promise<LockResult> {
    const table = await this.tables.table(TABLE);
    const pk = tableKey(scope);
    const rk = tableKey(key);
    const expiresAt = new Date(now + ttlSeconds * 1000).toISOString();
    try {
      await table.createEntity({ partitionKey: pk, rowKey: rk, owner, expiresAt });
      return { acquired: true };
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 409) throw err;
    }
    const current = await table.getEntity<{ owner: string; expiresAt: string }>(pk, rk);
    if (current.owner !== owner && Date.parse(current.expiresAt) > now) {
      return { acquired: false, holder: current.owner, expiresAt: current.expiresAt };
    }
    try {
      await table.updateEntity({ partitionKey: pk, rowKey: rk, owner, expiresAt }, 'Replace', { etag: current.etag });
      return { acquired: true };
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 412) return this.acquire(scope, key, owner, ttlSeconds, now);
      throw err;
    }
  }

  async release(scope: string, key: string, owner: string): Promise<void> {
    const table = await this.tables.table(TABLE);
    try {
      const current = await table.getEntity<{ owner: string }>(tableKey(scope), tableKey(key));
      if (current.owner === owner) await table.deleteEntity(tableKey(scope), tableKey(key), { etag: current.etag });
    } catch (err) {
      if (![404, 412].includes((err as { statusCode?: number }).statusCode ?? 0)) throw err;
    }
  }
}
