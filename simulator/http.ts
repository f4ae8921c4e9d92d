// Shared pieces of the simulator's HTTP layer: the request/response shape routes see, Graph's error
// body, and the OData query options the product uses ($select, $filter, $top, paging).
import { randomUUID } from 'node:crypto';
import type { TenantState } from './state';

export interface SimRequest {
  method: string;
  /** Path below the version, e.g. /users/abc/drive (for Graph); the full path for others. */
  path: string;
  version: 'v1.0' | 'beta' | '';
  query: URLSearchParams;
  headers: Record<string, string>;
  body: Buffer;
  json<T = unknown>(): T;
  tenant: TenantState;
  roles: string[];
  /** Absolute base for nextLinks, e.g. https://127.0.0.1:4443/v1.0 */
  base: string;
  pageSize?: number;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Raw bytes (file content); sent as-is. */
  raw?: Buffer;
  /** Bytes made on demand (generated file content, large MIME), streamed so nothing big is held. */
  stream?: GeneratedBody;
}

export interface GeneratedBody {
  length: number;
  chunks(): Iterable<Buffer>;
}

/** Collects a generated body (for $batch items, which carry bodies inline). */
export function collect(body: GeneratedBody): Buffer {
  return Buffer.concat([...body.chunks()]);
}

export function graphError(status: number, code: string, message: string, clientRequestId?: string): SimResponse {
  const requestId = randomUUID();
  return {
    status,
    headers: { 'request-id': requestId, 'client-request-id': clientRequestId ?? requestId },
    body: { error: { code, message, innerError: { date: new Date().toISOString().replace(/\.\d+Z$/, ''), 'request-id': requestId, 'client-request-id': clientRequestId ?? requestId } } },
  };
}

export const notFound = (what: string) => graphError(404, 'Request_ResourceNotFound', `Resource '${what}' does not exist or one of its queried reference-property objects are not present.`);
/** Graph's answer when a feature needs Entra ID P1/P2 (or Intune) and the tenant lacks it. */
export const nonPremium = () => graphError(403, 'Authentication_RequestFromNonPremiumTenantOrB2CTenant', 'Neither tenant is B2C or tenant doesn\'t have premium license');
export const badRequest = (message: string) => graphError(400, 'BadRequest', message);

/**
 * An API page that lists the query options it supports refuses the others with a 400 (the OData
 * validator's message, as Graph returns it); undefined when the request uses only supported ones.
 */
export function onlyQueryOptions(req: SimRequest, supported: readonly string[]): SimResponse | undefined {
  const unsupported = [...req.query.keys()].filter((k) => k.startsWith('$') && !supported.includes(k));
  if (!unsupported.length) return undefined;
  const option = unsupported[0].slice(1).replace(/^./, (c) => c.toUpperCase());
  return badRequest(`The query specified in the URI is not valid. Query option '${option}' is not allowed. To allow it, set the 'AllowedQueryOptions' property on EnableQueryAttribute or QueryValidationSettings.`);
}

/** A path segment as a name: the server decodes paths except %2F and %25, which this finishes. */
export const unescapeSegment = (segment: string): string => segment.replace(/%2F/gi, '/').replace(/%25/g, '%');

export function applySelect<T extends Record<string, unknown>>(item: T, query: URLSearchParams): Record<string, unknown> {
  const select = query.get('$select');
  if (!select) return item;
  const keep = new Set(select.split(',').map((s) => s.trim()).filter(Boolean));
  keep.add('id');
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) if (keep.has(k) || k.startsWith('@odata')) out[k] = v;
  return out;
}

function valueAt(item: Record<string, unknown>, path: string): unknown {
  return path.split('/').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), item);
}

function literal(text: string): unknown {
  const t = text.trim();
  if (/^'.*'$/.test(t)) return t.slice(1, -1).replace(/''/g, "'");
  if (t === 'true' || t === 'false') return t === 'true';
  if (t === 'null') return null;
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  return t;
}

