// Users, groups, directory roles, licences, domains, organisation.
import { applySelect, notFound, page } from '../http';
import { findUser, type SimUser } from '../state';
import type { Route } from '.';

const ID = '([^/]+)';
const USER_READ = ['User.Read.All', 'Directory.Read.All', 'User.ReadWrite.All'];

export function userView(u: SimUser): Record<string, unknown> {
  return {
    id: u.id, userPrincipalName: u.userPrincipalName, displayName: u.displayName, mail: u.mail, accountEnabled: u.accountEnabled,
    userType: u.userType, passwordPolicies: u.passwordPolicies, lastPasswordChangeDateTime: u.lastPasswordChangeDateTime, assignedLicenses: u.assignedLicenses,
  };
}

export const directoryRoutes: Route[] = [
  { method: 'GET', path: /^\/users$/, roles: USER_READ, handle: (req) => page(req, req.tenant.users.map(userView), { defaultSize: 100, maxSize: 999 }) },
  {
    method: 'GET', path: new RegExp(`^/users/${ID}$`), roles: USER_READ,
    handle: (req, m) => { const u = findUser(req.tenant, m[1]); return u ? { status: 200, body: applySelect(userView(u), req.query) } : notFound(m[1]); },
  },
  {
    method: 'PATCH', path: new RegExp(`^/users/${ID}$`), roles: ['User.EnableDisableAccount.All', 'User.ReadWrite.All', 'User-PasswordProfile.ReadWrite.All'],
    handle: (req, m) => {
      const u = findUser(req.tenant, m[1]);
      if (!u) return notFound(m[1]);
      const b = req.json<{ accountEnabled?: boolean; passwordPolicies?: string | null; passwordProfile?: { forceChangePasswordNextSignIn?: boolean } }>();
      if (b.accountEnabled !== undefined) u.accountEnabled = b.accountEnabled;
      if (b.passwordPolicies !== undefined) u.passwordPolicies = b.passwordPolicies;
      if (b.passwordProfile?.forceChangePasswordNextSignIn !== undefined) u.forceChangePasswordNextSignIn = b.passwordProfile.forceChangePasswordNextSignIn;
      return { status: 204 };
    },
  },
  {
    method: 'POST', path: new RegExp(`^/users/${ID}/revokeSignInSessions$`), roles: ['User.RevokeSessions.All', 'User.ReadWrite.All'],
    handle: (req, m) => { const u = findUser(req.tenant, m[1]); if (!u) return notFound(m[1]); u.sessionsRevokedAt = new Date().toISOString(); return { status: 200, body: { value: true } }; },
  },
  {
    method: 'GET', path: /^\/groups$/, roles: ['GroupMember.Read.All', 'Group.Read.All', 'Directory.Read.All'],
    handle: (req) => page(req, req.tenant.groups.map((g) => ({ id: g.id, displayName: g.displayName, securityEnabled: true, mailEnabled: false }))),
  },
  {
    method: 'GET', path: new RegExp(`^/groups/${ID}/members$`), roles: ['GroupMember.Read.All', 'Group.Read.All', 'Directory.Read.All'],
    handle: (req, m) => {
      const g = req.tenant.groups.find((x) => x.id === m[1]);
      if (!g) return notFound(m[1]);
      return page(req, g.members.map((id) => ({ '@odata.type': '#microsoft.graph.user', id })));
    },
  },
  {
    method: 'GET', path: /^\/directoryRoles$/, roles: ['RoleManagement.Read.Directory', 'Directory.Read.All'],
    handle: (req) => page(req, req.tenant.directoryRoles.map((r) => ({ id: r.id, displayName: r.displayName, roleTemplateId: r.roleTemplateId }))),
  },
  {
    method: 'GET', path: new RegExp(`^/directoryRoles/${ID}/members$`), roles: ['RoleManagement.Read.Directory', 'Directory.Read.All'],
    handle: (req, m) => {
      const r = req.tenant.directoryRoles.find((x) => x.id === m[1]);
      return r ? page(req, r.members.map((id) => ({ '@odata.type': '#microsoft.graph.user', id }))) : notFound(m[1]);
    },
  },
  { method: 'GET', path: /^\/subscribedSkus$/, roles: ['Organization.Read.All', 'LicenseAssignment.Read.All', 'Directory.Read.All'], handle: (req) => page(req, req.tenant.skus) },
  { method: 'GET', path: /^\/domains$/, roles: ['Domain.Read.All', 'Directory.Read.All'], handle: (req) => page(req, req.tenant.domains) },
  {
    method: 'GET', path: /^\/organization$/, roles: ['Organization.Read.All', 'Directory.Read.All'],
    handle: (req) => page(req, [{ id: req.tenant.tenantId, displayName: req.tenant.scenario.organization, verifiedDomains: req.tenant.domains.map((d) => ({ name: d.id, isDefault: d.isDefault })) }]),
  },
  {
    method: 'POST', path: new RegExp(`^/users/${ID}/assignLicense$`), roles: ['LicenseAssignment.ReadWrite.All', 'User.ReadWrite.All'],
    handle: (req, m) => {
      const u = findUser(req.tenant, m[1]);
      if (!u) return notFound(m[1]);
      const b = req.json<{ addLicenses?: { skuId: string }[]; removeLicenses?: string[] }>();
      u.assignedLicenses = u.assignedLicenses.filter((l) => !(b.removeLicenses ?? []).includes(l.skuId)).concat((b.addLicenses ?? []).map((l) => ({ skuId: l.skuId, disabledPlans: [] })));
      return { status: 200, body: userView(u) };
    },
  },
];
