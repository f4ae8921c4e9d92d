// councilguard plan  --config F --out plan.json [--council NAME|TENANT_ID]
// councilguard apply PLAN --config F --yes
// councilguard undo  --config F --action ID [--council NAME|TENANT_ID]
// councilguard actions --config F --out actions.csv [--council NAME|TENANT_ID]
// The IT supplier's side of enforcement: make a plan from the latest audit, read it, apply exactly it,
// put one action back, and export the action log.
import { readCommandLineActor } from '../../config/env';
import { UsageError } from '../../core/errors';
import { consoleLogger, type Logger } from '../../core/logger';
import { loadCouncilFile, selectCouncil, withCouncils } from '../../jobs/council-context';
import { ACTION_LOG_COLUMNS, actionLog, approveAndApply, councilOfPlan, councilOwningAction, describePlan, listPlans, planEnforcement, readPlanFile, undoEnforcement } from '../../jobs/enforcement';
import { renderTable } from '../../jobs/reports';
import type { OutputFormat } from '../output';
import { writeFileAtomically } from '../../jobs/write-files';
import { councilSelector, type CouncilOption } from '../council-option';
import { EXIT } from '../exit-codes';

type Out = (s: string) => void;
const stdout: Out = (s) => process.stdout.write(s);

export async function planCommand(opts: CouncilOption & { config: string; out: string; dataDir: string }, env: NodeJS.ProcessEnv = process.env, out: Out = stdout, log: Logger = consoleLogger): Promise<number> {
  const file = loadCouncilFile(opts.config);
  const council = selectCouncil(file.councils, councilSelector(opts));
  const plan = await withCouncils({ file, env, log, dataDir: opts.dataDir }, (councils) => planEnforcement(councils.context(council), readCommandLineActor(env)));
  out(describePlan(plan));
  if (!plan.actions.length) {
    out('Nothing to change, so no plan file was written.\n');
    return EXIT.completed;
  }
  writeFileAtomically(opts.out, `${JSON.stringify(plan, null, 2)}\n`);
  out(`Written to ${opts.out}. Nothing has changed yet: read the plan, then apply it with councilguard apply ${opts.out} --config ${opts.config} --yes\n`);
  return EXIT.completed;
}

export async function applyCommand(planPath: string, opts: CouncilOption & { config: string; yes?: boolean; dataDir: string }, env: NodeJS.ProcessEnv = process.env, out: Out = stdout, log: Logger = consoleLogger): Promise<number> {
  const plan = readPlanFile(planPath);
  const file = loadCouncilFile(opts.config);
  if (!opts.yes) {
    out(describePlan(plan));
    throw new UsageError('Nothing applied: add --yes to approve and apply exactly this plan (you are recorded as the approver).');
  }
  const selector = councilSelector(opts);
  const approver = readCommandLineActor(env);
  const outcome = await withCouncils({ file, env, log, dataDir: opts.dataDir }, async (councils) => {
    // The plan names its tenant; a plan for a tenant not in the config is refused when it is verified.
    const named = selector ? councils.one(selector) : undefined;
    const council = councilOfPlan(councils, plan) ?? named ?? councils.all()[0];
    if (named && named !== council) throw new UsageError(`The plan ${planPath} is for ${council.name}, not for ${named.name}; check the file, or leave --council out.`);
    return approveAndApply(councils.context(council), plan, approver, 'on the command line (--yes)');
  });
  for (const r of outcome.results) out(`${r.actionId}  ${r.status}${r.reason ? `: ${r.reason}` : ''}\n`);
  const counts = (s: string) => outcome.results.filter((r) => r.status === s).length;
  out(`Applied plan ${plan.id}: ${counts('done')} done, ${counts('already-done')} already as planned, ${counts('skipped')} skipped, ${counts('failed')} failed. Each is in the action log; undo one with councilguard undo --config ${opts.config} --action ID.\n`);
  return outcome.failed ? EXIT.checkErrored : EXIT.completed;
}

export async function undoCommand(opts: CouncilOption & { config: string; action: string; dataDir: string }, env: NodeJS.ProcessEnv = process.env, out: Out = stdout, log: Logger = consoleLogger): Promise<number> {
  const file = loadCouncilFile(opts.config);
  const selector = councilSelector(opts);
  const chosen = selector || file.councils.length === 1 ? selectCouncil(file.councils, selector) : undefined;
  const outcome = await withCouncils({ file, env, log, dataDir: opts.dataDir }, async (councils) => {
    const council = chosen ?? await councilOwningAction(councils, opts.action);
    return undoEnforcement(councils.context(council), opts.action, readCommandLineActor(env));
  });
  out(`${outcome.actionId}: ${outcome.result === 'undone' ? `undone (${outcome.description})` : `undo failed: ${outcome.reason}`}\n`);
  return outcome.result === 'undone' ? EXIT.completed : EXIT.checkErrored;
}

export async function actionsCommand(opts: CouncilOption & { config: string; out?: string; dataDir: string; output?: OutputFormat }, env: NodeJS.ProcessEnv = process.env, out: Out = stdout): Promise<number> {
  const file = loadCouncilFile(opts.config);
  const council = selectCouncil(file.councils, councilSelector(opts));
  const actions = await withCouncils({ file, env, log: consoleLogger, dataDir: opts.dataDir }, (councils) => actionLog(councils.store, council));
  const rendered = renderTable(opts.output ?? 'csv', ACTION_LOG_COLUMNS, actions);
  if (!opts.out) {
    out(rendered);
    return EXIT.completed;
  }
  writeFileAtomically(opts.out, rendered);
  out(`${actions.length} action(s) for ${council.name} written to ${opts.out}.\n`);
  return EXIT.completed;
}

export async function plansCommand(opts: CouncilOption & { config: string; dataDir: string; state?: 'awaiting-approval' | 'approved' | 'applied'; output?: OutputFormat }, env: NodeJS.ProcessEnv = process.env, out: Out = stdout): Promise<number> {
  const file = loadCouncilFile(opts.config);
  const council = selectCouncil(file.councils, councilSelector(opts));
  const plans = await withCouncils({ file, env, log: consoleLogger, dataDir: opts.dataDir }, (councils) => listPlans(councils.store, council, { state: opts.state }));
  out(renderTable(opts.output ?? 'text', [
    { name: 'plan', value: (p) => p.id }, { name: 'state', value: (p) => p.state }, { name: 'actions', value: (p) => p.actions },
    { name: 'createdAt', value: (p) => p.createdAt }, { name: 'createdBy', value: (p) => p.createdBy },
    { name: 'validUntil', value: (p) => p.validUntil }, { name: 'approvedBy', value: (p) => p.approvedBy ?? '' },
  ], plans));
  return EXIT.completed;
}
