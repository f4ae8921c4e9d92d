// Thin timer handler: decide whether this firing is the UK audit hour, then hand over to the job.
import type { InvocationContext, Timer } from '@azure/functions';
import { DEFAULT_AUDIT_LOCAL_HOUR, isAuditHourInUk } from '../../jobs/schedule';
import { auditConfiguredCouncils } from '../../jobs/audit-councils';
import type { Logger } from '../../core/logger';
import { appStorageEnv } from '../app-storage';

export function contextLogger(context: InvocationContext): Logger {
  return { info: (m) => context.log(m), warn: (m) => context.warn(m), error: (m) => context.error(m) };
}

export async function nightlyAuditHandler(_timer: Timer, context: InvocationContext, now = new Date().toISOString()): Promise<void> {
  const localHour = Number(process.env.AUDIT_LOCAL_HOUR ?? DEFAULT_AUDIT_LOCAL_HOUR);
  if (!isAuditHourInUk(now, localHour)) {
    context.log(`Not ${localHour}:00 in the UK at this firing; the audit runs at the other one.`);
    return;
  }
  const summary = await auditConfiguredCouncils({ env: appStorageEnv(process.env), log: contextLogger(context), now });
  context.log(summary.message);
  if (summary.errored) throw new Error(summary.message); // surfaces the failure in Application Insights
}
