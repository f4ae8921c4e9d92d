// The start-of-run self-check: granted roles in the token against what the enabled checks need.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { runAudit } from '../../jobs/run-audit';
import { createGraphContext } from '../../graph';
import { readEnvironment } from '../../config/env';
import { parseCouncilFile } from '../../jobs/council-context';
import { openStore } from '../../store';
import { silentLogger } from '../../core/logger';
import { loadScenario, startSimulator, type Scenario } from '../../simulator';
import { CHECK_IDS } from '../../checks';
import { councilContext } from '../../context/council-context';

async function audit(change: (s: Scenario) => void) {
  const s = structuredClone(loadScenario('demo'));
  s.tenantId = randomUUID();
  change(s);
  const c = JSON.parse(readFileSync(join(__dirname, '../../simulator/scenarios/demo.councils.json'), 'utf8')).councils[0];
  const council = parseCouncilFile({ councils: [{ ...c, tenantId: s.tenantId }] }, 'test').councils[0];
  const sim = await startSimulator({ scenarios: [s] });
  const warnings: string[] = [];
  try {
    const result = await runAudit(councilContext(council, { graph: createGraphContext(readEnvironment(sim.env(), s.tenantId)), store: await openStore(process.env.COUNCILGUARD_TEST_STORAGE!), log: { ...silentLogger, warn: (m) => warnings.push(m) } }));
    return { result, warnings };
  } finally {
    await sim.close();
  }
}

describe('permission self-check at the start of a run', () => {
  it('one permission withheld: named up front; the affected check skipped with the reason; the others complete', async () => {
    const { result, warnings } = await audit((s) => { s.grantedPermissions = s.grantedPermissions.filter((p) => p !== 'Policy.Read.All'); });
    expect(warnings[0]).toMatch(/lacks Policy\.Read\.All; these checks will be skipped until an administrator grants it: identity\.mfa-enforcement/);
    expect(result.document.checks.find((c) => c.id === 'identity.mfa-enforcement')).toMatchObject({ status: 'skipped', skipReason: { code: 'missing-permission' } });
    expect(result.document.checks.filter((c) => c.status === 'fail').length).toBe(8);
  });

  it('a token with no roles at all: every check skipped naming what to grant, nothing crashes', async () => {
    const { result, warnings } = await audit((s) => { s.grantedPermissions = []; s.exchangeManageAsApp = false; });
    expect(warnings[0]).toMatch(/lacks .*User\.Read\.All/);
    expect(result.document.checks.map((c) => c.status)).toEqual(CHECK_IDS.map(() => 'skipped'));
    expect(result.document.findings).toEqual([]);
  });
});

// Many tenants granted the broad directory permissions (older guidance, other tools) instead of the
// least-privileged ones; Graph accepts them ("List users", "List groups", "List directoryRoles"), so must we.
const BROAD_INSTEAD: Record<string, string> = { 'User.Read.All': 'Directory.Read.All', 'GroupMember.Read.All': 'Group.Read.All', 'RoleManagement.Read.Directory': 'Directory.Read.All' };

describe('permission equivalence', () => {
  it('Directory.Read.All and Group.Read.All instead of the least-privileged reads: all nine checks run, nothing is reported missing', async () => {
    const { result, warnings } = await audit((s) => {
      s.grantedPermissions = [...new Set(s.grantedPermissions.map((p) => BROAD_INSTEAD[p] ?? p))];
    });
    expect(warnings.filter((w) => /lacks/.test(w))).toEqual([]);
    expect(result.missingPermissions).toEqual([]);
    expect(result.document.checks.filter((c) => c.skipReason?.code === 'missing-permission')).toEqual([]);
    expect(result.document.checks.filter((c) => c.status === 'fail').length).toBe(9);
    expect(result.errored).toBe(false);
  });

  it('a broader permission for a different call does not count: Group.Read.All does not stand in for User.Read.All', async () => {
    const { result } = await audit((s) => {
      s.grantedPermissions = [...new Set(s.grantedPermissions.map((p) => (p === 'User.Read.All' || p === 'GroupMember.Read.All' ? 'Group.Read.All' : p)))];
    });
    expect(result.missingPermissions).toEqual(['User.Read.All']);
  });

  it('a run in which every check is skipped is not a quiet success: errored, and the report and summary open with why', async () => {
    const { result } = await audit((s) => { s.grantedPermissions = []; s.exchangeManageAsApp = false; });
    expect(result.errored).toBe(true);
    expect(result.document.notice).toMatch(/^no check could run, so nothing was audited: the app registration lacks .*User\.Read\.All.*permissions --check-tenant/);
    const summary = String(result.files['summary.md']);
    expect(summary.split('\n').slice(0, 6).join('\n')).toMatch(/\*\*Not audited:\*\* no check could run/);
    const html = String(result.files['report.html']);
    expect(html.indexOf('Not audited:')).toBeGreaterThan(-1);
    expect(html.indexOf('Not audited:')).toBeLessThan(html.indexOf('<main>'));
  });
});
