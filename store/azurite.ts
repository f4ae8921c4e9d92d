// Starts the Azurite storage emulator shipped in node_modules, so a CLI run without COUNCILGUARD_STORAGE
// (and the test suite) has real Azure Tables and Blobs to talk to.
//
// Ports: Azurite binds port 0, so the OS hands it free ports at bind time (no pick-then-bind race with a
// leftover Azurite or anything else), and we read the ports back from its start-up lines.
// Leftovers: a killed CouncilGuard run can leave Azurite running. Azurite is started with an IPC channel
// and a hook that stops it when that channel closes (its parent died); and with a data folder, the
// folder's azurite.pid records Azurite's pid and its owner's pid, so the next start stops a leftover
// (gracefully, so its data is saved) instead of letting two processes write the same database files.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { ConfigError } from '../core/errors';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';

export interface AzuriteOptions {
  /** Keep everything in memory (the demo, the tests): gone when Azurite stops. */
  inMemory?: boolean;
  /** A data folder to persist to (the CLI's --data-dir), so a killed run resumes when started again. */
  location?: string;
  /** How long to wait for Azurite to accept connections; 30 s unless given. */
  startTimeoutMs?: number;
}

export interface RunningAzurite {
  connectionString: string;
  blobPort: number;
  tablePort: number;
  pid: number;
  /** The data folder, when persisted. */
  location?: string;
  /** Stops Azurite (gracefully, so a persisted database is saved) and waits until it has exited. */
  stop(): Promise<void>;
}

/** Raised when another live CouncilGuard process is using the same data folder. */
export class AzuriteInUseError extends ConfigError {}

export const AZURITE_PID_FILE = 'azurite.pid';

// Azurite's published development account (not a secret: it is the same for every Azurite install).
const ACCOUNT = 'devstoreaccount1';
const ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const HOST = '127.0.0.1';

// Loaded into Azurite before its own code: when our IPC channel closes (the parent exited or was
// killed), stop Azurite the way Ctrl-C would. The channel is unref'd so it never keeps Azurite alive.
const PARENT_WATCH = "data:text/javascript,process.once('disconnect',()=>process.kill(process.pid,'SIGTERM'));if(process.channel)process.channel.unref();";

const READY_LINE = /Azurite (Blob|Table) service is successfully listening at https?:\/\/[^\s]+:(\d+)/g;
const GRACEFUL_STOP_MS = 10_000;

export function azuriteConnectionString(blobPort: number, tablePort: number): string {
  return `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};` +
    `BlobEndpoint=http://${HOST}:${blobPort}/${ACCOUNT};TableEndpoint=http://${HOST}:${tablePort}/${ACCOUNT};`;
}

/**
 * The `azurite` command's script: the package's own bin entry when it is installed beside CouncilGuard
 * (it is a development dependency, so a production install has none), else an `azurite` on PATH (npm
 * install -g). Neither: a ConfigError saying how to get it, or to use real storage instead.
 */
export function azuriteScript(resolvePackage: (id: string) => string = require.resolve, path: string = process.env.PATH ?? ''): string {
  let manifestPath: string | undefined;
  try {
    manifestPath = resolvePackage('azurite/package.json');
  } catch {
    manifestPath = undefined;
  }
  if (manifestPath) {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin?: Record<string, string> };
    const bin = manifest.bin?.azurite;
    if (!bin) throw new Error('The installed azurite package has no "azurite" command; reinstall dependencies with npm ci.');
    return join(dirname(manifestPath), bin);
  }
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'azurite');
    if (existsSync(candidate)) return realpathSync(candidate);
  }
  throw new ConfigError('Local storage needs Azurite, which is not installed here (it is a development dependency, left out of production installs). '
    + 'Install it (npm install -g azurite, or npm install in a development checkout), or keep the data in Azure Storage instead: '
    + 'set COUNCILGUARD_STORAGE to a connection string, or COUNCILGUARD_STORAGE_ACCOUNT to an account your sign-in can use.');
}

