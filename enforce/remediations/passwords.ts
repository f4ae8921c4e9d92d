// passwords: bring password settings to the council's profile.
//  - domain expiry: NCSC profiles never expire (2147483647 days, Graph's "never"); 'regular' profiles
//    expire every maxAgeDays;
//  - remove DisableStrongPassword from a user's passwordPolicies (other flags kept);
//  - a user whose credentials leaked (risky user): must change the password at next sign-in.
import type { ActionExecutor, PlannedAction, Remediation } from '../types';
import { clauseNumbers, ENC, findingsOf, isBreakGlass } from './common';
import { WRITE_FEATURE_ENDPOINTS, permissionsOf } from '../../graph/permissions';

const CHECK = 'identity.password-policy';
const NEVER = 2147483647;

const withoutStrongPasswordFlag = (policies: string | null): string | null => {
  const kept = (policies ?? '').split(',').map((p) => p.trim()).filter((p) => p && p.toLowerCase() !== 'disablestrongpassword');
  return kept.length ? kept.join(', ') : 'None';
};

const executors: Record<string, ActionExecutor> = {
  'domain-password-expiry': {
    async read(ctx, a) {
      const d = await ctx.graph.get<{ passwordValidityPeriodInDays?: number | null }>(`/domains/${ENC(a.target.id)}`).catch(() => undefined);
      return d ? { passwordValidityPeriodInDays: d.passwordValidityPeriodInDays ?? null } : undefined;
    },
  },
  'require-strong-password': {
    async read(ctx, a) {
      const u = await ctx.graph.get<{ passwordPolicies?: string | null }>(`/users/${ENC(a.target.id)}`, ['id', 'passwordPolicies']).catch(() => undefined);
      return u ? { passwordPolicies: u.passwordPolicies ?? null } : undefined;
    },
  },
  'force-password-change': {
    async read(ctx, a) {
      const u = await ctx.graph.get<{ passwordProfile?: { forceChangePasswordNextSignIn?: boolean } }>(`/users/${ENC(a.target.id)}`, ['id', 'passwordProfile']).catch(() => undefined);
      return u ? { forceChangePasswordNextSignIn: !!u.passwordProfile?.forceChangePasswordNextSignIn } : undefined;
    },
  },
};

export const passwords: Remediation = {
  name: 'passwords',
  title: 'Password settings',
  permissions: permissionsOf(WRITE_FEATURE_ENDPOINTS['enforce.passwords']),
  executors,
  async plan(input, notes) {
    const out: Omit<PlannedAction, 'id'>[] = [];
    const ncsc = input.profile.passwords.rule !== 'regular';
    const wanted = ncsc ? NEVER : input.profile.passwords.maxAgeDays ?? 365;
    for (const f of findingsOf(input, CHECK, ['password-expiry', 'password-expiry-policy'])) {
      const domain = String(f.evidence.domain ?? f.subject.id);
      const before = { passwordValidityPeriodInDays: (f.evidence.passwordValidityPeriodInDays as number | null | undefined) ?? null };
      const path = `/domains/${ENC(domain)}`;
      out.push({
        remediation: 'passwords', kind: 'domain-password-expiry', findingIds: [f.id], clauses: clauseNumbers(input, [f]),
        target: { type: 'domain', id: domain, name: domain },
        description: ncsc
          ? `Set passwords for ${domain} to never expire, as the council's policy follows NCSC advice (change a password only when it may be compromised).`
          : `Set passwords for ${domain} to expire every ${wanted} days, as the council's policy asks.`,
        call: { api: 'graph', method: 'PATCH', path, body: { passwordValidityPeriodInDays: wanted } },
        before, after: { passwordValidityPeriodInDays: wanted },
        undo: { description: `Set the expiry back to ${before.passwordValidityPeriodInDays ?? 'the default (90 days)'}.`, call: { api: 'graph', method: 'PATCH', path, body: { passwordValidityPeriodInDays: before.passwordValidityPeriodInDays ?? 90 } } },
      });
    }
    for (const f of findingsOf(input, CHECK, ['weak-password-allowed', 'password-compromise'])) {
      if (isBreakGlass(input, f.subject.userPrincipalName)) { notes.push(`Not planned: a password change for break-glass account ${f.subject.userPrincipalName}.`); continue; }
      const path = `/users/${ENC(f.subject.id)}`;
      const target = { type: 'user' as const, id: f.subject.id, name: f.subject.name, userPrincipalName: f.subject.userPrincipalName };
      if (f.kind === 'weak-password-allowed') {
        const policies = (f.evidence.passwordPolicies as string | null | undefined) ?? null;
        const after = withoutStrongPasswordFlag(policies);
        out.push({
          remediation: 'passwords', kind: 'require-strong-password', findingIds: [f.id], clauses: clauseNumbers(input, [f]), target,
          description: `Require a strong password for ${f.subject.name} (remove DisableStrongPassword; other password settings kept).`,
          call: { api: 'graph', method: 'PATCH', path, body: { passwordPolicies: after } },
          before: { passwordPolicies: policies }, after: { passwordPolicies: after },
          undo: { description: `Set passwordPolicies back to "${policies}".`, call: { api: 'graph', method: 'PATCH', path, body: { passwordPolicies: policies } } },
        });
      } else {
        out.push({
          remediation: 'passwords', kind: 'force-password-change', findingIds: [f.id], clauses: clauseNumbers(input, [f]), target,
          description: `Make ${f.subject.name} choose a new password at the next sign-in: their credentials were reported as leaked.`,
          call: { api: 'graph', method: 'PATCH', path, body: { passwordProfile: { forceChangePasswordNextSignIn: true } } },
          before: { forceChangePasswordNextSignIn: false }, after: { forceChangePasswordNextSignIn: true },
          undo: { description: 'Stop requiring a password change at next sign-in.', call: { api: 'graph', method: 'PATCH', path, body: { passwordProfile: { forceChangePasswordNextSignIn: false } } } },
        });
      }
    }
    return out;
  },
};
