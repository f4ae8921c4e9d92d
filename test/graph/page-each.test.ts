// graph.pageEach against the simulator: a paged collection handed over a few items at a time, in order,
// across Graph's pages (PageIterator paused per batch and resumed), each page requested once.
import { createGraphContext } from '../../graph';
import { readEnvironment } from '../../config/env';
import { startSimulator, type RunningSimulator, type Scenario } from '../../simulator';

const TENANT = 'a1b2c3d4-0000-4000-8000-0000000000c7';

const scenario: Scenario = {
  name: 'page-each', tenantId: TENANT, organization: 'Test Parish Council',
  domains: [{ id: 'testparish.gov.uk', isDefault: true }],
  skus: [{ skuPartNumber: 'O365_BUSINESS_ESSENTIALS', servicePlans: ['EXCHANGE_S_STANDARD'] }],
  grantedPermissions: ['User.Read.All'],
  users: Array.from({ length: 11 }, (_, i) => ({ userPrincipalName: `user${String(i + 1).padStart(2, '0')}@testparish.gov.uk`, displayName: `User ${i + 1}` })),
};

describe('graph.pageEach', () => {
  let sim: RunningSimulator;
  beforeAll(async () => { sim = await startSimulator({ scenarios: [scenario] }); });
  afterAll(() => sim.close());

  it('hands over every item in order, at most batchSize at a time, across pages, each page read once', async () => {
    const g = createGraphContext(readEnvironment(sim.env(), TENANT));
    const all = await g.pageAll<{ id: string }>('/users', ['id'], { top: 4 });
    sim.stats.reset();
    const batches: string[][] = [];
    let inOnBatch = false;
    await g.pageEach<{ id: string }>('/users', ['id'], { top: 4 }, 3, async (items) => {
      expect(inOnBatch).toBe(false);
      inOnBatch = true;
      // The next page is not read while a batch is being dealt with.
      await new Promise((r) => setTimeout(r, 5));
      batches.push(items.map((u) => u.id));
      inOnBatch = false;
    });
    expect(all).toHaveLength(11);
    expect(batches.flat()).toEqual(all.map((u) => u.id));
    expect(batches.every((b) => b.length > 0 && b.length <= 3)).toBe(true);
    // 11 users in pages of 4: three requests, as pageAll makes.
    expect(sim.stats.requests).toBe(3);
  });

  it('a page that fails part-way is a GraphRequestError naming the request, after the batches before it', async () => {
    const g = createGraphContext(readEnvironment(sim.env(), TENANT), { retry: { maxRetries: 0 } });
    let handed = 0;
    try {
      const err = await g.pageEach<{ id: string }>('/users', ['id'], { top: 4 }, 4, async (items) => {
        handed += items.length;
        // Graph fails from now on: the next page's request gets 503.
        sim.setFaults({ serviceUnavailableRate: 1 });
      }).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'GraphRequestError', status: 503 });
      expect((err as Error).message).toMatch(/GET .*\/users/);
      expect(handed).toBe(4);
    } finally {
      sim.setFaults({});
    }
  });
});
