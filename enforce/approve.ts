// Approval: who approved a plan, recorded once in its status and in the action log. Applying stays in
// apply.ts; the HTTP endpoint approves then applies, and re-applying needs an approved plan. The plan
// page's approval may leave actions out; they are recorded with the approval and apply skips them.
import { loadStatus, saveStatusIf, updateStatus } from './plan-store';
import { CheckpointConflictError } from '../store';
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

export interface SelectiveApproval {
  /** The status version the approver was shown (the plan page carries it); absent: no staleness check. */
  version?: string;
  /** Action ids the approver left out; they are recorded and never applied from this plan. */
  deselected: string[];
  at: string;
}

/**
 * Approval from the plan page: only a plan still awaiting approval, only as it was shown (its status
 * version), with the actions the approver left out recorded beside who approved and when. The write is
 * conditional on the version read, so a page that went stale in between is refused, not half-applied.
 */
export async function approveSelection(store: Store, plan: EnforcementPlan, approver: string, via: string, opts: SelectiveApproval): Promise<void> {
  const current = await loadStatus(store, plan.id);
  if (!current) throw new EnforcementInputError(`Plan ${plan.id} is not in this CouncilGuard's store; make a new plan with councilguard plan.`);
  const s = current.status;
  if (s.state === 'applied') throw new EnforcementInputError(`Plan ${plan.id} has already been applied${s.approvedBy ? ` (approved by ${s.approvedBy})` : ''}; nothing was changed. Reload the page to see its results.`);
  if (s.state === 'approved') throw new EnforcementInputError(`Plan ${plan.id} has already been approved by ${s.approvedBy ?? 'someone else'}; nothing was changed. Reload the page; if applying it failed part-way, apply it again with POST /api/plans/${plan.id}/apply.`);
  const stale = `Plan ${plan.id} has changed since this page was shown; nothing was approved or applied. Reload the page, check the plan again, and approve it then.`;
  if (opts.version !== undefined && opts.version !== current.etag) throw new EnforcementInputError(stale);
  const left = plan.actions.filter((a) => opts.deselected.includes(a.id)).map((a) => a.id);
  s.state = 'approved';
  s.approvedBy = approver;
  s.approvedAt = opts.at;
  if (left.length) s.deselected = { actionIds: left, by: approver, at: opts.at };
  try {
    await saveStatusIf(store, s, current.etag);
  } catch (err) {
    if (err instanceof CheckpointConflictError) throw new EnforcementInputError(stale);
    throw err;
  }
  await store.appendAction({
    tenantId: plan.tenantId, actor: approver, action: 'plan.approve', target: plan.id, result: 'done',
    after: left.length ? { deselected: left } : undefined,
    detail: `${plan.actions.length - left.length} of ${plan.actions.length} action(s) approved ${via}${left.length ? `; left out, never to be applied from this plan: ${left.join(', ')}` : ''}.`,
  });
}
