// Where a surrender lives in the store: its record (request, target, archive, step states), the status
// mirror the audit's accounts.term-ended check reads, and the lease that lets one surrender per
// councillor run at a time.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { SurrenderInputError } from '../core/errors';
import { CheckpointConflictError, type Store } from '../store';
import { STEP_NAMES, type StepName, type StepState, type SurrenderRecord, type SurrenderRequest } from './types';

const RECORD_SCOPE = 'surrender';
const STATUS_SCOPE = 'surrender-status';
const LOCK_SCOPE = 'surrender';
/** A runner renews its lease while it works; a lease left by a crashed runner lapses after this. */
export const LEASE_SECONDS = 15 * 60;

/** One surrender per tenant, councillor and term end: a restart with the same arguments finds it again. */
export function surrenderId(tenantId: string, userPrincipalName: string, termEnd: string): string {
  return createHash('sha256').update(`${tenantId.toLowerCase()}|${userPrincipalName.toLowerCase()}|${termEnd}`).digest('hex').slice(0, 24);
}

export const councillorKey = (tenantId: string, upn: string) => `${tenantId.toLowerCase()}|${upn.toLowerCase()}`;

export function newRecord(id: string, request: SurrenderRequest, now: string): SurrenderRecord {
  const steps = Object.fromEntries(STEP_NAMES.map((s) => [s, { status: 'pending' } satisfies StepState])) as Record<StepName, StepState>;
  return { schemaVersion: 1, id, request, status: 'running', steps, createdAt: now, updatedAt: now };
}

export async function loadRecord(store: Store, id: string): Promise<SurrenderRecord | undefined> {
  return (await store.getCheckpoint<SurrenderRecord>(RECORD_SCOPE, id))?.value;
}

/** The record and the etag to write it back with (a runner writes only over what it read). */
export async function loadRecordWithEtag(store: Store, id: string): Promise<{ record: SurrenderRecord; etag: string } | undefined> {
  const c = await store.getCheckpoint<SurrenderRecord>(RECORD_SCOPE, id);
  return c && { record: c.value, etag: c.etag };
}

/** A new surrender's record, only if there is none (two starts at once: one creates, the other finds it). */
export async function createRecord(store: Store, record: SurrenderRecord, now: string): Promise<void> {
  record.updatedAt = now;
  await store.createCheckpoint(RECORD_SCOPE, record.id, record);
  await mirrorStatus(store, record, now);
}

/**
 * Saves the record and mirrors its status for the audit (putCheckpoint('surrender-status', tenant|upn)).
 * With an etag, only over that version (CheckpointConflictError otherwise); returns the new etag.
 */
export async function saveRecord(store: Store, record: SurrenderRecord, now: string, etag?: string): Promise<string> {
  record.updatedAt = now;
  const next = await store.putCheckpoint(RECORD_SCOPE, record.id, record, etag);
  await mirrorStatus(store, record, now);
  return next;
}

async function mirrorStatus(store: Store, record: SurrenderRecord, now: string): Promise<void> {
  await store.putCheckpoint(STATUS_SCOPE, councillorKey(record.request.tenantId, record.request.userPrincipalName), {
    status: record.status,
    surrenderId: record.id,
    userPrincipalName: record.request.userPrincipalName,
    termEnd: record.request.termEnd,
    updatedAt: now,
    failedStep: STEP_NAMES.find((s) => record.steps[s].status === 'failed'),
    certificateUrl: record.certificate?.webUrl,
    licenceRemovalDue: record.steps.close.waitingUntil,
  });
}

export async function readStatusMirror(store: Store, tenantId: string, upn: string): Promise<{ status: string; surrenderId: string } | undefined> {
  return (await store.getCheckpoint<{ status: string; surrenderId: string }>(STATUS_SCOPE, councillorKey(tenantId, upn)))?.value;
}

/** A runner's lease was taken by another runner: it stops before writing anything more. */
export class LeaseLostError extends SurrenderInputError {
  constructor(id: string, holder: string) {
    super(`This run lost the surrender's lease to another run (${holder}) and stopped without writing more; follow that run, or start the surrender again once it has finished.`, 'conflict', id);
  }
}

/**
 * One runner's hold on a surrender (a CLI process, one durable activity invocation): the etags of the
 * step data it read, and its lease, checked before every write of step data.
 */
export interface RunnerScope {
  etags: Map<string, string>;
  /** Renews the lease; throws LeaseLostError when another runner holds it. */
  checkLease(): Promise<void>;
}

const runnerScope = new AsyncLocalStorage<RunnerScope>();

/** Runs `fn` as one runner: step data writes inside it are checked against the lease and written with etags. */
export function asRunner<T>(scope: RunnerScope, fn: () => Promise<T>): Promise<T> {
  return runnerScope.run(scope, fn);
}

