// Every environment variable and app setting CouncilGuard reads is read and validated here, and only
// here (docs/ARCHITECTURE.md, "Settings"): the @azure/identity variables, GRAPH_BASE_URL and
// EXCHANGE_BASE_URL, storage, the config path, the schedule and the operational knobs. Every problem
// names the variable and the fix, at start-up rather than as a NaN deep inside a run.
import { hostname, userInfo } from 'node:os';
import { ConfigError } from '../core/errors';

/**
 * How CouncilGuard signs in to a council's tenant:
 * - `federated-managed-identity`: the supported Azure mode for an IT supplier with many councils. The
 *   user-assigned managed identity's token for api://AzureADTokenExchange is the client assertion of the
 *   multi-tenant app registration, which trusts it as a federated identity credential. No secret.
 * - `key-vault-certificate`: the app registration's certificate (PEM), read from Key Vault by managed identity.
 * - `managed-identity`: the managed identity itself; its own tenant only (a single-council deployment).
 * - `certificate` / `secret`: the app registration's certificate file or client secret (the command line).
 */
export type CredentialKind = 'federated-managed-identity' | 'key-vault-certificate' | 'managed-identity' | 'certificate' | 'secret';

export interface Settings {
  tenantId: string;
  credential: CredentialKind;
  /** The app registration's client id (every kind but managed-identity). */
  clientId?: string;
  clientSecret?: string;
  certificatePath?: string;
  /** COUNCILGUARD_MANAGED_IDENTITY_CLIENT_ID: the user-assigned identity's client id; absent = system-assigned. */
  managedIdentityClientId?: string;
  /** KEY_VAULT_URI and COUNCILGUARD_CERTIFICATE_NAME, for key-vault-certificate. */
  keyVault?: { uri: string; certificateName: string };
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
  const flag = env.COUNCILGUARD_USE_MANAGED_IDENTITY?.trim().toLowerCase() || undefined;
  if (flag && flag !== 'true' && flag !== 'false') {
    throw new ConfigError(`COUNCILGUARD_USE_MANAGED_IDENTITY "${env.COUNCILGUARD_USE_MANAGED_IDENTITY}" must be true or false (or unset): true signs in as the managed identity itself, false never does.`);
  }
  const clientId = env.AZURE_CLIENT_ID?.trim() || undefined;
  const clientSecret = env.AZURE_CLIENT_SECRET || undefined;
  const certificatePath = env.AZURE_CLIENT_CERTIFICATE_PATH?.trim() || undefined;
  const managedIdentityClientId = env.COUNCILGUARD_MANAGED_IDENTITY_CLIENT_ID?.trim() || undefined;
  const vaultUri = env.KEY_VAULT_URI?.trim() || undefined;
  const certificateName = env.COUNCILGUARD_CERTIFICATE_NAME?.trim() || undefined;
  const inAzure = !!(env.IDENTITY_ENDPOINT || env.MSI_ENDPOINT);
  // false is honoured even where the platform offers a managed identity (IDENTITY_ENDPOINT is set in
  // every Azure function app): the app registration's credential is then used, never the identity itself.
  const credential: CredentialKind | undefined = flag === 'true' ? 'managed-identity'
    : clientSecret ? 'secret'
    : certificatePath ? 'certificate'
    // A certificate named in Key Vault is asked for on purpose; otherwise the identity is the federated credential.
    : vaultUri && certificateName && clientId ? 'key-vault-certificate'
    : managedIdentityClientId && clientId ? 'federated-managed-identity'
    : flag === undefined && inAzure && !clientId ? 'managed-identity'
    : undefined;
  if (!credential) {
    throw new ConfigError(inAzure
      ? 'No credential is configured for the app registration (AZURE_CLIENT_ID): in Azure set COUNCILGUARD_MANAGED_IDENTITY_CLIENT_ID to the user-assigned identity the app trusts as a federated credential (infra/setup-federated-credential.sh), or KEY_VAULT_URI and COUNCILGUARD_CERTIFICATE_NAME; on the command line set AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH.'
      : 'No credential is configured: set AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH (with AZURE_CLIENT_ID), or run in Azure with a managed identity (COUNCILGUARD_USE_MANAGED_IDENTITY=true).');
  }
  if (credential !== 'managed-identity' && !clientId) throw new ConfigError('AZURE_CLIENT_ID is not set: set it to the app registration\'s Application (client) ID.');
  if (vaultUri) httpsUrl(env, 'KEY_VAULT_URI', 'https://myvault.vault.azure.net');
  return {
    tenantId,
    credential,
    clientId: credential === 'managed-identity' ? undefined : clientId,
    clientSecret: credential === 'secret' ? clientSecret : undefined,
    certificatePath: credential === 'certificate' ? certificatePath : undefined,
    managedIdentityClientId,
    keyVault: credential === 'key-vault-certificate' ? { uri: httpsUrl(env, 'KEY_VAULT_URI', 'https://myvault.vault.azure.net'), certificateName: certificateName! } : undefined,
    authorityHost: env.AZURE_AUTHORITY_HOST ? httpsUrl(env, 'AZURE_AUTHORITY_HOST', 'https://login.microsoftonline.com') : undefined,
    graphBaseUrl: httpsUrl(env, 'GRAPH_BASE_URL', 'https://graph.microsoft.com'),
    exchangeBaseUrl: httpsUrl(env, 'EXCHANGE_BASE_URL', 'https://outlook.office365.com'),
  };
}

