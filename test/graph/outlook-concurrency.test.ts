// Outlook's concurrency limit is per app ID, across every mailbox and tenant ("Microsoft Graph
// service-specific throttling limits", Outlook service limits: "Outlook can execute up to 4 concurrent
// requests ... regardless of whether the requests all access the same mailbox, or access different
// mailboxes"). The simulator refuses the 5th concurrent Outlook request of the app; the client keeps
// every Graph context of the process (one per council, one app registration) within 4, counting a
// $batch's Outlook items (the service runs up to 4 of them at once) against the same 4.
import { createGraphContext, type GraphContext } from '../../graph';
import { readInboxRules } from '../../graph/readers/mail';
import { outlookWeight, WeightedSemaphore } from '../../graph/throttle';
import { readEnvironment } from '../../config/env';
import { startSimulator, type RunningSimulator, type Scenario } from '../../simulator';

const TENANT_A = 'a1b2c3d4-0000-4000-8000-0000000000c1';
const TENANT_B = 'a1b2c3d4-0000-4000-8000-0000000000c2';

function council(tenantId: string, domain: string, users: number): Scenario {
  return {
    name: `outlook-${domain}`, tenantId, organization: `${domain} Parish Council`,
    domains: [{ id: `${domain}.gov.uk`, isDefault: true }],
    skus: [{ skuPartNumber: 'O365_BUSINESS_ESSENTIALS', servicePlans: ['EXCHANGE_S_STANDARD'] }],
    grantedPermissions: ['User.Read.All', 'MailboxSettings.Read'],
    users: Array.from({ length: users }, (_, i) => ({ userPrincipalName: `user${i + 1}@${domain}.gov.uk`, displayName: `User ${i + 1}` })),
  };
}

describe('Outlook concurrency per app ID', () => {
  let sim: RunningSimulator;
  const context = (tenantId: string) => createGraphContext(readEnvironment(sim.env(tenantId), tenantId), { retry: { baseDelayMs: 50 } });
  const userIds = async (g: GraphContext) => (await g.pageAll<{ id: string }>('/users', ['id'])).map((u) => u.id);
  const app = () => sim.stats.maxOutlookInFlight[sim.clientId] ?? 0;

  beforeAll(async () => {
    sim = await startSimulator({ scenarios: [council(TENANT_A, 'northparish', 45), council(TENANT_B, 'southparish', 45)], faults: { outlookConcurrency: 4, retryAfterSeconds: 1 } });
  });
  afterAll(() => sim.close());
  afterEach(() => sim.stats.reset());

  it('one context, two mailboxes, 8 Outlook requests at once: never more than 4 in flight at the simulator, no 429', async () => {
    const g = context(TENANT_A);
    const [ann, bob] = await userIds(g);
    const reads = await Promise.all(Array.from({ length: 8 }, (_, i) => g.get(i % 2 ? `/users/${ann}/mailboxSettings` : `/users/${bob}/mailFolders/inbox/messageRules`)));
    expect(reads).toHaveLength(8);
    // The client let 4 go at once (not fewer); how many overlap at the simulator depends on the machine's load.
    expect(g.outlookLimiter.stats.maxInUse).toBe(4);
    expect(app()).toBeGreaterThanOrEqual(1);
    expect(app()).toBeLessThanOrEqual(4);
    expect(sim.stats.throttled).toBe(0);
    expect(g.meter.counts.throttled).toBe(0);
  });

  it('two councils\' contexts (two tenants, the same app) share the 4: together never more than 4 in flight, no 429', async () => {
    const a = context(TENANT_A);
    const b = context(TENANT_B);
    expect(a.outlookLimiter).toBe(b.outlookLimiter);
    const [idsA, idsB] = await Promise.all([userIds(a), userIds(b)]);
    const burst = (g: GraphContext, ids: string[]) => Array.from({ length: 12 }, (_, i) => g.get(`/users/${ids[i % 3]}/mailboxSettings`));
    expect(await Promise.all([...burst(a, idsA), ...burst(b, idsB)])).toHaveLength(24);
    expect(app()).toBeLessThanOrEqual(4);
    expect(sim.stats.throttled).toBe(0);
    // Non-Outlook requests are not held back by the Outlook limiter.
    expect(a.outlookLimiter.held).toBe(0);
  });

  it('the strict side: Outlook requests past the client limiter (raw, with the app\'s token) get 429 ApplicationThrottled', async () => {
    const g = context(TENANT_A);
    const ids = await userIds(g);
    const token = (await g.credential.getToken(`${sim.url}/.default`))!.token;
    const raw = () => Promise.all(Array.from({ length: 8 }, (_, i) => fetch(`${sim.url}/v1.0/users/${ids[i]}/mailboxSettings`, { headers: { Authorization: `Bearer ${token}` } })
      .then(async (res) => ({ status: res.status, code: ((await res.json()) as { error?: { code?: string } }).error?.code, retryAfter: res.headers.get('retry-after') }))));
    const answers = await raw();
    const refused = answers.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]).toEqual({ status: 429, code: 'ApplicationThrottled', retryAfter: '1' });
    expect(app()).toBeGreaterThan(4);
  });

  it('the audit\'s inbox-rule $batch reads, two councils at once, complete without 429 with the limit on', async () => {
    const a = context(TENANT_A);
    const b = context(TENANT_B);
    const [idsA, idsB] = await Promise.all([userIds(a), userIds(b)]);
    // 45 users each: 3 batches of up to 20 per council, up to 4 batches in flight per context.
    const [rulesA, rulesB] = await Promise.all([readInboxRules(a, idsA), readInboxRules(b, idsB)]);
    expect(Object.keys(rulesA)).toHaveLength(45);
    expect(Object.keys(rulesB)).toHaveLength(45);
    expect(a.meter.counts.batch + b.meter.counts.batch).toBe(6);
    expect(sim.stats.throttled).toBe(0);
    expect(a.meter.counts.throttled + b.meter.counts.throttled).toBe(0);
    expect(app()).toBeLessThanOrEqual(4);
    expect(a.outlookLimiter.stats.maxInUse).toBeLessThanOrEqual(4);
  });
});

