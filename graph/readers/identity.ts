// Identity reads: MFA registration (report, or the per-user methods fallback without P1), per-user MFA,
// Conditional Access, security defaults, risky users, sign-ins.
import type { GraphContext } from '..';
import type { ConditionalAccessPolicy, MfaRegistration, RiskyUser, SignInRecord } from '../../core/snapshot';

export async function readMfaRegistrationReport(graph: GraphContext): Promise<Record<string, MfaRegistration>> {
  const rows = await graph.pageAll<{ id: string; isMfaRegistered?: boolean; methodsRegistered?: string[] }>(
    '/reports/authenticationMethods/userRegistrationDetails',
    ['id', 'isMfaRegistered', 'methodsRegistered'],
  );
  return Object.fromEntries(rows.map((r) => [r.id, { userId: r.id, isMfaRegistered: !!r.isMfaRegistered, methodsRegistered: r.methodsRegistered ?? [], source: 'report' as const }]));
}

/**
 * The authentication methods that are a second factor ("Microsoft Entra authentication methods API
 * overview"): not the password, not an email address (self-service password reset only), not a Temporary
 * Access Pass (a time-limited onboarding and recovery pass).
 */
const MFA_METHODS = new Set([
  'microsoftAuthenticator', 'phone', 'fido2', 'windowsHelloForBusiness', 'softwareOath', 'hardwareOath', 'x509Certificate',
  'platformCredential', 'passwordlessMicrosoftAuthenticator',
]);

/**
 * Without P1 the registration report does not exist: list each user's methods instead (batched). Every
 * method but the password is kept as registered; only MFA-capable ones make the person MFA-registered.
 */
export async function readMfaRegistrationFromMethods(graph: GraphContext, userIds: string[]): Promise<Record<string, MfaRegistration>> {
  const read = await graph.batchMap(userIds.map((id) => ({ method: 'GET' as const, url: `/users/${id}/authentication/methods` })), (res, i): MfaRegistration => {
    if (res.status !== 200) throw res.error ?? new Error(`authentication methods of ${userIds[i]}: HTTP ${res.status}`);
    const methods = ((res.body as { value?: { '@odata.type'?: string }[] }).value ?? [])
      .map((m) => (m['@odata.type'] ?? '').replace('#microsoft.graph.', '').replace(/AuthenticationMethod$/, ''))
      .filter((t) => t && t !== 'password');
    return { userId: userIds[i], isMfaRegistered: methods.some((m) => MFA_METHODS.has(m)), methodsRegistered: methods, source: 'methods' };
  });
  const out: Record<string, MfaRegistration> = {};
  read.forEach((r, i) => { out[userIds[i]] = r; });
  return out;
}

/** Per-user MFA state (legacy mechanism) through the beta authentication/requirements resource. */
export async function readPerUserMfa(graph: GraphContext, userIds: string[]): Promise<Record<string, string>> {
  const states = await graph.batchMap(userIds.map((id) => ({ method: 'GET' as const, url: `/users/${id}/authentication/requirements` })), (res, i) => {
    if (res.status !== 200) throw res.error ?? new Error(`per-user MFA state of ${userIds[i]}: HTTP ${res.status}`);
    return (res.body as { perUserMfaState?: string }).perUserMfaState ?? 'disabled';
  }, { version: 'beta' });
  const out: Record<string, string> = {};
  states.forEach((s, i) => { out[userIds[i]] = s; });
  return out;
}

export async function readConditionalAccess(graph: GraphContext): Promise<ConditionalAccessPolicy[]> {
  return graph.pageAll<ConditionalAccessPolicy>('/identity/conditionalAccess/policies', ['id', 'displayName', 'state', 'conditions', 'grantControls']);
}

export async function readSecurityDefaults(graph: GraphContext): Promise<{ isEnabled: boolean }> {
  const body = await graph.get<{ isEnabled?: boolean }>('/policies/identitySecurityDefaultsEnforcementPolicy', ['id', 'isEnabled']);
  return { isEnabled: !!body.isEnabled };
}

export async function readRiskyUsers(graph: GraphContext): Promise<RiskyUser[]> {
  return graph.pageAll<RiskyUser>('/identityProtection/riskyUsers', ['id', 'userPrincipalName', 'riskState', 'riskDetail', 'riskLevel']);
}

/**
 * Exchange Online's resource (application) id: a mailbox sign-in is one whose *resource* is Exchange; the
 * app is the client (Outlook, OWA, a phone's mail app), so filtering on appDisplayName misses them.
 */
export const EXCHANGE_ONLINE_RESOURCE_ID = '00000002-0000-0ff1-ce00-000000000000';

/**
 * Mailbox sign-ins in the audit window [sinceIso, untilIso] (P1). "List signIns" supports only $top,
 * $skiptoken and $filter, so no $select: the records come whole and only location, client and outcome
 * are kept (metadata, no content).
 */
export async function readExchangeSignIns(graph: GraphContext, sinceIso: string, untilIso: string): Promise<SignInRecord[]> {
  const rows = await graph.pageAll<{
    id: string; userPrincipalName: string; createdDateTime: string; appDisplayName?: string; clientAppUsed?: string;
    location?: { countryOrRegion?: string }; status?: { errorCode?: number };
  }>('/auditLogs/signIns', null, {
    filter: `createdDateTime ge ${sinceIso} and createdDateTime le ${untilIso} and resourceId eq '${EXCHANGE_ONLINE_RESOURCE_ID}'`,
  });
  return rows.map((r) => ({
    id: r.id, userPrincipalName: r.userPrincipalName, createdDateTime: r.createdDateTime, appDisplayName: r.appDisplayName,
    clientAppUsed: r.clientAppUsed, countryOrRegion: r.location?.countryOrRegion, errorCode: r.status?.errorCode,
  }));
}
