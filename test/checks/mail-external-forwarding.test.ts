import { mailExternalForwarding as check } from '../../checks/catalogue/mail-external-forwarding';
import type { MailboxForwarding, SnapshotMessageRule } from '../../core/snapshot';
import { IDS, UPN, failed, makeSnapshot, missingPermission, notConnected, ok, run } from '../support/snapshot-factory';

const to = (address?: string | null, name = 'x') => ({ emailAddress: address === undefined ? { name } : { name, address } });
const rules = (list: SnapshotMessageRule[]) => ok({ [IDS.cllrA]: list, [IDS.clerk]: [] });

describe('mail.external-forwarding', () => {
  it('flags an enabled rule forwarding outside the council as high', () => {
    const outcome = run(check, makeSnapshot({ inboxRules: rules([{ id: 'rule-1', displayName: 'To my Gmail', isEnabled: true, actions: { forwardTo: [to('alice@gmail.com')] } }]) }));
    expect(outcome.status).toBe('fail');
    expect(outcome.findings).toEqual([expect.objectContaining({
      kind: 'inbox-rule', key: 'rule-1', severity: 'high', subject: expect.objectContaining({ type: 'mailbox', id: IDS.cllrA }),
      clauses: ['mail.forwarding', 'mail.council-account'],
    })]);
    expect(outcome.findings[0].summary).toContain('alice@gmail.com');
  });

  it('treats a disabled external rule as info, so the check only warns', () => {
    const outcome = run(check, makeSnapshot({ inboxRules: rules([{ id: 'rule-2', isEnabled: false, actions: { redirectTo: [to('alice@gmail.com')] } }]) }));
    expect(outcome.findings.map((f) => f.severity)).toEqual(['info']);
    expect(outcome.status).toBe('warn');
  });

  it('does not flag internal forwarding, subdomains or allowed domains', () => {
    const outcome = run(check, makeSnapshot({ inboxRules: rules([
      { id: 'r-clerk', isEnabled: true, actions: { forwardTo: [to('clerk@exampleparish.gov.uk')], forwardAsAttachmentTo: [to('CLERK@ExampleParish.gov.uk')] } },
      { id: 'r-sub', isEnabled: true, actions: { redirectTo: [to('x@lists.exampleparish.gov.uk')] } },
      { id: 'r-onms', isEnabled: true, actions: { redirectTo: to('admin@exampleparish.onmicrosoft.com') } },
      { id: 'r-allowed', isEnabled: true, actions: { forwardTo: [to('office@county.gov.uk')] } },
    ]) }), { council: { allowedForwardingDomains: ['county.gov.uk'] } });
    expect(outcome.status).toBe('pass');
  });

  it.each([
    ['look-alike suffix', 'clerk@exampleparish.gov.uk.example.net'],
    ['digit for letter', 'clerk@examp1eparish.gov.uk'],
    ['punycode homoglyph', 'clerk@xn--xampleparish-rck.gov.uk'],
    ['no domain', 'clerk'],
  ])('flags a look-alike destination (%s)', (_why, address) => {
    const outcome = run(check, makeSnapshot({ inboxRules: rules([{ id: 'r-look', isEnabled: true, actions: { forwardTo: [to(address)] } }]) }));
    expect(outcome.findings).toEqual([expect.objectContaining({ kind: 'inbox-rule', severity: 'high' })]);
  });

  it('accepts redirectTo as a single object', () => {
    const outcome = run(check, makeSnapshot({ inboxRules: rules([{ id: 'r-obj', isEnabled: true, actions: { redirectTo: to('x@evil.example') } }]) }));
    expect(outcome.findings[0].evidence.externalRecipients).toEqual([{ action: 'redirectTo', address: 'x@evil.example', name: 'x' }]);
  });

  it('reports a recipient without an address as a low "unknown recipient" finding', () => {
    const outcome = run(check, makeSnapshot({ inboxRules: rules([{ id: 'r-unknown', isEnabled: true, actions: { forwardTo: [to(undefined, 'Someone')] } }]) }));
    expect(outcome.findings).toEqual([expect.objectContaining({ severity: 'low' })]);
    expect(outcome.findings[0].summary).toMatch(/cannot tell where it goes/);
    expect(outcome.status).toBe('warn');
  });

  it('does not throw on odd rule data', () => {
    const odd = [
      { id: 'r-null', actions: null },
      { id: 'r-empty', actions: {} },
      { id: 'r-nulls', actions: { forwardTo: null, redirectTo: null, forwardAsAttachmentTo: [null as never, { emailAddress: null }] } },
      null as never,
    ] as SnapshotMessageRule[];
    const outcome = run(check, makeSnapshot({ inboxRules: ok({ [IDS.cllrA]: odd, 'no-such-user': [{ id: 'r-x', actions: { forwardTo: [to('x@evil.example')] } }] }) }));
    expect(outcome.findings.map((f) => f.key)).toEqual(['r-nulls', 'r-x']);
    expect(outcome.findings.find((f) => f.key === 'r-x')?.subject).toEqual({ type: 'mailbox', id: 'no-such-user', name: 'no-such-user' });
  });

  it('flags external mailbox-level forwarding as high and ignores internal forwarding', () => {
    const mailboxes: MailboxForwarding[] = [
      { userPrincipalName: UPN.cllrA, forwardingSmtpAddress: 'smtp:alice.home@gmail.com', deliverToMailboxAndForward: false },
      { userPrincipalName: UPN.cllrB, forwardingSmtpAddress: 'smtp:clerk@exampleparish.gov.uk', deliverToMailboxAndForward: true },
      { userPrincipalName: UPN.rfo, forwardingAddress: 'Clare Clerk' },
    ];
    const outcome = run(check, makeSnapshot({ mailboxForwarding: ok(mailboxes) }));
    expect(outcome.findings).toEqual([expect.objectContaining({ kind: 'mailbox-forwarding', key: 'forwarding-smtp', severity: 'high', subject: expect.objectContaining({ id: IDS.cllrA }) })]);
    expect(outcome.findings[0].summary).toMatch(/no copy is kept/);
  });

  it('asks about a ForwardingAddress that is not a council account', () => {
    const outcome = run(check, makeSnapshot({ mailboxForwarding: ok([{ userPrincipalName: UPN.rfo, forwardingAddress: 'Rita personal contact' }]) }));
    expect(outcome.findings).toEqual([expect.objectContaining({ key: 'forwarding-recipient', severity: 'medium' })]);
  });

  it('flags the organisation allowing all external auto-forwarding, but not "Automatic"', () => {
    expect(run(check, makeSnapshot({ orgForwardingPolicy: ok({ autoForwardingMode: 'On' }) })).findings).toEqual([expect.objectContaining({ kind: 'org-auto-forwarding', severity: 'medium', subject: expect.objectContaining({ type: 'tenant' }) })]);
    expect(run(check, makeSnapshot({ orgForwardingPolicy: ok({ autoForwardingMode: 'Automatic' }) })).status).toBe('pass');
    expect(run(check, makeSnapshot({ orgForwardingPolicy: ok({ autoForwardingMode: 'Off' }) })).status).toBe('pass');
  });

  it('still judges inbox rules when Exchange is not connected, naming the parts it skipped', () => {
    const outcome = run(check, makeSnapshot({
      mailboxForwarding: notConnected(), orgForwardingPolicy: notConnected(),
      inboxRules: rules([{ id: 'rule-1', isEnabled: true, actions: { forwardTo: [to('alice@gmail.com')] } }]),
    }));
    expect(outcome.status).toBe('fail');
    expect(outcome.partialSkips?.map((p) => [p.part, p.reason.code])).toEqual([['mailbox-forwarding', 'not-connected'], ['org-auto-forwarding', 'not-connected']]);
  });

  it('is skipped only when nothing at all could be read', () => {
    const outcome = run(check, makeSnapshot({ inboxRules: missingPermission('MailboxSettings.Read'), mailboxForwarding: notConnected(), orgForwardingPolicy: notConnected() }));
    expect(outcome).toMatchObject({ status: 'skipped', skipReason: { code: 'missing-permission', detail: expect.stringContaining('MailboxSettings.Read') } });
  });

  it('is an error when the inbox rules read failed, keeping what the other parts found', () => {
    const outcome = run(check, makeSnapshot({ inboxRules: failed('HTTP 500'), orgForwardingPolicy: ok({ autoForwardingMode: 'On' }) }));
    expect(outcome.status).toBe('error');
    expect(outcome.findings.map((f) => f.kind)).toEqual(['org-auto-forwarding']);
  });

  it('is skipped by policy when the council allows external forwarding', () => {
    expect(run(check, makeSnapshot(), { profile: { externalForwardingAllowed: true } })).toMatchObject({ status: 'skipped', skipReason: { code: 'disabled-by-policy' } });
  });

  it('judges with member addresses when the verified domains cannot be read', () => {
    const outcome = run(check, makeSnapshot({
      domains: missingPermission('Domain.Read.All'),
      inboxRules: rules([{ id: 'r-onms', isEnabled: true, actions: { forwardTo: [to(UPN.admin)] } }, { id: 'r-ext', isEnabled: true, actions: { forwardTo: [to('a@gmail.com')] } }]),
    }));
    expect(outcome.findings.map((f) => f.key)).toEqual(['r-ext']);
  });
});
