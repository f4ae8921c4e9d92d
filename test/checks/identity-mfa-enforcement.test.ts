import { identityMfaEnforcement as check } from '../../checks/catalogue/identity-mfa-enforcement';
import type { ConditionalAccessPolicy } from '../../core/snapshot';
import { GLOBAL_ADMIN_ROLE, IDS, failed, makeSnapshot, missingPermission, notLicensed, ok, run } from '../support/snapshot-factory';

const policy = (p: Partial<ConditionalAccessPolicy> & { id: string }): ConditionalAccessPolicy => ({
  displayName: p.id,
  state: 'enabled',
  conditions: { users: { includeUsers: ['All'] }, applications: { includeApplications: ['All'] } },
  grantControls: { operator: 'OR', builtInControls: ['mfa'] },
  ...p,
});
const users = (u: NonNullable<NonNullable<ConditionalAccessPolicy['conditions']>['users']>) => ({ users: u, applications: { includeApplications: ['All'] } });
const subjects = (o: { findings: { subject: { id: string } }[] }) => o.findings.map((f) => f.subject.id).sort();
const inScope = [IDS.clerk, IDS.rfo, IDS.cllrA, IDS.cllrB, IDS.admin].sort();

describe('identity.mfa-enforcement', () => {
  it('flags everyone in scope (admins high) when no mechanism requires MFA', () => {
    const outcome = run(check, makeSnapshot({ conditionalAccess: ok([]) }));
    expect(outcome.status).toBe('fail');
    expect(subjects(outcome)).toEqual(inScope);
    expect(outcome.findings.find((f) => f.subject.id === IDS.admin)?.severity).toBe('high');
    expect(outcome.findings.find((f) => f.subject.id === IDS.cllrA)?.severity).toBe('medium');
  });

  it('does not flag the break-glass account excluded from the MFA policy', () => {
    // The clean tenant's policy excludes break-glass; it passes.
    expect(run(check, makeSnapshot()).status).toBe('pass');
  });

  it('does not count a report-only policy, and says so', () => {
    const outcome = run(check, makeSnapshot({ conditionalAccess: ok([policy({ id: 'ca-report', displayName: 'MFA (report only)', state: 'enabledForReportingButNotEnforced' })]) }));
    expect(subjects(outcome)).toEqual(inScope);
    expect(outcome.findings[0].summary).toContain('only reports');
    expect(outcome.findings[0].evidence.reportOnlyPolicies).toEqual(['MFA (report only)']);
  });

  it('does not count a disabled policy, one without an MFA grant, or one for a single app', () => {
    const outcome = run(check, makeSnapshot({ conditionalAccess: ok([
      policy({ id: 'off', state: 'disabled' }),
      policy({ id: 'terms', grantControls: { operator: 'OR', builtInControls: ['compliantDevice'] } }),
      policy({ id: 'one-app', conditions: { users: { includeUsers: ['All'] }, applications: { includeApplications: ['00000003-0000-0ff1-ce00-000000000000'] } } }),
    ]) }));
    expect(subjects(outcome)).toEqual(inScope);
  });

  it('counts an authentication strength as requiring MFA', () => {
    const outcome = run(check, makeSnapshot({ conditionalAccess: ok([policy({ id: 'strength', grantControls: { builtInControls: [], authenticationStrength: { id: '00000000-0000-0000-0000-000000000002' } } })]) }));
    expect(outcome.status).toBe('pass');
  });

  it('credits policies by user id, councillor group and admin role, and honours exclusions', () => {
    const outcome = run(check, makeSnapshot({ conditionalAccess: ok([
      policy({ id: 'councillors', conditions: users({ includeGroups: [IDS.group], excludeUsers: [IDS.cllrB] }) }),
      policy({ id: 'admins', conditions: users({ includeRoles: [GLOBAL_ADMIN_ROLE] }) }),
      policy({ id: 'office', conditions: { users: { includeUsers: [IDS.clerk, IDS.rfo] }, applications: { includeApplications: ['Office365'] } } }),
    ]) }));
    expect(subjects(outcome)).toEqual([IDS.cllrB]);
    expect(outcome.findings[0].evidence.excludedBy).toEqual(['councillors']);
    expect(outcome.findings[0].summary).toContain('excluded from "councillors"');
  });

  it('names a policy aimed at a group it cannot expand, for the IT supplier to confirm', () => {
    const outcome = run(check, makeSnapshot({ conditionalAccess: ok([policy({ id: 'staff-group', displayName: 'Staff MFA', conditions: users({ includeGroups: ['some-other-group'] }) })]) }));
    expect(outcome.findings.find((f) => f.subject.id === IDS.clerk)?.evidence.policiesTargetingOtherGroups).toEqual(['Staff MFA']);
  });

  it('treats security defaults as covering everyone', () => {
    const outcome = run(check, makeSnapshot({ securityDefaults: ok({ isEnabled: true }), conditionalAccess: notLicensed('Entra ID P1'), perUserMfa: ok({}) }));
    expect(outcome).toEqual({ status: 'pass', findings: [] });
  });

  it('credits per-user MFA enforced or enabled, without Conditional Access', () => {
    const perUser = { [IDS.clerk]: 'enforced', [IDS.rfo]: 'enabled', [IDS.cllrA]: 'enforced', [IDS.cllrB]: 'disabled', [IDS.admin]: 'enforced' };
    const outcome = run(check, makeSnapshot({ conditionalAccess: notLicensed('Entra ID P1'), perUserMfa: ok(perUser) }));
    expect(subjects(outcome)).toEqual([IDS.cllrB]);
    expect(outcome.partialSkips).toEqual([{ part: 'conditional-access', reason: expect.objectContaining({ code: 'not-licensed' }) }]);
    expect(outcome.findings[0].remediation).toMatch(/security defaults/);
  });

  it('is skipped only when no mechanism can be read, with the most actionable reason', () => {
    const outcome = run(check, makeSnapshot({ conditionalAccess: notLicensed('Entra ID P1'), securityDefaults: missingPermission('Policy.Read.All'), perUserMfa: missingPermission('Policy.Read.All') }));
    expect(outcome).toMatchObject({ status: 'skipped', skipReason: { code: 'missing-permission' } });
    expect(run(check, makeSnapshot({ conditionalAccess: notLicensed('Entra ID P1'), securityDefaults: notLicensed('x'), perUserMfa: notLicensed('y') })).skipReason?.code).toBe('not-licensed');
  });

  it('is an error when a mechanism read failed', () => {
    expect(run(check, makeSnapshot({ conditionalAccess: failed() })).status).toBe('error');
    expect(run(check, makeSnapshot({ conditionalAccess: failed(), securityDefaults: failed(), perUserMfa: failed() })).status).toBe('error');
  });

  it('does not throw on policies with missing pieces', () => {
    const odd = [{ id: 'odd', displayName: 'odd', state: 'enabled', conditions: null, grantControls: null }, { id: 'odd2', displayName: '', state: 'enabled', conditions: { users: null, applications: null }, grantControls: { builtInControls: ['mfa'] } }] as ConditionalAccessPolicy[];
    expect(() => run(check, makeSnapshot({ conditionalAccess: ok(odd) }))).not.toThrow();
  });
});
