// Checkpoints for resumable work (offboarding steps, drive delta indexes, pending audit queries), with
// optimistic concurrency through Table etags. A value larger than a Table property allows spills to a
// blob, and the row points at it.
import { randomUUID } from 'node:crypto';
import type { Blobs } from './blobs';
import type { Tables } from './tables';
import { tableKey } from './keys';

const TABLE = 'checkpoints';
const CONTAINER = 'checkpoints';
// A Table string property holds 64 KiB of UTF-16, i.e. 32,768 JS characters; keep under it.
const INLINE_LIMIT = 30_000;

export interface Checkpoint<T> {
  value: T;
  /** Pass back to putCheckpoint to write only if nobody else has written since. */
  etag: string;
}

export class CheckpointConflictError extends Error {
  override name = 'CheckpointConflictError';
}

interface CheckpointEntity {
  partitionKey: string;
  rowKey: string;
  value?: string;
  blob?: string;
}

export class Checkpoints {
  constructor(private readonly blobs: Blobs, private readonly tables: Tables) {}

  async get<T>(scope: string, key: string): Promise<Checkpoint<T> | undefined> {
    // A writer may replace the value (and delete its old blob) between our two reads: read again then.
    for (let attempt = 0; attempt < 3; attempt++) {
      const row = await this.row(scope, key);
      if (!row) return undefined;
      const text = row.blob ? (await this.blobs.get(CONTAINER, row.blob))?.toString('utf8') : row.value;
      if (text !== undefined) return { value: JSON.parse(text) as T, etag: row.etag };
    }
    throw new Error(`Checkpoint ${scope}/${key} points at a value that is missing from storage; delete the checkpoint to start that step again.`);
  }

  /** The row for a value: inline when small, else in a blob the row points at (written first). */
  private async entityFor<T>(scope: string, key: string, value: T): Promise<CheckpointEntity> {
    const text = JSON.stringify(value);
    if (text === undefined) throw new Error(`Checkpoint ${scope}/${key}: the value cannot be stored as JSON.`);
    const entity: CheckpointEntity = { partitionKey: tableKey(scope), rowKey: tableKey(key) };
    if (text.length > INLINE_LIMIT) {
      entity.blob = `${entity.partitionKey}/${entity.rowKey}/${randomUUID()}.json`;
      await this.blobs.put(CONTAINER, entity.blob, text, 'application/json');
    } else {
      entity.value = text;
    }
    return entity;
  }

  /** Writes the value only if there is none yet (create-if-absent); returns its etag, else throws CheckpointConflictError. */
  async create<T>(scope: string, key: string, value: T): Promise<string> {
    const table = await this.tables.table(TABLE);
    const entity = await this.entityFor(scope, key, value);
    try {
      return (await table.createEntity(entity)).etag ?? '';
    } catch (err) {
      if (entity.blob) await this.blobs.delete(CONTAINER, entity.blob);
      if ((err as { statusCode?: number }).statusCode === 409) throw new CheckpointConflictError(`Checkpoint ${scope}/${key} already exists: another run created it first.`);
      throw err;
    }
  }

  /**
   * Writes the value and returns its new etag. With an etag, writes only if nobody else wrote (or
   * deleted) since that etag was read, else throws CheckpointConflictError.
   */
  async put<T>(scope: string, key: string, value: T, etag?: string): Promise<string> {
    const table = await this.tables.table(TABLE);
    const previousBlob = (await this.row(scope, key))?.blob;
    const entity = await this.entityFor(scope, key, value);
    let newEtag: string;
    try {
      const res = etag
        ? await table.updateEntity(entity, 'Replace', { etag })
        : await table.upsertEntity(entity, 'Replace');
      newEtag = res.etag ?? '';
    } catch (err) {
      // Nothing points at the blob we just wrote.
      if (entity.blob) await this.blobs.delete(CONTAINER, entity.blob);
      const status = (err as { statusCode?: number }).statusCode;
      if (etag && (status === 412 || status === 404)) {
        throw new CheckpointConflictError(`Checkpoint ${scope}/${key} was changed by another run since it was read; read it again and retry.`);
      }
      throw err;
    }
    // The row now points elsewhere: the blob an earlier value spilled to is no longer needed.
    if (previousBlob && previousBlob !== entity.blob) await this.blobs.delete(CONTAINER, previousBlob);
    return newEtag;
  }

  async delete(scope: string, key: string): Promise<void> {
    const table = await this.tables.table(TABLE);
    const row = await this.row(scope, key);
    if (!row) return;
    await table.deleteEntity(tableKey(scope), tableKey(key)).catch((err: { statusCode?: number }) => {
      if (err.statusCode !== 404) throw err;
    });
    if (row.blob) await this.blobs.delete(CONTAINER, row.blob);
  }

  private async row(scope: string, key: string): Promise<(CheckpointEntity & { etag: string }) | undefined> {
    const table = await this.tables.table(TABLE);
    try {
      return await table.getEntity<CheckpointEntity>(tableKey(scope), tableKey(key));
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw err;
    }
  }
}
