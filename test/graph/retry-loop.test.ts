// The one retry loop (graph/retry.ts) against the HTTPS simulator: the budget and the meter counts, a
// 429's Retry-After holding back every caller of the run (the loop, the Graph client, Exchange), and
// dropped connections ending in an error that names the request.
import { createGraphContext } from '../../graph';
import { readEnvironment } from '../../config/env';
import { buildScenario, startSimulator, type RunningSimulator } from '../../simulator';
import { tokenFor } from '../simulator/raw';

describe('the shared retry loop', () => {
  let sim: RunningSimulator;
  let token: string;
  const graph = (retry: { maxRetries?: number; baseDelayMs?: number } = {}) => createGraphContext(readEnvironment(sim.env()), { retry: { baseDelayMs: 20, ...retry } });
  const getUsers = () => fetch(`${sim.url}/v1.0/users?$select=id`, { headers: { Authorization: `Bearer ${token}` } });
  const byStatus = (res: Response) => ({ status: res.status, retryAfter: res.headers.get('retry-after') });
  const discard = async (res: Response) => { await res.body?.cancel(); };

  beforeAll(async () => {
    sim = await startSimulator({ scenarios: [buildScenario({ name: 'retry-loop', exchangeManageAsApp: true })] });
    token = await tokenFor(sim);
  });
  afterEach(() => sim.setFaults({}));
  afterAll(() => sim.close());

  it('sends a 503 again up to the budget, then returns the last answer; each attempt is counted once', async () => {
    sim.setFaults({ serviceUnavailableRate: 1 });
    const g = graph({ maxRetries: 3 });
    const attempts: number[] = [];
    sim.stats.reset();
    const res = await g.retryLoop.run(getUsers, { statusOf: byStatus, discard, count: (a) => attempts.push(a) });
    expect(res.status).toBe(503);
    expect(attempts).toEqual([0, 1, 2, 3]);
    expect(sim.stats.requests).toBe(4);
  });

  it('an answer that is not retryable (a 404) is final at once', async () => {
    const g = graph();
    sim.stats.reset();
    const res = await g.retryLoop.run(() => fetch(`${sim.url}/v1.0/users/nobody@nowhere.example`, { headers: { Authorization: `Bearer ${token}` } }), { statusOf: byStatus, discard });
    expect(res.status).toBe(404);
    expect(sim.stats.requests).toBe(1);
  });

  it('a 429 waits its Retry-After and holds back the Graph client\'s requests of the same run meanwhile', async () => {
    sim.setFaults({ throttleRate: 1, retryAfterSeconds: 1 });
    const g = graph({ maxRetries: 2 });
    const started = Date.now();
    let firstAnswer!: () => void;
    const answered = new Promise<void>((resolve) => { firstAnswer = resolve; });
    const throttled = g.retryLoop.run(async () => {
      const res = await getUsers();
      firstAnswer();
      sim.setFaults({}); // only the first attempt is throttled
      return res;
    }, { statusOf: byStatus, discard });
    await answered;
    // The first 429 has paused the run: this request through the middleware waits for the same second.
    const viaClient = g.get<{ value: unknown[] }>('/users', ['id']).then(() => Date.now() - started);
    expect((await throttled).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(await viaClient).toBeGreaterThanOrEqual(950);
  });

  it('Exchange: dropped connections are retried to the budget and the error names the request and the attempts', async () => {
    sim.setFaults({ resetRate: 1 });
    const g = graph({ maxRetries: 2 });
    const err = await g.exchange.invoke('Get-Mailbox', {}).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^POST \/[^ ]*\/InvokeCommand failed after 3 attempt\(s\): .*fetch failed/);
    expect(g.meter.counts.exchange).toBe(1);
    expect(g.meter.counts.retry).toBe(2);
  });
});
