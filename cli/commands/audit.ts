// councilguard audit --config FILE --out DIR [--tenant ID] [--fail-on SEV]
import { join } from 'node:path';
import { loadCouncilFile } from '../../jobs/council-context';
import { storeFromEnvironment } from '../../store';
import { auditCouncils, type CouncilAuditOutcome } from '../../jobs/audit-councils';
import { consoleLogger, type Logger } from '../../core/logger';
import type { Severity } from '../../core/findings';
import { atOrAbove, countBySeverity } from '../../core/severity';
import { EXIT } from '../exit-codes';
import { UsageError } from '../../core/errors';
import { slug, writeFileAtomically, writeFilesAtomically } from '../write-output';
import { renderSupplierIndex } from '../../reports/index-html';

export interface AuditOptions {
  config: string;
  out: string;
  tenant?: string;
  failOn?: 'high' | 'medium' | 'low';
  dataDir: string;
}

export async function auditCommand(opts: AuditOptions, env: NodeJS.ProcessEnv = process.env, log: Logger = consoleLogger): Promise<number> {
  const file = loadCouncilFile(opts.config);
  const councils = opts.tenant ? file.councils.filter((c) => c.tenantId.toLowerCase() === opts.tenant!.toLowerCase()) : file.councils;
  if (!councils.length) {
    throw new UsageError(`no council in ${opts.config} has tenant id ${opts.tenant}; the config lists ${file.councils.map((c) => `${c.name} (${c.tenantId})`).join(', ')}`);
  }
  const { store, stop } = await storeFromEnvironment({ env, dataDir: opts.dataDir, inMemory: false });
  let outcomes: CouncilAuditOutcome[];
  try {
    outcomes = await auditCouncils({ councils, env, store, log });
  } finally {
    await stop();
  }
  return writeAuditOutputs(outcomes, opts, log);
}

/** Writes each council's files and returns the exit code DESIGN.md gives. */
export function writeAuditOutputs(outcomes: CouncilAuditOutcome[], opts: { out: string; failOn?: Severity }, log: Logger): number {
  const single = outcomes.length === 1;
  for (const o of outcomes) {
    if (!o.result) continue;
    const dir = single ? opts.out : join(opts.out, slug(o.council.name));
    writeFilesAtomically(dir, { ...o.result.files });
    const counts = countBySeverity(o.result.document.findings.map((f) => f.severity));
    log.info(`${o.council.name}: ${counts.high} high, ${counts.medium} medium, ${counts.low} low; new ${o.result.document.findings.filter((f) => f.state === 'new').length}, resolved ${o.result.document.resolved.length}.`);
    log.info(`Report: ${join(dir, 'report.html')}`);
  }
  if (!single) {
    const rows = outcomes.filter((o) => o.result).map((o) => {
      const doc = o.result!.document;
      const c = countBySeverity(doc.findings.map((f) => f.severity));
      return {
        council: doc.council, tenantId: doc.tenantId, generatedAt: doc.generatedAt, high: c.high, medium: c.medium, low: c.low,
        new: doc.findings.filter((f) => f.state === 'new').length, resolved: doc.resolved.length, trend: o.result!.highTrend,
        reportHref: `${slug(o.council.name)}/report.html`,
      };
    });
    writeFileAtomically(join(opts.out, 'index.html'), renderSupplierIndex(rows));
    log.info(`Supplier index: ${join(opts.out, 'index.html')}`);
  }
  // A failed delivery counts as an incomplete run: the supplier's pipeline must notice it.
  if (outcomes.some((o) => o.failure || o.result?.errored || o.result?.deliveries.some((d) => d.status === 'failed'))) return EXIT.checkErrored;
  if (opts.failOn) {
    const threshold = opts.failOn;
    if (outcomes.some((o) => o.result?.document.findings.some((f) => atOrAbove(f.severity, threshold)))) return EXIT.findingsAtThreshold;
  }
  return EXIT.completed;
}
