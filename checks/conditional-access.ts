// How Entra applies a Conditional Access policy to one person, for identity.mfa-enforcement. Pure.
//
// A policy requires MFA at every sign-in for a person only if it is enabled, includes them (users, groups
// resolved through nested groups, roles, All, guests) and does not exclude them the same ways, targets all
// cloud apps without excluding Exchange Online, SharePoint Online or Office 365, applies to every client
// app type, is not narrowed by user or sign-in risk, locations, platforms or a device filter, and grants
// only with MFA: the `mfa` control (under OR only when it is the only control), or an authentication
// strength whose every allowed combination includes a second factor. Anything less is partial coverage,
// and each narrowing is named so the IT supplier can see why.
import type { ConditionalAccessPolicy, SnapshotUser } from '../core/snapshot';

export const EXCHANGE_ONLINE_APP_ID = '00000002-0000-0ff1-ce00-000000000000';
export const SHAREPOINT_ONLINE_APP_ID = '00000003-0000-0ff1-ce00-000000000000';

const lowerList = (xs: readonly unknown[] | null | undefined) => (Array.isArray(xs) ? xs : []).map((x) => String(x).toLowerCase());

export type Membership = 'included' | 'excluded' | 'not-included';

export interface MembershipResult {
  membership: Membership;
  /** Groups the policy names whose members could not be read (the person may be in them). */
  unresolvedIncludeGroups: string[];
  unresolvedExcludeGroups: string[];
}

// Group id -> its member ids, lower-cased, per groupMembers record: the record is the same for every person
// and policy of a run, and rebuilding it per call made a 15,000-user tenant's MFA reads and check quadratic
// (over a minute of CPU). Callers build the record once and do not change it afterwards.
const loweredGroups = new WeakMap<object, Map<string, Set<string>>>();

function membersByGroup(groupMembers: Readonly<Record<string, readonly string[]>>): Map<string, Set<string>> {
  let groups = loweredGroups.get(groupMembers);
  if (!groups) {
    groups = new Map(Object.entries(groupMembers).map(([g, ids]) => [g.toLowerCase(), new Set(ids.map((x) => x.toLowerCase()))]));
    loweredGroups.set(groupMembers, groups);
  }
  return groups;
}

/** Whether the policy's user conditions include the person, as Entra resolves them. */
export function policyMembership(p: ConditionalAccessPolicy, user: SnapshotUser, groupMembers: Readonly<Record<string, readonly string[]>>, isGuest: boolean): MembershipResult {
  const u = p.conditions?.users ?? {};
  const id = user.id.toLowerCase();
  const roles = new Set(lowerList(user.adminRoles));
  const groups = membersByGroup(groupMembers);
  const inGroup = (g: string) => groups.get(g)?.has(id) === true;
  const byUser = (list: string[]) => list.some((x) => x === 'all' || x === id || (x === 'guestsorexternalusers' && isGuest));
  const includeGroups = lowerList(u.includeGroups);
  const excludeGroups = lowerList(u.excludeGroups);
  const included = byUser(lowerList(u.includeUsers)) || lowerList(u.includeRoles).some((r) => roles.has(r)) || includeGroups.some(inGroup) || (isGuest && !!u.includeGuestsOrExternalUsers);
  const excluded = lowerList(u.excludeUsers).some((x) => x === id || (x === 'guestsorexternalusers' && isGuest))
    || lowerList(u.excludeRoles).some((r) => roles.has(r)) || excludeGroups.some(inGroup) || (isGuest && !!u.excludeGuestsOrExternalUsers);
  return {
    membership: excluded ? 'excluded' : included ? 'included' : 'not-included',
    unresolvedIncludeGroups: includeGroups.filter((g) => !groups.has(g)),
    unresolvedExcludeGroups: excludeGroups.filter((g) => !groups.has(g)),
  };
}

// Authentication strength combinations ("authenticationMethodModes") that are one factor on their own.
const SINGLE_FACTOR = new Set(['password', 'sms', 'voice', 'email', 'federatedsinglefactor', 'x509certificatesinglefactor', 'hardwareoath', 'softwareoath', 'microsoftauthenticatorpush']);

/** A strength demands a second factor only if every combination it allows does. */
export function strengthNeedsSecondFactor(allowed: readonly string[]): boolean {
  return allowed.length > 0 && allowed.every((combination) => {
    const modes = combination.split(',').map((m) => m.trim().toLowerCase()).filter(Boolean);
    return modes.length > 1 || (modes.length === 1 && !SINGLE_FACTOR.has(modes[0]));
  });
}

