// The one module that registers every function with the Functions host. Handlers live in handlers/,
// logic in jobs/; this file only wires triggers to them. Settings are read (and a bad one refused, with
// the fix) here at start-up.
import { app } from '@azure/functions';
import { readScheduleSettings } from '../config/env';
import { startTelemetry } from './telemetry';
import { appCouncils } from './app-councils';
import { nightlyAuditHandler } from './handlers/nightly-audit';
import { latestReportHandler } from './handlers/reports-latest';
import { registerOffboarding } from './offboarding-registrations';
import { plansHttpHandlers } from './handlers/plans-http';
import { evidenceHandler, yearlyEvidenceHandler } from './handlers/evidence';
import { supplierHandlers } from './handlers/supplier';

// Azure Monitor (logs with dimensions, Graph metrics) when APPLICATIONINSIGHTS_CONNECTION_STRING is set.
startTelemetry(process.env);

app.timer('nightlyAudit', {
  schedule: readScheduleSettings(process.env).schedule,
  runOnStartup: false,
  handler: nightlyAuditHandler,
});

// authLevel anonymous: App Service authentication in front (infra/main.bicep) refuses anyone not signed
// in; the handler validates the Entra token it forwards and checks the app role (functions/auth.ts).
app.http('latestReport', {
  methods: ['GET'],
  route: 'reports/latest',
  authLevel: 'anonymous',
  handler: latestReportHandler,
});

// The surrender: the clerk's endpoints and page, the orchestration and its activities.
registerOffboarding(app);

// Enforcement plans: the IT supplier reads, approves and (after a partial failure) re-applies a plan.
const plans = plansHttpHandlers({ councils: appCouncils });
app.http('planGet', { methods: ['GET'], route: 'plans/{id}', authLevel: 'anonymous', handler: plans.get });
app.http('planApprove', { methods: ['POST'], route: 'plans/{id}/approve', authLevel: 'anonymous', handler: plans.approve });
app.http('planApply', { methods: ['POST'], route: 'plans/{id}/apply', authLevel: 'anonymous', handler: plans.apply });
app.http('planPage', { methods: ['GET'], route: 'plans/{id}/page', authLevel: 'anonymous', handler: plans.page });

// The IT supplier's morning view over every council they may see: the page, its data, plans by state.
const supplier = supplierHandlers({ councils: appCouncils });
app.http('supplierPage', { methods: ['GET'], route: 'supplier', authLevel: 'anonymous', handler: supplier.page });
app.http('supplierReports', { methods: ['GET'], route: 'reports', authLevel: 'anonymous', handler: supplier.reports });
app.http('planList', { methods: ['GET'], route: 'plans', authLevel: 'anonymous', handler: supplier.plans });

// The year's evidence for AGAR Assertion 10: on request, and on 1 April (always BST) at 03:00 UK time,
// after that night's audit, for the year just ended.
app.http('evidence', { methods: ['GET'], route: 'evidence', authLevel: 'anonymous', handler: evidenceHandler });
app.timer('yearlyEvidence', { schedule: '0 0 2 1 4 *', runOnStartup: false, handler: yearlyEvidenceHandler });
