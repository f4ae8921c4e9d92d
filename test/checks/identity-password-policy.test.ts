import { identityPasswordPolicy as check } from '../../checks/catalogue/identity-password-policy';
import type { SnapshotDomain, SnapshotUser } from '../../core/snapshot';
import { IDS, baseUsers, failed, makeSnapshot, missingPermission, notLicensed, ok, run } from '../support/snapshot-factory';

const domains = (govUkDays: number | null): SnapshotDomain[] => [
  { id: 'exampleparish.gov.uk', isVerified: true, isDefault: true, passwordValidityPeriodInDays: govUkDays },
  { id: 'exampleparish.onmicrosoft.com', isVerified: true, isDefault: false, passwordValidityPeriodInDays: 2147483647 },
];
const editUsers = (edit: (u: SnapshotUser) => SnapshotUser) => ok(baseUsers().map(edit));
const regular = { passwords: { rule: 'regular' as const, maxAgeDays: 90, explanation: 'The policy asks for regular changes.' } };

describe('identity.password-policy', () => {
  describe('NCSC profile', () => {
    it('flags a domain whose passwords expire, quoting the policy explanation', () => {
      const outcome = run(check, makeSnapshot({ domains: ok(domains(90)) }));
      expect(outcome.status).toBe('warn');
      expect(outcome.findings).toEqual([expect.objectContaining({ kind: 'password-expiry', severity: 'low', key: 'exampleparish.gov.uk', subject: expect.objectContaining({ type: 'tenant' }), clauses: ['identity.passwords'] })]);
      expect(outcome.findings[0].summary).toContain('NCSC advises');
      expect(outcome.findings[0].evidence.affected).toHaveLength(4);
    });

    it('treats a null validity as Microsoft\'s 90-day default', () => {
      expect(run(check, makeSnapshot({ domains: ok(domains(null)) })).findings[0].evidence).toMatchObject({ effectiveDays: 90 });
    });

    it('is content when every affected account has DisablePasswordExpiration', () => {
      const users = editUsers((u) => ({ ...u, passwordPolicies: 'DisablePasswordExpiration' }));
      expect(run(check, makeSnapshot({ domains: ok(domains(90)), users })).status).toBe('pass');
    });

    it('does not complain about old passwords', () => {
      const users = editUsers((u) => ({ ...u, lastPasswordChangeDateTime: '2019-01-01T00:00:00Z' }));
      expect(run(check, makeSnapshot({ users })).status).toBe('pass');
    });
  });

  describe('regular profile', () => {
    it('flags never-expiring domains and accounts, and passwords older than the maximum age', () => {
      const users = editUsers((u) => (u.id === IDS.cllrA ? { ...u, lastPasswordChangeDateTime: '2025-01-02T00:00:00Z' } : u.id === IDS.clerk ? { ...u, passwordPolicies: 'DisablePasswordExpiration' } : u));
      const outcome = run(check, makeSnapshot({ users }), { profile: regular });
      const found = outcome.findings.map((f) => [f.kind, f.subject.id]).sort();
      expect(found).toEqual([
        ['password-age', IDS.cllrA],
        ['password-expiry-policy', 'exampleparish.gov.uk'],
        ['password-expiry-policy', 'exampleparish.onmicrosoft.com'],
        ['password-never-expires', IDS.clerk],
      ].sort());
      expect(outcome.findings.every((f) => f.severity === 'low')).toBe(true);
      expect(outcome.findings.find((f) => f.kind === 'password-age')?.summary).toContain('2 January 2025');
    });

    it('leaves break-glass out of expiry and age findings', () => {
      const users = editUsers((u) => (u.id === IDS.breakGlass ? { ...u, lastPasswordChangeDateTime: '2020-01-01T00:00:00Z' } : u));
      const outcome = run(check, makeSnapshot({ users, domains: ok(domains(60).map((d) => ({ ...d, passwordValidityPeriodInDays: 60 }))) }), { profile: regular });
      expect(outcome.findings.filter((f) => f.subject.id === IDS.breakGlass)).toEqual([]);
    });
  });

  it('flags any enabled account allowed a weak password as high', () => {
    const users = editUsers((u) => (u.id === IDS.volunteer ? { ...u, passwordPolicies: 'DisablePasswordExpiration, DisableStrongPassword' } : u));
    const outcome = run(check, makeSnapshot({ users }));
    expect(outcome.status).toBe('fail');
    expect(outcome.findings).toEqual([expect.objectContaining({ kind: 'weak-password-allowed', severity: 'high', subject: expect.objectContaining({ id: IDS.volunteer }) })]);
  });

  it('flags risky users at risk or confirmed compromised, citing the compromise clause', () => {
    const outcome = run(check, makeSnapshot({ riskyUsers: ok([
      { id: IDS.cllrA, userPrincipalName: 'cllr.a@exampleparish.gov.uk', riskState: 'atRisk', riskDetail: 'none', riskLevel: 'high' },
      { id: 'gone-user', userPrincipalName: 'left@exampleparish.gov.uk', riskState: 'confirmedCompromised', riskDetail: 'adminConfirmedUserCompromised', riskLevel: 'high' },
      { id: IDS.cllrB, userPrincipalName: 'cllr.b@exampleparish.gov.uk', riskState: 'remediated', riskDetail: 'userPerformedSecuredPasswordChange', riskLevel: 'none' },
      { id: IDS.rfo, riskState: 'dismissed', riskDetail: 'adminDismissedAllRiskForUser', riskLevel: 'none' },
    ]) }));
    expect(outcome.findings.map((f) => [f.kind, f.subject.id, f.severity]).sort()).toEqual([
      ['password-compromise', IDS.cllrA, 'high'],
      ['password-compromise', 'gone-user', 'high'],
    ]);
    expect(outcome.findings[0].clauses).toEqual(['identity.password-compromise']);
  });

  it('treats missing P2 as a partial skip, not a skipped check', () => {
    const outcome = run(check, makeSnapshot({ riskyUsers: notLicensed('Entra ID P2'), domains: ok(domains(90)) }));
    expect(outcome.status).toBe('warn');
    expect(outcome.partialSkips).toEqual([{ part: 'password-compromise', reason: expect.objectContaining({ code: 'not-licensed', detail: expect.stringContaining('P2') }) }]);
  });

  it('skips only the expiry part when domains cannot be read', () => {
    const outcome = run(check, makeSnapshot({ domains: missingPermission('Domain.Read.All') }));
    expect(outcome).toMatchObject({ status: 'pass', partialSkips: [{ part: 'password-expiry', reason: { code: 'missing-permission' } }] });
  });

  it('is skipped without users and errors when risky users failed to read', () => {
    expect(run(check, makeSnapshot({ users: missingPermission('User.Read.All') }))).toMatchObject({ status: 'skipped', skipReason: { code: 'missing-permission' } });
    expect(run(check, makeSnapshot({ riskyUsers: failed() })).status).toBe('error');
  });

  it('does not throw on users without a UPN or password dates', () => {
    const users = ok([...baseUsers(), { ...baseUsers()[0], id: 'u-odd', userPrincipalName: '', mail: null, passwordPolicies: 'DisableStrongPassword', lastPasswordChangeDateTime: null }]);
    expect(() => run(check, makeSnapshot({ users }), { profile: regular })).not.toThrow();
  });
});
