// The councilguard command. Each sub-command lives in cli/commands/<name>.ts and calls its use case in
// jobs/; this file only parses arguments and maps errors to the exit codes (docs/ARCHITECTURE.md).
import { Command, CommanderError, Option } from 'commander';
import { EXIT } from './exit-codes';
import { existsSync } from 'node:fs';
import { ConfigError, isInputError } from '../core/errors';
import { testCaPath } from '../config/paths';
import { version } from '../package.json';
import { auditCommand } from './commands/audit';
import { reportCommand } from './commands/report';
import { permissionsCommand } from './commands/permissions';
import { offboardCommand } from './commands/offboard';
import { actionsCommand, applyCommand, planCommand, plansCommand, undoCommand } from './commands/enforce';
import { surrendersCommand } from './commands/surrenders';
import { evidenceCommand } from './commands/evidence';
import { configCommand } from './commands/config';
import { outputOption } from './output';

/** What each command's --help ends with: a line a supplier can copy. */
const EXAMPLES: Record<string, string[]> = {
  audit: ['councilguard audit --config councils.json --out reports/ --fail-on high', 'councilguard audit --config councils.json --out reports/ --council "Example Parish Council" --output json'],
  demo: ['councilguard demo --out councilguard-output/demo'],
  simulate: ['councilguard simulate --scenario demo --port 4443'],
  report: ['councilguard report --from reports/example-parish-council', 'councilguard report --index --from reports/a reports/b --out reports/'],
  permissions: ['councilguard permissions --config councils.json', 'councilguard permissions --config councils.json --council "Example Parish Council" --check-tenant'],
  offboard: ['councilguard offboard --config councils.json --user cllr.name@parish.gov.uk --term-end 2026-05-07 --plan', 'councilguard offboard --config councils.json --user cllr.name@parish.gov.uk --term-end 2026-05-07 --yes', 'councilguard offboard --config councils.json --all-ended --yes'],
  plan: ['councilguard plan --config councils.json --council "Example Parish Council" --out plan.json'],
  apply: ['councilguard apply plan.json --config councils.json --yes'],
  undo: ['councilguard undo --config councils.json --action P20261125T020000Z-1a2b3c.01'],
  actions: ['councilguard actions --config councils.json --out actions.csv', 'councilguard actions --config councils.json --output md'],
  plans: ['councilguard plans --config councils.json --state awaiting-approval'],
  surrenders: ['councilguard surrenders --config councils.json --output csv'],
  config: ['COUNCILGUARD_STORAGE="<the function app\'s storage>" councilguard config push --config councils.json', 'councilguard config show'],
  evidence: ['councilguard evidence --config councils.json --year 2026-27 --out evidence/', 'councilguard evidence --config councils.json --verify evidence/'],
};

/** An example at the end of a command's --help. */
function example(command: Command, ...lines: string[]): Command {
  return command.addHelpText('after', `\nExample${lines.length > 1 ? 's' : ''}:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`);
}

/** --council on a command, and the deprecated --tenant (hidden from --help, still accepted). */
function withCouncilOption(command: Command, what: string): Command {
  return command
    .option('--council <name|tenant-id>', what)
    .addOption(new Option('--tenant <id>', 'deprecated: use --council').hideHelp());
}

