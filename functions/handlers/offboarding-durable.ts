// The surrender in Azure: an orchestration that walks the step list, one activity call per step and per
// time slice of a long step (no activity runs long), retried with RetryOptions. It waits on a durable
// timer for the licence grace period. The work and the resumability are the steps' and the store's.
import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import { runOffboardingStep, type StepRunResult } from '../../jobs/offboarding';
import { durableOwner, loadRecord, releaseLease, saveRecord } from '../../offboarding/state';
import { STEP_NAMES, type StepName, type SurrenderDeps } from '../../offboarding/types';
import type { Store } from '../../store';
import { appDeps, logTo } from './offboarding-deps';

export const STEP_ACTIVITY = 'offboardingStep';
export const FAILED_ACTIVITY = 'offboardingFailed';

export interface StepInput { id: string; step: StepName }

/** Retries for an activity that failed unexpectedly (network, service): 5 tries, backing off to 5 minutes. */
export function stepRetry(): df.RetryOptions {
  const retry = new df.RetryOptions(15_000, 5);
  retry.backoffCoefficient = 2;
  retry.maxRetryIntervalInMilliseconds = 5 * 60_000;
  return retry;
}

export const surrenderOrchestrator: OrchestrationHandler = function* (context: OrchestrationContext) {
  const { id } = context.df.getInput<{ id: string }>();
  for (const step of STEP_NAMES) {
    for (;;) {
      let result: StepRunResult;
      try {
        result = yield context.df.callActivityWithRetry(STEP_ACTIVITY, stepRetry(), { id, step } satisfies StepInput);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        yield context.df.callActivity(FAILED_ACTIVITY, { id, step, message });
        return { status: 'failed', step, message };
      }
      context.df.setCustomStatus({ step, status: result.status });
      if (result.status === 'done') break;
      if (result.status === 'failed') return { status: 'failed', step, message: result.message };
      if (result.status === 'waiting') yield context.df.createTimer(new Date(result.until));
      // 'more' (a slice ended) and a finished wait both run the step again.
    }
  }
  return { status: 'done' };
};

/** How long one activity may work before it saves its place (well inside the host's functionTimeout). */
export function activityBudgetMs(env: NodeJS.ProcessEnv): number {
  const seconds = Number(env.COUNCILGUARD_ACTIVITY_BUDGET_SECONDS ?? 600);
  return (Number.isFinite(seconds) && seconds > 0 ? seconds : 600) * 1000;
}

/** Where an activity finds the store, and the surrender dependencies of the council a record belongs to. */
export interface ActivityDeps {
  store(): Promise<Store>;
  forTenant(tenantId: string, context: InvocationContext): Promise<SurrenderDeps>;
}

export function appActivityDeps(env: NodeJS.ProcessEnv = process.env): ActivityDeps {
  const app = appDeps(env);
  return {
    store: app.store,
    forTenant: async (tenantId, context) => {
      const council = app.config().councils.find((c) => c.tenantId.toLowerCase() === tenantId.toLowerCase());
      if (!council) throw new Error(`The council with tenant ${tenantId} is no longer in the council config; put it back to finish the surrender.`);
      return { council, graph: app.graph(council), store: await app.store(), log: logTo(context) };
    },
  };
}

/** offboardingStep: one step (or one time slice of it) of one surrender. */
export function stepActivity(deps: ActivityDeps, budgetMs: number) {
  return async (input: unknown, context: InvocationContext): Promise<StepRunResult> => {
    const { id, step } = input as StepInput;
    const record = await loadRecord(await deps.store(), id);
    if (!record) throw new Error(`There is no surrender with reference ${id}.`);
    return runOffboardingStep(await deps.forTenant(record.request.tenantId, context), id, step, { owner: durableOwner(id), budgetMs });
  };
}

/** offboardingFailed: after the retries are spent, the record says so and the councillor's lease is freed. */
export function failedActivity(deps: ActivityDeps) {
  return async (input: unknown): Promise<void> => {
    const { id, step, message } = input as StepInput & { message: string };
    const store = await deps.store();
    const record = await loadRecord(store, id);
    if (!record) return;
    record.status = 'failed';
    record.steps[step] = { ...record.steps[step], status: 'failed', finishedAt: new Date().toISOString(), message: record.steps[step].message ?? `Stopped after repeated errors: ${message}. Start the surrender again to continue where it stopped.` };
    await saveRecord(store, record, new Date().toISOString());
    await releaseLease(store, record.request.tenantId, record.request.userPrincipalName, durableOwner(id));
  };
}
