// Thin timer handler: the job decides whether this firing is the UK audit hour and audits.
import type { InvocationContext, Timer } from '@azure/functions';
import { fixedClock } from '../../core/clock';
import { nightlyAudit } from '../../jobs/audit';
import { logTo } from '../app-councils';

export async function nightlyAuditHandler(_timer: Timer, context: InvocationContext, now = new Date().toISOString()): Promise<void> {
  const summary = await nightlyAudit({ env: process.env, log: logTo(context), clock: fixedClock(now) });
  context.log(summary.message);
  if (summary.errored) throw new Error(summary.message); // surfaces the failure in Application Insights
}
