// Who is calling, proved rather than trusted. App Service authentication (infra/main.bicep) signs the
// caller in and forwards their Entra token: X-MS-TOKEN-AAD-ID-TOKEN from its token store for the clerk's
// browser session, or the caller's own `Authorization: Bearer` access token. The app checks that token
// itself (signature against the issuer's published keys, issuer, audience, expiry, tenant) and takes the
// principal from its claims; x-ms-client-principal alone proves nothing, since anyone can send it when
// the platform is misconfigured. The principal is the object id and tenant id with the sign-in name;
// the display name is only shown.
import { createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { ConfigError } from '../core/errors';
import { readSignInSettings, type SignInSettings } from '../config/env';
import type { CouncilConfig } from '../jobs/council-context';

export interface Principal {
  /** `oid`: the account's object id in its tenant; stable, never reassigned. */
  objectId: string;
  /** `tid`: the tenant the caller signed in from. */
  tenantId: string;
  /** `preferred_username` (or `upn`), lower case: what logs and the action log record. */
  userPrincipalName: string;
  /** `name`: for display only; it decides nothing. */
  displayName: string;
  roles: string[];
}

/** Entra's v2.0 issuer for a tenant. */
const issuerOf = (authority: string, tenantId: string) => `${authority}/${tenantId}/v2.0`;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Checks Entra tokens for the sign-in app; keeps one cached key set per tenant (jose refreshes it on an unknown kid). */
export class TokenVerifier {
  private readonly keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

  constructor(readonly settings: SignInSettings) {}

  /** The principal the token proves, or why it proves nothing (never echoing the token). */
  async verify(token: string, tenants: ReadonlySet<string>): Promise<{ principal: Principal } | { refused: string }> {
    let tid: unknown;
    try {
      tid = decodeJwt(token).tid;
    } catch {
      return { refused: 'the token is not a JWT' };
    }
    // Keys are fetched only for tenants the config lists, so a stranger's token costs no request.
    if (typeof tid !== 'string' || !GUID.test(tid) || !tenants.has(tid.toLowerCase())) return { refused: 'the token is from a tenant no council in the config lists' };
    const tenant = tid.toLowerCase();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keySet(tenant), {
        algorithms: ['RS256'], issuer: issuerOf(this.settings.authorityHost, tenant), audience: this.settings.clientId, requiredClaims: ['exp', 'iat', 'oid', 'tid'], clockTolerance: 60,
      }));
    } catch (err) {
      return { refused: `the token failed validation (${(err as { code?: string }).code ?? 'invalid'}${(err as { claim?: string }).claim ? `: ${(err as { claim?: string }).claim}` : ''})` };
    }
    const upn = [payload.preferred_username, payload.upn].find((v): v is string => typeof v === 'string' && v.includes('@'));
    if (payload.tid !== tid || typeof payload.oid !== 'string' || !upn) return { refused: 'the token names no user (no oid or sign-in name)' };
    const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
    return { principal: { objectId: payload.oid.toLowerCase(), tenantId: tenant, userPrincipalName: upn.trim().toLowerCase(), displayName: typeof payload.name === 'string' ? payload.name : upn, roles } };
  }

  private keySet(tenant: string) {
    let set = this.keySets.get(tenant);
    if (!set) {
      set = createRemoteJWKSet(new URL(`${this.settings.authorityHost}/${tenant}/discovery/v2.0/keys`), { timeoutDuration: 10_000 });
      this.keySets.set(tenant, set);
    }
    return set;
  }
}

/** Where handlers get the verifier: the app's from its settings, a test's pointed at the simulator. */
export type SignInSource = () => TokenVerifier;

let appVerifier: TokenVerifier | undefined;
/** The function app's verifier, made on first use from COUNCILGUARD_SIGNIN_CLIENT_ID and COUNCILGUARD_SIGNIN_AUTHORITY. */
export const appSignIn: SignInSource = () => (appVerifier ??= new TokenVerifier(readSignInSettings(process.env)));

