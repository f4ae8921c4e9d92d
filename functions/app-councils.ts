// The function app's councils, shared by every handler for the life of the host: the config from
// COUNCILGUARD_CONFIG (re-read on each use), the store from the app's own storage account, one Graph
// context per tenant (its token cache and throttle shared across requests).
import type { InvocationContext } from '@azure/functions';
import { consoleLogger, type Logger } from '../core/logger';
import { invocationLogger } from './telemetry';
import { functionAppCouncils, type Councils } from '../jobs/council-context';

export type CouncilsSource = () => Promise<Councils>;

export const appCouncils: CouncilsSource = functionAppCouncils(process.env, consoleLogger);

/** The invocation's logger: the host's log stream, and OpenTelemetry records carrying each line's dimensions (functions/telemetry.ts). */
export function logTo(context: InvocationContext): Logger {
  return invocationLogger(context);
}
