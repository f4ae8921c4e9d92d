// The audit use case, for the command line (`councilguard audit`, `demo`) and the nightly timer: audit
// each selected council (one tenant at a time per council, several councils at once), write the files,
// and, on the nightly run, leave an enforcement plan for approval. One council's failure never stops
// the others.
import { join } from 'node:path';
import pLimit from 'p-limit';
import type { Clock } from '../core/clock';
import { fixedClock, systemClock } from '../core/clock';
import { ConfigError, CouncilConfigError, messageOf } from '../core/errors';
import type { Severity } from '../core/findings';
import { errorDimensions, withDimensions, type Logger } from '../core/logger';
import { atOrAbove, countBySeverity } from '../core/severity';
import { readPublicBaseUrl, readScheduleSettings } from '../config/env';
import type { CouncilConfig } from '../policy/council-config';
import { renderSupplierIndex } from '../reports/index-html';
import { selectCouncils, type CouncilContext } from '../context/council-context';
import { functionAppCouncils, loadCouncilFile, withCouncils, type Councils } from './council-context';
import { runAudit, runIdFor, type AuditResult } from './run-audit';
import { asRun } from './telemetry';
import { alertDeliveryFailures, deliverTeams, MARKERS, notifyFailedNight } from './notify';
import { isAuditHourInUk } from './schedule';
import { slug, writeFileAtomically, writeFilesAtomically } from './write-files';

export interface CouncilAuditOutcome {
  council: CouncilConfig;
  result?: AuditResult;
  /** The whole council failed (credential, tenant unreachable): the others still ran. */
  failure?: string;
  /** The failure is the council's configuration (exit 2 once the others have run). */
  failureIsConfiguration?: boolean;
  /** The enforcement plan written for approval, when the council enabled a remediation (nightly only). */
  planId?: string;
}

export interface AuditCouncilsOptions {
  /** A council's name or tenant id; without it every council in the config. */
  council?: string;
  concurrency?: number;
  /** Write an enforcement plan for approval after each audit (the nightly run; not the CLI). */
  writePlans?: boolean;
  /** How long to wait for the Purview audit query before handing it to the next run. */
  auditQueryBudgetMs?: number;
  /** The function app's public address, so reports link the plan page (config/env.ts readPublicBaseUrl). */
  publicBaseUrl?: string;
  /** Called as each council finishes (audited or failed), with how many have finished of how many. */
  onCouncilDone?: (outcome: CouncilAuditOutcome, done: number, total: number) => void;
  /** How long to wait for the Teams webhook to answer (default 10 s). */
  webhookTimeoutMs?: number;
}

export async function auditCouncils(councils: Councils, opts: AuditCouncilsOptions = {}): Promise<CouncilAuditOutcome[]> {
  const selected = councils.select(opts.council);
  const limit = pLimit(opts.concurrency ?? 8);
  let finished = 0;
  return Promise.all(selected.map((council) => limit(async (): Promise<CouncilAuditOutcome> => {
    const outcome = await auditOne(councils, council, opts);
    opts.onCouncilDone?.(outcome, ++finished, selected.length);
    return outcome;
  })));
}

/** One council's audit as one run: its lines carry council, tenantId and runId, its Graph metrics are exported. */
async function auditOne(councils: Councils, council: CouncilConfig, opts: AuditCouncilsOptions): Promise<CouncilAuditOutcome> {
  // The run's instant is read once: the run id, the log dimensions and the stored run all use it.
  const now = councils.clock().toISOString();
  const dimensions = { council: council.name, tenantId: council.tenantId, runId: runIdFor(now) };
  let graph: CouncilContext['graph'] | undefined;
  try {
    const base = councils.context(council);
    graph = base.graph;
    return await asRun(base.graph, councils.log, dimensions, async ({ log }) => {
      const ctx = { ...base, log, clock: fixedClock(now) };
      // Nightly, the plan is made inside the run (from its findings, before rendering) so the report names it.
      const writePlan = opts.writePlans ? { publicBaseUrl: opts.publicBaseUrl } : undefined;
      const result = await runAudit({ ...ctx, auditQueryBudgetMs: opts.auditQueryBudgetMs, writePlan });
      if (result.planId) {
        // Nothing is applied here: the plan waits for the IT supplier's approval (POST /api/plans/{id}/approve).
        log.info(`${council.name}: plan ${result.planId} with ${result.planActions} action(s) awaits approval (POST /api/plans/${result.planId}/approve).`, { planId: result.planId });
      }
      // After the plan, so the card lists tonight's plan among those awaiting approval.
      const teams = await deliverTeams(ctx, result, { timeoutMs: opts.webhookTimeoutMs });
      if (teams) {
        result.deliveries.push(teams);
        if (teams.status === 'failed') log.error(`${council.name}: delivery (teams) failed: ${teams.detail}`);
      }
      await alertDeliveryFailures(ctx, result.deliveries, result.document.generatedAt)
        .catch((err: unknown) => log.warn(`${council.name}: could not record the delivery alert state: ${messageOf(err)}`));
      // The nightly markers the "no successful audit in 26 h" alert reads (infra/main.bicep).
      if (opts.writePlans) {
        if (result.errored || result.planError) log.error(`${MARKERS.auditFailed} tenantId=${council.tenantId}: ${council.name}: the audit ran but a check errored, nothing could be checked, or the plan could not be made.`);
        else log.info(`${MARKERS.auditSucceeded} tenantId=${council.tenantId}: ${council.name}: audited, ${result.document.findings.length} finding(s).`);
      }
      if (result.planError) return { council, result, failure: `the enforcement plan could not be made: ${result.planError}` };
      return result.planId ? { council, result, planId: result.planId } : { council, result };
    });
  } catch (err) {
    // Bad settings are the same for every council: bad configuration (exit 2), not a failed run.
    if (err instanceof ConfigError) throw err;
    const message = messageOf(err);
    withDimensions(councils.log, dimensions).error(`${council.name}: the audit could not run: ${message}`, errorDimensions(err));
    if (opts.writePlans) {
      withDimensions(councils.log, dimensions).error(`${MARKERS.auditFailed} tenantId=${council.tenantId}: ${council.name}: the audit could not run.`);
      await notifyFailedNight({ council, graph, log: withDimensions(councils.log, dimensions) }, { reason: message, at: now }, { timeoutMs: opts.webhookTimeoutMs });
    }
    return { council, failure: message, failureIsConfiguration: err instanceof CouncilConfigError };
  }
}

