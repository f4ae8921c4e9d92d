// The remediations the demo's planted breaches do not reach: mailbox and organisation forwarding through
// the Exchange admin API, domain password expiry, a forced password change after leaked credentials,
// security defaults on a tenant without Entra ID P1, and per-user MFA as the council's chosen mechanism.
import { makePlan } from '../../enforce/plan';
import { applyPlan } from '../../enforce/apply';
import { undoAction } from '../../enforce/undo';
import { E5 } from '../../simulator/scenario-builder';
import { APPROVER, enforceHarness } from './support';

const BROWN = 'cllr.brown@exampleparish.gov.uk';
const kinds = (plan: Awaited<ReturnType<typeof makePlan>>) => plan.actions.map((a) => `${a.kind} ${a.target.userPrincipalName ?? a.target.name}`);

it('clears mailbox forwarding and turns organisation auto-forwarding off (Exchange), sets domain expiry, forces a password change; undo restores the forwarding', async () => {
  const h = await enforceHarness((s) => {
    const brown = s.users.find((u) => u.userPrincipalName === BROWN)!;
    brown.mailbox = { ...brown.mailbox, forwardingSmtpAddress: 'smtp:brown.home@gmail.com', deliverToMailboxAndForward: true };
    brown.risk = { riskState: 'atRisk', riskDetail: 'leakedCredentials', riskLevel: 'high' };
    s.skus = [...s.skus!, E5];
    s.autoForwardingMode = 'On';
    s.domains[0].passwordValidityPeriodInDays = 90;
  }, { mfa: false, sharing: false });
  try {
    await h.audit();
    const plan = await makePlan({ ...h.ctx, createdBy: APPROVER });
    expect(kinds(plan)).toEqual(expect.arrayContaining([
      `clear-mailbox-forwarding ${BROWN}`, 'org-auto-forwarding-off the organisation\'s outbound mail policy',
      'domain-password-expiry exampleparish.gov.uk', `force-password-change ${BROWN}`,
    ]));
    const outcome = await applyPlan(h.ctx, plan, APPROVER);
    expect(outcome.results.every((r) => r.status === 'done')).toBe(true);
    const t = h.sim.tenant();
    const brown = t.users.find((u) => u.userPrincipalName === BROWN)!;
    expect({ smtp: brown.forwardingSmtpAddress, org: t.autoForwardingMode, expiry: t.domains[0].passwordValidityPeriodInDays, change: brown.forceChangePasswordNextSignIn })
      .toEqual({ smtp: null, org: 'Off', expiry: 2147483647, change: true });

    const forwarding = plan.actions.find((a) => a.kind === 'clear-mailbox-forwarding')!;
    expect(await undoAction(h.ctx, forwarding.id, APPROVER)).toMatchObject({ result: 'undone' });
    expect(h.sim.tenant().users.find((u) => u.userPrincipalName === BROWN)!.forwardingSmtpAddress).toMatch(/brown\.home@gmail\.com/);
  } finally {
    await h.close();
  }
});

it('without Entra ID P1 and no Conditional Access, turns security defaults on', async () => {
  const h = await enforceHarness((s) => {
    s.skus = [{ skuPartNumber: 'O365_BUSINESS_ESSENTIALS', servicePlans: ['EXCHANGE_S_STANDARD', 'SHAREPOINTSTANDARD'] }];
    s.conditionalAccessPolicies = [];
    s.securityDefaults = false;
  }, { forwarding: false, passwords: false, sharing: false });
  try {
    await h.audit();
    const plan = await makePlan({ ...h.ctx, createdBy: APPROVER });
    expect(kinds(plan)).toEqual(['security-defaults-on security defaults']);
    await applyPlan(h.ctx, plan, APPROVER);
    expect(h.sim.tenant().securityDefaults).toBe(true);
    expect((await h.audit()).document.findings.filter((f) => f.kind === 'mfa-not-required')).toEqual([]);
  } finally {
    await h.close();
  }
});

it('with per-user MFA as the council\'s mechanism, enforces it for each person not covered', async () => {
  const h = await enforceHarness(() => {}, { forwarding: false, passwords: false, sharing: false, mfaMechanism: 'per-user' });
  try {
    await h.audit();
    const plan = await makePlan({ ...h.ctx, createdBy: APPROVER });
    expect(kinds(plan)).toEqual(['per-user-mfa-enforced cllr.evans@exampleparish.gov.uk']);
    await applyPlan(h.ctx, plan, APPROVER);
    expect(h.sim.tenant().users.find((u) => u.userPrincipalName === 'cllr.evans@exampleparish.gov.uk')!.perUserMfaState).toBe('enforced');
  } finally {
    await h.close();
  }
});

it('plans for many forwarding rules and anyone-links with a few $batch requests, not one read per finding', async () => {
  const councillors = ['brown', 'clarke', 'davies', 'evans', 'foster', 'green', 'iqbal'].map((n) => `cllr.${n}@exampleparish.gov.uk`);
  const h = await enforceHarness((s) => {
    for (const upn of councillors) {
      const u = s.users.find((x) => x.userPrincipalName === upn)!;
      u.mailbox = { ...u.mailbox, rules: [{ displayName: 'Home', forwardTo: [`${upn.split('@')[0]}@gmail.com`] }] };
    }
  }, { mfa: false, passwords: false });
  try {
    await h.audit();
    h.sim.stats.reset();
    const plan = await makePlan({ ...h.ctx, createdBy: APPROVER });
    expect(plan.actions.filter((a) => a.kind === 'disable-inbox-rule')).toHaveLength(councillors.length + 1); // and Cllr Ahmed's
    // One $batch for the rules and one for the links' permissions (each batch counts once on the wire).
    expect(h.sim.stats.requests).toBeLessThanOrEqual(3);
  } finally {
    await h.close();
  }
});
