// Enforcement's data: a plan is a list of planned actions, each turning one or more findings back to the
// council's policy with one exact Graph or Exchange call, the state before, the state expected after, and
// the call that puts it back. Plans are data so the IT supplier can read exactly what will happen before
// approving, and so apply can refuse anything that differs from what was approved.
import type { FindingsDocument } from '../core/findings';
import type { CouncilContext } from '../context/council-context';

export const REMEDIATIONS = ['forwarding', 'mfa', 'passwords', 'sharing'] as const;
export type RemediationName = (typeof REMEDIATIONS)[number];

/** The exact request an action makes: a Graph call, or an Exchange admin cmdlet. */
export type ActionCall =
  | { api: 'graph'; method: 'POST' | 'PATCH' | 'DELETE'; path: string; version?: 'v1.0' | 'beta'; body?: unknown }
  | { api: 'exchange'; cmdlet: string; parameters: Record<string, unknown>; anchorMailbox?: string };

/** The part of a target's state an action changes, as read from the tenant (plain JSON). */
export type TargetState = Record<string, unknown>;

export interface ActionTarget {
  type: 'user' | 'mailbox' | 'tenant' | 'domain' | 'file' | 'policy';
  id: string;
  /** What a person reads: a name, an address, a file path. */
  name: string;
  /** The account the action touches, when it touches one (break-glass and approver checks). */
  userPrincipalName?: string;
}

export interface PlannedAction {
  /** `<plan id>.<n>`: what `councilguard undo --action` takes. */
  id: string;
  remediation: RemediationName;
  /** Which executor reads and changes the target (enforce/remediations/*). */
  kind: string;
  findingIds: string[];
  /** The council policy's own clause numbers, e.g. "19.2". */
  clauses: string[];
  target: ActionTarget;
  /** One sentence for the IT supplier. */
  description: string;
  call: ActionCall;
  /** The target's state when the plan was made; apply skips the action if it is no longer so. */
  before: TargetState;
  /** The state the call leaves; an action already in it is not repeated. */
  after: TargetState;
  undo: { description: string; call: ActionCall };
  /** Everything worth keeping about the target before the change (a whole inbox rule, a link's details). */
  record?: unknown;
}

export interface EnforcementPlan {
  schemaVersion: 1;
  id: string;
  tenantId: string;
  council: string;
  createdAt: string;
  validUntil: string;
  createdBy: string;
  /** generatedAt of the audit run the plan was made from. */
  basedOnRun: string;
  actions: PlannedAction[];
  /** What was deliberately not planned, and why (break-glass accounts, parts not connected). */
  notes: string[];
  /** SHA-256 of the plan's canonical JSON without this field; the store keeps the same digest. */
  digest: string;
}

export type ActionResultStatus = 'done' | 'already-done' | 'skipped' | 'failed';

export interface ActionResult {
  actionId: string;
  status: ActionResultStatus;
  reason?: string;
  before?: TargetState;
  after?: TargetState;
  /** Anything the call returned that undo needs (e.g. the id of a created policy or link). */
  created?: Record<string, unknown>;
  at: string;
}

export interface PlanStatus {
  planId: string;
  tenantId: string;
  digest: string;
  state: 'awaiting-approval' | 'approved' | 'applied';
  approvedBy?: string;
  approvedAt?: string;
  /** Actions the approver left out (unticked on the plan page): never applied from this plan. */
  deselected?: { actionIds: string[]; by: string; at: string };
  results: Record<string, ActionResult>;
  undone: Record<string, { at: string; by: string }>;
}

/** What planning, applying and undoing need of the council context. */
export type EnforceContext = Pick<CouncilContext, 'council' | 'profile' | 'graph' | 'store' | 'log' | 'clock'>;

export interface PlanningInput extends EnforceContext {
  findings: FindingsDocument;
}

/** A remediation turns findings into actions; the kinds it plans are executed by its executors. */
export interface Remediation {
  name: RemediationName;
  title: string;
  /** Application permissions its actions need (the permission manifest lists them). */
  permissions: string[];
  plan(input: PlanningInput, notes: string[]): Promise<Omit<PlannedAction, 'id'>[]>;
  executors: Record<string, ActionExecutor>;
}

export interface ActionExecutor {
  /** The target's current state in the shape of before/after; undefined when the target no longer exists. */
  read(ctx: EnforceContext, action: PlannedAction): Promise<TargetState | undefined>;
  /** Reads the state after an undo, when it is not found the way read finds it (a re-created link). */
  readAfterUndo?(ctx: EnforceContext, action: PlannedAction): Promise<TargetState | undefined>;
}

