import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { permissionsCommand } from '../../cli/commands/permissions';
import { KNOWN_PERMISSIONS } from '../../graph/permissions';
import type { Manifest } from '../../jobs/permission-manifest';
import { randomUUID } from 'node:crypto';
import { loadScenario, startSimulator, type Scenario } from '../../simulator';

const demo = () => JSON.parse(readFileSync(join(__dirname, '../../simulator/scenarios/demo.councils.json'), 'utf8'));

async function manifest(change: (c: Record<string, unknown>) => void = () => {}): Promise<{ json: Manifest; text: string }> {
  const config = demo();
  change(config.councils[0]);
  const file = join(mkdtempSync(join(tmpdir(), 'cg-perm-')), 'c.json');
  writeFileSync(file, JSON.stringify(config));
  let json = '';
  let text = '';
  await permissionsCommand({ config: file, json: true }, (s) => { json += s; });
  await permissionsCommand({ config: file }, (s) => { text += s; });
  return { json: (JSON.parse(json) as Manifest[])[0], text };
}

/** `permissions --check-tenant` against a simulated tenant, as text (with its exit code) and as JSON. */
async function checkTenant(scenario: Scenario): Promise<{ code: number; text: string; json: string }> {
  const sim = await startSimulator({ scenarios: [scenario] });
  try {
    const config = demo();
    config.councils[0].tenantId = scenario.tenantId;
    const file = join(mkdtempSync(join(tmpdir(), 'cg-perm-')), 'c.json');
    writeFileSync(file, JSON.stringify(config));
    const env = { ...process.env, ...sim.env() };
    let text = '';
    const code = await permissionsCommand({ config: file, checkTenant: true }, (s) => { text += s; }, env);
    let json = '';
    await permissionsCommand({ config: file, checkTenant: true, json: true }, (s) => { json += s; }, env);
    return { code, text, json };
  } finally {
    await sim.close();
  }
}

describe('councilguard permissions', () => {
  it('every permission is a real application permission name from our endpoint table, each with its reason', async () => {
    const { json, text } = await manifest();
    expect(json.permissions.length).toBeGreaterThan(10);
    for (const p of json.permissions) {
      expect(KNOWN_PERMISSIONS.has(p.permission)).toBe(true);
      expect(p.why.length).toBeGreaterThan(0);
    }
    expect(json.permissions.find((p) => p.permission === 'Exchange.ManageAsApp')).toMatchObject({ resource: 'Office 365 Exchange Online', optional: true });
    expect(text).toMatch(/DeviceManagementManagedDevices\.Read\.All[\s\S]*needed by: devices\.compliance/);
    expect(text).toMatch(/devices\.compliance: Intune/);
  });

  it('follows the config: a disabled check drops its permission, delivery adds Mail.Send and Sites.ReadWrite.All', async () => {
    const { json } = await manifest((c) => { c.checks = { disabled: ['devices.compliance'] }; c.delivery = { sharePoint: true, email: { from: 'clerk@exampleparish.gov.uk', to: ['clerk@exampleparish.gov.uk'] } }; });
    const names = json.permissions.map((p) => p.permission);
    // Still listed, but only for the surrender's optional device retirement, not for the disabled check.
    expect(json.permissions.find((p) => p.permission === 'DeviceManagementManagedDevices.Read.All')).toMatchObject({ neededBy: ['surrender (clerk)'], optional: true });
    expect(names).toEqual(expect.arrayContaining(['Mail.Send', 'Sites.ReadWrite.All']));
    expect(json.licences.map((l) => l.check)).not.toContain('devices.compliance');
  });

  it('lists the surrender\'s permissions always, and each enabled remediation\'s write permissions', async () => {
    const off = await manifest(() => {});
    expect(off.json.permissions.find((p) => p.permission === 'Mail.Read')?.neededBy).toContain('surrender (clerk)');
    expect(off.json.permissions.map((p) => p.permission)).not.toContain('Domain.ReadWrite.All');
    const on = await manifest((c) => { c.enforce = { passwords: true, sharing: true }; });
    expect(on.json.permissions.find((p) => p.permission === 'Domain.ReadWrite.All')).toMatchObject({ neededBy: ['enforce.passwords'], optional: false, why: [expect.stringMatching(/password expiry/)] });
    expect(on.json.permissions.find((p) => p.permission === 'Files.ReadWrite.All')?.neededBy).toEqual(['enforce.sharing']);
  });

  it('--check-tenant names a check whose licence the tenant lacks and a permission not granted', async () => {
    const scenario = structuredClone(loadScenario('demo'));
    scenario.tenantId = randomUUID();
    scenario.skus = [{ skuPartNumber: 'O365_BUSINESS_ESSENTIALS', servicePlans: ['EXCHANGE_S_STANDARD', 'SHAREPOINTSTANDARD'] }];
    scenario.grantedPermissions = scenario.grantedPermissions!.filter((p) => p !== 'Mail.Read');
    const { code, text } = await checkTenant(scenario);
    expect(code).toBe(1);
    expect(text).toMatch(/NOT LICENSED: devices\.compliance needs Intune, which the tenant lacks; it will be skipped \(not-licensed\)/);
    expect(text).toMatch(/NOT GRANTED: Mail\.Read \(needed by surrender \(clerk\)\) — grant it with infra\/grant-graph-permissions\.sh/);
    expect(text).not.toMatch(/NOT GRANTED: User\.Read\.All/);
  });

  it('--check-tenant accepts Directory.Read.All and Group.Read.All for the directory reads and advises least privilege', async () => {
    const scenario = structuredClone(loadScenario('demo'));
    scenario.tenantId = randomUUID();
    const broad: Record<string, string> = { 'User.Read.All': 'Directory.Read.All', 'GroupMember.Read.All': 'Group.Read.All', 'RoleManagement.Read.Directory': 'Directory.Read.All' };
    scenario.grantedPermissions = [...new Set(scenario.grantedPermissions!.map((p) => broad[p] ?? p))];
    const { code, text, json } = await checkTenant(scenario);
    expect(code).toBe(0);
    expect(text).not.toMatch(/NOT GRANTED: (User\.Read\.All|GroupMember\.Read\.All|RoleManagement\.Read\.Directory)/);
    expect(text).toMatch(/BROADER THAN NEEDED: Directory\.Read\.All is granted; CouncilGuard needs only GroupMember\.Read\.All, RoleManagement\.Read\.Directory, User\.Read\.All for/);
    expect(text).toMatch(/BROADER THAN NEEDED: Group\.Read\.All is granted; CouncilGuard needs only GroupMember\.Read\.All/);
    // Only PIM eligibility is not covered: "List roleEligibilitySchedules" does not accept Directory.Read.All, and it is optional.
    expect(JSON.parse(json)[0].tenant.missingPermissions).toEqual([expect.objectContaining({ permission: 'RoleEligibilitySchedule.Read.Directory', optional: true })]);
  });
});
