// Throttling never becomes an error: the demo audit with two-item pages under 12 % 429s (on requests and
// on $batch items alike) and 1 % connection resets reaches exactly the findings of the fault-free run,
// with no check in error, for every seed. RESILIENCE_SEEDS=20 runs twenty seeds (npm test runs 3);
// SOAK_THROTTLE and SOAK_RESET raise the rates (0.3 and 0.08 reproduced the delta failure before the fix).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { runAudit } from '../../jobs/run-audit';
import { createGraphContext } from '../../graph';
import { readEnvironment } from '../../config/env';
import { parseCouncilFile } from '../../jobs/council-context';
import { openStore } from '../../store';
import { silentLogger } from '../../core/logger';
import { loadScenario, startSimulator, type FaultOptions } from '../../simulator';
import { councilContext } from '../../context/council-context';
import { fixedClock } from '../../core/clock';

const SEEDS = Array.from({ length: Number(process.env.RESILIENCE_SEEDS ?? 3) }, (_, i) => 100 + i);
const NOW = '2026-11-25T02:00:00.000Z';

async function audit(faults: FaultOptions | undefined) {
  const s = structuredClone(loadScenario('demo'));
  s.tenantId = randomUUID();
  const c = JSON.parse(readFileSync(join(__dirname, '../../simulator/scenarios/demo.councils.json'), 'utf8')).councils[0];
  const council = parseCouncilFile({ councils: [{ ...c, tenantId: s.tenantId }] }, 'test').councils[0];
  const sim = await startSimulator({ scenarios: [s], faults, now: NOW, pageSize: 2 });
  try {
    // The production retry budget; only the waits are shortened so the soak stays fast.
    const graph = createGraphContext(readEnvironment(sim.env(), s.tenantId), { retry: { baseDelayMs: 5, maxDelayMs: 50 } });
    const { document } = await runAudit(councilContext(council, { graph, store: await openStore(process.env.COUNCILGUARD_TEST_STORAGE!), log: silentLogger, clock: fixedClock(NOW) }));
    return {
      throttled: sim.stats.throttled,
      found: document.findings.map((f) => `${f.checkId}|${f.kind}|${f.severity}|${f.subject.name}|${f.summary}`).sort(),
      statuses: document.checks.map((c) => `${c.id}:${c.status}${c.error ? ` ${c.error}` : ''}`),
    };
  } finally {
    await sim.close();
  }
}

describe('throttling soak: two-item pages, 12 % 429, 1 % resets', () => {
  let baseline: Awaited<ReturnType<typeof audit>>;
  beforeAll(async () => { baseline = await audit(undefined); }, 60_000);

  it.each(SEEDS)('seed %i: identical findings, no errored check', async (seed) => {
    const run = await audit({ seed, throttleRate: Number(process.env.SOAK_THROTTLE ?? 0.12), retryAfterSeconds: 0, resetRate: Number(process.env.SOAK_RESET ?? 0.01) });
    expect(run.statuses.filter((s) => / error|:error/.test(s))).toEqual([]);
    expect(run.statuses).toEqual(baseline.statuses);
    expect(run.found).toEqual(baseline.found);
    expect(run.throttled).toBeGreaterThan(0);
  }, 60_000);
});
