// identity.mfa-enforcement: is a second factor actually REQUIRED at sign-in for each enabled person in
// scope? Any one of these is enough:
//   - security defaults on (they cover every account);
//   - an ENABLED Conditional Access policy ('enabledForReportingButNotEnforced' is report-only and does
//     not count) that includes the person and requires MFA at every sign-in, as checks/conditional-access.ts
//     judges it (groups resolved through nesting, roles, All and guests; all cloud apps without Exchange or
//     SharePoint excluded; no client-app, risk, location, platform or device narrowing; MFA, or a strength
//     that needs a second factor, with no weaker alternative);
//   - per-user MFA 'enforced', or 'enabled' (Microsoft: an 'enabled' user must register and use MFA at
//     the next modern sign-in, and moves to 'enforced' on registering, so it already requires MFA).
// A policy that covers the person only under some conditions is partial coverage: reported, naming the
// conditions, never counted. A group whose members could not be read is named in the evidence. Break-glass
// accounts are meant to sit outside these policies and are not reported. Admins are high; others medium,
// or low when the council's policy does not itself require MFA. Parts that cannot be read are partial
// skips; the check is skipped only when none of the three mechanisms can be read.
import type { Check, EvaluationInput } from '../types';
import type { CheckOutcome, Severity, SkipReason } from '../../core/findings';
import { OutcomeBuilder, readPart } from '../outcome';
import { councillorMemberIds, describeRoles, enabledMembers, isGuest, peopleInScope, userSubject, withEligibleAdmins } from '../scope';
import { asksForMfa, narrowingConditions, policyMembership } from '../conditional-access';
import { listWords } from '../words';

const ID = 'identity.mfa-enforcement' as const;
const CLAUSES = { 'mfa-not-required': ['identity.mfa', 'identity.admin-credentials'] };

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
  // Groups resolved as Entra resolves them (nested included); the councillor group is known either way.
  const groupMembers: Record<string, readonly string[]> = { ...(group ? { [group.id]: group.memberIds } : {}), ...(snapshot.groupMembers ?? {}) };
  const mfaPolicies = (Array.isArray(policies) ? policies : []).filter((p) => p && asksForMfa(p));
  const enforced = mfaPolicies.filter((p) => p.state === 'enabled');
  const reportOnly = mfaPolicies.filter((p) => p.state === 'enabledForReportingButNotEnforced');
  const name = (p: { displayName?: string; id: string }) => p.displayName || p.id;

  for (const person of enabledMembers(peopleInScope(users, council, councillorMemberIds(snapshot)))) {
    if (person.isBreakGlass) continue; // expected to be excluded from MFA policies
    const user = person.user;
    const guest = isGuest(user);
    const matches = enforced.map((p) => ({ p, m: policyMembership(p, user, groupMembers, guest), narrowed: narrowingConditions(p) }));
    if (matches.some((x) => x.m.membership === 'included' && !x.narrowed.length)) continue;
    const state = (perUser?.[user.id] ?? '').toLowerCase();
    if (state === 'enforced' || state === 'enabled') continue;

    const excludedBy = matches.filter((x) => x.m.membership === 'excluded').map((x) => name(x.p));
    const partial = matches.filter((x) => x.m.membership === 'included' && x.narrowed.length).map((x) => ({ policy: name(x.p), conditions: x.narrowed }));
    const unresolved = matches.filter((x) => x.m.membership === 'not-included' && x.m.unresolvedIncludeGroups.length).map((x) => name(x.p));
    const assumedNotExcluded = matches.filter((x) => x.m.unresolvedExcludeGroups.length).map((x) => name(x.p));
    const reportOnlyCovering = reportOnly.filter((p) => policyMembership(p, user, groupMembers, guest).membership === 'included').map(name);

    const subject = userSubject(user);
    const severity: Severity = person.isAdmin ? 'high' : profile.mfaRequired ? 'medium' : 'low';
    const why: string[] = [];
    if (sd && !sd.isEnabled) why.push('security defaults are off');
    if (policies) {
      if (excludedBy.length) why.push(`they are excluded from ${listWords(excludedBy.map((n) => `"${n}"`))}`);
      if (partial.length) why.push(`only partly covered: ${listWords(partial.map((x) => `"${x.policy}" ${listWords(x.conditions)}`))}`);
      if (excludedBy.length || partial.length) { /* named above */ } else if (reportOnlyCovering.length) why.push(`${listWords(reportOnlyCovering.map((n) => `"${n}"`))} only reports and does not enforce`);
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
        ...(policies ? { excludedBy, reportOnlyPolicies: reportOnlyCovering, ...(partial.length ? { partialCoverage: partial } : {}) } : { conditionalAccess: 'unknown' }),
        ...(unresolved.length ? { policiesTargetingOtherGroups: unresolved } : {}),
        ...(assumedNotExcluded.length ? { policiesExcludingOtherGroups: assumedNotExcluded } : {}),
        perUserMfaState: perUser ? state || 'disabled' : 'unknown',
      },
      remediation: policies
        ? `Ask the IT supplier to bring ${subject.name} under an enabled Conditional Access policy that requires MFA for all cloud apps, every client app and every sign-in${excludedBy.length ? ' (remove them from its exclusions)' : ''}${partial.length ? ' (remove the conditions named above, or add a policy without them)' : ''}${reportOnlyCovering.length ? ', or switch the report-only policy to On' : ''}.`
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
