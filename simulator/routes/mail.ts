// Mailbox metadata: inbox rules and mailbox settings (the audit never reads message bodies); sendMail,
// which delivers into each internal recipient's Inbox (and the sender's Sent Items), and the
// mailbox-wide message list.
import { randomUUID } from 'node:crypto';
import { graphError, notFound, page, unescapeSegment } from '../http';
import { findUser, stableId, type SimUser } from '../state';
import type { SimMailFolder } from '../mailbox';
import { messageView } from './mailbox-content';
import { wantsImmutableId } from '../mailbox';
import type { Route } from '.';

function wellKnown(u: SimUser, name: 'inbox' | 'sentitems'): SimMailFolder {
  const existing = [...u.mailFolders.values()].find((f) => f.wellKnownName === name);
  if (existing) return existing;
  const root = [...u.mailFolders.values()].find((f) => f.wellKnownName === 'msgfolderroot')!;
  const folder: SimMailFolder = { id: stableId(u.id, 'folder', name), displayName: name === 'inbox' ? 'Inbox' : 'Sent Items', parentFolderId: root.id, childFolderIds: [], search: false, hidden: false, wellKnownName: name, messages: [] };
  u.mailFolders.set(folder.id, folder);
  root.childFolderIds.push(folder.id);
  return folder;
}


interface SendMailBody {
  message?: {
    subject?: string;
    toRecipients?: { emailAddress?: { address?: string } }[];
    ccRecipients?: { emailAddress?: { address?: string } }[];
    body?: { content?: string };
    attachments?: { name?: string; contentBytes?: string }[];
  };
  saveToSentItems?: boolean;
}

const ID = '([^/]+)';
const noMailbox = () => graphError(404, 'MailboxNotEnabledForRESTAPI', 'The mailbox is either inactive, soft-deleted, or is hosted on-premise.');
const noRule = () => graphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');

export const mailRoutes: Route[] = [
  {
    method: 'GET', path: new RegExp(`^/users/${ID}/mailFolders/inbox/messageRules$`), roles: ['MailboxSettings.Read', 'MailboxSettings.ReadWrite'],
    handle: (req, m) => {
      const u = findUser(req.tenant, m[1]);
      if (!u) return notFound(m[1]);
      return u.hasMailbox ? page(req, u.rules as unknown as Record<string, unknown>[]) : noMailbox();
    },
  },
  {
    method: 'PATCH', path: new RegExp(`^/users/${ID}/mailFolders/inbox/messageRules/${ID}$`), roles: ['MailboxSettings.ReadWrite'],
    handle: (req, m) => {
      const rule = findUser(req.tenant, m[1])?.rules.find((r) => r.id === m[2]);
      if (!rule) return noRule();
      const changes = req.json<Record<string, unknown>>();
      delete changes.id; // ids are read-only, as in Graph
      Object.assign(rule, changes);
      return { status: 200, body: rule };
    },
  },
  {
    method: 'DELETE', path: new RegExp(`^/users/${ID}/mailFolders/inbox/messageRules/${ID}$`), roles: ['MailboxSettings.ReadWrite'],
    handle: (req, m) => {
      const u = findUser(req.tenant, m[1]);
      if (!u?.rules.some((r) => r.id === m[2])) return noRule();
      u.rules = u.rules.filter((r) => r.id !== m[2]);
      return { status: 204 };
    },
  },
  {
    method: 'GET', path: new RegExp(`^/users/${ID}/mailboxSettings$`), roles: ['MailboxSettings.Read', 'MailboxSettings.ReadWrite'],
    handle: (req, m) => {
      const u = findUser(req.tenant, m[1]);
      if (!u) return notFound(m[1]);
      return u.hasMailbox ? { status: 200, body: { automaticRepliesSetting: u.automaticRepliesSetting, timeZone: 'GMT Standard Time' } } : noMailbox();
    },
  },
  {
    method: 'PATCH', path: new RegExp(`^/users/${ID}/mailboxSettings$`), roles: ['MailboxSettings.ReadWrite'],
    handle: (req, m) => {
      const u = findUser(req.tenant, m[1]);
      if (!u) return notFound(m[1]);
      const b = req.json<{ automaticRepliesSetting?: Record<string, unknown> }>();
      if (b.automaticRepliesSetting) u.automaticRepliesSetting = { ...u.automaticRepliesSetting, ...b.automaticRepliesSetting };
      return { status: 200, body: { automaticRepliesSetting: u.automaticRepliesSetting } };
    },
  },
];

