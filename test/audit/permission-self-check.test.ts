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
