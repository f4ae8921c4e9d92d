// The enforcement use case, for the command line (`plan`, `apply`, `undo`, `actions`) and the function
// app (GET /api/plans/{id}, POST …/approve and …/apply): plan from the latest audit, approve and apply
// exactly a plan, undo one action, export the action log. Nothing outside jobs/ reaches into enforce/.
import { existsSync, readFileSync } from 'node:fs';
import { UsageError } from '../core/errors';
import type { CouncilConfig } from '../policy/council-config';
import { renderActionLogCsv } from '../reports/action-log-csv';
import { applyPlan, verifyPlan, type ApplyOutcome } from '../enforce/apply';
import { approvePlan, assertApproved } from '../enforce/approve';
import { describePlan, makePlan } from '../enforce/plan';
import { assertPlanId, loadStatus, loadStoredPlan } from '../enforce/plan-store';
import type { EnforceContext, EnforcementPlan, PlanStatus } from '../enforce/types';
import { undoAction, type UndoOutcome } from '../enforce/undo';
import type { Store } from '../store';
import type { Councils } from './council-context';

export { describePlan };
export type { ApplyOutcome, EnforcementPlan, UndoOutcome };

/** A plan from the council's latest audit (only remediations its config enables); changes nothing. */
export function planEnforcement(ctx: EnforceContext, createdBy: string): Promise<EnforcementPlan> {
  return makePlan({ ...ctx, createdBy });
}

/** Records `approver` as approving the plan, then applies exactly it (each action only if its target is unchanged). */
export async function approveAndApply(ctx: EnforceContext, plan: EnforcementPlan, approver: string, via: string): Promise<ApplyOutcome> {
  await verifyPlan(ctx, plan); // before recording an approval of a plan that cannot be applied
  await approvePlan(ctx.store, plan, approver, via);
  return applyPlan(ctx, plan, approver);
}

/** Applies an already approved plan again (after a partial failure); refuses an unapproved one. */
export async function applyApprovedPlan(ctx: EnforceContext, plan: EnforcementPlan, approver: string): Promise<ApplyOutcome> {
  await assertApproved(ctx.store, plan);
  return applyPlan(ctx, plan, approver);
}

/** Puts back one applied action, if its target is still as the action left it. */
export function undoEnforcement(ctx: EnforceContext, actionId: string, actor: string): Promise<UndoOutcome> {
  return undoAction(ctx, actionId.trim(), actor);
}

/** A stored plan by id (a malformed id is refused with its format), with its approval state. */
export async function findPlan(store: Store, id: string): Promise<{ plan: EnforcementPlan; status?: PlanStatus } | undefined> {
  assertPlanId(id);
  const plan = await loadStoredPlan(store, id);
  return plan && { plan, status: (await loadStatus(store, id))?.status };
}

/** The council a plan file or stored plan is for, if it is in the config. */
export function councilOfPlan(councils: Councils, plan: EnforcementPlan): CouncilConfig | undefined {
  return councils.ofTenant(String(plan.tenantId ?? ''));
}

/** The council whose stored plan holds this action (`undo` without --council when the config has several). */
export async function councilOwningAction(councils: Councils, actionId: string): Promise<CouncilConfig> {
  const plan = await loadStoredPlan(councils.store, actionId.trim().split('.')[0]);
  const council = plan && councilOfPlan(councils, plan);
  if (!council) throw new UsageError(`No council in the config has a plan holding action ${actionId}; check the action id (councilguard apply prints them) or say which council with --council.`);
  return council;
}

/** Reads a plan file `councilguard plan` wrote; a missing or damaged file is refused with the fix. */
export function readPlanFile(path: string): EnforcementPlan {
  if (!existsSync(path)) throw new UsageError(`The plan file ${path} does not exist; make one with councilguard plan --config … --out ${path}.`);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as EnforcementPlan;
  } catch {
    throw new UsageError(`The plan file ${path} is not valid JSON; it has been damaged or edited. Make a new plan with councilguard plan.`);
  }
}

/** The council's action log (every change and content access, with before and after) as CSV. */
export async function actionLogCsv(store: Store, council: CouncilConfig): Promise<{ csv: string; count: number }> {
  const actions = await store.listActions(council.tenantId);
  return { csv: renderActionLogCsv(actions), count: actions.length };
}

