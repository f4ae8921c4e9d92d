// The one module that registers every function with the Functions host. Handlers live in handlers/,
// logic in jobs/; this file only wires triggers to them.
import { app } from '@azure/functions';
import { DEFAULT_AUDIT_SCHEDULE, validateSchedule } from '../jobs/schedule';
import { nightlyAuditHandler } from './handlers/nightly-audit';

app.timer('nightlyAudit', {
  schedule: validateSchedule(process.env.AUDIT_SCHEDULE ?? DEFAULT_AUDIT_SCHEDULE),
  runOnStartup: false,
  handler: nightlyAuditHandler,
});