/** Step scratch data (inventories, cursors), kept apart from the record so the record stays small. */
export async function loadStepData<T>(store: Store, id: string, step: StepName): Promise<T | undefined> {
  const key = `${id}|${step}`;
  const c = await store.getCheckpoint<T>('surrender-step', key);
  const scope = runnerScope.getStore();
  if (scope) {
    if (c) scope.etags.set(key, c.etag);
    else seenAbsent(scope).add(key);
  }
  return c?.value;
}

// Step data a runner read and found absent: its first save creates it only if still absent, so a runner
// that lost the race to another cannot overwrite what that one wrote.
const absentByRunner = new WeakMap<RunnerScope, Set<string>>();
function seenAbsent(scope: RunnerScope): Set<string> {
  let keys = absentByRunner.get(scope);
  if (!keys) absentByRunner.set(scope, (keys = new Set()));
  return keys;
}

/** Inside a runner: only while it holds the lease, and only over the version it read (or wrote) last. */
export async function saveStepData<T>(store: Store, id: string, step: StepName, value: T): Promise<void> {
  const key = `${id}|${step}`;
  const scope = runnerScope.getStore();
  if (!scope) { await store.putCheckpoint('surrender-step', key, value); return; }
  await scope.checkLease();
  try {
    const firstWrite = seenAbsent(scope).has(key) && !scope.etags.has(key);
    scope.etags.set(key, firstWrite
      ? await store.createCheckpoint('surrender-step', key, value)
      : await store.putCheckpoint('surrender-step', key, value, scope.etags.get(key)));
    seenAbsent(scope).delete(key);
  } catch (err) {
    if (err instanceof CheckpointConflictError) throw new LeaseLostError(id, 'another runner wrote this step\'s data');
    throw err;
  }
}

// ---- the lease ----

/** A CLI run's lease owner names the surrender, this host and process, so a restart can tell a dead run from a live one. */
export function cliOwner(id: string): string {
  return `${id}#cli:${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * Durable owners: the HTTP start's (`…#durable:start:…`), then each activity invocation's own
 * (`…#durable:act:…`). An activity takes the lease over from the start or an earlier activity of the
 * same surrender (the orchestration runs them one at a time); if a retried activity overlaps one still
 * running, the older one finds its lease gone at its next write and stops.
 */
export const durableOwner = (id: string, role: 'start' | 'act') => `${id}#durable:${role}:${randomUUID().slice(0, 8)}`;
const isDurableOf = (holder: string, id: string) => holder.startsWith(`${id}#durable`);

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A CLI lease whose process on this host has died (SIGKILL, power cut) can be taken over at once. */
function isDeadLocalHolder(holder: string): boolean {
  const m = /#cli:([^:]+):(\d+):/.exec(holder);
  return !!m && m[1] === hostname() && !processAlive(Number(m[2]));
}

export type LeaseResult = { acquired: true } | { acquired: false; holder: string; holderSurrenderId: string; expiresAt: string };

export async function acquireLease(store: Store, tenantId: string, upn: string, owner: string): Promise<LeaseResult> {
  const key = councillorKey(tenantId, upn);
  let res = await store.acquireLock(LOCK_SCOPE, key, owner, LEASE_SECONDS);
  const id = owner.split('#')[0];
  const takeOver = !res.acquired && (isDeadLocalHolder(res.holder) || (owner.startsWith(`${id}#durable:act:`) && isDurableOf(res.holder, id)));
  if (!res.acquired && takeOver) {
    await store.releaseLock(LOCK_SCOPE, key, res.holder);
    res = await store.acquireLock(LOCK_SCOPE, key, owner, LEASE_SECONDS);
  }
  if (res.acquired) return res;
  return { acquired: false, holder: res.holder, holderSurrenderId: res.holder.split('#')[0], expiresAt: res.expiresAt };
}

export function releaseLease(store: Store, tenantId: string, upn: string, owner: string): Promise<void> {
  return store.releaseLock(LOCK_SCOPE, councillorKey(tenantId, upn), owner);
}

/** Renews a lease this owner holds (or takes an expired one); never takes over a live holder. */
export async function renewLease(store: Store, tenantId: string, upn: string, owner: string): Promise<LeaseResult> {
  const res = await store.acquireLock(LOCK_SCOPE, councillorKey(tenantId, upn), owner, LEASE_SECONDS);
  return res.acquired ? res : { acquired: false, holder: res.holder, holderSurrenderId: res.holder.split('#')[0], expiresAt: res.expiresAt };
}

/** After the orchestration gave up: frees the councillor from whichever durable owner of this surrender holds it. */
export async function releaseDurableLease(store: Store, tenantId: string, upn: string, id: string): Promise<void> {
  const owner = durableOwner(id, 'act');
  if ((await acquireLease(store, tenantId, upn, owner)).acquired) await releaseLease(store, tenantId, upn, owner);
}

