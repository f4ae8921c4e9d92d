// Running `councilguard offboard` in this process: a config file on disk, the simulator's environment,
// the shared Azurite store, and stdout/stderr captured.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { offboardCommand, type OffboardOptions } from '../../cli/commands/offboard';
import { silentLogger } from '../../core/logger';
import type { CouncilConfig } from '../../policy/council-config';
import type { Harness } from './support';

export function writeConfig(council: CouncilConfig): string {
  const file = join(mkdtempSync(join(tmpdir(), 'cg-offboard-')), 'councils.json');
  writeFileSync(file, JSON.stringify({ councils: [council] }));
  return file;
}

export interface CliRun {
  code?: number;
  error?: Error;
  stdout: string;
  stderr: string;
}

export async function offboard(h: Harness, args: Partial<OffboardOptions> & { user: string; termEnd: string }, env: NodeJS.ProcessEnv = {}, config = h.council): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => { out += d.toString(); });
  stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const stdin = Object.assign(new PassThrough(), { isTTY: false });
  const run: CliRun = { stdout: '', stderr: '' };
  try {
    run.code = await offboardCommand({ config: writeConfig(config), dataDir: join(tmpdir(), 'cg-unused'), ...args }, { ...h.env, COUNCILGUARD_ACTOR: 'itadmin@testparish.gov.uk', ...env }, { stdout, stderr, stdin, log: silentLogger });
  } catch (e) {
    run.error = e as Error;
  }
  run.stdout = out;
  run.stderr = err;
  return run;
}
