// The platform's part of sign-in, for tests that call the HTTP handlers: the simulator acts as Entra
// (RS256 tokens, a published JWKS) and these headers are what App Service authentication forwards for a
// signed-in caller — x-ms-client-principal (its claims in the token's order) and the token store's
// X-MS-TOKEN-AAD-ID-TOKEN. The handlers get a TokenVerifier pointed at the simulator.
import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import type { RunningSimulator } from '../../simulator';
import { TokenVerifier, type SignInSource } from '../../functions/auth';

/** The CouncilGuard sign-in app registration's client id in tests (the audience of every token). */
export const SIGN_IN_APP = '5d3c6a0e-8f1b-4c2d-9a7e-1b2c3d4e5f60';

export interface Caller {
  upn: string;
  tenantId: string;
  roles: string[];
  /** The display name (default: from the UPN). */
  name?: string;
  objectId?: string;
}

/** A stable object id per account and tenant, as Entra's would be. */
export function objectIdOf(upn: string, tenantId: string): string {
  const h = createHash('sha256').update(`${tenantId}/${upn.toLowerCase()}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

// Easy Auth writes these claims with their long claim-type URIs.
const CLAIM_TYPES: Record<string, string> = {
  oid: 'http://schemas.microsoft.com/identity/claims/objectidentifier',
  tid: 'http://schemas.microsoft.com/identity/claims/tenantid',
  roles: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
};

/** x-ms-client-principal as App Service builds it from a token: base64 JSON, claims in the token's order. */
export function clientPrincipalHeader(token: string): string {
  const claims: { typ: string; val: string }[] = [];
  for (const [typ, val] of Object.entries(decodeJwt(token))) {
    for (const v of Array.isArray(val) ? val : [val]) claims.push({ typ: CLAIM_TYPES[typ] ?? typ, val: String(v) });
  }
  return Buffer.from(JSON.stringify({ auth_typ: 'aad', claims, name_typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name', role_typ: CLAIM_TYPES.roles })).toString('base64');
}

/** A forged x-ms-client-principal: what anyone can send when nothing checks it. */
export function forgedPrincipalHeader(who: Caller): string {
  return Buffer.from(JSON.stringify({
    auth_typ: 'aad', name_typ: 'preferred_username', role_typ: 'roles',
    claims: [{ typ: 'preferred_username', val: who.upn }, { typ: 'tid', val: who.tenantId }, ...who.roles.map((val) => ({ typ: 'roles', val }))],
  })).toString('base64');
}

export interface SignInHarness {
  signIn: SignInSource;
  /** A valid ID token for the caller (override claims, or sign with an unpublished key). */
  token(who: Caller, override?: Record<string, unknown>, signWith?: 'published' | 'other'): string;
  /** The headers App Service forwards for the caller's browser session. */
  headers(who: Caller, override?: Record<string, unknown>, signWith?: 'published' | 'other'): Record<string, string>;
}

export function signInWith(sim: Pick<RunningSimulator, 'url' | 'signUserToken'>): SignInHarness {
  const verifier = new TokenVerifier({ clientId: SIGN_IN_APP, authorityHost: sim.url });
  const token: SignInHarness['token'] = (who, override, signWith) => sim.signUserToken({
    audience: SIGN_IN_APP, tenantId: who.tenantId, objectId: who.objectId ?? objectIdOf(who.upn, who.tenantId),
    preferredUsername: who.upn, name: who.name ?? who.upn.split('@')[0].replace(/\./g, ' '), roles: who.roles,
  }, override, signWith);
  return {
    signIn: () => verifier,
    token,
    headers: (who, override, signWith) => {
      const t = token(who, override, signWith);
      return { 'x-ms-client-principal': clientPrincipalHeader(t), 'x-ms-token-aad-id-token': t };
    },
  };
}

/** The headers a same-origin browser POST carries (the clerk page's fetch): JSON body, Origin, Sec-Fetch-Site. */
export function sameOriginJson(url: string): Record<string, string> {
  return { 'content-type': 'application/json', origin: new URL(url).origin, 'sec-fetch-site': 'same-origin' };
}
