// Users, groups, directory roles, licences, domains, organisation.
import { applySelect, badRequest, graphError, nonPremium, notFound, page, type SimRequest, type SimResponse } from '../http';
import { findUser, groupView, inheritedLicences, type SimGroup, type SimUser, type TenantState } from '../state';
import type { Route } from '.';

const ID = '([^/]+)';
const USER_READ = ['User.Read.All', 'Directory.Read.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'];
// "List group members", "List directoryRoles" (Permissions tables): the least-privileged permission and the higher ones.
const GROUP_MEMBER_READ = ['GroupMember.Read.All', 'Group.Read.All', 'GroupMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];
const ROLE_READ = ['RoleManagement.Read.Directory', 'RoleManagement.Read.All', 'Directory.Read.All', 'RoleManagement.ReadWrite.Directory', 'Directory.ReadWrite.All'];
const MEMBER_WRITE = ['GroupMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'];

/** What Graph returns for a user when no $select is given (v1.0 default property set). */
const DEFAULT_USER_PROPERTIES = ['businessPhones', 'displayName', 'givenName', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName', 'id'];

/**
 * assignedLicenses holds direct and group-inherited licences alike; licenseAssignmentStates tells them
 * apart (assignedByGroup null for direct, the group's id when inherited: "licenseAssignmentState resource type").
 */
function licenceViews(u: SimUser, tenant?: TenantState): { assignedLicenses: unknown[]; licenseAssignmentStates: unknown[] } {
  const inherited = tenant ? inheritedLicences(tenant, u.id) : [];
  const assignedLicenses = [...u.assignedLicenses];
  for (const i of inherited) if (!assignedLicenses.some((l) => l.skuId === i.skuId)) assignedLicenses.push({ skuId: i.skuId, disabledPlans: [] });
  const licenseAssignmentStates = [
    ...u.assignedLicenses.map((l) => ({ skuId: l.skuId, assignedByGroup: null, disabledPlans: l.disabledPlans, state: 'Active', error: 'None' })),
    ...inherited.map((i) => ({ skuId: i.skuId, assignedByGroup: i.groupId, disabledPlans: [], state: 'Active', error: 'None' })),
  ];
  return { assignedLicenses, licenseAssignmentStates };
}

export function userView(u: SimUser, tenant?: TenantState): Record<string, unknown> {
  return {
    ...licenceViews(u, tenant),
    id: u.id, userPrincipalName: u.userPrincipalName, displayName: u.displayName, mail: u.mail, accountEnabled: u.accountEnabled,
    userType: u.userType, passwordPolicies: u.passwordPolicies,
    // Graph returns passwordProfile only on $select, and never the password itself.
    passwordProfile: { forceChangePasswordNextSignIn: !!u.forceChangePasswordNextSignIn, forceChangePasswordNextSignInWithMfa: false, password: null }, lastPasswordChangeDateTime: u.lastPasswordChangeDateTime,
    businessPhones: [], givenName: null, surname: null, jobTitle: null, mobilePhone: null, officeLocation: null, preferredLanguage: null,
    signInActivity: u.signInActivity ?? { lastSignInDateTime: null, lastNonInteractiveSignInDateTime: null, lastSuccessfulSignInDateTime: null },
  };
}

/** A user as Graph shapes it: the $select'ed properties, or the default set; signInActivity only on request. */
function userFor(req: SimRequest, u: SimUser | Record<string, unknown>): Record<string, unknown> {
  const all = 'mailFolders' in u ? userView(u as SimUser, req.tenant) : u as Record<string, unknown>;
  if (req.query.get('$select')) return applySelect(all, req.query);
  return Object.fromEntries(DEFAULT_USER_PROPERTIES.map((k) => [k, all[k]]));
}

/** Selecting signInActivity needs P1 and AuditLog.Read.All, as in Graph; undefined = allowed. */
function signInActivityRefusal(req: SimRequest): SimResponse | undefined {
  const selected = (req.query.get('$select') ?? '').split(',').map((s) => s.trim());
  if (!selected.includes('signInActivity')) return undefined;
  if (!req.tenant.licences.p1) return nonPremium();
  if (!req.roles.includes('AuditLog.Read.All')) return graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
  return undefined;
}

/**
 * Why Graph will not change this group's members, if it will not: mail-enabled security groups and
 * distribution groups are read-only through Graph ("Working with groups in Microsoft Graph"), a synced
 * group is mastered on premises, and a dynamic group's members follow its rule ("Remove member").
 */
function membershipRefusal(g: SimGroup): SimResponse | undefined {
  const view = groupView(g);
  if (g.onPremisesSyncEnabled) return badRequest('Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.');
  if (view.mailEnabled && !(view.groupTypes as string[]).includes('Unified')) return badRequest('Cannot Update a mail-enabled security groups and or distribution list.');
  if (g.kind === 'dynamic') return badRequest('Insufficient privileges to complete the operation: members of a group with dynamic membership cannot be added or removed.');
  return undefined;
}

function memberId(ref: string | undefined): string | undefined {
  return /\/directoryObjects\/([^/?]+)$|\/users\/([^/?]+)$/.exec(ref ?? '')?.slice(1).find(Boolean);
}

export const directoryRoutes: Route[] = [
  {
    method: 'GET', path: /^\/users$/, roles: USER_READ,
    handle: (req) => {
      const refusal = signInActivityRefusal(req);
      if (refusal) return refusal;
      // Graph pages users at 100 by default, 999 at most, and 120 at most when signInActivity is selected.
      const withActivity = (req.query.get('$select') ?? '').includes('signInActivity');
      return page(req, req.tenant.users.map((u) => userView(u, req.tenant)), { defaultSize: 100, maxSize: withActivity ? 120 : 999, project: (u) => userFor(req, u) });
    },
  },
  {
    method: 'GET', path: new RegExp(`^/users/${ID}$`), roles: USER_READ,
    handle: (req, m) => {
      const refusal = signInActivityRefusal(req);
      if (refusal) return refusal;
      const u = findUser(req.tenant, m[1]);
      return u ? { status: 200, body: userFor(req, u) } : notFound(m[1]);
    },
  },
  {
    method: 'PATCH', path: new RegExp(`^/users/${ID}$`), roles: ['User.EnableDisableAccount.All', 'User.ReadWrite.All', 'User-PasswordProfile.ReadWrite.All', 'Directory.ReadWrite.All'],
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
    method: 'POST', path: new RegExp(`^/users/${ID}/revokeSignInSessions$`), roles: ['User.RevokeSessions.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'],
    handle: (req, m) => { const u = findUser(req.tenant, m[1]); if (!u) return notFound(m[1]); u.sessionsRevokedAt = new Date().toISOString(); return { status: 200, body: { value: true } }; },
  },
  {
    method: 'GET', path: /^\/groups$/, roles: ['GroupMember.Read.All', 'Group.Read.All', 'Group.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
    handle: (req) => page(req, req.tenant.groups.map(groupView)),
  },
  {
    method: 'GET', path: new RegExp(`^/groups/${ID}/members$`), roles: GROUP_MEMBER_READ,
    handle: (req, m) => {
      const g = req.tenant.groups.find((x) => x.id === m[1]);
      if (!g) return notFound(m[1]);
      // Direct members only: users, and nested groups as groups ("List group members").
      return page(req, [...g.members.map((id) => ({ '@odata.type': '#microsoft.graph.user', id })), ...g.memberGroups.map((id) => ({ '@odata.type': '#microsoft.graph.group', id }))]);
    },
  },
  {
    method: 'POST', path: new RegExp(`^/groups/${ID}/members/\\$ref$`), roles: MEMBER_WRITE,
    handle: (req, m) => {
      const g = req.tenant.groups.find((x) => x.id === m[1]);
      if (!g) return notFound(m[1]);
      const refusal = membershipRefusal(g);
      if (refusal) return refusal;
      const id = memberId(req.json<{ '@odata.id'?: string }>()['@odata.id']);
      const u = id ? findUser(req.tenant, id) : undefined;
      if (!u) return badRequest('Invalid URL format specified in @odata.id.');
      if (g.members.includes(u.id)) return badRequest('One or more added object references already exist for the following modified properties: \'members\'.');
      g.members.push(u.id);
      return { status: 204 };
    },
  },
  {
    method: 'DELETE', path: new RegExp(`^/groups/${ID}/members/${ID}/\\$ref$`), roles: MEMBER_WRITE,
    handle: (req, m) => {
      const g = req.tenant.groups.find((x) => x.id === m[1]);
      if (!g || !g.members.includes(m[2])) return notFound(m[2]);
      const refusal = membershipRefusal(g);
      if (refusal) return refusal;
      g.members = g.members.filter((x) => x !== m[2]);
      return { status: 204 };
    },
  },
  {
    method: 'GET', path: /^\/directoryRoles$/, roles: ROLE_READ,
    handle: (req) => page(req, req.tenant.directoryRoles.map((r) => ({ id: r.id, displayName: r.displayName, roleTemplateId: r.roleTemplateId }))),
  },
  {
    method: 'GET', path: new RegExp(`^/directoryRoles/${ID}/members$`), roles: ROLE_READ,
    handle: (req, m) => {
      const r = req.tenant.directoryRoles.find((x) => x.id === m[1]);
      return r ? page(req, r.members.map((id) => ({ '@odata.type': '#microsoft.graph.user', id }))) : notFound(m[1]);
    },
  },
  { method: 'GET', path: /^\/subscribedSkus$/, roles: ['Organization.Read.All', 'LicenseAssignment.Read.All', 'Organization.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'], handle: (req) => page(req, req.tenant.skus) },
  { method: 'GET', path: /^\/domains$/, roles: ['Domain.Read.All', 'Domain.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'], handle: (req) => page(req, req.tenant.domains) },
  {
    method: 'GET', path: /^\/organization$/, roles: ['Organization.Read.All', 'Organization.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
    handle: (req) => page(req, [{ id: req.tenant.tenantId, displayName: req.tenant.scenario.organization, verifiedDomains: req.tenant.domains.map((d) => ({ name: d.id, isDefault: d.isDefault })) }]),
  },
  {
    method: 'POST', path: new RegExp(`^/users/${ID}/assignLicense$`), roles: ['LicenseAssignment.ReadWrite.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'],
    handle: (req, m) => {
      const u = findUser(req.tenant, m[1]);
      if (!u) return notFound(m[1]);
      const b = req.json<{ addLicenses?: { skuId: string }[]; removeLicenses?: string[] }>();
      // A licence a group gives cannot be taken from the member directly (CIPP issue #4090 quotes Graph's refusal).
      const inherited = inheritedLicences(req.tenant, u.id);
      for (const sku of b.removeLicenses ?? []) {
        if (u.assignedLicenses.some((l) => l.skuId === sku)) continue;
        if (inherited.some((i) => i.skuId === sku)) return badRequest('User license is inherited from a group membership and it cannot be removed directly from the user.');
        return badRequest('User does not have a corresponding license.');
      }
      u.assignedLicenses = u.assignedLicenses.filter((l) => !(b.removeLicenses ?? []).includes(l.skuId)).concat((b.addLicenses ?? []).map((l) => ({ skuId: l.skuId, disabledPlans: [] })));
      return { status: 200, body: userFor(req, u) };
    },
  },
];
