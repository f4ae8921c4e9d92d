// Undo one applied action: only if it changed something, and only if its target is still in the state
// the action left (otherwise someone has changed it since, and putting back our "before" would undo
// their change too).
import { loadStatus, loadStoredPlan, updateStatus } from './plan-store';
import { execute, sameState } from './apply';
import { executorFor } from './remediations';
import { EnforcementInputError } from '../core/errors';
import { type ActionCall, type EnforceContext, type TargetState } from './types';

export interface UndoOutcome {
  actionId: string;
  description: string;
  result: 'undone' | 'failed';
  state?: TargetState;
  reason?: string;
}

function withCreatedId(call: ActionCall, created: Record<string, unknown> | undefined): ActionCall {
  if (call.api !== 'graph' || !call.path.includes('{createdId}')) return call;
  if (!created?.id) throw new EnforcementInputError('The action did not record the id of what it created, so it cannot be undone automatically; remove it in the admin centre.');
  return { ...call, path: call.path.replace('{createdId}', encodeURIComponent(String(created.id))) };
}

export async function undoAction(ctx: EnforceContext, actionId: string, actor: string): Promise<UndoOutcome> {
  const planId = actionId.split('.')[0];
  const plan = await loadStoredPlan(ctx.store, planId);
  const action = plan?.actions.find((a) => a.id === actionId);
  if (!plan || !action) throw new EnforcementInputError(`There is no action ${actionId}; action ids look like P20261125T020000Z-1a2b3c.01 (councilguard apply prints them, and the action log lists them).`);
  if (plan.tenantId.toLowerCase() !== ctx.council.tenantId.toLowerCase()) throw new EnforcementInputError(`Action ${actionId} belongs to ${plan.council}, not ${ctx.council.name}; use that council's config.`);
  const status = (await loadStatus(ctx.store, planId))!.status;
  const result = status.results[actionId];
  if (!result) throw new EnforcementInputError(`Action ${actionId} was never applied, so there is nothing to undo.`);
  if (result.status !== 'done') throw new EnforcementInputError(`Action ${actionId} had no effect (it was ${result.status}${result.reason ? `: ${result.reason}` : ''}), so there is nothing to undo.`);
  if (status.undone[actionId]) throw new EnforcementInputError(`Action ${actionId} was already undone at ${status.undone[actionId].at} by ${status.undone[actionId].by}.`);

  const executor = executorFor(action.remediation, action.kind)!;
  const current = await executor.read(ctx, action);
  if (!sameState(current, action.after)) {
    throw new EnforcementInputError(`${action.target.name} has changed since action ${actionId} was applied (now ${JSON.stringify(current ?? 'gone')}); undoing it would overwrite that change. Put it back by hand if it is still wanted.`);
  }
  let outcome: UndoOutcome;
  try {
    await execute(ctx, withCreatedId(action.undo.call, result.created));
    const state = await (executor.readAfterUndo ?? executor.read)(ctx, action);
    outcome = sameState(state, action.before)
      ? { actionId, description: action.undo.description, result: 'undone', state }
      : { actionId, description: action.undo.description, result: 'failed', state, reason: 'the undo call succeeded but the target is not back as it was' };
  } catch (err) {
    if (err instanceof EnforcementInputError) throw err;
    outcome = { actionId, description: action.undo.description, result: 'failed', reason: err instanceof Error ? err.message : String(err) };
  }
  await ctx.store.appendAction({
    tenantId: plan.tenantId, actor, action: `undo.${action.kind}`, target: `${action.target.name} [${actionId}]`,
    before: action.after, after: outcome.state ?? null, result: outcome.result === 'undone' ? 'done' : 'failed',
    detail: `${action.undo.description}${outcome.reason ? ` Result: ${outcome.reason}.` : ''}`,
  });
  if (outcome.result === 'undone') await updateStatus(ctx.store, planId, (s) => { s.undone[actionId] = { at: new Date().toISOString(), by: actor }; });
  return outcome;
}
