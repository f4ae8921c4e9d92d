// The demo tenant, changed for one test, on its own simulator with its council context: the setup the
// audit tests share (a fresh tenant id each time, so runs never see each other's history).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { readEnvironment } from '../../config/env';
import { councilContext, type CouncilContext } from '../../context/council-context';
import { silentLogger } from '../../core/logger';
import { createGraphContext } from '../../graph';
import { parseCouncilFile } from '../../jobs/council-context';
import { runAudit, type AuditResult } from '../../jobs/run-audit';
import type { CouncilConfig } from '../../policy/council-config';
import { loadScenario, startSimulator, type RunningSimulator, type Scenario } from '../../simulator';
import { openStore } from '../../store';

export interface DemoTenant { sim: RunningSimulator; scenario: Scenario; council: CouncilConfig; ctx: CouncilContext }

export async function withDemoTenant<T>(change: (s: Scenario) => void, fn: (t: DemoTenant) => Promise<T>): Promise<T> {
  const scenario = structuredClone(loadScenario('demo'));
  scenario.tenantId = randomUUID();
  change(scenario);
  const c = JSON.parse(readFileSync(join(__dirname, '../../simulator/scenarios/demo.councils.json'), 'utf8')).councils[0];
  const council = parseCouncilFile({ councils: [{ ...c, tenantId: scenario.tenantId }] }, 'test').councils[0];
  const sim = await startSimulator({ scenarios: [scenario] });
  try {
    const ctx = councilContext(council, { graph: createGraphContext(readEnvironment(sim.env(), scenario.tenantId)), store: await openStore(process.env.COUNCILGUARD_TEST_STORAGE!), log: silentLogger });
    return await fn({ sim, scenario, council, ctx });
  } finally {
    await sim.close();
  }
}

/** One audit of the demo tenant as `change` leaves it. */
export function auditDemoTenant(change: (s: Scenario) => void): Promise<AuditResult> {
  return withDemoTenant(change, ({ ctx }) => runAudit(ctx));
}
