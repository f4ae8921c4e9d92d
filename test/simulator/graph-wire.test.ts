// Graph's wire format as the simulator speaks it: auth errors, the error body, licences, $select,
// $filter, paging (server page size, $top, odata.maxpagesize), request ids.
import { BUSINESS_BASIC, buildScenario, startSimulator, type RunningSimulator } from '../../simulator';
import { allPages, call, tokenFor } from './raw';

const people = Array.from({ length: 7 }, (_, i) => ({
  userPrincipalName: `person${i + 1}@testparish.gov.uk`,
  displayName: i < 3 ? `Cllr Person ${i + 1}` : `Staff ${i + 1}`,
  accountEnabled: i !== 4,
  lastPasswordChange: `-${(i + 1) * 10}d`,
  signInActivity: { lastSignIn: `-${i + 1}d` },
}));

describe('Graph wire format', () => {
  let sim: RunningSimulator;
  let token: string;
  let basicToken: string;
  const premium = buildScenario({ name: 'premium', users: people, grantedPermissions: ['User.Read.All', 'AuditLog.Read.All', 'Policy.Read.All'] });
  const basic = buildScenario({ name: 'basic-tier', skus: [BUSINESS_BASIC], users: people.slice(0, 2) });
  beforeAll(async () => {
    sim = await startSimulator({ scenarios: [premium, basic] });
    token = await tokenFor(sim);
    basicToken = await tokenFor(sim, { tenantId: basic.tenantId });
  });
  afterAll(() => sim.close());

  it('no token, or a forged one, is 401 InvalidAuthenticationToken in Graph\'s error body', async () => {
    for (const auth of [undefined, 'Bearer not.a.token', `Bearer ${token.slice(0, -4)}AAAA`]) {
      const res = await call<{ error: { code: string } }>(sim, 'GET', '/users', { headers: auth ? { Authorization: auth } : {} });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('InvalidAuthenticationToken');
    }
  });

  it('a missing role is 403 Authorization_RequestDenied with exactly Graph\'s body and a request-id header', async () => {
    const res = await call<Record<string, unknown>>(sim, 'GET', '/domains', { token, headers: { 'client-request-id': 'my-request-1' } });
    expect(res.status).toBe(403);
    expect(Object.keys(res.body)).toEqual(['error']);
    const error = res.body.error as { code: string; message: string; innerError: Record<string, string> };
    expect(Object.keys(error)).toEqual(['code', 'message', 'innerError']);
    expect(error.code).toBe('Authorization_RequestDenied');
    expect(error.message).toBe('Insufficient privileges to complete the operation.');
    expect(Object.keys(error.innerError).sort()).toEqual(['client-request-id', 'date', 'request-id']);
    expect(error.innerError['client-request-id']).toBe('my-request-1');
    expect(res.headers.get('request-id')).toBe(error.innerError['request-id']);
    expect(res.headers.get('client-request-id')).toBe('my-request-1');
  });

  it('features the tenant is not licensed for are 403 with Graph\'s non-premium code; the same call works with P1', async () => {
    const ca = await call<{ error: { code: string } }>(sim, 'GET', '/identity/conditionalAccess/policies', { token: basicToken });
    expect(ca.status).toBe(403);
    expect(ca.body.error.code).toBe('Authentication_RequestFromNonPremiumTenantOrB2CTenant');
    const activity = await call<{ error: { code: string } }>(sim, 'GET', '/users?$select=id,signInActivity', { token: basicToken });
    expect(activity.status).toBe(403);
    expect(activity.body.error.code).toBe('Authentication_RequestFromNonPremiumTenantOrB2CTenant');
    expect((await call(sim, 'GET', '/users?$select=id,displayName', { token: basicToken })).status).toBe(200);
    expect((await call(sim, 'GET', '/identity/conditionalAccess/policies', { token })).status).toBe(200);
  });

  it('$select returns only the named properties plus id; no $select gives Graph\'s default set; signInActivity only when selected', async () => {
    const selected = await call<{ value: Record<string, unknown>[] }>(sim, 'GET', '/users?$select=userPrincipalName,accountEnabled', { token });
    expect(Object.keys(selected.body.value[0]).sort()).toEqual(['accountEnabled', 'id', 'userPrincipalName']);
    const plain = await call<Record<string, unknown>>(sim, 'GET', `/users/${people[0].userPrincipalName}`, { token });
    expect(plain.body).toHaveProperty('displayName', 'Cllr Person 1');
    expect(plain.body).not.toHaveProperty('accountEnabled');
    expect(plain.body).not.toHaveProperty('signInActivity');
    const activity = await call<{ signInActivity: { lastSignInDateTime: string } }>(sim, 'GET', `/users/${people[0].userPrincipalName}?$select=signInActivity`, { token });
    expect(Date.now() - Date.parse(activity.body.signInActivity.lastSignInDateTime)).toBeGreaterThan(23 * 3600_000);
  });

  it('forced page size 2 pages 7 users in 4 pages of absolute nextLinks, each user once, in order', async () => {
    sim.setPageSize(2);
    try {
      const pages = await allPages<{ userPrincipalName: string }>(sim, token, '/users?$select=userPrincipalName');
      expect(pages.map((p) => p.value.length)).toEqual([2, 2, 2, 1]);
      expect(pages[0]['@odata.nextLink']).toMatch(new RegExp(`^${sim.url}/v1\\.0/users\\?.*\\$skiptoken=`));
      expect(pages.flatMap((p) => p.value.map((u) => u.userPrincipalName))).toEqual(people.map((p) => p.userPrincipalName));
      expect(Object.keys(pages[1].value[0]).sort()).toEqual(['id', 'userPrincipalName']); // $select survives paging
    } finally {
      sim.setPageSize(undefined);
    }
  });

  it('$top and Prefer: odata.maxpagesize set the page size; without them users come 100 to a page', async () => {
    expect((await allPages(sim, token, '/users?$top=3&$select=id')).map((p) => p.value.length)).toEqual([3, 3, 1]);
    expect((await allPages(sim, token, '/users?$select=id', { Prefer: 'odata.maxpagesize=5' })).map((p) => p.value.length)).toEqual([5, 2]);
    expect((await allPages(sim, token, '/users?$select=id')).map((p) => p.value.length)).toEqual([7]);
  });

  it('$filter: eq on strings and booleans, startswith, in (...), dates with ge, joined with and', async () => {
    const upns = async (filter: string) => (await call<{ value: { userPrincipalName: string }[] }>(sim, 'GET', `/users?$select=userPrincipalName&$filter=${encodeURIComponent(filter)}`, { token })).body.value.map((u) => u.userPrincipalName.split('@')[0]);
    expect(await upns("displayName eq 'cllr person 2'")).toEqual(['person2']);
    expect(await upns('accountEnabled eq false')).toEqual(['person5']);
    expect(await upns("startswith(displayName,'Cllr')")).toEqual(['person1', 'person2', 'person3']);
    expect(await upns("userPrincipalName in ('person6@testparish.gov.uk', 'person7@testparish.gov.uk')")).toEqual(['person6', 'person7']);
    const since = new Date(Date.now() - 45 * 86_400_000).toISOString();
    expect(await upns(`lastPasswordChangeDateTime ge ${since} and startswith(displayName,'Staff')`)).toEqual(['person4']);
    const bad = await call<{ error: { code: string } }>(sim, 'GET', `/users?$filter=${encodeURIComponent('displayName has Cllr')}`, { token });
    expect(bad.status).toBe(400);
  });

  it('an unknown segment is 400, a known path with the wrong method 405, an unknown user 404', async () => {
    expect((await call(sim, 'GET', '/usrs', { token })).status).toBe(400);
    expect((await call(sim, 'DELETE', '/users', { token })).status).toBe(405);
    const missing = await call<{ error: { code: string } }>(sim, 'GET', '/users/nobody@testparish.gov.uk', { token });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('Request_ResourceNotFound');
  });

  it('beta-only per-user MFA state is there in beta and not in v1.0', async () => {
    expect((await call(sim, 'GET', `/beta/users/${people[0].userPrincipalName}/authentication/requirements`, { token })).body).toEqual({ perUserMfaState: 'disabled' });
    expect((await call(sim, 'GET', `/v1.0/users/${people[0].userPrincipalName}/authentication/requirements`, { token })).status).toBe(400);
  });
});
