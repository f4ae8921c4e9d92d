// Builds findings.json documents for report tests: valid by default, overridable piece by piece.
import type { CheckResultSummary, Finding, FindingsDocument, FindingSubject } from '../../core/findings';

export const GENERATED_AT = '2026-11-25T02:14:00.000Z';

/** Strings an attacker can put in a rule name, display name, file name or subject line. */
export const HOSTILE = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '</style><b>bold</b>',
  "' onmouseover='alert(1)",
  '<svg onload=alert(1)>',
  '<a href="javascript:alert(1)">x</a>',
  'Cllr Ŝïłvía 🐝 O\'Brien-Ñúñez 田中',
  'invoice\u202Efdp.exe',
] as const;

export const CHECKS: CheckResultSummary[] = [
  { id: 'mail.external-forwarding', title: 'Council mail forwarded outside the council', status: 'fail', clauses: ['mail.forwarding'] },
  { id: 'files.external-sharing', title: 'Council files shared outside the council', status: 'warn', clauses: ['files.sharing'] },
  { id: 'identity.password-policy', title: 'Password expiry matches the policy', status: 'pass', clauses: ['identity.passwords'] },
  { id: 'identity.mfa-enforcement', title: 'MFA required at sign-in', status: 'skipped', skipReason: { code: 'not-licensed', detail: 'needs a Microsoft Entra ID P1 licence' }, clauses: ['identity.mfa'] },
  { id: 'devices.compliance', title: 'Devices encrypted', status: 'skipped', skipReason: { code: 'missing-permission', detail: 'needs the application permission DeviceManagementManagedDevices.Read.All' }, clauses: ['devices.encryption'] },
];

export function makeFinding(i: number, over: Partial<Omit<Finding, 'subject'>> & { subject?: Partial<FindingSubject> } = {}): Finding {
  const { subject, ...rest } = over;
  return {
    id: `finding-${i}`,
    checkId: 'mail.external-forwarding',
    kind: 'inbox-rule',
    severity: 'high',
    subject: { type: 'mailbox', id: `user-${i}`, name: `Councillor ${i}`, userPrincipalName: `cllr.${i}@exampleparish.gov.uk`, ...subject },
    clauses: ['mail.forwarding'],
    summary: `An inbox rule sends Councillor ${i}'s mail to a personal address.`,
    evidence: { ruleName: `Forward ${i}`, forwardTo: [`cllr${i}@gmail.example`] },
    remediation: 'Turn the rule off in Outlook, or ask the IT supplier to remove it.',
    state: 'new',
    firstSeen: GENERATED_AT,
    lastSeen: GENERATED_AT,
    ...rest,
  };
}

export function makeDocument(over: Partial<FindingsDocument> = {}): FindingsDocument {
  return {
    schemaVersion: 1,
    tool: { name: 'CouncilGuard', version: '0.1.0-test' },
    council: 'Example Parish Council',
    tenantId: '6f1c2b9a-4d3e-4a5b-8c7d-9e0f1a2b3c4d',
    generatedAt: GENERATED_AT,
    policy: { id: 'model-council', version: '2025' },
    checks: CHECKS.map((c) => ({ ...c })),
    findings: [],
    resolved: [],
    ...over,
  };
}

/** n findings spread over severities and states, each with a long evidence list (as a big tenant gives). */
export function manyFindings(n: number): Finding[] {
  const severities = ['high', 'medium', 'low', 'info'] as const;
  return Array.from({ length: n }, (_, i) => makeFinding(i, {
    checkId: i % 3 ? 'mail.external-forwarding' : 'files.external-sharing',
    kind: i % 3 ? 'inbox-rule' : 'anonymous-link',
    severity: severities[i % 4],
    state: i % 2 ? 'new' : 'persisting',
    firstSeen: i % 2 ? GENERATED_AT : '2026-11-20T02:14:00.000Z',
    clauses: i % 3 ? ['mail.forwarding'] : ['files.sharing'],
    evidence: {
      ruleName: `Forward everything ${i}`,
      paths: Array.from({ length: 40 }, (_, j) => `/sites/council/Shared Documents/Minutes/2026/Item ${j} of finding ${i}.docx`),
      link: 'https://exampleparish.sharepoint.com/sites/council/Shared%20Documents',
    },
  }));
}

/** Earlier nights' totals, newest first (as the store returns them). */
export function nights(n: number, before = GENERATED_AT): { generatedAt: string; high: number; medium: number; low: number; info: number }[] {
  const start = Date.parse(before);
  return Array.from({ length: n }, (_, i) => ({ generatedAt: new Date(start - (i + 1) * 86_400_000).toISOString(), high: (i % 5) + 1, medium: 3, low: 1, info: 0 }));
}
