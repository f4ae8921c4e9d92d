// Harness for the bad-input table: each row runs in its own folder; the CLI runs in this process through
// main(argv) with stdout/stderr captured and the environment the row gives; afterwards the folder is
// compared with how it was (a file added or changed is something left half-written), and where the row
// reaches a tenant, the tenant and the store are checked too.
import { mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tmpdir } from 'node:os';
import { main } from '../../../cli/main';
import { councillorKey } from '../../../offboarding/state';
import { serialiseTenant, type Harness } from '../../offboarding/support';

export interface Outcome {
  /** The CLI's exit code, the HTTP status, or the name of the error thrown. */
  code: number | string;
  /** Everything the user sees: stderr and stdout, the error message or the response's error. */
  message: string;
  /** Files added or changed in the row's folder, and any change in the tenant or the store. */
  changes: string[];
}

export interface BadInputRow {
  name: string;
  area: 'config' | 'cli' | 'scenario' | 'environment' | 'http' | 'graph' | 'enforcement-plan';
  run(w: Workspace): Promise<Outcome>;
  expect: { code: number | string; fix: RegExp };
  /** A production defect this row exposes: the row stays, marked failing, until the code is fixed. */
  bug?: string;
}

type Listing = Map<string, string>;

function list(root: string, into: Listing = new Map(), dir = root): Listing {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      into.set(`${relative(root, path)}/`, 'dir');
      list(root, into, path);
    } else {
      const s = statSync(path);
      into.set(relative(root, path), `${s.size}:${s.mtimeMs}`);
    }
  }
  return into;
}

function changed(before: Listing, after: Listing): string[] {
  return [...after].filter(([path, v]) => before.get(path) !== v).map(([path]) => `${before.has(path) ? 'changed' : 'added'} ${path}`);
}

/** What a tenant-backed run must leave as it was: the tenant, the action log, the surrender status. */
export async function tenantChanges(h: Harness, upn: string, before: string): Promise<string[]> {
  const out: string[] = [];
  if (serialiseTenant(h.tenant()) !== before) out.push('the tenant changed');
  const actions = await h.store.listActions(h.council.tenantId);
  if (actions.length) out.push(`action log: ${actions.map((a) => a.action).join(', ')}`);
  if (await h.store.getCheckpoint('surrender-status', councillorKey(h.council.tenantId, upn))) out.push(`a surrender of ${upn} was recorded`);
  return out;
}

export class Workspace {
  readonly root = mkdtempSync(join(tmpdir(), 'cg-bad-input-'));
  readonly out = join(this.root, 'out');
  readonly data = join(this.root, 'data');

  constructor(private readonly baseEnv: () => NodeJS.ProcessEnv) {}

  /** Writes an input file under the row's folder and returns its path. */
  file(name: string, content: string | object): string {
    const path = join(this.root, 'input', name);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    return path;
  }

  folder(name: string): string {
    const path = join(this.root, 'input', name);
    mkdirSync(path, { recursive: true });
    return path;
  }

  /** `councilguard ...argv` in this process, with the base environment plus `env` (undefined unsets). */
  async cli(argv: string[], opts: { env?: Record<string, string | undefined>; tenant?: { h: Harness; upn: string } } = {}): Promise<Outcome> {
    const before = list(this.root);
    const tenantBefore = opts.tenant ? serialiseTenant(opts.tenant.h.tenant()) : '';
    const env: NodeJS.ProcessEnv = { ...this.baseEnv(), ...opts.env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
    const saved = process.env;
    let message = '';
    const capture = (chunk: unknown) => { message += String(chunk); return true; };
    const spies = [
      jest.spyOn(process.stderr, 'write').mockImplementation(capture),
      jest.spyOn(process.stdout, 'write').mockImplementation(capture),
      ...(['log', 'warn', 'error', 'info'] as const).map((k) => jest.spyOn(console, k).mockImplementation((...a: unknown[]) => { capture(`${a.join(' ')}\n`); })),
    ];
    let code: number | string;
    process.env = env;
    try {
      code = await main(argv);
    } catch (err) {
      code = `threw ${(err as Error).name}`;
      message += (err as Error).message;
    } finally {
      process.env = saved;
      spies.forEach((s) => s.mockRestore());
    }
    const changes = changed(before, list(this.root));
    if (opts.tenant) changes.push(...await tenantChanges(opts.tenant.h, opts.tenant.upn, tenantBefore));
    return { code, message, changes };
  }

  /** A library call (environment, schedule, timer): the code is the thrown error's name. */
  async call(fn: () => unknown): Promise<Outcome> {
    const before = list(this.root);
    try {
      await fn();
      return { code: 'returned', message: '', changes: changed(before, list(this.root)) };
    } catch (err) {
      return { code: (err as Error).name, message: (err as Error).message, changes: changed(before, list(this.root)) };
    }
  }
}
