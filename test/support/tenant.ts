// Test harness: a running simulator, the shared Azurite store and a Graph context for one tenant,
// all real (HTTPS, @azure/identity, the Graph client, Azure Storage SDK).
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../simulator';
import { openStore, type Store } from '../../store';
import { readEnvironment } from '../../config/env';
import { createGraphContext, type GraphContext } from '../../graph';

export interface TestTenant {
  sim: RunningSimulator;
  store: Store;
  env: NodeJS.ProcessEnv;
  graph(tenantId?: string): GraphContext;
  close(): Promise<void>;
}

export async function startTestTenant(opts: SimulatorOptions): Promise<TestTenant> {
  const sim = await startSimulator(opts);
  const store = await openStore(process.env.COUNCILGUARD_TEST_STORAGE!);
  const env = { ...process.env, ...sim.env() };
  return {
    sim,
    store,
    env,
    graph: (tenantId) => createGraphContext(readEnvironment({ ...process.env, ...sim.env(tenantId) }, tenantId)),
    close: () => sim.close(),
  };
}