/** The tenants callers may sign in from: every council's, and each IT supplier's own. */
export function signInTenants(councils: readonly CouncilConfig[]): Set<string> {
  return new Set(councils.flatMap((c) => [c.tenantId, ...(c.itSupplier.tenantId ? [c.itSupplier.tenantId] : [])]).map((t) => t.toLowerCase()));
}

/** The forwarded Entra token: the token store's ID token, else a bearer access token. */
function forwardedToken(request: HttpRequest): string | undefined {
  const id = request.headers.get('x-ms-token-aad-id-token')?.trim();
  if (id) return id;
  return /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
}

export interface CallerCheck {
  signIn: SignInSource;
  /** The councils in the config, for the tenants a token may come from. */
  councils: readonly CouncilConfig[];
}

/**
 * 401 without a valid Entra token, 403 without the app role; otherwise the principal from the token.
 * Usage: `const auth = await requireRole(request, ROLE, { signIn, councils }); if ('response' in auth) return auth.response;`
 */
export async function requireRole(request: HttpRequest, role: string | readonly string[], check: CallerCheck): Promise<{ principal: Principal } | { response: HttpResponseInit }> {
  const token = forwardedToken(request);
  if (!token) return { response: { status: 401, jsonBody: { error: 'Sign in first: this endpoint needs App Service authentication, which forwards your Entra token (X-MS-TOKEN-AAD-ID-TOKEN or Authorization: Bearer).' } } };
  let verifier: TokenVerifier;
  try {
    verifier = check.signIn();
  } catch (err) {
    if (err instanceof ConfigError) return { response: { status: 503, jsonBody: { error: `Sign-in is not configured: ${err.message}` } } };
    throw err;
  }
  const result = await verifier.verify(token, signInTenants(check.councils));
  if ('refused' in result) return { response: { status: 401, jsonBody: { error: `Sign in again: ${result.refused}.` } } };
  // Several roles: any one of them will do (a page that readers and approvers both open).
  const roles = typeof role === 'string' ? [role] : role;
  if (!roles.some((r) => result.principal.roles.includes(r))) return { response: { status: 403, jsonBody: { error: `Your account lacks the app role ${roles.join(' or ')}; ask the administrator of the CouncilGuard app registration to assign it.` } } };
  return result;
}

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * Whether a signed-in caller speaks for a council: signed in from the council's tenant with an account
 * in its domains or on its IT supplier's list, or from the IT supplier's listed tenant with a listed
 * account. The app role says who may act at all; this keeps one council's clerk away from another's
 * councillors, plans and reports when a supplier serves several councils from one app.
 */
export function callerBelongsTo(council: CouncilConfig, caller: Principal): boolean {
  const upn = caller.userPrincipalName;
  const domain = upn.split('@')[1];
  const listed = council.itSupplier.accounts.some((a) => same(a, upn));
  if (same(caller.tenantId, council.tenantId)) return listed || (!!domain && council.domains.some((d) => same(d, domain)));
  return !!council.itSupplier.tenantId && same(caller.tenantId, council.itSupplier.tenantId) && listed;
}

/**
 * CSRF defence for every state-changing request: a JSON body (a cross-site form cannot send one without
 * a CORS preflight, which the app never grants) and a same-origin Origin, or Sec-Fetch-Site:
 * same-origin. Returns the 403 to send, or undefined when the request may go on.
 */
export function refuseCrossSite(request: HttpRequest): HttpResponseInit | undefined {
  const type = (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') {
    return { status: 403, jsonBody: { error: 'A request that changes something must send Content-Type: application/json (the clerk page does); other content types are refused to stop cross-site forms.' } };
  }
  const origin = request.headers.get('origin');
  const site = request.headers.get('sec-fetch-site');
  const sameOrigin = origin ? origin === new URL(request.url).origin : site === 'same-origin';
  if (!sameOrigin || (site && site !== 'same-origin')) {
    return { status: 403, jsonBody: { error: 'A request that changes something must come from the CouncilGuard page itself (same Origin); this one came from another site and was refused.' } };
  }
  return undefined;
}
