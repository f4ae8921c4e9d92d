// Directory reads: users, admin roles, the councillor group, domains, licences.
import pLimit from 'p-limit';
import type { GraphContext } from '..';
import { GraphRequestError } from '../errors';
import type { SnapshotDomain, SnapshotUser } from '../../core/snapshot';
import { CouncilConfigError } from '../../core/errors';

export const USER_SELECT = [
  'id', 'userPrincipalName', 'displayName', 'mail', 'accountEnabled', 'userType',
  'passwordPolicies', 'lastPasswordChangeDateTime', 'assignedLicenses',
];

interface RawUser {
  id: string;
  userPrincipalName?: string | null;
  displayName?: string | null;
  mail?: string | null;
  accountEnabled?: boolean | null;
  userType?: string | null;
  passwordPolicies?: string | null;
  lastPasswordChangeDateTime?: string | null;
  assignedLicenses?: { skuId: string }[] | null;
}

export async function readUsers(graph: GraphContext): Promise<SnapshotUser[]> {
  const raw = await graph.pageAll<RawUser>('/users', USER_SELECT);
  const roles = await readActiveAdminRoles(graph, new Set(raw.map((u) => u.id)));
  return raw.map((u) => ({
    id: u.id,
    // A user without a UPN is odd Graph data, not a reason to fail the audit.
    userPrincipalName: u.userPrincipalName ?? '',
    displayName: u.displayName ?? u.userPrincipalName ?? u.id,
    mail: u.mail ?? null,
    accountEnabled: u.accountEnabled !== false,
    userType: u.userType ?? 'Member',
    passwordPolicies: u.passwordPolicies ?? null,
    lastPasswordChangeDateTime: u.lastPasswordChangeDateTime ?? null,
    assignedLicenses: u.assignedLicenses ?? [],
    adminRoles: roles.get(u.id) ?? [],
  }));
}

interface RoleGrant { principalId: string; roleDefinitionId: string }

/**
 * user id -> the directory role (definition) ids the user holds now: assigned directly or through a
 * role-assignable group ("List unifiedRoleAssignments"; a group principal's members get the role).
 * Admins are in scope and 'high' for MFA, and are never surrendered.
 */
export async function readActiveAdminRoles(graph: GraphContext, userIds?: ReadonlySet<string>): Promise<Map<string, string[]>> {
  const grants = await graph.pageAll<RoleGrant & { id: string }>('/roleManagement/directory/roleAssignments', ['id', 'principalId', 'roleDefinitionId', 'directoryScopeId']);
  return expandRoleGrants(graph, grants, userIds);
}

/**
 * user id -> the role ids the user is eligible to activate (Privileged Identity Management, "List
 * roleEligibilitySchedules"; Entra ID P2: without it Graph refuses and the caller reports the skip).
 */
export async function readEligibleAdminRoles(graph: GraphContext, userIds?: ReadonlySet<string>): Promise<Map<string, string[]>> {
  const grants = await graph.pageAll<RoleGrant & { id: string }>('/roleManagement/directory/roleEligibilitySchedules', ['id', 'principalId', 'roleDefinitionId', 'directoryScopeId']);
  return expandRoleGrants(graph, grants, userIds);
}

/** Role ids by role definition id -> display name ("List roleDefinitions"), for messages people read. */
export async function readRoleNames(graph: GraphContext): Promise<Map<string, string>> {
  const rows = await graph.pageAll<{ id: string; displayName: string }>('/roleManagement/directory/roleDefinitions', ['id', 'displayName']);
  return new Map(rows.map((r) => [r.id, r.displayName]));
}

/** Grants to users as they are; a grant to a group reaches every user in it, nested groups included. */
async function expandRoleGrants(graph: GraphContext, grants: RoleGrant[], userIds?: ReadonlySet<string>): Promise<Map<string, string[]>> {
  const byUser = new Map<string, string[]>();
  const give = (userId: string, role: string) => {
    const held = byUser.get(userId) ?? [];
    if (!held.includes(role)) byUser.set(userId, [...held, role]);
  };
  const principals = [...new Set(grants.map((g) => g.principalId))];
  const limit = pLimit(4);
  // A principal is a user, a group or a service principal; asking for its transitive members tells a
  // group (members) from anything else (404), without needing $expand.
  const members = await Promise.all(principals.map((id) => (userIds?.has(id) ? null : limit(() => readGroupUserIds(graph, id)))));
  principals.forEach((id, i) => {
    const roles = grants.filter((g) => g.principalId === id).map((g) => g.roleDefinitionId);
    for (const userId of members[i] ?? [id]) for (const role of roles) give(userId, role);
  });
  return byUser;
}

