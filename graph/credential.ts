// The token credential from the settings (config/env.ts, CredentialKind): the managed identity as a
// federated credential of the multi-tenant app, a certificate from Key Vault, the managed identity
// itself, a certificate file or a client secret. Every token is checked to be for the council's tenant
// before anything uses it.
import { ClientAssertionCredential, ClientCertificateCredential, ClientSecretCredential, ManagedIdentityCredential, type AccessToken, type GetTokenOptions, type TokenCredential } from '@azure/identity';
import type { Settings } from '../config/env';

import { CredentialError } from '../core/errors';

const MICROSOFT_AUTHORITIES = /(^|\.)(login\.microsoftonline\.com|login\.microsoftonline\.us|login\.chinacloudapi\.cn|login\.partner\.microsoftonline\.cn)$/i;
/** The audience Entra requires of a managed identity's token used as a federated credential. */
export const TOKEN_EXCHANGE_SCOPE = 'api://AzureADTokenExchange/.default';

const managedIdentity = (settings: Settings) => (settings.managedIdentityClientId ? new ManagedIdentityCredential({ clientId: settings.managedIdentityClientId }) : new ManagedIdentityCredential());

export function createCredential(settings: Settings): TokenCredential {
  const authorityHost = settings.authorityHost;
  // A non-Microsoft authority (the simulator, a sovereign proxy) has no instance metadata to discover.
  const disableInstanceDiscovery = !!authorityHost && !MICROSOFT_AUTHORITIES.test(new URL(authorityHost).hostname);
  const common = { authorityHost, disableInstanceDiscovery, retryOptions: { maxRetries: 1, retryDelayInMs: 300 } };
  let inner: TokenCredential;
  switch (settings.credential) {
    case 'managed-identity':
      inner = managedIdentity(settings);
      break;
    case 'federated-managed-identity': {
      const identity = managedIdentity(settings);
      inner = new ClientAssertionCredential(settings.tenantId, settings.clientId!, async () => {
        const token = await identity.getToken(TOKEN_EXCHANGE_SCOPE);
        if (!token) throw new CredentialError('The managed identity gave no token for api://AzureADTokenExchange.');
        return token.token;
      }, common);
      break;
    }
    case 'key-vault-certificate':
      inner = new KeyVaultCertificateCredential(settings, common);
      break;
    case 'certificate':
      inner = new ClientCertificateCredential(settings.tenantId, settings.clientId!, { certificatePath: settings.certificatePath! }, common);
      break;
    default:
      inner = new ClientSecretCredential(settings.tenantId, settings.clientId!, settings.clientSecret!, common);
  }
  return new CachingCredential(new ExplainingCredential(inner, settings));
}

/**
 * The app registration's certificate, read once from Key Vault by managed identity (Get Secret returns a
 * certificate's key and chain as the secret's value; PEM when the certificate policy's content type is
 * application/x-pem-file), then used as a client certificate.
 */
class KeyVaultCertificateCredential implements TokenCredential {
  private inner?: Promise<TokenCredential>;

