// Cross-tenant credentials without secrets: the function app's user-assigned managed identity is the
// federated credential of the IT supplier's multi-tenant app registration (ClientAssertionCredential fed
// by the identity's token for api://AzureADTokenExchange), with the real @azure/identity and MSAL against
// the simulator's App Service identity endpoint and token authority. The Bicep's own app settings plus
// IDENTITY_ENDPOINT choose that mode; COUNCILGUARD_USE_MANAGED_IDENTITY=false is honoured; and a token
// for another tenant than the council's is refused before any request is made.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildScenario, startSimulator, type RunningSimulator } from '../../simulator';
import { readEnvironment } from '../../config/env';
import { createGraphContext } from '../../graph';
import { CredentialError } from '../../core/errors';

const SUPPLIER = buildScenario({ name: 'supplier-home', tenantId: '5a0e1c2d-3b4f-4a6e-8d7c-9b0a1f2e3d4c', grantedPermissions: ['User.Read.All'] });
const COUNCIL = buildScenario({ name: 'council-away', tenantId: '6b1f2d3e-4c5a-4b7f-9e8d-0c1b2a3f4e5d', grantedPermissions: ['User.Read.All', 'Domain.Read.All'] });

/** The app settings infra/main.bicep writes, with the parameters and resource properties given values. */
function bicepAppSettings(values: Record<string, string>): Record<string, string> {
  const bicep = readFileSync(join(__dirname, '../../infra/main.bicep'), 'utf8');
  const out: Record<string, string> = {};
  for (const m of bicep.matchAll(/\{ name: '([A-Za-z0-9_]+)', value: (.+?) \}/g)) {
    const expr = m[2].trim();
    const ternary = /^empty\((\w+)\) \? '([^']*)' : '([^']*)'$/.exec(expr);
    out[m[1]] = /^'[^']*'$/.test(expr) ? expr.slice(1, -1)
      : ternary ? (values[ternary[1]] ? ternary[3] : ternary[2])
      : values[expr] ?? `(${expr})`;
  }
  return out;
}

