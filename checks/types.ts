// The contract between collect, the checks, compare and the reports. findings.json (DESIGN.md) is these
// types serialised; schemas/findings.schema.json validates it.
import type { CouncilConfig } from '../policy/council-config';
import type { PolicyProfile } from '../policy/profile';
import type { SnapshotPart, TenantSnapshot } from './snapshot';

export const CHECK_IDS = [
  'files.outside-sharepoint',
  'files.external-sharing',
  'mail.external-forwarding',
  'identity.mfa-registration',
  'identity.mfa-enforcement',
  'identity.password-policy',
  'mailbox.access-audit',
  'accounts.term-ended',
  'devices.compliance',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skipped' | 'error';
export type Severity = 'high' | 'medium' | 'low' | 'info';

/** Why a check (or part of one) did not run. `detail` names the licence or permission in words. */
export interface SkipReason {
  code: 'not-licensed' | 'missing-permission' | 'not-connected' | 'disabled-by-policy';
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

export interface EvaluationInput {
  snapshot: TenantSnapshot;
  council: CouncilConfig;
  profile: PolicyProfile;
  /** 'now' for the run, injected so evaluate() stays pure and testable. ISO UTC. */
  now: string;
}

export interface Check {
  id: CheckId;
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
  metrics?: { mfa?: { inScope: number; registered: number; enforced: number; registeredAndEnforced: number; neither: number } };
}