/** Why the grant controls do not demand MFA at every use, or undefined when they do. */
function grantShortfall(p: ConditionalAccessPolicy): string | undefined {
  const g = p.grantControls;
  if (!g) return 'grants access without any control';
  const controls = lowerList(g.builtInControls);
  const strength = g.authenticationStrength && typeof g.authenticationStrength === 'object' ? g.authenticationStrength : undefined;
  const or = (g.operator ?? 'OR').toUpperCase() === 'OR';
  let mfa = controls.includes('mfa');
  let strengthNote: string | undefined;
  if (strength) {
    const allowed = Array.isArray(strength.allowedCombinations) ? strength.allowedCombinations : undefined;
    if (!allowed) strengthNote = `its authentication strength "${strength.displayName ?? strength.id ?? 'unnamed'}" could not be read`;
    else if (strengthNeedsSecondFactor(allowed)) mfa = true;
    else strengthNote = `its authentication strength "${strength.displayName ?? strength.id ?? 'unnamed'}" is satisfied by a single factor (${allowed.filter((c) => !strengthNeedsSecondFactor([c])).join(', ')})`;
  }
  if (!mfa) return strengthNote ?? 'does not require MFA';
  // Under OR any one control is enough: an alternative that is not MFA lets people in without it.
  const alternatives = controls.filter((c) => c !== 'mfa');
  if (or && (alternatives.length || (strengthNote && controls.includes('mfa')))) {
    return `accepts ${alternatives.length ? alternatives.join(' or ') : 'a weak authentication strength'} instead of MFA`;
  }
  return undefined;
}

/** Whether the policy is about MFA at all (the mfa control or an authentication strength). */
export function asksForMfa(p: ConditionalAccessPolicy): boolean {
  const g = p.grantControls;
  return !!g && (lowerList(g.builtInControls).includes('mfa') || (!!g.authenticationStrength && typeof g.authenticationStrength === 'object'));
}

/** Each condition that narrows the policy to some sign-ins only, in words; empty when it applies to all. */
export function narrowingConditions(p: ConditionalAccessPolicy): string[] {
  const c = p.conditions ?? {};
  const out: string[] = [];
  const apps = c.applications ?? {};
  const include = lowerList(apps.includeApplications);
  const exclude = lowerList(apps.excludeApplications);
  if (!include.includes('all')) {
    out.push(include.includes('office365') ? 'targets Office 365 only, not all cloud apps' : 'does not target all cloud apps');
  }
  if (exclude.includes(EXCHANGE_ONLINE_APP_ID) || exclude.includes('office365')) out.push('excludes Exchange Online (mail)');
  if (exclude.includes(SHAREPOINT_ONLINE_APP_ID) || exclude.includes('office365')) out.push('excludes SharePoint Online (files)');
  const clients = lowerList(c.clientAppTypes);
  if (clients.length && !clients.includes('all')) out.push(`applies only to client apps ${clients.join(', ')}`);
  if (lowerList(c.userRiskLevels).length) out.push(`applies only at user risk ${lowerList(c.userRiskLevels).join(', ')}`);
  if (lowerList(c.signInRiskLevels).length) out.push(`applies only at sign-in risk ${lowerList(c.signInRiskLevels).join(', ')}`);
  if (c.locations) {
    const inc = lowerList(c.locations.includeLocations);
    if ((inc.length && !inc.includes('all')) || lowerList(c.locations.excludeLocations).length) out.push('applies only in some locations');
  }
  if (c.platforms) {
    const inc = lowerList(c.platforms.includePlatforms);
    if ((inc.length && !inc.includes('all')) || lowerList(c.platforms.excludePlatforms).length) out.push('applies only on some device platforms');
  }
  if (c.devices?.deviceFilter?.rule) out.push(`applies only to devices matching a filter (${c.devices.deviceFilter.mode ?? 'include'})`);
  const grant = grantShortfall(p);
  if (grant) out.push(grant);
  return out;
}

/**
 * Whether an enabled policy requires MFA of this person at every sign-in (it includes them, asks for MFA,
 * and nothing narrows it): identity.mfa-enforcement then needs nothing more about them, so collect does not
 * read their per-user MFA state.
 */
export function mfaRequiredByPolicy(policies: readonly ConditionalAccessPolicy[], user: SnapshotUser, groupMembers: Readonly<Record<string, readonly string[]>>, isGuest: boolean): boolean {
  return policies.some((p) => p && p.state === 'enabled' && asksForMfa(p) && !narrowingConditions(p).length && policyMembership(p, user, groupMembers, isGuest).membership === 'included');
}
