// identity.mfa-enforcement: is a second factor actually REQUIRED at sign-in for each enabled person in
// scope? Any one of these is enough:
//   - security defaults on (they cover every account);
//   - an ENABLED Conditional Access policy ('enabledForReportingButNotEnforced' is report-only and does
//     not count) that requires MFA (builtInControls has 'mfa', or an authentication strength is set),
//     applies to all cloud apps or Office 365, and includes the person (includeUsers 'All' or their id,
//     includeRoles matching a directory role they hold, includeGroups naming the councillor group they
//     belong to) without excluding them the same ways;
//   - per-user MFA 'enforced', or 'enabled' (Microsoft: an 'enabled' user must register and use MFA at
//     the next modern sign-in, and moves to 'enforced' on registering, so it already requires MFA).
// The snapshot knows only the councillor group's members, so a policy that includes other groups cannot
// be credited (the finding names it, for the IT supplier to confirm); one that excludes other groups is
// assumed not to exclude the person (also named). Break-glass accounts are meant to sit outside these
// policies and are not reported. Admins are high; others medium, or low when the council's policy does
// not itself require MFA. Parts that cannot be read are partial skips; the check is skipped only when
// none of the three mechanisms can be read.
import type { Check, EvaluationInput } from '../types';
import type { CheckOutcome, Severity, SkipReason } from '../../core/findings';
import type { ConditionalAccessPolicy, SnapshotUser } from '../../core/snapshot';
import { OutcomeBuilder, readPart } from '../outcome';
import { councillorMemberIds, describeRoles, enabledMembers, peopleInScope, userSubject, withEligibleAdmins } from '../scope';
import { listWords } from '../words';

const ID = 'identity.mfa-enforcement' as const;
const CLAUSES = { 'mfa-not-required': ['identity.mfa', 'identity.admin-credentials'] };
const ALL_APPS = new Set(['all', 'office365']);

const lowerList = (xs: readonly string[] | null | undefined) => (Array.isArray(xs) ? xs : []).map((x) => String(x).toLowerCase());

function requiresMfa(p: ConditionalAccessPolicy): boolean {
  const g = p.grantControls;
  if (!g) return false;
  return lowerList(g.builtInControls).includes('mfa') || (!!g.authenticationStrength && typeof g.authenticationStrength === 'object');
}

function coversAllApps(p: ConditionalAccessPolicy): boolean {
  return lowerList(p.conditions?.applications?.includeApplications).some((a) => ALL_APPS.has(a));
}

type Match = 'included' | 'excluded' | 'not-included';

interface PolicyMatch {
  match: Match;
  /** Group ids the policy names that we cannot expand (not the councillor group). */
  otherIncludeGroups: string[];
  otherExcludeGroups: string[];
}

function matchPolicy(p: ConditionalAccessPolicy, user: SnapshotUser, councillorGroupId: string | undefined, inCouncillorGroup: boolean): PolicyMatch {
  const u = p.conditions?.users ?? {};
  const id = user.id.toLowerCase();
  const roles = new Set(lowerList(user.adminRoles));
  const group = councillorGroupId?.toLowerCase();
  const includeGroups = lowerList(u.includeGroups);
  const excludeGroups = lowerList(u.excludeGroups);
  const included =
    lowerList(u.includeUsers).some((x) => x === 'all' || x === id) ||
    lowerList(u.includeRoles).some((r) => roles.has(r)) ||
    (!!group && inCouncillorGroup && includeGroups.includes(group));
  const excluded =
    lowerList(u.excludeUsers).includes(id) ||
    lowerList(u.excludeRoles).some((r) => roles.has(r)) ||
    (!!group && inCouncillorGroup && excludeGroups.includes(group));
  return {
    match: excluded ? 'excluded' : included ? 'included' : 'not-included',
    otherIncludeGroups: includeGroups.filter((g) => g !== group),
    otherExcludeGroups: excludeGroups.filter((g) => g !== group),
  };
}

/** The reason to give when nothing at all could be read: the one an administrator can act on first. */
function bestReason(reasons: SkipReason[]): SkipReason | undefined {
  const order: SkipReason['code'][] = ['missing-permission', 'not-connected', 'not-licensed', 'disabled-by-policy'];
  return [...reasons].sort((a, b) => order.indexOf(a.code) - order.indexOf(b.code))[0];
}

