// The enforcement use case, for the command line (`plan`, `apply`, `undo`, `actions`) and the function
// app (GET /api/plans/{id}, POST …/approve and …/apply): plan from the latest audit, approve and apply
// exactly a plan, undo one action, export the action log. Nothing outside jobs/ reaches into enforce/.
import { existsSync, readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import pLimit from 'p-limit';
import { EnforcementInputError, UsageError } from '../core/errors';
import type { CouncilConfig } from '../policy/council-config';
import { applyPlan, verifyPlan, type ApplyOutcome } from '../enforce/apply';
import { approvePlan, approveSelection, assertApproved } from '../enforce/approve';
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

/**
 * Approval from the plan page (POST …/approve with a body): refused unless the plan still awaits approval
 * and is as the page showed it (`version`); the actions left out are recorded and never applied.
 */
export async function approveSelectionAndApply(ctx: EnforceContext, plan: EnforcementPlan, approver: string, via: string, choice: ApprovalChoice): Promise<ApplyOutcome> {
  await verifyPlan(ctx, plan);
  await approveSelection(ctx.store, plan, approver, via, { version: choice.planVersion, deselected: choice.deselected, at: ctx.clock().toISOString() });
  return applyPlan(ctx, plan, approver);
}

export interface ApprovalChoice {
  /** The plan's version the page showed (its status etag); absent for a bare JSON approval. */
  planVersion?: string;
  deselected: string[];
}

/**
 * The body of POST /api/plans/{id}/approve: empty or `{}` approves every action (the JSON API);
 * `{ "planVersion": "…", "deselected": ["<action id>", …] }` is the plan page's. Anything else is refused
 * with what is expected.
 */
export function parseApprovalBody(text: string, plan: EnforcementPlan): ApprovalChoice {
  const shape = 'Send {} to approve every action, or { "planVersion": "<from the plan page>", "deselected": ["<action id>", …] }.';
  if (!text.trim()) return { deselected: [] };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new EnforcementInputError(`The approval is not valid JSON. ${shape}`);
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new EnforcementInputError(`The approval must be a JSON object. ${shape}`);
  const { planVersion, deselected, ...rest } = body as Record<string, unknown>;
  if (Object.keys(rest).length) throw new EnforcementInputError(`The approval has unknown field(s) ${Object.keys(rest).join(', ')}. ${shape}`);
  if (planVersion !== undefined && (typeof planVersion !== 'string' || !planVersion)) throw new EnforcementInputError(`planVersion must be the text the plan page carries. ${shape}`);
  if (deselected !== undefined && (!Array.isArray(deselected) || deselected.some((d) => typeof d !== 'string'))) throw new EnforcementInputError(`deselected must be a list of action ids. ${shape}`);
  const ids = new Set(plan.actions.map((a) => a.id));
  const left = [...new Set((deselected as string[] | undefined) ?? [])];
  const unknown = left.filter((d) => !ids.has(d));
  if (unknown.length) throw new EnforcementInputError(`Plan ${plan.id} has no action ${unknown.join(', ')}; deselect only its own actions (${[...ids].join(', ')}).`);
  if (left.length && left.length === ids.size) throw new EnforcementInputError(`Every action of plan ${plan.id} is left out, so there is nothing to approve; to refuse the plan, do not approve it (it expires at ${plan.validUntil}).`);
  return { planVersion: planVersion as string | undefined, deselected: left };
}

/** A stored plan by id (a malformed id is refused with its format), with its approval state and its version (the status etag). */
export async function findPlan(store: Store, id: string): Promise<{ plan: EnforcementPlan; status?: PlanStatus; version?: string } | undefined> {
  assertPlanId(id);
  const plan = await loadStoredPlan(store, id);
  if (!plan) return undefined;
  const stored = await loadStatus(store, id);
  return { plan, status: stored?.status, version: stored?.etag };
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

export const PLAN_STATES: readonly PlanStatus['state'][] = ['awaiting-approval', 'approved', 'applied'];

/** A plan state from a request (?state=); an unknown one is refused naming the valid ones. */
export function parsePlanState(value: string | null | undefined): PlanStatus['state'] | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (!(PLAN_STATES as readonly string[]).includes(v)) throw new EnforcementInputError(`"${v}" is not a plan state; use one of ${PLAN_STATES.join(', ')} (or leave state out for every plan).`);
  return v as PlanStatus['state'];
}

export interface CouncilPlanListing extends PlanListing {
  council: string;
  tenantId: string;
  /** Past its validUntil: it can no longer be approved or applied. */
  expired: boolean;
}

/** The longest a plan can be valid (enforce.planValidityHours' maximum): older plans awaiting approval have expired. */
const MAX_VALIDITY_HOURS = 336;

/**
 * The stored plans of several councils, newest first, reading each plan once (not once per council);
 * `since` skips plans created before it, by their id's time, without reading them.
 */
export async function listCouncilPlans(store: Store, councils: readonly CouncilConfig[], opts: { state?: PlanStatus['state']; now: Date; since?: Date }): Promise<CouncilPlanListing[]> {
  const byTenant = new Map(councils.map((c) => [c.tenantId.toLowerCase(), c]));
  const sinceId = opts.since ? `P${DateTime.fromJSDate(opts.since, { zone: 'utc' }).toFormat("yyyyMMdd'T'HHmmss'Z'")}` : '';
  const names = (await store.listBlobs(PLANS_CONTAINER, 'P')).filter((n) => n.endsWith('.json') && n >= sinceId).sort().reverse();
  const limit = pLimit(8);
  const found = await Promise.all(names.map((n) => limit(() => findPlan(store, n.replace(/\.json$/, '')).catch(() => undefined))));
  const out: CouncilPlanListing[] = [];
  for (const f of found) {
    const council = f && byTenant.get(f.plan.tenantId.toLowerCase());
    if (!f || !council) continue;
    const state = f.status?.state ?? 'unknown';
    if (opts.state && state !== opts.state) continue;
    out.push({
      council: council.name, tenantId: council.tenantId, id: f.plan.id, createdAt: f.plan.createdAt, createdBy: f.plan.createdBy, validUntil: f.plan.validUntil,
      actions: f.plan.actions.length, state, approvedBy: f.status?.approvedBy, expired: Date.parse(f.plan.validUntil) < opts.now.getTime(),
    });
  }
  return out;
}

/** Plans still awaiting approval that can be approved (not expired), of these councils, newest first. */
export async function plansAwaitingApproval(store: Store, councils: readonly CouncilConfig[], now: Date): Promise<CouncilPlanListing[]> {
  const since = DateTime.fromJSDate(now, { zone: 'utc' }).minus({ hours: MAX_VALIDITY_HOURS }).toJSDate();
  return (await listCouncilPlans(store, councils, { state: 'awaiting-approval', now, since })).filter((p) => !p.expired);
}
