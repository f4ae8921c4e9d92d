// Plan → apply → audit on the demo tenant: exactly the expected actions, the tenant changed accordingly,
// the findings resolved; applying again changes nothing; undo puts the rule and the link back; a target
// changed since planning is skipped; break-glass accounts never appear in a plan.
import { makePlan } from '../../enforce/plan';
import { applyPlan } from '../../enforce/apply';
import { undoAction } from '../../enforce/undo';
import { loadStatus } from '../../enforce/plan-store';
import { approveAndApply } from '../../jobs/enforcement';
import { CA_POLICY_NAME } from '../../enforce/remediations/mfa';
import type { EnforcementPlan } from '../../enforce/types';
import { APPROVER, enforceHarness, type EnforceHarness } from './support';

const AHMED = 'cllr.ahmed@exampleparish.gov.uk';
const FOSTER = 'cllr.foster@exampleparish.gov.uk';
const EVANS = 'cllr.evans@exampleparish.gov.uk';
const BREAK_GLASS = 'breakglass@exampleparish.onmicrosoft.com';

const user = (h: EnforceHarness, upn: string) => h.sim.tenant().users.find((u) => u.userPrincipalName === upn)!;
const precept = (h: EnforceHarness) => {
  for (const d of h.sim.tenant().drives.values()) for (const i of d.items.values()) if (i.name === 'Precept 2026-27.xlsx') return i;
  throw new Error('the demo has no Precept file');
};
const summary = (plan: EnforcementPlan) => plan.actions.map((a) => `${a.remediation} ${a.kind} ${a.target.userPrincipalName ?? a.target.name}`);

