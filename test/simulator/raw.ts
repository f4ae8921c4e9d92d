// Raw HTTPS against the simulator (node's fetch), so these tests see the wire format itself and not
// what the Graph client makes of it.
import type { RunningSimulator } from '../../simulator';

export interface RawResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
  bytes: Buffer;
}

export async function tokenFor(sim: RunningSimulator, opts: { tenantId?: string; resource?: string; secret?: string } = {}): Promise<string> {
  const tenant = opts.tenantId ?? sim.tenantIds[0];
  const res = await fetch(`${sim.url}/${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: sim.clientId, client_secret: opts.secret ?? sim.clientSecret, scope: `${opts.resource ?? sim.url}/.default` }),
  });
  const body = (await res.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`no token: ${res.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

/** Claims of a JWT, unverified (to look at what the authority put in). */
export function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}

export async function call<T = Record<string, unknown>>(
  sim: RunningSimulator,
  method: string,
  pathOrUrl: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<RawResponse<T>> {
  const url = /^https:/.test(pathOrUrl) ? pathOrUrl : `${sim.url}${pathOrUrl.startsWith('/v1.0') || pathOrUrl.startsWith('/beta') || pathOrUrl.startsWith('/exchange') ? '' : '/v1.0'}${pathOrUrl}`;
  const headers: Record<string, string> = { ...(opts.token ? { Authorization: `Bearer ${opts.token}` } : {}), ...(opts.headers ?? {}) };
  let body: Uint8Array | string | undefined;
  if (Buffer.isBuffer(opts.body)) body = new Uint8Array(opts.body);
  else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['Content-Type'] ??= 'application/json';
  }
  const res = await fetch(url, { method, headers, body });
  const bytes = Buffer.from(await res.arrayBuffer());
  const text = bytes.toString('utf8');
  let parsed: unknown = undefined;
  if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed as T, bytes };
}

/** Follows @odata.nextLink from a first page, returning every page's body. */
export async function allPages<T = Record<string, unknown>>(sim: RunningSimulator, token: string, first: string, headers?: Record<string, string>): Promise<Array<{ value: T[]; '@odata.nextLink'?: string; '@odata.deltaLink'?: string }>> {
  const pages: Array<{ value: T[]; '@odata.nextLink'?: string; '@odata.deltaLink'?: string }> = [];
  let next: string | undefined = first;
  while (next) {
    const res: RawResponse<{ value: T[]; '@odata.nextLink'?: string; '@odata.deltaLink'?: string }> = await call(sim, 'GET', next, { token, headers });
    if (res.status !== 200) throw new Error(`${next}: ${res.status} ${res.bytes.toString('utf8')}`);
    pages.push(res.body);
    next = res.body['@odata.nextLink'];
  }
  return pages;
}
