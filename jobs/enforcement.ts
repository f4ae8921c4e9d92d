// The enforcement use case, for the command line (`plan`, `apply`, `undo`, `actions`) and the function
// app (GET /api/plans/{id}, POST …/approve and …/apply): plan from the latest audit, approve and apply
// exactly a plan, undo one action, export the action log. Nothing outside jobs/ reaches into enforce/.
import { existsSync, readFileSync } from 'node:fs';
import { UsageError } from '../core/errors';
import type { CouncilConfig } from '../policy/council-config';
import { applyPlan, verifyPlan, type ApplyOutcome } from '../enforce/apply';
import { approvePlan, assertApproved } from '../enforce/approve';
import { describePlan, makePlan } from '../enforce/plan';
import { assertPlanId, loadStatus, loadStoredPlan } from '../enforce/plan-store';
import type { EnforceContext, EnforcementPlan, PlanStatus } from '../enforce/types';
import { undoAction, type UndoOutcome } from '../enforce/undo';
import type { LoggedAction, Store } from '../store';
import type { Councils } from './council-context';
import { asRun } from './telemetry';

const PLANS_CONTAINER = 'plans';

export { describePlan };
export { ACTION_LOG_COLUMNS } from '../reports/action-log-table';
export type { ApplyOutcome, EnforcementPlan, UndoOutcome };

/** A plan from the council's latest audit (only remediations its config enables); changes nothing. */
export function planEnforcement(ctx: EnforceContext, createdBy: string): Promise<EnforcementPlan> {
  return makePlan({ ...ctx, createdBy });
}

/** Records `approver` as approving the plan, then applies exactly it (each action only if its target is unchanged). */
export function approveAndApply(ctx: EnforceContext, plan: EnforcementPlan, approver: string, via: string): Promise<ApplyOutcome> {
  return asPlanRun(ctx, plan, async (run) => {
    await verifyPlan(run, plan); // before recording an approval of a plan that cannot be applied
    await approvePlan(run.store, plan, approver, via);
    return applied(run, await applyPlan(run, plan, approver));
  });
}

/** Applies an already approved plan again (after a partial failure); refuses an unapproved one. */
export function applyApprovedPlan(ctx: EnforceContext, plan: EnforcementPlan, approver: string): Promise<ApplyOutcome> {
  return asPlanRun(ctx, plan, async (run) => {
    await assertApproved(run.store, plan);
    return applied(run, await applyPlan(run, plan, approver));
  });
}

/** Applying a plan is one run (its id the plan's): lines carry council, tenantId, runId and planId. */
function asPlanRun<T>(ctx: EnforceContext, plan: EnforcementPlan, fn: (run: EnforceContext) => Promise<T>): Promise<T> {
  const dimensions = { council: ctx.council.name, tenantId: ctx.council.tenantId, runId: plan.id, planId: plan.id };
  return asRun(ctx.graph, ctx.log, dimensions, ({ log }) => fn({ ...ctx, log }));
}

function applied(ctx: EnforceContext, outcome: ApplyOutcome): ApplyOutcome {
  const failed = outcome.results.filter((r) => r.status === 'failed').length;
  ctx.log[failed ? 'warn' : 'info'](`${ctx.council.name}: plan ${outcome.plan.id} applied: ${outcome.results.length - failed} action(s) done or skipped, ${failed} failed.`);
  return outcome;
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

/** The council's action log: every change and content access, with before and after, oldest first. */
export function actionLog(store: Store, council: CouncilConfig): Promise<LoggedAction[]> {
  return store.listActions(council.tenantId);
}


export interface PlanListing {
  id: string;
  createdAt: string;
  createdBy: string;
  validUntil: string;
  actions: number;
  state: PlanStatus['state'] | 'unknown';
  approvedBy?: string;
}

/** The council's stored plans, newest first, optionally only those in one state (e.g. awaiting approval). */
export async function listPlans(store: Store, council: CouncilConfig, opts: { state?: PlanStatus['state'] } = {}): Promise<PlanListing[]> {
  // Plan ids start with their UTC creation time, so the names sort by age; each plan names its tenant.
  const names = (await store.listBlobs(PLANS_CONTAINER, 'P')).filter((n) => n.endsWith('.json')).sort().reverse();
  const out: PlanListing[] = [];
  for (const name of names) {
    const found = await findPlan(store, name.replace(/\.json$/, '')).catch(() => undefined);
    if (!found || found.plan.tenantId.toLowerCase() !== council.tenantId.toLowerCase()) continue;
    const state = found.status?.state ?? 'unknown';
    if (opts.state && state !== opts.state) continue;
    out.push({ id: found.plan.id, createdAt: found.plan.createdAt, createdBy: found.plan.createdBy, validUntil: found.plan.validUntil, actions: found.plan.actions.length, state, approvedBy: found.status?.approvedBy });
  }
  return out;
}
