// Writing into drives: simple PUT of content by path, upload sessions (chunked, no auth on the chunk
// PUTs, expiring), and reading an item back by path. Also sendMail and reading a mailbox's messages.
import { randomUUID, createHash } from 'node:crypto';
import { applySelect, graphError, notFound, page, type SimRequest, type SimResponse } from '../http';
import { ensureFolder, findUser, type SimDrive, type SimItem, type TenantState } from '../state';
import type { Route } from '.';

const WRITE = ['Sites.ReadWrite.All', 'Files.ReadWrite.All'];
const READ = ['Sites.Read.All', 'Files.Read.All', ...WRITE];

export interface UploadSession {
  id: string;
  tenant: TenantState;
  driveId: string;
  path: string[];
  size?: number;
  received: Buffer[];
  next: number;
  expires: number;
}

/** Sessions live in the server process; the chunk PUT carries no token, as with Graph. */
export const uploadSessions = new Map<string, UploadSession>();
export const UPLOAD_SESSION_TTL_MS = { value: 15 * 60 * 1000 };

function drive(req: SimRequest, id: string): SimDrive | undefined {
  return req.tenant.drives.get(id);
}

function itemByPath(d: SimDrive, segments: string[]): SimItem | undefined {
  let parent = [...d.items.values()].find((i) => i.root);
  for (const seg of segments) {
    parent = [...d.items.values()].find((i) => i.parentId === parent?.id && !i.deleted && i.name.toLowerCase() === seg.toLowerCase());
    if (!parent) return undefined;
  }
  return parent;
}

export function writeFile(tenant: TenantState, d: SimDrive, segments: string[], content: Buffer): SimItem {
  const name = segments[segments.length - 1];
  const parent = ensureFolder(tenant, d, segments.slice(0, -1));
  const now = new Date().toISOString();
  let item = [...d.items.values()].find((i) => i.parentId === parent.id && !i.deleted && i.name.toLowerCase() === name.toLowerCase());
  if (!item) {
    item = { id: randomUUID(), name, parentId: parent.id, folder: false, size: 0, created: now, modified: now, permissions: [], seq: 0 };
    d.items.set(item.id, item);
  }
  item.content = content;
  item.size = content.length;
  item.modified = now;
  item.seq = tenant.seq++;
  return item;
}

export function fileView(d: SimDrive, i: SimItem): Record<string, unknown> {
  return {
    id: i.id, name: i.name, size: i.size, createdDateTime: i.created, lastModifiedDateTime: i.modified, webUrl: `${d.webUrl}/${encodeURIComponent(i.name)}`,
    parentReference: { driveId: d.id, id: i.parentId }, file: { mimeType: 'application/octet-stream', hashes: { sha256Hash: i.content ? createHash('sha256').update(i.content).digest('hex').toUpperCase() : undefined } },
  };
}

const pathSegments = (p: string) => decodeURIComponent(p).split('/').filter(Boolean);

export function handleChunk(sessionId: string, contentRange: string | undefined, body: Buffer): SimResponse {
  const s = uploadSessions.get(sessionId);
  if (!s) return graphError(404, 'itemNotFound', 'The upload session was not found.');
  if (Date.now() > s.expires) {
    uploadSessions.delete(sessionId);
    return graphError(404, 'itemNotFound', 'The upload session has expired.');
  }
  const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(contentRange ?? '');
  if (!m) return graphError(400, 'invalidRequest', 'Content-Range is required: bytes start-end/total.');
  const [start, end, total] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (start !== s.next || end - start + 1 !== body.length) return { status: 416, body: { error: { code: 'invalidRange', message: 'The uploaded fragment does not match the expected range.' } , nextExpectedRanges: [`${s.next}-`] } };
  s.received.push(body);
  s.next = end + 1;
  if (s.next < total) return { status: 202, body: { expirationDateTime: new Date(s.expires).toISOString(), nextExpectedRanges: [`${s.next}-${total - 1}`] } };
  uploadSessions.delete(sessionId);
  const d = s.tenant.drives.get(s.driveId)!;
  const item = writeFile(s.tenant, d, s.path, Buffer.concat(s.received));
  return { status: 201, body: fileView(d, item) };
}

