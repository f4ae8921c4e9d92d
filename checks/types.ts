// What a check is: a pure function from a tenant snapshot (and the council's config and policy) to an
// outcome. The findings types it returns live on the ground floor (core/findings.ts).
import type { CouncilConfig } from '../policy/council-config';
import type { PolicyProfile } from '../policy/profile';
import type { SnapshotPart, TenantSnapshot } from '../core/snapshot';
import type { CheckId, CheckOutcome } from '../core/findings';

export interface EvaluationInput {
  snapshot: TenantSnapshot;
  council: CouncilConfig;
  profile: PolicyProfile;
  /** 'now' for the run, injected so evaluate() stays pure and testable. ISO UTC. */
  now: string;
}

export interface Check {
  id: CheckId;
  /** Where the check stands in reports and the catalogue (ascending; the nine shipped use 10 to 90). */
  order: number;
  title: string;
  /** Clause keys each finding kind cites. */
  clauses: Record<string, string[]>;
  /** Snapshot parts evaluate() reads; collect fetches only these. */
  reads: SnapshotPart[];
  /** Least-privileged application permissions the reads need (Graph names, or 'Exchange.ManageAsApp'). */
  permissions: string[];
  /** Licences without which the check is skipped (not failed); see graph/licences. */
  licences: string[];
  evaluate(input: EvaluationInput): CheckOutcome;
}
