import { accountsTermEnded as check } from '../../checks/catalogue/accounts-term-ended';
import type { SurrenderState } from '../../core/snapshot';
import { IDS, UPN, baseUsers, failed, makeSnapshot, missingPermission, ok, run } from '../support/snapshot-factory';

const endedRoster = (termEnd: string) => ({
  roster: [
    { userPrincipalName: UPN.cllrA, termStart: '2021-05-06', termEnd },
    { userPrincipalName: UPN.cllrB, termStart: '2023-05-04', termEnd: '2027-05-06' },
  ],
});
const surrenders = (status: SurrenderState['status']) => ok<SurrenderState[]>([{ userPrincipalName: UPN.cllrA, status }, { userPrincipalName: UPN.cllrB, status: 'none' }]);
const disabledA = ok(baseUsers().map((u) => (u.id === IDS.cllrA ? { ...u, accountEnabled: false } : u)));

describe('accounts.term-ended', () => {
  it('flags a councillor past term end whose account still works, naming the offboard command and page', () => {
    const outcome = run(check, makeSnapshot(), { council: endedRoster('2025-05-08') });
    expect(outcome.status).toBe('fail');
    expect(outcome.findings).toEqual([expect.objectContaining({ kind: 'term-ended', severity: 'high', key: UPN.cllrA, subject: expect.objectContaining({ id: IDS.cllrA }), clauses: ['accounts.surrender'] })]);
    const f = outcome.findings[0];
    expect(f.remediation).toContain(`councilguard offboard --config <file> --user ${UPN.cllrA} --term-end 2025-05-08`);
    expect(f.remediation).toContain('/api/offboarding');
    expect(f.summary).toContain('8 May 2025');
    expect(f.evidence).toMatchObject({ accountEnabled: true, surrenderStatus: 'none' });
  });

  it('counts the end date in Europe/London: not ended on the day itself, ended from the next London midnight', () => {
    // 23:30 UTC on 8 May is 00:30 on 9 May in London (BST).
    expect(run(check, makeSnapshot(), { council: endedRoster('2025-05-08'), now: '2025-05-08T22:30:00Z' }).status).toBe('pass');
    expect(run(check, makeSnapshot(), { council: endedRoster('2025-05-08'), now: '2025-05-08T23:30:00Z' }).status).toBe('fail');
  });

  it('is satisfied once the account is disabled and the surrender is done', () => {
    expect(run(check, makeSnapshot({ users: disabledA, surrenders: surrenders('done') }), { council: endedRoster('2025-05-08') }).status).toBe('pass');
  });

  it('still flags a disabled account whose surrender has not finished', () => {
    const outcome = run(check, makeSnapshot({ users: disabledA, surrenders: surrenders('running') }), { council: endedRoster('2025-05-08') });
    expect(outcome.findings[0]).toMatchObject({ severity: 'high', evidence: { accountEnabled: false, surrenderStatus: 'running' } });
    expect(outcome.findings[0].summary).toContain('started but not finished');
  });

  it('reports a rostered councillor with no account as medium', () => {
    const outcome = run(check, makeSnapshot(), { council: { roster: [{ userPrincipalName: 'cllr.typo@exampleparish.gov.uk', termStart: '2023-05-04', termEnd: '2027-05-06' }] } });
    expect(outcome.findings).toEqual([expect.objectContaining({ kind: 'no-account', severity: 'medium', key: 'cllr.typo@exampleparish.gov.uk' })]);
  });

  it('accepts a deleted account after a completed surrender', () => {
    const users = ok(baseUsers().filter((u) => u.id !== IDS.cllrA));
    expect(run(check, makeSnapshot({ users, surrenders: surrenders('done') }), { council: endedRoster('2025-05-08') }).status).toBe('pass');
    expect(run(check, makeSnapshot({ users, surrenders: surrenders('none') }), { council: endedRoster('2025-05-08') }).findings[0]).toMatchObject({ kind: 'no-account' });
  });

  it('judges enabled accounts alone when surrender records are unavailable', () => {
    const outcome = run(check, makeSnapshot({ surrenders: missingPermission('store') }), { council: endedRoster('2025-05-08') });
    expect(outcome.findings[0].evidence).toMatchObject({ surrenderStatus: 'unknown' });
    expect(outcome.partialSkips?.[0].part).toBe('surrender-status');
    expect(run(check, makeSnapshot({ surrenders: missingPermission('store'), users: disabledA }), { council: endedRoster('2025-05-08') }).status).toBe('pass');
  });

  it('errors when the surrender records failed to read, and skips without users', () => {
    expect(run(check, makeSnapshot({ surrenders: failed('table unavailable') })).status).toBe('error');
    expect(run(check, makeSnapshot({ users: missingPermission('User.Read.All') })).status).toBe('skipped');
  });

  it('ignores roster entries without a UPN or with a malformed end date', () => {
    const roster = [{ userPrincipalName: '', termStart: '', termEnd: '2020-01-01' }, { userPrincipalName: UPN.cllrA, termStart: '', termEnd: 'soon' }];
    expect(run(check, makeSnapshot(), { council: { roster } }).status).toBe('pass');
  });
});
