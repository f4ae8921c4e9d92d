// councilguard demo: the whole product on the built-in demo tenant. Starts the tenant simulator and an
// in-memory Azurite, audits "Example Parish Council", writes the reports and prints where they are.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { packageRoot, testCaPath } from '../../config/paths';
import { startSimulator } from '../../simulator';
import { startAzurite } from '../../store/azurite';
import { openStore } from '../../store';
import { parseCouncilFile } from '../../jobs/council-context';
import { auditCouncils } from '../../jobs/audit-councils';
import { consoleLogger, type Logger } from '../../core/logger';
import { writeAuditOutputs } from './audit';

export const DEMO_CONFIG_PATH = () => join(packageRoot(), 'simulator', 'scenarios', 'demo.councils.json');

export async function demoCommand(opts: { out: string }, log: Logger = consoleLogger): Promise<number> {
  // Node reads NODE_EXTRA_CA_CERTS only at start-up, so without it the demo restarts itself with it
  // set (the simulator's test CA is trusted for this process only; TLS checks stay on).
  if (resolve(process.env.NODE_EXTRA_CA_CERTS ?? '') !== testCaPath()) return rerunWithTestCa();

  const sim = await startSimulator({ scenarios: ['demo'] });
  const azurite = await startAzurite({ inMemory: true });
  try {
    const store = await openStore(azurite.connectionString);
    const config = parseCouncilFile(JSON.parse(readFileSync(DEMO_CONFIG_PATH(), 'utf8')), DEMO_CONFIG_PATH());
    log.info(`Demo tenant "${config.councils[0].name}" running at ${sim.url}; auditing it now.`);
    const env = { ...process.env, ...sim.env(config.councils[0].tenantId) };
    const outcomes = await auditCouncils({ councils: config.councils, env, store, log });
    return writeAuditOutputs(outcomes, { out: opts.out }, log);
  } finally {
    await azurite.stop();
    await sim.close();
  }
}

function rerunWithTestCa(): Promise<number> {
  return new Promise((resolveExit, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
      stdio: 'inherit',
      env: { ...process.env, NODE_EXTRA_CA_CERTS: testCaPath() },
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolveExit(code ?? (signal ? 1 : 0)));
  });
}
