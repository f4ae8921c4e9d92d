// Approval: who approved a plan, recorded once in its status and in the action log. Applying stays in
// apply.ts; the HTTP endpoint approves then applies, and re-applying needs an approved plan.
import { loadStatus, updateStatus } from './plan-store';
import { EnforcementInputError } from '../core/errors';
import { type EnforcementPlan } from './types';
import type { Store } from '../store';

export async function approvePlan(store: Store, plan: EnforcementPlan, approver: string, via: string): Promise<void> {
  await updateStatus(store, plan.id, (s) => {
    if (s.state === 'awaiting-approval') { s.state = 'approved'; s.approvedBy = approver; s.approvedAt = new Date().toISOString(); }
  });
  await store.appendAction({ tenantId: plan.tenantId, actor: approver, action: 'plan.approve', target: plan.id, result: 'done', detail: `${plan.actions.length} action(s) approved ${via}.` });
}

/** Refuses a plan nobody has approved yet, naming how to approve it. */
export async function assertApproved(store: Store, plan: EnforcementPlan): Promise<void> {
  const status = await loadStatus(store, plan.id);
  if (!status || status.status.state === 'awaiting-approval') {
    throw new EnforcementInputError(`Plan ${plan.id} has not been approved; approve it with POST /api/plans/${plan.id}/approve after reading it.`);
  }
}
