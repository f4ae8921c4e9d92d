// identity.password-policy: passwords handled the way the council's policy says.
//
// Profile rule 'ncsc' (change only on suspected compromise, never on a timer):
//   password-expiry         a domain whose passwords expire (passwordValidityPeriodInDays not
//                           2147483647; null is Microsoft's default of 90) with in-scope accounts that do
//                           not carry DisablePasswordExpiration → low, per domain.
// Profile rule 'regular' (change every maxAgeDays, 90 when the profile gives none):
//   password-expiry-policy  a domain whose passwords never expire, or expire later than maxAgeDays → low
//   password-never-expires  an in-scope account with DisablePasswordExpiration → low
//   password-age            an in-scope password last changed more than maxAgeDays ago → low
// Either rule:
//   weak-password-allowed   any enabled member account with DisableStrongPassword → high
//   password-compromise     a risky user in state atRisk or confirmedCompromised (Entra ID P2): the
//                           password must be changed now → high. Without P2 this part is a partial skip.
// Break-glass accounts are left out of the expiry and age findings (long, stored, rarely used passwords
// are their design) but not out of the strong-password and compromise findings.
import type { Check, EvaluationInput } from '../types';
import type { CheckOutcome, FindingSubject } from '../../core/findings';
import type { SnapshotDomain, SnapshotUser } from '../../core/snapshot';
import { OutcomeBuilder, requireParts } from '../outcome';
import { domainOf, normaliseDomain } from '../addresses';
import { councillorMemberIds, enabledMembers, findUserByAddress, isGuest, peopleInScope, userSubject } from '../scope';
import { londonDay, parseInstant, runInstant, utcIso } from '../dates';
import { plural } from '../words';

const ID = 'identity.password-policy' as const;
const CLAUSES = {
  'password-expiry': ['identity.passwords'],
  'password-expiry-policy': ['identity.passwords'],
  'password-never-expires': ['identity.passwords'],
  'password-age': ['identity.passwords'],
  'weak-password-allowed': ['identity.passwords'],
  'password-compromise': ['identity.password-compromise'],
};
/** Graph's conventional "never expires" value. */
export const NEVER_EXPIRES = 2147483647;
const MICROSOFT_DEFAULT_VALIDITY_DAYS = 90;
const DEFAULT_MAX_AGE_DAYS = 90;
const COMPROMISED_STATES = new Set(['atrisk', 'confirmedcompromised']);

function policiesOf(user: SnapshotUser): Set<string> {
  return new Set((user.passwordPolicies ?? '').split(',').map((p) => p.trim().toLowerCase()).filter(Boolean));
}

function validityOf(domain: SnapshotDomain): number {
  const v = domain.passwordValidityPeriodInDays;
  return typeof v === 'number' && Number.isFinite(v) ? v : MICROSOFT_DEFAULT_VALIDITY_DAYS;
}

function domainSubject(domain: string): FindingSubject {
  return { type: 'tenant', id: domain, name: `password policy of ${domain}` };
}

