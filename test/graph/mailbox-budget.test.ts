// Outlook's per-mailbox budget (10,000 requests per 10 minutes, time-compressed here to 6 per 1.5 s):
// the client paces each mailbox's requests so the simulator never has to refuse one; without pacing
// the same burst is refused with 429s (which the retry loop then waits out).
import { createGraphContext } from '../../graph';
import { mailboxOfUrl, MailboxBudget } from '../../graph/throttle';
import { readEnvironment } from '../../config/env';
import { startSimulator, type RunningSimulator, type Scenario } from '../../simulator';

const scenario: Scenario = {
  name: 'budget', tenantId: 'a1b2c3d4-0000-4000-8000-0000000000b1', organization: 'Test Parish Council',
  domains: [{ id: 'testparish.gov.uk', isDefault: true }],
  skus: [{ skuPartNumber: 'O365_BUSINESS_ESSENTIALS', servicePlans: ['EXCHANGE_S_STANDARD'] }],
  grantedPermissions: ['User.Read.All', 'MailboxSettings.Read'],
  users: [{ userPrincipalName: 'ann@testparish.gov.uk', displayName: 'Ann' }, { userPrincipalName: 'bob@testparish.gov.uk', displayName: 'Bob' }],
};
const BUDGET = { requests: 6, windowMs: 1500 };

describe('pacing to the per-mailbox request budget', () => {
  let sim: RunningSimulator;
  beforeAll(async () => { sim = await startSimulator({ scenarios: [scenario], faults: { mailboxRequestsPer10Min: BUDGET.requests, mailboxWindowMs: BUDGET.windowMs } }); });
  afterAll(() => sim.close());
  afterEach(() => { sim.stats.reset(); sim.setFaults({ mailboxRequestsPer10Min: BUDGET.requests, mailboxWindowMs: BUDGET.windowMs }); });

  const users = async (g: ReturnType<typeof createGraphContext>) => g.pageAll<{ id: string; userPrincipalName: string }>('/users', ['id', 'userPrincipalName']);

  it('14 reads of one mailbox against a budget of 6 per window all succeed with no 429: the client waits for room', async () => {
    const g = createGraphContext(readEnvironment(sim.env()), { mailboxBudget: BUDGET });
    const [ann] = await users(g);
    const reads = await Promise.all(Array.from({ length: 14 }, () => g.mailboxLimiter.run(ann.id, () => g.get(`/users/${ann.id}/mailboxSettings`))));
    expect(reads).toHaveLength(14);
    expect(sim.stats.throttled).toBe(0);
    // Some requests waited for room (how many depends on when earlier answers left the window).
    expect(g.mailboxBudget.paced.requests).toBeGreaterThan(0);
    expect(g.meter.counts.retry).toBe(0);
  });

  it('control: paced to a looser budget than Exchange keeps, the same burst is refused with 429s and retried', async () => {
    sim.setFaults({ mailboxRequestsPer10Min: BUDGET.requests, mailboxWindowMs: BUDGET.windowMs, retryAfterSeconds: 1 });
    const g = createGraphContext(readEnvironment(sim.env()), { mailboxBudget: { requests: 100, windowMs: BUDGET.windowMs }, retry: { baseDelayMs: 50 } });
    const [ann] = await users(g);
    const reads = await Promise.all(Array.from({ length: 10 }, () => g.mailboxLimiter.run(ann.id, () => g.get(`/users/${ann.id}/mailboxSettings`))));
    expect(reads).toHaveLength(10);
    expect(sim.stats.throttled).toBeGreaterThan(0);
    expect(g.meter.counts.retry).toBeGreaterThan(0);
  });

  it('each mailbox has its own budget; requests that are not to a mailbox are never paced', async () => {
    const g = createGraphContext(readEnvironment(sim.env()), { mailboxBudget: BUDGET });
    const [ann, bob] = await users(g);
    await Promise.all([ann, bob].flatMap((u) => Array.from({ length: BUDGET.requests }, () => g.get(`/users/${u.id}/mailboxSettings`))));
    await Promise.all(Array.from({ length: 10 }, () => g.get(`/users/${ann.id}`, ['id'])));
    expect(g.mailboxBudget.paced.requests).toBe(0);
    expect(sim.stats.throttled).toBe(0);
  });

  it('knows a mailbox URL (id, UPN, users(\'upn\')) from any other', () => {
    expect(mailboxOfUrl('https://graph.microsoft.com/v1.0/users/ABC-1/messages/x/$value')).toBe('abc-1');
    expect(mailboxOfUrl("https://graph.microsoft.com/v1.0/users('Ann%40x.gov.uk')/mailFolders?$top=5")).toBe('ann@x.gov.uk');
    expect(mailboxOfUrl('https://graph.microsoft.com/beta/users/ann@x.gov.uk/mailboxSettings')).toBe('ann@x.gov.uk');
    expect(mailboxOfUrl('https://graph.microsoft.com/v1.0/users/ann@x.gov.uk/drive')).toBeUndefined();
    expect(mailboxOfUrl('https://graph.microsoft.com/v1.0/users/ann@x.gov.uk/messagesX')).toBeUndefined();
  });

  it('refuses a budget that could never let a request through, naming the fix', () => {
    expect(() => new MailboxBudget({ requests: 0, windowMs: 1000 })).toThrow(/at least 1 request per window/);
    expect(() => new MailboxBudget({ requests: 5, windowMs: 0 })).toThrow(/window above 0 ms/);
  });
});
