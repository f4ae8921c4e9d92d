// Plans and their status in the store. The plan itself is written once (blob, never rewritten); its
// status (approval, results, undos) is a checkpoint updated with an etag, so two approvers or an apply
// racing an approve cannot overwrite each other.
import { createHash } from 'node:crypto';
import { CheckpointConflictError, type Store } from '../store';
import type { EnforcementPlan, PlanStatus } from './types';
import { EnforcementInputError } from '../core/errors';

const CONTAINER = 'plans';
const SCOPE = 'plan-status';

/** Canonical JSON: keys sorted at every level, so the digest does not depend on formatting. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function planDigest(plan: Omit<EnforcementPlan, 'digest'> & { digest?: string }): string {
  const { digest: _ignored, ...rest } = plan;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

const blobName = (planId: string) => `${planId}.json`;
const PLAN_ID = /^P\d{8}T\d{6}Z-[0-9a-f]{6}$/;

export function assertPlanId(id: string): void {
  if (!PLAN_ID.test(id)) throw new EnforcementInputError(`"${id}" is not a plan id (they look like P20261125T020000Z-1a2b3c); copy it from the plan file or the report.`);
}

export async function savePlan(store: Store, plan: EnforcementPlan): Promise<void> {
  await store.putBlob(CONTAINER, blobName(plan.id), JSON.stringify(plan, null, 2), 'application/json');
  const status: PlanStatus = { planId: plan.id, tenantId: plan.tenantId, digest: plan.digest, state: 'awaiting-approval', results: {}, undone: {} };
  await store.putCheckpoint(SCOPE, plan.id, status);
}

export async function loadStoredPlan(store: Store, planId: string): Promise<EnforcementPlan | undefined> {
  assertPlanId(planId);
  const raw = await store.getBlob(CONTAINER, blobName(planId));
  return raw ? JSON.parse(raw.toString('utf8')) as EnforcementPlan : undefined;
}

export async function loadStatus(store: Store, planId: string): Promise<{ status: PlanStatus; etag: string } | undefined> {
  const c = await store.getCheckpoint<PlanStatus>(SCOPE, planId);
  return c ? { status: c.value, etag: c.etag } : undefined;
}

/** Writes the status only over the version `etag` names; CheckpointConflictError when someone wrote since. */
export async function saveStatusIf(store: Store, status: PlanStatus, etag: string): Promise<void> {
  await store.putCheckpoint(SCOPE, status.planId, status, etag);
}

/** Reads, changes and writes the status; retries when someone else wrote it in between. */
export async function updateStatus(store: Store, planId: string, change: (s: PlanStatus) => void): Promise<PlanStatus> {
  for (let attempt = 0; ; attempt++) {
    const current = await loadStatus(store, planId);
    if (!current) throw new EnforcementInputError(`Plan ${planId} is not in this CouncilGuard's store; make a new plan with councilguard plan.`);
    change(current.status);
    try {
      await store.putCheckpoint(SCOPE, planId, current.status, current.etag);
      return current.status;
    } catch (err) {
      if (!(err instanceof CheckpointConflictError) || attempt >= 5) throw err;
    }
  }
}
