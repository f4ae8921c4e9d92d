// councilguard offboard --config F --user UPN --term-end DATE [--plan] [--yes] [--force --reason TEXT]
//   [--council NAME|TENANT] [--data-dir DIR]
// councilguard offboard --all-ended --config F [--council X] [--yes] [--concurrency N] [--output FORMAT]
// Surrenders a councillor's mailbox and files to the clerk, in this process, with a progress bar on
// stderr. --plan prints what would happen and changes nothing. Killed or interrupted, the same command
// continues where it stopped.
import { createInterface } from 'node:readline/promises';
import { readCommandLineActor, readUploadFragmentBytes } from '../../config/env';
import { UsageError } from '../../core/errors';
import { consoleLogger, type Logger } from '../../core/logger';
import { loadCouncilFile, withCouncils } from '../../jobs/council-context';
import {
  councilFor, parseTermEnd, planOffboarding, runOffboarding, startOffboarding, stepTitle, surrenderView,
  type OffboardingPlan, type OffboardingRequestInput, type ProgressEvent, type StepName, type SurrenderRecord,
} from '../../jobs/offboarding';
import { councilSelector, type CouncilOption } from '../council-option';
import { EXIT } from '../exit-codes';
import type { OutputFormat } from '../output';
import { changeoverCommand } from './changeover';

export interface OffboardOptions extends CouncilOption {
  config: string;
  /** One councillor (with termEnd), or allEnded for everyone whose term has ended. */
  user?: string;
  termEnd?: string;
  allEnded?: boolean;
  /** --all-ended: surrenders at once across all councils. */
  concurrency?: string | number;
  output?: OutputFormat;
  plan?: boolean;
  yes?: boolean;
  force?: boolean;
  reason?: string;
  dataDir: string;
}

export interface OffboardIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  log: Logger;
}

const defaultIo = (): OffboardIo => ({ stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, log: consoleLogger });

const n = (x: number) => x.toLocaleString('en-GB');
const mb = (bytes: number) => (bytes / 1048576).toLocaleString('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–:––';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}:${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}` : `${m}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * The progress bar on stderr: items, MB, items per second and time left for the running step. On a
 * terminal it redraws one line; in a log (not a terminal) it writes a line every 10 % instead.
 * Written by hand: no progress-bar package is among the dependencies, and it is a screenful.
 */
export class ProgressBar {
  private step?: StepName;
  private started = 0;
  private firstDone = 0;
  private lastDraw = 0;
  private lastDecile = -1;
  private drawn = false;

  constructor(private readonly out: NodeJS.WritableStream & { isTTY?: boolean }, private readonly width = 24) {}

  update(e: ProgressEvent): void {
    if (e.step !== this.step) {
      this.end();
      this.step = e.step;
      this.started = Date.now();
      this.firstDone = e.done;
      this.lastDecile = -1;
    }
    const now = Date.now();
    const finished = e.total > 0 && e.done >= e.total;
    if (this.out.isTTY) {
      if (now - this.lastDraw < 100 && !finished) return;
      this.lastDraw = now;
      this.out.write(`\r${this.line(e)}\x1b[K`);
      this.drawn = true;
      return;
    }
    const decile = e.total ? Math.floor((e.done / e.total) * 10) : 0;
    if (decile !== this.lastDecile) {
      this.lastDecile = decile;
      this.out.write(`${this.line(e)}\n`);
    }
  }

  line(e: ProgressEvent): string {
    const title = stepTitle(e.step);
    const fraction = e.total ? Math.min(1, e.done / e.total) : 0;
    const filled = Math.round(fraction * this.width);
    const seconds = (Date.now() - this.started) / 1000;
    const rate = seconds > 0.5 ? (e.done - this.firstDone) / seconds : 0;
    const eta = rate > 0 ? (e.total - e.done) / rate : Number.NaN;
    const bytes = e.bytesTotal ? `${mb(e.bytesDone)}/${mb(e.bytesTotal)} MB` : `${mb(e.bytesDone)} MB`;
    return `  ${title} [${'#'.repeat(filled)}${'-'.repeat(this.width - filled)}] ${n(e.done)}/${n(e.total)} items  ${bytes}  ${rate.toFixed(1)} items/s  ETA ${duration(eta)}`;
  }

  end(): void {
    if (this.drawn) this.out.write('\n');
    this.drawn = false;
  }
}

function printPlan(plan: OffboardingPlan, out: NodeJS.WritableStream): void {
  out.write(`Surrender plan (reference ${plan.id}). Nothing has been changed.\n\n`);
  for (const [i, s] of plan.steps.entries()) {
    const state = plan.existing?.steps[s.step];
    out.write(`${i + 1}. ${s.title}${state && state.status !== 'pending' ? ` [${state.status}]` : ''}\n   ${s.summary}\n`);
    for (const w of s.warnings ?? []) out.write(`   ! ${w}\n`);
  }
  if (plan.existing) out.write(`\nThis surrender was started on ${plan.existing.request.requestedAt} by ${plan.existing.request.requestedBy}; running it again continues where it stopped.\n`);
}