function evaluate({ snapshot, council, profile }: EvaluationInput): CheckOutcome {
  const usersRead = readPart(snapshot, 'users');
  if (usersRead.state === 'error') return { status: 'error', error: usersRead.error, findings: [] };
  if (usersRead.state === 'unavailable') return { status: 'skipped', skipReason: usersRead.reason, findings: [] };
  const users = withEligibleAdmins(usersRead.data, snapshot);
  // Security defaults cover everyone: nothing more to judge, and the other mechanisms' absence (the
  // usual free-tier set-up) is not worth a note.
  const sdRead = readPart(snapshot, 'securityDefaults');
  if (sdRead.state === 'ok' && sdRead.data?.isEnabled === true) return { status: 'pass', findings: [] };
  const out = new OutcomeBuilder();
  out.optional(snapshot, 'councillorGroup', 'councillor-group');
  // Administrators eligible through PIM are administrators too; without P2 that part is a partial skip.
  out.optional(snapshot, 'adminEligibility', 'eligible-admin');

  const mechanisms = [sdRead, readPart(snapshot, 'conditionalAccess'), readPart(snapshot, 'perUserMfa')];
  if (mechanisms.every((m) => m.state !== 'ok')) {
    const errors = mechanisms.flatMap((m) => (m.state === 'error' ? [m.error] : []));
    if (errors.length) return { status: 'error', error: errors.join('; '), findings: [] };
    return { status: 'skipped', skipReason: bestReason(mechanisms.flatMap((m) => (m.state === 'unavailable' ? [m.reason] : [])))!, findings: [] };
  }
  const sd = out.optional(snapshot, 'securityDefaults', 'security-defaults');
  const policies = out.optional(snapshot, 'conditionalAccess', 'conditional-access');
  const perUser = out.optional(snapshot, 'perUserMfa', 'per-user-mfa');

  const group = snapshot.councillorGroup?.status === 'ok' ? snapshot.councillorGroup.data : undefined;
  const members = new Set(councillorMemberIds(snapshot));
  const all = (Array.isArray(policies) ? policies : []).filter((p) => p && requiresMfa(p) && coversAllApps(p));
  const enforced = all.filter((p) => p.state === 'enabled');
  const reportOnly = all.filter((p) => p.state === 'enabledForReportingButNotEnforced');

  for (const person of enabledMembers(peopleInScope(users, council, councillorMemberIds(snapshot)))) {
    if (person.isBreakGlass) continue; // expected to be excluded from MFA policies
    const user = person.user;
    const inGroup = members.has(user.id);
    const matches = enforced.map((p) => ({ p, m: matchPolicy(p, user, group?.id, inGroup) }));
    if (matches.some((x) => x.m.match === 'included')) continue;
    const state = (perUser?.[user.id] ?? '').toLowerCase();
    if (state === 'enforced' || state === 'enabled') continue;

    const excludedBy = matches.filter((x) => x.m.match === 'excluded').map((x) => x.p.displayName || x.p.id);
    const unresolved = matches.filter((x) => x.m.match === 'not-included' && x.m.otherIncludeGroups.length).map((x) => x.p.displayName || x.p.id);
    const assumedNotExcluded = matches.filter((x) => x.m.otherExcludeGroups.length).map((x) => x.p.displayName || x.p.id);
    const reportOnlyCovering = reportOnly.filter((p) => matchPolicy(p, user, group?.id, inGroup).match === 'included').map((p) => p.displayName || p.id);

    const subject = userSubject(user);
    const severity: Severity = person.isAdmin ? 'high' : profile.mfaRequired ? 'medium' : 'low';
    const why: string[] = [];
    if (sd && !sd.isEnabled) why.push('security defaults are off');
    if (policies) {
      if (excludedBy.length) why.push(`they are excluded from ${listWords(excludedBy.map((n) => `"${n}"`))}`);
      else if (reportOnlyCovering.length) why.push(`${listWords(reportOnlyCovering.map((n) => `"${n}"`))} only reports and does not enforce`);
      else why.push('no enabled Conditional Access policy requiring MFA covers them');
    }
    if (perUser) why.push(`per-user MFA is ${state || 'not set'}`);

    out.add({
      checkId: ID,
      kind: 'mfa-not-required',
      key: 'mfa',
      severity,
      subject,
      clauses: person.isAdmin ? CLAUSES['mfa-not-required'] : ['identity.mfa'],
      summary: `Nothing makes ${subject.name} (${describeRoles(person)}) use a second sign-in factor${why.length ? `: ${listWords(why)}` : ''}.`,
      evidence: {
        roles: person.roles,
        securityDefaults: sd ? sd.isEnabled : 'unknown',
        ...(policies ? { excludedBy, reportOnlyPolicies: reportOnlyCovering } : { conditionalAccess: 'unknown' }),
        ...(unresolved.length ? { policiesTargetingOtherGroups: unresolved } : {}),
        ...(assumedNotExcluded.length ? { policiesExcludingOtherGroups: assumedNotExcluded } : {}),
        perUserMfaState: perUser ? state || 'disabled' : 'unknown',
      },
      remediation: policies
        ? `Ask the IT supplier to bring ${subject.name} under an enabled Conditional Access policy that requires MFA for all cloud apps${excludedBy.length ? ' (remove them from its exclusions)' : ''}${reportOnlyCovering.length ? ', or switch the report-only policy to On' : ''}.`
        : 'Ask the IT supplier to turn on security defaults (Entra admin centre → Overview → Properties → Manage security defaults), or, with Entra ID P1, an enabled Conditional Access policy requiring MFA for everyone except the break-glass accounts.',
    });
  }
  return out.build();
}

export const identityMfaEnforcement: Check = {
  id: ID,
  order: 50,
  title: 'Multi-factor authentication not required at sign-in',
  clauses: CLAUSES,
  reads: ['users', 'councillorGroup', 'adminEligibility', 'securityDefaults', 'conditionalAccess', 'perUserMfa'],
  evaluate,
};
