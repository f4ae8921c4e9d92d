// Applying an approved plan: exactly its actions, each only if its target is still as it was when
// planned. An action already in its planned end state is not repeated (so applying twice changes
// nothing), a target changed since planning is skipped with the reason, and a failed call (a 403, say)
// is logged and reported while the other actions continue. Every outcome goes to the action log.
import { DateTime } from 'luxon';
import { canonicalJson, loadStatus, planDigest, updateStatus } from './plan-store';
import { enabledRemediations } from './plan';
import { executorFor } from './remediations';
import { EnforcementInputError } from '../core/errors';
import { type ActionCall, type ActionResult, type EnforceContext, type EnforcementPlan, type PlannedAction, type TargetState } from './types';

/** Does `state` match `expected` on the fields `expected` names? */
export function sameState(state: TargetState | undefined, expected: TargetState): boolean {
  if (!state) return false;
  return Object.keys(expected).every((k) => canonicalJson(state[k] ?? null) === canonicalJson(expected[k] ?? null));
}

function differences(state: TargetState, expected: TargetState): string {
  return Object.keys(expected).filter((k) => canonicalJson(state[k] ?? null) !== canonicalJson(expected[k] ?? null))
    .map((k) => `${k} was ${JSON.stringify(expected[k])} when planned and is now ${JSON.stringify(state[k] ?? null)}`).join('; ');
}

export async function execute(ctx: EnforceContext, call: ActionCall): Promise<Record<string, unknown> | undefined> {
  if (call.api === 'exchange') {
    const r = await ctx.graph.exchange.invoke<Record<string, unknown>>(call.cmdlet, call.parameters, call.anchorMailbox);
    if (!r.connected) throw new Error(`the Exchange admin API is not connected (${r.reason})`);
    return undefined;
  }
  const res = await ctx.graph.send<Record<string, unknown> | undefined>(call.method, call.path, call.body, call.version ?? 'v1.0');
  return res && typeof res === 'object' ? res : undefined;
}

/** The checks a plan file must pass before anything is applied; throws EnforcementInputError naming the fix. */
export async function verifyPlan(ctx: EnforceContext, plan: EnforcementPlan): Promise<void> {
  const { council, store } = ctx;
  if (plan?.schemaVersion !== 1 || typeof plan.id !== 'string' || !Array.isArray(plan.actions)) {
    throw new EnforcementInputError('This is not a CouncilGuard plan file (no schemaVersion 1, id and actions); give the file councilguard plan --out wrote.');
  }
  const edited = 'The plan file has been changed since CouncilGuard made it (its contents no longer match its integrity digest). A plan cannot be edited by hand: make a new one with councilguard plan, and approve that.';
  if (planDigest(plan) !== plan.digest) throw new EnforcementInputError(edited);
  if (plan.tenantId.toLowerCase() !== council.tenantId.toLowerCase()) {
    throw new EnforcementInputError(`This plan is for tenant ${plan.tenantId} (${plan.council}), not ${council.name} (${council.tenantId}); apply it with the config of the council it was made for.`);
  }
  const stored = await loadStatus(store, plan.id);
  if (!stored) throw new EnforcementInputError(`Plan ${plan.id} was not made by this CouncilGuard (it is not in its store); make a new plan with councilguard plan.`);
  if (stored.status.digest !== plan.digest) throw new EnforcementInputError(edited);
  const now = DateTime.fromJSDate(ctx.clock(), { zone: 'utc' });
  if (now > DateTime.fromISO(plan.validUntil, { zone: 'utc' })) {
    throw new EnforcementInputError(`Plan ${plan.id} expired at ${plan.validUntil} (plans are valid for enforce.planValidityHours); the tenant may have changed since: make a new plan with councilguard plan.`);
  }
  const enabled = new Set(enabledRemediations(council));
  const off = [...new Set(plan.actions.map((a) => a.remediation).filter((r) => !enabled.has(r)))];
  if (off.length) {
    throw new EnforcementInputError(`Plan ${plan.id} has ${off.join(' and ')} actions, but ${off.map((r) => `enforce.${r}`).join(' and ')} ${off.length > 1 ? 'are' : 'is'} not enabled for ${council.name}; enable ${off.length > 1 ? 'them' : 'it'} in the council config or make a new plan.`);
  }
}