/** Who may sign in to the function app: the CouncilGuard app registration the platform signs users in to. */
export interface SignInSettings {
  /** COUNCILGUARD_SIGNIN_CLIENT_ID: the app registration's client id, the audience of every token accepted. */
  clientId: string;
  /** COUNCILGUARD_SIGNIN_AUTHORITY: the issuer's host; tokens come from {authority}/{tenant}/v2.0. */
  authorityHost: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function readSignInSettings(env: NodeJS.ProcessEnv = process.env): SignInSettings {
  const clientId = env.COUNCILGUARD_SIGNIN_CLIENT_ID?.trim() ?? '';
  if (!GUID.test(clientId)) {
    throw new ConfigError(`COUNCILGUARD_SIGNIN_CLIENT_ID ${clientId ? `"${clientId}" is not a GUID` : 'is not set'}: set it to the Application (client) ID of the CouncilGuard sign-in app registration (infra/main.bicep sets it from the signInClientId parameter).`);
  }
  return { clientId: clientId.toLowerCase(), authorityHost: httpsUrl(env, 'COUNCILGUARD_SIGNIN_AUTHORITY', 'https://login.microsoftonline.com') };
}

/**
 * The function app's public address, for links in reports to its pages (the plan page): COUNCILGUARD_PUBLIC_URL
 * (https; a custom domain), else https://WEBSITE_HOSTNAME, which App Service sets to the app's default host
 * name; undefined on the command line, where reports show the plan's id and path instead.
 */
export function readPublicBaseUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.COUNCILGUARD_PUBLIC_URL?.trim()) return httpsUrl(env, 'COUNCILGUARD_PUBLIC_URL', 'https://councilguard.example.net');
  const host = env.WEBSITE_HOSTNAME?.trim();
  return host && /^[a-z0-9.-]+(:\d+)?$/i.test(host) ? `https://${host.toLowerCase()}` : undefined;
}

/** The council config file's path (COUNCILGUARD_CONFIG), for the function app, which has no --config. */
export function requireConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const path = env.COUNCILGUARD_CONFIG?.trim();
  if (!path) throw new ConfigError('COUNCILGUARD_CONFIG is not set: point it at the council config JSON file deployed with the app.');
  return path;
}

export type StorageSettings =
  | { kind: 'account'; account: string }
  | { kind: 'connection-string'; connectionString: string }
  /** No storage configured: the command line starts a local Azurite. */
  | { kind: 'local' };

const CONNECTION_STRING_HELP = 'expected "DefaultEndpointsProtocol=https;AccountName=...;AccountKey=...;EndpointSuffix=core.windows.net" ' +
  '(copy it from the storage account\'s "Access keys" page) or "UseDevelopmentStorage=true" for a local Azurite; or unset it and CouncilGuard starts local storage itself';

/** What is wrong with a connection string, or undefined when it has what the store needs. Never echoes the string: it holds the account key. */
export function connectionStringProblem(connectionString: string): string | undefined {
  const parts = new Map<string, string>();
  for (const part of connectionString.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) parts.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  if (parts.get('usedevelopmentstorage')?.toLowerCase() === 'true') return undefined;
  if (!parts.size) return `COUNCILGUARD_STORAGE is not an Azure Storage connection string: ${CONNECTION_STRING_HELP}.`;
  const missing: string[] = [];
  if (!parts.get('accountkey') && !parts.get('sharedaccesssignature')) missing.push('AccountKey (or SharedAccessSignature)');
  if (!parts.get('accountname') && !parts.get('tableendpoint')) missing.push('AccountName (or TableEndpoint)');
  if (!parts.get('accountname') && !parts.get('blobendpoint')) missing.push('AccountName (or BlobEndpoint)');
  if (missing.length) return `COUNCILGUARD_STORAGE is not an Azure Storage connection string: it has no ${missing.join(', ')}; ${CONNECTION_STRING_HELP}.`;
  return undefined;
}

