// The simulator's Entra-like token authority: discovery, client secret and client assertion, Entra's
// error bodies, and what goes into the access token.
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, X509Certificate, type JsonWebKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { buildScenario, startSimulator, type RunningSimulator } from '../../simulator';
import { call, claimsOf, tokenFor } from './raw';

const CERTS = join(__dirname, '../../simulator/certs');
const pem = readFileSync(join(CERTS, 'client-cert-and-key.pem'));
const x5t = Buffer.from(new X509Certificate(readFileSync(join(CERTS, 'client-cert.pem'))).fingerprint.replace(/:/g, ''), 'hex').toString('base64url');

describe('token authority', () => {
  let sim: RunningSimulator;
  const granted = buildScenario({ name: 'granted', grantedPermissions: ['User.Read.All', 'Domain.Read.All'], exchangeManageAsApp: true });
  const bare = buildScenario({ name: 'bare', grantedPermissions: [], exchangeManageAsApp: false });
  beforeAll(async () => { sim = await startSimulator({ scenarios: [granted, bare] }); });
  afterAll(() => sim.close());

  const tokenEndpoint = (tenant = granted.tenantId) => `${sim.url}/${tenant}/oauth2/v2.0/token`;
  const post = (form: Record<string, string>, tenant?: string) => fetch(tokenEndpoint(tenant), { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
  const assertion = (claims: Record<string, unknown> = {}, key: KeyObject = createPrivateKey(pem)) => jwt.sign(
    { aud: tokenEndpoint(), iss: sim.clientId, sub: sim.clientId, jti: randomUUID(), ...claims },
    key, { algorithm: 'RS256', expiresIn: 600, header: { alg: 'RS256', typ: 'JWT', x5t } },
  );

  it('publishes the OpenID configuration MSAL reads, with endpoints on the simulator', async () => {
    const res = await call(sim, 'GET', `${sim.url}/${granted.tenantId}/v2.0/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      issuer: `${sim.url}/${granted.tenantId}/v2.0`,
      token_endpoint: tokenEndpoint(),
      authorization_endpoint: `${sim.url}/${granted.tenantId}/oauth2/v2.0/authorize`,
      jwks_uri: `${sim.url}/${granted.tenantId}/discovery/v2.0/keys`,
    });
  });

  it('publishes its user-token signing key at jwks_uri and signs user tokens RS256 with it, claims in Entra\'s order', async () => {
    const keys = await call(sim, 'GET', `${sim.url}/${granted.tenantId}/discovery/v2.0/keys`);
    expect(keys.status).toBe(200);
    const [key] = (keys.body as { keys: Record<string, string>[] }).keys;
    expect(key).toMatchObject({ kty: 'RSA', use: 'sig', e: 'AQAB', issuer: `${sim.url}/{tenantid}/v2.0` });
    const token = sim.signUserToken({ audience: '5d3c6a0e-8f1b-4c2d-9a7e-1b2c3d4e5f60', tenantId: granted.tenantId, objectId: randomUUID(), preferredUsername: 'clerk@testparish.gov.uk', name: 'The Clerk', roles: ['Offboarding.Request'] });
    const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8')) as { alg: string; kid: string };
    expect(header).toMatchObject({ alg: 'RS256', kid: key.kid });
    const claims = jwt.verify(token, createPublicKey({ key: key as unknown as JsonWebKey, format: 'jwk' }), { algorithms: ['RS256'] }) as Record<string, unknown>;
    expect(Object.keys(claims)).toEqual(['aud', 'iss', 'iat', 'nbf', 'exp', 'name', 'oid', 'preferred_username', 'rh', 'roles', 'sub', 'tid', 'uti', 'ver']);
    expect(claims).toMatchObject({ iss: `${sim.url}/${granted.tenantId}/v2.0`, tid: granted.tenantId, ver: '2.0' });
    // A token signed with any other key does not verify against the published one.
    expect(() => jwt.verify(sim.signUserToken({ audience: 'x', tenantId: granted.tenantId, objectId: 'o', preferredUsername: 'a@b.c', name: 'n' }, {}, 'other'), createPublicKey({ key: key as unknown as JsonWebKey, format: 'jwk' }))).toThrow(/invalid signature/);
  });

  it('serves App Service\'s managed identity endpoint: the identity header, api-version 2019-08-01, its own client id, its home tenant only', async () => {
    const { IDENTITY_ENDPOINT, IDENTITY_HEADER } = sim.managedIdentityEnv();
    const ask = (query: string, header: string | undefined = IDENTITY_HEADER) => call(sim, 'GET', `${IDENTITY_ENDPOINT}?${query}`, { headers: header ? { 'X-IDENTITY-HEADER': header } : {} });
    expect((await ask('api-version=2019-08-01&resource=api://AzureADTokenExchange', '')).status).toBe(401);
    expect((await ask('api-version=2017-09-01&resource=api://AzureADTokenExchange')).status).toBe(400);
    expect((await ask(`api-version=2019-08-01&resource=api://AzureADTokenExchange&client_id=${randomUUID()}`)).status).toBe(400);
    const exchange = await ask(`api-version=2019-08-01&resource=api://AzureADTokenExchange&client_id=${sim.managedIdentity.clientId}`);
    expect(exchange.status).toBe(200);
    expect(exchange.body).toMatchObject({ token_type: 'Bearer', resource: 'api://AzureADTokenExchange', client_id: sim.managedIdentity.clientId, expires_on: expect.stringMatching(/^\d+$/) });
    expect(claimsOf(String((exchange.body as { access_token: string }).access_token))).toMatchObject({ aud: 'api://AzureADTokenExchange', iss: `${sim.url}/${granted.tenantId}/v2.0`, sub: sim.managedIdentity.objectId, tid: granted.tenantId });
    const graph = await ask(`api-version=2019-08-01&resource=${encodeURIComponent(sim.url)}`);
    expect(claimsOf(String((graph.body as { access_token: string }).access_token))).toMatchObject({ tid: granted.tenantId, roles: ['User.Read.All', 'Domain.Read.All'] });
  });

  it('issues a Graph token for the client secret: audience, tenant, app id, granted roles, one hour', async () => {
    const res = await post({ grant_type: 'client_credentials', client_id: sim.clientId, client_secret: sim.clientSecret, scope: `${sim.url}/.default` });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token_type: string; expires_in: number; access_token: string };
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_in).toBeGreaterThan(3000);
    const claims = claimsOf(body.access_token);
    expect(claims).toMatchObject({ aud: sim.url, tid: granted.tenantId, appid: sim.clientId, roles: ['User.Read.All', 'Domain.Read.All'] });
    expect((claims.exp as number) - (claims.iat as number)).toBe(3600);
  });

  it('issues an Exchange token with Exchange.ManageAsApp only where granted, and no roles claim where nothing is', async () => {
    expect(claimsOf(await tokenFor(sim, { resource: `${sim.url}/exchange` }))).toMatchObject({ aud: `${sim.url}/exchange`, roles: ['Exchange.ManageAsApp'] });
    const none = claimsOf(await tokenFor(sim, { tenantId: bare.tenantId, resource: `${sim.url}/exchange` }));
    expect(none.aud).toBe(`${sim.url}/exchange`);
    expect(none).not.toHaveProperty('roles');
    expect(claimsOf(await tokenFor(sim, { tenantId: bare.tenantId }))).not.toHaveProperty('roles');
  });

  it('accepts a client assertion signed with the registered certificate\'s key', async () => {
    const res = await post({
      grant_type: 'client_credentials', client_id: sim.clientId, scope: `${sim.url}/.default`,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion(),
    });
    expect(res.status).toBe(200);
    expect(claimsOf(((await res.json()) as { access_token: string }).access_token).tid).toBe(granted.tenantId);
  });

  it('refuses an assertion signed by another key, or naming another app, with Entra\'s codes', async () => {
    const form = (a: string) => ({ grant_type: 'client_credentials', client_id: sim.clientId, scope: `${sim.url}/.default`, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: a });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = await post(form(assertion({}, privateKey)));
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ error: 'invalid_client', error_codes: [700027] });
    const otherApp = await post(form(assertion({ iss: randomUUID(), sub: randomUUID() })));
    expect(otherApp.status).toBe(401);
    expect(await otherApp.json()).toMatchObject({ error: 'invalid_client', error_codes: [700021] });
  });

  it('a wrong secret gets 401 with Entra\'s AADSTS7000215 body', async () => {
    const res = await post({ grant_type: 'client_credentials', client_id: sim.clientId, client_secret: 'not-the-secret', scope: `${sim.url}/.default` });
    expect(res.status).toBe(401);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['correlation_id', 'error', 'error_codes', 'error_description', 'error_uri', 'timestamp', 'trace_id']);
    expect(body.error).toBe('invalid_client');
    expect(body.error_codes).toEqual([7000215]);
    expect(body.error_description).toMatch(new RegExp(`^AADSTS7000215: Invalid client secret provided\\. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${sim.clientId}'\\.`));
    expect(body.error_description).toContain(`Trace ID: ${body.trace_id}`);
  });

  it('an unknown tenant gets AADSTS90002, an unknown app AADSTS700016', async () => {
    const tenant = randomUUID();
    const res = await post({ grant_type: 'client_credentials', client_id: sim.clientId, client_secret: sim.clientSecret, scope: `${sim.url}/.default` }, tenant);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; error_codes: number[]; error_description: string };
    expect(body).toMatchObject({ error: 'invalid_tenant', error_codes: [90002] });
    expect(body.error_description).toMatch(new RegExp(`^AADSTS90002: Tenant '${tenant}' not found`));
    const app = await post({ grant_type: 'client_credentials', client_id: randomUUID(), client_secret: sim.clientSecret, scope: `${sim.url}/.default` });
    expect(await app.json()).toMatchObject({ error: 'unauthorized_client', error_codes: [700016] });
  });

  it('a token for Exchange does not open Graph, nor a Graph token Exchange', async () => {
    const exchangeToken = await tokenFor(sim, { resource: `${sim.url}/exchange` });
    const res = await call<{ error: { code: string } }>(sim, 'GET', '/users', { token: exchangeToken });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('InvalidAuthenticationToken');
    const ex = await call(sim, 'POST', `/exchange/adminapi/beta/${granted.tenantId}/InvokeCommand`, { token: await tokenFor(sim), body: { CmdletInput: { CmdletName: 'Get-Mailbox', Parameters: {} } } });
    expect(ex.status).toBe(401);
  });
});
