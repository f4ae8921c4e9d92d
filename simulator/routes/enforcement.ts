// The writes enforcement makes that no other route covers: deleting a Conditional Access policy (undo of
// the one CouncilGuard created), per-user MFA (beta), a domain's password expiry, and re-creating an
// anyone-link (undo of its removal). Shapes and status codes as Graph documents them.
import { randomUUID } from 'node:crypto';
import { badRequest, notFound } from '../http';
import { findUser } from '../state';
import { shareItem } from '../drives';
import { addressed, readOnly } from './files';
import type { Route } from '.';

const ID = '([^/]+)';
const PER_USER_STATES = ['disabled', 'enabled', 'enforced'];
const LINK_TYPES = ['view', 'edit'];

export const enforcementRoutes: Route[] = [
  {
    method: 'DELETE', path: /^\/identity\/conditionalAccess\/policies\/([^/]+)$/, roles: ['Policy.ReadWrite.ConditionalAccess'], licence: 'p1',
    handle: (req, m) => {
      const before = req.tenant.conditionalAccessPolicies.length;
      req.tenant.conditionalAccessPolicies = req.tenant.conditionalAccessPolicies.filter((p) => p.id !== m[1]);
      return req.tenant.conditionalAccessPolicies.length < before ? { status: 204 } : notFound(m[1]);
    },
  },
  {
    method: 'PATCH', path: new RegExp(`^/users/${ID}/authentication/requirements$`), roles: ['Policy.ReadWrite.AuthenticationMethod'], versions: ['beta'],
    handle: (req, m) => {
      const u = findUser(req.tenant, m[1]);
      if (!u) return notFound(m[1]);
      const state = req.json<{ perUserMfaState?: string }>().perUserMfaState;
      if (!state || !PER_USER_STATES.includes(state)) return badRequest(`perUserMfaState must be one of ${PER_USER_STATES.join(', ')}.`);
      u.perUserMfaState = state;
      return { status: 204 };
    },
  },
  {
    method: 'GET', path: new RegExp(`^/domains/${ID}$`), roles: ['Domain.Read.All', 'Domain.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
    handle: (req, m) => {
      const d = req.tenant.domains.find((x) => x.id === decodeURIComponent(m[1]).toLowerCase());
      return d ? { status: 200, body: { ...d } } : notFound(m[1]);
    },
  },
  {
    method: 'PATCH', path: new RegExp(`^/domains/${ID}$`), roles: ['Domain.ReadWrite.All'],
    handle: (req, m) => {
      const d = req.tenant.domains.find((x) => x.id === decodeURIComponent(m[1]).toLowerCase());
      if (!d) return notFound(m[1]);
      const days = req.json<{ passwordValidityPeriodInDays?: unknown }>().passwordValidityPeriodInDays;
      if (days !== undefined) {
        if (typeof days !== 'number' || !Number.isInteger(days) || days < 14 || days > 2147483647) return badRequest('passwordValidityPeriodInDays must be a whole number of days from 14 to 730, or 2147483647 for never.');
        d.passwordValidityPeriodInDays = days;
      }
      return { status: 204 };
    },
  },
  {
    method: 'POST', path: new RegExp(`^/drives/${ID}/items/${ID}/createLink$`), roles: ['Files.ReadWrite.All', 'Sites.ReadWrite.All'],
    handle: (req, m) => {
      const at = addressed(req, m[1], m[2]);
      if ('status' in at) return at;
      if (at.drive.readOnly) return readOnly();
      const body = req.json<{ type?: string; scope?: string; expirationDateTime?: string }>();
      if (!body.type || !LINK_TYPES.includes(body.type)) return badRequest(`type must be one of ${LINK_TYPES.join(', ')}.`);
      const scope = (body.scope ?? 'anonymous') as 'anonymous' | 'organization' | 'users';
      if (!['anonymous', 'organization', 'users'].includes(scope)) return badRequest('scope must be anonymous, organization or users.');
      // SharePoint returns the existing link when one of the same type and scope exists (200), else a new one (201).
      const existing = at.item.permissions.find((p) => p.link?.scope === scope && p.link?.type === body.type);
      if (existing) return { status: 200, body: existing };
      const id = randomUUID();
      const permission = { id, roles: [body.type === 'edit' ? 'write' : 'read'], link: { scope, type: body.type, webUrl: `${at.drive.webUrl}/s/${id}` }, ...(body.expirationDateTime ? { expirationDateTime: body.expirationDateTime } : {}) };
      shareItem(req.tenant, at.drive, at.item, permission, 'app@sharepoint');
      return { status: 201, body: permission };
    },
  },
];
