import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { randomUUID } from 'node:crypto';
import { auditCommand } from '../../cli/commands/audit';
import { silentLogger } from '../../core/logger';
import { loadScenario, startSimulator, type RunningSimulator, type Scenario } from '../../simulator';
import type { FindingsDocument } from '../../core/findings';
import type { CouncilConfigFile } from '../../policy/council-config';
import { validateFindings } from '../../reports/findings-json';

const demoConfig = () => JSON.parse(readFileSync(join(__dirname, '../../simulator/scenarios/demo.councils.json'), 'utf8')) as CouncilConfigFile;

/** The demo tenant under a fresh tenant id, so each test has its own history in the shared store. */
function demoTenant(change: (s: Scenario) => void = () => {}): Scenario {
  const s = structuredClone(loadScenario('demo'));
  s.tenantId = randomUUID();
  change(s);
  return s;
}

function configFor(...scenarios: Scenario[]): string {
  const base = demoConfig().councils[0];
  const file = join(mkdtempSync(join(tmpdir(), 'cg-cfg-')), 'councils.json');
  writeFileSync(file, JSON.stringify({ councils: scenarios.map((s, i) => ({ ...base, name: i === 0 ? base.name : `${s.organization}`, tenantId: s.tenantId })) }));
  return file;
}

async function audit(sim: RunningSimulator, config: string, extra: { failOn?: 'high' | 'medium' | 'low'; tenant?: string; council?: string } = {}) {
  const out = mkdtempSync(join(tmpdir(), 'cg-out-'));
  const env = { ...process.env, ...sim.env(), COUNCILGUARD_STORAGE: process.env.COUNCILGUARD_TEST_STORAGE };
  const code = await auditCommand({ config, out, dataDir: join(out, '.data'), ...extra }, env, silentLogger);
  const read = (dir = out) => JSON.parse(readFileSync(join(dir, 'findings.json'), 'utf8')) as FindingsDocument;
  return { code, out, read };
}

