// Enforcement's bad input, each refused with a message that names the fix and nothing changed in the
// tenant: a hand-edited plan, a plan for another tenant, an expired plan, a remediation switched off
// since planning, no remediation enabled, apply without --yes, a damaged file; a Graph 403 on one
// action fails that action only; undo of an action that had no effect.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyCommand, planCommand, undoCommand } from '../../cli/commands/enforce';
import { isInputError } from '../../core/errors';
import { applyPlan } from '../../enforce/apply';
import { makePlan } from '../../enforce/plan';
import { planDigest } from '../../enforce/plan-store';
import type { EnforcementPlan } from '../../enforce/types';
import type { CouncilConfig } from '../../policy/council-config';
import { APPROVER, enforceHarness, type EnforceHarness } from './support';
import { fixedClock } from '../../core/clock';

const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const dir = () => mkdtempSync(join(tmpdir(), 'cg-enforce-'));

function files(h: EnforceHarness, council: CouncilConfig = h.council) {
  const d = dir();
  const config = join(d, 'councils.json');
  writeFileSync(config, JSON.stringify({ councils: [council] }));
  const env = { ...process.env, ...h.sim.env(), COUNCILGUARD_STORAGE: process.env.COUNCILGUARD_TEST_STORAGE, COUNCILGUARD_ACTOR: APPROVER };
  return { d, config, env, opts: { config, dataDir: join(d, 'unused') } };
}

async function refusal(p: Promise<unknown>): Promise<Error> {
  const err = await p.then(() => undefined, (e: Error) => e);
  if (!err) throw new Error('expected a refusal');
  expect(isInputError(err)).toBe(true); // exit code 2
  return err;
}

const tenantState = (h: EnforceHarness) => JSON.stringify(h.sim.tenant().users.map((u) => [u.rules, u.passwordPolicies])) + JSON.stringify(h.sim.tenant().conditionalAccessPolicies);

