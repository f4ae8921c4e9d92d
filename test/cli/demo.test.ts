import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { demoCommand } from '../../cli/commands/demo';
import { silentLogger } from '../../core/logger';
import type { FindingsDocument } from '../../core/findings';
import { validateFindings } from '../../reports/findings-json';
import { loadProfile } from '../../policy/load';

const D = 'exampleparish.gov.uk';

describe('councilguard demo (npm start)', () => {
  it('audits the demo tenant end to end: every planted breach with its clause, and no near-miss', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'cg-demo-')), 'demo');
    const lines: string[] = [];
    const code = await demoCommand({ out }, { ...silentLogger, info: (m) => lines.push(m) });
    expect(code).toBe(0);
    expect(lines.join('\n')).toContain(`Report: ${join(out, 'report.html')}`);

    const doc = JSON.parse(readFileSync(join(out, 'findings.json'), 'utf8')) as FindingsDocument;
    expect(validateFindings(doc)).toEqual([]);
    const seen = doc.findings.map((f) => `${f.checkId} ${f.kind} ${f.severity} ${f.subject.userPrincipalName ?? f.subject.name}`).sort();
    expect(seen).toEqual([
      `accounts.term-ended term-ended high cllr.leaving@${D}`,
      `devices.compliance not-encrypted high cllr.iqbal@${D}`,
      'files.external-sharing anyone-link high /Finance/Precept 2026-27.xlsx',
      `files.outside-sharepoint onedrive-files medium cllr.clarke@${D}`,
      `identity.mfa-enforcement mfa-not-required medium cllr.evans@${D}`,
      `identity.mfa-registration not-registered medium cllr.davies@${D}`,
      `identity.password-policy weak-password-allowed high cllr.foster@${D}`,
      `mail.external-forwarding inbox-rule high cllr.ahmed@${D}`,
      `mail.external-forwarding inbox-rule-disabled info cllr.brown@${D}`, // disabled rule: noted, not a breach
      `mailbox.access-audit mailbox-access medium cllr.green@${D}`,
    ]);
    // Near-misses: internal forwarding (clerk -> RFO), organisation-only link, break-glass excluded from
    // CA, the report-only CA policy, the IT supplier's allowed mailbox access: none appear above.
    const profile = loadProfile('model-council');
    for (const f of doc.findings) for (const key of f.clauses) expect(profile.clauses[key]).toBeDefined();
    // Without Entra ID P2 the leaked-credentials part is a skip, never a failure.
    expect(doc.checks.find((c) => c.id === 'identity.password-policy')?.partialSkips).toEqual([
      expect.objectContaining({ part: 'password-compromise', reason: expect.objectContaining({ code: 'not-licensed' }) }),
    ]);

    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('Clause 6.1.5');
    expect(html).toContain('<svg');
    expect(readFileSync(join(out, 'findings.csv'), 'utf8').startsWith('\uFEFFid,checkId')).toBe(true);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/\*\*5\*\* high, \*\*4\*\* medium/);
  });
});