export const sendMailRoutes: Route[] = [
  {
    method: 'POST', path: new RegExp(`^/users/${ID}/sendMail$`), roles: ['Mail.Send'],
    handle: (req, m) => {
      const sender = findUser(req.tenant, m[1]);
      if (!sender || !sender.hasMailbox) return graphError(404, 'ErrorInvalidUser', `The requested user '${unescapeSegment(m[1])}' is invalid.`);
      let parsed: SendMailBody;
      try {
        parsed = req.json<SendMailBody>();
      } catch {
        return graphError(400, 'ErrorInvalidRequest', 'Cannot read the request body.');
      }
      const { message, saveToSentItems } = parsed;
      const recipients = [...(message?.toRecipients ?? []), ...(message?.ccRecipients ?? [])].map((r) => r.emailAddress?.address ?? '');
      if (!recipients.length || recipients.some((a) => !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(a))) return graphError(400, 'ErrorInvalidRecipients', 'At least one recipient is not valid.');
      const attachments = message?.attachments ?? [];
      // "Attach large files to Outlook messages or events": a file attached in one request must be under
      // 3 MB; larger files need an attachment upload session on a draft.
      const tooLarge = attachments.find((a) => Math.floor((a.contentBytes?.length ?? 0) * 3 / 4) >= 3 * 1024 * 1024);
      if (tooLarge) return graphError(413, 'ErrorRequestEntityTooLarge', `The attachment "${tooLarge.name ?? ''}" is too large to send in one request; attachments of 3 MB or more need an upload session.`);
      const attachmentBytes = attachments.reduce((n, a) => n + Math.floor((a.contentBytes?.length ?? 0) * 3 / 4), 0);
      const size = 2000 + (message?.body?.content?.length ?? 0) + attachmentBytes;
      const now = new Date().toISOString();
      const deliver = (folder: SimMailFolder): void => {
        const id = randomUUID();
        folder.messages.unshift({ id, subject: message?.subject ?? '', receivedDateTime: now, from: sender.userPrincipalName, internetMessageId: `<${id}@simulator>`, size, hasAttachments: attachments.length > 0, toRecipients: recipients });
      };
      for (const address of new Set(recipients.map((a) => a.toLowerCase()))) {
        const to = req.tenant.users.find((u) => u.hasMailbox && (u.userPrincipalName?.toLowerCase() === address || u.mail?.toLowerCase() === address));
        if (!to) continue; // external recipients leave the simulated tenant
        deliver(wellKnown(to, 'inbox'));
        req.tenant.sentMail.push({ id: randomUUID(), mailbox: to.id, from: sender.userPrincipalName, subject: message?.subject ?? '', receivedDateTime: now, attachments: attachments.map((a) => a.name ?? ''), bodyLength: message?.body?.content?.length ?? 0 });
      }
      if (saveToSentItems !== false) deliver(wellKnown(sender, 'sentitems'));
      return { status: 202 };
    },
  },
  {
    method: 'GET', path: new RegExp(`^/users/${ID}/messages$`), roles: ['Mail.Read', 'Mail.ReadWrite', 'Mail.ReadBasic.All'],
    handle: (req, m) => {
      const u = findUser(req.tenant, m[1]);
      if (!u) return notFound(m[1]);
      if (!u.hasMailbox) return noMailbox();
      // Every message in the mailbox, newest first, as Graph lists /messages.
      const all = [...u.mailFolders.values()].filter((f) => !f.search).flatMap((f) => f.messages.map((x) => messageView(x, f.id, wantsImmutableId(req.headers))));
      all.sort((a, b) => String(b.receivedDateTime).localeCompare(String(a.receivedDateTime)));
      return page(req, all, { defaultSize: 10, maxSize: 1000 });
    },
  },
];