export async function startAzurite(opts: AzuriteOptions): Promise<RunningAzurite> {
  if (opts.inMemory && opts.location) throw new Error('Azurite runs either in memory or with a data folder, not both: pass inMemory or location.');
  if (!opts.inMemory && !opts.location) throw new Error('Azurite needs either inMemory: true or a data folder (location).');
  const script = azuriteScript();
  let location: string | undefined;
  if (opts.location) {
    mkdirSync(opts.location, { recursive: true });
    // The real path, so a leftover started through a symlink or a relative path is still recognised.
    location = realpathSync(resolve(opts.location));
    await claimLocation(location);
  }
  const args = [
    '--import', PARENT_WATCH, script,
    '--blobHost', HOST, '--blobPort', '0',
    '--tableHost', HOST, '--tablePort', '0',
    // Azurite 3.35 cannot leave the queue service out; it gets an OS-chosen loopback port nobody uses.
    '--queueHost', HOST, '--queuePort', '0',
    '--disableTelemetry', '--silent', '--skipApiVersionCheck', '--loose',
    ...(location ? ['--location', location] : ['--inMemoryPersistence']),
  ];
  let child: ChildProcess;
  try {
    // In memory, Azurite's working folder is still its default location: keep it out of the project.
    child = spawn(process.execPath, args, { cwd: location ?? tmpdir(), stdio: ['ignore', 'pipe', 'pipe', 'ipc'], windowsHide: true });
  } catch (err) {
    if (location) releaseLocation(location);
    throw err;
  }
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  if (location && child.pid) writePidFile(location, { pid: child.pid, ownerPid: process.pid });

  try {
    const ports = await waitUntilListening(child, opts.startTimeoutMs ?? 30_000);
    // After start-up Azurite must neither keep this process alive nor block on a full output pipe.
    child.unref();
    child.channel?.unref();
    for (const stream of [child.stdout, child.stderr]) (stream as unknown as { unref?: () => void } | null)?.unref?.();
    let stopping: Promise<void> | undefined;
    return {
      connectionString: azuriteConnectionString(ports.blob, ports.table),
      blobPort: ports.blob,
      tablePort: ports.table,
      pid: child.pid!,
      location,
      stop: () => {
        stopping ??= stopChild(child, exited).then(() => { if (location) releaseLocation(location, child.pid); });
        return stopping;
      },
    };
  } catch (err) {
    await stopChild(child, exited);
    if (location) releaseLocation(location, child.pid);
    throw err;
  }
}

async function waitUntilListening(child: ChildProcess, timeoutMs: number): Promise<{ blob: number; table: number }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => { stdout = (stdout + d.toString()).slice(-8000); });
  child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-2000); });
  const seconds = Math.round(timeoutMs / 1000);
  const deadline = Date.now() + timeoutMs;
  const fallback = 'Or set COUNCILGUARD_STORAGE to an Azure Storage connection string to use real storage instead.';
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`Azurite (the local storage emulator) stopped while starting: ${(stderr || stdout).trim().split('\n').slice(-3).join(' ') || `exit code ${child.exitCode}`}. ${fallback}`);
    }
    const ports: Record<string, number> = {};
    for (const m of stdout.matchAll(READY_LINE)) ports[m[1]] = Number(m[2]);
    if (ports.Blob && ports.Table && (await canConnect(ports.Blob)) && (await canConnect(ports.Table))) {
      return { blob: ports.Blob, table: ports.Table };
    }
    if (Date.now() > deadline) {
      throw new Error(`Azurite (the local storage emulator) did not start within ${seconds} s` +
        (stdout.includes('Table service is starting') ? '' : ' (it printed none of its start-up lines: is the installed azurite 3.35?)') +
        `. ${fallback}`);
    }
    await sleep(100);
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = new Socket();
    socket.setTimeout(1000);
    socket.once('connect', () => { socket.destroy(); done(true); });
    socket.once('error', () => done(false));
    socket.once('timeout', () => { socket.destroy(); done(false); });
    socket.connect(port, HOST);
  });
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), GRACEFUL_STOP_MS);
  await exited;
  clearTimeout(timer);
}

