// The token credential from the settings: client secret, client certificate, or managed identity.
import { ClientCertificateCredential, ClientSecretCredential, ManagedIdentityCredential, type AccessToken, type GetTokenOptions, type TokenCredential } from '@azure/identity';
import type { Settings } from '../config/env';

import { CredentialError } from '../core/errors';

const MICROSOFT_AUTHORITIES = /(^|\.)(login\.microsoftonline\.com|login\.microsoftonline\.us|login\.chinacloudapi\.cn|login\.partner\.microsoftonline\.cn)$/i;

export function createCredential(settings: Settings): TokenCredential {
  const authorityHost = settings.authorityHost;
  // A non-Microsoft authority (the simulator, a sovereign proxy) has no instance metadata to discover.
  const disableInstanceDiscovery = !!authorityHost && !MICROSOFT_AUTHORITIES.test(new URL(authorityHost).hostname);
  const common = { authorityHost, disableInstanceDiscovery, retryOptions: { maxRetries: 1, retryDelayInMs: 300 } };
  let inner: TokenCredential;
  if (settings.useManagedIdentity) inner = settings.clientId ? new ManagedIdentityCredential({ clientId: settings.clientId }) : new ManagedIdentityCredential();
  else if (settings.certificatePath) inner = new ClientCertificateCredential(settings.tenantId, settings.clientId!, { certificatePath: settings.certificatePath }, common);
  else inner = new ClientSecretCredential(settings.tenantId, settings.clientId!, settings.clientSecret!, common);
  return new ExplainingCredential(inner, settings);
}

/** Relays Entra's AADSTS message with the fix, never the secret; bounds the wait for an unreachable host. */
class ExplainingCredential implements TokenCredential {
  constructor(private readonly inner: TokenCredential, private readonly settings: Settings, private readonly timeoutMs = 15_000) {}

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.timeoutMs);
    try {
      return await this.inner.getToken(scopes, { ...options, abortSignal: options?.abortSignal ?? abort.signal });
    } catch (err) {
      throw this.explain(err, abort.signal.aborted);
    } finally {
      clearTimeout(timer);
    }
  }

  private explain(err: unknown, timedOut: boolean): Error {
    const raw = err instanceof Error ? err.message : String(err);
    const host = this.settings.authorityHost ?? 'https://login.microsoftonline.com';
    const aadsts = raw.match(/AADSTS\d+[^\r\n]*/)?.[0];
    if (aadsts) {
      const code = aadsts.match(/AADSTS\d+/)![0];
      const fix = code === 'AADSTS7000215' ? 'check AZURE_CLIENT_SECRET holds the secret\'s value (not its id) and has not expired'
        : code === 'AADSTS700016' ? 'check AZURE_CLIENT_ID, and that the app is consented in this tenant'
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
