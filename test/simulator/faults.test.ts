// Injected faults (429 with Retry-After, 503, connection resets, a message download cut mid-body), the same for the same seed, never on
// the token endpoint; and Outlook's limits (concurrency per app, budget per mailbox) with the in-flight statistics.
import { buildScenario, startSimulator, type RunningSimulator } from '../../simulator';
import { call, tokenFor } from './raw';

describe('fault injection', () => {
  let sim: RunningSimulator;
  let token: string;
  // Ann has a small mailbox: a message's $value is what cutBodyRate cuts.
  const scenario = buildScenario({ name: 'faults', people: [{ userPrincipalName: 'ann@testparish.gov.uk', mailbox: { folders: [{ name: 'Inbox', count: 3, seed: 2 }] } }, 'bob'] });
  beforeAll(async () => {
    sim = await startSimulator({ scenarios: [scenario] });
    token = await tokenFor(sim);
  });
  afterAll(() => sim.close());
  afterEach(() => { sim.setFaults({}); sim.stats.reset(); });

  /** Status of each of n sequential calls; 'reset' when the connection was dropped. */
  const pattern = async (n: number) => {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      try {
        out.push(String((await call(sim, 'GET', '/organization?$select=id', { token })).status));
      } catch {
        out.push('reset');
      }
    }
    return out;
  };

  it('gives the same 429/503/reset pattern for the same seed and a different one for another seed', async () => {
    const faults = { throttleRate: 0.2, serviceUnavailableRate: 0.25, resetRate: 0.1, retryAfterSeconds: 2 };
    sim.setFaults({ ...faults, seed: 11 });
    const first = await pattern(40);
    sim.setFaults({ ...faults, seed: 11 });
    expect(await pattern(40)).toEqual(first);
    sim.setFaults({ ...faults, seed: 12 });
    expect(await pattern(40)).not.toEqual(first);
    expect(new Set(first)).toEqual(new Set(['200', '429', '503', 'reset']));
  });

  it('an injected 429 carries TooManyRequests, Retry-After and counts as throttled; a 503 ServiceUnavailable', async () => {
    sim.setFaults({ throttleRate: 1, retryAfterSeconds: 3 });
    const res = await call<{ error: { code: string } }>(sim, 'GET', '/organization', { token });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(res.body.error.code).toBe('TooManyRequests');
    expect(sim.stats.throttled).toBe(1);
    sim.setFaults({ serviceUnavailableRate: 1 });
    const unavailable = await call<{ error: { code: string } }>(sim, 'GET', '/organization', { token });
    expect([unavailable.status, unavailable.body.error.code]).toEqual([503, 'ServiceUnavailable']);
  });

  it('a reset drops the connection without an answer', async () => {
    sim.setFaults({ resetRate: 1 });
    await expect(call(sim, 'GET', '/organization', { token })).rejects.toThrow();
  });

  it('never faults the token endpoint or the OpenID configuration', async () => {
    sim.setFaults({ throttleRate: 1, serviceUnavailableRate: 1, resetRate: 1 });
    expect(await tokenFor(sim)).toMatch(/^ey/);
    expect((await call(sim, 'GET', `${sim.url}/${scenario.tenantId}/v2.0/.well-known/openid-configuration`)).status).toBe(200);
  });

  it('counts requests and routes (ids folded), and reset() clears them', async () => {
    await call(sim, 'GET', '/users/ann@testparish.gov.uk', { token });
    await call(sim, 'GET', '/users/bob@testparish.gov.uk', { token });
    expect(sim.stats.requests).toBe(2);
    expect(sim.stats.byRoute['GET /users/{id}']).toBe(2);
    sim.stats.reset();
    expect(sim.stats).toMatchObject({ requests: 0, byRoute: {}, throttled: 0, maxInFlightPerMailbox: {} });
  });

  /** The Content-Length announced, the bytes that arrived, and the error the body ended with (if any). */
  const download = async (id: string) => {
    const res = await fetch(`${sim.url}/v1.0/users/ann@testparish.gov.uk/messages/${id}/$value`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const announced = Number(res.headers.get('content-length'));
    let received = 0;
    let error: unknown;
    try {
      for await (const chunk of res.body!) received += chunk.length;
    } catch (err) {
      error = err;
    }
    return { announced, received, error };
  };

  it('cutBodyRate 1: a message $value announces its full length, sends fewer bytes and drops the connection; listings are untouched', async () => {
    const messages = (await call<{ value: { id: string }[] }>(sim, 'GET', `/users/ann@testparish.gov.uk/mailFolders/inbox/messages?$select=id`, { token })).body.value;
    const whole = await download(messages[0].id);
    expect(whole.error).toBeUndefined();
    expect(whole.received).toBe(whole.announced);

    sim.setFaults({ cutBodyRate: 1 });
    const cut = await download(messages[0].id);
    expect(cut.announced).toBe(whole.announced);
    // Half the bytes, then the connection drops: fetch fails the body ("terminated"), as with a real drop.
    expect(cut.received).toBeGreaterThan(0);
    expect(cut.received).toBeLessThanOrEqual(Math.floor(cut.announced / 2));
    expect(String((cut.error as Error | undefined)?.message)).toMatch(/terminated/);
    // Only message MIME is cut: a listing still arrives whole.
    const listing = await call<{ value: unknown[] }>(sim, 'GET', `/users/ann@testparish.gov.uk/mailFolders/inbox/messages?$select=id`, { token });
    expect(listing.body.value).toHaveLength(3);
  });
});

