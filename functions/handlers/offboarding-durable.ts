// The surrender in Azure: an orchestration that walks the step list, one activity call per step and per
// time slice of a long step (no activity runs long), retried with RetryOptions. It waits on a durable
// timer for the licence grace period. The work and the resumability are the steps' and the store's
// (jobs/offboarding.ts).
import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import { markSurrenderFailed, runSurrenderActivity, STEP_NAMES, type StepName, type StepRunResult } from '../../jobs/offboarding';
import { logTo, type CouncilsSource } from '../app-councils';

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

/** offboardingStep: one step (or one time slice of it) of one surrender. */
export function stepActivity(councils: CouncilsSource, budgetMs: number) {
  return async (input: unknown, context: InvocationContext): Promise<StepRunResult> => {
    const { id, step } = input as StepInput;
    const all = await councils();
    return runSurrenderActivity(all.store, id, step, (tenantId) => {
      const council = all.ofTenant(tenantId);
      if (!council) throw new Error(`The council with tenant ${tenantId} is no longer in the council config; put it back to finish the surrender.`);
      return all.context(council, logTo(context));
    }, budgetMs);
  };
}

/** offboardingFailed: after the retries are spent, the record says so and the councillor's lease is freed. */
export function failedActivity(councils: CouncilsSource) {
  return async (input: unknown, context: InvocationContext): Promise<void> => {
    const { id, step, message } = input as StepInput & { message: string };
    const all = await councils();
    await markSurrenderFailed(all.store, id, step, message, all.clock, logTo(context));
  };
}
