// Role assignments as Entra holds them ("List unifiedRoleAssignments": direct and group-assigned; "List
// roleEligibilitySchedules": PIM eligibility, P2), role definitions, and a group's transitive members
// ("List group transitive members": users of nested groups and the nested groups themselves).
import { notFound, page, type SimRequest } from '../http';
import { ROLE_TEMPLATES, transitiveMembers, type TenantState } from '../state';
import { stableId } from '../ids';
import type { Route } from '.';

const ID = '([^/]+)';
const ROLE_READ = ['RoleManagement.Read.Directory', 'RoleManagement.Read.All', 'Directory.Read.All', 'RoleManagement.ReadWrite.Directory', 'Directory.ReadWrite.All'];
// "List roleEligibilitySchedules": Directory.Read.All is not among them.
const ELIGIBILITY_READ = ['RoleEligibilitySchedule.Read.Directory', 'RoleManagement.Read.Directory', 'RoleManagement.Read.All', 'RoleEligibilitySchedule.ReadWrite.Directory', 'RoleManagement.ReadWrite.Directory'];
const GROUP_MEMBER_READ = ['GroupMember.Read.All', 'Group.Read.All', 'GroupMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];

const templateOf = (name: string) => ROLE_TEMPLATES[name] ?? name;

function assignments(tenant: TenantState): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (const u of tenant.users) for (const r of u.roles) rows.push({ principalId: u.id, roleDefinitionId: templateOf(r) });
  for (const g of tenant.groups) for (const r of g.roles) rows.push({ principalId: g.id, roleDefinitionId: templateOf(r) });
  return rows.map((row) => ({ id: stableId(tenant.tenantId, 'assignment', `${row.principalId}|${row.roleDefinitionId}`), ...row, directoryScopeId: '/', resourceScope: '/' }));
}

function eligibilities(tenant: TenantState): Record<string, unknown>[] {
  return tenant.users.flatMap((u) => u.eligibleRoles.map((r) => ({
    id: stableId(tenant.tenantId, 'eligibility', `${u.id}|${r}`), principalId: u.id, roleDefinitionId: templateOf(r), directoryScopeId: '/',
    memberType: 'Direct', status: 'Provisioned', scheduleInfo: { startDateTime: '2025-01-01T00:00:00Z', expiration: { type: 'noExpiration' } },
  })));
}

const directoryObject = (req: SimRequest, id: string, usersById?: Map<string, TenantState['users'][number]>) => {
  const user = usersById ? usersById.get(id) : req.tenant.users.find((u) => u.id === id);
  return user ? { '@odata.type': '#microsoft.graph.user', id, displayName: user.displayName, userPrincipalName: user.userPrincipalName } : { '@odata.type': '#microsoft.graph.group', id, displayName: req.tenant.groups.find((g) => g.id === id)?.displayName };
};

export const roleManagementRoutes: Route[] = [
  { method: 'GET', path: /^\/roleManagement\/directory\/roleAssignments$/, roles: ROLE_READ, handle: (req) => page(req, assignments(req.tenant)) },
  { method: 'GET', path: /^\/roleManagement\/directory\/roleEligibilitySchedules$/, roles: ELIGIBILITY_READ, licence: 'p2', handle: (req) => page(req, eligibilities(req.tenant)) },
  {
    method: 'GET', path: /^\/roleManagement\/directory\/roleDefinitions$/, roles: ROLE_READ,
    handle: (req) => page(req, Object.entries(ROLE_TEMPLATES).map(([displayName, id]) => ({ id, templateId: id, displayName, isBuiltIn: true, isEnabled: true }))),
  },
  {
    method: 'GET', path: new RegExp(`^/groups/${ID}/transitiveMembers$`), roles: GROUP_MEMBER_READ,
    handle: (req, m) => {
      if (!req.tenant.groups.some((g) => g.id === m[1])) return notFound(m[1]);
      const { users, groups } = transitiveMembers(req.tenant, m[1]);
      // Looked up by id: a 10,000-member group read a page at a time would otherwise scan every user
      // for every member on every page.
      const byId = new Map(req.tenant.users.map((u) => [u.id, u]));
      return page(req, [...users, ...groups].map((id) => directoryObject(req, id, byId)));
    },
  },
];
