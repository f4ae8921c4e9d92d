// The Business Premium tenant set up "the usual way" (simulator/scenarios/business-premium.json): broad
// grants (Directory.Read.All and Group.Read.All instead of the least-privileged reads), MFA required by a
// Conditional Access policy on an all-staff group that holds the councillor group through nesting, and
// an Exchange administrator whose role comes through a group. Every check runs and the findings are
// exactly the planted ones.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runAudit } from '../../jobs/run-audit';
import { createGraphContext } from '../../graph';
import { readEnvironment } from '../../config/env';
import { parseCouncilFile } from '../../jobs/council-context';
import { openStore } from '../../store';
import { silentLogger } from '../../core/logger';
import { startSimulator } from '../../simulator';
import { councilContext } from '../../context/council-context';
import { validateFindings } from '../../reports/findings-json';

const D = 'exampleparish.gov.uk';

describe('the business-premium scenario (set up the usual way)', () => {
  it('all nine checks run on broad grants; nested-group CA coverage is credited; the group-assigned admin is an admin', async () => {
    const path = join(__dirname, '../../simulator/scenarios/business-premium.councils.json');
    const council = parseCouncilFile(JSON.parse(readFileSync(path, 'utf8')), path).councils[0];
    const sim = await startSimulator({ scenarios: ['business-premium'] });
    try {
      const result = await runAudit(councilContext(council, { graph: createGraphContext(readEnvironment(sim.env(), council.tenantId)), store: await openStore(process.env.COUNCILGUARD_TEST_STORAGE!), log: silentLogger }));
      const doc = result.document;
      expect(validateFindings(doc)).toEqual([]);
      expect(result.missingPermissions).toEqual([]);
      expect(doc.checks.filter((c) => c.status === 'skipped' || c.status === 'error')).toEqual([]);
      const seen = doc.findings.map((f) => `${f.checkId} ${f.kind} ${f.severity} ${f.subject.userPrincipalName ?? f.subject.name}`).sort();
      expect(seen).toEqual([
        `accounts.term-ended term-ended high cllr.leaving@${D}`,
        `devices.compliance not-encrypted high cllr.iqbal@${D}`,
        'files.external-sharing anyone-link high /Finance/Precept 2026-27.xlsx',
        `files.outside-sharepoint onedrive-files medium cllr.clarke@${D}`,
        // Excluded by name from the all-staff policy; everyone else in it is covered through the nested group.
        `identity.mfa-enforcement mfa-not-required medium cllr.evans@${D}`,
        // Exchange Administrator through the "Exchange admins" group, and no second factor: high.
        `identity.mfa-registration not-registered high cllr.davies@${D}`,
        // Only an email method: it serves self-service password reset, not sign-in, so not registered.
        `identity.mfa-registration not-registered medium cllr.hughes@${D}`,
        `identity.password-policy weak-password-allowed high cllr.foster@${D}`,
        `mail.external-forwarding inbox-rule high cllr.ahmed@${D}`,
        `mail.external-forwarding inbox-rule-disabled info cllr.brown@${D}`,
        `mailbox.access-audit mailbox-access medium cllr.green@${D}`,
      ]);
      expect(doc.findings.find((f) => f.checkId === 'identity.mfa-enforcement')!.evidence.excludedBy).toEqual(['Require MFA - Council Members and Staff']);
      // No P2: PIM eligibility is said to be skipped, not assumed.
      expect(doc.checks.find((c) => c.id === 'identity.mfa-registration')!.partialSkips).toEqual([
        { part: 'eligible-admin', reason: { code: 'not-licensed', detail: 'needs a Entra ID P2 licence' } },
      ]);
    } finally {
      await sim.close();
    }
  });
});