  constructor(private readonly settings: Settings, private readonly common: ConstructorParameters<typeof ClientCertificateCredential>[3]) {}

  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    this.inner ??= this.load().catch((err) => { this.inner = undefined; throw err; });
    return this.inner.then((c) => c.getToken(scopes, options));
  }

  private async load(): Promise<TokenCredential> {
    const { uri, certificateName } = this.settings.keyVault!;
    const where = `COUNCILGUARD_CERTIFICATE_NAME "${certificateName}" in KEY_VAULT_URI ${uri}`;
    const vaultToken = await managedIdentity(this.settings).getToken('https://vault.azure.net/.default');
    if (!vaultToken) throw new CredentialError(`The managed identity gave no token for Key Vault, so ${where} cannot be read.`);
    let res: Response;
    try {
      res = await fetch(`${uri}/secrets/${encodeURIComponent(certificateName)}?api-version=7.4`, { headers: { Authorization: `Bearer ${vaultToken.token}` }, signal: AbortSignal.timeout(15_000) });
    } catch (err) {
      throw new CredentialError(`Could not reach Key Vault to read ${where} (${err instanceof Error ? err.message : String(err)}); check KEY_VAULT_URI and the network (the vault's firewall must admit the function app's subnet).`);
    }
    // Key Vault's error body carries a code (SecretNotFound, Forbidden…) and a message naming no secret value.
    const code = res.ok ? undefined : await res.json().then((b) => (b as { error?: { code?: string } }).error?.code, () => undefined);
    if (res.status === 404) throw new CredentialError(`Key Vault has no ${where} (${code ?? 'HTTP 404'}); set COUNCILGUARD_CERTIFICATE_NAME to the certificate's name in that vault, or KEY_VAULT_URI to the vault that holds it.`);
    if (res.status === 401 || res.status === 403) throw new CredentialError(`Key Vault refused to read ${where} (HTTP ${res.status}${code ? ` ${code}` : ''}); give the function app's managed identity the Key Vault Secrets User role on that vault, and check KEY_VAULT_URI is the vault in the identity's tenant.`);
    if (!res.ok) throw new CredentialError(`Key Vault could not read ${where} (HTTP ${res.status}${code ? ` ${code}` : ''}); try again, and check KEY_VAULT_URI.`);
    const secret = await res.json() as { value?: string; contentType?: string };
    if (secret.contentType !== 'application/x-pem-file' || !secret.value?.includes('-----BEGIN')) {
      throw new CredentialError(`${where} is not a PEM certificate (content type ${secret.contentType ?? 'none'}); create the certificate in Key Vault with the content type application/x-pem-file (PEM, not PKCS#12), or point COUNCILGUARD_CERTIFICATE_NAME at one that is.`);
    }
    // A certificate whose policy makes the key non-exportable is read back without its private key.
    if (!/-----BEGIN (RSA |EC )?PRIVATE KEY-----/.test(secret.value)) {
      throw new CredentialError(`${where} holds no private key (the certificate's policy makes the key non-exportable); create it with an exportable key, or point COUNCILGUARD_CERTIFICATE_NAME at one that has one.`);
    }
    return new ClientCertificateCredential(this.settings.tenantId, this.settings.clientId!, { certificate: secret.value }, this.common);
  }
}

/** A token is used until this long before it expires (or until Entra's refresh_in has passed, if sooner). */
export const TOKEN_REFRESH_MARGIN_MS = 5 * 60 * 1000;

/**
 * Keeps each scope's token, already checked for the council's tenant, until it is due for renewal; one
 * acquisition at a time per scope. The Graph client asks for a token on every request: without this each
 * of a surrender's thousands of requests went through MSAL's cache look-up (and its logging), which was
 * a measurable share of the CPU when many surrenders ran at once. Written by hand: @azure/identity keeps
 * tokens in MSAL's cache but looks them up afresh each call, and @azure/core-rest-pipeline's token
 * cycler is internal to its own bearer-token policy. A request that asks for claims or another tenant
 * (a claims challenge) always goes to the credential.
 */
export class CachingCredential implements TokenCredential {
  private readonly entries = new Map<string, { token?: AccessToken; pending?: Promise<AccessToken | null> }>();

  constructor(private readonly inner: TokenCredential, private readonly now: () => number = Date.now) {}

  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    if (options?.claims || options?.tenantId) return this.inner.getToken(scopes, options);
    const key = [scopes].flat().join(' ');
    let entry = this.entries.get(key);
    if (!entry) this.entries.set(key, (entry = {}));
    const held = entry.token;
    if (held && this.now() < Math.min(held.expiresOnTimestamp - TOKEN_REFRESH_MARGIN_MS, held.refreshAfterTimestamp ?? Number.POSITIVE_INFINITY)) return Promise.resolve(held);
    const e = entry;
    e.pending ??= this.inner.getToken(scopes, options).then(
      (token) => { e.token = token ?? undefined; return token; },
    ).finally(() => { e.pending = undefined; });
    return e.pending;
  }
}

