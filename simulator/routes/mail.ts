// Mailbox metadata: inbox rules and mailbox settings (the audit never reads message bodies).
import { notFound, page } from '../http';
import { findUser } from '../state';
import type { Route } from '.';

const ID = '([^/]+)';
const noMailbox = () => ({ status: 404, body: { error: { code: 'MailboxNotEnabledForRESTAPI', message: 'The mailbox is either inactive, soft-deleted, or is hosted on-premise.' } } });

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
      if (!rule) return notFound(m[2]);
      Object.assign(rule, req.json());
      return { status: 200, body: rule };
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
