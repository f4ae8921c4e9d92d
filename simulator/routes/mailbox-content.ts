// Mailbox contents for the surrender: folders (top level, child folders, well-known names), messages
// (paged, $select), each message's MIME ($value), contacts and events.
import { applySelect, graphError, notFound, page, unescapeSegment, type SimRequest } from '../http';
import { hasAttachment, mimeBody, restIdOf, wantsImmutableId, type SimMailFolder, type SimMessage } from '../mailbox';
import { findUser, type SimEventAttachment, type SimUser } from '../state';
import type { Route } from '.';

const ID = '([^/]+)';
const MAIL_READ = ['Mail.Read', 'Mail.ReadWrite'];

function folder(u: SimUser, idOrName: string): SimMailFolder | undefined {
  const key = unescapeSegment(idOrName).toLowerCase();
  return u.mailFolders.get(idOrName) ?? [...u.mailFolders.values()].find((f) => f.wellKnownName === key);
}

function folderView(f: SimMailFolder): Record<string, unknown> {
  return {
    ...(f.search ? { '@odata.type': '#microsoft.graph.mailSearchFolder' } : {}),
    id: f.id, displayName: f.displayName, parentFolderId: f.parentFolderId, childFolderCount: f.childFolderIds.length,
    totalItemCount: f.messages.length + (f.otherItems ?? 0), unreadItemCount: 0, isHidden: false, sizeInBytes: f.messages.reduce((n, m) => n + m.size, 0),
  };
}

/** Child folders as Graph lists them: hidden ones only with ?includeHiddenFolders=true. */
function listed(req: SimRequest, u: SimUser, ids: string[]): Record<string, unknown>[] {
  const hidden = req.query.get('includeHiddenFolders') === 'true';
  return ids.map((id) => u.mailFolders.get(id)!).filter((f) => hidden || !f.hidden).map(folderView);
}

/** A message by the id the caller holds: an old default id no longer finds a moved message (404), an immutable id does. */
function findMessage(u: SimUser, id: string, immutable: boolean): { folder: SimMailFolder; message: SimMessage } | undefined {
  for (const folder of u.mailFolders.values()) {
    const message = folder.messages.find((x) => restIdOf(x, immutable) === id);
    if (message) return { folder, message };
  }
  return undefined;
}

export function messageView(m: SimMessage, folderId: string, immutable = false): Record<string, unknown> {
  return {
    id: restIdOf(m, immutable), subject: m.subject, receivedDateTime: m.receivedDateTime, sentDateTime: m.receivedDateTime, internetMessageId: m.internetMessageId,
    parentFolderId: folderId, hasAttachments: hasAttachment(m), from: { emailAddress: { address: m.from } },
    toRecipients: (m.toRecipients ?? []).map((address) => ({ emailAddress: { address } })),
  };
}

function withUser(req: SimRequest, id: string): SimUser | ReturnType<typeof notFound> {
  const u = findUser(req.tenant, id);
  if (!u) return notFound(id);
  if (!u.hasMailbox) return graphError(404, 'MailboxNotEnabledForRESTAPI', 'The mailbox is either inactive, soft-deleted, or is hosted on-premise.');
  return u;
}

const folderNotFound = () => graphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
const messageNotFound = folderNotFound;

const CAL_READ = ['Calendars.Read', 'Calendars.ReadWrite'];
const DEFAULT_CALENDAR = (u: SimUser) => `${u.id}-calendar`;
/** An event as /events lists it: singleInstance or seriesMaster, without the simulator's own fields. */
const eventView = ({ calendarId: _c, instances: _i, attachments, ...e }: SimUser['events'][number]): Record<string, unknown> => ({ type: 'singleInstance', ...e, hasAttachments: !!attachments?.length });

const ATTACHMENT_TYPE = { file: '#microsoft.graph.fileAttachment', item: '#microsoft.graph.itemAttachment', reference: '#microsoft.graph.referenceAttachment' } as const;
const ITEM_MIME_TYPE = { message: 'message/rfc822', event: 'text/calendar', contact: 'text/vcard' } as const;

/**
 * An attachment as "List attachments" answers it: the derived type in @odata.type; a fileAttachment
 * carries its bytes (contentBytes), an item or reference attachment has a null contentType, and a
 * reference attachment's size is of the link's metadata, not of the file.
 */
function attachmentView(a: SimEventAttachment): Record<string, unknown> {
  const common = { '@odata.type': ATTACHMENT_TYPE[a.kind], id: a.id, name: a.name, isInline: false, lastModifiedDateTime: '2026-01-01T00:00:00Z' };
  if (a.kind === 'file') return { ...common, contentType: a.contentType, size: a.bytes.length, contentId: null, contentLocation: null, contentBytes: a.bytes.toString('base64') };
  if (a.kind === 'item') return { ...common, contentType: null, size: Buffer.byteLength(a.mime) };
  return { ...common, contentType: null, size: 312 };
}

