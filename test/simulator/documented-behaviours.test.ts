// Behaviours the simulator has because Microsoft documents them (issue 13), each held here so that the
// simulator cannot quietly stop doing it. simulator/README.md cites the page for each.
import { buildScenario, startSimulator, type RunningSimulator } from '../../simulator';
import { call, tokenFor } from './raw';

const EXCHANGE = '00000002-0000-0ff1-ce00-000000000000';

describe('"List signIns": query options and record shape', () => {
  let sim: RunningSimulator;
  let token: string;
  beforeAll(async () => {
    sim = await startSimulator({ scenarios: [buildScenario({
      name: 'signins', people: ['ann', 'bob'],
      signIns: [
        { user: 'ann@testparish.gov.uk', at: '-2h', countryOrRegion: 'GB', appDisplayName: 'Outlook Mobile', clientAppUsed: 'Mobile Apps and Desktop clients' },
        { user: 'bob@testparish.gov.uk', at: '-1h', countryOrRegion: 'FR', resource: 'sharepoint', appDisplayName: 'Microsoft Office' },
      ],
    })] });
    token = await tokenFor(sim);
  });
  afterAll(() => sim.close());

  it('refuses $select (the page documents only $top, $skiptoken and $filter) with Graph\'s 400', async () => {
    const res = await call<{ error: { code: string; message: string } }>(sim, 'GET', '/auditLogs/signIns?$select=id,location', { token });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'BadRequest', message: expect.stringContaining("Query option 'Select' is not allowed") });
    expect((await call(sim, 'GET', '/auditLogs/signIns?$orderby=createdDateTime', { token })).status).toBe(400);
  });

  it('serves the client as appDisplayName and the service as resourceId/resourceDisplayName, newest first', async () => {
    const res = await call<{ value: Record<string, unknown>[] }>(sim, 'GET', '/auditLogs/signIns?$top=10', { token });
    expect(res.status).toBe(200);
    expect(res.body.value.map((s) => [s.appDisplayName, s.resourceDisplayName, s.resourceId])).toEqual([
      ['Microsoft Office', 'Office 365 SharePoint Online', '00000003-0000-0ff1-ce00-000000000000'],
      ['Outlook Mobile', 'Office 365 Exchange Online', EXCHANGE],
    ]);
    const filtered = await call<{ value: Record<string, unknown>[] }>(sim, 'GET', `/auditLogs/signIns?$filter=resourceId eq '${EXCHANGE}'`, { token });
    expect(filtered.body.value.map((s) => s.userPrincipalName)).toEqual(['ann@testparish.gov.uk']);
    // No sign-in's app is "Office 365 Exchange Online": that is the resource, never the client.
    const byApp = await call<{ value: unknown[] }>(sim, 'GET', "/auditLogs/signIns?$filter=appDisplayName eq 'Office 365 Exchange Online'", { token });
    expect(byApp.body.value).toEqual([]);
  });
});

describe('"auditLogQuery resource type": a query over its record limit still succeeds', () => {
  it('reports isRecordCountLimitExceeded, recordCountLimit and approximateReturnedRecordCount, and serves only the limit', async () => {
    const scenario = buildScenario({
      name: 'audit-limit', people: ['ann'], auditQuery: { pollsUntilDone: 0, recordCountLimit: 2 },
      auditRecords: [1, 2, 3].map((i) => ({ operation: 'MailItemsAccessed', user: 'ann@testparish.gov.uk', at: `-${i}h` })),
    });
    const sim = await startSimulator({ scenarios: [scenario] });
    try {
      const token = await tokenFor(sim);
      const now = new Date();
      const created = await call<{ id: string }>(sim, 'POST', '/security/auditLog/queries', {
        token, body: { filterStartDateTime: new Date(now.getTime() - 86_400_000).toISOString(), filterEndDateTime: now.toISOString(), operationFilters: ['MailItemsAccessed'] },
      });
      const q = await call<Record<string, unknown>>(sim, 'GET', `/security/auditLog/queries/${created.body.id}`, { token });
      expect(q.body).toMatchObject({ status: 'succeeded', isRecordCountLimitExceeded: true, recordCountLimit: 2, approximateReturnedRecordCount: 3 });
      const records = await call<{ value: unknown[] }>(sim, 'GET', `/security/auditLog/queries/${created.body.id}/records`, { token });
      expect(records.body.value).toHaveLength(2);
    } finally {
      await sim.close();
    }
  });
});
