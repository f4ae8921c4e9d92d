// What every remediation needs: the findings of one kind, the policy's clause numbers for them, and the
// accounts enforcement never touches.
import { resolveClause } from '../../policy/load';
import type { Finding } from '../../core/findings';
import type { PlanningInput, TargetState } from '../types';

export function findingsOf(input: PlanningInput, checkId: string, kinds: string[]): Finding[] {
  return input.findings.findings.filter((f) => f.checkId === checkId && kinds.includes(f.kind));
}

/** The council policy's own numbers for a finding's clause keys ("19.2", "4.1.4"). */
export function clauseNumbers(input: PlanningInput, findings: Finding[]): string[] {
  const keys = [...new Set(findings.flatMap((f) => f.clauses))];
  return keys.map((k) => resolveClause(input.profile, input.council, k).number);
}

export function isBreakGlass(input: PlanningInput, upn: string | undefined): boolean {
  const lower = (upn ?? '').trim().toLowerCase();
  return !!lower && input.council.breakGlass.some((b) => b.trim().toLowerCase() === lower);
}

/** Only the fields named in `shape`, so a state compares equal to before/after regardless of extras. */
export function pick(state: Record<string, unknown>, keys: string[]): TargetState {
  return Object.fromEntries(keys.map((k) => [k, state[k] ?? null]));
}

export const ENC = encodeURIComponent;
