import { identityMfaRegistration as check } from '../../checks/catalogue/identity-mfa-registration';
import type { MfaRegistration } from '../../core/snapshot';
import { IDS, baseUsers, failed, makeSnapshot, makeUser, missingPermission, ok, run } from '../support/snapshot-factory';

const registered = (id: string, yes: boolean, source: MfaRegistration['source'] = 'report'): MfaRegistration =>
  ({ userId: id, isMfaRegistered: yes, methodsRegistered: yes ? ['microsoftAuthenticatorPush'] : [], source });

function withRegistration(overrides: Record<string, MfaRegistration | undefined>) {
  const base = makeSnapshot();
  const data = { ...(base.mfaRegistration as { status: 'ok'; data: Record<string, MfaRegistration> }).data };
  for (const [id, r] of Object.entries(overrides)) {
    if (r) data[id] = r;
    else delete data[id];
  }
  return makeSnapshot({ mfaRegistration: ok(data) });
}

describe('identity.mfa-registration', () => {
  it('flags a councillor without MFA as medium and an admin as high', () => {
    const outcome = run(check, withRegistration({ [IDS.cllrA]: registered(IDS.cllrA, false), [IDS.admin]: registered(IDS.admin, false, 'methods') }));
    expect(outcome.status).toBe('fail');
    const bySubject = Object.fromEntries(outcome.findings.map((f) => [f.subject.id, f]));
    expect(bySubject[IDS.cllrA]).toMatchObject({ severity: 'medium', kind: 'not-registered', clauses: ['identity.mfa'] });
    expect(bySubject[IDS.admin]).toMatchObject({ severity: 'high', clauses: ['identity.mfa', 'identity.admin-credentials'] });
    expect(bySubject[IDS.admin].evidence).toMatchObject({ source: 'methods' });
  });

  it('treats a person missing from the registration data as not registered', () => {
    const outcome = run(check, withRegistration({ [IDS.rfo]: undefined }));
    expect(outcome.findings).toEqual([expect.objectContaining({ subject: expect.objectContaining({ id: IDS.rfo }), evidence: expect.objectContaining({ recorded: false }) })]);
  });

  it('leaves out guests, disabled accounts and people outside scope', () => {
    const users = baseUsers().map((u) => (u.id === IDS.cllrB ? { ...u, accountEnabled: false } : u));
    const snapshot = withRegistration({ [IDS.cllrB]: registered(IDS.cllrB, false), [IDS.guest]: registered(IDS.guest, false), [IDS.volunteer]: registered(IDS.volunteer, false) });
    expect(run(check, { ...snapshot, users: ok(users) }).status).toBe('pass');
  });

  it('lowers non-admin findings to low when the council policy does not require MFA', () => {
    const outcome = run(check, withRegistration({ [IDS.cllrA]: registered(IDS.cllrA, false), [IDS.admin]: registered(IDS.admin, false) }), { profile: { mfaRequired: false } });
    expect(outcome.findings.map((f) => [f.subject.id, f.severity]).sort()).toEqual([[IDS.cllrA, 'low'], [IDS.admin, 'high']].sort());
  });

  it('is skipped with the permission named, and errors when the read failed', () => {
    expect(run(check, makeSnapshot({ mfaRegistration: missingPermission('UserAuthenticationMethod.Read.All') }))).toMatchObject({ status: 'skipped', skipReason: { code: 'missing-permission', detail: expect.stringContaining('UserAuthenticationMethod.Read.All') } });
    expect(run(check, makeSnapshot({ mfaRegistration: failed() })).status).toBe('error');
  });

  it('does not throw on a user without a UPN', () => {
    const users = [...baseUsers(), makeUser({ id: 'u-no-upn', userPrincipalName: '', displayName: 'No UPN' })];
    const snapshot = makeSnapshot({ users: ok(users), councillorGroup: ok({ id: IDS.group, displayName: 'Councillors', memberIds: [IDS.cllrA, IDS.cllrB, 'u-no-upn'] }) });
    const outcome = run(check, snapshot);
    expect(outcome.findings).toEqual([expect.objectContaining({ subject: { type: 'user', id: 'u-no-upn', name: 'No UPN' } })]);
  });
});
