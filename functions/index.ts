// The one module that registers every function with the Functions host. Handlers live in handlers/,
// logic in jobs/; this file only wires triggers to them.
import { app } from '@azure/functions';
import { DEFAULT_AUDIT_SCHEDULE, validateSchedule } from '../jobs/schedule';
import { nightlyAuditHandler } from './handlers/nightly-audit';
import { latestReportHandler } from './handlers/reports-latest';
import { registerOffboarding } from './offboarding-registrations';
import { appDeps } from './handlers/offboarding-deps';
import { plansHttpHandlers } from './handlers/plans-http';

app.timer('nightlyAudit', {
  schedule: validateSchedule(process.env.AUDIT_SCHEDULE ?? DEFAULT_AUDIT_SCHEDULE),
  runOnStartup: false,
  handler: nightlyAuditHandler,
});

// authLevel anonymous: App Service authentication in front decides who may call; the handler checks the
// app role from the principal it passes on.
app.http('latestReport', {
  methods: ['GET'],
  route: 'reports/latest',
  authLevel: 'anonymous',
  handler: latestReportHandler,
});

// The surrender: the clerk's endpoints and page, the orchestration and its activities.
registerOffboarding(app);

// Enforcement plans: the IT supplier reads, approves and (after a partial failure) re-applies a plan.
const plans = plansHttpHandlers(appDeps());
app.http('planGet', { methods: ['GET'], route: 'plans/{id}', authLevel: 'anonymous', handler: plans.get });
app.http('planApprove', { methods: ['POST'], route: 'plans/{id}/approve', authLevel: 'anonymous', handler: plans.approve });
app.http('planApply', { methods: ['POST'], route: 'plans/{id}/apply', authLevel: 'anonymous', handler: plans.apply });
