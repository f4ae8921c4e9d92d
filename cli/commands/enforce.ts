// councilguard plan  --config F --out plan.json [--tenant ID]
// councilguard apply PLAN --config F --yes
// councilguard undo  --config F --action ID
// councilguard actions --config F --out actions.csv [--tenant ID]
// The IT supplier's side of enforcement: make a plan from the latest audit, read it, apply exactly it,
// put one action back, and export the action log.
import { existsSync, readFileSync } from 'node:fs';
import { loadProfile } from '../../policy/load';
import { loadCouncilFile } from '../../jobs/council-context';
import { readEnvironment } from '../../config/env';
import { createGraphContext } from '../../graph';
import { storeFromEnvironment, type Store } from '../../store';
import { makePlan, describePlan } from '../../enforce/plan';
import { applyPlan, verifyPlan } from '../../enforce/apply';
import { approvePlan } from '../../enforce/approve';
import { undoAction } from '../../enforce/undo';
import type { EnforceContext, EnforcementPlan } from '../../enforce/types';
import { loadStoredPlan } from '../../enforce/plan-store';
import { renderActionLogCsv } from '../../reports/action-log-csv';
import { consoleLogger, type Logger } from '../../core/logger';
import { cliActor } from './offboard';
import type { CouncilConfig } from '../../policy/council-config';
import { EXIT } from '../exit-codes';
import { UsageError } from '../../core/errors';
import { writeFileAtomically } from '../write-output';

type Out = (s: string) => void;
const stdout: Out = (s) => process.stdout.write(s);

function pickCouncil(councils: CouncilConfig[], config: string, tenant?: string): CouncilConfig {
  if (tenant) {
    const c = councils.find((x) => x.tenantId.toLowerCase() === tenant.toLowerCase());
    if (!c) throw new UsageError(`no council in ${config} has tenant id ${tenant}; the config lists ${councils.map((x) => `${x.name} (${x.tenantId})`).join(', ')}`);
    return c;
  }
  if (councils.length > 1) throw new UsageError(`${config} lists ${councils.length} councils; say which with --tenant (one of ${councils.map((x) => x.tenantId).join(', ')})`);
  return councils[0];
}

async function withContext<T>(council: CouncilConfig, opts: { dataDir: string }, env: NodeJS.ProcessEnv, log: Logger, fn: (ctx: EnforceContext) => Promise<T>): Promise<T> {
  const graph = createGraphContext(readEnvironment(env, council.tenantId));
  const { store, stop } = await storeFromEnvironment({ env, dataDir: opts.dataDir, inMemory: false });
  try {
    return await fn({ council, profile: loadProfile(council.profile), graph, store, log });
  } finally {
    await stop();
  }
}

export async function planCommand(opts: { config: string; out: string; tenant?: string; dataDir: string }, env: NodeJS.ProcessEnv = process.env, out: Out = stdout, log: Logger = consoleLogger): Promise<number> {
  const council = pickCouncil(loadCouncilFile(opts.config).councils, opts.config, opts.tenant);
  const plan = await withContext(council, opts, env, log, (ctx) => makePlan({ ...ctx, createdBy: cliActor(env) }));
  out(describePlan(plan));
  if (!plan.actions.length) {
    out('Nothing to change, so no plan file was written.\n');
    return EXIT.completed;
  }
  writeFileAtomically(opts.out, `${JSON.stringify(plan, null, 2)}\n`);
  out(`Written to ${opts.out}. Nothing has changed yet: read the plan, then apply it with councilguard apply ${opts.out} --config ${opts.config} --yes\n`);
  return EXIT.completed;
}

function readPlanFile(path: string): EnforcementPlan {
  if (!existsSync(path)) throw new UsageError(`The plan file ${path} does not exist; make one with councilguard plan --config … --out ${path}.`);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as EnforcementPlan;
  } catch {
    throw new UsageError(`The plan file ${path} is not valid JSON; it has been damaged or edited. Make a new plan with councilguard plan.`);
  }
}

