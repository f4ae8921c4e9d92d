import { createGraphContext } from '../../graph';
import { GraphRequestError } from '../../graph/errors';
import { readEnvironment } from '../../config/env';
import { startSimulator, type RunningSimulator, type Scenario } from '../../simulator';

const TENANT = 'a1b2c3d4-0000-4000-8000-000000000001';

function scenario(overrides: Partial<Scenario> = {}): Scenario {
  return {
    name: 'paging', tenantId: TENANT, organization: 'Test Parish Council',
    domains: [{ id: 'testparish.gov.uk', isDefault: true }],
    skus: [{ skuPartNumber: 'O365_BUSINESS_ESSENTIALS', servicePlans: ['EXCHANGE_S_STANDARD'] }],
    grantedPermissions: ['User.Read.All', 'MailboxSettings.Read'],
    exchangeManageAsApp: true,
    users: Array.from({ length: 7 }, (_, i) => ({ userPrincipalName: `user${i + 1}@testparish.gov.uk`, displayName: `User ${i + 1}`, mailbox: { forwardingSmtpAddress: i === 0 ? 'smtp:someone@gmail.com' : null } })),
    ...overrides,
  };
}

describe('Graph layer against the simulator', () => {
  let sim: RunningSimulator;
  const graph = (env: Record<string, string> = {}) => createGraphContext(readEnvironment({ ...sim.env(), ...env }), { retry: { baseDelayMs: 50 } });

  beforeAll(async () => { sim = await startSimulator({ scenarios: [scenario(), scenario({ tenantId: 'a1b2c3d4-0000-4000-8000-000000000002', grantedPermissions: [], exchangeManageAsApp: false })] }); });
  afterAll(() => sim.close());

  it('gets a token from the simulator authority over HTTPS and pages 7 users at page size 2 in 4 requests, in order', async () => {
    sim.setPageSize(2);
    try {
      const g = graph();
      const users = await g.pageAll<{ userPrincipalName: string; displayName?: string }>('/users', ['userPrincipalName']);
      expect(users.map((u) => u.userPrincipalName)).toEqual(Array.from({ length: 7 }, (_, i) => `user${i + 1}@testparish.gov.uk`));
      expect(users[0].displayName).toBeUndefined(); // $select honoured
      expect(g.meter.counts.single).toBe(4);
    } finally {
      sim.setPageSize(undefined);
    }
  });

  it('a call without a token gets 401 from the simulator', async () => {
    const res = await fetch(`${sim.url}/v1.0/users`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('InvalidAuthenticationToken');
  });

  it('a call lacking a role is a GraphRequestError naming the permission', async () => {
    const g = graph();
    const err = await g.pageAll('/domains', ['id']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphRequestError);
    expect(err).toMatchObject({ status: 403, code: 'Authorization_RequestDenied', permission: 'Domain.Read.All' });
    expect((err as Error).message).toMatch(/needs the application permission Domain\.Read\.All/);
  });

  it('$batch of 45 with injected 429s returns 45 results in input order, retries counted, after Retry-After', async () => {
    const g = graph();
    const users = await g.pageAll<{ id: string; userPrincipalName: string }>('/users', ['id', 'userPrincipalName']);
    sim.setFaults({ seed: 7, throttleRate: 0.3, retryAfterSeconds: 1 });
    const started = Date.now();
    try {
      const requests = Array.from({ length: 45 }, (_, i) => ({ method: 'GET' as const, url: `/users/${users[i % 7].id}?$select=userPrincipalName` }));
      const results = await g.batch(requests);
      expect(results).toHaveLength(45);
      results.forEach((r, i) => expect(r).toMatchObject({ status: 200, body: { userPrincipalName: users[i % 7].userPrincipalName } }));
      expect(g.meter.counts.itemRetry).toBeGreaterThan(0);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    } finally {
      sim.setFaults({});
    }
  });

  it('retries connection resets and 503s; past the budget the error names the request and status', async () => {
    sim.setFaults({ seed: 3, resetRate: 0.3, serviceUnavailableRate: 0.2 });
    try {
      const users = await graph().pageAll('/users', ['id']);
      expect(users).toHaveLength(7);
      sim.setFaults({ serviceUnavailableRate: 1 });
      const g = createGraphContext(readEnvironment(sim.env()), { retry: { maxRetries: 2, baseDelayMs: 10 } });
      const err = await g.get('/users', ['id']).catch((e: unknown) => e);
      expect((err as Error).message).toMatch(/GET \/v1\.0\/users failed with 503 ServiceUnavailable/);
      expect(g.meter.counts.retry).toBe(2);
    } finally {
      sim.setFaults({});
    }
  });

  it('Exchange Get-Mailbox returns the forwarding fields; without Exchange.ManageAsApp it is "not connected"', async () => {
    const res = await graph().exchange.invoke<{ UserPrincipalName: string; ForwardingSmtpAddress: string | null }>('Get-Mailbox', { ResultSize: 'Unlimited' });
    expect(res.connected).toBe(true);
    if (res.connected) expect(res.value.find((m) => m.UserPrincipalName === 'user1@testparish.gov.uk')?.ForwardingSmtpAddress).toBe('smtp:someone@gmail.com');
    const other = createGraphContext(readEnvironment(sim.env('a1b2c3d4-0000-4000-8000-000000000002'), 'a1b2c3d4-0000-4000-8000-000000000002'));
    expect(await other.exchange.invoke('Get-Mailbox', {})).toMatchObject({ connected: false });
  });
});