async function applyOne(ctx: EnforceContext, a: PlannedAction, approver: string): Promise<ActionResult> {
  const at = () => new Date().toISOString();
  const upn = a.target.userPrincipalName?.toLowerCase();
  if (upn && upn === approver.trim().toLowerCase()) return { actionId: a.id, status: 'skipped', reason: 'it changes the approver\'s own account; another person with the IT-supplier role must approve it', at: at() };
  if (upn && ctx.council.breakGlass.some((b) => b.toLowerCase() === upn)) return { actionId: a.id, status: 'skipped', reason: 'it touches a break-glass account, which enforcement never changes', at: at() };
  const executor = executorFor(a.remediation, a.kind);
  if (!executor) return { actionId: a.id, status: 'failed', reason: `this version of CouncilGuard does not know the action kind "${a.kind}"`, at: at() };
  try {
    const current = await executor.read(ctx, a);
    if (!current) return { actionId: a.id, status: 'skipped', reason: `${a.target.name} no longer exists`, at: at() };
    if (sameState(current, a.after)) return { actionId: a.id, status: 'already-done', reason: 'already as planned; nothing changed', before: current, after: current, at: at() };
    if (!sameState(current, a.before)) return { actionId: a.id, status: 'skipped', reason: `the target changed since planning: ${differences(current, a.before)}`, before: current, at: at() };
    const response = await execute(ctx, a.call);
    const now = await executor.read(ctx, a);
    const created = response?.id ? { id: response.id } : undefined;
    if (!sameState(now, a.after)) return { actionId: a.id, status: 'failed', reason: 'the call succeeded but the change did not take effect', before: current, after: now, created, at: at() };
    return { actionId: a.id, status: 'done', before: current, after: now, created, at: at() };
  } catch (err) {
    return { actionId: a.id, status: 'failed', reason: err instanceof Error ? err.message : String(err), at: at() };
  }
}

export interface ApplyOutcome {
  plan: EnforcementPlan;
  results: ActionResult[];
  /** true when any action failed (exit 1). */
  failed: boolean;
}

/** Applies a verified plan as `approver` (the person who approved it, recorded in the log). */
export async function applyPlan(ctx: EnforceContext, plan: EnforcementPlan, approver: string): Promise<ApplyOutcome> {
  await verifyPlan(ctx, plan);
  // Undo is final: an undone action is never applied again from the same plan (re-approving it within
  // its validity would otherwise redo it, and then nothing could undo it). Re-applying needs a new plan.
  const status = (await loadStatus(ctx.store, plan.id))?.status;
  const undone = status?.undone ?? {};
  // Left out when approving (unticked on the plan page): never applied from this plan, on any apply.
  const left = status?.deselected;
  const results: ActionResult[] = [];
  for (const a of plan.actions) {
    const wasUndone = undone[a.id];
    const r = wasUndone
      ? { actionId: a.id, status: 'skipped' as const, reason: `it was undone at ${wasUndone.at} by ${wasUndone.by}, and an undone action is never re-applied from the same plan; make a new plan if the change is wanted again`, at: new Date().toISOString() }
      : left?.actionIds.includes(a.id)
        ? { actionId: a.id, status: 'skipped' as const, reason: `${left.by} left it out when approving the plan at ${left.at}; make a new plan if the change is wanted after all`, at: new Date().toISOString() }
        : await applyOne(ctx, a, approver);
    results.push(r);
    await ctx.store.appendAction({
      tenantId: plan.tenantId, actor: approver, action: `enforce.${a.kind}`, target: `${a.target.name} [${a.id}]`,
      before: a.record ?? r.before ?? a.before, after: r.after ?? null, result: r.status,
      detail: `Plan ${plan.id}; finding ${a.findingIds.join(', ')}; clause ${a.clauses.join(', ')}. ${a.description}${r.reason ? ` Result: ${r.reason}.` : ''}`,
    });
    if (r.status === 'failed') ctx.log.warn(`${plan.council}: action ${a.id} failed: ${r.reason}`);
  }
  await updateStatus(ctx.store, plan.id, (s) => {
    s.state = 'applied';
    s.approvedBy ??= approver;
    s.approvedAt ??= new Date().toISOString();
    for (const r of results) {
      // An undone action keeps the result its undo was made from.
      if (s.undone[r.actionId]) continue;
      // A later apply that finds an action already done keeps the first result, which undo needs.
      if (s.results[r.actionId]?.status === 'done' && r.status === 'already-done') continue;
      s.results[r.actionId] = r;
    }
  });
  return { plan, results, failed: results.some((r) => r.status === 'failed') };
}
