// An action-log entry written once per surrender, action and target: a side effect resumed after a crash
// (between its log entry and saving that it was logged) is not logged twice.
import type { StepContext } from './types';

export type AuditEntry = Parameters<StepContext['audit']>[0];

/** Appends the entry unless this surrender already logged the same action on the same target. */
export async function auditOnce(ctx: StepContext, entry: AuditEntry): Promise<void> {
  const tag = `(surrender ${ctx.record.id})`;
  const logged = await ctx.store.listActions(ctx.record.request.tenantId);
  if (logged.some((a) => a.action === entry.action && a.target === entry.target && a.detail?.includes(tag))) return;
  await ctx.audit({ ...entry, detail: `${entry.detail ?? ''} ${tag}`.trim() });
}
