// Typed Graph errors: status, Graph's error code, Graph's request-id and the client-request-id we sent
// (the two ids Microsoft support asks for), and for a 403 the permission the call needed (from our
// endpoint table), so a report can say exactly what to grant.
import { permissionFor } from './permissions';

export class GraphRequestError extends Error {
  override name = 'GraphRequestError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly method: string,
    readonly path: string,
    readonly requestId?: string,
    readonly permission?: string,
    readonly clientRequestId?: string,
  ) {
    super(message);
  }
}

// Codes Graph returns when the tenant lacks the licence (not the app the permission).
const NOT_LICENSED = /Authentication_RequestFromNonPremiumTenantOrB2CTenant|RequestFromNonPremiumTenant|NotLicensed|Tenant is not licensed|UnknownError.*license|licen[cs]e/i;

export function isNotLicensedError(err: unknown): boolean {
  return err instanceof GraphRequestError && err.status === 403 && (NOT_LICENSED.test(err.code) || NOT_LICENSED.test(err.message));
}

/** Strips the query, which can carry filters with addresses, from what an error names. */
export function describeRequest(method: string, url: string): string {
  return `${method.toUpperCase()} ${url.replace(/^https?:\/\/[^/]+/i, '').split('?')[0]}`;
}

export function graphRequestError(status: number, body: unknown, method: string, url: string, requestId?: string, clientRequestId?: string): GraphRequestError {
  const error = (body as { error?: { code?: string; message?: string; innerError?: { 'request-id'?: string; 'client-request-id'?: string } } } | undefined)?.error;
  const code = error?.code ?? `HTTP${status}`;
  const rid = requestId ?? error?.innerError?.['request-id'];
  const crid = clientRequestId ?? error?.innerError?.['client-request-id'];
  const permission = status === 403 ? permissionFor(method, url) : undefined;
  const what = describeRequest(method, url);
  const hint = status === 403 && permission && !NOT_LICENSED.test(code) ? ` — the app needs the application permission ${permission}` : '';
  const ids = [rid && `request-id ${rid}`, crid && `client-request-id ${crid}`].filter(Boolean).join(', ');
  return new GraphRequestError(status, code, `${what} failed with ${status} ${code}: ${error?.message ?? 'no message'}${hint}${ids ? ` (${ids})` : ''}`, method.toUpperCase(), url, rid, permission, crid);
}

/**
 * A typed error from what the Graph client threw: its GraphError (status, code, body) becomes a
 * GraphRequestError naming the request; anything without a status (a dropped connection, a source
 * that failed) is passed on as it is.
 */
export function toGraphRequestError(err: unknown, method: string, path: string): Error {
  const e = err as { statusCode?: number; code?: string; body?: string | object; requestId?: string; message?: string; headers?: { get?: (name: string) => string | null } };
  if (err instanceof GraphRequestError) return err;
  if (typeof e?.statusCode === 'number' && e.statusCode > 0) {
    let body: unknown = e.body;
    if (typeof body === 'string') { try { body = JSON.parse(body); } catch { body = undefined; } }
    if (!body || !(body as { error?: unknown }).error) body = { error: { code: e.code, message: e.message } };
    const header = (name: string) => (typeof e.headers?.get === 'function' ? e.headers.get(name) ?? undefined : undefined);
    return graphRequestError(e.statusCode, body, method, path, header('request-id') ?? e.requestId ?? undefined, header('client-request-id'));
  }
  return err instanceof Error ? err : new Error(String((err as { error?: { message?: string } })?.error?.message ?? err));
}

/** The status and Retry-After a thrown error carries (our GraphRequestError, the SDK's GraphError). */
export function statusOfError(err: unknown): { status: number; retryAfter?: string | null } | undefined {
  const e = err as { statusCode?: unknown; headers?: { get?: (name: string) => string | null } } | undefined;
  const status = err instanceof GraphRequestError ? err.status : typeof e?.statusCode === 'number' && e.statusCode > 0 ? e.statusCode : undefined;
  if (status === undefined) return undefined;
  return { status, retryAfter: typeof e?.headers?.get === 'function' ? e.headers.get('retry-after') : undefined };
}
