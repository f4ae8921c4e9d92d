// Registers the surrender's functions: the clerk's HTTP endpoints and page, and the durable
// orchestration with its activities. functions/index.ts calls registerOffboarding(app).
import type { app as functionsApp } from '@azure/functions';
import * as df from 'durable-functions';
import { readActivityBudgetMs } from '../config/env';
import { appCouncils } from './app-councils';
import { offboardingHttpHandlers } from './handlers/offboarding-http';
import { durableStarter, ORCHESTRATOR } from './handlers/offboarding-deps';
import { FAILED_ACTIVITY, failedActivity, STEP_ACTIVITY, stepActivity, surrenderOrchestrator } from './handlers/offboarding-durable';
import { clerkPageHandler } from './handlers/offboarding-web';

export function registerOffboarding(app: typeof functionsApp, env: NodeJS.ProcessEnv = process.env): void {
  const http = offboardingHttpHandlers({ councils: appCouncils, starter: durableStarter });
  const client = [df.input.durableClient()];
  // authLevel anonymous: App Service authentication in front decides who may call; handlers check the role.
  app.http('offboardingStart', { methods: ['POST'], route: 'offboarding', authLevel: 'anonymous', extraInputs: client, handler: http.start });
  app.http('offboardingStatus', { methods: ['GET'], route: 'offboarding/{id}', authLevel: 'anonymous', handler: http.status });
  app.http('offboardingCertificate', { methods: ['GET'], route: 'offboarding/{id}/certificate', authLevel: 'anonymous', handler: http.certificate });
  app.http('offboardingRoster', { methods: ['GET'], route: 'offboarding-roster', authLevel: 'anonymous', handler: http.roster });
  app.http('offboardingEndedList', { methods: ['GET'], route: 'offboarding-ended', authLevel: 'anonymous', handler: http.endedList });
  app.http('offboardingEndedStart', { methods: ['POST'], route: 'offboarding-ended', authLevel: 'anonymous', extraInputs: client, handler: http.endedStart });
  app.http('offboardingPage', { methods: ['GET'], route: 'clerk/{file?}', authLevel: 'anonymous', handler: clerkPageHandler });
  df.app.orchestration(ORCHESTRATOR, surrenderOrchestrator);
  df.app.activity(STEP_ACTIVITY, { handler: stepActivity(appCouncils, readActivityBudgetMs(env)) });
  df.app.activity(FAILED_ACTIVITY, { handler: failedActivity(appCouncils) });
}
