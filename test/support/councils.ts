// Councils over a given store and Graph context, for tests that call handlers and jobs directly.
import type { Clock } from '../../core/clock';
import { silentLogger, type Logger } from '../../core/logger';
import type { GraphContext } from '../../graph';
import { Councils } from '../../jobs/council-context';
import type { CouncilConfig } from '../../policy/council-config';
import type { Store } from '../../store';

export function testCouncils(opts: { councils: CouncilConfig[]; store: Store; graph?: GraphContext; clock?: Clock; log?: Logger; env?: NodeJS.ProcessEnv }): Councils {
  return new Councils({
    file: () => ({ councils: opts.councils }),
    store: opts.store,
    log: opts.log ?? silentLogger,
    clock: opts.clock,
    env: opts.env,
    graph: opts.graph ? () => opts.graph! : undefined,
  });
}
