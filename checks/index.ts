// The check catalogue, in the order of DESIGN.md.
import type { Check, CheckId } from './types';
import { filesOutsideSharePoint } from './files-outside-sharepoint';
import { filesExternalSharing } from './files-external-sharing';
import { mailExternalForwarding } from './mail-external-forwarding';
import { identityMfaRegistration } from './identity-mfa-registration';
import { identityMfaEnforcement } from './identity-mfa-enforcement';
import { identityPasswordPolicy } from './identity-password-policy';
import { mailboxAccessAudit } from './mailbox-access-audit';
import { accountsTermEnded } from './accounts-term-ended';
import { devicesCompliance } from './devices-compliance';
import { AUDIT_LOG_READ, EXCHANGE, RISKY_USERS_READ } from './permissions';

export const ALL_CHECKS: Check[] = [
  filesOutsideSharePoint,
  filesExternalSharing,
  mailExternalForwarding,
  identityMfaRegistration,
  identityMfaEnforcement,
  identityPasswordPolicy,
  mailboxAccessAudit,
  accountsTermEnded,
  devicesCompliance,
];

export function checkById(id: string): Check | undefined {
  return ALL_CHECKS.find((c) => c.id === id);
}

/**
 * Permissions in a check's `permissions` whose absence costs only part of the check (that part becomes a
 * partial skip) rather than the whole check. The grant script should still grant them; a pre-flight that
 * skips checks for missing permissions should only look at `requiredPermissions(check)`.
 */
export const OPTIONAL_PERMISSIONS: Partial<Record<CheckId, string[]>> = {
  'mail.external-forwarding': [EXCHANGE],
  // The P1 registration report; without it collect lists each user's methods instead.
  'identity.mfa-registration': [AUDIT_LOG_READ],
  'identity.password-policy': [RISKY_USERS_READ],
  // Sign-in logs (the sign-in-location part).
  'mailbox.access-audit': [AUDIT_LOG_READ],
};

/** The permissions without which the check cannot run at all. */
export function requiredPermissions(check: Check): string[] {
  const optional = new Set(OPTIONAL_PERMISSIONS[check.id] ?? []);
  return check.permissions.filter((p) => !optional.has(p));
}

/** Every permission the given checks declare, sorted and without repeats (for the grant script). */
export function permissionsFor(checks: readonly Check[]): string[] {
  return [...new Set(checks.flatMap((c) => c.permissions))].sort();
}

export { CHECK_IDS } from './types';
export type { Check, CheckId, CheckOutcome, EvaluationInput, FindingDraft } from './types';
