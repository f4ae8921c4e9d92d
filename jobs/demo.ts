// The demo and the simulator on their own (`councilguard demo`, `councilguard simulate`): the built-in
// demo tenant (the simulator, over HTTPS with the test CA) and an in-memory Azurite, audited like any
// council. The only use case that reaches into simulator/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../core/logger';
import { packageRoot } from '../config/paths';
import { runSimulateCommand, startSimulator } from '../simulator';
import { openStore } from '../store';
import { startAzurite } from '../store/azurite';
import { auditCouncils, type CouncilAuditOutcome } from './audit';
import { Councils, parseCouncilFile } from './council-context';

const DEMO_CONFIG_PATH = () => join(packageRoot(), 'simulator', 'scenarios', 'demo.councils.json');

/** Starts the demo tenant and local storage, audits "Example Parish Council", and stops both. */
export async function auditDemoTenant(log: Logger): Promise<CouncilAuditOutcome[]> {
  const sim = await startSimulator({ scenarios: ['demo'] });
  const azurite = await startAzurite({ inMemory: true });
  try {
    const store = await openStore(azurite.connectionString);
    const file = parseCouncilFile(JSON.parse(readFileSync(DEMO_CONFIG_PATH(), 'utf8')), DEMO_CONFIG_PATH());
    log.info(`Demo tenant "${file.councils[0].name}" running at ${sim.url}; auditing it now.`);
    const env = { ...process.env, ...sim.env(file.councils[0].tenantId) };
    return await auditCouncils(new Councils({ file: () => file, store, log, env }));
  } finally {
    await azurite.stop();
    await sim.close();
  }
}

/** The simulator on its own, printing the environment to export; resolves with a handle to stop it. */
export function runSimulator(opts: { scenario: string; port?: number }): Promise<{ close(): Promise<void> }> {
  return runSimulateCommand(opts);
}