describe('enforcement refuses bad input', () => {
  let h: EnforceHarness;
  let f: ReturnType<typeof files>;
  let planFile: string;
  let out: string;
  const print = (s: string) => { out += s; };
  beforeEach(async () => {
    out = '';
    h = await enforceHarness();
    await h.audit();
    f = files(h);
    planFile = join(f.d, 'plan.json');
    expect(await planCommand({ ...f.opts, out: planFile }, f.env, print, quiet)).toBe(0);
  });
  afterEach(() => h.close());

  it('a plan file edited by hand', async () => {
    const plan = JSON.parse(readFileSync(planFile, 'utf8')) as EnforcementPlan;
    (plan.actions[2].call as { body: unknown }).body = { passwordPolicies: 'DisablePasswordExpiration' };
    writeFileSync(planFile, JSON.stringify(plan));
    const before = tenantState(h);
    const err = await refusal(applyCommand(planFile, { ...f.opts, yes: true }, f.env, print, quiet));
    expect(err.message).toMatch(/has been changed since CouncilGuard made it .* make a new one with councilguard plan/);
    expect(tenantState(h)).toBe(before);
  });

  it('a hand-edited plan whose digest was recomputed still fails against the stored copy', async () => {
    const plan = JSON.parse(readFileSync(planFile, 'utf8')) as EnforcementPlan;
    plan.actions = plan.actions.slice(0, 1);
    plan.digest = planDigest(plan);
    writeFileSync(planFile, JSON.stringify(plan));
    expect((await refusal(applyCommand(planFile, { ...f.opts, yes: true }, f.env, print, quiet))).message).toMatch(/no longer match its integrity digest/);
  });

  it('a plan for another tenant', async () => {
    const other = await enforceHarness();
    try {
      await other.audit();
      const plan = await makePlan({ ...other.ctx, createdBy: APPROVER });
      const before = tenantState(h);
      const err = await refusal(applyPlan(h.ctx, plan, APPROVER));
      expect(err.message).toMatch(new RegExp(`This plan is for tenant ${plan.tenantId} .*not Example Parish Council .*apply it with the config of the council it was made for`));
      expect(tenantState(h)).toBe(before);
    } finally {
      await other.close();
    }
  });

  it('a plan older than its validity window', async () => {
    const plan = JSON.parse(readFileSync(planFile, 'utf8')) as EnforcementPlan;
    const err = await refusal(applyPlan({ ...h.ctx, clock: fixedClock('2099-01-01T00:00:00Z') }, plan, APPROVER));
    expect(err.message).toMatch(/expired at .* make a new plan with councilguard plan/);
  });

  it('a remediation no longer enabled in the config', async () => {
    const off = files(h, { ...h.council, enforce: { ...h.council.enforce, sharing: false } });
    const err = await refusal(applyCommand(planFile, { ...off.opts, yes: true }, off.env, print, quiet));
    expect(err.message).toMatch(/has sharing actions, but enforce\.sharing is not enabled for Example Parish Council; enable it in the council config or make a new plan/);
  });

  it('no remediation enabled at all', async () => {
    const none = files(h, { ...h.council, enforce: {} });
    const err = await refusal(planCommand({ ...none.opts, out: join(none.d, 'p.json') }, none.env, print, quiet));
    expect(err.message).toMatch(/has no remediation enabled: set one or more of enforce\.forwarding, enforce\.mfa, enforce\.passwords, enforce\.sharing to true/);
  });

  it('apply without --yes prints the plan and changes nothing', async () => {
    const before = tenantState(h);
    const err = await refusal(applyCommand(planFile, f.opts, f.env, print, quiet));
    expect(err.message).toMatch(/add --yes to approve/);
    expect(out).toMatch(/Switch off Cllr Aisha Ahmed's inbox rule/);
    expect(tenantState(h)).toBe(before);
  });

  it('a damaged plan file', async () => {
    writeFileSync(planFile, '{"schemaVersion": 1, "id": ');
    expect((await refusal(applyCommand(planFile, { ...f.opts, yes: true }, f.env, print, quiet))).message).toMatch(/not valid JSON.*Make a new plan/);
  });

  it('undo of an action that had no effect', async () => {
    const plan = JSON.parse(readFileSync(planFile, 'utf8')) as EnforcementPlan;
    h.sim.tenant().users.find((u) => u.userPrincipalName === 'cllr.foster@exampleparish.gov.uk')!.passwordPolicies = 'None';
    await applyCommand(planFile, { ...f.opts, yes: true }, f.env, print, quiet);
    const err = await refusal(undoCommand({ ...f.opts, action: plan.actions[2].id }, f.env, print, quiet));
    expect(err.message).toMatch(new RegExp(`Action ${plan.actions[2].id.replace('.', '\\.')} had no effect \\(it was already-done: already as planned; nothing changed\\), so there is nothing to undo`));
  });
});

it('a Graph 403 on one action fails that action, the rest are applied, and the failure is logged and reported', async () => {
  const h = await enforceHarness((s) => { s.grantedPermissions = s.grantedPermissions!.filter((p) => p !== 'Files.ReadWrite.All' && p !== 'Sites.ReadWrite.All'); });
  try {
    await h.audit();
    const f = files(h);
    const planFile = join(f.d, 'plan.json');
    await planCommand({ ...f.opts, out: planFile }, f.env, () => {}, quiet);
    let out = '';
    const code = await applyCommand(planFile, { ...f.opts, yes: true }, f.env, (s) => { out += s; }, quiet);
    expect(code).toBe(1);
    expect(out).toMatch(/\.04 {2}failed: .*403.*Files\.ReadWrite\.All/s);
    expect(out).toMatch(/3 done, 0 already as planned, 0 skipped, 1 failed/);
    const log = await h.ctx.store.listActions(h.council.tenantId);
    expect(log.filter((e) => e.action.startsWith('enforce.')).map((e) => e.result)).toEqual(['done', 'done', 'done', 'failed']);
  } finally {
    await h.close();
  }
});

it('a tenant with nothing to change gets no plan file, and the plan is not stored for approval', async () => {
  const h = await enforceHarness((s) => { for (const u of s.users) if (u.mailbox && u.mailbox.rules) u.mailbox.rules = []; }, { mfa: false, passwords: false, sharing: false });
  try {
    await h.audit();
    const f = files(h);
    let out = '';
    expect(await planCommand({ ...f.opts, out: join(f.d, 'plan.json') }, f.env, (s) => { out += s; }, quiet)).toBe(0);
    expect(out).toMatch(/Nothing to change, so no plan file was written/);
    expect(existsSync(join(f.d, 'plan.json'))).toBe(false);
    expect((await h.ctx.store.listActions(h.council.tenantId)).filter((e) => e.action === 'plan.create')).toEqual([]);
  } finally {
    await h.close();
  }
});

it('undo finds the right council in a config listing several', async () => {
  const h = await enforceHarness();
  try {
    await h.audit();
    const other = { ...h.council, name: 'Other Parish Council', tenantId: '11111111-2222-4333-8444-555555555555', domains: ['otherparish.gov.uk'], clerk: 'clerk@otherparish.gov.uk', staff: [], roster: [], breakGlass: [] };
    const f = files(h);
    writeFileSync(f.config, JSON.stringify({ councils: [other, h.council] }));
    const planFile = join(f.d, 'plan.json');
    await planCommand({ ...f.opts, out: planFile, tenant: h.council.tenantId }, f.env, () => {}, quiet);
    await applyCommand(planFile, { ...f.opts, yes: true }, f.env, () => {}, quiet);
    const plan = JSON.parse(readFileSync(planFile, 'utf8')) as EnforcementPlan;
    let out = '';
    expect(await undoCommand({ ...f.opts, action: plan.actions[0].id }, f.env, (s) => { out += s; }, quiet)).toBe(0);
    expect(out).toMatch(/undone \(Switch the rule back on\.\)/);
  } finally {
    await h.close();
  }
});
