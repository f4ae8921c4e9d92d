// MFA registration, authentication methods, per-user MFA, Conditional Access, security defaults,
// risky users, sign-in logs.
import { randomUUID } from 'node:crypto';
import { applySelect, badRequest, graphError, notFound, onlyQueryOptions, page } from '../http';
import { findUser, isMfaMethod, methodOdataType } from '../state';
import type { Route } from '.';

const ID = '([^/]+)';
const POLICY_READ = ['Policy.Read.All', 'Policy.ReadWrite.ConditionalAccess'];

export const identityRoutes: Route[] = [
  {
    method: 'GET', path: /^\/reports\/authenticationMethods\/userRegistrationDetails$/, roles: ['AuditLog.Read.All'], licence: 'p1',
    handle: (req) => page(req, req.tenant.users.map((u) => ({
      // An email address (SSPR only) or a Temporary Access Pass is registered, but is not MFA.
      id: u.id, userPrincipalName: u.userPrincipalName, isAdmin: u.roles.length > 0, isMfaRegistered: u.mfaMethods.some(isMfaMethod), isMfaCapable: u.mfaMethods.some(isMfaMethod),
      methodsRegistered: u.mfaMethods, userType: u.userType === 'Guest' ? 'guest' : 'member',
    }))),
  },
  {
    method: 'GET', path: new RegExp(`^/users/${ID}/authentication/methods$`), roles: ['UserAuthenticationMethod.Read.All', 'UserAuthenticationMethod.ReadWrite.All'],
    handle: (req, m) => {
      const u = findUser(req.tenant, m[1]);
      if (!u) return notFound(m[1]);
      const methods = [{ '@odata.type': '#microsoft.graph.passwordAuthenticationMethod', id: '28c10230-6103-485e-b985-444c60001490' }, ...u.mfaMethods.map((x, i) => ({ '@odata.type': methodOdataType(x), id: `${u.id.slice(0, 8)}-m${i}` }))];
      return page(req, methods);
    },
  },
  {
    method: 'GET', path: new RegExp(`^/users/${ID}/authentication/requirements$`), roles: ['Policy.Read.All', 'Policy.ReadWrite.AuthenticationMethod'], versions: ['beta'],
    handle: (req, m) => { const u = findUser(req.tenant, m[1]); return u ? { status: 200, body: { perUserMfaState: u.perUserMfaState } } : notFound(m[1]); },
  },
  { method: 'GET', path: /^\/identity\/conditionalAccess\/policies$/, roles: POLICY_READ, licence: 'p1', handle: (req) => page(req, req.tenant.conditionalAccessPolicies) },
  {
    method: 'GET', path: /^\/identity\/conditionalAccess\/policies\/([^/]+)$/, roles: POLICY_READ, licence: 'p1',
    handle: (req, m) => {
      const p = req.tenant.conditionalAccessPolicies.find((x) => x.id === m[1]);
      return p ? { status: 200, body: applySelect(p, req.query) } : notFound(m[1]);
    },
  },
  {
    method: 'POST', path: /^\/identity\/conditionalAccess\/policies$/, roles: ['Policy.ReadWrite.ConditionalAccess'], licence: 'p1',
    handle: (req) => {
      const body = req.json<Record<string, unknown>>();
      if (typeof body.displayName !== 'string' || !body.state || !body.conditions) return badRequest('displayName, state and conditions are required.');
      const now = new Date().toISOString();
      const p = { ...body, id: randomUUID(), createdDateTime: now, modifiedDateTime: null };
      req.tenant.conditionalAccessPolicies.push(p);
      return { status: 201, body: p };
    },
  },
  {
    method: 'PATCH', path: /^\/identity\/conditionalAccess\/policies\/([^/]+)$/, roles: ['Policy.ReadWrite.ConditionalAccess'], licence: 'p1',
    handle: (req, m) => {
      const p = req.tenant.conditionalAccessPolicies.find((x) => x.id === m[1]);
      if (!p) return notFound(m[1]);
      const changes = req.json<Record<string, unknown>>();
      delete changes.id;
      Object.assign(p, changes, { modifiedDateTime: new Date().toISOString() });
      return { status: 204 };
    },
  },
  {
    method: 'GET', path: /^\/policies\/identitySecurityDefaultsEnforcementPolicy$/, roles: ['Policy.Read.All', 'Policy.ReadWrite.SecurityDefaults'],
    handle: (req) => ({ status: 200, body: { id: '00000000-0000-0000-0000-000000000005', displayName: 'Security Defaults', isEnabled: req.tenant.securityDefaults } }),
  },
  {
    method: 'PATCH', path: /^\/policies\/identitySecurityDefaultsEnforcementPolicy$/, roles: ['Policy.ReadWrite.SecurityDefaults'],
    handle: (req) => { req.tenant.securityDefaults = !!req.json<{ isEnabled?: boolean }>().isEnabled; return { status: 204 }; },
  },
  {
    method: 'GET', path: /^\/identityProtection\/riskyUsers$/, roles: ['IdentityRiskyUser.Read.All', 'IdentityRiskyUser.ReadWrite.All'], licence: 'p2',
    handle: (req) => page(req, req.tenant.users.filter((u) => u.risk).map((u) => ({ id: u.id, userPrincipalName: u.userPrincipalName, userDisplayName: u.displayName, ...u.risk }))),
  },
  {
    // "List signIns": only $top, $skiptoken and $filter; newest first; pages of up to 1,000.
    method: 'GET', path: /^\/auditLogs\/signIns$/, roles: ['AuditLog.Read.All'], licence: 'p1',
    handle: (req) => onlyQueryOptions(req, ['$top', '$skiptoken', '$filter'])
      ?? page(req, [...req.tenant.signIns].sort((a, b) => String(b.createdDateTime).localeCompare(String(a.createdDateTime))), { defaultSize: 1000, maxSize: 1000 }),
  },
  {
    // Intune is reported to ignore a userId $filter here and answer with every managed device
    // (microsoft-graph-explorer-v4 issue #3125); filters on other properties apply.
    method: 'GET', path: /^\/deviceManagement\/managedDevices$/, roles: ['DeviceManagementManagedDevices.Read.All', 'DeviceManagementManagedDevices.ReadWrite.All'], licence: 'intune',
    handle: (req) => {
      if (!/\buserId\b/i.test(req.query.get('$filter') ?? '')) return page(req, req.tenant.managedDevices);
      const query = new URLSearchParams(req.query);
      query.delete('$filter');
      return page({ ...req, query }, req.tenant.managedDevices);
    },
  },
  {
    // "List managedDevices": GET /users/{id}/managedDevices, the devices whose primary user this is.
    method: 'GET', path: new RegExp(`^/users/${ID}/managedDevices$`), roles: ['DeviceManagementManagedDevices.Read.All', 'DeviceManagementManagedDevices.ReadWrite.All'], licence: 'intune',
    handle: (req, m) => {
      const u = findUser(req.tenant, m[1]);
      if (!u) return notFound(m[1]);
      return page(req, req.tenant.managedDevices.filter((d) => d.userId === u.id));
    },
  },
  {
    method: 'POST', path: /^\/deviceManagement\/managedDevices\/([^/]+)\/retire$/, roles: ['DeviceManagementManagedDevices.PrivilegedOperations.All'], licence: 'intune',
    handle: (req, m) => {
      const d = req.tenant.managedDevices.find((x) => x.id === m[1]);
      if (!d) return graphError(404, 'ResourceNotFound', `Resource not found: managedDevice ${m[1]}`);
      d.managementState = 'retirePending';
      return { status: 204 };
    },
  },
];
