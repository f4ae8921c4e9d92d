// The durable client as the surrender starter: the orchestration instance id is the surrender's
// reference, so a second start finds the first.
import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import type { SurrenderStarter } from '../../jobs/offboarding';

export const ORCHESTRATOR = 'offboardingOrchestrator';

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
