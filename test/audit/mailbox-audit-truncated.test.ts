// A Purview audit query that stops at its record limit still reports succeeded ("auditLogQuery resource
// type"); the mailbox-access part is then partial with the reason, never silently complete.
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
import { validateFindings } from '../../reports/findings-json';

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

describe('mailbox.access-audit with a truncated audit query', () => {
  it('over the record limit: the records seen are reported and the audit-log parts are partial with the reason', async () => {
    const result = await audit((s) => {
      s.auditQuery = { ...(s.auditQuery ?? {}), recordCountLimit: 1 };
      s.auditRecords = [...s.auditRecords!, { operation: 'MailItemsAccessed', user: 'rfo@exampleparish.gov.uk', mailboxOwner: 'cllr.ahmed@exampleparish.gov.uk', at: '-2h', logonType: 1 }];
    });
    const check = result.document.checks.find((c) => c.id === 'mailbox.access-audit')!;
    expect(check.status).not.toBe('pass');
    expect(check.partialSkips).toEqual(expect.arrayContaining([
      { part: 'mailbox-access', reason: { code: 'incomplete-results', detail: expect.stringMatching(/stopped at its record limit of 1 \(about \d+ records matched\).*Microsoft Purview/) } },
    ]));
    expect(validateFindings(result.document)).toEqual([]);
    expect(String(result.files['report.html'])).toContain('Only partly checked: the Purview audit log query stopped at its record limit');
  });

  it('within the limit: no partial skip', async () => {
    const result = await audit((s) => { s.auditQuery = { ...(s.auditQuery ?? {}), recordCountLimit: 1000 }; });
    expect(result.document.checks.find((c) => c.id === 'mailbox.access-audit')!.partialSkips ?? []).toEqual([]);
  });
});
