// A 429 for one mailbox pauses that mailbox only ("Microsoft Graph service-specific throttling limits",
// Outlook service limits: evaluated per app ID and mailbox; over the limit in one mailbox does not affect
// access to another), while any other 429 still pauses every request of the Graph context. Two mailboxes
// through one context against the simulator, whose per-mailbox budget (time-compressed to 2 requests per
// second, the client pacing to a looser one) refuses Ann's third request with 429 and Retry-After: 1.
import { createGraphContext, type GraphContext } from '../../graph';
import { readEnvironment } from '../../config/env';
import { SharedThrottle, sleep } from '../../graph/throttle';
import { startSimulator, type RunningSimulator, type Scenario } from '../../simulator';

const scenario: Scenario = {
  name: 'mailbox-pause', tenantId: 'a1b2c3d4-0000-4000-8000-0000000000c7', organization: 'Test Town Council',
  domains: [{ id: 'testtown.gov.uk', isDefault: true }],
  skus: [{ skuPartNumber: 'O365_BUSINESS_ESSENTIALS', servicePlans: ['EXCHANGE_S_STANDARD'] }],
  grantedPermissions: ['User.Read.All', 'MailboxSettings.Read'],
  users: [{ userPrincipalName: 'ann@testtown.gov.uk', displayName: 'Ann' }, { userPrincipalName: 'bob@testtown.gov.uk', displayName: 'Bob' }],
};
const SERVER_BUDGET = { mailboxRequestsPer10Min: 2, mailboxWindowMs: 1000 };
/** Retry-After is 1 s; a request held back by it answers no sooner than this after the 429. */
const HELD_MS = 950;

describe('a 429 pauses its mailbox, not the whole context', () => {
  let sim: RunningSimulator;
  let g: GraphContext;
  let ann: string;
  let bob: string;

  beforeAll(async () => { sim = await startSimulator({ scenarios: [scenario] }); });
  afterAll(() => sim.close());
  beforeEach(async () => {
    sim.setFaults({});
    // The client paces to a looser budget than the simulator keeps, so the simulator does refuse.
    g = createGraphContext(readEnvironment(sim.env()), { mailboxBudget: { requests: 100, windowMs: 1000 }, retry: { baseDelayMs: 20 } });
    const users = await g.pageAll<{ id: string; userPrincipalName: string }>('/users', ['id', 'userPrincipalName']);
    ann = users.find((u) => u.userPrincipalName.startsWith('ann'))!.id;
    bob = users.find((u) => u.userPrincipalName.startsWith('bob'))!.id;
    sim.setFaults(SERVER_BUDGET);
    sim.stats.reset();
  });

  const settings = (user: string) => g.get(`/users/${user}/mailboxSettings`);
  /** Resolves (with Date.now()) once the client has had its first 429 (and so has paused). */
  const firstThrottle = async () => {
    while (g.meter.counts.throttled === 0) await sleep(2);
    return Date.now();
  };
  const timed = async (p: Promise<unknown>) => { await p; return Date.now(); };

  it('Ann\'s 429 holds back Ann\'s requests for its Retry-After while Bob\'s go at once', async () => {
    await Promise.all([settings(ann), settings(ann)]); // Ann's budget is spent for the next second
    const annThird = timed(settings(ann)); // refused with 429, waits 1 s, then answered
    const throttledAt = await firstThrottle();
    const [annNext, bobFirst, bobSecond] = await Promise.all([timed(settings(ann)), timed(settings(bob)), timed(settings(bob))]);
    expect(bobFirst - throttledAt).toBeLessThan(500);
    expect(bobSecond - throttledAt).toBeLessThan(500);
    expect(annNext - throttledAt).toBeGreaterThanOrEqual(HELD_MS);
    expect(await annThird - throttledAt).toBeGreaterThanOrEqual(HELD_MS);
    expect(sim.stats.throttled).toBe(1);
    expect(g.meter.counts.throttled).toBe(1);
  });

  it('a $batch item\'s 429 for Ann pauses Ann only: the item is retried after its Retry-After, Bob is not held', async () => {
    await Promise.all([settings(ann), settings(ann)]);
    const batch = g.batch([{ method: 'GET', url: `/users/${ann}/mailboxSettings` }, { method: 'GET', url: `/users/${bob}/mailboxSettings` }]);
    const throttledAt = await firstThrottle();
    const [annNext, bobNext] = await Promise.all([timed(settings(ann)), timed(settings(bob))]);
    expect(bobNext - throttledAt).toBeLessThan(500);
    expect(annNext - throttledAt).toBeGreaterThanOrEqual(HELD_MS);
    const results = await batch;
    expect(Date.now() - throttledAt).toBeGreaterThanOrEqual(HELD_MS);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    expect(g.meter.counts.itemRetry).toBe(1);
  });

  it('a 429 on a request that is not to a mailbox (the directory) still holds back every request, mailboxes too', async () => {
    sim.setFaults({ throttleRate: 1, retryAfterSeconds: 1 });
    const users = timed(g.get('/users', ['id']));
    const throttledAt = await firstThrottle();
    sim.setFaults({}); // only the first request is throttled
    const [bobNext, annNext] = await Promise.all([timed(settings(bob)), timed(settings(ann))]);
    expect(bobNext - throttledAt).toBeGreaterThanOrEqual(HELD_MS);
    expect(annNext - throttledAt).toBeGreaterThanOrEqual(HELD_MS);
    expect(await users - throttledAt).toBeGreaterThanOrEqual(HELD_MS);
  });
});

describe('SharedThrottle', () => {
  it('a mailbox\'s pause holds back that mailbox only; a pause without a mailbox holds back everything', () => {
    const t = new SharedThrottle();
    const now = Date.now();
    t.pause(10_000, 'ann');
    expect(t.until('ann')).toBeGreaterThanOrEqual(now + 10_000);
    expect(t.until('bob')).toBeLessThanOrEqual(now);
    expect(t.until()).toBeLessThanOrEqual(now);
    t.pause(20_000);
    expect(t.until('bob')).toBeGreaterThanOrEqual(now + 20_000);
    expect(t.until('ann')).toBeGreaterThanOrEqual(now + 20_000);
    expect(t.until()).toBeGreaterThanOrEqual(now + 20_000);
  });
});
