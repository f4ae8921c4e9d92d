// identity.mfa-registration: every enabled council account in scope (councillors, clerk, staff,
// admins, break-glass) has a second sign-in factor registered.
//
// The registration data comes from the P1 report or, without P1, each user's authentication methods
// (collect picks; both are fine here). A person missing from the data has never registered anything.
// Admins without MFA are high. Others are medium, or low when the council's policy does not itself
// require MFA (NCSC and Microsoft still advise it). Guests and disabled accounts are out of scope.
import type { Check, EvaluationInput } from '../types';
import type { CheckOutcome, Severity } from '../../core/findings';
import { OutcomeBuilder, requireParts } from '../outcome';
import { councillorMemberIds, describeRoles, enabledMembers, peopleInScope, userSubject, withEligibleAdmins } from '../scope';

const ID = 'identity.mfa-registration' as const;
const CLAUSES = { 'not-registered': ['identity.mfa', 'identity.admin-credentials'] };

function evaluate({ snapshot, council, profile }: EvaluationInput): CheckOutcome {
  const required = requireParts(snapshot, ['users', 'mfaRegistration']);
  if ('outcome' in required) return required.outcome;
  const { mfaRegistration } = required.data;
  const out = new OutcomeBuilder();
  out.optional(snapshot, 'councillorGroup', 'councillor-group');
  // Administrators eligible through PIM are administrators too; without P2 that part is a partial skip.
  out.optional(snapshot, 'adminEligibility', 'eligible-admin');
  const users = withEligibleAdmins(required.data.users, snapshot);

  for (const person of enabledMembers(peopleInScope(users, council, councillorMemberIds(snapshot)))) {
    const record = (mfaRegistration ?? {})[person.user.id];
    if (record?.isMfaRegistered) continue;
    const severity: Severity = person.isAdmin ? 'high' : profile.mfaRequired ? 'medium' : 'low';
    const subject = userSubject(person.user);
    out.add({
      checkId: ID,
      kind: 'not-registered',
      key: 'mfa',
      severity,
      subject,
      clauses: person.isAdmin ? CLAUSES['not-registered'] : ['identity.mfa'],
      summary: `${subject.name} (${describeRoles(person)}) has no second sign-in factor registered, so a stolen password alone would open the account.`,
      evidence: {
        roles: person.roles,
        breakGlass: person.isBreakGlass,
        source: record?.source ?? 'none',
        recorded: !!record,
        methodsRegistered: record?.methodsRegistered ?? [],
      },
      remediation: person.isBreakGlass
        ? 'Register a phishing-resistant method (a FIDO2 security key kept with the emergency credentials) for this break-glass account.'
        : `Ask ${subject.name} to sign in at https://aka.ms/mysecurityinfo and add the Microsoft Authenticator app (or a security key); the IT supplier can help on the phone.`,
    });
  }
  return out.build();
}

export const identityMfaRegistration: Check = {
  id: ID,
  order: 40,
  title: 'Accounts without multi-factor authentication registered',
  clauses: CLAUSES,
  reads: ['users', 'councillorGroup', 'adminEligibility', 'mfaRegistration'],
  evaluate,
};