describe('enforcement on the demo tenant', () => {
  let h: EnforceHarness;
  beforeEach(async () => { h = await enforceHarness(); await h.audit(); });
  afterEach(() => h.close());

  it('plans exactly the expected actions, applies them, and the next audit finds those breaches resolved', async () => {
    const plan = await makePlan({ ...h.ctx, createdBy: APPROVER });
    expect(summary(plan)).toEqual([
      `forwarding disable-inbox-rule ${AHMED}`,
      'mfa create-mfa-policy-report-only Conditional Access policy "Require MFA — councillors and staff"',
      `passwords require-strong-password ${FOSTER}`,
      'sharing remove-anyone-link /Finance/Precept 2026-27.xlsx',
    ]);
    expect(plan.actions.every((a) => a.clauses.length > 0 && a.findingIds.length > 0)).toBe(true);

    const first = await applyPlan(h.ctx, plan, APPROVER);
    expect(first.results.map((r) => r.status)).toEqual(['done', 'done', 'done', 'done']);
    expect(user(h, AHMED).rules[0].isEnabled).toBe(false);
    expect(user(h, FOSTER).passwordPolicies).toBe('None');
    expect(precept(h).permissions.some((p) => p.link?.scope === 'anonymous')).toBe(false);
    const ca = h.sim.tenant().conditionalAccessPolicies.find((p) => p.displayName === CA_POLICY_NAME) as { state: string; conditions: { users: { excludeUsers: string[] } } };
    expect(ca.state).toBe('enabledForReportingButNotEnforced');
    expect(ca.conditions.users.excludeUsers).toEqual([user(h, BREAK_GLASS).id]);

    let audit = await h.audit();
    const open = (kind: string) => audit.document.findings.filter((f) => f.kind === kind).map((f) => f.subject.userPrincipalName ?? f.subject.name);
    // The forwarding finding is resolved; the switched-off rule remains only as information (delete it).
    expect(audit.document.resolved.map((r) => `${r.checkId} ${r.subject.userPrincipalName}`)).toContain(`mail.external-forwarding ${AHMED}`);
    expect(audit.document.findings.filter((f) => f.checkId === 'mail.external-forwarding' && f.subject.userPrincipalName === AHMED).map((f) => `${f.kind} ${f.severity}`)).toEqual(['inbox-rule-disabled info']);
    expect(open('weak-password-allowed')).toEqual([]);
    expect(open('anyone-link')).toEqual([]);
    expect(open('mfa-not-required')).toEqual([EVANS]); // report-only does not enforce
    // The night's report shows what was changed, by whom.
    const html = audit.files['report.html'];
    expect(html).toMatch(/<h2 id="h-actions">Changes and content access by CouncilGuard<\/h2>/);
    expect(html).toMatch(new RegExp(`<td>${APPROVER.replace(/\./g, '\\.')}</td><td>enforce\\.disable-inbox-rule</td>`));

    // Switching the policy on is a separate, later plan and approval.
    const second = await makePlan({ ...h.ctx, createdBy: APPROVER });
    expect(summary(second)).toEqual(['mfa enable-mfa-policy Conditional Access policy "Require MFA — councillors and staff"']);
    expect((await applyPlan(h.ctx, second, APPROVER)).results[0].status).toBe('done');
    audit = await h.audit();
    expect(open('mfa-not-required')).toEqual([]);
    expect(audit.document.resolved.map((r) => r.checkId).sort()).toContain('identity.mfa-enforcement');
  });

  it('applying the same plan twice changes nothing the second time', async () => {
    const plan = await makePlan({ ...h.ctx, createdBy: APPROVER });
    await applyPlan(h.ctx, plan, APPROVER);
    const after = JSON.stringify([user(h, AHMED).rules, user(h, FOSTER).passwordPolicies, precept(h).permissions, h.sim.tenant().conditionalAccessPolicies]);
    const again = await applyPlan(h.ctx, plan, APPROVER);
    expect(again.results.map((r) => r.status)).toEqual(['already-done', 'already-done', 'already-done', 'already-done']);
    expect(JSON.stringify([user(h, AHMED).rules, user(h, FOSTER).passwordPolicies, precept(h).permissions, h.sim.tenant().conditionalAccessPolicies])).toBe(after);
  });

  it('undo puts the forwarding rule back exactly, and an anyone-link of the same kind back on the file', async () => {
    const ruleBefore = structuredClone(user(h, AHMED).rules[0]);
    const linkBefore = precept(h).permissions.find((p) => p.link?.scope === 'anonymous')!;
    const plan = await makePlan({ ...h.ctx, createdBy: APPROVER });
    await applyPlan(h.ctx, plan, APPROVER);
    const [rule, , , link] = plan.actions;

    expect(await undoAction(h.ctx, rule.id, APPROVER)).toMatchObject({ result: 'undone' });
    expect(user(h, AHMED).rules[0]).toEqual(ruleBefore);
    expect(await undoAction(h.ctx, link.id, APPROVER)).toMatchObject({ result: 'undone' });
    const restored = precept(h).permissions.filter((p) => p.link?.scope === 'anonymous');
    expect(restored.map((p) => ({ type: p.link!.type, roles: p.roles }))).toEqual([{ type: linkBefore.link!.type, roles: linkBefore.roles }]);
    // The log keeps the whole rule and the link's details, as they were before the change.
    const log = await h.ctx.store.listActions(h.council.tenantId);
    expect(log.find((e) => e.action === 'enforce.disable-inbox-rule')?.before).toMatchObject({ id: ruleBefore.id, displayName: 'Send everything home', isEnabled: true });
    expect(log.find((e) => e.action === 'enforce.remove-anyone-link')?.before).toMatchObject({ id: linkBefore.id, link: { scope: 'anonymous', webUrl: linkBefore.link!.webUrl } });
    expect(log.filter((e) => e.action.startsWith('undo.')).map((e) => e.result)).toEqual(['done', 'done']);
  });

  it('undo is final: approving the same plan again re-applies nothing that was undone, and the undo still stands', async () => {
    const ruleBefore = structuredClone(user(h, AHMED).rules[0]);
    const plan = await makePlan({ ...h.ctx, createdBy: 'timer' });
    await approveAndApply(h.ctx, plan, APPROVER, 'in the test');
    const [rule] = plan.actions;
    expect(await undoAction(h.ctx, rule.id, APPROVER)).toMatchObject({ result: 'undone' });
    const undoneState = (await loadStatus(h.ctx.store, plan.id))!.status;

    const again = await approveAndApply(h.ctx, plan, APPROVER, 'in the test');
    expect(again.results.find((r) => r.actionId === rule.id)).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/undone .* never re-applied from the same plan; make a new plan/) });
    expect(user(h, AHMED).rules[0]).toEqual(ruleBefore);
    const after = (await loadStatus(h.ctx.store, plan.id))!.status;
    expect(after.undone).toEqual(undoneState.undone);
    expect(after.results[rule.id]).toEqual(undoneState.results[rule.id]);
    // So it can still not be undone twice, and the rule stays as the undo left it.
    await expect(undoAction(h.ctx, rule.id, APPROVER)).rejects.toThrow(/was already undone/);
    expect(user(h, AHMED).rules[0]).toEqual(ruleBefore);
  });

  it('skips an action whose target changed after planning, saying what changed, and does the rest', async () => {
    const plan = await makePlan({ ...h.ctx, createdBy: APPROVER });
    const rule = user(h, AHMED).rules[0] as unknown as { actions: { forwardTo: { emailAddress: { address: string } }[] } };
    rule.actions.forwardTo = [{ emailAddress: { address: 'someone.else@outlook.com' } }];
    const outcome = await applyPlan(h.ctx, plan, APPROVER);
    expect(outcome.results[0]).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/changed since planning: actions was .*aisha\.ahmed\.home@gmail\.com.* and is now .*someone\.else@outlook\.com/) });
    expect(user(h, AHMED).rules[0].isEnabled).not.toBe(false);
    expect(outcome.results.slice(1).map((r) => r.status)).toEqual(['done', 'done', 'done']);
  });

  it('never acts on the approver\'s own account', async () => {
    const plan = await makePlan({ ...h.ctx, createdBy: APPROVER });
    const outcome = await applyPlan(h.ctx, plan, FOSTER);
    expect(outcome.results[2]).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/approver's own account/) });
    expect(user(h, FOSTER).passwordPolicies).toBe('DisableStrongPassword');
  });
});

it('never plans anything for a break-glass account, and says so', async () => {
  const h = await enforceHarness((s) => {
    const bg = s.users.find((u) => u.userPrincipalName === BREAK_GLASS)!;
    bg.passwordPolicies = 'DisableStrongPassword';
    bg.mailbox = { rules: [{ displayName: 'Forward alerts', forwardTo: ['alerts@gmail.com'] }] };
  });
  try {
    await h.audit();
    const plan = await makePlan({ ...h.ctx, createdBy: APPROVER });
    expect(JSON.stringify(plan.actions)).not.toMatch(/breakglass@/);
    expect(plan.notes.join('\n')).toMatch(/break-glass account breakglass@exampleparish\.onmicrosoft\.com/);
  } finally {
    await h.close();
  }
});