export async function applyCommand(planPath: string, opts: { config: string; yes?: boolean; dataDir: string }, env: NodeJS.ProcessEnv = process.env, out: Out = stdout, log: Logger = consoleLogger): Promise<number> {
  const plan = readPlanFile(planPath);
  const councils = loadCouncilFile(opts.config).councils;
  const council = councils.find((c) => c.tenantId.toLowerCase() === String(plan.tenantId ?? '').toLowerCase()) ?? councils[0];
  if (!opts.yes) {
    out(describePlan(plan));
    throw new UsageError('Nothing applied: add --yes to approve and apply exactly this plan (you are recorded as the approver).');
  }
  const approver = cliActor(env);
  const outcome = await withContext(council, opts, env, log, async (ctx) => {
    await verifyPlan(ctx, plan); // before recording an approval of a plan that cannot be applied
    await approvePlan(ctx.store, plan, approver, 'on the command line (--yes)');
    return applyPlan(ctx, plan, approver);
  });
  for (const r of outcome.results) out(`${r.actionId}  ${r.status}${r.reason ? `: ${r.reason}` : ''}\n`);
  const counts = (s: string) => outcome.results.filter((r) => r.status === s).length;
  out(`Applied plan ${plan.id}: ${counts('done')} done, ${counts('already-done')} already as planned, ${counts('skipped')} skipped, ${counts('failed')} failed. Each is in the action log; undo one with councilguard undo --config ${opts.config} --action ID.\n`);
  return outcome.failed ? EXIT.checkErrored : EXIT.completed;
}

export async function undoCommand(opts: { config: string; action: string; tenant?: string; dataDir: string }, env: NodeJS.ProcessEnv = process.env, out: Out = stdout, log: Logger = consoleLogger): Promise<number> {
  const councils = loadCouncilFile(opts.config).councils;
  const council = opts.tenant || councils.length === 1 ? pickCouncil(councils, opts.config, opts.tenant) : await councilOwningAction(councils, opts, env);
  const outcome = await withContext(council, opts, env, log, (ctx) => undoAction(ctx, opts.action.trim(), cliActor(env)));
  out(`${outcome.actionId}: ${outcome.result === 'undone' ? `undone (${outcome.description})` : `undo failed: ${outcome.reason}`}\n`);
  return outcome.result === 'undone' ? EXIT.completed : EXIT.checkErrored;
}

/** With several councils and no --tenant: the council whose plan holds the action. */
async function councilOwningAction(councils: CouncilConfig[], opts: { config: string; action: string; dataDir: string }, env: NodeJS.ProcessEnv): Promise<CouncilConfig> {
  const { store, stop } = await storeFromEnvironment({ env, dataDir: opts.dataDir, inMemory: false });
  try {
    const plan = await loadStoredPlan(store, opts.action.trim().split('.')[0]);
    const council = plan && councils.find((c) => c.tenantId.toLowerCase() === plan.tenantId.toLowerCase());
    if (!council) throw new UsageError(`No council in ${opts.config} has a plan holding action ${opts.action}; check the action id (councilguard apply prints them) or say which council with --tenant.`);
    return council;
  } finally {
    await stop();
  }
}

export async function actionsCommand(opts: { config: string; out: string; tenant?: string; dataDir: string }, env: NodeJS.ProcessEnv = process.env, out: Out = stdout): Promise<number> {
  const council = pickCouncil(loadCouncilFile(opts.config).councils, opts.config, opts.tenant);
  const { store, stop } = await storeFromEnvironment({ env, dataDir: opts.dataDir, inMemory: false });
  let actions: Awaited<ReturnType<Store['listActions']>>;
  try {
    actions = await store.listActions(council.tenantId);
  } finally {
    await stop();
  }
  writeFileAtomically(opts.out, renderActionLogCsv(actions));
  out(`${actions.length} action(s) for ${council.name} written to ${opts.out}.\n`);
  return EXIT.completed;
}
