// Directory reads: users, admin roles, the councillor group, domains, licences.
import type { GraphContext } from '..';
import type { SnapshotDomain, SnapshotUser } from '../../core/snapshot';

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
  const roles = await readAdminRoleMembership(graph);
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

/** user id -> activated directory role template ids (admins are in scope and 'high' for MFA). */
async function readAdminRoleMembership(graph: GraphContext): Promise<Map<string, string[]>> {
  const roles = await graph.pageAll<{ id: string; roleTemplateId: string }>('/directoryRoles', ['id', 'roleTemplateId', 'displayName']);
  const responses = await graph.batch(roles.map((r) => ({ method: 'GET' as const, url: `/directoryRoles/${r.id}/members?$select=id` })));
  const byUser = new Map<string, string[]>();
  responses.forEach((res, i) => {
    if (res.status !== 200) throw res.error ?? new Error(`reading members of directory role ${roles[i].id} returned ${res.status}`);
    for (const m of (res.body as { value?: { id: string }[] }).value ?? []) {
      byUser.set(m.id, [...(byUser.get(m.id) ?? []), roles[i].roleTemplateId]);
    }
  });
  return byUser;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The councillor group by id or display name, with its member ids (transitive members are not needed). */
export async function readGroupMembers(graph: GraphContext, nameOrId: string): Promise<{ id: string; displayName: string; memberIds: string[] } | null> {
  let group: { id: string; displayName: string } | undefined;
  if (GUID.test(nameOrId)) {
    group = (await graph.pageAll<{ id: string; displayName: string }>('/groups', ['id', 'displayName'], { filter: `id eq '${nameOrId}'` }))[0];
  } else {
    const escaped = nameOrId.replace(/'/g, "''");
    group = (await graph.pageAll<{ id: string; displayName: string }>('/groups', ['id', 'displayName'], { filter: `displayName eq '${escaped}'` }))[0];
  }
  if (!group) return null;
  const members = await graph.pageAll<{ id: string }>(`/groups/${group.id}/members`, ['id']);
  return { id: group.id, displayName: group.displayName, memberIds: members.map((m) => m.id) };
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
