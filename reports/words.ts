// The plain-English pieces every renderer shares: check status, skip reasons, clause references.
import type { CheckResultSummary, Severity, SkipReason } from '../core/findings';
import type { PolicyProfile } from '../policy/profile';

export const SEVERITY_WORDS: Record<Severity, string> = { high: 'High', medium: 'Medium', low: 'Low', info: 'Info' };

export function skipReasonInWords(r: SkipReason): string {
  const detail = r.detail.trim().replace(/\.$/, '');
  switch (r.code) {
    case 'not-licensed': {
      const licence = /^needs an? (.+?) licen[cs]e$/i.exec(detail)?.[1];
      return licence
        ? `Skipped: the tenant has no ${licence} licence, which this check needs.`
        : `Skipped: the tenant is not licensed for this check (${detail}).`;
    }
    case 'missing-permission': {
      const permission = /^needs the application permissions? (.+)$/i.exec(detail)?.[1];
      return permission
        ? `Skipped: CouncilGuard lacks the permission ${permission}; an administrator can grant it (see the deployment guide).`
        : `Skipped: CouncilGuard lacks a permission it needs (${detail}); an administrator can grant it.`;
    }
    case 'not-connected':
      return `Skipped: CouncilGuard is not connected to Exchange Online administration (${detail}).`;
    case 'disabled-by-policy':
      return `Skipped on purpose: ${detail}.`;
    case 'incomplete-results':
      return `Only partly checked: ${detail}.`;
  }
}

export function statusInWords(c: Pick<CheckResultSummary, 'status' | 'skipReason' | 'error'>): string {
  switch (c.status) {
    case 'pass': return 'Passed: nothing breaks the policy.';
    case 'fail': return 'Failed: findings below break the policy.';
    case 'warn': return 'Needs a look: findings below are worth reviewing.';
    case 'skipped': return c.skipReason ? skipReasonInWords(c.skipReason) : 'Skipped.';
    case 'error': return `Could not run: ${c.error ?? 'an unexpected error'}. The other checks are unaffected; the next run tries again.`;
  }
}

export interface ClauseRef {
  key: string;
  number: string;
  summary: string;
  /** "Clause 6.1.5", or the section's own name when the policy does not number it. */
  label: string;
}

/** Resolves clause keys to the policy's own number and summary, with the council's renumbering if any. */
export function clauseResolver(profile?: PolicyProfile, overrides?: Record<string, string>): (key: string) => ClauseRef {
  return (key) => {
    const clause = profile?.clauses[key];
    const number = overrides?.[key] ?? clause?.number ?? key;
    const summary = clause?.summary ?? 'No clause of this policy covers this directly.';
    return { key, number, summary, label: /^\d/.test(number) ? `Clause ${number}` : number };
  };
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
