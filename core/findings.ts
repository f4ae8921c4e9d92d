// The findings contract between collect, the checks, compare, the reports and enforcement.
// findings.json (docs/ARCHITECTURE.md) is FindingsDocument serialised; schemas/findings.schema.json validates it.
/** A check's id, such as 'mail.external-forwarding'. The catalogue (checks/) is the list of them. */
export type CheckId = string;

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skipped' | 'error';
export type Severity = 'high' | 'medium' | 'low' | 'info';

/** Why a check (or part of one) did not run. `detail` names the licence or permission in words. */
export interface SkipReason {
  /** `incomplete-results`: Microsoft 365 returned only part of the data (a truncated audit query). */
  code: 'not-licensed' | 'missing-permission' | 'not-connected' | 'disabled-by-policy' | 'incomplete-results';
  detail: string;
}

export interface FindingSubject {
  type: 'user' | 'mailbox' | 'file' | 'site' | 'tenant' | 'device';
  id: string;
  name: string;
  userPrincipalName?: string;
}

/** What a check emits. compare/ turns it into a Finding (stable id, state, first/last seen). */
export interface FindingDraft {
  checkId: CheckId;
  /** The finding kind within the check, e.g. 'inbox-rule' or 'mailbox-forwarding'. Part of the stable id. */
  kind: string;
  /** Distinguishes two findings of one kind on one subject (a rule id, an item id). Part of the stable id. */
  key: string;
  severity: Severity;
  subject: FindingSubject;
  /** Profile-independent clause keys; the profile maps them to the policy's own numbers. */
  clauses: string[];
  summary: string;
  evidence: Record<string, unknown>;
  remediation: string;
}

export interface Finding extends Omit<FindingDraft, 'kind' | 'key'> {
  id: string;
  kind: string;
  state: 'new' | 'persisting';
  firstSeen: string;
  lastSeen: string;
}

export interface ResolvedFinding {
  id: string;
  checkId: CheckId;
  subject: FindingSubject;
  resolvedAt: string;
}

export interface CheckOutcome {
  status: CheckStatus;
  skipReason?: SkipReason;
  error?: string;
  /** Parts of a check that could not run while the rest did (e.g. mailbox forwarding without Exchange). */
  partialSkips?: { part: string; reason: SkipReason }[];
  findings: FindingDraft[];
}

export interface CheckResultSummary {
  id: CheckId;
  title: string;
  status: CheckStatus;
  skipReason?: SkipReason;
  error?: string;
  partialSkips?: { part: string; reason: SkipReason }[];
  clauses: string[];
}



export interface FindingsDocument {
  schemaVersion: 1;
  tool: { name: string; version: string };
  council: string;
  tenantId: string;
  generatedAt: string;
  policy: { id: string; version: string };
  checks: CheckResultSummary[];
  findings: Finding[];
  resolved: ResolvedFinding[];
  /** Optional figures for the report's charts (added after the first contract; readers must cope without). */
  /**
   * Why the run is not a real audit, when it is not (no check could run): the report and summary open
   * with it and the run counts as incomplete. Added after the first contract; readers must cope without.
   */
  notice?: string;
  metrics?: { mfa?: { inScope: number; registered: number; enforced: number; registeredAndEnforced: number; neither: number } };
}
