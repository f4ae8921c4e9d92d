// The app registration's certificate read from Key Vault (KEY_VAULT_URI, COUNCILGUARD_CERTIFICATE_NAME):
// the function app's managed identity gets a token for https://vault.azure.net, reads the certificate's
// PEM secret with Get Secret, and signs the client assertion with it — real @azure/identity and MSAL
// against the simulator's identity endpoint, Key Vault and token authority. A missing secret, a vault the
// identity may not read and a certificate that is not PEM are configuration errors naming the settings.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildScenario, startSimulator, type RunningSimulator } from '../../simulator';
import { readEnvironment } from '../../config/env';
import { createGraphContext } from '../../graph';
import { CredentialError, InputError } from '../../core/errors';

const SUPPLIER = buildScenario({ name: 'supplier-vault', tenantId: '5a0e1c2d-3b4f-4a6e-8d7c-9b0a1f2e3d4c', grantedPermissions: ['User.Read.All'] });
const COUNCIL = buildScenario({ name: 'council-vault', tenantId: '6b1f2d3e-4c5a-4b7f-9e8d-0c1b2a3f4e5d', grantedPermissions: ['User.Read.All', 'Domain.Read.All'] });
const CERTS = join(__dirname, '../../simulator/certs');
/** The app's registered certificate, as Key Vault returns a PEM certificate's secret: key, then certificate. */
const APP_PEM = readFileSync(join(CERTS, 'client-cert-and-key.pem'), 'utf8');
/** A valid key and certificate the app registration does not trust. */
const OTHER_PEM = readFileSync(join(CERTS, 'server-key.pem'), 'utf8') + readFileSync(join(CERTS, 'server.pem'), 'utf8');
const NAME = 'councilguard-app';

