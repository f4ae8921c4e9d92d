// The credential keeps each scope's token until it is due for renewal, so the thousands of requests of a
// changeover do not each go through MSAL's cache look-up; it renews in time, and a failure is not kept.
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { CachingCredential, TOKEN_REFRESH_MARGIN_MS } from '../../graph/credential';

const HOUR = 60 * 60 * 1000;

/** An identity platform stand-in that issues numbered tokens valid for an hour from the test's clock. */
class CountingCredential implements TokenCredential {
  issued = 0;
  failNext = false;
  calls: { scopes: string | string[]; options?: GetTokenOptions }[] = [];
  constructor(private readonly clock: () => number, private readonly refreshInMs?: number) {}
  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    this.calls.push({ scopes, options });
    await new Promise((r) => setImmediate(r));
    if (this.failNext) { this.failNext = false; throw new Error('AADSTS7000215: Invalid client secret provided.'); }
    const now = this.clock();
    return { token: `token-${++this.issued}`, expiresOnTimestamp: now + HOUR, refreshAfterTimestamp: this.refreshInMs === undefined ? undefined : now + this.refreshInMs, tokenType: 'Bearer' };
  }
}

describe('the token cache', () => {
  let now = 1_700_000_000_000;
  const clock = () => now;
  beforeEach(() => { now = 1_700_000_000_000; });

  it('asks the identity platform once for many requests at once, and reuses the token until it is due', async () => {
    const inner = new CountingCredential(clock);
    const cached = new CachingCredential(inner, clock);
    const tokens = await Promise.all(Array.from({ length: 50 }, () => cached.getToken('https://graph.microsoft.com/.default')));
    expect(new Set(tokens.map((t) => t?.token))).toEqual(new Set(['token-1']));
    now += HOUR - TOKEN_REFRESH_MARGIN_MS - 1000;
    expect((await cached.getToken('https://graph.microsoft.com/.default'))?.token).toBe('token-1');
    expect(inner.calls).toHaveLength(1);
  });

  it('renews a token within the margin of its expiry, and after Entra\'s refresh time', async () => {
    const inner = new CountingCredential(clock);
    const cached = new CachingCredential(inner, clock);
    await cached.getToken('https://graph.microsoft.com/.default');
    now += HOUR - TOKEN_REFRESH_MARGIN_MS;
    expect((await cached.getToken('https://graph.microsoft.com/.default'))?.token).toBe('token-2');

    const early = new CountingCredential(clock, 10 * 60 * 1000);
    const cachedEarly = new CachingCredential(early, clock);
    await cachedEarly.getToken('s/.default');
    now += 10 * 60 * 1000;
    expect((await cachedEarly.getToken('s/.default'))?.token).toBe('token-2');
  });

  it('keeps a token per scope (Graph and Exchange get their own)', async () => {
    const inner = new CountingCredential(clock);
    const cached = new CachingCredential(inner, clock);
    const graph = await cached.getToken('https://graph.microsoft.com/.default');
    const exchange = await cached.getToken('https://outlook.office365.com/.default');
    expect(graph?.token).not.toBe(exchange?.token);
    expect((await cached.getToken('https://graph.microsoft.com/.default'))?.token).toBe(graph?.token);
    expect(inner.calls).toHaveLength(2);
  });

  it('does not keep a refusal: the next request asks again and gets a token', async () => {
    const inner = new CountingCredential(clock);
    inner.failNext = true;
    const cached = new CachingCredential(inner, clock);
    await expect(cached.getToken('s/.default')).rejects.toThrow(/AADSTS7000215/);
    expect((await cached.getToken('s/.default'))?.token).toBe('token-1');
  });

  it('passes a claims challenge straight to the credential', async () => {
    const inner = new CountingCredential(clock);
    const cached = new CachingCredential(inner, clock);
    await cached.getToken('s/.default');
    expect((await cached.getToken('s/.default', { claims: '{"access_token":{"nbf":{"essential":true}}}' }))?.token).toBe('token-2');
  });
});
