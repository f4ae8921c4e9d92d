// The demo audit under 10 % 429s, 5 % 503s and 1 % connection resets reaches exactly the findings of the
// fault-free run, for each seed. RESILIENCE_SEEDS=20 runs more seeds in a longer run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { runAudit } from '../../jobs/run-audit';
import { createGraphContext } from '../../graph';
import { readEnvironment } from '../../config/env';
import { parseCouncilFile } from '../../jobs/council-context';
import { openStore } from '../../store';
import { silentLogger, type Logger } from '../../core/logger';
import { loadScenario, startSimulator, type FaultOptions } from '../../simulator';
import { councilContext } from '../../context/council-context';
import { fixedClock } from '../../core/clock';

const SEEDS = Array.from({ length: Number(process.env.RESILIENCE_SEEDS ?? 3) }, (_, i) => i + 1);

async function demoFindings(faults: FaultOptions | undefined, log: Logger = silentLogger) {
  const s = structuredClone(loadScenario('demo'));
  s.tenantId = randomUUID();
  const c = JSON.parse(readFileSync(join(__dirname, '../../simulator/scenarios/demo.councils.json'), 'utf8')).councils[0];
  const council = parseCouncilFile({ councils: [{ ...c, tenantId: s.tenantId }] }, 'test').councils[0];
  // One clock for every run: the baseline and each seed read the same relative scenario times.
  const sim = await startSimulator({ scenarios: [s], faults, now: '2026-11-25T02:00:00.000Z' });
  try {
    const graph = createGraphContext(readEnvironment(sim.env(), s.tenantId), { retry: { baseDelayMs: 20, maxRetries: 8 } });
    const { document } = await runAudit(councilContext(council, { graph, store: await openStore(process.env.COUNCILGUARD_TEST_STORAGE!), log, clock: fixedClock('2026-11-25T02:00:00.000Z') }));
    return {
      throttled: sim.stats.throttled,
      retries: graph.meter.counts.retry + graph.meter.counts.itemRetry,
      // Finding ids include the tenant id, which differs per run: compare what was found.
      found: document.findings.map((f) => `${f.checkId}|${f.kind}|${f.severity}|${f.subject.name}|${f.summary}`).sort(),
      statuses: document.checks.map((c) => `${c.id}:${c.status}`),
    };
  }
  finally {
    await sim.close();
  }
}

describe('the audit under injected faults', () => {
  let baseline: Awaited<ReturnType<typeof demoFindings>>;
  beforeAll(async () => { baseline = await demoFindings(undefined); });

  it.each(SEEDS)('seed %i: same findings and statuses as the fault-free run, faults absorbed by retries', async (seed) => {
    const run = await demoFindings({ seed, throttleRate: 0.1, retryAfterSeconds: 0, serviceUnavailableRate: 0.05, resetRate: 0.01 });
    expect(run.found).toEqual(baseline.found);
    expect(run.statuses).toEqual(baseline.statuses);
    expect(run.retries).toBeGreaterThan(0);
  });
});
