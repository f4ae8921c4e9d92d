// The caller's identity is proved by the Entra token the platform forwards, checked against the
// simulator acting as Entra (RS256, published JWKS): signature, issuer, audience, expiry and tenant. The
// principal is oid + tid + the sign-in name; a display name decides nothing; x-ms-client-principal alone
// gets 401. Then which council a caller speaks for (several tenants, an IT supplier's own tenant), and
// the CSRF rule for state-changing requests.
import { HttpRequest } from '@azure/functions';
import { buildScenario, startSimulator, type RunningSimulator } from '../../simulator';
import { callerBelongsTo, refuseCrossSite, requireRole, TokenVerifier, type Principal } from '../../functions/auth';
import type { CouncilConfig } from '../../policy/council-config';
import { ConfigError } from '../../core/errors';
import { forgedPrincipalHeader, objectIdOf, sameOriginJson, signInWith, SIGN_IN_APP, type SignInHarness } from '../support/sign-in';

const NORTH = '1a2b3c4d-0000-4000-8000-00000000000a';
const SOUTH = '1a2b3c4d-0000-4000-8000-00000000000b';
const SUPPLIER = '1a2b3c4d-0000-4000-8000-00000000000c';
const STRANGER = '1a2b3c4d-0000-4000-8000-00000000000d';

const council = (name: string, tenantId: string, domain: string, supplier: Partial<CouncilConfig['itSupplier']> = {}) =>
  ({ name, tenantId, domains: [domain], itSupplier: { accounts: ['support@itco.example'], appIds: [], ...supplier } }) as unknown as CouncilConfig;
const north = council('North Parish Council', NORTH, 'northparish.gov.uk', { tenantId: SUPPLIER });
const south = council('South Parish Council', SOUTH, 'southparish.gov.uk');
const councils = [north, south];

const URL_ = 'https://councilguard.example/api/plans/P1/approve';
const request = (headers: Record<string, string>, method = 'GET') => new HttpRequest({ method, url: URL_, headers });

describe('requireRole: the principal comes from a verified Entra token', () => {
  let sim: RunningSimulator;
  let s: SignInHarness;
  beforeAll(async () => {
    sim = await startSimulator({ scenarios: [buildScenario({ name: 'north', tenantId: NORTH })] });
    s = signInWith(sim);
  });
  afterAll(() => sim.close());

  const clerk = { upn: 'clerk@northparish.gov.uk', tenantId: NORTH, roles: ['Offboarding.Request'] };
  const check = () => ({ signIn: s.signIn, councils });
  const outcome = async (headers: Record<string, string>) => {
    const r = await requireRole(request(headers), 'Offboarding.Request', check());
    return 'response' in r ? { status: r.response.status, error: String((r.response.jsonBody as { error: string }).error) } : r.principal;
  };

  it('a valid ID token from the token store gives oid, tid and the sign-in name; the display name is only carried', async () => {
    const who = await outcome(s.headers({ ...clerk, name: 'Jane Clerk' }));
    expect(who).toEqual({ objectId: objectIdOf(clerk.upn, NORTH), tenantId: NORTH, userPrincipalName: clerk.upn, displayName: 'Jane Clerk', roles: ['Offboarding.Request'] });
  });

  it('an API caller\'s bearer access token works the same way', async () => {
    expect(await outcome({ authorization: `Bearer ${s.token(clerk)}` })).toMatchObject({ userPrincipalName: clerk.upn, tenantId: NORTH });
  });

  it.each<[string, (h: SignInHarness) => Record<string, string>, RegExp]>([
    ['no token at all', () => ({}), /Sign in first/],
    ['a forged x-ms-client-principal without a token', () => ({ 'x-ms-client-principal': forgedPrincipalHeader(clerk) }), /Sign in first/],
    ['a token signed with a key Entra does not publish', (h) => h.headers(clerk, {}, 'other'), /failed validation/],
    ['a token for another app (audience)', (h) => h.headers(clerk, { aud: '00000003-0000-0000-c000-000000000000' }), /failed validation \(ERR_JWT_CLAIM_VALIDATION_FAILED: aud\)/],
    ['an expired token', (h) => h.headers(clerk, { iat: 1_700_000_000, nbf: 1_700_000_000, exp: 1_700_003_600 }), /failed validation \(ERR_JWT_EXPIRED: exp\)/],
    ['a token whose issuer is another tenant than its tid', (h) => h.headers(clerk, { iss: `${sim.url}/${SOUTH}/v2.0` }), /failed validation/],
    ['a token from a tenant no council lists', (h) => h.headers({ ...clerk, tenantId: STRANGER }), /from a tenant no council in the config lists/],
    ['a token with no sign-in name', (h) => h.headers(clerk, { preferred_username: undefined }), /names no user/],
    ['a token that is not a JWT', () => ({ 'x-ms-token-aad-id-token': 'not-a-token' }), /not a JWT/],
  ])('401 for %s', async (_name, headers, error) => {
    expect(await outcome(headers(s))).toEqual({ status: 401, error: expect.stringMatching(error) });
  });

  it('403 without the app role, naming it', async () => {
    expect(await outcome(s.headers({ ...clerk, roles: ['Reports.Read'] }))).toEqual({ status: 403, error: expect.stringMatching(/lacks the app role Offboarding\.Request/) });
  });

  it('503 naming the setting when sign-in is not configured', async () => {
    const r = await requireRole(request(s.headers(clerk)), 'Offboarding.Request', { councils, signIn: () => { throw new ConfigError('COUNCILGUARD_SIGNIN_CLIENT_ID is not set'); } });
    expect(r).toMatchObject({ response: { status: 503, jsonBody: { error: expect.stringMatching(/COUNCILGUARD_SIGNIN_CLIENT_ID/) } } });
  });

  it('keeps one key set per tenant and checks the next token without a new key set', async () => {
    const verifier = new TokenVerifier({ clientId: SIGN_IN_APP, authorityHost: sim.url });
    const tenants = new Set([NORTH]);
    expect(await verifier.verify(s.token(clerk), tenants)).toHaveProperty('principal');
    expect(await verifier.verify(s.token(clerk), tenants)).toHaveProperty('principal');
    expect((verifier as unknown as { keySets: Map<string, unknown> }).keySets.size).toBe(1);
  });
});

