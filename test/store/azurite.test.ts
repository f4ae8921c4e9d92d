import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { tmpdir } from 'node:os';
import { Socket } from 'node:net';
import ts from 'typescript';
import { openStore } from '../../store';
import { AZURITE_PID_FILE, azuriteScript, startAzurite, type RunningAzurite } from '../../store/azurite';
import { ConfigError } from '../../core/errors';

const isAlive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const accepts = (port: number) => new Promise<boolean>((done) => {
  const s = new Socket();
  s.once('connect', () => { s.destroy(); done(true); });
  s.once('error', () => done(false));
  s.connect(port, '127.0.0.1');
});
/** A pid that belonged to a process which has exited, as a killed run's owner pid would be. */
async function deadPid(): Promise<number> {
  const p = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((r) => p.once('exit', r));
  return p.pid!;
}

describe('finding Azurite (a development dependency)', () => {
  const notInstalled = () => { throw Object.assign(new Error("Cannot find module 'azurite/package.json'"), { code: 'MODULE_NOT_FOUND' }); };

  it('uses the installed package\'s own command', () => {
    expect(azuriteScript()).toMatch(/azurite[\\/]dist[\\/]src[\\/]azurite\.js$/);
  });

  it('falls back to an azurite on PATH (npm install -g)', () => {
    const bin = mkdtempSync(join(tmpdir(), 'cg-path-'));
    writeFileSync(join(bin, 'azurite'), '#!/usr/bin/env node\n');
    try {
      expect(azuriteScript(notInstalled, `/nonexistent${delimiter}${bin}`)).toBe(join(realpathSync(bin), 'azurite'));
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it('without it, says how to get it or to use Azure Storage instead', () => {
    let thrown: unknown;
    try { azuriteScript(notInstalled, '/nonexistent'); } catch (err) { thrown = err; }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as Error).message).toMatch(/Local storage needs Azurite, which is not installed here .*npm install -g azurite.*set COUNCILGUARD_STORAGE to a connection string, or COUNCILGUARD_STORAGE_ACCOUNT/);
  });
});

describe('startAzurite', () => {
  const folders: string[] = [];
  const started: RunningAzurite[] = [];
  const folder = () => { const f = mkdtempSync(join(tmpdir(), 'cg-azurite-')); folders.push(f); return f; };
  afterAll(async () => {
    for (const a of started) await a.stop();
    for (const f of folders) rmSync(f, { recursive: true, force: true });
  });

  it('persists data across a stop and start, refuses a second start on a folder in use, and stops a leftover from a killed run', async () => {
    const location = folder();
    const first = await startAzurite({ location });
    started.push(first);
    expect(first.connectionString).toContain(`BlobEndpoint=http://127.0.0.1:${first.blobPort}/devstoreaccount1;`);
    expect(first.connectionString).toContain(`TableEndpoint=http://127.0.0.1:${first.tablePort}/devstoreaccount1;`);
    expect(JSON.parse(readFileSync(join(location, AZURITE_PID_FILE), 'utf8'))).toMatchObject({ pid: first.pid, ownerPid: process.pid });
    const store = await openStore(first.connectionString);
    await store.putCheckpoint('s', 'k', { kept: 1 });
    await store.putBlob('reports', 'r.html', '<p>kept</p>');

    // A second start while this run still uses the folder must not touch it.
    await expect(startAzurite({ location })).rejects.toThrow(/in use by another CouncilGuard run .*different --data-dir/);
    expect((await store.getCheckpoint('s', 'k'))?.value).toEqual({ kept: 1 });

    // The run that started it is killed: its Azurite is left behind with the folder recorded.
    writeFileSync(join(location, AZURITE_PID_FILE), JSON.stringify({ pid: first.pid, ownerPid: await deadPid() }));
    const second = await startAzurite({ location });
    started.push(second);
    expect(isAlive(first.pid)).toBe(false);
    expect(await accepts(first.tablePort)).toBe(false);
    const reopened = await openStore(second.connectionString);
    expect((await reopened.getCheckpoint('s', 'k'))?.value).toEqual({ kept: 1 });
    await reopened.putCheckpoint('s', 'k', { kept: 2 });

    await second.stop();
    expect(existsSync(join(location, AZURITE_PID_FILE))).toBe(false);
    expect(isAlive(second.pid)).toBe(false);
    const third = await startAzurite({ location });
    started.push(third);
    const again = await openStore(third.connectionString);
    expect((await again.getCheckpoint('s', 'k'))?.value).toEqual({ kept: 2 });
    expect((await again.getBlob('reports', 'r.html'))?.toString()).toBe('<p>kept</p>');
    await third.stop();
  }, 60_000);

  it('stops by itself when the run that started it is killed, and the next run starts cleanly', async () => {
    const location = folder();
    // The killed run is a real separate process running this module (transpiled, as the build would).
    const root = folder();
    for (const module of ['store/azurite', 'core/errors']) {
      const source = readFileSync(join(__dirname, '../..', `${module}.ts`), 'utf8');
      mkdirSync(join(root, module, '..'), { recursive: true });
      writeFileSync(join(root, `${module}.js`), ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText);
    }
    const compiled = join(root, 'store');
    const run = spawn(process.execPath, ['-e', `require('./azurite').startAzurite({ location: ${JSON.stringify(location)} }).then((a) => { console.log(a.pid); process.kill(process.pid, 'SIGKILL'); })`], {
      cwd: compiled, env: { ...process.env, NODE_PATH: join(__dirname, '../../node_modules') }, stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    run.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    await new Promise((r) => run.once('exit', r));
    const leftover = Number(out.trim());
    expect(leftover).toBeGreaterThan(0);
    const deadline = Date.now() + 15_000;
    while (isAlive(leftover) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(isAlive(leftover)).toBe(false);

    const next = await startAzurite({ location });
    started.push(next);
    await (await openStore(next.connectionString)).putCheckpoint('s', 'k', 'fresh start');
    await next.stop();
  }, 45_000);

  it('leaves alone a process that merely reuses a stale pid', async () => {
    const location = folder();
    const bystander = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      writeFileSync(join(location, AZURITE_PID_FILE), JSON.stringify({ pid: bystander.pid, ownerPid: await deadPid() }));
      const azurite = await startAzurite({ location });
      started.push(azurite);
      expect(isAlive(bystander.pid!)).toBe(true);
      await azurite.stop();
    } finally {
      bystander.kill();
    }
  }, 30_000);

  it('takes a data folder or memory, not both and not neither', async () => {
    await expect(startAzurite({ inMemory: true, location: folder() })).rejects.toThrow(/either in memory or with a data folder, not both/);
    await expect(startAzurite({})).rejects.toThrow(/inMemory: true or a data folder/);
  });
});