export const uploadRoutes: Route[] = [
  {
    method: 'PUT', path: /^\/drives\/([^/]+)\/root:\/(.+):\/content$/, roles: WRITE,
    handle: (req, m) => {
      const d = drive(req, m[1]);
      if (!d) return notFound(m[1]);
      if (d.readOnly) return graphError(403, 'accessDenied', 'Access denied: the library is read-only for this app.');
      if (req.body.length > 4 * 1024 * 1024) return graphError(413, 'requestEntityTooLarge', 'Use an upload session for files larger than 4 MB.');
      return { status: 201, body: fileView(d, writeFile(req.tenant, d, pathSegments(m[2]), req.body)) };
    },
  },
  {
    method: 'POST', path: /^\/drives\/([^/]+)\/root:\/(.+):\/createUploadSession$/, roles: WRITE,
    handle: (req, m) => {
      const d = drive(req, m[1]);
      if (!d) return notFound(m[1]);
      if (d.readOnly) return graphError(403, 'accessDenied', 'Access denied: the library is read-only for this app.');
      const id = randomUUID();
      const expires = Date.now() + UPLOAD_SESSION_TTL_MS.value;
      uploadSessions.set(id, { id, tenant: req.tenant, driveId: d.id, path: pathSegments(m[2]), received: [], next: 0, expires });
      return { status: 200, body: { uploadUrl: `${req.base.replace(/\/(v1\.0|beta)$/, '')}/upload/${id}`, expirationDateTime: new Date(expires).toISOString(), nextExpectedRanges: ['0-'] } };
    },
  },
  {
    method: 'GET', path: /^\/drives\/([^/]+)\/root:\/(.+?):?$/, roles: READ,
    handle: (req, m) => {
      const d = drive(req, m[1]);
      const item = d && itemByPath(d, pathSegments(m[2]));
      return d && item ? { status: 200, body: applySelect(fileView(d, item), req.query) } : graphError(404, 'itemNotFound', 'The resource could not be found.');
    },
  },
  {
    method: 'GET', path: /^\/drives\/([^/]+)\/items\/([^/]+)\/content$/, roles: READ,
    handle: (req, m) => {
      const item = drive(req, m[1])?.items.get(m[2]);
      return item?.content ? { status: 200, raw: item.content } : graphError(404, 'itemNotFound', 'The resource could not be found.');
    },
  },
  {
    method: 'POST', path: /^\/users\/([^/]+)\/sendMail$/, roles: ['Mail.Send'],
    handle: (req, m) => {
      const sender = findUser(req.tenant, m[1]);
      if (!sender || !sender.hasMailbox) return graphError(404, 'ErrorInvalidUser', `The requested user '${m[1]}' is invalid.`);
      const { message } = req.json<{ message?: { subject?: string; toRecipients?: { emailAddress?: { address?: string } }[]; body?: { content?: string }; attachments?: { name: string; contentBytes: string }[] } }>();
      const recipients = (message?.toRecipients ?? []).map((r) => r.emailAddress?.address ?? '');
      if (!recipients.length || recipients.some((a) => !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(a))) return graphError(400, 'ErrorInvalidRecipients', 'At least one recipient is not valid.');
      for (const address of recipients) {
        const to = findUser(req.tenant, address);
        if (to?.hasMailbox) {
          req.tenant.sentMail.push({ id: randomUUID(), mailbox: to.id, from: sender.userPrincipalName, subject: message?.subject ?? '', receivedDateTime: new Date().toISOString(), attachments: (message?.attachments ?? []).map((a) => a.name), bodyLength: message?.body?.content?.length ?? 0 });
        }
      }
      return { status: 202 };
    },
  },
  {
    method: 'GET', path: /^\/users\/([^/]+)\/messages$/, roles: ['Mail.Read', 'Mail.ReadBasic.All'],
    handle: (req, m) => {
      const u = findUser(req.tenant, m[1]);
      if (!u) return notFound(m[1]);
      // Mail delivered through sendMail during the run; generated folder contents are listed per folder.
      return page(req, req.tenant.sentMail.filter((x) => x.mailbox === u.id).map((x) => ({ id: x.id, subject: x.subject, receivedDateTime: x.receivedDateTime, from: { emailAddress: { address: x.from } }, hasAttachments: x.attachments.length > 0 })));
    },
  },
];
