// Leases in Table storage: one holder per key (e.g. one surrender per councillor), expiring after a TTL
// so a crashed holder does not block forever. Table etags make taking over an expired lease atomic.
import type { Tables } from './tables';
import { tableKey } from './keys';

const TABLE = 'locks';

export type LockResult = { acquired: true } | { acquired: false; holder: string; expiresAt: string };

interface LockEntity {
  owner: string;
  expiresAt: string;
}

export class Locks {
  constructor(private readonly tables: Tables) {}

  /**
   * Takes the lease, renews it when `owner` already holds it, or takes it over once it has expired.
   * Otherwise reports who holds it and until when.
   */
  async acquire(scope: string, key: string, owner: string, ttlSeconds: number): Promise<LockResult> {
    if (!owner) throw new Error('A lock needs an owner (for example the run id), so a refusal can say who holds it.');
    if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) throw new Error(`A lock's time to live must be a positive number of seconds (got ${ttlSeconds}).`);
    const table = await this.tables.table(TABLE);
    const pk = tableKey(scope);
    const rk = tableKey(key);
    // Each pass either decides or lost a race to another writer; races settle within a few passes.
    for (let attempt = 0; attempt < 10; attempt++) {
      const now = Date.now();
      const lease = { partitionKey: pk, rowKey: rk, owner, expiresAt: new Date(now + ttlSeconds * 1000).toISOString() };
      try {
        await table.createEntity(lease);
        return { acquired: true };
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode !== 409) throw err;
      }
      let current: LockEntity & { etag: string };
      try {
        current = await table.getEntity<LockEntity>(pk, rk);
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) continue; // released meanwhile
        throw err;
      }
      if (current.owner !== owner && Date.parse(current.expiresAt) > now) {
        return { acquired: false, holder: current.owner, expiresAt: current.expiresAt };
      }
      try {
        await table.updateEntity(lease, 'Replace', { etag: current.etag });
        return { acquired: true };
      } catch (err) {
        if (![404, 412].includes((err as { statusCode?: number }).statusCode ?? 0)) throw err;
      }
    }
    throw new Error(`Could not settle the lock ${scope}/${key}: other runs keep changing it. Try again in a minute.`);
  }

  /** Releases the lease if `owner` still holds it; someone else's lease is left alone. */
  async release(scope: string, key: string, owner: string): Promise<void> {
    const table = await this.tables.table(TABLE);
    try {
      const current = await table.getEntity<LockEntity>(tableKey(scope), tableKey(key));
      if (current.owner === owner) await table.deleteEntity(tableKey(scope), tableKey(key), { etag: current.etag });
    } catch (err) {
      if (![404, 412].includes((err as { statusCode?: number }).statusCode ?? 0)) throw err;
    }
  }
}