const same = (actual: unknown, expected: unknown) =>
  typeof actual === 'string' && typeof expected === 'string' ? actual.toLowerCase() === expected.toLowerCase() : actual === expected;

/** The $filter forms the product uses: eq / ne / ge / le on strings, bools, dates; startswith; in (...); and. */
export function matchesFilter(item: Record<string, unknown>, filter: string | null): boolean {
  if (!filter) return true;
  return filter.split(/\s+and\s+/i).every((clause) => {
    const sw = /^startswith\(([\w/]+),\s*'((?:[^']|'')*)'\)$/i.exec(clause.trim());
    if (sw) return String(valueAt(item, sw[1]) ?? '').toLowerCase().startsWith(sw[2].replace(/''/g, "'").toLowerCase());
    const list = /^([\w/]+)\s+in\s+\((.*)\)$/i.exec(clause.trim());
    if (list) {
      const values = (list[2].match(/'(?:[^']|'')*'|[^,\s][^,]*/g) ?? []).map(literal);
      return values.some((v) => same(valueAt(item, list[1]), v));
    }
    const m = /^([\w/]+)\s+(eq|ne|ge|le|gt|lt)\s+(.+)$/i.exec(clause.trim());
    if (!m) throw new Error(`unsupported filter clause: ${clause}`);
    const actual = valueAt(item, m[1]);
    const expected = literal(m[3]);
    const op = m[2].toLowerCase();
    if (op === 'eq') return same(actual, expected);
    if (op === 'ne') return !same(actual, expected);
    const numeric = typeof actual === 'number' && typeof expected === 'number';
    const a = numeric ? actual : Date.parse(String(actual));
    const b = numeric ? expected : Date.parse(String(expected));
    return op === 'ge' ? a >= b : op === 'le' ? a <= b : op === 'gt' ? a > b : a < b;
  });
}

/** Encodes what the server decoded (spaces, non-ASCII) but leaves escapes decodeURI kept, such as %23. */
export function reencodePath(path: string): string {
  return path.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/%]/g, (c) => encodeURIComponent(c));
}

/** A query string as Graph writes its links: OData option names keep their literal '$'. */
export function queryString(q: URLSearchParams): string {
  return [...q].map(([k, v]) => `${encodeURIComponent(k).replace(/^%24/, '$')}=${encodeURIComponent(v)}`).join('&');
}

/** A page of a collection with @odata.nextLink ($skiptoken = offset), honouring $top and page size. */
export function page(req: SimRequest, all: Record<string, unknown>[], opts: { defaultSize?: number; maxSize?: number; project?: (item: Record<string, unknown>) => Record<string, unknown> } = {}): SimResponse {
  let items: Record<string, unknown>[];
  try {
    items = all.filter((i) => matchesFilter(i, req.query.get('$filter')));
  } catch (err) {
    return badRequest(`Invalid filter clause: ${err instanceof Error ? err.message : err}`);
  }
  const preferred = /odata\.maxpagesize=(\d+)/.exec(req.headers.prefer ?? '')?.[1];
  const top = Number(req.query.get('$top') ?? preferred ?? 0) || undefined;
  const size = Math.max(1, req.pageSize ?? Math.min(top ?? opts.defaultSize ?? 100, opts.maxSize ?? 999));
  const offset = Number(req.query.get('$skiptoken') ?? 0);
  const slice = items.slice(offset, offset + size).map(opts.project ?? ((i) => applySelect(i, req.query)));
  const body: Record<string, unknown> = { '@odata.context': `${req.base}/$metadata#${req.path.split('/')[1] ?? ''}`, value: slice };
  if (offset + size < items.length) {
    const q = new URLSearchParams(req.query);
    q.set('$skiptoken', String(offset + size));
    if (req.pageSize) q.delete('$top');
    body['@odata.nextLink'] = `${req.base}${reencodePath(req.path)}?${queryString(q)}`;
  }
  return { status: 200, body };
}
