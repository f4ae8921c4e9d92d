// The store: Azure Tables + Blobs (Azurite locally). Findings history, checkpoints, the action log,
// drive delta links, leases and report files. COUNCILGUARD_STORAGE holds the connection string; without
// it the CLI starts Azurite itself (storeFromEnvironment).
import { resolve } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { DefaultAzureCredential } from '@azure/identity';
import type { FindingsDocument } from '../core/findings';
import { ConfigError } from '../core/errors';
import { connectionStringProblem, readStorageSettings, type StorageSettings } from '../config/env';
import { ActionLog, type ActionEntry, type LoggedAction } from './action-log';
import { startAzurite } from './azurite';
import { Blobs } from './blobs';
import { Checkpoints, type Checkpoint } from './checkpoints';
import { ConfigVersions } from './config-versions';
import { DeltaTokens } from './delta-tokens';
import { Locks, type LockResult } from './locks';
import { Runs, type RunRow } from './runs';
import { RunRecords, type StoredRecord } from './run-records';
import { Tables, type TableAccess } from './tables';

export type { ActionEntry, LoggedAction, Checkpoint, LockResult, RunRow, TableAccess, StoredRecord };
export { RunRecordAlreadyWrittenError, RUN_RECORD_RETENTION_DAYS } from './run-records';
export { CheckpointConflictError } from './checkpoints';
export { AzuriteInUseError } from './azurite';
export { CONFIG_CONTAINER, sha256Of, type ConfigPointer, type ConfigVersions } from './config-versions';


export class Store {
  readonly blobs: Blobs;
  private readonly runs: Runs;
  /** Compact nightly run records for the year's evidence (run-records.ts). */
  readonly runRecords: RunRecords;
  /** Council configs pushed with `councilguard config push` (config-versions.ts). */
  readonly configVersions: ConfigVersions;
  private readonly checkpoints: Checkpoints;
  private readonly actions: ActionLog;
  private readonly deltaTokens: DeltaTokens;
  private readonly locks: Locks;

  constructor(access: TableAccess) {
    const tables = new Tables(access);
    this.blobs = new Blobs('connectionString' in access
      ? BlobServiceClient.fromConnectionString(access.connectionString)
      : new BlobServiceClient(access.url.replace('.table.', '.blob.'), access.credential));
    this.runs = new Runs(this.blobs, tables);
    this.runRecords = new RunRecords(this.blobs);
    this.configVersions = new ConfigVersions(this.blobs);
    this.checkpoints = new Checkpoints(this.blobs, tables);
    this.actions = new ActionLog(this.blobs, tables);
    this.deltaTokens = new DeltaTokens(tables);
    this.locks = new Locks(tables);
  }

  // Findings history (runs.ts)
  saveRun(...args: Parameters<Runs['saveRun']>): Promise<RunRow> { return this.runs.saveRun(...args); }
  latestRun<T = FindingsDocument>(tenantId: string): Promise<T | undefined> { return this.runs.latestRun<T>(tenantId); }
  runHistory(tenantId: string, nights = 30): Promise<RunRow[]> { return this.runs.runHistory(tenantId, nights); }
  readRunFile(tenantId: string, runId: string | 'latest', name: string): Promise<Buffer | undefined> { return this.runs.readRunFile(tenantId, runId, name); }
  deleteRunsOlderThan(tenantId: string, cutoffIso: string): Promise<number> { return this.runs.deleteRunsOlderThan(tenantId, cutoffIso); }
  runFileUrl(tenantId: string, generatedAt: string, runId: string, name: string, expiresOn: Date, now?: Date): Promise<string> { return this.runs.runFileUrl(tenantId, generatedAt, runId, name, expiresOn, now); }