describe('the cross-tenant credential', () => {
  let sim: RunningSimulator;
  const saved = { ...process.env };
  beforeAll(async () => {
    sim = await startSimulator({ scenarios: [SUPPLIER, COUNCIL] });
    // MSAL reads App Service's identity variables from process.env itself.
    Object.assign(process.env, sim.managedIdentityEnv());
  });
  afterAll(async () => {
    process.env = saved;
    await sim.close();
  });
  afterEach(() => { sim.managedIdentity.trustedByApp = true; sim.managedIdentity.homeTenantId = SUPPLIER.tenantId; sim.setAppHomeTenant(SUPPLIER.tenantId); });

  const azure = (extra: Record<string, string> = {}) => ({
    ...sim.managedIdentityEnv(), AZURE_CLIENT_ID: sim.clientId, COUNCILGUARD_USE_MANAGED_IDENTITY: 'false',
    AZURE_AUTHORITY_HOST: sim.url, GRAPH_BASE_URL: sim.url, EXCHANGE_BASE_URL: `${sim.url}/exchange`, ...extra,
  });

  it('the Bicep\'s app settings in Azure (IDENTITY_ENDPOINT set) choose the managed identity as federated credential of the app', () => {
    const settings = bicepAppSettings({ appClientId: sim.clientId, keyVaultCertificateName: '', 'uami.properties.clientId': sim.managedIdentity.clientId, 'vault.properties.vaultUri': 'https://cg-kv.vault.azure.net/' });
    expect(settings).toMatchObject({ COUNCILGUARD_USE_MANAGED_IDENTITY: 'false', AZURE_CLIENT_ID: sim.clientId, COUNCILGUARD_MANAGED_IDENTITY_CLIENT_ID: sim.managedIdentity.clientId });
    const env = { ...settings, IDENTITY_ENDPOINT: 'http://localhost:42356/msi/token', IDENTITY_HEADER: 'x' };
    expect(readEnvironment(env, COUNCIL.tenantId)).toMatchObject({ credential: 'federated-managed-identity', tenantId: COUNCIL.tenantId, clientId: sim.clientId, managedIdentityClientId: sim.managedIdentity.clientId });
    // A single-council deployment (no app registration) uses the identity itself, never an app's client id.
    const single = { ...bicepAppSettings({ keyVaultCertificateName: '', 'uami.properties.clientId': sim.managedIdentity.clientId, 'vault.properties.vaultUri': 'https://cg-kv.vault.azure.net/' }), IDENTITY_ENDPOINT: 'http://localhost:42356/msi/token' };
    expect(readEnvironment(single, SUPPLIER.tenantId)).toMatchObject({ credential: 'managed-identity', clientId: undefined, managedIdentityClientId: sim.managedIdentity.clientId });
  });

  it('COUNCILGUARD_USE_MANAGED_IDENTITY=false is honoured where the platform offers an identity', () => {
    const base = { IDENTITY_ENDPOINT: 'http://localhost:42356/msi/token', AZURE_TENANT_ID: COUNCIL.tenantId, AZURE_CLIENT_ID: sim.clientId };
    expect(readEnvironment({ ...base, COUNCILGUARD_USE_MANAGED_IDENTITY: 'false', AZURE_CLIENT_SECRET: 's' }).credential).toBe('secret');
    expect(readEnvironment({ ...base, COUNCILGUARD_USE_MANAGED_IDENTITY: 'false', KEY_VAULT_URI: 'https://cg-kv.vault.azure.net/', COUNCILGUARD_CERTIFICATE_NAME: 'councilguard' })).toMatchObject({ credential: 'key-vault-certificate', keyVault: { uri: 'https://cg-kv.vault.azure.net', certificateName: 'councilguard' } });
    expect(() => readEnvironment({ ...base, COUNCILGUARD_USE_MANAGED_IDENTITY: 'false' })).toThrow(/No credential is configured for the app registration .*COUNCILGUARD_MANAGED_IDENTITY_CLIENT_ID .*infra\/setup-federated-credential\.sh/);
    // The old trap: an app registration's client id with the platform's identity endpoint is not a managed identity.
    expect(() => readEnvironment(base)).toThrow(/No credential is configured for the app registration/);
    expect(() => readEnvironment({ ...base, COUNCILGUARD_USE_MANAGED_IDENTITY: 'yes' })).toThrow(/COUNCILGUARD_USE_MANAGED_IDENTITY "yes" must be true or false/);
  });

  it('gets a token for a council\'s tenant with no secret: the identity\'s exchange token as the app\'s assertion', async () => {
    const graph = createGraphContext(readEnvironment(azure(), COUNCIL.tenantId));
    expect(await graph.grantedRoles()).toEqual(['User.Read.All', 'Domain.Read.All']);
  });

  it('an app without the federated credential is refused with Entra\'s AADSTS70021 and the fix', async () => {
    sim.managedIdentity.trustedByApp = false;
    const graph = createGraphContext(readEnvironment(azure(), COUNCIL.tenantId));
    await expect(graph.grantedRoles()).rejects.toThrow(/AADSTS70021: No matching federated identity record .*run infra\/setup-federated-credential\.sh/);
  });

  it('an app registered in another tenant than the identity is refused with AADSTS700236', async () => {
    sim.setAppHomeTenant(COUNCIL.tenantId);
    const graph = createGraphContext(readEnvironment(azure(), COUNCIL.tenantId));
    await expect(graph.grantedRoles()).rejects.toThrow(/AADSTS700236.*must be in the same \(the IT supplier's\) tenant/);
  });

  it('a token for another tenant than the council\'s is refused before any request is made', async () => {
    // The identity itself (COUNCILGUARD_USE_MANAGED_IDENTITY=true) gets tokens only in its home tenant.
    const graph = createGraphContext(readEnvironment(azure({ COUNCILGUARD_USE_MANAGED_IDENTITY: 'true' }), COUNCIL.tenantId));
    sim.stats.reset();
    const why = new RegExp(`gave a token for tenant ${SUPPLIER.tenantId}, but this council's tenant is ${COUNCIL.tenantId}; nothing was sent\\. A managed identity gets tokens only in its own tenant`);
    // The start-of-run permission check meets it first, as a CredentialError (bad configuration, exit 2).
    const check = graph.grantedRoles();
    await expect(check).rejects.toThrow(CredentialError);
    await expect(check).rejects.toThrow(why);
    await expect(graph.get('/users')).rejects.toThrow(why);
    expect(sim.stats.requests).toBe(0);
    // In its own tenant the same identity is fine.
    const home = createGraphContext(readEnvironment(azure({ COUNCILGUARD_USE_MANAGED_IDENTITY: 'true' }), SUPPLIER.tenantId));
    expect(await home.grantedRoles()).toEqual(['User.Read.All']);
  });
});
