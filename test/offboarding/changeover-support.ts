// Election-night changeover tests: one simulator holding several councils' tenants (each the surrender
// harness's tenant, under its own name and tenant id), the shared Azurite store, and
// `councilguard offboard --all-ended` run in this process with its output captured.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { offboardCommand, type OffboardOptions } from '../../cli/commands/offboard';
import { silentLogger } from '../../core/logger';
import type { CouncilConfig } from '../../policy/council-config';
import { startSimulator, type RunningSimulator } from '../../simulator';
import type { TenantState } from '../../simulator/state';
import { openStore, type Store } from '../../store';
import { councilConfig, LEAVER, surrenderScenario, TERM_END } from './support';

export interface Changeover {
  sim: RunningSimulator;
  store: Store;
  env: NodeJS.ProcessEnv;
  /** Each council's config: the leaver's term has ended, the staying councillor's has not. */
  councils: CouncilConfig[];
  tenant(council: CouncilConfig): TenantState;
  close(): Promise<void>;
}

/** A tenant id no tenant in the simulator has: Entra answers AADSTS90002 for it. */
export const UNKNOWN_TENANT = '0badc0de-0000-4000-8000-00000000dead';

export async function changeoverHarness(name: string, count: number, inbox = 8): Promise<Changeover> {
  const scenarios = Array.from({ length: count }, (_, i) => surrenderScenario({ name: `${name}-${i + 1}`, inbox }));
  // Outlook's documented concurrency, 4 per app across every council's tenant, as a changeover meets it.
  const sim = await startSimulator({ scenarios, faults: { outlookConcurrency: 4 } });
  const store = await openStore(process.env.COUNCILGUARD_TEST_STORAGE!);
  const councils = scenarios.map((s, i) => councilConfig(s, (c) => {
    c.name = `Council ${i + 1} (${name})`;
    c.roster = [
      { userPrincipalName: LEAVER, termStart: '2022-05-05', termEnd: TERM_END },
      { userPrincipalName: 'cllr.staying@testparish.gov.uk', termStart: '2022-05-05', termEnd: '2099-05-06' },
    ];
  }));
  const env: NodeJS.ProcessEnv = { ...process.env, ...sim.env(scenarios[0].tenantId), COUNCILGUARD_STORAGE: process.env.COUNCILGUARD_TEST_STORAGE };
  delete env.AZURE_TENANT_ID; // each council's tenant comes from its config
  return { sim, store, env, councils, tenant: (c) => sim.tenant(c.tenantId), close: () => sim.close() };
}

export function writeConfigFile(councils: CouncilConfig[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'cg-changeover-')), 'councils.json');
  writeFileSync(file, JSON.stringify({ councils }));
  return file;
}

export interface Run { code?: number; error?: Error; stdout: string; stderr: string }

export async function allEnded(h: Changeover, councils: CouncilConfig[], args: Partial<OffboardOptions> = {}, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const run: Run = { stdout: '', stderr: '' };
  stdout.on('data', (d: Buffer) => { run.stdout += d.toString(); });
  stderr.on('data', (d: Buffer) => { run.stderr += d.toString(); });
  const stdin = Object.assign(new PassThrough(), { isTTY: false });
  try {
    run.code = await offboardCommand({ config: writeConfigFile(councils), allEnded: true, dataDir: join(tmpdir(), 'cg-unused'), ...args }, { ...h.env, COUNCILGUARD_ACTOR: 'itadmin@testparish.gov.uk', ...env }, { stdout, stderr, stdin, log: silentLogger });
  } catch (e) {
    run.error = e as Error;
  }
  return run;
}
