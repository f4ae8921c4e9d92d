// Who the council's policy covers, worked out from the snapshot and the council config. Pure.
//
// In scope: councillors (members of the councillor group, plus every rostered UPN), the clerk, staff
// (e.g. the RFO) and admins (anyone holding a directory role). Guests are never in scope: they are
// not council accounts. Disabled accounts ARE returned (their inbox rules still run); checks about
// signing in filter them out with `enabledMembers`. Break-glass accounts are returned and marked, so
// enforcement-type checks can leave them out while other checks still see them.
import type { SnapshotUser, TenantSnapshot } from '../core/snapshot';
import type { FindingSubject } from '../core/findings';
import type { CouncilConfig } from '../policy/council-config';

export type ScopeRole = 'councillor' | 'clerk' | 'staff' | 'admin';

export interface PersonInScope {
  user: SnapshotUser;
  roles: ScopeRole[];
  isAdmin: boolean;
  isBreakGlass: boolean;
}

const lower = (s: string | null | undefined): string => (s ?? '').trim().toLowerCase();

export function isGuest(user: SnapshotUser): boolean {
  return lower(user.userType) === 'guest' || lower(user.userPrincipalName).includes('#ext#');
}

/** An administrator holds a role now or may activate one (PIM eligibility): either way a high-value account. */
export function isAdmin(user: SnapshotUser): boolean {
  return (user.adminRoles ?? []).length > 0 || (user.eligibleAdminRoles ?? []).length > 0;
}

/** The users with their PIM-eligible roles from the snapshot (unchanged when eligibility was not read). */
export function withEligibleAdmins(users: readonly SnapshotUser[], snapshot: Pick<TenantSnapshot, 'adminEligibility'>): SnapshotUser[] {
  const eligible = snapshot.adminEligibility?.status === 'ok' ? snapshot.adminEligibility.data : {};
  return users.map((u) => (eligible[u.id]?.length ? { ...u, eligibleAdminRoles: eligible[u.id] } : u));
}

/** The addresses a user answers to (UPN and mail), lower-cased, without empties. */
export function addressesOf(user: SnapshotUser): string[] {
  return [lower(user.userPrincipalName), lower(user.mail)].filter((a) => a !== '');
}

// Address -> the first user with it, per users array: checks look up every mailbox, roster entry and
// record, and a scan per lookup made a 15,000-user tenant's checks quadratic. Rebuilt if the array grows.
const addressIndexes = new WeakMap<readonly SnapshotUser[], { length: number; byAddress: Map<string, SnapshotUser> }>();

/** Finds a user by UPN or primary mail address, case-insensitively (the first such user, as a scan would). */
export function findUserByAddress(users: readonly SnapshotUser[], address: string | null | undefined): SnapshotUser | undefined {
  const wanted = lower(address);
  if (!wanted) return undefined;
  let index = addressIndexes.get(users);
  if (!index || index.length !== users.length) {
    const byAddress = new Map<string, SnapshotUser>();
    for (const u of users) for (const a of addressesOf(u)) if (!byAddress.has(a)) byAddress.set(a, u);
    index = { length: users.length, byAddress };
    addressIndexes.set(users, index);
  }
  return index.byAddress.get(wanted);
}

function matchesAny(user: SnapshotUser, addresses: ReadonlySet<string>): boolean {
  return addressesOf(user).some((a) => addresses.has(a));
}

/** Everyone the policy covers, each with why. Guests are left out. */
export function peopleInScope(
  users: readonly SnapshotUser[],
  council: CouncilConfig,
  councillorMemberIds: readonly string[],
): PersonInScope[] {
  const members = new Set(councillorMemberIds);
  const rostered = new Set((council.roster ?? []).map((r) => lower(r.userPrincipalName)).filter(Boolean));
  const clerk = new Set([lower(council.clerk)].filter(Boolean));
  const staff = new Set((council.staff ?? []).map(lower).filter(Boolean));
  const breakGlass = new Set((council.breakGlass ?? []).map(lower).filter(Boolean));

  const out: PersonInScope[] = [];
  for (const user of users) {
    if (isGuest(user)) continue;
    const roles: ScopeRole[] = [];
    if (members.has(user.id) || matchesAny(user, rostered)) roles.push('councillor');
    if (matchesAny(user, clerk)) roles.push('clerk');
    if (matchesAny(user, staff)) roles.push('staff');
    if (isAdmin(user)) roles.push('admin');
    const isBreakGlass = matchesAny(user, breakGlass);
    if (roles.length === 0 && !isBreakGlass) continue;
    out.push({ user, roles, isAdmin: isAdmin(user), isBreakGlass });
  }
  return out;
}

/** In-scope people whose account is enabled (the ones who can sign in). */
export function enabledMembers(people: readonly PersonInScope[]): PersonInScope[] {
  return people.filter((p) => p.user.accountEnabled !== false);
}

/** Councillors only: group members plus rostered UPNs that have an account. */
export function councillors(
  users: readonly SnapshotUser[],
  council: CouncilConfig,
  councillorMemberIds: readonly string[],
): SnapshotUser[] {
  return peopleInScope(users, council, councillorMemberIds).filter((p) => p.roles.includes('councillor')).map((p) => p.user);
}

/** Ids of everyone in scope (for collect's per-user reads: inbox rules, MFA methods, per-user MFA). */
export function inScopeUserIds(users: readonly SnapshotUser[], council: CouncilConfig, councillorMemberIds: readonly string[]): string[] {
  return peopleInScope(users, council, councillorMemberIds).map((p) => p.user.id);
}

/** Ids of councillors (for collect's OneDrive reads). */
export function councillorIds(users: readonly SnapshotUser[], council: CouncilConfig, councillorMemberIds: readonly string[]): string[] {
  return councillors(users, council, councillorMemberIds).map((u) => u.id);
}

/** Councillor group member ids from the snapshot, or [] when the group could not be read. */
export function councillorMemberIds(snapshot: TenantSnapshot): string[] {
  return snapshot.councillorGroup?.status === 'ok' ? snapshot.councillorGroup.data.memberIds ?? [] : [];
}

/** How a user appears as a finding's subject. A user without a UPN is named by display name or id. */
export function userSubject(user: SnapshotUser, type: 'user' | 'mailbox' = 'user'): FindingSubject {
  const upn = (user.userPrincipalName ?? '').trim();
  return {
    type,
    id: user.id,
    name: (user.displayName ?? '').trim() || upn || user.id,
    ...(upn ? { userPrincipalName: upn } : {}),
  };
}

/** Words for a person's roles, for summaries: "councillor", "clerk and admin". */
export function describeRoles(person: PersonInScope): string {
  const words = person.roles.map((r) => (r === 'admin' ? 'administrator' : r === 'staff' ? 'member of staff' : r));
  if (words.length === 0) return person.isBreakGlass ? 'break-glass account' : 'account';
  return words.length === 1 ? words[0] : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}