describe('the Outlook weight of a request and the weighted semaphore', () => {
  it('a mailbox request weighs 1, a $batch 1 per Outlook item up to 4, anything else 0', () => {
    const batch = (urls: string[]) => JSON.stringify({ requests: urls.map((url, i) => ({ id: String(i), method: 'GET', url })) });
    expect(outlookWeight('https://graph.microsoft.com/v1.0/users/ann/mailboxSettings')).toBe(1);
    expect(outlookWeight('https://graph.microsoft.com/v1.0/users/ann/drive')).toBe(0);
    expect(outlookWeight('https://graph.microsoft.com/v1.0/$batch', batch(['/users/a/messages', '/users/b/drive', '/users/c/mailFolders/inbox/messageRules']))).toBe(2);
    expect(outlookWeight('https://graph.microsoft.com/v1.0/$batch', batch(Array.from({ length: 20 }, (_, i) => `/users/u${i}/mailFolders/inbox/messageRules`)))).toBe(4);
    expect(outlookWeight('https://graph.microsoft.com/v1.0/$batch', batch(['/users/a', '/groups/b/members']))).toBe(0);
  });

  it('grants first come first served: a waiting weight-4 holder is not overtaken by later weight-1 ones', async () => {
    const s = new WeightedSemaphore(4);
    const order: string[] = [];
    const first = await s.acquire(1);
    const big = s.acquire(4).then((release) => { order.push('big'); return release; });
    const small = s.acquire(1).then((release) => { order.push('small'); return release; });
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([]);
    first();
    (await big)();
    (await small)();
    expect(order).toEqual(['big', 'small']);
    expect(s.stats.maxInUse).toBe(4);
    expect(s.held).toBe(0);
  });

  it('adds up the permit-milliseconds held, so a benchmark can say how busy the 4 were kept', async () => {
    const s = new WeightedSemaphore(4);
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const three = await s.acquire(3);
    await sleep(200);
    three();
    await sleep(200);
    const one = await s.acquire(1);
    await sleep(100);
    one();
    // 3 permits for ~200 ms and 1 for ~100 ms; the idle 200 ms between adds nothing.
    expect(s.stats.heldMs).toBeGreaterThanOrEqual(3 * 195 + 95);
    expect(s.stats.heldMs).toBeLessThan(3 * 200 + 100 + 4 * 150);
  });
});