/** Relays Entra's AADSTS message with the fix, never the secret; bounds the wait for an unreachable host. */
class ExplainingCredential implements TokenCredential {
  constructor(private readonly inner: TokenCredential, private readonly settings: Settings, private readonly timeoutMs = 15_000) {}

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.timeoutMs);
    let token: AccessToken | null;
    try {
      token = await this.inner.getToken(scopes, { ...options, abortSignal: options?.abortSignal ?? abort.signal });
    } catch (err) {
      throw this.explain(err, abort.signal.aborted);
    } finally {
      clearTimeout(timer);
    }
    // A token for another tenant (a managed identity used for a council outside its own tenant, a
    // misconfigured authority) is never used: the council fails here, before any request is made.
    const tid = tenantOf(token?.token);
    if (tid && tid.toLowerCase() !== this.settings.tenantId.trim().toLowerCase()) {
      throw new CredentialError(`The ${this.settings.credential} credential gave a token for tenant ${tid}, but this council's tenant is ${this.settings.tenantId}; nothing was sent. `
        + (this.settings.credential === 'managed-identity'
          ? 'A managed identity gets tokens only in its own tenant: for other councils use the multi-tenant app registration (AZURE_CLIENT_ID with COUNCILGUARD_MANAGED_IDENTITY_CLIENT_ID, see infra/setup-federated-credential.sh).'
          : 'Check the council\'s tenantId in the council config and AZURE_AUTHORITY_HOST.'));
    }
    return token;
  }

  private explain(err: unknown, timedOut: boolean): Error {
    if (err instanceof CredentialError) return err;
    const raw = err instanceof Error ? err.message : String(err);
    const host = this.settings.authorityHost ?? 'https://login.microsoftonline.com';
    const aadsts = raw.match(/AADSTS\d+[^\r\n]*/)?.[0];
    if (aadsts) {
      const code = aadsts.match(/AADSTS\d+/)![0];
      const fix = code === 'AADSTS7000215' ? 'check AZURE_CLIENT_SECRET holds the secret\'s value (not its id) and has not expired'
        : code === 'AADSTS700016' ? 'check AZURE_CLIENT_ID, and that the app is consented in this tenant'
        : code === 'AADSTS70021' ? 'the app registration has no federated identity credential for this managed identity: run infra/setup-federated-credential.sh, and check COUNCILGUARD_MANAGED_IDENTITY_CLIENT_ID'
        : code === 'AADSTS700236' ? 'the managed identity and the multi-tenant app registration must be in the same (the IT supplier\'s) tenant; register the app there'
        : code === 'AADSTS90002' ? 'check AZURE_TENANT_ID (or the council\'s tenantId)'
        : 'check the app registration\'s credentials and consent';
      return new CredentialError(`The sign-in for tenant ${this.settings.tenantId} was refused: ${aadsts.split('Trace ID')[0].trim()} — ${fix}.`);
    }
    // MSAL reports an authority it cannot reach as endpoints_resolution_error.
    if (timedOut || /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|fetch failed|socket hang up|aborted|endpoints_resolution_error|network_error/i.test(raw)) {
      return new CredentialError(`Could not reach the sign-in authority ${host} to get a token (${raw.split('\n')[0].slice(0, 200)}); check AZURE_AUTHORITY_HOST and the network.`);
    }
    return new CredentialError(`Could not get a token for tenant ${this.settings.tenantId}: ${raw.split('\n')[0].slice(0, 300)}`);
  }
}

/** The tid claim of a token, unverified (we only ask what we were given). */
function tenantOf(token: string | undefined): string | undefined {
  try {
    const tid = (JSON.parse(Buffer.from(token!.split('.')[1], 'base64url').toString('utf8')) as { tid?: unknown }).tid;
    return typeof tid === 'string' ? tid : undefined;
  } catch {
    return undefined;
  }
}

/** Reads the roles claim without verifying the token (we only ask what we were given). */
export function rolesOf(token: string | undefined): string[] {
  if (!token) return [];
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as { roles?: string[] };
    return payload.roles ?? [];
  } catch {
    return [];
  }
}
