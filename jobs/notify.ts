// What people are told after a council's audit, beyond the files: the Teams card (a Power Automate
// Workflows webhook), and, when a delivery channel starts failing, one alert: a logged error with a stable
// marker (the App Insights alert in infra/main.bicep matches it) and an email to the IT supplier. The
// failing state is kept in the store, so the next failing night does not alert again until the channel
// has succeeded once.
import { DateTime } from 'luxon';
import type { CouncilContext } from '../context/council-context';
import type { TeamsDeliveryConfig } from '../policy/council-config';
import { sendAuditFailedEmail, sendDeliveryAlertEmail, REPORT_LINK_DAYS, type DeliveryResult } from '../reports/delivery';
import { renderFailedNightCard, teamsCardWithinLimit } from '../reports/teams-card';
import { postWebhook } from '../reports/webhook';
import { messageOf } from '../core/errors';
import type { AuditResult } from './run-audit';
import { listPlans } from './enforcement';

/** Log markers the alert rules in infra/main.bicep match; each line carries tenantId=<the council's tenant>. */
export const MARKERS = {
  auditSucceeded: 'councilguard.audit.succeeded',
  auditFailed: 'councilguard.audit.failed',
  deliveryAlert: 'councilguard.delivery.alert',
  deliveryRecovered: 'councilguard.delivery.recovered',
} as const;

const ALERT_SCOPE = 'delivery-alerts';

interface ChannelState {
  failingSince: string;
  detail: string;
}

/** Posts the night's card when the council configured delivery.teams; undefined otherwise. Never throws. */
export async function deliverTeams(ctx: Pick<CouncilContext, 'council' | 'store'>, result: AuditResult, opts: { timeoutMs?: number } = {}): Promise<DeliveryResult | undefined> {
  const teams = (ctx.council.delivery as { teams?: TeamsDeliveryConfig }).teams;
  if (!teams) return undefined;
  try {
    const generatedAt = result.document.generatedAt;
    let reportLink = result.deliveries.find((d) => d.channel === 'sharePoint' && d.reportUrl)?.reportUrl;
    if (!reportLink) {
      const expires = DateTime.fromISO(generatedAt, { zone: 'utc' }).plus({ days: REPORT_LINK_DAYS }).toJSDate();
      reportLink = await ctx.store.runFileUrl(ctx.council.tenantId, generatedAt, result.runId, 'report.html', expires, new Date(generatedAt)).catch(() => undefined);
    }
    const plans = await listPlans(ctx.store, ctx.council, { state: 'awaiting-approval' });
    const card = teamsCardWithinLimit({ document: result.document, namesAllowed: ctx.council.namesInSummary === true, plansAwaiting: plans, reportLink });
    const posted = await postWebhook(teams, card, opts.timeoutMs);
    return posted.ok
      ? { channel: 'teams', status: 'done', detail: `posted the card to the Teams workflow at ${new URL(teams.webhookUrl).hostname}` }
      : { channel: 'teams', status: 'failed', detail: posted.detail };
  } catch (err) {
    return { channel: 'teams', status: 'failed', detail: `posting the Teams card failed: ${messageOf(err)}` };
  }
}

/**
 * Alerts once per channel that starts failing, and notes its recovery. Delivery failures are logged by the
 * audit each night as they happen; only the first night of a run of failures carries the alert marker.
 */
export async function alertDeliveryFailures(ctx: Pick<CouncilContext, 'council' | 'store' | 'graph' | 'log'>, deliveries: DeliveryResult[], now: string): Promise<void> {
  const { council, store, log } = ctx;
  const key = council.tenantId.toLowerCase();
  const saved = await store.getCheckpoint<Record<string, ChannelState>>(ALERT_SCOPE, key);
  const state: Record<string, ChannelState> = { ...(saved?.value ?? {}) };
  let changed = false;
  for (const d of deliveries) {
    const was = state[d.channel];
    if (d.status === 'done') {
      if (was) {
        log.info(`${MARKERS.deliveryRecovered} tenantId=${council.tenantId} channel=${d.channel}: ${council.name}: delivery by ${d.channel} works again (failing since ${was.failingSince}).`);
        delete state[d.channel];
        changed = true;
      }
      continue;
    }
    if (was) {
      log.warn(`${council.name}: delivery (${d.channel}) still failing since ${was.failingSince}; already alerted: ${d.detail}`);
      continue;
    }
    state[d.channel] = { failingSince: now, detail: d.detail };
    changed = true;
    log.error(`${MARKERS.deliveryAlert} tenantId=${council.tenantId} channel=${d.channel}: ${council.name}: ${d.detail}`);
    try {
      if (await sendDeliveryAlertEmail(ctx.graph, council, { channel: d.channel, detail: d.detail, since: now })) log.info(`${council.name}: the IT supplier was emailed about the ${d.channel} failure.`);
    } catch (err) {
      log.warn(`${council.name}: could not email the IT supplier about the ${d.channel} failure: ${messageOf(err)}`);
    }
  }
  if (changed) await store.putCheckpoint(ALERT_SCOPE, key, state);
}

/**
 * A night whose audit could not run: the Teams card and, where Graph still answers, an email to the IT
 * supplier, so people hear of it the same morning. Once per failed night (the timer runs once a night).
 * Never throws: telling people must not hide the failure itself.
 */
export async function notifyFailedNight(ctx: Pick<CouncilContext, 'council' | 'log'> & { graph?: CouncilContext['graph'] }, failure: { reason: string; at: string }, opts: { timeoutMs?: number } = {}): Promise<void> {
  const { council, log } = ctx;
  const teams = (council.delivery as { teams?: TeamsDeliveryConfig } | undefined)?.teams;
  if (teams) {
    const posted = await postWebhook(teams, renderFailedNightCard({ council: council.name, at: failure.at, reason: failure.reason }), opts.timeoutMs).catch((err: unknown) => ({ ok: false as const, detail: messageOf(err) }));
    if (posted.ok) log.info(`${council.name}: the failed night was posted to the Teams workflow.`);
    else log.warn(`${council.name}: could not post the failed night to Teams: ${posted.detail}`);
  }
  if (ctx.graph) {
    try {
      if (await sendAuditFailedEmail(ctx.graph, council, failure)) log.info(`${council.name}: the IT supplier was emailed that the night failed.`);
    } catch (err) {
      log.warn(`${council.name}: could not email the IT supplier that the night failed: ${messageOf(err)}`);
    }
  }
}
