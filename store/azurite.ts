// Starts the Azurite storage emulator shipped in node_modules, on free ports chosen per run, so a CLI
// run without COUNCILGUARD_STORAGE (and the test suite) has real Azure Tables and Blobs to talk to.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { join } from 'node:path';

export interface RunningAzurite {
  connectionString: string;
  blobPort: number;
  tablePort: number;
  pid: number;
  stop(): Promise<void>;
}

// Azurite's published development account (not a secret: it is the same for every Azurite install).
const ACCOUNT = 'devstoreaccount1';
const ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export function azuriteConnectionString(blobPort: number, tablePort: number): string {
  return `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};` +
    `BlobEndpoint=http://127.0.0.1:${blobPort}/${ACCOUNT};TableEndpoint=http://127.0.0.1:${tablePort}/${ACCOUNT};`;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(500);
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => { socket.destroy(); resolve(false); });
    socket.connect(port, '127.0.0.1');
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A killed run can leave an Azurite holding the same data folder; stop it before reusing the folder. */
function stopStaleAzurite(location: string): void {
  const pidFile = join(location, 'azurite.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
  }
  rmSync(pidFile, { force: true });
}

export async function startAzurite(opts: { inMemory?: boolean; location?: string; startTimeoutMs?: number }): Promise<RunningAzurite> {
  if (opts.inMemory && opts.location) throw new Error('Azurite runs either in memory or with a data folder, not both: pass inMemory or location.');
  const script = require.resolve('azurite/dist/src/azurite.js');
  const [blobPort, tablePort, queuePort] = [await freePort(), await freePort(), await freePort()];
  const args = [script, '--blobPort', String(blobPort), '--tablePort', String(tablePort), '--queuePort', String(queuePort),
    '--disableTelemetry', '--silent', '--skipApiVersionCheck', '--loose'];
  if (opts.location) {
    mkdirSync(opts.location, { recursive: true });
    stopStaleAzurite(opts.location);
    args.push('--location', opts.location);
  } else {
    args.push('--inMemoryPersistence');
  }
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: false });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-2000); });
  if (opts.location && child.pid) writeFileSync(join(opts.location, 'azurite.pid'), String(child.pid));

  const deadline = Date.now() + (opts.startTimeoutMs ?? 30_000);
  while (!(await canConnect(blobPort)) || !(await canConnect(tablePort))) {
    if (child.exitCode !== null) throw new Error(`Azurite (local storage) exited at start-up: ${stderr.trim() || `code ${child.exitCode}`}. Set COUNCILGUARD_STORAGE to an Azure Storage connection string to use real storage instead.`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Azurite (local storage) did not start within ${Math.round((opts.startTimeoutMs ?? 30_000) / 1000)} s. Set COUNCILGUARD_STORAGE to an Azure Storage connection string to use real storage instead.`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.unref();
  (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
  return {
    connectionString: azuriteConnectionString(blobPort, tablePort),
    blobPort,
    tablePort,
    pid: child.pid!,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => {
        if (opts.location) rmSync(join(opts.location, 'azurite.pid'), { force: true });
        resolve();
      });
      child.kill('SIGTERM');
      setTimeout(() => { if (child.exitCode === null) child.kill('SIGKILL'); }, 3000).unref();
    }),
  };
}
