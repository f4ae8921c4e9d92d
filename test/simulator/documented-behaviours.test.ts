// Behaviours the simulator has because Microsoft documents them (issue 13), each held here so that the
// simulator cannot quietly stop doing it. simulator/README.md cites the page for each.
import { randomUUID } from 'node:crypto';
import { buildScenario, loadScenario, startSimulator, type RunningSimulator } from '../../simulator';
import { allPages, call, tokenFor } from './raw';
import { shareItem } from '../../simulator/drives';

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

describe('nested groups and role assignments', () => {
  let sim: RunningSimulator;
  let token: string;
  beforeAll(async () => {
    sim = await startSimulator({ scenarios: [buildScenario({
      name: 'nesting', people: ['ann', 'bob', 'cat'],
      groups: [
        { displayName: 'Councillors', members: ['ann@testparish.gov.uk'] },
        { displayName: 'All staff', members: ['bob@testparish.gov.uk'], memberGroups: ['Councillors'] },
        { displayName: 'Exchange admins', members: ['cat@testparish.gov.uk'], roles: ['Exchange Administrator'] },
      ],
    })] });
    token = await tokenFor(sim);
  });
  afterAll(() => sim.close());
  const id = (name: string) => sim.tenant().groups.find((g) => g.displayName === name)!.id;
  const userId = (upn: string) => sim.tenant().users.find((u) => u.userPrincipalName.startsWith(upn))!.id;

  it('"List group members" gives direct members (a nested group as a group); transitiveMembers gives everyone below', async () => {
    const direct = await call<{ value: { '@odata.type': string; id: string }[] }>(sim, 'GET', `/groups/${id('All staff')}/members`, { token });
    expect(direct.body.value.map((m) => [m['@odata.type'], m.id]).sort()).toEqual([['#microsoft.graph.group', id('Councillors')], ['#microsoft.graph.user', userId('bob')]].sort());
    const all = await call<{ value: { '@odata.type': string; id: string }[] }>(sim, 'GET', `/groups/${id('All staff')}/transitiveMembers?$select=id`, { token });
    expect(all.body.value.map((m) => m.id).sort()).toEqual([userId('bob'), userId('ann'), id('Councillors')].sort());
  });

  it('a role assigned to a group is an assignment whose principal is the group', async () => {
    const res = await call<{ value: { principalId: string; roleDefinitionId: string }[] }>(sim, 'GET', '/roleManagement/directory/roleAssignments', { token });
    expect(res.body.value).toEqual(expect.arrayContaining([expect.objectContaining({ principalId: id('Exchange admins'), roleDefinitionId: '29232cdf-9323-42fd-ade2-1d097af3e4de' })]));
  });

  it('PIM eligibility needs P2 (Graph\'s non-premium 403) and is not granted by Directory.Read.All', async () => {
    const basic = await call<{ error: { code: string } }>(sim, 'GET', '/roleManagement/directory/roleEligibilitySchedules', { token });
    expect(basic.status).toBe(403);
    const scenario = buildScenario({ name: 'pim', people: ['ann'], skus: [{ skuPartNumber: 'AAD_PREMIUM_P2', servicePlans: ['AAD_PREMIUM', 'AAD_PREMIUM_P2'] }], grantedPermissions: ['Directory.Read.All'] });
    const p2 = await startSimulator({ scenarios: [scenario] });
    try {
      const res = await call<{ error: { code: string } }>(p2, 'GET', '/roleManagement/directory/roleEligibilitySchedules', { token: await tokenFor(p2) });
      expect([res.status, res.body.error.code]).toEqual([403, 'Authorization_RequestDenied']);
    } finally {
      await p2.close();
    }
  });
});

describe('"conditionalAccessPolicy resource type": the whole condition set', () => {
  it('serves clientAppTypes, risk levels, locations, platforms, devices, excluded apps and the authentication strength', async () => {
    const strength = { id: '00000000-0000-0000-0000-000000000004', displayName: 'Password or passkey', allowedCombinations: ['password', 'fido2'] };
    const scenario = buildScenario({
      name: 'ca-shape', people: ['ann'],
      conditionalAccessPolicies: [
        { displayName: 'Plain', state: 'enabled', includeUsers: ['All'] },
        { displayName: 'Narrow', state: 'enabled', includeUsers: ['All'], conditions: { signInRiskLevels: ['high'], applications: { includeApplications: ['All'], excludeApplications: [EXCHANGE] } }, authenticationStrength: strength },
      ],
    });
    const sim = await startSimulator({ scenarios: [scenario] });
    try {
      const res = await call<{ value: Record<string, { [k: string]: unknown }>[] }>(sim, 'GET', '/identity/conditionalAccess/policies', { token: await tokenFor(sim) });
      const [plain, narrow] = res.body.value;
      expect(plain.conditions).toMatchObject({ clientAppTypes: ['all'], userRiskLevels: [], signInRiskLevels: [], locations: null, platforms: null, devices: null, applications: { includeApplications: ['All'], excludeApplications: [] } });
      expect(plain.grantControls).toMatchObject({ operator: 'OR', builtInControls: ['mfa'], authenticationStrength: null });
      expect(narrow.conditions).toMatchObject({ signInRiskLevels: ['high'], applications: { excludeApplications: [EXCHANGE] } });
      expect(narrow.grantControls).toMatchObject({ builtInControls: [], authenticationStrength: strength });
    } finally {
      await sim.close();
    }
  });
});

describe('"driveItem: delta": sharing changes on an unchanged item only when asked', () => {
  it('a new anyone-link on an old file is not in the next delta round, unless all three Prefer values are sent (with Sites.FullControl.All)', async () => {
    const scenario = structuredClone(loadScenario('demo'));
    scenario.tenantId = randomUUID();
    scenario.grantedPermissions = [...scenario.grantedPermissions, 'Sites.FullControl.All'];
    const sim = await startSimulator({ scenarios: [scenario] });
    try {
      const token = await tokenFor(sim);
      const tenant = sim.tenant();
      const drive = [...tenant.drives.values()].find((d) => [...d.items.values()].some((i) => !i.folder && !i.root && !i.deleted))!;
      const file = [...drive.items.values()].find((i) => !i.folder && !i.root && !i.deleted)!;
      const first = await allPages(sim, token, `/drives/${drive.id}/root/delta`);
      const deltaLink = first[first.length - 1]['@odata.deltaLink']!;
      shareItem(tenant, drive, file, { id: 'anyone-1', roles: ['read'], link: { scope: 'anonymous', type: 'view', webUrl: `${drive.webUrl}/s/anyone-1` } }, 'cllr.ahmed@exampleparish.gov.uk');

      const plain = (await allPages<{ id: string }>(sim, token, deltaLink)).flatMap((p) => p.value);
      expect(plain.map((i) => i.id)).not.toContain(file.id);
      const asked = (await allPages<{ id: string; '@microsoft.graph.sharedChanged'?: string }>(sim, token, deltaLink,
        { Prefer: 'deltashowremovedasdeleted, deltatraversepermissiongaps, deltashowsharingchanges' })).flatMap((p) => p.value);
      expect(asked.find((i) => i.id === file.id)).toMatchObject({ '@microsoft.graph.sharedChanged': 'True' });
    } finally {
      await sim.close();
    }
  });
});
