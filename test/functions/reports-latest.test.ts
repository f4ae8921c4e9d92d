// GET /api/reports/latest, called as the Functions host calls it, with callers signed in by the simulated
// Entra: 401 without a token, 403 without Reports.Read, the latest report for the caller's own council,
// and for another council or one that does not exist the same 404, which names no council.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { latestReportHandlerFor } from '../../functions/handlers/reports-latest';
import { openStore, type Store } from '../../store';
import { buildScenario, startSimulator, type RunningSimulator } from '../../simulator';
import type { CouncilConfig } from '../../policy/council-config';
import { testCouncils } from '../support/councils';
import { forgedPrincipalHeader, signInWith, type Caller, type SignInHarness } from '../support/sign-in';

const request = (headers: Record<string, string>, council: string) =>
  new HttpRequest({ method: 'GET', url: `https://app.example/api/reports/latest?council=${encodeURIComponent(council)}`, headers });

describe('GET /api/reports/latest', () => {
  let sim: RunningSimulator;
  let s: SignInHarness;
  let store: Store;
  let handler: ReturnType<typeof latestReportHandlerFor>;
  const example = JSON.parse(readFileSync(join(__dirname, '../../simulator/scenarios/demo.councils.json'), 'utf8')).councils[0] as CouncilConfig;
  const north = { ...example, tenantId: randomUUID() };
  const south = { ...example, name: 'South Parish Council', tenantId: randomUUID(), domains: ['southparish.gov.uk'], itSupplier: { accounts: [], appIds: [] } };
  const supplier: Caller = { upn: example.itSupplier.accounts[0], tenantId: north.tenantId, roles: ['Reports.Read'] };
  const context = new InvocationContext({ functionName: 'latestReport', logHandler: () => {} });
  const status = async (headers: Record<string, string>, council = north.name) => {
    const r = await handler(request(headers, council), context);
    return { status: r.status, body: r.body ?? (r.jsonBody as { error: string }).error };
  };

  beforeAll(async () => {
    sim = await startSimulator({ scenarios: [buildScenario({ name: 'reports-latest' })] });
    s = signInWith(sim);
    store = await openStore(process.env.COUNCILGUARD_TEST_STORAGE!);
    await store.saveRun(north.tenantId, 'r1', '2026-11-24T02:00:00.000Z', { 'findings.json': '{"findings":[],"resolved":[]}', 'report.html': '<p>old</p>' });
    await store.saveRun(north.tenantId, 'r2', '2026-11-25T02:00:00.000Z', { 'findings.json': '{"findings":[],"resolved":[]}', 'report.html': '<p>latest</p>' });
    await store.saveRun(south.tenantId, 'r1', '2026-11-25T02:00:00.000Z', { 'findings.json': '{"findings":[],"resolved":[]}', 'report.html': '<p>south</p>' });
    handler = latestReportHandlerFor(async () => testCouncils({ councils: [north, south], store }), s.signIn);
  });
  afterAll(() => sim.close());

  it('401 without a token (a forged principal header is not one), 403 without Reports.Read', async () => {
    expect((await status({})).status).toBe(401);
    expect((await status({ 'x-ms-client-principal': forgedPrincipalHeader(supplier) })).status).toBe(401);
    expect((await status(s.headers({ ...supplier, roles: ['Offboarding.Request'] }))).status).toBe(403);
  });

  it('200 with the latest report.html for the caller\'s own council, by name or tenant id', async () => {
    const ok = await handler(request(s.headers(supplier), north.name), context);
    expect(ok).toMatchObject({ status: 200, body: '<p>latest</p>', headers: expect.objectContaining({ 'Content-Security-Policy': expect.stringContaining("default-src 'none'") }) });
    expect(await status(s.headers(supplier), north.tenantId)).toEqual({ status: 200, body: '<p>latest</p>' });
  });

  it('another council\'s report and an unknown council get the same 404, naming no council', async () => {
    const other = await status(s.headers(supplier), south.name);
    const unknown = await status(s.headers(supplier), 'Atlantis');
    expect(other.status).toBe(404);
    expect(other).toEqual(unknown);
    for (const name of [north.name, south.name, 'Atlantis']) expect(other.body).not.toContain(name);
    // South's own clerk reads South's, and North's is as absent to them.
    const southClerk: Caller = { upn: 'clerk@southparish.gov.uk', tenantId: south.tenantId, roles: ['Reports.Read'] };
    expect(await status(s.headers(southClerk), south.name)).toEqual({ status: 200, body: '<p>south</p>' });
    expect(await status(s.headers(southClerk), north.name)).toEqual(unknown);
  });
});