/**
 * Where the store lives: COUNCILGUARD_STORAGE_ACCOUNT (managed identity), else COUNCILGUARD_STORAGE (a
 * connection string), else local. In the function app (`functionApp`), the storage account the Functions
 * host itself uses (AzureWebJobsStorage) is the default, and a local store is refused: it would silently
 * keep history on a disposable disk.
 */
export function readStorageSettings(env: NodeJS.ProcessEnv = process.env, opts: { functionApp?: boolean } = {}): StorageSettings {
  let account = env.COUNCILGUARD_STORAGE_ACCOUNT?.trim();
  let connectionString = env.COUNCILGUARD_STORAGE?.trim();
  if (!account && !connectionString && opts.functionApp) {
    account = env.AzureWebJobsStorage__accountName?.trim();
    if (!account) connectionString = env.AzureWebJobsStorage?.trim();
  }
  if (account) {
    if (!/^[a-z0-9]{3,24}$/.test(account)) throw new ConfigError(`COUNCILGUARD_STORAGE_ACCOUNT "${account}" is not a storage account name (3-24 lower-case letters and digits).`);
    return { kind: 'account', account };
  }
  if (connectionString) {
    const problem = connectionStringProblem(connectionString);
    if (problem) throw new ConfigError(problem);
    return { kind: 'connection-string', connectionString };
  }
  if (opts.functionApp) {
    throw new ConfigError('AzureWebJobsStorage is not set: the function app needs its storage account. Set AzureWebJobsStorage__accountName (with AzureWebJobsStorage__credential = managedidentity, as infra/main.bicep does), or a connection string in AzureWebJobsStorage.');
  }
  return { kind: 'local' };
}

export const DEFAULT_AUDIT_SCHEDULE = '0 0 1,2 * * *';
export const DEFAULT_AUDIT_LOCAL_HOUR = 2;

const NCRONTAB_FIELD = /^(\*|\d{1,2}(-\d{1,2})?(,\d{1,2}(-\d{1,2})?)*)(\/\d{1,2})?$/;

/** Validates the six-field NCRONTAB expression Azure Functions uses; the message names the fix. */
export function validateSchedule(expression: string, settingName = 'AUDIT_SCHEDULE'): string {
  const fields = expression.trim().split(/\s+/);
  const named = /^[A-Za-z]{3}(,[A-Za-z]{3})*$/;
  if (fields.length !== 6 || !fields.every((f, i) => NCRONTAB_FIELD.test(f) || (i >= 4 && named.test(f)))) {
    throw new ConfigError(
      `${settingName} "${expression}" is not a six-field NCRONTAB schedule ({second} {minute} {hour} {day} {month} {day-of-week}); ` +
        `use for example "${DEFAULT_AUDIT_SCHEDULE}" (01:00 and 02:00 UTC, of which the job keeps the one that is 02:00 in the UK).`,
    );
  }
  return expression.trim();
}

/** The nightly timer's settings (see jobs/schedule.ts for why two UTC firings and a UK hour). */
export interface ScheduleSettings {
  /** AUDIT_SCHEDULE: six-field NCRONTAB, in UTC on Linux plans. */
  schedule: string;
  /** AUDIT_LOCAL_HOUR: the hour in the UK (0-23) at which the audit runs. */
  localHour: number;
}

export function readScheduleSettings(env: NodeJS.ProcessEnv = process.env): ScheduleSettings {
  const raw = env.AUDIT_LOCAL_HOUR?.trim();
  const localHour = raw ? Number(raw) : DEFAULT_AUDIT_LOCAL_HOUR;
  if (!Number.isInteger(localHour) || localHour < 0 || localHour > 23) {
    throw new ConfigError(`AUDIT_LOCAL_HOUR "${raw}" is not an hour of the day; set it to a whole number from 0 to 23 (the UK hour the audit runs at, default ${DEFAULT_AUDIT_LOCAL_HOUR}), or unset it.`);
  }
  return { schedule: validateSchedule(env.AUDIT_SCHEDULE?.trim() || DEFAULT_AUDIT_SCHEDULE), localHour };
}

