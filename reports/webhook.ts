// Posting JSON to a Power Automate Workflows webhook. The URL carries the flow's signature (a secret), so
// nothing here logs or returns it; results name only its host.
import { hostAllowed, DEFAULT_WEBHOOK_HOSTS } from '../policy/load';
import type { TeamsDeliveryConfig } from '../policy/council-config';

export const WEBHOOK_TIMEOUT_MS = 10_000;

export type WebhookResult = { ok: true; status: number } | { ok: false; detail: string };

function hint(status: number): string {
  if (status === 400) return 'the workflow refused the card; check that the flow starts with "When a Teams webhook request is received" and posts the card it is sent';
  if (status === 401 || status === 403 || status === 404) return 'the webhook URL no longer works (the flow was deleted, turned off or its URL regenerated); paste the current URL into delivery.teams.webhookUrl';
  if (status === 429) return 'Power Automate is throttling the flow; it will be tried again next night';
  if (status >= 500) return 'Power Automate failed; it will be tried again next night';
  return 'check the flow in Power Automate';
}

export async function postWebhook(teams: TeamsDeliveryConfig, payload: unknown, timeoutMs = WEBHOOK_TIMEOUT_MS): Promise<WebhookResult> {
  let url: URL;
  try {
    url = new URL(teams.webhookUrl);
  } catch {
    return { ok: false, detail: 'delivery.teams.webhookUrl is not a URL' };
  }
  // Checked at config validation too; checked again here so nothing else ever receives the card.
  if (url.protocol !== 'https:' || !hostAllowed(url.hostname, [...DEFAULT_WEBHOOK_HOSTS, ...(teams.allowedHosts ?? [])])) {
    return { ok: false, detail: `the webhook host ${url.hostname} is not https or not allowed (delivery.teams.allowedHosts)` };
  }
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(payload),
      // A redirect could lead the card off the allowed host.
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer().catch(() => undefined);
    if (res.ok) return { ok: true, status: res.status };
    return { ok: false, detail: `the Workflows webhook at ${url.hostname} answered ${res.status}: ${hint(res.status)}` };
  } catch (err) {
    const e = err as { name?: string; cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return { ok: false, detail: `the Workflows webhook at ${url.hostname} did not answer within ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`}; it will be tried again next night` };
    return { ok: false, detail: `the Workflows webhook at ${url.hostname} could not be reached (${e.cause?.code ?? e.cause?.message ?? (err instanceof Error ? err.message : String(err))}); it will be tried again next night` };
  }
}
