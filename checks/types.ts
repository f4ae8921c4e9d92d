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
  /**
   * Snapshot parts evaluate() reads; collect fetches only these. The permissions and licences the reads
   * need follow from them (graph/permissions.ts, accessForParts), so a check states neither.
   */
  reads: SnapshotPart[];
  evaluate(input: EvaluationInput): CheckOutcome;
}
