// The environment contract (DESIGN.md): the @azure/identity variables plus GRAPH_BASE_URL and
// EXCHANGE_BASE_URL. Every problem names the variable and the fix.
import { ConfigError } from '../core/errors';

export interface Settings {
  tenantId: string;
  clientId?: string;
  clientSecret?: string;
  certificatePath?: string;
  useManagedIdentity: boolean;
  authorityHost?: string;
  graphBaseUrl: string;
  exchangeBaseUrl: string;
}

function httpsUrl(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const raw = (env[name] ?? '').trim() || fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} "${raw}" is not a URL; set it to an https address such as ${fallback}, or unset it for the default.`);
  }
  if (url.protocol !== 'https:') {
    throw new ConfigError(`${name} "${raw}" must use https (tokens are never sent over plain http); set it to an https address such as ${fallback}.`);
  }
  return url.toString().replace(/\/+$/, '');
}

/**
 * Reads the settings. One multi-tenant app registration may serve several councils, so the tenant can
 * come from the council config instead of AZURE_TENANT_ID.
 */
export function readEnvironment(env: NodeJS.ProcessEnv = process.env, tenantIdOverride?: string): Settings {
  const tenantId = (tenantIdOverride ?? env.AZURE_TENANT_ID ?? '').trim();
  if (!tenantId) throw new ConfigError('AZURE_TENANT_ID is not set: set it to the council tenant\'s id (a GUID), or give tenantId in the council config.');
  const useManagedIdentity = env.COUNCILGUARD_USE_MANAGED_IDENTITY === 'true' || (!!(env.IDENTITY_ENDPOINT || env.MSI_ENDPOINT) && !env.AZURE_CLIENT_SECRET && !env.AZURE_CLIENT_CERTIFICATE_PATH);
  const settings: Settings = {
    tenantId,
    clientId: env.AZURE_CLIENT_ID?.trim() || undefined,
    clientSecret: env.AZURE_CLIENT_SECRET || undefined,
    certificatePath: env.AZURE_CLIENT_CERTIFICATE_PATH?.trim() || undefined,
    useManagedIdentity,
    authorityHost: env.AZURE_AUTHORITY_HOST ? httpsUrl(env, 'AZURE_AUTHORITY_HOST', 'https://login.microsoftonline.com') : undefined,
    graphBaseUrl: httpsUrl(env, 'GRAPH_BASE_URL', 'https://graph.microsoft.com'),
    exchangeBaseUrl: httpsUrl(env, 'EXCHANGE_BASE_URL', 'https://outlook.office365.com'),
  };
  if (!useManagedIdentity) {
    if (!settings.clientSecret && !settings.certificatePath) {
      throw new ConfigError('No credential is configured: set AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH (with AZURE_CLIENT_ID), or run in Azure with a managed identity (COUNCILGUARD_USE_MANAGED_IDENTITY=true).');
    }
    if (!settings.clientId) throw new ConfigError('AZURE_CLIENT_ID is not set: set it to the app registration\'s Application (client) ID.');
  }
  return settings;
}
