import { compareWithPrevious, findingId } from '../../jobs/compare';
import type { CheckResultSummary, FindingDraft, FindingsDocument } from '../../core/findings';

const TENANT = '11111111-1111-4111-8111-111111111111';

function draft(overrides: Partial<FindingDraft> = {}): FindingDraft {
  return {
    checkId: 'mail.external-forwarding',
    kind: 'inbox-rule',
    key: 'rule-1',
    severity: 'high',
    subject: { type: 'mailbox', id: 'user-a', name: 'Cllr A', userPrincipalName: 'cllr.a@example.gov.uk' },
    clauses: ['mail.forwarding'],
    summary: 'Forwards mail outside the council',
    evidence: {},
    remediation: 'Disable the rule',
    ...overrides,
  };
}

const ran: CheckResultSummary[] = [{ id: 'mail.external-forwarding', title: 't', status: 'fail', clauses: [] }];

function previousDoc(findings: FindingsDocument['findings']): FindingsDocument {
  return {
    schemaVersion: 1, tool: { name: 'councilguard', version: '0' }, council: 'X', tenantId: TENANT,
    generatedAt: '2026-11-24T02:00:00.000Z', policy: { id: 'model-council', version: '1' }, checks: ran, findings, resolved: [],
  };
}

describe('compareWithPrevious', () => {
  it('gives the same breach the same id on another night, and a different breach a different id', () => {
    expect(findingId(TENANT, draft())).toBe(findingId(TENANT, draft({ summary: 'reworded', severity: 'medium' })));
    expect(findingId(TENANT, draft())).not.toBe(findingId(TENANT, draft({ key: 'rule-2' })));
    expect(findingId(TENANT, draft())).not.toBe(findingId('22222222-2222-4222-8222-222222222222', draft()));
  });

  it('marks a first sighting new, then persisting with its first-seen date kept', () => {
    const first = compareWithPrevious(TENANT, [draft()], ran, undefined, '2026-11-24T02:00:00.000Z');
    expect(first.findings[0]).toMatchObject({ state: 'new', firstSeen: '2026-11-24T02:00:00.000Z' });
    const second = compareWithPrevious(TENANT, [draft()], ran, previousDoc(first.findings), '2026-11-25T02:00:00.000Z');
    expect(second.findings[0]).toMatchObject({ state: 'persisting', firstSeen: '2026-11-24T02:00:00.000Z', lastSeen: '2026-11-25T02:00:00.000Z' });
    expect(second.resolved).toEqual([]);
  });

  it('lists a finding that disappeared as resolved, but not when its check did not run tonight', () => {
    const first = compareWithPrevious(TENANT, [draft()], ran, undefined, '2026-11-24T02:00:00.000Z');
    const fixed = compareWithPrevious(TENANT, [], ran, previousDoc(first.findings), '2026-11-25T02:00:00.000Z');
    expect(fixed.resolved).toEqual([expect.objectContaining({ id: first.findings[0].id, checkId: 'mail.external-forwarding' })]);
    const skipped: CheckResultSummary[] = [{ ...ran[0], status: 'skipped', skipReason: { code: 'missing-permission', detail: 'x' } }];
    expect(compareWithPrevious(TENANT, [], skipped, previousDoc(first.findings), '2026-11-25T02:00:00.000Z').resolved).toEqual([]);
  });

  it('does not resolve a finding whose part of the check was skipped tonight', () => {
    const first = compareWithPrevious(TENANT, [draft()], ran, undefined, '2026-11-24T02:00:00.000Z');
    const partial: CheckResultSummary[] = [{ ...ran[0], status: 'pass', partialSkips: [{ part: 'inbox-rule', reason: { code: 'missing-permission', detail: 'x' } }] }];
    expect(compareWithPrevious(TENANT, [], partial, previousDoc(first.findings), '2026-11-25T02:00:00.000Z').resolved).toEqual([]);
    // Nor one of its variants (a switched-off rule comes from the same part), while another part's finding resolves.
    const variants = compareWithPrevious(TENANT, [draft({ kind: 'inbox-rule-disabled', severity: 'info' }), draft({ kind: 'mailbox-forwarding', key: 'forwarding-smtp' })], ran, undefined, '2026-11-24T02:00:00.000Z');
    expect(compareWithPrevious(TENANT, [], partial, previousDoc(variants.findings), '2026-11-25T02:00:00.000Z').resolved.map((r) => r.id))
      .toEqual([findingId(TENANT, draft({ kind: 'mailbox-forwarding', key: 'forwarding-smtp' }))]);
  });

  it('reports one breach reached twice only once', () => {
    expect(compareWithPrevious(TENANT, [draft(), draft()], ran, undefined, '2026-11-24T02:00:00.000Z').findings).toHaveLength(1);
  });
});
