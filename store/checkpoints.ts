// Checkpoints for resumable work (offboarding steps, drive delta indexes, pending audit queries), with
// optimistic concurrency through Table etags. Values larger than a Table property allows spill to a blob.
import { randomUUID } from 'node:crypto';
import type { Blobs } from './blobs';
import type { Tables } from './tables';
import { tableKey } from './keys';

const TABLE = 'checkpoints';
const CONTAINER = 'checkpoints';
// A Table string property holds 64 KiB of UTF-16 (32K characters); keep well under it.
const INLINE_LIMIT = 30_000;

export interface Checkpoint<T> {
  value: T;
  etag: string;
}

export class CheckpointConflictError extends Error {
  override name = 'CheckpointConflictError';
}

export class Checkpoints {
  constructor(private readonly blobs: Blobs, private readonly tables: Tables) {}

  async get<T>(scope: string, key: string): Promise<Checkpoint<T> | undefined> {
    const table = await this.tables.table(TABLE);
    try {
      const e = await table.getEntity<{ value?: string; blob?: string }>(tableKey(scope), tableKey(key));
      const text = e.blob ? (await this.blobs.get(CONTAINER, e.blob))?.toString('utf8') : e.value;
      if (text === undefined) return undefined;
      return { value: JSON.parse(text) as T, etag: e.etag };
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw err;
    }
  }

  /** Writes the value; with an etag, only if nobody else wrote since (else CheckpointConflictError). */
  async put<T>(scope: string, key: string, value: T, etag?: string): Promise<string> {
    const table = await this.tables.table(TABLE);
    const previousBlob = await table.getEntity<{ blob?: string }>(tableKey(scope), tableKey(key)).then((e) => e.blob, () => undefined);
    const text = JSON.stringify(value);
    const entity: { partitionKey: string; rowKey: string; value?: string; blob?: string } = { partitionKey: tableKey(scope), rowKey: tableKey(key) };
    if (text.length > INLINE_LIMIT) {
      entity.blob = `${tableKey(scope)}/${tableKey(key)}/${randomUUID()}.json`;
      await this.blobs.put(CONTAINER, entity.blob, text, 'application/json');
    } else {
      entity.value = text;
    }
    try {
      const res = etag
        ? await table.updateEntity(entity, 'Replace', { etag })
        : await table.upsertEntity(entity, 'Replace');
      // The row now points elsewhere: the blob an earlier value spilled to is no longer needed.
      if (previousBlob && previousBlob !== entity.blob) await this.blobs.delete(CONTAINER, previousBlob);
      return res.etag ?? '';
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 412) throw new CheckpointConflictError(`checkpoint ${scope}/${key} was changed by another run`);
      throw err;
    }
  }

  async delete(scope: string, key: string): Promise<void> {
    const table = await this.tables.table(TABLE);
    await table.deleteEntity(tableKey(scope), tableKey(key)).catch((err: { statusCode?: number }) => {
      if (err.statusCode !== 404) throw err;
    });
  }
}
