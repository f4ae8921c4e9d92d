// Drive delta links, one per tenant and drive: the next night asks Graph only for what changed since.
import type { Tables } from './tables';
import { tableKey, tenantKey } from './keys';

const TABLE = 'deltatokens';
// A Table string property holds 32,768 characters; Graph's delta links are far shorter.
const MAX_LINK_LENGTH = 32_000;

export class DeltaTokens {
  constructor(private readonly tables: Tables) {}

  async get(tenantId: string, driveId: string): Promise<string | undefined> {
    const table = await this.tables.table(TABLE);
    try {
      return (await table.getEntity<{ deltaLink: string }>(tenantKey(tenantId), tableKey(driveId))).deltaLink;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw err;
    }
  }

  async put(tenantId: string, driveId: string, deltaLink: string): Promise<void> {
    if (!/^https:\/\//.test(deltaLink)) throw new Error(`Drive ${driveId}: a delta link is the https URL Graph returns as @odata.deltaLink; got "${deltaLink.slice(0, 80)}".`);
    if (deltaLink.length > MAX_LINK_LENGTH) throw new Error(`Drive ${driveId}: the delta link is ${deltaLink.length} characters, more than a Table property holds.`);
    const table = await this.tables.table(TABLE);
    await table.upsertEntity({ partitionKey: tenantKey(tenantId), rowKey: tableKey(driveId), deltaLink, savedAt: new Date().toISOString() }, 'Replace');
  }

  /** Forgets the link (after a 410 resyncRequired, or when the drive is gone): the next read is a full one. */
  async delete(tenantId: string, driveId: string): Promise<void> {
    const table = await this.tables.table(TABLE);
    await table.deleteEntity(tenantKey(tenantId), tableKey(driveId)).catch((err: { statusCode?: number }) => {
      if (err.statusCode !== 404) throw err;
    });
  }
}
