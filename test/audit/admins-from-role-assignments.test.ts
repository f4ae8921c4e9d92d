// Administrators come from role assignments as Entra holds them: a role assigned to a group makes its
// members (nested ones too) administrators; PIM-eligible roles count where P2 is licensed, and without
// P2 that part is skipped with its reason.
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
import { councilContext } from '../../context/council-context';

const D = 'exampleparish.gov.uk';

async function audit(change: (s: Scenario) => void) {
  const s = structuredClone(loadScenario('demo'));
  s.tenantId = randomUUID();
  change(s);
  const c = JSON.parse(readFileSync(join(__dirname, '../../simulator/scenarios/demo.councils.json'), 'utf8')).councils[0];
  const council = parseCouncilFile({ councils: [{ ...c, tenantId: s.tenantId }] }, 'test').councils[0];
  const sim = await startSimulator({ scenarios: [s] });
  try {
    return await runAudit(councilContext(council, { graph: createGraphContext(readEnvironment(sim.env(), s.tenantId)), store: await openStore(process.env.COUNCILGUARD_TEST_STORAGE!), log: silentLogger }));
  } finally {
    await sim.close();
  }
}

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
