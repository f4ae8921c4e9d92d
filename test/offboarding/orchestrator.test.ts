// The durable orchestration, driven here the way the Durable Task framework drives it: each yielded
// task is carried out (activities by the real activity functions against the simulator and Azurite,
// timers by moving the clock) and its result handed back. A short activity budget proves the long
// steps are cut into slices; the licence grace period is a durable timer.
import { DummyOrchestrationContext, RetryOptions } from 'durable-functions';
import { InvocationContext } from '@azure/functions';
import { FAILED_ACTIVITY, failedActivity, STEP_ACTIVITY, stepActivity, surrenderOrchestrator } from '../../functions/handlers/offboarding-durable';
import { startOffboarding } from '../../jobs/offboarding';
import { durableOwner, loadRecord, surrenderId } from '../../offboarding/state';
import { CLERK, harness, leaver, LEAVER, TERM_END } from './support';
import { testCouncils } from '../support/councils';

type Yielded = { kind: 'activity'; name: string; input: unknown; retry?: RetryOptions } | { kind: 'timer'; fireAt: Date };

function drivenContext(id: string, log: Yielded[], statuses: unknown[]): DummyOrchestrationContext {
  const context = new DummyOrchestrationContext('offboardingOrchestrator', undefined, () => {});
  const driver = {
    getInput: () => ({ id }),
    callActivityWithRetry: (name: string, retry: RetryOptions, input: unknown) => { const y: Yielded = { kind: 'activity', name, input, retry }; log.push(y); return y; },
    callActivity: (name: string, input: unknown) => { const y: Yielded = { kind: 'activity', name, input }; log.push(y); return y; },
    createTimer: (fireAt: Date) => { const y: Yielded = { kind: 'timer', fireAt }; log.push(y); return y; },
    setCustomStatus: (s: unknown) => { statuses.push(s); },
  };
  (context as unknown as { df: typeof driver }).df = driver;
  return context;
}

async function drive(context: DummyOrchestrationContext, activities: Record<string, (input: unknown, ctx: InvocationContext) => Promise<unknown>>, onTimer: (at: Date) => void, failOn?: (y: Yielded) => boolean): Promise<unknown> {
  const gen = surrenderOrchestrator(context);
  let next = gen.next();
  while (!next.done) {
    const y = next.value as unknown as Yielded;
    if (y.kind === 'timer') {
      onTimer(y.fireAt);
      next = gen.next(undefined);
      continue;
    }
    try {
      if (failOn?.(y)) throw new Error('Activity function \'offboardingStep\' failed: the service kept answering 500');
      next = gen.next(await activities[y.name](y.input, new InvocationContext({ functionName: y.name, logHandler: () => {} })));
    } catch (err) {
      next = gen.throw(err);
    }
  }
  return next.value;
}

describe('durable orchestration', () => {
  it('runs every step as sliced activities with retries, waits the licence grace period on a timer, then closes', async () => {
    // 10 in the Inbox gives 43 messages: with the 30 ms budget (at least 4 items a slice) export-mail still
    // takes about ten slices, and each slice's fixed cost (lease, record, checkpoint) is paid fewer times.
    const h = await harness({ name: 'surrender-durable', inbox: 10 }, {}, (c) => { (c.enforce as { offboarding: Record<string, unknown> }).offboarding.licenceGraceDays = 30; });
    try {
      let clock = new Date();
      const councils = testCouncils({ councils: [h.council], store: h.store, graph: h.graph, clock: () => clock });
      const deps = councils.context(h.council);
      const id = surrenderId(h.council.tenantId, LEAVER, TERM_END);
      await startOffboarding(deps, { userPrincipalName: LEAVER, termEnd: TERM_END, requestedBy: CLERK, via: 'http' }, durableOwner(id, 'start'));
      const activityDeps = async () => councils;
      const log: Yielded[] = [];
      const statuses: unknown[] = [];
      let timerAt: Date | undefined;
      const licencesAtTimer: number[] = [];
      const result = await drive(drivenContext(id, log, statuses), {
        [STEP_ACTIVITY]: stepActivity(activityDeps, 30),
        [FAILED_ACTIVITY]: failedActivity(activityDeps),
      }, (at) => {
        timerAt = at;
        licencesAtTimer.push(leaver(h.tenant()).assignedLicenses.length);
        clock = new Date(at.getTime() + 1000);
      });

      expect(result).toEqual({ status: 'done' });
      const calls = log.filter((y): y is Extract<Yielded, { kind: 'activity' }> => y.kind === 'activity');
      const perStep = (step: string) => calls.filter((c) => (c.input as { step: string }).step === step).length;
      expect(perStep('export-mail')).toBeGreaterThan(3);
      expect(perStep('preflight')).toBe(1);
      expect(statuses).toContainEqual({ step: 'export-mail', status: 'more' });
      expect(calls.every((c) => c.name === STEP_ACTIVITY && c.retry?.maxNumberOfAttempts === 5 && c.retry.firstRetryIntervalInMilliseconds === 15_000)).toBe(true);

      const record = (await loadRecord(h.store, id))!;
      expect(timerAt!.getTime()).toBe(Date.parse(record.steps.verify.finishedAt!) + 30 * 24 * 3600 * 1000);
      expect(licencesAtTimer).toEqual([1]);
      expect(leaver(h.tenant()).assignedLicenses).toEqual([]);
      expect(record.status).toBe('done');
      expect(record.steps.close.status).toBe('done');
    } finally {
      await h.close();
    }
  });

  it('an activity that fails after its retries marks the surrender failed, frees the councillor, and closes nothing', async () => {
    const h = await harness({ name: 'surrender-durable-fail', inbox: 5 });
    try {
      const councils = testCouncils({ councils: [h.council], store: h.store, graph: h.graph });
      const deps = councils.context(h.council);
      const id = surrenderId(h.council.tenantId, LEAVER, TERM_END);
      await startOffboarding(deps, { userPrincipalName: LEAVER, termEnd: TERM_END, requestedBy: CLERK, via: 'http' }, durableOwner(id, 'start'));
      const activityDeps = async () => councils;
      const log: Yielded[] = [];
      const result = await drive(drivenContext(id, log, []), {
        [STEP_ACTIVITY]: stepActivity(activityDeps, 60_000),
        [FAILED_ACTIVITY]: failedActivity(activityDeps),
      }, () => {}, (y) => y.kind === 'activity' && y.name === STEP_ACTIVITY && (y.input as { step: string }).step === 'export-calendar');
      expect(result).toMatchObject({ status: 'failed', step: 'export-calendar' });
      const record = (await loadRecord(h.store, id))!;
      expect(record.status).toBe('failed');
      expect(record.steps['export-calendar'].message).toMatch(/Stopped after repeated errors: .*500.*Start the surrender again/);
      expect(leaver(h.tenant()).assignedLicenses).toHaveLength(1);
      // The councillor is free again: a new start (by the clerk) takes the lease and continues.
      const again = await startOffboarding(deps, { userPrincipalName: LEAVER, termEnd: TERM_END, requestedBy: CLERK, via: 'http' }, 'another-run');
      expect(again).toMatchObject({ created: false, complete: false });
    } finally {
      await h.close();
    }
  });
});
