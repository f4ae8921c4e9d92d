// A surrender starter that runs the surrender in this process: the same steps and store as in Azure,
// without the durable orchestration (the HTTP handlers' tests use it in place of durableStarter).
import { runOffboarding, type SurrenderDeps, type SurrenderStarter } from '../../jobs/offboarding';
import { durableOwner } from '../../offboarding/state';

export function inProcessStarter(depsFor: (id: string) => Promise<SurrenderDeps>): SurrenderStarter & { settled(id: string): Promise<void> } {
  const running = new Map<string, Promise<void>>();
  return {
    isRunning: async (id) => running.has(id),
    start: async (id) => {
      const run = depsFor(id)
        .then((deps) => runOffboarding(deps, id, { owner: durableOwner(id, 'act') }))
        .then(() => undefined, (err) => { void depsFor(id).then((d) => d.log.error(`Surrender ${id} stopped: ${err instanceof Error ? err.message : err}`)); })
        .finally(() => running.delete(id));
      running.set(id, run);
    },
    settled: (id) => running.get(id) ?? Promise.resolve(),
  };
}
