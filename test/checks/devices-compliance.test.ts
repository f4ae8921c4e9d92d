import { devicesCompliance as check } from '../../checks/catalogue/devices-compliance';
import type { ManagedDevice } from '../../core/snapshot';
import { UPN, failed, makeSnapshot, missingPermission, notLicensed, ok, run } from '../support/snapshot-factory';
import { accessForParts } from '../../graph/permissions';

const device = (d: Partial<ManagedDevice> & { id: string }): ManagedDevice => ({ deviceName: d.id.toUpperCase(), userPrincipalName: UPN.cllrA, operatingSystem: 'Windows', isEncrypted: true, complianceState: 'compliant', ...d });

describe('devices.compliance', () => {
  it('flags an unencrypted device as high and a non-compliant one as medium', () => {
    const outcome = run(check, makeSnapshot({ devices: ok([
      device({ id: 'd-plain', isEncrypted: false, complianceState: 'noncompliant' }),
      device({ id: 'd-nc', userPrincipalName: UPN.clerk.toUpperCase(), complianceState: 'noncompliant' }),
    ]) }));
    expect(outcome.status).toBe('fail');
    expect(outcome.findings.map((f) => [f.kind, f.key, f.severity]).sort()).toEqual([
      ['not-compliant', 'd-nc', 'medium'],
      ['not-compliant', 'd-plain', 'medium'],
      ['not-encrypted', 'd-plain', 'high'],
    ]);
    expect(outcome.findings.find((f) => f.kind === 'not-encrypted')).toMatchObject({ subject: { type: 'device', id: 'd-plain', name: 'D-PLAIN', userPrincipalName: UPN.cllrA }, clauses: ['devices.encryption'] });
  });

  it('treats a device still in its grace period as low, so the check only warns', () => {
    const outcome = run(check, makeSnapshot({ devices: ok([device({ id: 'd-grace', complianceState: 'inGracePeriod' })]) }));
    expect(outcome).toMatchObject({ status: 'warn', findings: [expect.objectContaining({ severity: 'low' })] });
  });

  it('ignores devices of people outside scope and devices without a user', () => {
    const outcome = run(check, makeSnapshot({ devices: ok([
      device({ id: 'd-vol', userPrincipalName: 'volunteer@exampleparish.gov.uk', isEncrypted: false }),
      device({ id: 'd-shared', userPrincipalName: '', isEncrypted: false }),
    ]) }));
    expect(outcome.status).toBe('pass');
  });

  it('does not require encryption when the council policy does not', () => {
    const outcome = run(check, makeSnapshot({ devices: ok([device({ id: 'd-plain', isEncrypted: false })]) }), { profile: { devicesMustBeEncrypted: false } });
    expect(outcome.status).toBe('pass');
  });

  it('is skipped as not licensed without Intune, never failed', () => {
    const outcome = run(check, makeSnapshot({ devices: notLicensed('Intune') }));
    expect(outcome).toMatchObject({ status: 'skipped', skipReason: { code: 'not-licensed', detail: expect.stringContaining('Intune') } });
    expect(accessForParts(check.reads).licences).toEqual(['Intune']);
  });

  it('is skipped with the permission named, and errors when the read failed', () => {
    expect(run(check, makeSnapshot({ devices: missingPermission('DeviceManagementManagedDevices.Read.All') })).skipReason).toMatchObject({ code: 'missing-permission' });
    expect(run(check, makeSnapshot({ devices: failed() })).status).toBe('error');
  });

  it('does not throw on odd device data', () => {
    const odd = [null, { id: 'd-odd', deviceName: '', userPrincipalName: null, isEncrypted: null, complianceState: null }, { id: 'd-odd2', deviceName: null, userPrincipalName: UPN.cllrB, isEncrypted: null, complianceState: null }] as unknown as ManagedDevice[];
    const outcome = run(check, makeSnapshot({ devices: ok(odd) }));
    expect(outcome.findings.map((f) => [f.kind, f.subject.name])).toEqual([['not-encrypted', 'd-odd2'], ['not-compliant', 'd-odd2']]);
    expect(outcome.findings[0].subject.userPrincipalName).toBe(UPN.cllrB);
  });
});