/** COUNCILGUARD_ACTIVITY_BUDGET_SECONDS: how long one surrender activity works before saving its place. */
export function readActivityBudgetMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.COUNCILGUARD_ACTIVITY_BUDGET_SECONDS?.trim();
  if (!raw) return 600_000;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new ConfigError(`COUNCILGUARD_ACTIVITY_BUDGET_SECONDS "${raw}" is not a number of seconds; set it to a positive number well inside the host's functionTimeout (default 600), or unset it.`);
  }
  return seconds * 1000;
}

/** COUNCILGUARD_UPLOAD_FRAGMENT_KIB (command line): smaller SharePoint upload fragments for a slow link. */
export function readUploadFragmentBytes(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.COUNCILGUARD_UPLOAD_FRAGMENT_KIB?.trim();
  if (!raw) return undefined;
  const kib = Number(raw);
  if (!Number.isInteger(kib) || kib <= 0 || kib % 320 !== 0) throw new ConfigError(`COUNCILGUARD_UPLOAD_FRAGMENT_KIB "${raw}" must be a multiple of 320 (SharePoint takes upload fragments in 320 KiB units), e.g. 3200.`);
  return kib * 1024;
}

/** Who ran a command, for the action log: COUNCILGUARD_ACTOR (a UPN) when set, else the OS account. */
export function readCommandLineActor(env: NodeJS.ProcessEnv = process.env): string {
  return env.COUNCILGUARD_ACTOR?.trim() || `${userInfo().username}@${hostname()} (command line)`;
}

/**
 * APPLICATIONINSIGHTS_CONNECTION_STRING: where the function app exports its OpenTelemetry log records
 * and metrics (the Azure Monitor distro); unset, nothing is exported. Never echoed: it names the resource.
 */
export function readTelemetrySettings(env: NodeJS.ProcessEnv = process.env): { connectionString?: string; entraClientId?: string } {
  const connectionString = env.APPLICATIONINSIGHTS_CONNECTION_STRING?.trim();
  if (!connectionString) return {};
  if (!/(^|;)\s*InstrumentationKey=[^;]+/i.test(connectionString)) {
    throw new ConfigError('APPLICATIONINSIGHTS_CONNECTION_STRING is not an Application Insights connection string: copy it from the Application Insights resource\'s Overview page ("InstrumentationKey=...;IngestionEndpoint=..."), or unset it to export no telemetry.');
  }
  // APPLICATIONINSIGHTS_AUTHENTICATION_STRING ("ClientId=<identity>;Authorization=AAD"): Application Insights
  // with local authentication off accepts only Entra-authenticated ingestion, so the exporter must sign in
  // as the app's user-assigned identity (which holds Monitoring Metrics Publisher; infra/main.bicep).
  const auth = env.APPLICATIONINSIGHTS_AUTHENTICATION_STRING?.trim();
  if (!auth) return { connectionString };
  const parts = Object.fromEntries(auth.split(';').map((p) => p.split('=').map((x) => x.trim())).filter((kv) => kv.length === 2).map(([k, v]) => [k.toLowerCase(), v]));
  if (parts.authorization?.toLowerCase() !== 'aad' || !parts.clientid) {
    throw new ConfigError('APPLICATIONINSIGHTS_AUTHENTICATION_STRING must be "ClientId=<the user-assigned identity\'s client id>;Authorization=AAD" (as infra/main.bicep sets it), or unset when Application Insights accepts its connection string alone.');
  }
  return { connectionString, entraClientId: parts.clientid };
}

/** Where the function app reads the council config: the COUNCILGUARD_CONFIG file, or the versions `councilguard config push` uploads. */
export type ConfigSource = 'file' | 'blob';

/** COUNCILGUARD_CONFIG_SOURCE: file (the default; COUNCILGUARD_CONFIG) or blob (the latest valid pushed version). */
export function readConfigSource(env: NodeJS.ProcessEnv = process.env): ConfigSource {
  const raw = env.COUNCILGUARD_CONFIG_SOURCE?.trim().toLowerCase() || 'file';
  if (raw !== 'file' && raw !== 'blob') {
    throw new ConfigError(`COUNCILGUARD_CONFIG_SOURCE "${env.COUNCILGUARD_CONFIG_SOURCE}" must be file (read COUNCILGUARD_CONFIG) or blob (read the latest version uploaded with councilguard config push), or unset for file.`);
  }
  return raw;
}