describe('councilguard audit', () => {
  it('second night marks every finding persisting; a breach fixed in the tenant is listed resolved on the third', async () => {
    const scenario = demoTenant();
    const sim = await startSimulator({ scenarios: [scenario] });
    try {
      const config = configFor(scenario);
      const first = await audit(sim, config);
      expect(first.code).toBe(0);
      expect(first.read().findings.every((f) => f.state === 'new')).toBe(true);
      const second = (await audit(sim, config)).read();
      expect(second.findings.length).toBe(first.read().findings.length);
      expect(second.findings.every((f) => f.state === 'persisting')).toBe(true);

      // The IT supplier disables Cllr Ahmed's forwarding rule.
      const ahmed = sim.tenant().users.find((u) => u.userPrincipalName.startsWith('cllr.ahmed'))!;
      ahmed.rules[0].isEnabled = false;
      const third = (await audit(sim, config)).read();
      // The forwarding finding is resolved; the switched-off rule stays noted as information.
      expect(third.resolved.map((r) => `${r.checkId} ${r.subject.userPrincipalName}`)).toEqual([`mail.external-forwarding ${ahmed.userPrincipalName}`]);
      expect(third.findings.filter((f) => f.subject.userPrincipalName === ahmed.userPrincipalName && f.checkId === 'mail.external-forwarding').map((f) => `${f.kind} ${f.severity} ${f.state}`)).toEqual(['inbox-rule-disabled info new']);
      ahmed.rules = [];
      const fourth = (await audit(sim, config)).read();
      expect(fourth.resolved.map((r) => `${r.checkId} ${r.subject.userPrincipalName}`)).toEqual([`mail.external-forwarding ${ahmed.userPrincipalName}`]);
      for (const doc of [second, third, fourth]) expect(validateFindings(doc)).toEqual([]);
    } finally {
      await sim.close();
    }
  });

  it('Business Basic (no P1, P2 or Intune): no fail from a missing licence, MFA registration through the per-user fallback', async () => {
    const scenario = demoTenant((s) => {
      s.skus = [{ skuPartNumber: 'O365_BUSINESS_ESSENTIALS', servicePlans: ['EXCHANGE_S_STANDARD', 'SHAREPOINTSTANDARD'] }];
      s.securityDefaults = true;
    });
    const sim = await startSimulator({ scenarios: [scenario] });
    try {
      const { code, read } = await audit(sim, configFor(scenario));
      expect(code).toBe(0);
      const doc = read();
      const check = (id: string) => doc.checks.find((c) => c.id === id)!;
      expect(check('devices.compliance')).toMatchObject({ status: 'skipped', skipReason: { code: 'not-licensed', detail: expect.stringMatching(/Intune/) } });
      expect(check('identity.mfa-enforcement').status).toBe('pass'); // security defaults on
      expect(doc.findings.filter((f) => f.checkId === 'identity.mfa-registration').map((f) => f.subject.userPrincipalName)).toEqual(['cllr.davies@exampleparish.gov.uk']);
      expect(doc.findings.some((f) => f.checkId === 'devices.compliance' || f.checkId === 'identity.mfa-enforcement')).toBe(false);
    } finally {
      await sim.close();
    }
  });

  it('two councils in one config, two tenants: each report holds only its own tenant, and an index lists both', async () => {
    const a = demoTenant();
    const b = demoTenant((s) => {
      s.organization = 'Other Town Council';
      s.users = s.users.map((u) => ({ ...u, mailbox: u.mailbox === false ? false : { rules: [] } }));
    });
    const sim = await startSimulator({ scenarios: [a, b] });
    try {
      const { code, out, read } = await audit(sim, configFor(a, b));
      expect(code).toBe(0);
      const docA = read(join(out, 'example-parish-council'));
      const docB = read(join(out, 'other-town-council'));
      expect(docA.tenantId).toBe(a.tenantId);
      expect(docB.tenantId).toBe(b.tenantId);
      expect(docA.findings.some((f) => f.checkId === 'mail.external-forwarding')).toBe(true);
      expect(docB.findings.some((f) => f.checkId === 'mail.external-forwarding')).toBe(false);
      expect(readFileSync(join(out, 'example-parish-council', 'report.html'), 'utf8')).not.toContain(b.tenantId);
      expect(readFileSync(join(out, 'index.html'), 'utf8')).toMatch(/Example Parish Council[\s\S]*Other Town Council|Other Town Council[\s\S]*Example Parish Council/);
    } finally {
      await sim.close();
    }
  });

  it('--fail-on high exits 3; a check that errors exits 1; a 403 for one check skips it naming the permission while the others run', async () => {
    const scenario = demoTenant((s) => { s.grantedPermissions = s.grantedPermissions.filter((p) => p !== 'DeviceManagementManagedDevices.Read.All'); });
    const sim = await startSimulator({ scenarios: [scenario] });
    try {
      const config = configFor(scenario);
      expect((await audit(sim, config, { failOn: 'high' })).code).toBe(3);
      const { code, read } = await audit(sim, config);
      expect(code).toBe(0);
      const doc = read();
      expect(doc.checks.find((c) => c.id === 'devices.compliance')).toMatchObject({ status: 'skipped', skipReason: { code: 'missing-permission', detail: expect.stringMatching(/DeviceManagementManagedDevices\.Read\.All/) } });
      expect(doc.checks.filter((c) => c.status === 'fail').length).toBe(8);

      // The audit log query fails: that check errors (exit 1), the others still report.
      sim.tenant().scenario.auditQuery = { pollsUntilDone: 0, fail: true };
      const failed = await audit(sim, config);
      expect(failed.code).toBe(1);
      expect(failed.read().checks.find((c) => c.id === 'mailbox.access-audit')).toMatchObject({ status: 'error', error: expect.stringMatching(/audit log query failed/) });
      expect(failed.read().findings.some((f) => f.checkId === 'mail.external-forwarding')).toBe(true);
    } finally {
      await sim.close();
    }
  });

  it('odd Graph data (rule actions null, a recipient without an address, a user without a UPN) does not break the audit', async () => {
    const scenario = demoTenant();
    const sim = await startSimulator({ scenarios: [scenario] });
    try {
      const users = sim.tenant().users;
      users.find((u) => u.userPrincipalName.startsWith('cllr.green'))!.rules.push(
        { id: 'r-null', displayName: 'Null actions', sequence: 1, isEnabled: true, hasError: false, actions: null },
        { id: 'r-noaddr', displayName: 'No address', sequence: 2, isEnabled: true, hasError: false, actions: { forwardTo: [{ emailAddress: { name: 'Someone' } }] } },
      );
      users.push({ ...users[0], id: randomUUID(), userPrincipalName: undefined as unknown as string, displayName: 'Broken user', rules: [], driveId: undefined });
      const { code, read } = await audit(sim, configFor(scenario));
      expect(code).toBe(0);
      expect(read().findings.filter((f) => f.subject.userPrincipalName === 'cllr.green@exampleparish.gov.uk' && f.checkId === 'mail.external-forwarding').length).toBe(1);
    } finally {
      await sim.close();
    }
  });

  it('--council picks one council by name (any case) or tenant id; --tenant still works as its deprecated alias', async () => {
    const first = demoTenant();
    const second = demoTenant((s) => { s.organization = 'Second Parish Council'; });
    const sim = await startSimulator({ scenarios: [first, second] });
    try {
      const config = configFor(first, second);
      const byName = await audit(sim, config, { council: ` ${second.organization.toUpperCase()} ` });
      expect(byName.read().tenantId).toBe(second.tenantId);
      const byId = await audit(sim, config, { council: first.tenantId.toUpperCase() });
      expect(byId.read().tenantId).toBe(first.tenantId);
      const byTenant = await audit(sim, config, { tenant: second.tenantId });
      expect(byTenant.read().tenantId).toBe(second.tenantId);
    } finally {
      await sim.close();
    }
  });

  it('a councillor group name that two groups share is a configuration error (exit 2) naming both ids; a group given by id is used', async () => {
    // Group display names are not unique and any user may create a group ("group resource type").
    const scenario = demoTenant((s) => { s.groups = [...(s.groups ?? []), { displayName: 'Councillors', members: [] }]; });
    const sim = await startSimulator({ scenarios: [scenario] });
    try {
      const errors: string[] = [];
      const out = mkdtempSync(join(tmpdir(), 'cg-out-'));
      const env = { ...process.env, ...sim.env(), COUNCILGUARD_STORAGE: process.env.COUNCILGUARD_TEST_STORAGE };
      const config = configFor(scenario);
      const code = await auditCommand({ config, out, dataDir: join(out, '.data') }, env, { ...silentLogger, error: (m) => errors.push(m) });
      expect(code).toBe(2);
      const ids = sim.tenant().groups.filter((g) => g.displayName === 'Councillors').map((g) => g.id);
      expect(new Set(ids).size).toBe(2);
      expect(errors.join('\n')).toMatch(new RegExp(`more than one group is called "Councillors" \\(${ids[0]}, ${ids[1]}\\).*set councillorGroup in the council config to the id`));

      const real = sim.tenant().groups.find((g) => g.displayName === 'Councillors' && g.members.length)!;
      const byId = JSON.parse(readFileSync(config, 'utf8'));
      byId.councils[0].councillorGroup = real.id;
      writeFileSync(config, JSON.stringify(byId));
      expect((await audit(sim, config)).code).toBe(0);
    } finally {
      await sim.close();
    }
  });

  it('bad usage exits 2 with the fix: missing config, unknown tenant', async () => {
    const sim = await startSimulator({ scenarios: [demoTenant()] });
    try {
      await expect(audit(sim, '/nonexistent/councils.json')).rejects.toThrow(/does not exist; give the path of the JSON file with --config/);
      await expect(audit(sim, configFor(demoTenant()), { tenant: randomUUID() })).rejects.toThrow(/No council in the config is called or has the tenant id "[0-9a-f-]+"; the config lists Example Parish Council/);
    } finally {
      await sim.close();
    }
  });
});