// ---- The data folder's pid file ----

interface PidRecord {
  /** Azurite's pid; absent while its owner is still starting it. */
  pid?: number;
  /** The CouncilGuard process that started it. */
  ownerPid?: number;
}

function pidFileOf(location: string): string {
  return join(location, AZURITE_PID_FILE);
}

function writePidFile(location: string, record: PidRecord, flag: 'w' | 'wx' = 'w'): void {
  writeFileSync(pidFileOf(location), JSON.stringify({ ...record, startedAt: new Date().toISOString() }), { flag });
}

function readPidFile(location: string): PidRecord | undefined {
  let text: string;
  try {
    text = readFileSync(pidFileOf(location), 'utf8').trim();
  } catch {
    return undefined;
  }
  // Earlier versions wrote the bare pid.
  if (/^\d+$/.test(text)) return { pid: Number(text) };
  try {
    const parsed = JSON.parse(text) as PidRecord;
    return { pid: positive(parsed.pid), ownerPid: positive(parsed.ownerPid) };
  } catch {
    return {};
  }
}

function positive(n: unknown): number | undefined {
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined;
}

/**
 * Claims the data folder for this process: creates the pid file exclusively, so two runs starting at
 * once cannot both start Azurite on it. An existing file is either a live run's (refused) or a leftover
 * (its Azurite is stopped first).
 */
async function claimLocation(location: string): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      writePidFile(location, { ownerPid: process.pid }, 'wx');
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    await clearLeftover(location, readPidFile(location) ?? {});
  }
  throw new AzuriteInUseError(`Could not take the local storage folder ${location}: another CouncilGuard run keeps claiming it. Wait for it to finish, or use a different --data-dir.`);
}

async function clearLeftover(location: string, record: PidRecord): Promise<void> {
  const azuriteRunning = record.pid !== undefined && isAlive(record.pid) && isAzuriteFor(record.pid, location);
  const ownerRunning = record.ownerPid !== undefined && isAlive(record.ownerPid);
  if (ownerRunning && (azuriteRunning || record.pid === undefined)) {
    throw new AzuriteInUseError(`The local storage in ${location} is in use by another CouncilGuard run (process ${record.ownerPid}). Wait for it to finish, or use a different --data-dir.`);
  }
  if (azuriteRunning) await terminate(record.pid!);
  // A pid now used by an unrelated process is left alone; only the stale record goes.
  rmSync(pidFileOf(location), { force: true });
}

function releaseLocation(location: string, pid?: number): void {
  const record = readPidFile(location);
  if (!record) return;
  if (record.ownerPid === process.pid && (pid === undefined || record.pid === undefined || record.pid === pid)) {
    rmSync(pidFileOf(location), { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the process is an Azurite serving this folder. Where the command line cannot be read (Windows), trust the pid file. */
function isAzuriteFor(pid: number, location: string): boolean {
  const commandLine = commandLineOf(pid);
  return commandLine === undefined || (commandLine.includes('azurite') && commandLine.includes(location));
}

function commandLineOf(pid: number): string | undefined {
  if (process.platform === 'win32') return undefined;
  try {
    if (process.platform === 'linux') return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    return execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' });
  } catch {
    return '';
  }
}

/** SIGTERM lets Azurite save its database; SIGKILL only if it does not stop in time. */
async function terminate(pid: number): Promise<void> {
  try { process.kill(pid, 'SIGTERM'); } catch { return; }
  if (await exitsWithin(pid, GRACEFUL_STOP_MS)) return;
  try { process.kill(pid, 'SIGKILL'); } catch { return; }
  if (!(await exitsWithin(pid, 3000))) {
    throw new AzuriteInUseError(`An Azurite left behind by an earlier run (process ${pid}) would not stop; end that process, then run again.`);
  }
}

async function exitsWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(50);
  }
  return !isAlive(pid);
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
