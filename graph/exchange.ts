// The Exchange Online admin REST endpoint (InvokeCommand), for what Graph cannot see: mailbox-level
// forwarding, the organisation's outbound forwarding policy, mailbox permissions, shared mailboxes.
// Optional per tenant: without Exchange.ManageAsApp callers get { connected: false }, not a crash.
import type { TokenCredential } from '@azure/identity';
import type { Settings } from '../config/env';
import { describeRequest } from './errors';
import { rolesOf } from '.';
import type { RequestMeter } from './meter';
import { backoffMs, isTransientNetworkError, retryAfterMs, RETRYABLE_STATUS, sleep, type RetryPolicy, type SharedThrottle } from './throttle';

export type ExchangeResult<T> = { connected: true; value: T[] } | { connected: false; reason: string };

const NOT_CONNECTED = 'the app has no Exchange.ManageAsApp permission (or Exchange role) in this tenant, so mailbox-level forwarding and the organisation forwarding policy cannot be read';

export class ExchangeClient {
  constructor(
    private readonly settings: Settings,
    private readonly credential: TokenCredential,
    private readonly meter: RequestMeter,
    private readonly throttle: SharedThrottle,
    private readonly retry: RetryPolicy,
  ) {}

  /** Runs one cmdlet and follows @odata.nextLink pages. */
  async invoke<T>(cmdlet: string, parameters: Record<string, unknown>, anchorMailbox?: string): Promise<ExchangeResult<T>> {
    const token = (await this.credential.getToken(`${this.settings.exchangeBaseUrl}/.default`))?.token;
    if (!token || !rolesOf(token).includes('Exchange.ManageAsApp')) return { connected: false, reason: NOT_CONNECTED };
    const url = `${this.settings.exchangeBaseUrl}/adminapi/beta/${this.settings.tenantId}/InvokeCommand`;
    const body = JSON.stringify({ CmdletInput: { CmdletName: cmdlet, Parameters: parameters } });
    const headers = {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
      // Routes the call; for org-wide cmdlets the tenant's system mailbox is the documented anchor.
      'X-AnchorMailbox': anchorMailbox ? `UPN:${anchorMailbox}` : `APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@${this.settings.tenantId}`,
    };
    const values: T[] = [];
    let next: string | undefined = url;
    let first = true;
    while (next) {
      const res = await this.send(next, first ? 'POST' : 'GET', headers, first ? body : undefined);
      if (res.status === 401 || res.status === 403) return { connected: false, reason: NOT_CONNECTED };
      const json = (await res.json().catch(() => ({}))) as { value?: T[]; '@odata.nextLink'?: string; error?: { code?: string; message?: string } };
      if (!res.ok) throw new Error(`Exchange ${cmdlet} failed with ${res.status} ${json.error?.code ?? ''}: ${json.error?.message ?? 'no message'}`);
      values.push(...(json.value ?? []));
      next = json['@odata.nextLink'];
      first = false;
    }
    return { connected: true, value: values };
  }

  private async send(url: string, method: string, headers: Record<string, string>, body?: string): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      await this.throttle.gate();
      this.meter.count(attempt === 0 ? 'exchange' : 'retry', url);
      try {
        const res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(120_000) });
        if (!RETRYABLE_STATUS.has(res.status) || attempt >= this.retry.maxRetries) return res;
        const delay = backoffMs(attempt, this.retry, retryAfterMs(res.headers.get('retry-after')));
        if (res.status === 429) this.throttle.pause(delay);
        await res.body?.cancel().catch(() => {});
        await sleep(delay);
      } catch (err) {
        if (!isTransientNetworkError(err) || attempt >= this.retry.maxRetries) {
          throw new Error(`${describeRequest(method, url)} failed after ${attempt + 1} attempt(s): ${err instanceof Error ? err.message : err}`, { cause: err });
        }
        await sleep(backoffMs(attempt, this.retry));
      }
    }
  }
}
