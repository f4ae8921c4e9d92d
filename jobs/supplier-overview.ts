// The IT supplier's morning view (GET /api/supplier, GET /api/reports): every council the caller may see,
// worst first, with its last audit (flagged when more than 36 hours old, or never), the latest counts by
// severity and a trend over recent runs, surrenders not yet finished with their current step, and plans
// awaiting approval. Read-only: it reads the runs table, the surrender status mirrors and the plans.
import { DateTime } from 'luxon';
import pLimit from 'p-limit';
import type { CouncilConfig } from '../policy/council-config';
import { renderSupplierPage, SUPPLIER_PAGE_CSP, type CouncilOverview, type PlanAwaiting, type SupplierOverview, type SurrenderInProgress } from '../reports/supplier-page';
import { planPageCsp, renderPlanPage } from '../reports/plan-page';
import type { Councils } from './council-context';
import { plansAwaitingApproval, type EnforcementPlan } from './enforcement';
import { loadSurrender, rosterWithSurrenders, stepTitle, surrenderView } from './offboarding';
import type { PlanStatus } from '../enforce/types';

/** A council whose latest audit is older than this is flagged: its nightly run may have stopped. */
export const STALE_AFTER_HOURS = 36;
/** Runs the trend sparkline covers, oldest first. */
export const TREND_RUNS = 14;

export type { CouncilOverview, PlanAwaiting, SupplierOverview, SurrenderInProgress };

/**
 * Worst first: most high findings, then medium, then a stale or missing audit (nothing is known of it),
 * then low; ties by name.
 */
function worstFirst(a: CouncilOverview, b: CouncilOverview): number {
  return b.counts.high - a.counts.high || b.counts.medium - a.counts.medium || Number(b.stale) - Number(a.stale)
    || b.counts.low - a.counts.low || a.council.localeCompare(b.council);
}

async function surrendersOf(councils: Councils, council: CouncilConfig, now: Date): Promise<SurrenderInProgress[]> {
  // The roster lists the councillors a surrender is for; each one's status mirror names its surrender.
  const [roster] = await rosterWithSurrenders(councils.store, [council]);
  const open = roster.councillors.filter((c) => c.surrender && c.surrender.status !== 'done');
  return Promise.all(open.map(async (c) => {
    const record = await loadSurrender(councils.store, c.surrender!.id);
    const step = record ? surrenderView(record, now).currentStep : undefined;
    return { id: c.surrender!.id, councillor: c.userPrincipalName, status: record?.status ?? c.surrender!.status, step, stepTitle: step && stepTitle(step) };
  }));
}

/** The overview of the councils `visible` allows (the caller's), worst first, as of the councils' clock. */
export async function supplierOverview(councils: Councils, visible: (c: CouncilConfig) => boolean): Promise<SupplierOverview> {
  const now = councils.clock();
  const mine = councils.all().filter(visible);
  const plans = await plansAwaitingApproval(councils.store, mine, now);
  const staleBefore = DateTime.fromJSDate(now, { zone: 'utc' }).minus({ hours: STALE_AFTER_HOURS }).toMillis();
  const limit = pLimit(8);
  const rows = await Promise.all(mine.map((c) => limit(async (): Promise<CouncilOverview> => {
    const runs = await councils.store.runHistory(c.tenantId, TREND_RUNS);
    const latest = runs[0];
    return {
      council: c.name,
      tenantId: c.tenantId,
      lastAudit: latest?.generatedAt,
      stale: !latest || Date.parse(latest.generatedAt) < staleBefore,
      counts: { high: latest?.high ?? 0, medium: latest?.medium ?? 0, low: latest?.low ?? 0, info: latest?.info ?? 0, new: latest?.new ?? 0, resolved: latest?.resolved ?? 0 },
      trend: [...runs].reverse().map((r) => r.high),
      surrenders: await surrendersOf(councils, c, now),
      plansAwaitingApproval: plans.filter((p) => p.tenantId === c.tenantId).map((p) => ({ id: p.id, createdAt: p.createdAt, validUntil: p.validUntil, actions: p.actions })),
    };
  })));
  return { generatedAt: now.toISOString(), staleAfterHours: STALE_AFTER_HOURS, councils: rows.sort(worstFirst) };
}

/** The supplier's page (HTML, no script) and the Content-Security-Policy to send it with. */
export function supplierPage(overview: SupplierOverview, signedInAs: string): { html: string; csp: string } {
  return { html: renderSupplierPage(overview, signedInAs), csp: SUPPLIER_PAGE_CSP };
}

/** A plan's page: its actions with a tick box each and, for an approver, the Approve button; and its CSP. */
export function planPage(plan: EnforcementPlan, status: PlanStatus | undefined, version: string | undefined, opts: { canApprove: boolean; now: Date }): { html: string; csp: string } {
  return { html: renderPlanPage(plan, status, version, opts), csp: planPageCsp() };
}