/** An event (or a series' exception) in the named calendar, with its attachments. */
function eventInCalendar(u: SimUser, calendarId: string, eventId: string): { attachments?: SimEventAttachment[] } | undefined {
  const isDefault = calendarId === DEFAULT_CALENDAR(u);
  const inCalendar = u.events.filter((e) => (isDefault ? !e.calendarId : e.calendarId === calendarId));
  return inCalendar.find((e) => e.id === eventId) ?? inCalendar.flatMap((e) => e.instances ?? []).find((i) => i.id === eventId);
}

const contactView = ({ folderId: _f, ...c }: SimUser['contacts'][number]): Record<string, unknown> => c;

const isUser = (x: unknown): x is SimUser => !!x && typeof x === 'object' && 'mailFolders' in x;

export const mailboxContentRoutes: Route[] = [
  {
    method: 'GET', path: new RegExp(`^/users/${ID}/mailFolders$`), roles: MAIL_READ,
    handle: (req, m) => {
      const u = withUser(req, m[1]);
      if (!isUser(u)) return u;
      const root = [...u.mailFolders.values()].find((f) => f.wellKnownName === 'msgfolderroot')!;
      return page(req, listed(req, u, root.childFolderIds), { defaultSize: 10, maxSize: 999 });
    },
  },
  {
    method: 'GET', path: new RegExp(`^/users/${ID}/mailFolders/${ID}/childFolders$`), roles: MAIL_READ,
    handle: (req, m) => {
      const u = withUser(req, m[1]);
      if (!isUser(u)) return u;
      const f = folder(u, m[2]);
      return f ? page(req, listed(req, u, f.childFolderIds), { defaultSize: 10, maxSize: 999 }) : folderNotFound();
    },
  },
  {
    method: 'GET', path: new RegExp(`^/users/${ID}/mailFolders/${ID}$`), roles: MAIL_READ,
    handle: (req, m) => {
      const u = withUser(req, m[1]);
      if (!isUser(u)) return u;
      const f = folder(u, m[2]);
      return f ? { status: 200, body: applySelect(folderView(f), req.query) } : folderNotFound();
    },
  },
  {
    method: 'GET', path: new RegExp(`^/users/${ID}/mailFolders/${ID}/messages$`), roles: MAIL_READ,
    handle: (req, m) => {
      const u = withUser(req, m[1]);
      if (!isUser(u)) return u;
      const f = folder(u, m[2]);
      if (!f) return folderNotFound();
      return page(req, f.messages.map((x) => messageView(x, f.id, wantsImmutableId(req.headers))), { defaultSize: 10, maxSize: 1000 });
    },
  },
  {
    method: 'GET', path: new RegExp(`^/users/${ID}/messages/${ID}/\\$value$`), roles: MAIL_READ,
    handle: (req, m) => {
      const u = withUser(req, m[1]);
      if (!isUser(u)) return u;
      const found = findMessage(u, m[2], wantsImmutableId(req.headers));
      return found ? { status: 200, stream: mimeBody(found.message, u.userPrincipalName), headers: { 'Content-Type': 'message/rfc822' } } : messageNotFound();
    },
  },
  {
    method: 'GET', path: new RegExp(`^/users/${ID}/messages/${ID}$`), roles: MAIL_READ,
    handle: (req, m) => {
      const u = withUser(req, m[1]);
      if (!isUser(u)) return u;
      const immutable = wantsImmutableId(req.headers);
      const found = findMessage(u, m[2], immutable);
      return found ? { status: 200, body: applySelect(messageView(found.message, found.folder.id, immutable), req.query) } : messageNotFound();
    },
  },
  {
    method: 'GET', path: new RegExp(`^/users/${ID}/contacts$`), roles: ['Contacts.Read', 'Contacts.ReadWrite'],
    // The default Contacts folder only; other folders through /contactFolders.
    handle: (req, m) => { const u = withUser(req, m[1]); return isUser(u) ? page(req, u.contacts.filter((c) => !c.folderId).map(contactView)) : u; },
  },
  {
    method: 'GET', path: new RegExp(`^/users/${ID}/contactFolders$`), roles: ['Contacts.Read', 'Contacts.ReadWrite'],
    handle: (req, m) => { const u = withUser(req, m[1]); return isUser(u) ? page(req, (u.contactFolders ?? []).filter((f) => !f.parentFolderId)) : u; },
  },
  {
    method: 'GET', path: new RegExp(`^/users/${ID}/contactFolders/${ID}/(childFolders|contacts)$`), roles: ['Contacts.Read', 'Contacts.ReadWrite'],
    handle: (req, m) => {
      const u = withUser(req, m[1]);
      if (!isUser(u)) return u;
      const id = unescapeSegment(m[2]);
      if (!(u.contactFolders ?? []).some((f) => f.id === id)) return graphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
      return m[3] === 'childFolders' ? page(req, (u.contactFolders ?? []).filter((f) => f.parentFolderId === id)) : page(req, u.contacts.filter((c) => c.folderId === id).map(contactView));
    },
  },
  {
    // The default calendar's single events and series masters (occurrences and exceptions only through /instances).
    method: 'GET', path: new RegExp(`^/users/${ID}/events$`), roles: CAL_READ,
    handle: (req, m) => { const u = withUser(req, m[1]); return isUser(u) ? page(req, u.events.filter((e) => !e.calendarId).map(eventView)) : u; },
  },
  {
    method: 'GET', path: new RegExp(`^/users/${ID}/calendars$`), roles: CAL_READ,
    handle: (req, m) => {
      const u = withUser(req, m[1]);
      if (!isUser(u)) return u;
      const calendars = [{ id: DEFAULT_CALENDAR(u), name: 'Calendar', isDefaultCalendar: true }, ...(u.calendars ?? []).map((c) => ({ ...c, isDefaultCalendar: false }))];
      return page(req, calendars);
    },
  },
  {
    method: 'GET', path: new RegExp(`^/users/${ID}/calendars/${ID}/events$`), roles: CAL_READ,
    handle: (req, m) => {
      const u = withUser(req, m[1]);
      if (!isUser(u)) return u;
      const id = unescapeSegment(m[2]);
      const isDefault = id === DEFAULT_CALENDAR(u);
      if (!isDefault && !(u.calendars ?? []).some((c) => c.id === id)) return graphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
      return page(req, u.events.filter((e) => (isDefault ? !e.calendarId : e.calendarId === id)).map(eventView));
    },
  },
  {
    // A series' occurrences and exceptions in a window; both ends are required, as in Graph.
    method: 'GET', path: new RegExp(`^/users/${ID}/events/${ID}/instances$`), roles: CAL_READ,
    handle: (req, m) => {
      const u = withUser(req, m[1]);
      if (!isUser(u)) return u;
      const from = req.query.get('startDateTime');
      const to = req.query.get('endDateTime');
      if (!from || !to) return graphError(400, 'ErrorInvalidParameter', 'This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.');
      const master = u.events.find((e) => e.id === unescapeSegment(m[2]));
      if (!master) return graphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
      const inWindow = (master.instances ?? []).filter((i) => i.start.dateTime >= from.replace(/Z$/, '') && i.start.dateTime < to.replace(/Z$/, ''));
      return page(req, inWindow.map(({ attachments, ...i }) => ({ ...i, seriesMasterId: master.id, location: master.location, hasAttachments: !!attachments?.length })));
    },
  },
  {
    // "List attachments" (event), for an event in any of the user's calendars.
    method: 'GET', path: new RegExp(`^/users/${ID}/calendars/${ID}/events/${ID}/attachments$`), roles: CAL_READ,
    handle: (req, m) => {
      const u = withUser(req, m[1]);
      if (!isUser(u)) return u;
      const event = eventInCalendar(u, unescapeSegment(m[2]), unescapeSegment(m[3]));
      if (!event) return graphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
      return page(req, (event.attachments ?? []).map(attachmentView));
    },
  },
  {
    // "Get attachment" raw contents: a file's bytes in its own content type, an Outlook item as MIME;
    // a reference attachment has no raw contents (405, as the page says).
    method: 'GET', path: new RegExp(`^/users/${ID}/calendars/${ID}/events/${ID}/attachments/${ID}/\\$value$`), roles: CAL_READ,
    handle: (req, m) => {
      const u = withUser(req, m[1]);
      if (!isUser(u)) return u;
      const a = eventInCalendar(u, unescapeSegment(m[2]), unescapeSegment(m[3]))?.attachments?.find((x) => x.id === unescapeSegment(m[4]));
      if (!a) return graphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
      if (a.kind === 'reference') return graphError(405, 'ErrorInvalidRequest', 'The raw contents of a reference attachment cannot be read.');
      return a.kind === 'file'
        ? { status: 200, raw: a.bytes, headers: { 'Content-Type': a.contentType } }
        : { status: 200, raw: Buffer.from(a.mime, 'utf8'), headers: { 'Content-Type': ITEM_MIME_TYPE[a.item] } };
    },
  },
];
