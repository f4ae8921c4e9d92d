// runAudit: one council, one night. collect -> evaluate -> compare -> render -> store.
// Shared by the nightly timer and `councilguard audit`.
import { DateTime } from 'luxon';
import { ALL_CHECKS } from '../checks';
import type { Check } from '../checks/types';
import type { CheckOutcome, CheckResultSummary, FindingDraft, FindingsDocument } from '../core/findings';
import type { CouncilConfig } from '../policy/council-config';
import type { SnapshotPart } from '../core/snapshot';
import type { CouncilContext } from '../context/council-context';
import { collectSnapshot } from './collect';
import { missingRequiredPermissions } from './permission-manifest';
import { compareWithPrevious } from './compare';
import { mfaCoverage } from './metrics';
import { deliverRun, type DeliveryResult } from '../reports/delivery';
import { renderRunFiles, type RunFiles } from './render-run';
import { saveRunRecord } from './run-record';
import { version } from '../package.json';
import { enabledRemediations, makePlan } from '../enforce/plan';
import { messageOf } from '../core/errors';
import type { PlanAwaitingLink } from '../reports/html';

/** One council's night: its context, read once for the run's instant (clock), and the audit query budget. */
export interface AuditRun extends CouncilContext {
  /** How long to wait for the Purview audit query before handing it to the next run (default 2 min). */
  auditQueryBudgetMs?: number;
  /**
   * The nightly run: make an enforcement plan from tonight's findings (when the council enabled a
   * remediation) before the report is rendered, so report.html and summary.md name it. `publicBaseUrl`
   * (config/env.ts readPublicBaseUrl) makes that a link to the plan page.
   */
  writePlan?: { publicBaseUrl?: string };
}

export interface AuditResult {
  document: FindingsDocument;
  files: RunFiles;
  /** true when any check ended in `error` (CLI exit 1). */
  errored: boolean;
  /** Permissions the enabled checks need that the token does not carry. */
  missingPermissions: string[];
  /** Retention, SharePoint and email, each as configured; a failed one is reported, never hidden. */
  deliveries: DeliveryResult[];
  /** High findings per night, oldest first, ending with tonight (the supplier index sparkline). */
  highTrend: number[];
  /** The plan written for approval (nightly only, when it has actions). */
  planId?: string;
  planActions?: number;
  /** Why no plan could be made (the run itself is stored and delivered all the same). */
  planError?: string;
  /** The stored run's id (a Blob link to its report). */
  runId: string;
}

/** Parts read after the checks: by the MFA figures (jobs/metrics.ts) and the run record (jobs/run-record.ts). */
const KEPT_AFTER_CHECKS = new Set<SnapshotPart>(['users', 'councillorGroup', 'adminEligibility', 'domains', 'devices', 'surrenders']);

function enabledChecks(council: CouncilConfig): Check[] {
  const disabled = new Set(council.checks?.disabled ?? []);
  return ALL_CHECKS.filter((c) => !disabled.has(c.id));
}

