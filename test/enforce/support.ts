// Enforcement test harness: the demo tenant in the simulator (every permission granted), its council
// config with every remediation switched on, the shared Azurite store, and an audit to plan from.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_PERMISSIONS, loadScenario, startSimulator, type RunningSimulator, type Scenario } from '../../simulator';
import { parseCouncilFile } from '../../jobs/council-context';
import type { CouncilConfig } from '../../policy/council-config';
import { openStore } from '../../store';
import { readEnvironment } from '../../config/env';
import { createGraphContext } from '../../graph';
import { silentLogger } from '../../core/logger';
import { runAudit } from '../../jobs/run-audit';
import type { EnforceContext } from '../../enforce/types';
import { councilContext } from '../../context/council-context';

export const APPROVER = 'itsupport@supplier.example';

export interface EnforceHarness {
  sim: RunningSimulator;
  ctx: EnforceContext;
  council: CouncilConfig;
  /** Audits the tenant now and returns the findings document. */
  audit(): ReturnType<typeof runAudit>;
  close(): Promise<void>;
}

let counter = 0;

/** A demo tenant with its own tenant id, so tests sharing the store do not see each other's plans. */
export async function enforceHarness(change: (s: Scenario) => void = () => {}, enforce: Partial<CouncilConfig['enforce']> = {}): Promise<EnforceHarness> {
  const scenario = structuredClone(loadScenario('demo'));
  scenario.grantedPermissions = [...ALL_PERMISSIONS];
  scenario.tenantId = `00000000-0000-4000-8000-${String(Date.now() % 1e6).padStart(6, '0')}${String(++counter).padStart(6, '0')}`;
  change(scenario);
  const sim = await startSimulator({ scenarios: [scenario] });
  const file = join(__dirname, '../../simulator/scenarios/demo.councils.json');
  const json = JSON.parse(readFileSync(file, 'utf8')) as { councils: CouncilConfig[] };
  json.councils[0].tenantId = scenario.tenantId;
  json.councils[0].enforce = { forwarding: true, mfa: true, passwords: true, sharing: true, ...enforce };
  json.councils[0].delivery = {};
  const council = parseCouncilFile(json, file).councils[0];
  const store = await openStore(process.env.COUNCILGUARD_TEST_STORAGE!);
  const graph = createGraphContext(readEnvironment({ ...process.env, ...sim.env() }, council.tenantId));
  const ctx: EnforceContext = councilContext(council, { graph, store, log: silentLogger });
  return {
    sim, ctx, council,
    audit: () => runAudit({ ...councilContext(council, { graph, store, log: silentLogger }), auditQueryBudgetMs: 0 }),
    close: () => sim.close(),
  };
}
