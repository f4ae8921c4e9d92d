// councilguard offboard --all-ended --config F [--council X] [--yes] [--concurrency N] [--output FORMAT]
// Election-night changeover: every rostered councillor whose term has ended (UK dates) and who has no
// completed surrender is surrendered, several at once across the councils. Without --yes it prints the
// plan and changes nothing. Exit 0 when every surrender completed (skips included), 1 when any failed,
// each failure named with its fix in the table. Killed or interrupted, the same command continues each
// surrender where it stopped.
import { readCommandLineActor, readUploadFragmentBytes } from '../../config/env';
import { UsageError } from '../../core/errors';
import { loadCouncilFile, selectCouncils, withCouncils } from '../../jobs/council-context';
import {
  changeoverFailed, changeoverRows, DEFAULT_CHANGEOVER_CONCURRENCY, MAX_CHANGEOVER_CONCURRENCY, runChangeover,
  type ChangeoverReport, type ChangeoverRow,
} from '../../jobs/changeover';
import { renderTable, type Column } from '../../jobs/reports';
import { councilSelector } from '../council-option';
import { EXIT } from '../exit-codes';
import type { OffboardIo, OffboardOptions } from './offboard';

const OUTCOME: Record<ChangeoverRow['outcome'], string> = {
  start: 'would start', continue: 'would continue', surrendered: 'skipped: already surrendered', 'in-progress': 'skipped: in progress',
  done: 'done', failed: 'FAILED', 'council-failed': 'FAILED (council)',
};

const COLUMNS: Column<ChangeoverRow>[] = [
  { name: 'councillor', value: (r) => r.userPrincipalName },
  { name: 'termEnd', value: (r) => r.termEnd },
  { name: 'outcome', value: (r) => OUTCOME[r.outcome] },
  { name: 'state', value: (r) => r.state ?? '' },
  { name: 'reference', value: (r) => r.reference ?? '' },
  { name: 'detail', value: (r) => r.detail ?? '' },
];

function parseConcurrency(raw: string | number | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_CHANGEOVER_CONCURRENCY) {
    throw new UsageError(`--concurrency must be a whole number from 1 to ${MAX_CHANGEOVER_CONCURRENCY} (got "${raw}"): how many surrenders run at once across all councils; the default is ${DEFAULT_CHANGEOVER_CONCURRENCY}.`);
  }
  return n;
}

/** text and md: a table per council under its name; csv and json: one table with the council in each row. */
function render(report: ChangeoverReport, format: NonNullable<OffboardOptions['output']>): string {
  if (format === 'csv' || format === 'json') {
    return renderTable(format, [{ name: 'council', value: (r: ChangeoverRow) => r.council }, { name: 'tenantId', value: (r: ChangeoverRow) => r.tenantId }, ...COLUMNS], changeoverRows(report));
  }
  return report.councils.map((c) => {
    const title = format === 'md' ? `## ${c.council}\n\n` : `${c.council} (${c.tenantId})\n`;
    const failure = c.failure ? `${format === 'md' ? '**' : ''}Could not reach this council: ${c.failure}${format === 'md' ? '**' : ''}\n` : '';
    const body = c.rows.length ? renderTable(format, COLUMNS, c.rows) : 'No councillor on the roster has a term that has ended.\n';
    return `${title}${failure}${body}`;
  }).join('\n');
}

export async function changeoverCommand(opts: OffboardOptions, env: NodeJS.ProcessEnv, io: OffboardIo): Promise<number> {
  const clash = [opts.user && '--user', opts.termEnd && '--term-end', opts.force && '--force', opts.reason && '--reason'].filter(Boolean);
  if (clash.length) throw new UsageError(`--all-ended surrenders every rostered councillor whose term has ended, each with the roster's term end; leave out ${clash.join(', ')} (or drop --all-ended to surrender one councillor).`);
  const concurrency = parseConcurrency(opts.concurrency);
  const format = opts.output ?? 'text';
  const uploadChunkBytes = readUploadFragmentBytes(env);
  const file = loadCouncilFile(opts.config);
  const selector = councilSelector(opts);
  // Chosen before anything is opened: an unknown council changes nothing.
  selectCouncils(file.councils, selector);
  const planOnly = !!opts.plan || !opts.yes;
  const report = await withCouncils({ file, env, log: io.log, dataDir: opts.dataDir }, (councils) => runChangeover(councils, {
    council: selector, concurrency, planOnly, requestedBy: readCommandLineActor(env),
    tuning: uploadChunkBytes ? { uploadChunkBytes } : {},
    hooks: {
      onStart: (r) => io.stderr.write(`• ${r.council}: ${r.outcome === 'continue' ? 'continuing' : 'starting'} the surrender of ${r.userPrincipalName} (reference ${r.reference})\n`),
      onEnd: (r) => io.stderr.write(`${r.outcome === 'done' ? '✓' : r.outcome === 'failed' ? '✗' : '–'} ${r.council}: ${r.userPrincipalName}: ${OUTCOME[r.outcome]}\n`),
    },
  }));
  const rows = changeoverRows(report);
  const toRun = rows.filter((r) => r.outcome === 'start' || r.outcome === 'continue').length;
  if (!rows.length || (!toRun && rows.every((r) => r.outcome === 'surrendered'))) {
    io.stdout.write(format === 'text' || format === 'md'
      ? `Nobody to surrender: no rostered councillor${rows.length ? ' without a completed surrender' : ''} has a term that has ended (${report.councils.length} council(s) checked).\n${rows.length ? `\n${render(report, format)}` : ''}`
      : render(report, format));
    return EXIT.completed;
  }
  if (planOnly) {
    if (format === 'text' || format === 'md') io.stdout.write(`Changeover plan: ${toRun} surrender(s) would start or continue. Nothing has been changed; add --yes to start them.\n\n`);
    io.stdout.write(render(report, format));
    return EXIT.completed;
  }
  io.stdout.write(render(report, format));
  if (changeoverFailed(report)) {
    const failed = rows.filter((r) => r.outcome === 'failed' || r.outcome === 'council-failed');
    io.stderr.write(`\n${failed.length} surrender(s) did not complete; each row says why and what to do. Run the same command again after fixing them: completed ones are skipped and stopped ones continue.\n`);
    return EXIT.checkErrored;
  }
  return EXIT.completed;
}
