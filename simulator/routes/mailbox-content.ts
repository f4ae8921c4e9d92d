// Mailbox contents for the surrender: folders (top level, child folders, well-known names), messages
// (paged, $select), each message's MIME ($value), contacts and events.
import { applySelect, graphError, notFound, page, type SimRequest } from '../http';
import { mimeOf, type SimMailFolder } from '../mailbox';
import { findUser, type SimUser } from '../state';
import type { Route } from '.';

const ID = '([^/]+)';
const MAIL_READ = ['Mail.Read', 'Mail.ReadWrite'];

function folder(u: SimUser, idOrName: string): SimMailFolder | undefined {
  const key = decodeURIComponent(idOrName).toLowerCase();
  return u.mailFolders.get(idOrName) ?? [...u.mailFolders.values()].find((f) => f.wellKnownName === key);
}

function folderView(f: SimMailFolder): Record<string, unknown> {
  return {
    ...(f.search ? { '@odata.type': '#microsoft.graph.mailSearchFolder' } : {}),
    id: f.id, displayName: f.displayName, parentFolderId: f.parentFolderId, childFolderCount: f.childFolderIds.length,
    totalItemCount: f.messages.length, unreadItemCount: 0, isHidden: false, sizeInBytes: f.messages.reduce((n, m) => n + m.size, 0),
  };
}

function withUser(req: SimRequest, id: string): SimUser | ReturnType<typeof notFound> {
  const u = findUser(req.tenant, id);
  if (!u) return notFound(id);
  if (!u.hasMailbox) return graphError(404, 'MailboxNotEnabledForRESTAPI', 'The mailbox is either inactive, soft-deleted, or is hosted on-premise.');
  return u;
}

const isUser = (x: unknown): x is SimUser => !!x && typeof x === 'object' && 'mailFolders' in x;

export const mailboxContentRoutes: Route[] = [
  {
    method: 'GET', path: new RegExp(`^/users/${ID}/mailFolders$`), roles: MAIL_READ,
    handle: (req, m) => {
      const u = withUser(req, m[1]);
      if (!isUser(u)) return u;
      const root = [...u.mailFolders.values()].find((f) => f.wellKnownName === 'msgfolderroot')!;
      return page(req, root.childFolderIds.map((id) => folderView(u.mailFolders.get(id)!)), { defaultSize: 10, maxSize: 999 });
    },
  },
  {
    method: 'GET', path: new RegExp(`^/users/${ID}/mailFolders/${ID}/childFolders$`), roles: MAIL_READ,
    handle: (req, m) => {
      const u = withUser(req, m[1]);
      if (!isUser(u)) return u;
      const f = folder(u, m[2]);
      return f ? page(req, f.childFolderIds.map((id) => folderView(u.mailFolders.get(id)!)), { defaultSize: 10, maxSize: 999 }) : notFound(m[2]);
    },
  },
  {
    method: 'GET', path: new RegExp(`^/users/${ID}/mailFolders/${ID}$`), roles: MAIL_READ,
    handle: (req, m) => {
      const u = withUser(req, m[1]);
      if (!isUser(u)) return u;
      const f = folder(u, m[2]);
      return f ? { status: 200, body: applySelect(folderView(f), req.query) } : notFound(m[2]);
    },
  },
  {
    method: 'GET', path: new RegExp(`^/users/${ID}/mailFolders/${ID}/messages$`), roles: MAIL_READ,
    handle: (req, m) => {
      const u = withUser(req, m[1]);
      if (!isUser(u)) return u;
      const f = folder(u, m[2]);
      if (!f) return notFound(m[2]);
      return page(req, f.messages.map((x) => ({ id: x.id, subject: x.subject, receivedDateTime: x.receivedDateTime, internetMessageId: x.internetMessageId, parentFolderId: f.id, from: { emailAddress: { address: x.from } } })), { defaultSize: 10, maxSize: 1000 });
    },
  },
  {
    method: 'GET', path: new RegExp(`^/users/${ID}/messages/${ID}/\\$value$`), roles: MAIL_READ,
    handle: (req, m) => {
      const u = withUser(req, m[1]);
      if (!isUser(u)) return u;
      for (const f of u.mailFolders.values()) {
        const msg = f.messages.find((x) => x.id === m[2]);
        if (msg) return { status: 200, raw: mimeOf(msg, u.userPrincipalName), headers: { 'Content-Type': 'message/rfc822' } };
      }
      return graphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
    },
  },
  {
    method: 'GET', path: new RegExp(`^/users/${ID}/contacts$`), roles: ['Contacts.Read', 'Contacts.ReadWrite'],
    handle: (req, m) => { const u = withUser(req, m[1]); return isUser(u) ? page(req, u.contacts) : u; },
  },
  {
    method: 'GET', path: new RegExp(`^/users/${ID}/events$`), roles: ['Calendars.Read', 'Calendars.ReadWrite'],
    handle: (req, m) => { const u = withUser(req, m[1]); return isUser(u) ? page(req, u.events) : u; },
  },
];
