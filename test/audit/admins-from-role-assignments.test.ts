// Administrators come from role assignments as Entra holds them: a role assigned to a group makes its
// members (nested ones too) administrators; PIM-eligible roles count where P2 is licensed, and without
// P2 that part is skipped with its reason.
import { auditDemoTenant } from '../support/demo-tenant';

const D = 'exampleparish.gov.uk';

const audit = auditDemoTenant;

const registration = (r: Awaited<ReturnType<typeof audit>>, upn: string) =>
  r.document.findings.find((f) => f.checkId === 'identity.mfa-registration' && f.subject.userPrincipalName === upn);

describe('administrators from role assignments', () => {
  it('a councillor in a nested group that holds Exchange Administrator, without MFA, is reported as an administrator (high)', async () => {
    const result = await audit((s) => {
      s.groups = [...(s.groups ?? []), { displayName: 'Mail team', members: [`cllr.davies@${D}`] }, { displayName: 'Exchange admins', members: [], memberGroups: ['Mail team'], roles: ['Exchange Administrator'] }];
    });
    expect(registration(result, `cllr.davies@${D}`)).toMatchObject({ severity: 'high', summary: expect.stringMatching(/councillor and administrator/) });
    // Without P2 the eligible part is said to be skipped, not silently assumed empty.
    expect(result.document.checks.find((c) => c.id === 'identity.mfa-registration')!.partialSkips).toEqual(expect.arrayContaining([
      { part: 'eligible-admin', reason: { code: 'not-licensed', detail: 'needs a Entra ID P2 licence' } },
    ]));
  });

  it('with P2, a role the councillor is eligible for (PIM) makes them an administrator too', async () => {
    const result = await audit((s) => {
      s.skus = [...s.skus, { skuPartNumber: 'AAD_PREMIUM_P2', servicePlans: ['AAD_PREMIUM_P2'] }];
      s.users.find((u) => u.userPrincipalName === `cllr.davies@${D}`)!.eligibleRoles = ['User Administrator'];
    });
    expect(registration(result, `cllr.davies@${D}`)).toMatchObject({ severity: 'high' });
    expect(result.document.checks.find((c) => c.id === 'identity.mfa-registration')!.partialSkips ?? []).not.toEqual(expect.arrayContaining([expect.objectContaining({ part: 'eligible-admin' })]));
  });
});
