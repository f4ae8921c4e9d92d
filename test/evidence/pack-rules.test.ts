// The pack's rules on records made directly (no tenant): each suggested answer's Yes, No and "Cannot
// tell" cases, the year's boundaries in UK time, and what the nightly record keeps from the action log.
import { buildEvidencePack, financialYear, financialYearOf } from '../../jobs/evidence';
import { summariseActions } from '../../jobs/run-record';
import type { RunRecord } from '../../core/evidence';
import type { LoggedAction } from '../../store';
import { parseCouncilFile } from '../../jobs/council-context';
import type { CouncilConfig } from '../../policy/council-config';
import { renderEvidenceHtml } from '../../reports/evidence-html';
import { parseEvidenceJson, renderEvidenceJson } from '../../reports/evidence-json';
import { days, runRecord, stored } from '../support/run-records';

const DOMAIN = 'rulesparish.gov.uk';
const council = (change: Record<string, unknown> = {}): CouncilConfig => parseCouncilFile({ councils: [{
  name: 'Rules Parish Council', tenantId: '0b5c1a2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d', profile: 'wivelsfield-2023', domains: [DOMAIN], councillorGroup: 'Councillors',
  clerk: `clerk@${DOMAIN}`, sharePoint: { siteUrl: 'https://rulesparish.sharepoint.com/sites/council', library: 'Documents' },
  roster: [{ userPrincipalName: `cllr.a@${DOMAIN}`, termStart: '2022-05-05', termEnd: '2027-05-06' }],
  policy: { adopted: '2023-05-10', reviewed: '2026-05-12' },
  ...change,
}] }, 'test').councils[0];

const NOW = new Date('2027-04-01T02:00:00.000Z');
const FY = financialYear('2026-27', NOW);
const role = (inScope: number, covered: number) => ({ inScope, registered: covered, enforced: covered, covered });

/** A clean night: own verified domain, the clerk's and the councillor's accounts, everyone protected by MFA. */
function clean(c: CouncilConfig, night: string, change: Partial<RunRecord> = {}): RunRecord {
  return runRecord(c, night, {
    domains: [{ id: DOMAIN, verified: true, isDefault: true }, { id: 'rulesparish.onmicrosoft.com', verified: true, isDefault: false }],
    clerkMailbox: { address: c.clerk, present: true, enabled: true },
    councillorAccounts: [{ upn: `cllr.a@${DOMAIN}`, present: true, enabled: true }],
    mfa: { councillors: role(5, 5), staff: role(1, 1), admins: role(1, 1) },
    intuneLicensed: false,
    checks: [{ id: 'mail.external-forwarding', status: 'pass', clauses: ['mail.forwarding'] }, { id: 'identity.password-policy', status: 'pass', clauses: ['identity.passwords'] }],
    ...change,
  });
}

const year = (c: CouncilConfig, make: (night: string, i: number) => RunRecord | undefined) =>
  buildEvidencePack({ council: c, fy: FY, stored: stored(days(FY.firstNight, FY.lastNight).map(make).filter((r): r is RunRecord => !!r)), generatedAt: NOW.toISOString() });
const section = (pack: ReturnType<typeof year>, id: string) => pack.sections.find((s) => s.id === id)!;

describe('the financial year', () => {
  it('runs 1 April to 31 March in UK days; a year in progress ends today; one not begun is refused', () => {
    expect(FY).toEqual({ year: '2026-27', firstNight: '2026-04-01', lastNightOfYear: '2027-03-31', lastNight: '2027-03-31' });
    expect(financialYear('2026-27', new Date('2026-11-30T12:00:00Z')).lastNight).toBe('2026-11-30');
    expect(() => financialYear('2027-28', new Date('2027-03-31T22:59:00Z'))).toThrow(/has not begun \(it starts on 1 April 2027\)/);
    // 23:30 UTC on 31 March 2027 is 00:30 BST on 1 April: the new year has begun in the UK.
    expect(financialYear('2027-28', new Date('2027-03-31T23:30:00Z')).lastNight).toBe('2027-04-01');
    expect(financialYearOf(new Date('2027-03-31T23:30:00Z'))).toBe('2027-28');
    expect(financialYearOf(new Date('2027-03-31T22:30:00Z'))).toBe('2026-27');
    expect(() => financialYear('1999-00', NOW)).not.toThrow();
  });
});

