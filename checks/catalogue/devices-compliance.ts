// devices.compliance: Intune-managed devices of people in scope must be encrypted and compliant.
//
//   not-encrypted  isEncrypted false, when the council's policy requires encryption → high
//   not-compliant  complianceState noncompliant / conflict / error → medium; inGracePeriod, unknown or
//                  anything else not 'compliant' → low (Intune has not judged it yet, or is giving time)
// Devices without a user, or of people outside scope, are not judged. Without Intune the check is skipped
// (not-licensed), never failed.
import type { Check, EvaluationInput } from '../types';
import type { CheckOutcome, FindingSubject, Severity } from '../../core/findings';
import type { ManagedDevice } from '../../core/snapshot';
import { OutcomeBuilder, requireParts } from '../outcome';
import { addressesOf, councillorMemberIds, peopleInScope, type PersonInScope } from '../scope';

const ID = 'devices.compliance' as const;
const CLAUSES = {
  'not-encrypted': ['devices.encryption'],
  'not-compliant': ['devices.encryption'],
};
const SERIOUS = new Set(['noncompliant', 'conflict', 'error']);

function deviceSubject(d: ManagedDevice, upn: string): FindingSubject {
  return { type: 'device', id: d.id, name: (d.deviceName ?? '').trim() || d.id, ...(upn ? { userPrincipalName: upn } : {}) };
}

function evaluate({ snapshot, council, profile }: EvaluationInput): CheckOutcome {
  const required = requireParts(snapshot, ['devices', 'users']);
  if ('outcome' in required) return required.outcome;
  const { devices, users } = required.data;
  const out = new OutcomeBuilder();
  out.optional(snapshot, 'councillorGroup', 'councillor-group');

  const byAddress = new Map<string, PersonInScope>();
  for (const p of peopleInScope(users, council, councillorMemberIds(snapshot))) for (const a of addressesOf(p.user)) byAddress.set(a, p);

  for (const d of devices ?? []) {
    if (!d?.id) continue;
    const upn = (d.userPrincipalName ?? '').trim().toLowerCase();
    const person = upn ? byAddress.get(upn) : undefined;
    if (!person) continue;
    const owner = person.user.displayName || upn;
    const subject = deviceSubject(d, person.user.userPrincipalName || upn);
    const os = (d.operatingSystem ?? '').trim();
    const what = `${owner}'s ${os ? `${os} ` : ''}device "${subject.name}"`;

    if (profile.devicesMustBeEncrypted && d.isEncrypted !== true) {
      out.add({
        checkId: ID,
        kind: 'not-encrypted',
        key: d.id,
        severity: 'high',
        subject,
        clauses: CLAUSES['not-encrypted'],
        summary: `${what} is not encrypted, so council data on it could be read if it were lost or stolen.`,
        evidence: { deviceName: d.deviceName, operatingSystem: os || null, isEncrypted: d.isEncrypted ?? null, complianceState: d.complianceState ?? null },
        remediation: `Turn on device encryption (BitLocker on Windows, FileVault on a Mac; phones and tablets encrypt once a PIN is set), or ask the IT supplier to push an Intune encryption policy to "${subject.name}".`,
      });
    }

    const state = (d.complianceState ?? '').trim().toLowerCase();
    if (state === 'compliant') continue;
    const severity: Severity = SERIOUS.has(state) ? 'medium' : 'low';
    out.add({
      checkId: ID,
      kind: 'not-compliant',
      key: d.id,
      severity,
      subject,
      clauses: CLAUSES['not-compliant'],
      summary: severity === 'medium'
        ? `${what} does not meet the council's device rules in Intune (state: ${d.complianceState}).`
        : `Intune has not yet confirmed that ${what} meets the council's device rules (state: ${d.complianceState || 'unknown'}).`,
      evidence: { deviceName: d.deviceName, operatingSystem: os || null, complianceState: d.complianceState ?? null, isEncrypted: d.isEncrypted ?? null },
      remediation: `Open the Company Portal app on "${subject.name}" and choose "Check status" to see what needs fixing, or ask the IT supplier to look the device up in Intune (Devices → All devices).`,
    });
  }
  return out.build();
}

export const devicesCompliance: Check = {
  id: ID,
  order: 90,
  title: 'Devices that are not encrypted or not compliant',
  clauses: CLAUSES,
  reads: ['users', 'councillorGroup', 'devices'],
  evaluate,
};
