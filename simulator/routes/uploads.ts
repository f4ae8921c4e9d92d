// Writing into drives: simple PUT of content (by path or item id), and upload sessions: chunked
// Content-Range PUTs to an uploadUrl that needs no token, 202 + nextExpectedRanges until the last
// chunk gives 201 and the driveItem; sessions expire, can be queried (GET) and cancelled (DELETE).
import { randomUUID } from 'node:crypto';
import { badRequest, graphError, type SimRequest, type SimResponse } from '../http';
import type { TenantState, UploadSession } from '../state';
import { childNamed, itemView, placeFor, writeFile, type ConflictBehavior } from '../drives';
import { addressed, isResponse, readOnly, segmentsOf } from './files';
import type { Route } from '.';

const WRITE = ['Files.ReadWrite.All', 'Sites.ReadWrite.All', 'Sites.Manage.All', 'Sites.FullControl.All'];
/** Graph's simple upload limit; larger content needs an upload session. */
const SIMPLE_UPLOAD_LIMIT = 250 * 1024 * 1024;
const FRAGMENT_UNIT = 320 * 1024;
const MAX_FRAGMENT = 60 * 1024 * 1024;

// /drives/{d}/root:/{path}:/x  or  /drives/{d}/items/{parent}:/{name}:/x
const BY_PATH = (action: string) => new RegExp(`^/drives/([^/]+)/(?:root|items/([^/:]+)):(/[^:]+):/${action}$`);

function conflictOf(value: unknown): ConflictBehavior {
  return value === 'fail' || value === 'rename' ? value : 'replace';
}

function target(req: SimRequest, m: RegExpExecArray) {
  const at = addressed(req, m[1], m[2]);
  if (isResponse(at)) return at;
  if (at.drive.readOnly) return readOnly();
  const relative = segmentsOf(m[3]);
  if (!relative.length) return badRequest('The path names no file.');
  return { drive: at.drive, ...placeFor(req.tenant, at.drive, at.item, relative) };
}

function created(drive: Parameters<typeof itemView>[0], item: Parameters<typeof itemView>[1], existed: boolean): SimResponse {
  return { status: existed ? 200 : 201, body: itemView(drive, item) };
}

export const uploadRoutes: Route[] = [
  {
    method: 'PUT', path: BY_PATH('content'), roles: WRITE,
    handle: (req, m) => {
      const t = target(req, m);
      if (isResponse(t)) return t;
      if (req.body.length > SIMPLE_UPLOAD_LIMIT) return graphError(413, 'requestEntityTooLarge', 'The request is too large; use an upload session.');
      const conflict = conflictOf(req.query.get('@microsoft.graph.conflictBehavior'));
      const existed = !!childNamed(t.drive, t.folder, t.name) && conflict === 'replace';
      const item = writeFile(req.tenant, t.drive, t.folder, t.name, req.body, conflict);
      return item ? created(t.drive, item, existed) : graphError(409, 'nameAlreadyExists', 'The specified item name already exists.');
    },
  },
  {
    method: 'PUT', path: /^\/drives\/([^/]+)\/items\/([^/:]+)\/content$/, roles: WRITE,
    handle: (req, m) => {
      const at = addressed(req, m[1], m[2]);
      if (isResponse(at)) return at;
      if (at.drive.readOnly) return readOnly();
      if (at.item.folder) return badRequest('A folder has no content.');
      const parent = at.drive.items.get(at.item.parentId!)!;
      return created(at.drive, writeFile(req.tenant, at.drive, parent, at.item.name, req.body, 'replace')!, true);
    },
  },
  {
    method: 'POST', path: BY_PATH('createUploadSession'), roles: WRITE,
    handle: (req, m) => {
      const t = target(req, m);
      if (isResponse(t)) return t;
      const conflict = conflictOf(req.json<{ item?: Record<string, unknown> }>().item?.['@microsoft.graph.conflictBehavior']);
      if (conflict === 'fail' && childNamed(t.drive, t.folder, t.name)) return graphError(409, 'nameAlreadyExists', 'The specified item name already exists.');
      const session: UploadSession = { id: randomUUID(), driveId: t.drive.id, parentId: t.folder.id, name: t.name, conflict, received: [], next: 0, expires: Date.now() + req.tenant.uploadSessionTtlMs };
      req.tenant.uploadSessions.set(session.id, session);
      return { status: 200, body: { '@odata.context': `${req.base}/$metadata#microsoft.graph.uploadSession`, uploadUrl: `${req.base.replace(/\/(v1\.0|beta)$/, '')}/upload/${session.id}`, expirationDateTime: new Date(session.expires).toISOString(), nextExpectedRanges: ['0-'] } };
    },
  },
];

const sessionGone = () => graphError(404, 'itemNotFound', 'The upload session was not found or has expired.');

/**
 * The uploadUrl: PUT a chunk (Content-Range), GET the session's status, DELETE to cancel. No token is
 * needed, as with Graph; the session id is the secret.
 */
export function handleUploadUrl(tenants: Iterable<TenantState>, sessionId: string, method: string, contentRange: string | undefined, body: Buffer): SimResponse {
  let tenant: TenantState | undefined;
  for (const t of tenants) if (t.uploadSessions.has(sessionId)) tenant = t;
  const s = tenant?.uploadSessions.get(sessionId);
  if (!tenant || !s) return sessionGone();
  if (Date.now() > s.expires) {
    tenant.uploadSessions.delete(sessionId);
    return sessionGone();
  }
  const status = () => ({ expirationDateTime: new Date(s.expires).toISOString(), nextExpectedRanges: [`${s.next}-`] });
  if (method === 'GET') return { status: 200, body: status() };
  if (method === 'DELETE') {
    tenant.uploadSessions.delete(sessionId);
    return { status: 204 };
  }
  if (method !== 'PUT') return graphError(405, 'invalidRequest', 'Use PUT to upload a byte range.');
  const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(contentRange ?? '');
  if (!m) return graphError(400, 'invalidRequest', 'A Content-Range header of the form "bytes start-end/total" is required.');
  const [start, end, total] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (end - start + 1 !== body.length || end >= total) return graphError(400, 'invalidRange', 'The Content-Range does not match the length of the body.');
  if (start !== s.next) {
    const r = graphError(416, 'invalidRange', 'The uploaded fragment overlaps or skips bytes the server expected.');
    return { ...r, body: { ...(r.body as object), nextExpectedRanges: [`${s.next}-`] } };
  }
  const last = end + 1 === total;
  if (body.length > MAX_FRAGMENT) return graphError(413, 'requestEntityTooLarge', 'A fragment must be smaller than 60 MiB.');
  if (!last && body.length % FRAGMENT_UNIT !== 0) return graphError(400, 'invalidRange', 'Fragments other than the last must be a multiple of 320 KiB (327,680 bytes).');
  s.received.push(body);
  s.next = end + 1;
  if (!last) return { status: 202, body: { expirationDateTime: new Date(s.expires).toISOString(), nextExpectedRanges: [`${s.next}-${total - 1}`] } };
  tenant.uploadSessions.delete(sessionId);
  const drive = tenant.drives.get(s.driveId)!;
  const parent = drive.items.get(s.parentId)!;
  const existed = !!childNamed(drive, parent, s.name) && s.conflict === 'replace';
  const item = writeFile(tenant, drive, parent, s.name, Buffer.concat(s.received), s.conflict);
  if (!item) return graphError(409, 'nameAlreadyExists', 'The specified item name already exists.');
  return { status: existed ? 200 : 201, body: itemView(drive, item) };
}
