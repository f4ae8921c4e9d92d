// Figures for the report's MFA coverage chart, derived from the two MFA checks' results rather than
// computed a second time: a person in scope is "registered" unless identity.mfa-registration found
// them unregistered, and "enforced" unless identity.mfa-enforcement found MFA not required.
import type { CheckResultSummary, FindingDraft } from '../core/findings';
import type { TenantSnapshot } from '../core/snapshot';
import type { CouncilConfig } from '../policy/council-config';
import { enabledMembers, peopleInScope } from '../checks/scope';

export interface MfaCoverage {
  inScope: number;
  registered: number;
  enforced: number;
  registeredAndEnforced: number;
  neither: number;
}

export function mfaCoverage(snapshot: TenantSnapshot, council: CouncilConfig, checks: CheckResultSummary[], drafts: FindingDraft[]): MfaCoverage | undefined {
  const ran = (id: string) => ['pass', 'fail', 'warn'].includes(checks.find((c) => c.id === id)?.status ?? '');
  if (!ran('identity.mfa-registration') || !ran('identity.mfa-enforcement') || snapshot.users?.status !== 'ok') return undefined;
  const members = snapshot.councillorGroup?.status === 'ok' ? snapshot.councillorGroup.data.memberIds : [];
  // Break-glass accounts are excluded from MFA on purpose; they are not part of the coverage figure.
  const people = enabledMembers(peopleInScope(snapshot.users.data, council, members)).filter((p) => !p.isBreakGlass);
  const flagged = (checkId: string) => new Set(drafts.filter((d) => d.checkId === checkId && d.subject.type === 'user').map((d) => d.subject.id));
  const unregistered = flagged('identity.mfa-registration');
  const unenforced = flagged('identity.mfa-enforcement');
  let registered = 0, enforced = 0, both = 0, neither = 0;
  for (const p of people) {
    const r = !unregistered.has(p.user.id);
    const e = !unenforced.has(p.user.id);
    if (r) registered++;
    if (e) enforced++;
    if (r && e) both++;
    if (!r && !e) neither++;
  }
  return { inScope: people.length, registered, enforced, registeredAndEnforced: both, neither };
}
