// Who is calling: App Service authentication (Easy Auth) puts the signed-in principal in the
// x-ms-client-principal header (base64 JSON with claims). Only the platform can set it when
// authentication is enabled, so the app trusts it; the app roles come in the 'roles' claims.
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { CouncilConfig } from '../jobs/council-context';

export interface Principal {
  name: string;
  roles: string[];
}

interface ClientPrincipal {
  name_typ?: string;
  role_typ?: string;
  claims?: { typ: string; val: string }[];
}

export function principalFrom(request: HttpRequest): Principal | undefined {
  const header = request.headers.get('x-ms-client-principal');
  if (!header) return undefined;
  let parsed: ClientPrincipal;
  try {
    parsed = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as ClientPrincipal;
  } catch {
    return undefined;
  }
  const claims = parsed.claims ?? [];
  const roleType = parsed.role_typ ?? 'roles';
  const nameType = parsed.name_typ ?? 'name';
  const name = claims.find((c) => c.typ === nameType || c.typ === 'preferred_username' || c.typ === 'name')?.val ?? 'unknown';
  const roles = claims.filter((c) => c.typ === roleType || c.typ === 'roles').map((c) => c.val);
  return { name, roles };
}

/** 401 without a principal, 403 without the app role; undefined when the caller may proceed. */
export function requireRole(request: HttpRequest, role: string): { principal: Principal } | { response: HttpResponseInit } {
  const principal = principalFrom(request);
  if (!principal) return { response: { status: 401, jsonBody: { error: 'Sign in first: this endpoint needs App Service authentication.' } } };
  if (!principal.roles.includes(role)) return { response: { status: 403, jsonBody: { error: `Your account lacks the app role ${role}; ask the administrator of the CouncilGuard app registration to assign it.` } } };
  return { principal };
}

/**
 * Whether a signed-in caller speaks for a council: an account in one of its domains, or one of its IT
 * supplier's accounts. The app role says who may act at all; this keeps one council's clerk away from
 * another's councillors and plans when a supplier serves several councils from one app.
 */
export function callerBelongsTo(council: CouncilConfig, caller: string): boolean {
  const lower = caller.trim().toLowerCase();
  const domain = lower.split('@')[1];
  return (!!domain && council.domains.some((d) => d.toLowerCase() === domain)) || council.itSupplier.accounts.some((a) => a.toLowerCase() === lower);
}