describe('the suggested answers', () => {
  it('a clean year: Yes for email, the policy and data protection, with the reasons', () => {
    const c = council();
    const pack = year(c, (n) => clean(c, n));
    expect(pack.sections.map((s) => [s.id, s.answer])).toEqual([['email-domain', 'Yes'], ['it-policy', 'Yes'], ['data-protection', 'Yes'], ['not-visible', 'For the council to evidence']]);
    expect(pack.coverage).toEqual({ nightsInPeriod: 365, nightsAudited: 365, missedNights: [] });
    expect(section(pack, 'data-protection').reasons).toEqual(expect.arrayContaining(['No mailbox or file content was read during the year: monitoring read metadata only.', 'Intune is not licensed, so device encryption cannot be seen from the tenant.']));
    expect(section(pack, 'data-protection').tables.find((t) => t.id === 'mfa')!.rows[0]).toEqual(['April 2026', '5 of 5 (100%)', '1 of 1 (100%)', '1 of 1 (100%)']);
  });

  it('email: only the onmicrosoft.com domain, or a free-mail clerk domain, is No', () => {
    const c = council();
    const pack = year(c, (n) => clean(c, n, { domains: [{ id: 'rulesparish.onmicrosoft.com', verified: true, isDefault: true }] }));
    expect(section(pack, 'email-domain').answer).toBe('No');
    expect(section(pack, 'email-domain').reasons.join(' ')).toMatch(/no verified domain of its own: only the onmicrosoft\.com domain or a free mail service/);
    const free = council({ domains: ['gmail.com'], clerk: 'rules.clerk@gmail.com', roster: [] });
    const freePack = year(free, (n) => clean(free, n, { domains: [{ id: 'gmail.com', verified: false, isDefault: false }] }));
    expect(section(freePack, 'email-domain').reasons.join(' ')).toMatch(/configured domains include a free mail service \(gmail\.com\)/);
  });

  it('email: forwarding still in place at the year end is No; one that came back is a second episode', () => {
    const c = council();
    const fwd = { id: 'fwd1', checkId: 'mail.external-forwarding', kind: 'inbox-rule', severity: 'high' as const, subject: `cllr.a@${DOMAIN}`, firstSeen: '2026-06-01T01:00:00.000Z', recipients: ['a@gmail.com'] };
    const pack = year(c, (n) => {
      if (n >= '2026-06-01' && n < '2026-06-10') return clean(c, n, { findings: [fwd] });
      if (n === '2026-06-10') return clean(c, n, { resolved: [{ id: 'fwd1', checkId: 'mail.external-forwarding', subject: fwd.subject, resolvedAt: '2026-06-10T01:00:00.000Z' }] });
      if (n >= '2027-03-01') return clean(c, n, { findings: [fwd] });
      return clean(c, n);
    });
    const s = section(pack, 'email-domain');
    expect(s.answer).toBe('No');
    expect(s.figures).toMatchObject({ forwardingFound: 2, forwardingResolved: 1, forwardingOpenAtEnd: 1 });
    expect(s.tables.find((t) => t.id === 'forwarding')!.rows).toEqual([
      [`cllr.a@${DOMAIN}`, 'inbox-rule', 'a@gmail.com', 'personal or free mail service', '2026-06-01', '2026-06-10'],
      [`cllr.a@${DOMAIN}`, 'inbox-rule', 'a@gmail.com', 'personal or free mail service', '2027-03-01', 'still found on 31 Mar 2027'],
    ]);
  });

  it('IT policy: a review more than 12 months before the year end is No and flagged', () => {
    const c = council({ policy: { adopted: '2023-05-10', reviewed: '2026-04-15' } });
    expect(section(year(c, (n) => clean(c, n)), 'it-policy')).toMatchObject({ answer: 'Yes', figures: { reviewAgeMonths: 11 } });
    const old = council({ policy: { adopted: '2023-05-10', reviewed: '2026-03-01' } });
    const s = section(year(old, (n) => clean(old, n)), 'it-policy');
    expect(s.answer).toBe('No');
    expect(s.reasons[0]).toMatch(/last review \(1 Mar 2026\) was more than 12 months before 31 Mar 2027: the policy is due for review/);
  });

  it('IT policy: each clause\'s share of nights met counts only nights it was measured', () => {
    const c = council();
    const pack = year(c, (n, i) => clean(c, n, { checks: [{ id: 'mail.external-forwarding', status: i < 100 ? 'fail' : i < 165 ? 'skipped' : 'pass', clauses: ['mail.forwarding'] }] }));
    expect(section(pack, 'it-policy').tables.find((t) => t.id === 'clauses')!.rows).toEqual([['15', expect.stringMatching(/forward/), 300, 200, '66.6%']]);
  });

  it('data protection: content read outside a surrender, a failed verification, an unprotected administrator are each No', () => {
    const c = council();
    const pack = year(c, (n, i) => clean(c, n, {
      mfa: { councillors: role(5, 4), staff: role(1, 1), admins: role(2, i > 300 ? 1 : 2) },
      actions: { since: '', byAction: {}, contentReads: { bySurrender: i === 10 ? 4 : 0, other: i === 20 ? 1 : 0 }, milestones: i === 10 ? [{ upn: `cllr.b@${DOMAIN}`, step: 'verify', result: 'failed', at: '2026-04-11T01:00:00.000Z' }] : [] },
    }));
    const s = section(pack, 'data-protection');
    expect(s.answer).toBe('No');
    expect(s.reasons).toEqual([
      'at the last measurement 1 administrator(s) were not protected by MFA',
      '1 surrender(s) ended with a failed verification',
      'the action log records 1 read(s) of mailbox or file content that were not part of a surrender',
      'Intune is not licensed, so device encryption cannot be seen from the tenant.',
    ]);
    expect(s.figures).toMatchObject({ contentReadsBySurrender: 4, contentReadsOther: 1, leavers: 1, surrenderVerificationsFailed: 1 });
  });

  it('data protection: a year without MFA measured cannot tell', () => {
    const c = council();
    expect(section(year(c, (n) => clean(c, n, { mfa: undefined })), 'data-protection').answer).toBe('Cannot tell from the tenant');
  });

  it('a year with no records: every component cannot tell, the page says so, nothing suggests compliance', () => {
    const c = council();
    const pack = year(c, () => undefined);
    expect(pack.sections.map((s) => s.answer)).toEqual(['Cannot tell from the tenant', 'Cannot tell from the tenant', 'Cannot tell from the tenant', 'For the council to evidence']);
    expect(pack.coverage).toEqual({ nightsInPeriod: 365, nightsAudited: 0, missedNights: ['1 Apr 2026 – 31 Mar 2027'] });
    expect(renderEvidenceHtml(pack)).toContain('This pack is not evidence of compliance.');
  });

  it('a night audited twice counts once in the nightly figures; both runs are listed for integrity', () => {
    const c = council();
    const nights = days(FY.firstNight, FY.lastNight);
    const records = nights.map((n) => clean(c, n));
    records.push(clean(c, '2026-05-01', { generatedAt: '2026-05-01T09:00:00.000Z', runId: 'rerun', checks: [{ id: 'mail.external-forwarding', status: 'fail', clauses: ['mail.forwarding'] }, { id: 'identity.password-policy', status: 'pass', clauses: ['identity.passwords'] }] }));
    const pack = buildEvidencePack({ council: c, fy: FY, stored: stored(records), generatedAt: NOW.toISOString() });
    expect(pack.coverage.nightsAudited).toBe(365);
    expect(pack.records).toHaveLength(366);
    expect(pack.profiles[0].nights).toBe(365);
    // The re-run's failure stands for 1 May; the earlier pass that night is not counted as well.
    expect(section(pack, 'it-policy').tables.find((t) => t.id === 'clauses')!.rows).toEqual(expect.arrayContaining([['15', expect.stringMatching(/forward/), 365, 364, '99.7%']]));
    expect(section(pack, 'email-domain').tables.find((t) => t.id === 'clerk')!.rows[0]).toEqual([c.clerk, 'yes', 365, 365]);
  });

  it('a record of another tenant, or not a record, is refused rather than used', () => {
    const c = council();
    const other = { ...clean(c, '2026-05-01'), tenantId: '11111111-2222-4333-8444-555555555555' };
    expect(() => buildEvidencePack({ council: c, fy: FY, stored: stored([other]), generatedAt: NOW.toISOString() })).toThrow(/is not a version 1 record of tenant 0b5c1a2d/);
    expect(() => buildEvidencePack({ council: c, fy: FY, stored: [{ name: 'x/2026-05-01/r.json', night: '2026-05-01', bytes: Buffer.from('{') }], generatedAt: NOW.toISOString() })).toThrow(/is not valid JSON/);
  });

  it('evidence.json round-trips through its schema; an edited one is refused', () => {
    const c = council();
    const json = renderEvidenceJson(year(c, (n) => clean(c, n)));
    expect(parseEvidenceJson(json).coverage.nightsAudited).toBe(365);
    expect(() => parseEvidenceJson(json.replace('"answer": "Yes"', '"answer": "Probably"'))).toThrow(/does not match the evidence schema/);
  });
});

