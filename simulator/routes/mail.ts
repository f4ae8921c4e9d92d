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
import { addresses, decodeWords, leafParts, parseMime, type MimePart } from '../mime-parse';

/** Graph refuses a request body over 4 MB (see simulator/README.md, sendMail). */
export const MAX_SENDMAIL_REQUEST_BYTES = 4 * 1024 * 1024;

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
      // "user: sendMail": a JSON message, or (Content-Type text/plain) the MIME message base64-encoded.
      // Graph refuses a request over 4 MB (413); see simulator/README.md.
      if (req.body.length > MAX_SENDMAIL_REQUEST_BYTES) return graphError(413, 'ErrorRequestEntityTooLarge', 'The request is larger than 4 MB; link large content or attach it through an upload session on a draft.');
      const asMime = /^text\/plain\b/i.test(req.headers['content-type'] ?? '');
      let mail: { subject: string; recipients: string[]; attachments: { name: string; bytes: number }[]; bodyLength: number; parts?: { contentType: string; content: string; filename?: string }[]; saveToSentItems: boolean };
      if (asMime) {
        const text = req.body.toString('latin1').replace(/\s+/g, '');
        // "If the request body includes malformed MIME content, this method returns 400 Bad request and the
        // following error message: Invalid base64 string for MIME content." (ErrorMimeContentInvalidBase64String)
        if (!text || !/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return graphError(400, 'ErrorMimeContentInvalidBase64String', 'Invalid base64 string for MIME content.');
        let root: MimePart;
        try {
          root = parseMime(Buffer.from(text, 'base64').toString('utf8'));
        } catch {
          // "Sending emails with MIME content", Error conditions: malformed or missing MIME is a 400.
          return graphError(400, 'ErrorMimeContentInvalid', 'MIME content does not contain all required information, malformed formatting, or empty.');
        }
        const leaves = leafParts(root);
        const bodies = leaves.filter((p) => !p.filename && /^text\/(plain|html)$/.test(p.contentType));
        const recipientsOf = ['to', 'cc', 'bcc'].flatMap((h) => addresses(root.headers.get(h)));
        if (!bodies.length || !root.headers.has('subject')) return graphError(400, 'ErrorMimeContentInvalid', 'MIME content does not contain all required information, malformed formatting, or empty.');
        mail = {
          subject: decodeWords(root.headers.get('subject') ?? ''),
          recipients: recipientsOf,
          attachments: leaves.filter((p) => p.filename).map((p) => ({ name: p.filename!, bytes: p.content.length })),
          bodyLength: bodies.reduce((n, p) => n + p.content.length, 0),
          parts: leaves.map((p) => ({ contentType: p.contentType, content: p.filename ? '' : p.content.toString('utf8'), ...(p.filename ? { filename: p.filename } : {}) })),
          saveToSentItems: true,
        };
      } else {
        let parsed: SendMailBody;
        try {
          parsed = req.json<SendMailBody>();
        } catch {
          return graphError(400, 'ErrorInvalidRequest', 'Cannot read the request body.');
        }
        const { message, saveToSentItems } = parsed;
        const attachments = message?.attachments ?? [];
        // "Attach large files to Outlook messages or events": a file attached in one request must be under
        // 3 MB; larger files need an attachment upload session on a draft.
        const tooLarge = attachments.find((a) => Math.floor((a.contentBytes?.length ?? 0) * 3 / 4) >= 3 * 1024 * 1024);
        if (tooLarge) return graphError(413, 'ErrorRequestEntityTooLarge', `The attachment "${tooLarge.name ?? ''}" is too large to send in one request; attachments of 3 MB or more need an upload session.`);
        mail = {
          subject: message?.subject ?? '',
          recipients: [...(message?.toRecipients ?? []), ...(message?.ccRecipients ?? [])].map((r) => r.emailAddress?.address ?? ''),
          attachments: attachments.map((a) => ({ name: a.name ?? '', bytes: Math.floor((a.contentBytes?.length ?? 0) * 3 / 4) })),
          bodyLength: message?.body?.content?.length ?? 0,
          saveToSentItems: saveToSentItems !== false,
        };
      }
      const { recipients, attachments } = mail;
      if (!recipients.length || recipients.some((a) => !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(a))) return graphError(400, 'ErrorInvalidRecipients', 'At least one recipient is not valid.');
      const attachmentBytes = attachments.reduce((n, a) => n + a.bytes, 0);
      const size = 2000 + mail.bodyLength + attachmentBytes;
      const now = new Date().toISOString();
      const deliver = (folder: SimMailFolder): void => {
        const id = randomUUID();
        folder.messages.unshift({ id, subject: mail.subject, receivedDateTime: now, from: sender.userPrincipalName, internetMessageId: `<${id}@simulator>`, size, hasAttachments: attachments.length > 0, toRecipients: recipients });
      };
      for (const address of new Set(recipients.map((a) => a.toLowerCase()))) {
        const to = req.tenant.users.find((u) => u.hasMailbox && (u.userPrincipalName?.toLowerCase() === address || u.mail?.toLowerCase() === address));
        if (!to) continue; // external recipients leave the simulated tenant
        deliver(wellKnown(to, 'inbox'));
        req.tenant.sentMail.push({ id: randomUUID(), mailbox: to.id, from: sender.userPrincipalName, subject: mail.subject, receivedDateTime: now, attachments: attachments.map((a) => a.name), bodyLength: mail.bodyLength, ...(mail.parts ? { parts: mail.parts } : {}) });
      }
      if (mail.saveToSentItems) deliver(wellKnown(sender, 'sentitems'));
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