/** The user ids in a group and its nested groups ("List group transitive members"); null when it is not a group. */
export async function readGroupUserIds(graph: GraphContext, groupId: string): Promise<string[] | null> {
  try {
    const members = await graph.pageAll<{ '@odata.type'?: string; id: string }>(`/groups/${groupId}/transitiveMembers`, ['id']);
    return members.filter((m) => (m['@odata.type'] ?? '#microsoft.graph.user') === '#microsoft.graph.user').map((m) => m.id);
  } catch (err) {
    if (err instanceof GraphRequestError && err.status === 404) return null;
    throw err;
  }
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A display name that more than one group carries: which group is meant cannot be guessed. */
/** A configuration problem (exit 2), found only by asking the tenant. */
export class AmbiguousGroupError extends CouncilConfigError {
  constructor(readonly displayName: string, readonly ids: string[]) {
    super(`more than one group is called "${displayName}" (${ids.join(', ')}); group names are not unique and any user may create a group, so set councillorGroup in the council config to the id of the right one`);
  }
}

/**
 * The councillor group by id or display name, with the users in it, nested groups included (as Entra
 * resolves membership). A name that matches more than one group is refused, naming their ids.
 */
export async function readGroupMembers(graph: GraphContext, nameOrId: string): Promise<{ id: string; displayName: string; memberIds: string[] } | null> {
  const filter = GUID.test(nameOrId) ? `id eq '${nameOrId}'` : `displayName eq '${nameOrId.replace(/'/g, "''")}'`;
  const groups = await graph.pageAll<{ id: string; displayName: string }>('/groups', ['id', 'displayName'], { filter });
  if (groups.length > 1) throw new AmbiguousGroupError(nameOrId, groups.map((g) => g.id));
  const group = groups[0];
  if (!group) return null;
  return { id: group.id, displayName: group.displayName, memberIds: (await readGroupUserIds(graph, group.id)) ?? [] };
}

/**
 * Group id -> user ids (nested groups included) for each group, first pages in $batch ("List group
 * transitive members"); a group with more pages is read through to the end on its own, a group that no
 * longer exists (404) is left out.
 */
export async function readGroupsUserIds(graph: GraphContext, groupIds: readonly string[]): Promise<Record<string, string[]>> {
  const ids = [...new Set(groupIds)];
  const responses = await graph.batch(ids.map((id) => ({ method: 'GET' as const, url: `/groups/${id}/transitiveMembers?$select=id` })));
  const out: Record<string, string[]> = {};
  const users = (value: { '@odata.type'?: string; id: string }[]) => value.filter((m) => (m['@odata.type'] ?? '#microsoft.graph.user') === '#microsoft.graph.user').map((m) => m.id);
  await Promise.all(responses.map(async (res, i) => {
    if (res.status === 404) return;
    if (res.status !== 200) throw res.error ?? new Error(`transitive members of group ${ids[i]}: HTTP ${res.status}`);
    const body = res.body as { value?: { '@odata.type'?: string; id: string }[]; '@odata.nextLink'?: string };
    if (body['@odata.nextLink']) {
      const all = await readGroupUserIds(graph, ids[i]);
      if (all) out[ids[i]] = all;
    } else {
      out[ids[i]] = users(body.value ?? []);
    }
  }));
  return out;
}

export async function readDomains(graph: GraphContext): Promise<SnapshotDomain[]> {
  const raw = await graph.pageAll<SnapshotDomain>('/domains', ['id', 'isVerified', 'isDefault', 'passwordValidityPeriodInDays']);
  return raw.map((d) => ({ id: d.id.toLowerCase(), isVerified: !!d.isVerified, isDefault: !!d.isDefault, passwordValidityPeriodInDays: d.passwordValidityPeriodInDays ?? null }));
}

export async function readSubscribedSkus(graph: GraphContext): Promise<{ skuPartNumber: string; servicePlans: string[] }[]> {
  const raw = await graph.pageAll<{ skuPartNumber: string; capabilityStatus?: string; servicePlans?: { servicePlanName: string; provisioningStatus?: string }[] }>(
    '/subscribedSkus', ['skuId', 'skuPartNumber', 'servicePlans', 'capabilityStatus'],
  );
  // A suspended or lapsed subscription grants nothing; 'Warning' is a grace period and still works.
  return raw.filter((s) => !s.capabilityStatus || s.capabilityStatus === 'Enabled' || s.capabilityStatus === 'Warning').map((s) => ({
    skuPartNumber: s.skuPartNumber,
    servicePlans: (s.servicePlans ?? []).filter((p) => p.provisioningStatus !== 'Disabled').map((p) => p.servicePlanName),
  }));
}
