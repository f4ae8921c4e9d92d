// The function app's councils, shared by every handler for the life of the host: the config from
// COUNCILGUARD_CONFIG (re-read on each use), the store from the app's own storage account, one Graph
// context per tenant (its token cache and throttle shared across requests).
import type { InvocationContext } from '@azure/functions';
import { consoleLogger, type Logger } from '../core/logger';
import { functionAppCouncils, type Councils } from '../jobs/council-context';

export type CouncilsSource = () => Promise<Councils>;

export const appCouncils: CouncilsSource = functionAppCouncils(process.env, consoleLogger);

/** The invocation's logger (Application Insights through the Functions host). */
export function logTo(context: InvocationContext): Logger {
  return { info: (m) => context.log(m), warn: (m) => context.warn(m), error: (m) => context.error(m) };
}
