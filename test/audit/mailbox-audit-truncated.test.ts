// A Purview audit query that stops at its record limit still reports succeeded ("auditLogQuery resource
// type"); the mailbox-access part is then partial with the reason, never silently complete.
import { validateFindings } from '../../reports/findings-json';
import { auditDemoTenant } from '../support/demo-tenant';

const audit = auditDemoTenant;

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