describe('callerBelongsTo: tenant and sign-in name, never the display name', () => {
  const p = (upn: string, tenantId: string, displayName = upn): Principal => ({ objectId: objectIdOf(upn, tenantId), tenantId, userPrincipalName: upn, displayName, roles: [] });

  it.each<[string, Principal, CouncilConfig, boolean]>([
    ['the council\'s clerk from its own tenant', p('clerk@northparish.gov.uk', NORTH), north, true],
    ['the same address signed in from another council\'s tenant', p('clerk@northparish.gov.uk', SOUTH), north, false],
    ['a South clerk whose display name is North\'s clerk\'s address', p('clerk@southparish.gov.uk', SOUTH, 'clerk@northparish.gov.uk'), north, false],
    ['a listed supplier account from the supplier\'s own tenant', p('support@itco.example', SUPPLIER), north, true],
    ['a listed supplier account signed in from the council\'s tenant (a guest)', p('support@itco.example', NORTH), north, true],
    ['the supplier tenant, an account it does not list', p('intern@itco.example', SUPPLIER), north, false],
    ['the supplier tenant, an address in the council\'s domain', p('clerk@northparish.gov.uk', SUPPLIER), north, false],
    ['a listed supplier account from a council that lists no supplier tenant', p('support@itco.example', SUPPLIER), south, false],
    ['a listed supplier account from a stranger\'s tenant', p('support@itco.example', STRANGER), north, false],
  ])('%s', (_name, who, c, expected) => {
    expect(callerBelongsTo(c, who)).toBe(expected);
  });
});

describe('refuseCrossSite: state-changing requests need a JSON body and a same-origin Origin', () => {
  const post = (headers: Record<string, string>) => refuseCrossSite(request(headers, 'POST'))?.status ?? 'ok';

  it.each<[string, Record<string, string>, number | 'ok']>([
    ['the clerk page\'s fetch', sameOriginJson(URL_), 'ok'],
    ['same Origin without Sec-Fetch-Site (an older browser)', { 'content-type': 'application/json; charset=utf-8', origin: 'https://councilguard.example' }, 'ok'],
    ['Sec-Fetch-Site: same-origin without Origin', { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' }, 'ok'],
    ['a cross-site form (text/plain)', { 'content-type': 'text/plain', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }, 403],
    ['a same-site form post (urlencoded)', { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://councilguard.example' }, 403],
    ['JSON from another origin', { 'content-type': 'application/json', origin: 'https://evil.example' }, 403],
    ['JSON from a sibling subdomain (same-site, not same-origin)', { 'content-type': 'application/json', origin: 'https://x.councilguard.example', 'sec-fetch-site': 'same-site' }, 403],
    ['JSON with neither Origin nor Sec-Fetch-Site', { 'content-type': 'application/json' }, 403],
    ['Origin right but Sec-Fetch-Site cross-site', { 'content-type': 'application/json', origin: 'https://councilguard.example', 'sec-fetch-site': 'cross-site' }, 403],
    ['no content type', { origin: 'https://councilguard.example' }, 403],
  ])('%s', (_name, headers, expected) => {
    expect(post(headers)).toBe(expected);
  });
});