describe('Outlook limits: concurrency per app, budget per mailbox', () => {
  let sim: RunningSimulator;
  let token: string;
  let otherToken: string;
  const scenario = buildScenario({ name: 'mailbox-limits', people: ['ann', 'bob'] });
  const other = buildScenario({ name: 'mailbox-limits-other', people: ['cat'] });
  beforeAll(async () => {
    sim = await startSimulator({ scenarios: [scenario, other] });
    token = await tokenFor(sim);
    otherToken = await tokenFor(sim, { tenantId: other.tenantId });
  });
  afterAll(() => sim.close());
  afterEach(() => { sim.setFaults({}); sim.stats.reset(); });

  const annId = () => sim.tenant(scenario.tenantId).users.find((u) => u.userPrincipalName.startsWith('ann'))!.id;
  const burst = (n: number, who = 'ann@testparish.gov.uk') => Promise.all(Array.from({ length: n }, (_, i) =>
    call<{ error?: { code: string } }>(sim, 'GET', i % 2 ? `/users/${who}/mailboxSettings` : `/users/${annId()}/mailFolders/inbox/messageRules`, { token })));
  const cat = () => sim.tenant(other.tenantId).users.find((u) => u.userPrincipalName.startsWith('cat'))!.userPrincipalName;
  const ann = () => sim.tenant(scenario.tenantId).users.find((u) => u.userPrincipalName.startsWith('ann'))!.userPrincipalName;
  const bob = () => sim.tenant(scenario.tenantId).users.find((u) => u.userPrincipalName.startsWith('bob'))!.userPrincipalName;

  it('records the most requests in flight per mailbox (UPN and id count as one mailbox) and per app with the limit off', async () => {
    // Each answer takes 200 ms, so the eight overlap however busy the machine is.
    sim.setFaults({ latencyMs: 200 });
    const results = await burst(8, ann());
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(sim.stats.maxInFlightPerMailbox[annId()]).toBeGreaterThan(4);
    expect(Object.keys(sim.stats.maxInFlightPerMailbox)).toEqual([annId()]);
    expect(Object.keys(sim.stats.maxOutlookInFlight)).toEqual([sim.clientId]);
    expect(sim.stats.maxOutlookInFlight[sim.clientId]).toBeGreaterThan(4);
    expect(sim.stats.throttled).toBe(0);
  });

  it('with outlookConcurrency 4, Outlook requests beyond the fourth at once get 429 ApplicationThrottled with Retry-After, even to different mailboxes', async () => {
    // Answers take 200 ms, so the eight overlap however busy the machine is.
    sim.setFaults({ outlookConcurrency: 4, retryAfterSeconds: 2, latencyMs: 200 });
    // Two at each of four mailboxes in two tenants: never more than 2 at one mailbox, 8 for the app.
    const results = await Promise.all([ann(), bob()].flatMap((u) => [u, u]).map((u) => call<{ error?: { code: string } }>(sim, 'GET', `/users/${u}/mailboxSettings`, { token }))
      .concat([cat(), cat(), cat(), cat()].map((u) => call<{ error?: { code: string } }>(sim, 'GET', `/users/${u}/mailFolders/inbox/messageRules`, { token: otherToken }))));
    const throttled = results.filter((r) => r.status === 429);
    expect(results.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(4);
    expect(throttled.length).toBeGreaterThan(0);
    expect(throttled[0].body.error?.code).toBe('ApplicationThrottled');
    expect(throttled[0].headers.get('retry-after')).toBe('2');
    expect(sim.stats.throttled).toBe(throttled.length);
    expect(Math.max(...Object.values(sim.stats.maxInFlightPerMailbox))).toBeLessThanOrEqual(4);
    expect(sim.stats.maxOutlookInFlight[sim.clientId]).toBeGreaterThan(4);
    // One at a time never trips it.
    sim.stats.reset();
    for (let i = 0; i < 6; i++) expect((await call(sim, 'GET', `/users/${ann()}/mailboxSettings`, { token })).status).toBe(200);
    expect(sim.stats.maxOutlookInFlight[sim.clientId]).toBe(1);
  });

  it('the 5th Outlook request while 4 are in flight is refused; non-mailbox calls are not limited', async () => {
    sim.setFaults({ outlookConcurrency: 4 });
    // Open connections first, so the fifth request is not late for want of a TLS handshake.
    await Promise.all(Array.from({ length: 6 }, () => call(sim, 'GET', '/organization', { token })));
    const four = Array.from({ length: 4 }, (_, i) => call(sim, 'GET', `/users/${i % 2 ? ann() : bob()}/mailboxSettings`, { token }));
    // The simulator holds each mailbox request 25 ms: the fifth, sent once the four are in, is over the limit.
    while ((sim.stats.maxOutlookInFlight[sim.clientId] ?? 0) < 4) await new Promise((r) => setImmediate(r));
    const fifth = await call<{ error?: { code: string } }>(sim, 'GET', `/users/${cat()}/mailboxSettings`, { token: otherToken });
    const directory = await Promise.all(Array.from({ length: 6 }, () => call(sim, 'GET', `/users/${ann()}`, { token })));
    expect((await Promise.all(four)).map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect([fifth.status, fifth.body.error?.code]).toEqual([429, 'ApplicationThrottled']);
    expect(directory.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
  });

  it('a $batch runs at most 4 of its Outlook items at once, and they count against the app\'s concurrency', async () => {
    const items = (n: number) => ({ requests: Array.from({ length: n }, (_, i) => ({ id: String(i), method: 'GET', url: `/users/${i % 2 ? ann() : bob()}/mailFolders/inbox/messageRules` })) });
    type Batch = { responses: { id: string; status: number; body?: { error?: { code: string } } }[] };
    // Limit off: the service's own sequencing keeps one batch to 4 at once.
    const alone = await call<Batch>(sim, 'POST', '/$batch', { token, body: items(12) });
    expect(alone.body.responses.map((r) => r.status)).toEqual(Array(12).fill(200));
    expect(sim.stats.maxOutlookInFlight[sim.clientId]).toBe(4);
    // Limit on: one batch of 20 fits; two at once (8 Outlook items in flight) do not.
    sim.setFaults({ outlookConcurrency: 4 });
    sim.stats.reset();
    const one = await call<Batch>(sim, 'POST', '/$batch', { token, body: items(20) });
    expect(one.body.responses.every((r) => r.status === 200)).toBe(true);
    const two = await Promise.all([call<Batch>(sim, 'POST', '/$batch', { token, body: items(8) }), call<Batch>(sim, 'POST', '/$batch', { token: otherToken, body: { requests: [0, 1, 2, 3].map((i) => ({ id: String(i), method: 'GET', url: `/users/${cat()}/mailboxSettings` })) } })]);
    const refused = two.flatMap((b) => b.body.responses).filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0].body?.error?.code).toBe('ApplicationThrottled');
  });

  it('mailboxRequestsPer10Min spends a per-mailbox budget, then 429 with a Retry-After of minutes', async () => {
    sim.setFaults({ mailboxRequestsPer10Min: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(sim, 'GET', `/users/${ann()}/mailboxSettings`, { token })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const last = await call(sim, 'GET', `/users/${ann()}/mailboxSettings`, { token });
    expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(500);
    expect((await call(sim, 'GET', `/users/${bob()}/mailboxSettings`, { token })).status).toBe(200);
  });
});

describe('time-compressed mailbox budget and upload latency', () => {
  let sim: RunningSimulator;
  let token: string;
  const scenario = buildScenario({ name: 'faults-upload', users: [{ userPrincipalName: 'ann@testparish.gov.uk', drive: { files: [{ path: '/a.txt', size: 10 }] } }] });
  beforeAll(async () => {
    sim = await startSimulator({ scenarios: [scenario] });
    token = await tokenFor(sim);
  });
  afterAll(() => sim.close());
  afterEach(() => { sim.setFaults({}); sim.stats.reset(); });

  it('mailboxWindowMs shortens the budget window: refused at the limit, Retry-After within the window, allowed again after it', async () => {
    sim.setFaults({ mailboxRequestsPer10Min: 2, mailboxWindowMs: 1500 });
    const get = () => call(sim, 'GET', '/users/ann@testparish.gov.uk/mailboxSettings', { token });
    const statuses = [(await get()).status, (await get()).status];
    const refused = await get();
    expect([...statuses, refused.status]).toEqual([200, 200, 429]);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 1600));
    expect((await get()).status).toBe(200);
    expect(sim.stats.throttled).toBe(1);
  });

  /** Milliseconds one upload of a small file took. */
  const timedUpload = async () => {
    const drive = (await call<{ id: string }>(sim, 'GET', '/users/ann@testparish.gov.uk/drive', { token })).body.id;
    const t0 = Date.now();
    const put = await call(sim, 'PUT', `/drives/${drive}/root:/b.txt:/content`, { token, body: Buffer.from('hello'), headers: { 'Content-Type': 'application/octet-stream' } });
    expect(put.status).toBeLessThan(300);
    return Date.now() - t0;
  };

  it('an upload waits 3 × the read latency by default, or uploadLatencyMs when given', async () => {
    // Lower bounds only: a sleep never ends early, so these cannot flake on a busy machine.
    sim.setFaults({ latencyMs: 150 });
    expect(await timedUpload()).toBeGreaterThanOrEqual(450);
    sim.setFaults({ latencyMs: 0, uploadLatencyMs: 400 });
    expect(await timedUpload()).toBeGreaterThanOrEqual(400);
  });
});

