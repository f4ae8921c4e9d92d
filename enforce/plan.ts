// Making a plan: from the council's latest audit, each remediation the council enabled turns its
// findings into actions, reading the current state of each target for `before`. The plan is saved in
// the store with its digest (the integrity check apply relies on) and returned for the supplier to read.
import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import { ALL_REMEDIATIONS } from './remediations';
import { planDigest, savePlan } from './plan-store';
import { EnforcementInputError } from '../core/errors';
import { REMEDIATIONS, type EnforceContext, type EnforcementPlan, type PlannedAction, type RemediationName } from './types';
import type { CouncilConfig } from '../policy/council-config';
import type { FindingsDocument } from '../core/findings';

export const DEFAULT_VALIDITY_HOURS = 72;

export function enabledRemediations(council: CouncilConfig): RemediationName[] {
  return REMEDIATIONS.filter((r) => council.enforce?.[r] === true);
}

export function newPlanId(now: string): string {
  return `P${DateTime.fromISO(now, { zone: 'utc' }).toFormat("yyyyMMdd'T'HHmmss'Z'")}-${randomBytes(3).toString('hex')}`;
}

/** `findings`: the run to plan from (the nightly audit, before its run is stored); default the latest stored run. */
export async function makePlan(ctx: EnforceContext & { createdBy: string; findings?: FindingsDocument }): Promise<EnforcementPlan> {
  const { council, store } = ctx;
  const now = ctx.clock().toISOString();
  const enabled = enabledRemediations(council);
  if (!enabled.length) {
    throw new EnforcementInputError(`${council.name} has no remediation enabled: set one or more of ${REMEDIATIONS.map((r) => `enforce.${r}`).join(', ')} to true in the council config (each is off by default).`);
  }
  const findings = ctx.findings ?? await store.latestRun(council.tenantId);
  if (!findings) throw new EnforcementInputError(`There is no audit of ${council.name} to plan from; run councilguard audit --config … first.`);

  const notes: string[] = [];
  const drafts: Omit<PlannedAction, 'id'>[] = [];
  for (const r of ALL_REMEDIATIONS.filter((x) => enabled.includes(x.name))) {
    drafts.push(...await r.plan({ ...ctx, findings }, notes));
  }
  const id = newPlanId(now);
  const hours = council.enforce.planValidityHours ?? DEFAULT_VALIDITY_HOURS;
  const body: Omit<EnforcementPlan, 'digest'> = {
    schemaVersion: 1,
    id,
    tenantId: council.tenantId,
    council: council.name,
    createdAt: now,
    validUntil: DateTime.fromISO(now, { zone: 'utc' }).plus({ hours }).toISO()!,
    createdBy: ctx.createdBy,
    basedOnRun: findings.generatedAt,
    actions: drafts.map((d, i) => ({ ...d, id: `${id}.${String(i + 1).padStart(2, '0')}` })),
    notes,
  };
  const plan: EnforcementPlan = { ...body, digest: planDigest(body) };
  // A plan with nothing to do is reported, not stored: there is nothing to approve.
  if (!plan.actions.length) return plan;
  await savePlan(store, plan);
  await store.appendAction({ tenantId: council.tenantId, actor: ctx.createdBy, action: 'plan.create', target: plan.id, result: 'done', detail: `${plan.actions.length} action(s) planned from the audit of ${findings.generatedAt}; valid until ${plan.validUntil}.` });
  return plan;
}

export function describePlan(plan: EnforcementPlan): string {
  const lines = [`Plan ${plan.id} for ${plan.council} (valid until ${plan.validUntil}), from the audit of ${plan.basedOnRun}:`];
  if (!plan.actions.length) lines.push('  Nothing to change.');
  for (const a of plan.actions) {
    lines.push(`  ${a.id}  [${a.remediation}] ${a.description}`);
    lines.push(`      clause ${a.clauses.join(', ') || '–'}; call: ${a.call.api === 'graph' ? `${a.call.method} ${a.call.version === 'beta' ? '/beta' : '/v1.0'}${a.call.path}` : `Exchange ${a.call.cmdlet}`}; undo: ${a.undo.description}`);
  }
  for (const n of plan.notes) lines.push(`  Note: ${n}`);
  return `${lines.join('\n')}\n`;
}
