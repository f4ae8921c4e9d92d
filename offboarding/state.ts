// Where a surrender lives in the store: its record (request, target, archive, step states), the status
// mirror the audit's accounts.term-ended check reads, and the lease that lets one surrender per
// councillor run at a time.
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import type { Store } from '../store';
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

/** Saves the record and mirrors its status for the audit (putCheckpoint('surrender-status', tenant|upn)). */
export async function saveRecord(store: Store, record: SurrenderRecord, now: string): Promise<void> {
  record.updatedAt = now;
  await store.putCheckpoint(RECORD_SCOPE, record.id, record);
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

/** Step scratch data (inventories, cursors), kept apart from the record so the record stays small. */
export async function loadStepData<T>(store: Store, id: string, step: StepName): Promise<T | undefined> {
  return (await store.getCheckpoint<T>('surrender-step', `${id}|${step}`))?.value;
}

export async function saveStepData<T>(store: Store, id: string, step: StepName, value: T): Promise<void> {
  await store.putCheckpoint('surrender-step', `${id}|${step}`, value);
}

// ---- the lease ----

/** A CLI run's lease owner names the surrender, this host and process, so a restart can tell a dead run from a live one. */
export function cliOwner(id: string): string {
  return `${id}#cli:${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
}

/** The durable orchestration owns its surrender's lease whichever host runs the activity. */
export const durableOwner = (id: string) => `${id}#durable`;

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
  if (!res.acquired && isDeadLocalHolder(res.holder)) {
    await store.releaseLock(LOCK_SCOPE, key, res.holder);
    res = await store.acquireLock(LOCK_SCOPE, key, owner, LEASE_SECONDS);
  }
  if (res.acquired) return res;
  return { acquired: false, holder: res.holder, holderSurrenderId: res.holder.split('#')[0], expiresAt: res.expiresAt };
}

export function releaseLease(store: Store, tenantId: string, upn: string, owner: string): Promise<void> {
  return store.releaseLock(LOCK_SCOPE, councillorKey(tenantId, upn), owner);
}