export async function main(argv: string[]): Promise<number> {
  let exitCode: number = EXIT.completed;
  const program = new Command()
    .name('councilguard')
    .description('Holds a council\'s Microsoft 365 tenant to the IT policy it adopted.')
    .version(version)
    .exitOverride()
    .showHelpAfterError('(run councilguard --help for the commands and their options)')
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  withCouncilOption(program
    .command('audit')
    .description('Audit each council in the config against its policy; writes findings.json, findings.csv, report.html and summary.md')
    .requiredOption('--config <file>', 'council config file (JSON)')
    .requiredOption('--out <dir>', 'folder for the reports'), 'audit only this council (its name or tenant id)')
    .addOption(new Option('--fail-on <severity>', 'exit 3 when a finding at or above this severity exists').choices(['high', 'medium', 'low']))
    .option('--data-dir <dir>', 'where the local store keeps history when COUNCILGUARD_STORAGE is unset', '.councilguard')
    .addOption(outputOption())
    .action(async (opts) => {
      exitCode = await auditCommand(opts);
    });

  program
    .command('demo')
    .description('Start the built-in demo tenant and local storage, audit it, and print the report path')
    .option('--out <dir>', 'folder for the reports', 'councilguard-output/demo')
    .action(async (opts) => {
      exitCode = await demoTools().demoCommand(opts);
    });

  program
    .command('simulate')
    .description('Run the local Microsoft 365 tenant simulator and print the environment to export')
    .option('--scenario <name>', 'built-in scenario name or path to a scenario JSON file', 'demo')
    .option('--port <n>', 'port to listen on (default: a free one)')
    .action(async (opts) => {
      exitCode = await demoTools().simulateCommand(opts);
    });

  program
    .command('report')
    .description('Re-render the reports from a findings.json, or build the supplier index over several runs (--index)')
    .requiredOption('--from <dir...>', 'folder(s) holding findings.json')
    .option('--out <dir>', 'where to write (default: the --from folder)')
    .option('--index', 'build index.html over all the --from folders')
    .option('--names', 'name people in summary.md')
    .action(async (opts) => {
      exitCode = await reportCommand(opts);
    });

  withCouncilOption(program
    .command('permissions')
    .description('List the application permissions (with reasons) and licences the enabled checks and features need')
    .requiredOption('--config <file>', 'council config file (JSON)'), 'only this council (its name or tenant id)')
    .addOption(new Option('--json', 'the same as --output json (the grant script reads it)'))
    .addOption(outputOption())
    .option('--check-tenant', 'also sign in to each council\'s tenant and say which permissions are not granted and which licences are missing (exit 1 when a required one is)')
    .action(async (opts) => {
      exitCode = await permissionsCommand(opts);
    });

  withCouncilOption(program
    .command('offboard')
    .description('Surrender a councillor\'s mailbox, contacts, calendar and OneDrive to the clerk as a verified archive, then close the account')
    .requiredOption('--config <file>', 'council config file (JSON)'), 'which council in the config (its name or tenant id), when the address alone does not say')
    .option('--user <upn>', 'the councillor\'s sign-in address')
    .option('--term-end <date>', 'the date the term of office ended (YYYY-MM-DD)')
    .option('--all-ended', 'every rostered councillor whose term has ended and who has no completed surrender (instead of --user and --term-end)')
    .option('--concurrency <n>', 'with --all-ended: surrenders at once across all councils (default 8)')
    .option('--plan', 'print what would be done, with counts and an estimated duration, and change nothing')
    .option('--yes', 'start without asking to type the address again')
    .option('--force', 'start before the term end (needs --reason)')
    .option('--reason <text>', 'why the surrender starts early (recorded in the action log and certificate)')
    .option('--data-dir <dir>', 'where the local store keeps progress when COUNCILGUARD_STORAGE is unset', '.councilguard')
    .addOption(outputOption())
    .action(async (opts) => {
      exitCode = await offboardCommand(opts);
    });

  const dataDir = ['--data-dir <dir>', 'where the local store keeps plans and the action log when COUNCILGUARD_STORAGE is unset', '.councilguard'] as const;
  withCouncilOption(program
    .command('plan')
    .description('Plan the changes that bring the tenant back to policy, from the latest audit (only remediations the config enables); changes nothing')
    .requiredOption('--config <file>', 'council config file (JSON)')
    .requiredOption('--out <file>', 'where to write the plan (JSON)'), 'which council (its name or tenant id), when the config lists several')
    .option(...dataDir)
    .action(async (opts) => { exitCode = await planCommand(opts); });

  withCouncilOption(program
    .command('apply')
    .description('Approve and apply exactly the actions of a plan, each only if its target is unchanged since planning')
    .argument('<plan>', 'the plan file councilguard plan wrote')
    .requiredOption('--config <file>', 'council config file (JSON)'), 'the council the plan is for (checked against the plan; optional)')
    .option('--yes', 'approve: without it the plan is printed and nothing changes')
    .option(...dataDir)
    .action(async (plan, opts) => { exitCode = await applyCommand(plan, opts); });

  withCouncilOption(program
    .command('undo')
    .description('Put back one applied action, if its target is still as the action left it')
    .requiredOption('--config <file>', 'council config file (JSON)')
    .requiredOption('--action <id>', 'the action id (councilguard apply prints them)'), 'which council (its name or tenant id); without it, the one whose plan holds the action')
    .option(...dataDir)
    .action(async (opts) => { exitCode = await undoCommand(opts); });

  withCouncilOption(program
    .command('actions')
    .description('Export the action log (every change and content access, with before and after) as CSV')
    .requiredOption('--config <file>', 'council config file (JSON)')
    .option('--out <file>', 'the file to write (default: print it)'), 'which council (its name or tenant id), when the config lists several')
    .option(...dataDir)
    .addOption(outputOption('csv'))
    .action(async (opts) => { exitCode = await actionsCommand(opts); });

  withCouncilOption(program
    .command('plans')
    .description('List the enforcement plans in the store, newest first, with their state')
    .requiredOption('--config <file>', 'council config file (JSON)')
    .addOption(new Option('--state <state>', 'only plans in this state').choices(['awaiting-approval', 'approved', 'applied']))
    .option(...dataDir), 'which council (its name or tenant id), when the config lists several')
    .addOption(outputOption())
    .action(async (opts) => { exitCode = await plansCommand(opts); });

  withCouncilOption(program
    .command('surrenders')
    .description('List each rostered councillor\'s term end and surrender (status and reference)')
    .requiredOption('--config <file>', 'council config file (JSON)')
    .option(...dataDir), 'only this council (its name or tenant id)')
    .addOption(outputOption())
    .action(async (opts) => { exitCode = await surrendersCommand(opts); });

  withCouncilOption(program
    .command('evidence')
    .description('Build the year\'s evidence for AGAR Assertion 10 (evidence.html, evidence.csv, evidence.json) from the nightly run records, or --verify a pack against the store')
    .requiredOption('--config <file>', 'council config file (JSON)'), 'which council (its name or tenant id), when the config lists several')
    .option('--year <YYYY-YY>', 'the financial year, 1 April to 31 March (UK), e.g. 2026-27')
    .option('--out <dir>', 'folder for the pack')
    .option('--verify <dir>', 'rebuild the pack in this folder from the store and say whether it matches')
    .option(...dataDir)
    .action(async (opts) => { exitCode = await evidenceCommand(opts); });

  program
    .command('config')
    .description('Upload a validated council config for the function app to use without a redeploy (push), or say which version is live (show)')
    .argument('<action>', 'push or show')
    .option('--config <file>', 'the council config file to push (JSON)')
    .option(...dataDir)
    .action(async (action, opts) => { exitCode = await configCommand(action, opts); });

  for (const command of program.commands) {
    const lines = EXAMPLES[command.name()];
    if (lines) example(command, ...lines);
  }

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version are not errors.
      if (err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT.completed;
      return EXIT.badInput;
    }
    if (isInputError(err)) {
      process.stderr.write(`councilguard: ${err.message}\n`);
      return EXIT.badInput;
    }
    throw err;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (err) => { process.stderr.write(`councilguard: ${err instanceof Error ? err.message : String(err)}\n`); process.exitCode = EXIT.checkErrored; },
  );
}

/**
 * The demo and the simulator, loaded only when asked for: they need the simulator's certificates and
 * scenarios and the test-only packages (jsonwebtoken, Azurite), which the deployment package leaves out.
 */
function demoTools(): { demoCommand: typeof import('./commands/demo').demoCommand; simulateCommand: typeof import('./commands/simulate').simulateCommand } {
  if (!existsSync(testCaPath())) {
    throw new ConfigError(`The demo tenant's files (${testCaPath()}) are not here: this is the deployment package, which leaves the simulator out. Run councilguard demo or simulate from a clone of the repository after npm install.`);
  }
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded on demand (see above); a CommonJS build */
  const demo = require('./commands/demo') as typeof import('./commands/demo');
  const simulate = require('./commands/simulate') as typeof import('./commands/simulate');
  /* eslint-enable @typescript-eslint/no-require-imports */
  return { demoCommand: demo.demoCommand, simulateCommand: simulate.simulateCommand };
}
