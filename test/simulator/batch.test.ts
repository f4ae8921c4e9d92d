// JSON $batch: per-item status/headers/body through the same handlers, shuffled (seeded) order,
// dependsOn and 424, the 20-request limit, and faults inside a batch.
import { buildScenario, startSimulator, type RunningSimulator } from '../../simulator';
import { call, tokenFor } from './raw';

interface BatchResponse { responses: { id: string; status: number; headers: Record<string, string>; body?: Record<string, unknown> }[] }

describe('$batch', () => {
  let sim: RunningSimulator;
  let token: string;
  const scenario = buildScenario({ name: 'batch', people: ['ann', 'bob', 'cat'] });
  const ann = 'ann@testparish.gov.uk';
  beforeAll(async () => {
    sim = await startSimulator({ scenarios: [scenario] });
    token = await tokenFor(sim);
  });
  afterAll(() => sim.close());
  afterEach(() => sim.setFaults({}));

  const batch = (requests: unknown[], path = '/v1.0/$batch') => call<BatchResponse>(sim, 'POST', path, { token, body: { requests } });
  const byId = (r: BatchResponse) => Object.fromEntries(r.responses.map((x) => [x.id, x]));

  it('runs each item through the normal handlers and answers each with its own status, headers and body', async () => {
    const res = await batch([
      { id: '1', method: 'GET', url: `/users/${ann}?$select=displayName` },
      { id: '2', method: 'GET', url: '/users/nobody@testparish.gov.uk' },
      { id: '3', method: 'GET', url: 'organization?$select=displayName' },
    ]);
    expect(res.status).toBe(200);
    const items = byId(res.body);
    expect(items['1']).toMatchObject({ status: 200, body: { id: expect.any(String), displayName: 'ann' } });
    expect(Object.keys(items['1'].body!).sort()).toEqual(['displayName', 'id']);
    expect(items['2'].status).toBe(404);
    expect(items['2'].body).toMatchObject({ error: { code: 'Request_ResourceNotFound', innerError: { 'request-id': expect.any(String) } } });
    expect(items['3'].body).toMatchObject({ value: [{ displayName: 'Test Parish Council' }] });
  });

  it('answers in a shuffled order that is the same for the same seed', async () => {
    const requests = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => ({ id, method: 'GET', url: `/users/${ann}?$select=id` }));
    const orderFor = async (seed: number) => {
      sim.setFaults({ seed });
      return (await batch(requests)).body.responses.map((r) => r.id).join('');
    };
    const orders = [await orderFor(1), await orderFor(2), await orderFor(3)];
    expect(orders.every((o) => [...o].sort().join('') === 'abcdef')).toBe(true);
    expect(orders.some((o) => o !== 'abcdef')).toBe(true);
    expect(await orderFor(2)).toBe(orders[1]);
  });

  it('dependsOn runs an item after its dependency (a PATCH read back); a failed dependency gives 424 down the chain', async () => {
    const res = await batch([
      { id: 'read', method: 'GET', url: `/users/${ann}?$select=accountEnabled`, dependsOn: ['block'] },
      { id: 'block', method: 'PATCH', url: `/users/${ann}`, body: { accountEnabled: false }, headers: { 'Content-Type': 'application/json' } },
      { id: 'missing', method: 'GET', url: '/users/nobody@testparish.gov.uk' },
      { id: 'after-missing', method: 'GET', url: `/users/${ann}`, dependsOn: ['missing'] },
      { id: 'after-that', method: 'GET', url: `/users/${ann}`, dependsOn: ['after-missing'] },
    ]);
    const items = byId(res.body);
    expect(items.block.status).toBe(204);
    expect(items.block).not.toHaveProperty('body');
    expect(items.read.body).toMatchObject({ accountEnabled: false });
    expect(items['after-missing'].status).toBe(424);
    expect(items['after-that'].status).toBe(424);
    expect(sim.tenant().users.find((u) => u.userPrincipalName === ann)!.accountEnabled).toBe(false);
  });

  it('refuses more than 20 requests, duplicate ids, unknown or circular dependencies with 400', async () => {
    const get = (id: string, dependsOn?: string[]) => ({ id, method: 'GET', url: '/organization', ...(dependsOn ? { dependsOn } : {}) });
    const tooMany = await batch(Array.from({ length: 21 }, (_, i) => get(String(i))));
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toMatchObject({ error: { code: 'BadRequest', message: expect.stringMatching(/exceeds the maximum of 20/) } });
    expect((await batch(Array.from({ length: 20 }, (_, i) => get(String(i))))).status).toBe(200);
    expect((await batch([get('1'), get('1')])).status).toBe(400);
    expect((await batch([get('1', ['9'])])).status).toBe(400);
    expect((await batch([get('1', ['2']), get('2', ['1'])])).status).toBe(400);
  });

  it('an item with a body but no Content-Type fails on its own, the others still run', async () => {
    const items = byId((await batch([
      { id: '1', method: 'PATCH', url: `/users/${ann}`, body: { accountEnabled: true } },
      { id: '2', method: 'GET', url: '/organization' },
    ])).body);
    expect(items['1'].status).toBe(400);
    expect(items['2'].status).toBe(200);
  });

  it('injected throttling reaches single items: 429 TooManyRequests with their own Retry-After header', async () => {
    const requests = Array.from({ length: 10 }, (_, i) => ({ id: String(i), method: 'GET', url: '/organization' }));
    let found: BatchResponse['responses'][number] | undefined;
    // The batch request itself may draw the fault too; the seeds are fixed, so this is deterministic.
    for (let seed = 1; seed < 20 && !found; seed++) {
      sim.setFaults({ seed, throttleRate: 0.3, retryAfterSeconds: 7 });
      const res = await batch(requests);
      if (res.status === 200) found = res.body.responses.find((r) => r.status === 429);
    }
    expect(found).toMatchObject({ status: 429, headers: { 'Retry-After': '7' }, body: { error: { code: 'TooManyRequests' } } });
  });

  it('the same batch and seed give the same per-item faults', async () => {
    const requests = Array.from({ length: 12 }, (_, i) => ({ id: String(i), method: 'GET', url: '/organization' }));
    const pattern = async () => {
      sim.setFaults({ seed: 42, throttleRate: 0.25, serviceUnavailableRate: 0.1 });
      const res = await batch(requests);
      return res.status === 200 ? res.body.responses.map((r) => `${r.id}:${r.status}`).sort().join(',') : `batch ${res.status}`;
    };
    expect(await pattern()).toBe(await pattern());
  });

  it('works under /beta too', async () => {
    const res = await batch([{ id: '1', method: 'GET', url: `/users/${ann}/authentication/requirements` }], '/beta/$batch');
    expect(res.body.responses[0]).toMatchObject({ status: 200, body: { perUserMfaState: 'disabled' } });
  });
});
