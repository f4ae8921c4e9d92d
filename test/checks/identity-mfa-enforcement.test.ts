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

  it('counts an authentication strength whose every combination needs a second factor as requiring MFA', () => {
    const outcome = run(check, makeSnapshot({ conditionalAccess: ok([policy({ id: 'strength', grantControls: { builtInControls: [], authenticationStrength: { id: '00000000-0000-0000-0000-000000000002', displayName: 'Multifactor authentication', allowedCombinations: ['password,microsoftAuthenticatorPush', 'password,sms', 'fido2', 'windowsHelloForBusiness', 'x509CertificateMultiFactor'] } } })]) }));
    expect(outcome.status).toBe('pass');
  });

  it('does not count a strength that a password alone (or SMS sign-in) satisfies, nor one it could not read', () => {
    const weak = run(check, makeSnapshot({ conditionalAccess: ok([policy({ id: 'weak', displayName: 'Weak strength', grantControls: { builtInControls: [], authenticationStrength: { id: 's1', displayName: 'Password or passkey', allowedCombinations: ['password', 'fido2'] } } })]) }));
    expect(subjects(weak)).toEqual(inScope);
    expect(weak.findings[0].summary).toMatch(/only partly covered: "Weak strength" its authentication strength "Password or passkey" is satisfied by a single factor \(password\)/);
    const unknown = run(check, makeSnapshot({ conditionalAccess: ok([policy({ id: 'unknown', grantControls: { builtInControls: [], authenticationStrength: { id: 's2' } } })]) }));
    expect(subjects(unknown)).toEqual(inScope);
  });

  it('credits policies by user id, councillor group and admin role, and honours exclusions', () => {
    const outcome = run(check, makeSnapshot({ conditionalAccess: ok([
      policy({ id: 'councillors', conditions: users({ includeGroups: [IDS.group], excludeUsers: [IDS.cllrB] }) }),
      policy({ id: 'admins', conditions: users({ includeRoles: [GLOBAL_ADMIN_ROLE] }) }),
      policy({ id: 'office', conditions: { users: { includeUsers: [IDS.clerk, IDS.rfo] }, applications: { includeApplications: ['Office365'] } } }),
    ]) }));
    // Office 365 alone is not all cloud apps: the clerk and RFO are only partly covered.
    expect(subjects(outcome)).toEqual([IDS.cllrB, IDS.clerk, IDS.rfo].sort());
    const cllrB = outcome.findings.find((f) => f.subject.id === IDS.cllrB)!;
    expect(cllrB.evidence.excludedBy).toEqual(['councillors']);
    expect(cllrB.summary).toContain('excluded from "councillors"');
    expect(outcome.findings.find((f) => f.subject.id === IDS.clerk)!.evidence.partialCoverage).toEqual([{ policy: 'office', conditions: ['targets Office 365 only, not all cloud apps'] }]);
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

  describe('membership as Entra resolves it (Graph-shaped policies)', () => {
    const staffGroup = 'f0000000-0000-4000-8000-00000000staf';
    const helpers = 'f0000000-0000-4000-8000-0000000help';
    // "Council Members and Staff" holds the councillors through a nested group, and the clerk directly.
    const groupMembers = { [staffGroup]: [IDS.cllrA, IDS.cllrB, IDS.clerk, IDS.rfo], [helpers]: [IDS.rfo] };

    it('credits a policy aimed at any group that holds the person through nesting', () => {
      const outcome = run(check, makeSnapshot({ groupMembers, conditionalAccess: ok([
        policy({ id: 'staff', conditions: users({ includeGroups: [staffGroup] }) }),
        policy({ id: 'admins', conditions: users({ includeRoles: [GLOBAL_ADMIN_ROLE] }) }),
      ]) }));
      expect(outcome.findings).toEqual([]);
    });

    it('honours exclusion through any group, naming the policy', () => {
      const outcome = run(check, makeSnapshot({ groupMembers, conditionalAccess: ok([policy({ id: 'all', displayName: 'Everyone MFA', conditions: users({ includeUsers: ['All'], excludeGroups: [helpers] }) })]) }));
      expect(subjects(outcome)).toEqual([IDS.rfo]);
      expect(outcome.findings[0].evidence.excludedBy).toEqual(['Everyone MFA']);
    });

    it('honours exclusion by role', () => {
      const outcome = run(check, makeSnapshot({ conditionalAccess: ok([policy({ id: 'all', conditions: users({ includeUsers: ['All'], excludeRoles: [GLOBAL_ADMIN_ROLE] }) })]) }));
      expect(subjects(outcome)).toEqual([IDS.admin]);
    });

    it('a policy for guests and external users only does not cover members', () => {
      const outcome = run(check, makeSnapshot({ conditionalAccess: ok([policy({ id: 'guests', conditions: users({ includeUsers: ['GuestsOrExternalUsers'] }) })]) }));
      expect(subjects(outcome)).toEqual(inScope);
    });
  });

  describe('conditions and grants that narrow a policy are partial coverage, naming the condition', () => {
    const all = { users: { includeUsers: ['All'] }, applications: { includeApplications: ['All'] } };
    const cases: [string, Partial<ConditionalAccessPolicy>, RegExp][] = [
      ['legacy clients only', { conditions: { ...all, clientAppTypes: ['exchangeActiveSync', 'other'] } }, /applies only to client apps exchangeactivesync, other/],
      ['risky sign-ins only', { conditions: { ...all, signInRiskLevels: ['medium', 'high'] } }, /applies only at sign-in risk medium, high/],
      ['risky users only', { conditions: { ...all, userRiskLevels: ['high'] } }, /applies only at user risk high/],
      ['outside trusted locations', { conditions: { ...all, locations: { includeLocations: ['All'], excludeLocations: ['AllTrusted'] } } }, /applies only in some locations/],
      ['Android and iOS only', { conditions: { ...all, platforms: { includePlatforms: ['android', 'iOS'] } } }, /applies only on some device platforms/],
      ['a device filter', { conditions: { ...all, devices: { deviceFilter: { mode: 'exclude', rule: 'device.isCompliant -eq True' } } } }, /applies only to devices matching a filter \(exclude\)/],
      ['Exchange Online excluded', { conditions: { ...all, applications: { includeApplications: ['All'], excludeApplications: ['00000002-0000-0ff1-ce00-000000000000'] } } }, /excludes Exchange Online \(mail\)/],
      ['SharePoint Online excluded', { conditions: { ...all, applications: { includeApplications: ['All'], excludeApplications: ['00000003-0000-0ff1-ce00-000000000000'] } } }, /excludes SharePoint Online \(files\)/],
      ['MFA or a compliant device', { grantControls: { operator: 'OR', builtInControls: ['mfa', 'compliantDevice'] } }, /accepts compliantdevice instead of MFA/],
    ];
    it.each(cases)('%s', (_name, change, condition) => {
      const outcome = run(check, makeSnapshot({ conditionalAccess: ok([policy({ id: 'narrow', displayName: 'Require MFA', ...change })]) }));
      expect(subjects(outcome)).toEqual(inScope);
      expect(outcome.findings[0].summary).toMatch(condition);
      expect(outcome.findings[0].evidence.partialCoverage).toEqual([{ policy: 'Require MFA', conditions: [expect.stringMatching(condition)] }]);
    });

    it('MFA AND a compliant device, or all apps with an unrelated app excluded, is full coverage', () => {
      const outcome = run(check, makeSnapshot({ conditionalAccess: ok([
        policy({ id: 'and', grantControls: { operator: 'AND', builtInControls: ['mfa', 'compliantDevice'] }, conditions: { ...all, applications: { includeApplications: ['All'], excludeApplications: ['d4ebce55-015a-49b5-a083-c84d1797ae8c'] }, clientAppTypes: ['all'] } }),
      ]) }));
      expect(outcome.findings).toEqual([]);
    });
  });
});
