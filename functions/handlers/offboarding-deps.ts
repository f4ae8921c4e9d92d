// The function app's wiring for surrenders: config and store from the app settings, one Graph context
// per council, and the durable client as the starter.
import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { readEnvironment } from '../../config/env';
import { createGraphContext, type GraphContext } from '../../graph';
import { loadCouncilFile } from '../../jobs/council-context';
import { storeFromEnvironment, type Store } from '../../store';
import { appStorageEnv } from '../app-storage';
import type { SurrenderStarter } from '../../jobs/offboarding';
import type { Logger } from '../../core/logger';
import type { OffboardingHttpDeps } from './offboarding-http';

export const ORCHESTRATOR = 'offboardingOrchestrator';

export const logTo = (context: InvocationContext): Logger => ({ info: (m) => context.log(m), warn: (m) => context.warn(m), error: (m) => context.error(m) });

/** The orchestration instance id is the surrender's reference, so a second start finds the first. */
export function durableStarter(context: InvocationContext): SurrenderStarter {
  const client = df.getClient(context);
  return {
    isRunning: async (id) => {
      const s = await client.getStatus(id).catch(() => undefined);
      return !!s && ['Running', 'Pending', 'ContinuedAsNew'].includes(String(s.runtimeStatus));
    },
    start: async (id) => { await client.startNew(ORCHESTRATOR, { instanceId: id, input: { id } }); },
  };
}

export function appDeps(env: NodeJS.ProcessEnv = process.env): Omit<OffboardingHttpDeps, 'starter'> {
  let store: Promise<Store> | undefined;
  const graphs = new Map<string, GraphContext>();
  return {
    config: () => {
      if (!env.COUNCILGUARD_CONFIG) throw Object.assign(new Error('COUNCILGUARD_CONFIG is not set: point it at the council config JSON file deployed with the app.'), { name: 'ConfigError' });
      return loadCouncilFile(env.COUNCILGUARD_CONFIG);
    },
    store: () => (store ??= storeFromEnvironment({ env: appStorageEnv(env), inMemory: false }).then((s) => s.store)),
    graph: (council) => {
      let g = graphs.get(council.tenantId);
      if (!g) graphs.set(council.tenantId, (g = createGraphContext(readEnvironment(env, council.tenantId))));
      return g;
    },
  };
}
