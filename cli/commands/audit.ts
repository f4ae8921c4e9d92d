// councilguard audit --config FILE --out DIR [--council NAME|TENANT_ID] [--fail-on SEV] [--output FORMAT]
import { join } from 'node:path';
import { auditFromConfigFile, auditVerdict, writeAuditFiles, type CouncilAuditOutcome } from '../../jobs/audit';
import { renderTable, type Column } from '../../jobs/reports';
import { slug } from '../../jobs/write-files';
import { consoleLogger, type Logger } from '../../core/logger';
import { countBySeverity } from '../../core/severity';
import { councilSelector, type CouncilOption } from '../council-option';
import { EXIT } from '../exit-codes';
import type { OutputFormat } from '../output';
import { auditProgress } from '../audit-progress';

export interface AuditOptions extends CouncilOption {
  config: string;
  out: string;
  failOn?: 'high' | 'medium' | 'low';
  dataDir: string;
  output?: OutputFormat;
}

const EXIT_FOR = { 'completed': EXIT.completed, 'incomplete': EXIT.checkErrored, 'findings-at-threshold': EXIT.findingsAtThreshold, 'bad-configuration': EXIT.badInput } as const;

/** Progress and notes go to stderr when stdout carries a machine-readable result. */
const stderrLogger: Logger = { info: (m) => console.error(m), warn: (m) => console.error(m), error: (m) => console.error(m) };

export async function auditCommand(opts: AuditOptions, env: NodeJS.ProcessEnv = process.env, log: Logger = consoleLogger, print: (s: string) => void = (s) => process.stdout.write(s), progressOut: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr): Promise<number> {
  const format = opts.output ?? 'text';
  const logger = format !== 'text' && log === consoleLogger ? stderrLogger : log;
  // Progress goes to stderr (never into --output json/csv/md on stdout): one updating line on a terminal, a line per council otherwise.
  const progress = auditProgress(progressOut);
  let outcomes: CouncilAuditOutcome[];
  try {
    outcomes = await auditFromConfigFile({ configPath: opts.config, council: councilSelector(opts), dataDir: opts.dataDir, env, log: logger, onCouncilDone: progress.onCouncilDone });
  } finally {
    progress.end();
  }
  writeAuditFiles(outcomes, opts.out, logger);
  if (format !== 'text') print(renderTable(format, summaryColumns(opts.out, outcomes.length === 1), outcomes));
  return EXIT_FOR[auditVerdict(outcomes, opts.failOn)];
}

function summaryColumns(out: string, single: boolean): Column<CouncilAuditOutcome>[] {
  const counts = (o: CouncilAuditOutcome) => countBySeverity(o.result?.document.findings.map((f) => f.severity) ?? []);
  return [
    { name: 'council', value: (o) => o.council.name },
    { name: 'tenantId', value: (o) => o.council.tenantId },
    { name: 'result', value: (o) => (o.failure ? 'failed' : o.result?.errored ? 'check errored' : 'completed') },
    { name: 'high', value: (o) => counts(o).high },
    { name: 'medium', value: (o) => counts(o).medium },
    { name: 'low', value: (o) => counts(o).low },
    { name: 'new', value: (o) => o.result?.document.findings.filter((f) => f.state === 'new').length ?? null },
    { name: 'resolved', value: (o) => o.result?.document.resolved.length ?? null },
    { name: 'report', value: (o) => (o.result ? join(single ? out : join(out, slug(o.council.name)), 'report.html') : (o.failure ?? '')) },
  ];
}
