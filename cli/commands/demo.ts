// councilguard demo: the whole product on the built-in demo tenant. Starts the tenant simulator and an
// in-memory Azurite, audits "Example Parish Council", writes the reports and prints where they are.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { testCaPath } from '../../config/paths';
import { consoleLogger, type Logger } from '../../core/logger';
import { auditDemoTenant } from '../../jobs/demo';
import { auditVerdict, writeAuditFiles } from '../../jobs/audit';
import { EXIT } from '../exit-codes';

export async function demoCommand(opts: { out: string }, log: Logger = consoleLogger): Promise<number> {
  // Node reads NODE_EXTRA_CA_CERTS only at start-up, so without it the demo restarts itself with it
  // set (the simulator's test CA is trusted for this process only; TLS checks stay on).
  if (resolve(process.env.NODE_EXTRA_CA_CERTS ?? '') !== testCaPath()) return rerunWithTestCa();
  const outcomes = await auditDemoTenant(log);
  writeAuditFiles(outcomes, opts.out, log);
  return auditVerdict(outcomes) === 'completed' ? EXIT.completed : EXIT.checkErrored;
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
