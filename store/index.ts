// The store: Azure Tables + Blobs (Azurite locally). Findings history, checkpoints, the action log,
// leases and report files. COUNCILGUARD_STORAGE holds the connection string; without it the CLI starts
// Azurite itself.
import { resolve } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { ActionLog, type ActionEntry, type LoggedAction } from './action-log';
import { Blobs } from './blobs';
import { Checkpoints, type Checkpoint } from './checkpoints';
import { Locks, type LockResult } from './locks';
import { Runs, type RunRow } from './runs';
import { Tables, type TableAccess } from './tables';
import { DefaultAzureCredential } from '@azure/identity';
import { startAzurite } from './azurite';

export type { ActionEntry, LoggedAction, Checkpoint, LockResult, RunRow };
export { CheckpointConflictError } from './checkpoints';

export class StorageConfigError extends Error {
  override name = 'ConfigError';
}

export class Store {
  readonly blobs: Blobs;
  private readonly runs: Runs;
  private readonly checkpoints: Checkpoints;
  private readonly actions: ActionLog;
  private readonly locks: Locks;

  constructor(access: TableAccess) {
    const tables = new Tables(access);
    this.blobs = new Blobs('connectionString' in access
      ? BlobServiceClient.fromConnectionString(access.connectionString)
      : new BlobServiceClient(access.url.replace('.table.', '.blob.'), access.credential));
    this.runs = new Runs(this.blobs, tables);
    this.checkpoints = new Checkpoints(this.blobs, tables);
    this.actions = new ActionLog(tables);
    this.locks = new Locks(tables);
  }

  saveRun(tenantId: string, runId: string, generatedAt: string, files: Record<string, string | Buffer>) { return this.runs.saveRun(tenantId, runId, generatedAt, files); }
  latestRun<T = import('../checks/types').FindingsDocument>(tenantId: string) { return this.runs.latestRun<T>(tenantId); }
  runHistory(tenantId: string, nights = 30) { return this.runs.runHistory(tenantId, nights); }
  readRunFile(tenantId: string, runId: string | 'latest', name: string) { return this.runs.readRunFile(tenantId, runId, name); }
  deleteRunsOlderThan(tenantId: string, cutoffIso: string) { return this.runs.deleteRunsOlderThan(tenantId, cutoffIso); }

  getCheckpoint<T>(scope: string, key: string) { return this.checkpoints.get<T>(scope, key); }
  putCheckpoint<T>(scope: string, key: string, value: T, etag?: string) { return this.checkpoints.put(scope, key, value, etag); }
  deleteCheckpoint(scope: string, key: string) { return this.checkpoints.delete(scope, key); }

  appendAction(entry: ActionEntry, at?: string) { return this.actions.append(entry, at); }
  listActions(tenantId: string, opts?: { since?: string }) { return this.actions.list(tenantId, opts); }

  acquireLock(scope: string, key: string, owner: string, ttlSeconds: number) { return this.locks.acquire(scope, key, owner, ttlSeconds); }
  releaseLock(scope: string, key: string, owner: string) { return this.locks.release(scope, key, owner); }

  putBlob(container: string, name: string, data: string | Buffer, contentType?: string) { return this.blobs.put(container, name, data, contentType); }
  getBlob(container: string, name: string) { return this.blobs.get(container, name); }
  listBlobs(container: string, prefix: string) { return this.blobs.list(container, prefix); }
}

/** Opens the store and proves it answers, so a wrong connection string fails now with a clear message. */
export async function openStore(connectionString: string): Promise<Store> {
  if (!/AccountName=|UseDevelopmentStorage=true|BlobEndpoint=/i.test(connectionString)) {
    throw new StorageConfigError('COUNCILGUARD_STORAGE is not an Azure Storage connection string (expected "DefaultEndpointsProtocol=https;AccountName=...;AccountKey=..." or "UseDevelopmentStorage=true"); copy it from the storage account\'s "Access keys" page, or unset it to use local storage.');
  }
  let store: Store;
  try {
    store = new Store({ connectionString });
    await store.runHistory('00000000-0000-0000-0000-000000000000', 1);
  } catch (err) {
    throw new StorageConfigError(`COUNCILGUARD_STORAGE could not be used: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}. Check the connection string and that the storage account is reachable.`);
  }
  return store;
}

/** COUNCILGUARD_STORAGE when set; otherwise a local Azurite (in memory, or persisted under dataDir). */
export async function storeFromEnvironment(opts: { env?: NodeJS.ProcessEnv; dataDir?: string; inMemory?: boolean }): Promise<{ store: Store; stop: () => Promise<void> }> {
  const env = opts.env ?? process.env;
  // In Azure: the account name and the app's managed identity (shared keys are off on the account).
  if (env.COUNCILGUARD_STORAGE_ACCOUNT) {
    if (!/^[a-z0-9]{3,24}$/.test(env.COUNCILGUARD_STORAGE_ACCOUNT)) throw new StorageConfigError(`COUNCILGUARD_STORAGE_ACCOUNT "${env.COUNCILGUARD_STORAGE_ACCOUNT}" is not a storage account name (3-24 lower-case letters and digits).`);
    const store = new Store({ url: `https://${env.COUNCILGUARD_STORAGE_ACCOUNT}.table.core.windows.net`, credential: new DefaultAzureCredential() });
    return { store, stop: async () => {} };
  }
  const conn = env.COUNCILGUARD_STORAGE;
  if (conn) return { store: await openStore(conn), stop: async () => {} };
  const azurite = await startAzurite(opts.inMemory ? { inMemory: true } : { location: resolve(opts.dataDir ?? '.councilguard', 'storage') });
  try {
    return { store: await openStore(azurite.connectionString), stop: azurite.stop };
  } catch (err) {
    await azurite.stop();
    throw err;
  }
}
