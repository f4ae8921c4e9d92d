import { mailboxAccessAudit as check } from '../../checks/catalogue/mailbox-access-audit';
import type { AuditRecord, SignInRecord } from '../../core/snapshot';
import { IDS, UPN, failed, makeSnapshot, missingPermission, notLicensed, ok, run } from '../support/snapshot-factory';

let n = 0;
const rec = (r: Partial<AuditRecord> & { operation: string }): AuditRecord => ({ id: `rec-${++n}`, userPrincipalName: UPN.clerk, createdDateTime: '2025-06-09T14:03:00Z', clientIp: '81.2.69.160', ...r });
const audit = (records: AuditRecord[], pendingQueryId?: string) => makeSnapshot({ mailboxAudit: ok({ records, ...(pendingQueryId ? { pendingQueryId } : {}) }) });
const signIn = (s: Partial<SignInRecord>): SignInRecord => ({ id: `si-${++n}`, userPrincipalName: UPN.cllrA, createdDateTime: '2025-06-09T20:00:00Z', countryOrRegion: 'GB', errorCode: 0, clientAppUsed: 'Browser', ...s });

describe('mailbox.access-audit', () => {
  it('reports access to a mailbox by someone other than its owner, one finding per accessor and operation', () => {
    const outcome = run(check, audit([
      rec({ operation: 'MailItemsAccessed', mailboxOwnerUpn: UPN.cllrA, createdDateTime: '2025-06-09T09:00:00Z' }),
      rec({ operation: 'MailItemsAccessed', mailboxOwnerUpn: UPN.cllrA, createdDateTime: '2025-06-09T14:03:00Z' }),
      rec({ operation: 'SendAs', mailboxOwnerUpn: UPN.cllrA }),
    ]));
    expect(outcome.status).toBe('fail');
    expect(outcome.findings.map((f) => [f.kind, f.key, f.subject.id, f.severity])).toEqual([
      ['mailbox-access', `${UPN.clerk}|mailitemsaccessed`, IDS.cllrA, 'medium'],
      ['mailbox-access', `${UPN.clerk}|sendas`, IDS.cllrA, 'medium'],
    ]);
    expect(outcome.findings[0].evidence).toMatchObject({ count: 2, firstSeen: '2025-06-09T09:00:00Z', lastSeen: '2025-06-09T14:03:00Z', clientIps: ['81.2.69.160'] });
    expect(outcome.findings[0].summary).toContain('9 June 2025, 15:03'); // BST
    expect(outcome.findings[0].summary).toMatch(/^Clare Clerk \(clerk@exampleparish\.gov\.uk\) opened items in Cllr Alice Able's mailbox/);
    expect(outcome.findings[0].clauses).toEqual(['monitoring.proportionate']);
  });

  it('ignores the owner\'s own access and the IT supplier\'s accounts and apps', () => {
    const outcome = run(check, audit([
      rec({ operation: 'MailItemsAccessed', userPrincipalName: UPN.cllrA, mailboxOwnerUpn: 'Cllr.A@ExampleParish.gov.uk' }),
      rec({ operation: 'MailItemsAccessed', userPrincipalName: 'Support@Supplier.example', mailboxOwnerUpn: UPN.cllrA }),
      rec({ operation: 'MailItemsAccessed', userPrincipalName: '', appId: '99999999-0000-0000-0000-000000000001', mailboxOwnerUpn: UPN.cllrB }),
      rec({ operation: 'Add-MailboxPermission', detail: { Identity: UPN.cllrB, User: 'support@supplier.example', AccessRights: 'FullAccess' } }),
      rec({ operation: 'MailItemsAccessed' }), // no owner recorded: nothing to compare
    ]));
    expect(outcome.status).toBe('pass');
  });

  it('reports an unknown app reading a mailbox by its app id', () => {
    const outcome = run(check, audit([rec({ operation: 'MailItemsAccessed', userPrincipalName: '', appId: 'abcdef00-0000-0000-0000-000000000000', mailboxOwnerUpn: UPN.cllrB })]));
    expect(outcome.findings[0]).toMatchObject({ key: 'app:abcdef00-0000-0000-0000-000000000000|mailitemsaccessed', subject: { id: IDS.cllrB } });
  });

  it('reports a mailbox permission grant, citing admin credentials too', () => {
    const outcome = run(check, audit([rec({ operation: 'Add-MailboxPermission', userPrincipalName: UPN.admin, detail: { Identity: 'Cllr Ben Baker', User: UPN.rfo, AccessRights: 'FullAccess' } })]));
    expect(outcome.findings).toEqual([expect.objectContaining({ kind: 'mailbox-permission', key: UPN.rfo, subject: expect.objectContaining({ id: IDS.cllrB }), clauses: ['monitoring.proportionate', 'identity.admin-credentials'] })]);
    expect(outcome.findings[0].summary).toContain('FullAccess');
    expect(outcome.findings[0].remediation).toContain('Remove-MailboxPermission -Identity "Cllr Ben Baker" -User "rfo@exampleparish.gov.uk" -AccessRights FullAccess');
  });

  it('reports forwarding and inbox-rule changes that send mail outside, not internal ones', () => {
    const outcome = run(check, audit([
      rec({ operation: 'Set-Mailbox', userPrincipalName: UPN.admin, detail: { Identity: UPN.cllrA, ForwardingSmtpAddress: 'smtp:alice@gmail.com' } }),
      rec({ operation: 'Set-Mailbox', userPrincipalName: UPN.admin, detail: { Identity: UPN.cllrB, ForwardingSmtpAddress: 'smtp:clerk@exampleparish.gov.uk' } }),
      rec({ operation: 'Set-Mailbox', userPrincipalName: UPN.admin, detail: { Identity: UPN.rfo, ForwardingSmtpAddress: '' } }),
      rec({ operation: 'New-InboxRule', userPrincipalName: UPN.cllrB, mailboxOwnerUpn: UPN.cllrB, detail: { Name: 'fwd', ForwardTo: '"Ben" [SMTP:ben@examp1eparish.gov.uk]' } }),
      rec({ operation: 'Set-InboxRule', userPrincipalName: UPN.rfo, detail: { Identity: `${UPN.rfo}\\to clerk`, RedirectTo: 'clerk@exampleparish.gov.uk' } }),
    ]));
    expect(outcome.findings.map((f) => [f.kind, f.subject.id])).toEqual([
      ['forwarding-change', IDS.cllrA],
      ['inbox-rule-change', IDS.cllrB],
    ]);
  });

  it('reports successful sign-ins from countries the council does not expect, grouped per person and country', () => {
    const outcome = run(check, makeSnapshot({ signIns: ok([
      signIn({ countryOrRegion: 'RU' }),
      signIn({ countryOrRegion: 'RU', createdDateTime: '2025-06-09T21:00:00Z' }),
      signIn({ countryOrRegion: 'GB' }),
      signIn({ countryOrRegion: 'NG', errorCode: 50126 }), // failed attempt: noise
      signIn({ countryOrRegion: 'FR', userPrincipalName: 'support@supplier.example' }),
      signIn({ countryOrRegion: '' }),
    ]) }));
    expect(outcome.findings).toEqual([expect.objectContaining({ kind: 'sign-in-location', key: 'RU', severity: 'medium', subject: expect.objectContaining({ id: IDS.cllrA }) })]);
    expect(outcome.findings[0].evidence).toMatchObject({ count: 2 });
    expect(outcome.findings[0].summary).toContain('from Russia (RU), outside the countries the council expects (United Kingdom (GB))');
  });

  it('makes no sign-in findings when no allowed countries are configured', () => {
    expect(run(check, makeSnapshot({ signIns: ok([signIn({ countryOrRegion: 'RU' })]) }), { council: { allowedSignInCountries: [] } }).status).toBe('pass');
  });

  it('warns, not errors, while the audit query is still running', () => {
    const outcome = run(check, audit([], 'query-123'));
    expect(outcome.status).toBe('warn');
    expect(outcome.findings).toEqual([expect.objectContaining({ kind: 'audit-pending', severity: 'info', key: 'audit-query' })]);
  });

  it('skips only the sign-in part without Entra ID P1', () => {
    const outcome = run(check, makeSnapshot({ signIns: notLicensed('Entra ID P1') }));
    expect(outcome).toMatchObject({ status: 'pass', partialSkips: [{ part: 'sign-in-location', reason: { code: 'not-licensed' } }] });
  });

  it('is skipped with the permission named without the audit log, and errors when it failed', () => {
    expect(run(check, makeSnapshot({ mailboxAudit: missingPermission('AuditLogsQuery-Exchange.Read.All') }))).toMatchObject({ status: 'skipped', skipReason: { code: 'missing-permission', detail: expect.stringContaining('AuditLogsQuery-Exchange.Read.All') } });
    expect(run(check, makeSnapshot({ mailboxAudit: failed('the audit log query failed') })).status).toBe('error');
  });

  it('does not throw on odd records', () => {
    const odd = [null, { id: 'x', operation: 'MailItemsAccessed' }, { id: 'y', operation: 'Set-Mailbox', detail: null }, { id: 'z', operation: 'New-InboxRule', detail: { ForwardTo: ['a@gmail.com', 'b@exampleparish.gov.uk'] } }] as unknown as AuditRecord[];
    const outcome = run(check, audit(odd));
    expect(outcome.findings.map((f) => f.kind)).toEqual(['inbox-rule-change']);
  });
});