/** The command line's audit: read the config and choose the councils (refusing before anything is opened), then open the store, audit, close. */
export function auditFromConfigFile(opts: { configPath: string; council?: string; dataDir?: string; env?: NodeJS.ProcessEnv; log: Logger; clock?: Clock; onCouncilDone?: AuditCouncilsOptions['onCouncilDone'] }): Promise<CouncilAuditOutcome[]> {
  const file = loadCouncilFile(opts.configPath);
  selectCouncils(file.councils, opts.council);
  return withCouncils({ file, dataDir: opts.dataDir, env: opts.env, log: opts.log, clock: opts.clock }, (councils) => auditCouncils(councils, { council: opts.council, onCouncilDone: opts.onCouncilDone }));
}

/**
 * The nightly timer: runs only on the firing that is the audit hour in the UK (the timer fires at two
 * UTC hours; see jobs/schedule.ts), with config and storage from the app settings, and writes plans and
 * the councilguard.audit.* log markers.
 */
export async function nightlyAudit(opts: { env: NodeJS.ProcessEnv; log: Logger; clock?: Clock }): Promise<{ ran: boolean; errored: boolean; message: string }> {
  const clock = opts.clock ?? systemClock;
  const { localHour } = readScheduleSettings(opts.env);
  const now = clock().toISOString();
  if (!isAuditHourInUk(now, localHour)) return { ran: false, errored: false, message: `Not ${localHour}:00 in the UK at this firing; the audit runs at the other one.` };
  const councils = await functionAppCouncils(opts.env, opts.log, fixedClock(now))();
  const outcomes = await auditCouncils(councils, { writePlans: true, publicBaseUrl: readPublicBaseUrl(opts.env) });
  const failed = outcomes.filter((o) => o.failure || o.result?.errored);
  const counts = outcomes.map((o) => `${o.council.name}: ${o.failure ? 'failed' : `${o.result!.document.findings.length} findings`}`);
  return { ran: true, errored: failed.length > 0, message: `Audited ${outcomes.length} council(s). ${counts.join('; ')}` };
}

/** How a finished audit ended, for the command line's exit code. */
export type AuditVerdict = 'completed' | 'incomplete' | 'findings-at-threshold' | 'bad-configuration';

export function auditVerdict(outcomes: CouncilAuditOutcome[], failOn?: Severity): AuditVerdict {
  if (outcomes.some((o) => o.failureIsConfiguration)) return 'bad-configuration';
  // A failed delivery counts as an incomplete run: the supplier's pipeline must notice it.
  if (outcomes.some((o) => o.failure || o.result?.errored || o.result?.deliveries.some((d) => d.status === 'failed'))) return 'incomplete';
  if (failOn && outcomes.some((o) => o.result?.document.findings.some((f) => atOrAbove(f.severity, failOn)))) return 'findings-at-threshold';
  return 'completed';
}

/** Writes each council's files (a folder per council when there are several, with the supplier index). */
export function writeAuditFiles(outcomes: CouncilAuditOutcome[], out: string, log: Logger): void {
  const single = outcomes.length === 1;
  for (const o of outcomes) {
    if (!o.result) continue;
    const dir = single ? out : join(out, slug(o.council.name));
    writeFilesAtomically(dir, { ...o.result.files });
    const counts = countBySeverity(o.result.document.findings.map((f) => f.severity));
    log.info(`${o.council.name}: ${counts.high} high, ${counts.medium} medium, ${counts.low} low; new ${o.result.document.findings.filter((f) => f.state === 'new').length}, resolved ${o.result.document.resolved.length}.`);
    log.info(`Report: ${join(dir, 'report.html')}`);
  }
  if (single) return;
  const rows = outcomes.filter((o) => o.result).map((o) => {
    const doc = o.result!.document;
    const c = countBySeverity(doc.findings.map((f) => f.severity));
    return {
      council: doc.council, tenantId: doc.tenantId, generatedAt: doc.generatedAt, high: c.high, medium: c.medium, low: c.low,
      new: doc.findings.filter((f) => f.state === 'new').length, resolved: doc.resolved.length, trend: o.result!.highTrend,
      reportHref: `${slug(o.council.name)}/report.html`,
    };
  });
  writeFileAtomically(join(out, 'index.html'), renderSupplierIndex(rows));
  log.info(`Supplier index: ${join(out, 'index.html')}`);
}
