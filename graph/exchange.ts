// The Exchange Online admin REST endpoint (InvokeCommand), for what Graph cannot see: mailbox-level
// forwarding, the organisation's outbound forwarding policy, mailbox permissions, shared mailboxes.
// Optional per tenant: without Exchange.ManageAsApp callers get { connected: false }, not a crash.
import type { TokenCredential } from '@azure/identity';
import type { Settings } from '../config/env';
import { rolesOf } from './credential';
import type { RequestMeter } from './meter';
import type { RetryLoop } from './retry';

export type ExchangeResult<T> = { connected: true; value: T[] } | { connected: false; reason: string };

const NOT_CONNECTED = 'the app has no Exchange.ManageAsApp permission (or Exchange role) in this tenant, so mailbox-level forwarding and the organisation forwarding policy cannot be read';

export class ExchangeClient {
  constructor(
    private readonly settings: Settings,
    private readonly credential: TokenCredential,
    private readonly meter: RequestMeter,
    private readonly retry: RetryLoop,
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

  private send(url: string, method: string, headers: Record<string, string>, body?: string): Promise<Response> {
    return this.retry.run(() => fetch(url, { method, headers, body, signal: AbortSignal.timeout(120_000) }), {
      count: (attempt) => { this.meter.count(attempt === 0 ? 'exchange' : 'retry', url); this.meter.work(); },
      statusOf: (res) => ({ status: res.status, retryAfter: res.headers.get('retry-after') }),
      discard: async (res) => { await res.body?.cancel().catch(() => {}); },
      request: { method, url },
      throttled: () => this.meter.count('throttled', url),
    });
  }
}