describe('the app certificate from Key Vault', () => {
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
  beforeEach(() => {
    sim.keyVault.secrets.clear();
    sim.keyVault.secrets.set(NAME, { value: APP_PEM, contentType: 'application/x-pem-file' });
    sim.keyVault.readers.clear();
    sim.keyVault.readers.add(sim.managedIdentity.objectId);
  });

  // The Bicep's app settings with a certificate name: no federated credential, the vault's certificate instead.
  const azure = (extra: Record<string, string> = {}) => ({
    ...sim.managedIdentityEnv(), COUNCILGUARD_MANAGED_IDENTITY_CLIENT_ID: sim.managedIdentity.clientId, AZURE_CLIENT_ID: sim.clientId,
    COUNCILGUARD_USE_MANAGED_IDENTITY: 'false', KEY_VAULT_URI: sim.keyVaultUri, COUNCILGUARD_CERTIFICATE_NAME: NAME,
    AZURE_AUTHORITY_HOST: sim.url, GRAPH_BASE_URL: sim.url, EXCHANGE_BASE_URL: `${sim.url}/exchange`, ...extra,
  });
  const graphFor = (extra?: Record<string, string>) => createGraphContext(readEnvironment(azure(extra), COUNCIL.tenantId));

  it('signs in to a council\'s tenant with the certificate it reads from the vault', async () => {
    expect(readEnvironment(azure(), COUNCIL.tenantId)).toMatchObject({ credential: 'key-vault-certificate', keyVault: { uri: sim.keyVaultUri, certificateName: NAME } });
    expect(await graphFor().grantedRoles()).toEqual(['User.Read.All', 'Domain.Read.All']);
  });

  it('signs with exactly what the vault holds: a certificate the app does not trust is refused by Entra', async () => {
    sim.keyVault.secrets.set(NAME, { value: OTHER_PEM, contentType: 'application/x-pem-file' });
    await expect(graphFor().grantedRoles()).rejects.toThrow(/AADSTS700027: Client assertion failed signature validation/);
  });

  it('a secret the vault does not have is a configuration error naming both settings', async () => {
    const graph = graphFor({ COUNCILGUARD_CERTIFICATE_NAME: 'councilguard-old' });
    sim.stats.reset();
    const read = graph.grantedRoles();
    await expect(read).rejects.toThrow(InputError);
    await expect(read).rejects.toThrow(new RegExp(`Key Vault has no COUNCILGUARD_CERTIFICATE_NAME "councilguard-old" in KEY_VAULT_URI ${sim.keyVaultUri} \\(SecretNotFound\\); set COUNCILGUARD_CERTIFICATE_NAME .*or KEY_VAULT_URI`));
    expect(sim.stats.requests).toBe(0);
  });

  it('a certificate stored as PKCS#12 (or a plain secret) is a configuration error naming the fix', async () => {
    sim.keyVault.secrets.set(NAME, { value: Buffer.from('not really pfx').toString('base64'), contentType: 'application/x-pkcs12' });
    await expect(graphFor().grantedRoles()).rejects.toThrow(new RegExp(`COUNCILGUARD_CERTIFICATE_NAME "${NAME}" in KEY_VAULT_URI .* is not a PEM certificate \\(content type application/x-pkcs12\\); create the certificate in Key Vault with the content type application/x-pem-file`));
    sim.keyVault.secrets.set(NAME, { value: 'hunter2' });
    const plain = graphFor().grantedRoles();
    await expect(plain).rejects.toThrow(CredentialError);
    await expect(plain).rejects.toThrow(/is not a PEM certificate \(content type none\)/);
    // The secret's value is never repeated in the message.
    await expect(graphFor().grantedRoles()).rejects.not.toThrow(/hunter2/);
  });

  it('a certificate whose key is not exportable (read back without its private key) is a configuration error', async () => {
    sim.keyVault.secrets.set(NAME, { value: readFileSync(join(CERTS, 'client-cert.pem'), 'utf8'), contentType: 'application/x-pem-file' });
    await expect(graphFor().grantedRoles()).rejects.toThrow(new RegExp(`COUNCILGUARD_CERTIFICATE_NAME "${NAME}" in KEY_VAULT_URI .* holds no private key \\(the certificate's policy makes the key non-exportable\\)`));
  });

  it('an identity without a secrets-reading role on the vault is told which role to grant', async () => {
    sim.keyVault.readers.clear();
    await expect(graphFor().grantedRoles()).rejects.toThrow(/Key Vault refused to read COUNCILGUARD_CERTIFICATE_NAME .* \(HTTP 403 Forbidden\); give the function app's managed identity the Key Vault Secrets User role/);
  });

  it('a vault that cannot be reached names KEY_VAULT_URI', async () => {
    await expect(graphFor({ KEY_VAULT_URI: 'https://127.0.0.1:1/keyvault' }).grantedRoles()).rejects.toThrow(/Could not reach Key Vault to read COUNCILGUARD_CERTIFICATE_NAME .*; check KEY_VAULT_URI/);
  });
});

describe('the simulator\'s Key Vault (Get Secret, as Key Vault answers)', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ scenarios: [SUPPLIER] });
    sim.keyVault.secrets.set(NAME, { value: APP_PEM, contentType: 'application/x-pem-file' });
  });
  afterAll(() => sim.close());

  const identityToken = async (resource: string) => {
    const res = await fetch(`${sim.url}/msi/token?api-version=2019-08-01&resource=${encodeURIComponent(resource)}&client_id=${sim.managedIdentity.clientId}`, { headers: { 'X-IDENTITY-HEADER': sim.managedIdentityEnv().IDENTITY_HEADER } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { access_token: string }).access_token;
  };
  const getSecret = (name: string, token?: string, query = '?api-version=7.4') =>
    fetch(`${sim.keyVaultUri}/secrets/${name}${query}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });

  it('answers 401 with the bearer challenge without a token, or with a token for another resource', async () => {
    const bare = await getSecret(NAME);
    expect(bare.status).toBe(401);
    expect(bare.headers.get('www-authenticate')).toBe(`Bearer authorization="${sim.url}/${SUPPLIER.tenantId}", resource="https://vault.azure.net"`);
    expect(await bare.json()).toEqual({ error: { code: 'Unauthorized', message: expect.stringMatching(/missing a Bearer/) } });
    const graphToken = await identityToken(sim.url);
    expect((await getSecret(NAME, graphToken)).status).toBe(401);
  });

  it('returns the value, id and content type for a token for https://vault.azure.net; 404 SecretNotFound otherwise', async () => {
    const token = await identityToken('https://vault.azure.net');
    const res = await getSecret(NAME, token);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ value: APP_PEM, contentType: 'application/x-pem-file', id: expect.stringMatching(new RegExp(`/secrets/${NAME}/[0-9a-f]{32}$`)), attributes: expect.objectContaining({ enabled: true }) });
    const missing = await getSecret('nothing-here', token);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('SecretNotFound');
    expect((await getSecret(NAME, token, '')).status).toBe(400);
  });

  it('answers 403 to a caller without a secrets-reading role', async () => {
    const token = await identityToken('https://vault.azure.net');
    sim.keyVault.readers.clear();
    const res = await getSecret(NAME, token);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('Forbidden');
  });
});