export async function runAudit(run: AuditRun): Promise<AuditResult> {
  const now = run.clock().toISOString();
  const { council, profile, log } = run;
  const checks = enabledChecks(council);

  const granted = new Set(await run.graph.grantedRoles());
  // Only what a check cannot do without skips it whole; an optional permission costs just its part.
  const missingByCheck = missingRequiredPermissions(checks, granted);
  const missingPermissions = [...new Set([...missingByCheck.values()].flat())].sort();
  if (missingPermissions.length) {
    log.warn(
      `${council.name}: the app registration lacks ${missingPermissions.join(', ')}; ` +
        `these checks will be skipped until an administrator grants it: ${[...missingByCheck.keys()].join(', ')}.`,
    );
  }

  const runnable = checks.filter((c) => !missingByCheck.has(c.id));
  const parts = [...new Set(runnable.flatMap((c) => c.reads))];
  log.info(`${council.name}: collecting ${parts.join(', ')}`);
  const snapshot = await collectSnapshot({ graph: run.graph, council, store: run.store, parts, now, log, auditQueryBudgetMs: run.auditQueryBudgetMs });

  const summaries: CheckResultSummary[] = [];
  const drafts: FindingDraft[] = [];
  // Each part is let go once the last check that reads it has run (the large ones, drives, sharing and
  // per-mailbox data, are only the checks'); what the metrics and the run record read is kept.
  const lastReader = new Map<SnapshotPart, Check>();
  for (const check of ALL_CHECKS) if (checks.includes(check) && !missingByCheck.has(check.id)) for (const p of check.reads) lastReader.set(p, check);
  for (const check of ALL_CHECKS) {
    const clauses = [...new Set(Object.values(check.clauses).flat())];
    let outcome: CheckOutcome;
    if (!checks.includes(check)) {
      outcome = { status: 'skipped', skipReason: { code: 'disabled-by-policy', detail: 'disabled in this council\'s config (checks.disabled)' }, findings: [] };
    } else if (missingByCheck.has(check.id)) {
      const names = missingByCheck.get(check.id)!;
      outcome = { status: 'skipped', skipReason: { code: 'missing-permission', detail: `needs the application permission ${names.join(' and ')}` }, findings: [] };
    } else {
      try {
        outcome = check.evaluate({ snapshot, council, profile, now });
      } catch (err) {
        // A defect in one check must not cost the council the other eight.
        outcome = { status: 'error', error: `the check failed: ${err instanceof Error ? err.message : String(err)}`, findings: [] };
      }
    }
    summaries.push({
      id: check.id,
      title: check.title,
      status: outcome.status,
      ...(outcome.skipReason ? { skipReason: outcome.skipReason } : {}),
      ...(outcome.error ? { error: outcome.error } : {}),
      ...(outcome.partialSkips?.length ? { partialSkips: outcome.partialSkips } : {}),
      clauses,
    });
    drafts.push(...outcome.findings);
    for (const [part, last] of lastReader) if (last === check && !KEPT_AFTER_CHECKS.has(part)) delete snapshot[part];
  }

  const previous = await run.store.latestRun(council.tenantId);
  const { findings, resolved } = compareWithPrevious(council.tenantId, drafts, summaries, previous, now);
  const document: FindingsDocument = {
    schemaVersion: 1,
    tool: { name: 'councilguard', version },
    council: council.name,
    tenantId: council.tenantId,
    generatedAt: now,
    policy: { id: profile.id, version: profile.version },
    checks: summaries,
    findings,
    resolved,
  };
  const notice = nothingRanNotice(summaries, missingByCheck, council);
  if (notice) {
    document.notice = notice;
    log.error(`${council.name}: ${notice}`);
  }
  const mfa = mfaCoverage(snapshot, council, summaries, drafts);
  if (mfa) document.metrics = { mfa };
  const history = await run.store.runHistory(council.tenantId, 30);
  const since = DateTime.fromISO(now, { zone: 'utc' }).minus({ days: 30 }).toISO()!;
  const actions = await run.store.listActions(council.tenantId, { since });
  const plan = await planFromRun(run, document);
  const files = renderRunFiles(document, { profile, council, history, actions, planAwaiting: plan.link });
  const runId = runIdFor(now);
  await run.store.saveRun(council.tenantId, runId, now, { ...files }, document);
  // The year's evidence keeps its own compact record, whatever the reports' retention deletes later.
  await saveRunRecord({ store: run.store, council, doc: document, snapshot, drafts, log });
  // The run is stored before delivery, so a delivery failure never loses it.
  const { 'findings.json': _json, ...texts } = files; // delivery reads the document, not its JSON
  const deliveries = await deliverRun({ graph: run.graph, store: run.store, council, files: texts, generatedAt: now, document, runId, planAwaiting: plan.link });
  for (const d of deliveries.filter((x) => x.status === 'failed')) log.error(`${council.name}: delivery (${d.channel}) failed: ${d.detail}`);
  const highTrend = [...history].reverse().map((h) => h.high).concat(findings.filter((f) => f.severity === 'high').length).slice(-30);
  // A run in which no check ran is not a quiet success: it counts as errored (exit 1, the timer fails).
  return { document, files, errored: !!notice || summaries.some((s) => s.status === 'error'), missingPermissions, deliveries, highTrend, runId, planId: plan.link?.id, planActions: plan.link?.actions, planError: plan.error };
}

/** Tonight's plan for approval, made from this run's findings; nothing is applied. */
async function planFromRun(run: AuditRun, document: FindingsDocument): Promise<{ link?: PlanAwaitingLink; error?: string }> {
  if (!run.writePlan || !enabledRemediations(run.council).length) return {};
  try {
    const plan = await makePlan({ ...run, createdBy: 'nightly audit', findings: document });
    if (!plan.actions.length) return {};
    const path = `/api/plans/${plan.id}/page`;
    const base = run.writePlan.publicBaseUrl;
    return { link: { id: plan.id, actions: plan.actions.length, validUntil: plan.validUntil, path, url: base ? `${base}${path}` : undefined } };
  } catch (err) {
    run.log.error(`${run.council.name}: the enforcement plan could not be made: ${messageOf(err)}`);
    return { error: messageOf(err) };
  }
}

/** Why nothing was audited, when no check ran (each was skipped or disabled); undefined when one ran. */
function nothingRanNotice(summaries: CheckResultSummary[], missingByCheck: Map<string, string[]>, council: CouncilConfig): string | undefined {
  if (summaries.some((s) => s.status !== 'skipped')) return undefined;
  const missing = [...new Set([...missingByCheck.values()].flat())].sort();
  const enabled = summaries.filter((s) => s.skipReason?.code !== 'disabled-by-policy');
  if (!enabled.length) return `every check is disabled in ${council.name}'s config (checks.disabled), so nothing was audited; enable at least one check.`;
  const reasons = [...new Set(enabled.map((s) => s.skipReason?.detail).filter(Boolean))];
  return missing.length
    ? `no check could run, so nothing was audited: the app registration lacks ${missing.join(', ')}. An administrator grants them in Entra ID (councilguard permissions --check-tenant lists them; infra/grant-graph-permissions.sh grants them), then run the audit again.`
    : `no check could run, so nothing was audited: ${reasons.join('; ')}.`;
}

/** A run's id: its instant, made safe for blob names (the same one the store keeps the run under). */
export function runIdFor(now: string): string {
  return now.replace(/[:.]/g, '-');
}