function printResult(record: SurrenderRecord, out: NodeJS.WritableStream, err: NodeJS.WritableStream): number {
  const view = surrenderView(record);
  if (record.status === 'failed') {
    err.write(`\nThe surrender of ${record.request.userPrincipalName} stopped: ${view.message ?? 'see the action log'}\n`);
    return EXIT.checkErrored;
  }
  const a = record.archive;
  out.write(`\nThe surrender of ${record.target?.displayName ?? record.request.userPrincipalName} is complete and verified.\n`);
  if (a) out.write(`Archive: ${a.library}/${a.folderName}${a.webUrl ? ` (${a.webUrl})` : ''}\n`);
  if (record.certificate?.webUrl) out.write(`Certificate: ${record.certificate.webUrl}\n`);
  if (record.steps.close.status === 'waiting') out.write(`${record.steps.close.message}\n`);
  for (const s of view.steps) if (s.message && s.status === 'done') out.write(`Note (${s.title}): ${s.message}\n`);
  return EXIT.completed;
}

async function confirm(io: OffboardIo, upn: string): Promise<boolean> {
  if (!io.stdin.isTTY) throw new UsageError('The surrender blocks sign-in and copies the mailbox; add --yes to start it without a question (or --plan to see the plan only).');
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  try {
    const answer = await rl.question(`\nType the councillor's address (${upn}) to start the surrender: `);
    return answer.trim().toLowerCase() === upn.toLowerCase();
  } finally {
    rl.close();
  }
}

export async function offboardCommand(opts: OffboardOptions, env: NodeJS.ProcessEnv = process.env, io: OffboardIo = defaultIo()): Promise<number> {
  if (opts.allEnded) return changeoverCommand(opts, env, io);
  if (opts.concurrency !== undefined) throw new UsageError('--concurrency goes with --all-ended; a single surrender runs one councillor.');
  if (!opts.user || !opts.termEnd) throw new UsageError('Say who to surrender: --user UPN --term-end YYYY-MM-DD, or --all-ended for every rostered councillor whose term has ended.');
  if (opts.force && !opts.reason?.trim()) throw new UsageError('--force needs --reason "…": say why the surrender starts before the term end (it is recorded in the action log and the certificate).');
  if (opts.reason && !opts.force) throw new UsageError('--reason goes with --force; without --force there is nothing to give a reason for.');
  try {
    parseTermEnd(opts.termEnd);
  } catch (err) {
    throw new UsageError((err as Error).message.replace('The term end', '--term-end'));
  }
  const uploadChunkBytes = readUploadFragmentBytes(env);
  const file = loadCouncilFile(opts.config);
  // Chosen before anything is opened: an unknown council or councillor changes nothing.
  const user = opts.user;
  const council = councilFor(file.councils, user, councilSelector(opts));
  const input: OffboardingRequestInput = {
    userPrincipalName: opts.user, termEnd: opts.termEnd, requestedBy: readCommandLineActor(env), via: 'cli',
    force: opts.force ? { reason: opts.reason ?? '' } : undefined,
  };
  return withCouncils({ file, env, log: io.log, dataDir: opts.dataDir }, async (councils) => {
    const deps = { ...councils.context(council), tuning: uploadChunkBytes ? { uploadChunkBytes } : {} };
    if (opts.plan || !opts.yes) {
      const plan = await planOffboarding(deps, input);
      printPlan(plan, io.stdout);
      if (opts.plan) return EXIT.completed;
      if (!(await confirm(io, user))) {
        io.stderr.write('Not started: the address did not match.\n');
        return EXIT.badInput;
      }
    }
    const started = await startOffboarding(deps, input);
    if (started.complete) {
      io.stdout.write(`The surrender of ${user} (reference ${started.record.id}) was already completed.\n`);
      return printResult(started.record, io.stdout, io.stderr);
    }
    io.stderr.write(`${started.created ? 'Starting' : 'Continuing'} the surrender of ${user} (reference ${started.record.id}).\n`);
    const bar = new ProgressBar(io.stderr);
    const record = await runOffboarding(deps, started.id, {
      owner: started.owner,
      hooks: {
        onProgress: (e) => bar.update(e),
        onStepStart: (step) => { bar.end(); io.stderr.write(`• ${stepTitle(step)}\n`); },
        onStepEnd: () => bar.end(),
      },
    });
    bar.end();
    return printResult(record, io.stdout, io.stderr);
  });
}