  // Checkpoints (checkpoints.ts)
  getCheckpoint<T>(scope: string, key: string): Promise<Checkpoint<T> | undefined> { return this.checkpoints.get<T>(scope, key); }
  putCheckpoint<T>(scope: string, key: string, value: T, etag?: string): Promise<string> { return this.checkpoints.put(scope, key, value, etag); }
  /** Create-if-absent: throws CheckpointConflictError when the checkpoint exists. */
  createCheckpoint<T>(scope: string, key: string, value: T): Promise<string> { return this.checkpoints.create(scope, key, value); }
  deleteCheckpoint(scope: string, key: string): Promise<void> { return this.checkpoints.delete(scope, key); }

  // Action log (action-log.ts): append and list only.
  appendAction(entry: ActionEntry, at?: string): Promise<string> { return this.actions.append(entry, at); }
  listActions(tenantId: string, opts?: { since?: string }): Promise<LoggedAction[]> { return this.actions.list(tenantId, opts); }

  // Drive delta links (delta-tokens.ts)
  getDeltaLink(tenantId: string, driveId: string): Promise<string | undefined> { return this.deltaTokens.get(tenantId, driveId); }
  putDeltaLink(tenantId: string, driveId: string, deltaLink: string): Promise<void> { return this.deltaTokens.put(tenantId, driveId, deltaLink); }
  deleteDeltaLink(tenantId: string, driveId: string): Promise<void> { return this.deltaTokens.delete(tenantId, driveId); }

  // Leases (locks.ts)
  acquireLock(scope: string, key: string, owner: string, ttlSeconds: number): Promise<LockResult> { return this.locks.acquire(scope, key, owner, ttlSeconds); }
  releaseLock(scope: string, key: string, owner: string): Promise<void> { return this.locks.release(scope, key, owner); }

  // Blobs (blobs.ts)
  putBlob(container: string, name: string, data: string | Buffer, contentType?: string): Promise<void> { return this.blobs.put(container, name, data, contentType); }
  getBlob(container: string, name: string): Promise<Buffer | undefined> { return this.blobs.get(container, name); }
  listBlobs(container: string, prefix: string): Promise<string[]> { return this.blobs.list(container, prefix); }
}

/** Opens the store and proves it answers, so a wrong connection string fails now with a clear message. */
export async function openStore(connectionString: string): Promise<Store> {
  const problem = connectionStringProblem(connectionString);
  if (problem) throw new ConfigError(problem);
  let store: Store;
  try {
    store = new Store({ connectionString });
    await store.runHistory('00000000-0000-0000-0000-000000000000', 1);
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new ConfigError(`COUNCILGUARD_STORAGE could not be used (${reason}). Check the account name and key in the connection string, and that the storage account is reachable from here.`);
  }
  return store;
}

/**
 * The store for this process, and how to let it go (the settings come from config/env.ts):
 * - an Azure storage account reached by managed identity (shared keys off);
 * - a connection string;
 * - else a local Azurite started here, in memory or persisted under `<dataDir>/storage` (dataDir
 *   defaults to .councilguard in the working directory), stopped by `stop()`.
 */
export async function openConfiguredStore(settings: StorageSettings, opts: { dataDir?: string; inMemory?: boolean } = {}): Promise<{ store: Store; stop: () => Promise<void> }> {
  if (settings.kind === 'account') {
    const store = new Store({ url: `https://${settings.account}.table.core.windows.net`, credential: new DefaultAzureCredential() });
    return { store, stop: async () => {} };
  }
  if (settings.kind === 'connection-string') return { store: await openStore(settings.connectionString), stop: async () => {} };
  const azurite = await startAzurite(opts.inMemory ? { inMemory: true } : { location: resolve(opts.dataDir ?? '.councilguard', 'storage') });
  try {
    return { store: await openStore(azurite.connectionString), stop: () => azurite.stop() };
  } catch (err) {
    await azurite.stop();
    throw err;
  }
}

/** The store the environment names (COUNCILGUARD_STORAGE_ACCOUNT, COUNCILGUARD_STORAGE), else a local Azurite. */
export function storeFromEnvironment(opts: { env?: NodeJS.ProcessEnv; dataDir?: string; inMemory?: boolean } = {}): Promise<{ store: Store; stop: () => Promise<void> }> {
  return openConfiguredStore(readStorageSettings(opts.env ?? process.env), opts);
}
