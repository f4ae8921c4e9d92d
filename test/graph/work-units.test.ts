// Work units (what Graph's throttling counts: each single request, each $batch item, each Exchange call,
// each retry) agree between the client's RequestMeter and what the simulator received.
import { createGraphContext } from '../../graph';
import { readEnvironment } from '../../config/env';
import { startSimulator, type RunningSimulator, type Scenario } from '../../simulator';

const TENANT = 'a1b2c3d4-0000-4000-8000-0000000000b1';

const scenario: Scenario = {
  name: 'work-units', tenantId: TENANT, organization: 'Test Parish Council',
  domains: [{ id: 'testparish.gov.uk', isDefault: true }],
  skus: [{ skuPartNumber: 'O365_BUSINESS_ESSENTIALS', servicePlans: ['EXCHANGE_S_STANDARD'] }],
  grantedPermissions: ['User.Read.All'],
  exchangeManageAsApp: true,
  users: Array.from({ length: 7 }, (_, i) => ({ userPrincipalName: `user${i + 1}@testparish.gov.uk`, displayName: `User ${i + 1}` })),
};

describe('Graph work units, client and simulator', () => {
  let sim: RunningSimulator;
  beforeAll(async () => { sim = await startSimulator({ scenarios: [scenario] }); });
  afterAll(() => sim.close());
  beforeEach(() => { sim.stats.reset(); sim.setFaults({}); });

  it('a $batch of 45 is 3 round trips but 45 work units; a single GET and an Exchange call are 1 each', async () => {
    const g = createGraphContext(readEnvironment(sim.env(), TENANT));
    const users = await g.pageAll<{ id: string }>('/users', ['id']);
    await g.batch(Array.from({ length: 45 }, (_, i) => ({ method: 'GET' as const, url: `/users/${users[i % 7].id}?$select=id` })));
    await g.exchange.invoke('Get-Mailbox', {});
    expect(g.meter.httpRequests).toBe(5); // the list, 3 batches, 1 Exchange call
    expect(g.meter.workUnits).toBe(1 + 45 + 1);
    expect(sim.stats.requests).toBe(5);
    expect(sim.stats.workUnits).toBe(47);
  });

  it('the naive client sends the same 45 items as 45 requests: the same work units, 15 times the round trips', async () => {
    const g = createGraphContext(readEnvironment(sim.env(), TENANT), { naive: true, batchConcurrency: 4 });
    const users = await g.pageAll<{ id: string }>('/users', ['id']);
    await g.batch(Array.from({ length: 45 }, (_, i) => ({ method: 'GET' as const, url: `/users/${users[i % 7].id}?$select=id` })));
    expect(g.meter.httpRequests).toBe(46);
    expect(g.meter.workUnits).toBe(46);
    expect(sim.stats.workUnits).toBe(46);
    expect(g.meter.maxInFlight).toBeLessThanOrEqual(4);
  });

  it('retried batch items and retried requests are counted on both sides alike', async () => {
    const g = createGraphContext(readEnvironment(sim.env(), TENANT), { retry: { baseDelayMs: 10 } });
    const users = await g.pageAll<{ id: string }>('/users', ['id']);
    sim.stats.reset();
    sim.setFaults({ seed: 5, throttleRate: 0.3, retryAfterSeconds: 0 });
    await g.batch(Array.from({ length: 30 }, (_, i) => ({ method: 'GET' as const, url: `/users/${users[i % 7].id}?$select=id` })));
    await g.get('/users', ['id']);
    sim.setFaults({});
    const retried = g.meter.counts.retry + g.meter.counts.itemRetry;
    expect(retried).toBeGreaterThan(0);
    expect(g.meter.workUnits - 1).toBeGreaterThan(30); // the first list is before the reset
    expect(sim.stats.workUnits).toBe(g.meter.workUnits - 1);
    expect(sim.stats.requests).toBe(g.meter.httpRequests - 1);
  });
});