function evaluate({ snapshot, council, profile, now }: EvaluationInput): CheckOutcome {
  const required = requireParts(snapshot, ['users']);
  if ('outcome' in required) return required.outcome;
  const { users } = required.data;
  const out = new OutcomeBuilder();
  out.optional(snapshot, 'councillorGroup', 'councillor-group');
  const runAt = runInstant(now);
  const rule = profile.passwords?.rule === 'regular' ? 'regular' : 'ncsc';
  const maxAgeDays = profile.passwords?.maxAgeDays && profile.passwords.maxAgeDays > 0 ? profile.passwords.maxAgeDays : DEFAULT_MAX_AGE_DAYS;
  const explanation = (profile.passwords?.explanation ?? '').trim();

  const scope = enabledMembers(peopleInScope(users, council, councillorMemberIds(snapshot))).filter((p) => !p.isBreakGlass);
  const domains = out.optional(snapshot, 'domains', rule === 'ncsc' ? 'password-expiry' : 'password-expiry-policy');

  // Domain expiry, judged for the domains in-scope people sign in with.
  const byDomain = new Map<string, SnapshotUser[]>();
  for (const p of scope) {
    const d = domainOf(p.user.userPrincipalName);
    if (d) byDomain.set(d, [...(byDomain.get(d) ?? []), p.user]);
  }
  for (const domain of domains ?? []) {
    if (!domain) continue;
    const id = normaliseDomain(domain.id);
    const people = byDomain.get(id) ?? [];
    if (!people.length) continue;
    const validity = validityOf(domain);
    const never = validity >= NEVER_EXPIRES;
    if (rule === 'ncsc') {
      const expiring = people.filter((u) => !policiesOf(u).has('disablepasswordexpiration'));
      if (never || !expiring.length) continue;
      out.add({
        checkId: ID,
        kind: 'password-expiry',
        key: id,
        severity: 'low',
        subject: domainSubject(id),
        clauses: CLAUSES['password-expiry'],
        summary: `Passwords for ${id} expire every ${plural(validity, 'day')}, forcing ${plural(expiring.length, 'person', 'people')} in scope to change them on a timer.${explanation ? ` ${explanation}` : ' The council follows NCSC advice: change a password only when it may have been compromised.'}`,
        evidence: { domain: id, passwordValidityPeriodInDays: domain.passwordValidityPeriodInDays ?? null, effectiveDays: validity, affected: expiring.map((u) => u.userPrincipalName || u.id) },
        remediation: 'Ask the IT supplier to set passwords to never expire (Microsoft 365 admin centre → Settings → Org settings → Security & privacy → Password expiration policy), keeping MFA on for everyone.',
      });
    } else if (never || validity > maxAgeDays) {
      out.add({
        checkId: ID,
        kind: 'password-expiry-policy',
        key: id,
        severity: 'low',
        subject: domainSubject(id),
        clauses: CLAUSES['password-expiry-policy'],
        summary: `Passwords for ${id} ${never ? 'never expire' : `expire only every ${plural(validity, 'day')}`}, but the council's policy asks for them to be changed every ${plural(maxAgeDays, 'day')}.${explanation ? ` ${explanation}` : ''}`,
        evidence: { domain: id, passwordValidityPeriodInDays: domain.passwordValidityPeriodInDays ?? null, effectiveDays: never ? 'never' : validity, maxAgeDays },
        remediation: `Ask the IT supplier to set the password expiration policy to ${maxAgeDays} days (Microsoft 365 admin centre → Settings → Org settings → Security & privacy → Password expiration policy), or ask the council to review its policy against current NCSC advice.`,
      });
    }
  }

  if (rule === 'regular') {
    const cutoff = runAt.minus({ days: maxAgeDays });
    for (const { user } of scope) {
      const subject = userSubject(user);
      if (policiesOf(user).has('disablepasswordexpiration')) {
        out.add({
          checkId: ID,
          kind: 'password-never-expires',
          key: 'password',
          severity: 'low',
          subject,
          clauses: CLAUSES['password-never-expires'],
          summary: `${subject.name}'s password is set never to expire, but the council's policy asks for it to be changed every ${plural(maxAgeDays, 'day')}.`,
          evidence: { passwordPolicies: user.passwordPolicies ?? null, maxAgeDays },
          remediation: `Ask the IT supplier to remove DisablePasswordExpiration from ${subject.name}'s account (Update-MgUser -PasswordPolicies None).`,
        });
      }
      const changed = parseInstant(user.lastPasswordChangeDateTime);
      if (changed && changed < cutoff) {
        out.add({
          checkId: ID,
          kind: 'password-age',
          key: 'password',
          severity: 'low',
          subject,
          clauses: CLAUSES['password-age'],
          summary: `${subject.name} last changed their password on ${londonDay(changed)}, more than the ${plural(maxAgeDays, 'day')} the council's policy allows.`,
          evidence: { lastPasswordChangeDateTime: utcIso(changed), ageDays: Math.floor(runAt.diff(changed, 'days').days), maxAgeDays },
          remediation: `Ask ${subject.name} to change their password (https://mysignins.microsoft.com/security-info → Password).`,
        });
      }
    }
  }

  // Weak passwords allowed: any account that can sign in, in scope or not.
  for (const user of users) {
    if (!user || isGuest(user) || user.accountEnabled === false) continue;
    if (!policiesOf(user).has('disablestrongpassword')) continue;
    const subject = userSubject(user);
    out.add({
      checkId: ID,
      kind: 'weak-password-allowed',
      key: 'password',
      severity: 'high',
      subject,
      clauses: CLAUSES['weak-password-allowed'],
      summary: `${subject.name}'s account is allowed a weak password (the strong-password rule is switched off for it).`,
      evidence: { passwordPolicies: user.passwordPolicies ?? null },
      remediation: `Ask the IT supplier to turn the strong-password rule back on (Update-MgUser -UserId ${user.userPrincipalName || user.id} -PasswordPolicies None) and have ${subject.name} set a new, strong password.`,
    });
  }

  const risky = out.optional(snapshot, 'riskyUsers', 'password-compromise');
  for (const r of risky ?? []) {
    if (!r || !COMPROMISED_STATES.has((r.riskState ?? '').toLowerCase())) continue;
    const user = users.find((u) => u.id === r.id) ?? findUserByAddress(users, r.userPrincipalName);
    const subject: FindingSubject = user
      ? userSubject(user)
      : { type: 'user', id: r.id, name: r.userPrincipalName || r.id, ...(r.userPrincipalName ? { userPrincipalName: r.userPrincipalName } : {}) };
    const confirmed = (r.riskState ?? '').toLowerCase() === 'confirmedcompromised';
    out.add({
      checkId: ID,
      kind: 'password-compromise',
      key: 'risk',
      severity: 'high',
      subject,
      clauses: CLAUSES['password-compromise'],
      summary: `Microsoft ${confirmed ? 'has confirmed' : 'suspects'} that ${subject.name}'s account is compromised (for example a leaked password); the council's policy says the password must be changed immediately.`,
      evidence: { riskState: r.riskState, riskLevel: r.riskLevel, riskDetail: r.riskDetail },
      remediation: `Change ${subject.name}'s password now and sign them out everywhere (Entra admin centre → Users → ${subject.name} → Reset password, then Revoke sessions), check their inbox rules and sign-ins, then dismiss the risk in Entra ID Protection.`,
    });
  }
  return out.build();
}

export const identityPasswordPolicy: Check = {
  id: ID,
  order: 60,
  title: 'Passwords handled as the council policy says',
  clauses: CLAUSES,
  reads: ['users', 'councillorGroup', 'domains', 'riskyUsers'],
  evaluate,
};