describe('the nightly record\'s action log summary', () => {
  const action = (a: Partial<LoggedAction>): LoggedAction => ({ id: 'x', at: '2026-05-01T01:00:00.000Z', tenantId: 't', actor: 'clerk', action: 'content.read', target: 't', result: 'done', ...a });
  it('counts reads by the surrender apart from any other, and keeps the surrender\'s verify and hand-over', () => {
    const s = summariseActions([
      action({ detail: 'Read 3 event(s) and wrote them to Councillor archives/x/Calendar (surrender s1).' }),
      action({ detail: 'Read a message for a look' }),
      action({ action: 'surrender.verify', target: `archive of cllr.a@${DOMAIN}`, result: 'done' }),
      action({ action: 'surrender.hand-over', target: 'Councillor archives/Cllr A – term ended 2026-05-07', result: 'done' }),
      action({ action: 'plan.create' }),
    ], '2026-04-30T01:00:00.000Z');
    expect(s.contentReads).toEqual({ bySurrender: 1, other: 1 });
    expect(s.byAction).toEqual({ 'content.read': 2, 'surrender.verify': 1, 'surrender.hand-over': 1, 'plan.create': 1 });
    expect(s.milestones.map((m) => [m.step, m.upn])).toEqual([['verify', `cllr.a@${DOMAIN}`], ['hand-over', 'Councillor archives/Cllr A – term ended 2026-05-07']]);
  });
});
