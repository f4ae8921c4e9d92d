// Writes persist and read back, through the API and in the live tenant state: users, sessions, mailbox
// settings, inbox rules, group members, licences, sendMail, Conditional Access, security defaults,
// device retire; and the Purview audit query's life cycle.
import { buildScenario, E5, startSimulator, type RunningSimulator } from '../../simulator';
import { allPages, call, tokenFor } from './raw';

describe('writes read back', () => {
  let sim: RunningSimulator;
  let token: string;
  const scenario = buildScenario({
    name: 'writes',
    skus: [E5],
    users: [
      { userPrincipalName: 'clerk@testparish.gov.uk', mfa: { methods: ['microsoftAuthenticator'] } },
      {
        userPrincipalName: 'cllr.a@testparish.gov.uk', licences: ['SPE_E5'], risk: { riskState: 'atRisk', riskLevel: 'high' },
        mailbox: { rules: [{ displayName: 'Forward home', forwardTo: ['a@gmail.com'] }, { displayName: 'Old one', isEnabled: false, redirectTo: ['a@outlook.com'] }] },
      },
      { userPrincipalName: 'outsider@partner.example', userType: 'Guest' },
    ],
    groups: [{ displayName: 'Councillors', members: ['cllr.a@testparish.gov.uk'] }],
    conditionalAccessPolicies: [{ displayName: 'MFA for all', state: 'enabledForReportingButNotEnforced', includeUsers: ['All'], excludeUsers: ['clerk@testparish.gov.uk'] }],
    managedDevices: [{ deviceName: 'A-LAPTOP', user: 'cllr.a@testparish.gov.uk', isEncrypted: false, complianceState: 'noncompliant' }],
    auditRecords: [
      { operation: 'MailItemsAccessed', user: 'clerk@testparish.gov.uk', mailboxOwner: 'cllr.a@testparish.gov.uk', at: '-3h' },
      { operation: 'MailItemsAccessed', user: 'cllr.a@testparish.gov.uk', mailboxOwner: 'cllr.a@testparish.gov.uk', at: '-2h' },
      { operation: 'Send', user: 'cllr.a@testparish.gov.uk', at: '-1h' },
      { operation: 'MailItemsAccessed', user: 'clerk@testparish.gov.uk', mailboxOwner: 'cllr.a@testparish.gov.uk', at: '-50h' },
    ],
    auditQuery: { pollsUntilDone: 2 },
  });
  const A = 'cllr.a@testparish.gov.uk';
  beforeAll(async () => {
    sim = await startSimulator({ scenarios: [scenario] });
    token = await tokenFor(sim);
  });
  afterAll(() => sim.close());
  const user = (upn: string) => sim.tenant().users.find((u) => u.userPrincipalName === upn)!;

  it('PATCH user (sign-in, password policies and profile) and revokeSignInSessions change the user', async () => {
    expect((await call(sim, 'PATCH', `/users/${A}`, { token, body: { accountEnabled: false, passwordPolicies: 'None', passwordProfile: { forceChangePasswordNextSignIn: true } } })).status).toBe(204);
    expect((await call(sim, 'GET', `/users/${A}?$select=accountEnabled,passwordPolicies`, { token })).body).toMatchObject({ accountEnabled: false, passwordPolicies: 'None' });
    expect(user(A).forceChangePasswordNextSignIn).toBe(true);
    expect((await call(sim, 'POST', `/users/${A}/revokeSignInSessions`, { token })).body).toMatchObject({ value: true });
    expect(user(A).sessionsRevokedAt).toBeDefined();
  });

  it('mailbox settings: the automatic reply is set and read back', async () => {
    const reply = { status: 'alwaysEnabled', externalAudience: 'all', internalReplyMessage: 'I have left the council.', externalReplyMessage: 'Please write to the clerk.' };
    expect((await call(sim, 'PATCH', `/users/${A}/mailboxSettings`, { token, body: { automaticRepliesSetting: reply } })).status).toBe(200);
    expect((await call(sim, 'GET', `/users/${A}/mailboxSettings`, { token })).body).toMatchObject({ automaticRepliesSetting: reply });
  });

  it('inbox rules: disable one, delete another, and the list shows it', async () => {
    const rules = (await call<{ value: { id: string; displayName: string; isEnabled: boolean; actions: { forwardTo?: { emailAddress: { address: string } }[] } }[] }>(sim, 'GET', `/users/${A}/mailFolders/inbox/messageRules`, { token })).body.value;
    expect(rules[0].actions.forwardTo![0].emailAddress.address).toBe('a@gmail.com');
    expect((await call(sim, 'PATCH', `/users/${A}/mailFolders/inbox/messageRules/${rules[0].id}`, { token, body: { isEnabled: false } })).body).toMatchObject({ id: rules[0].id, isEnabled: false });
    expect((await call(sim, 'DELETE', `/users/${A}/mailFolders/inbox/messageRules/${rules[1].id}`, { token })).status).toBe(204);
    const after = (await call<{ value: { displayName: string; isEnabled: boolean }[] }>(sim, 'GET', `/users/${A}/mailFolders/inbox/messageRules`, { token })).body.value;
    expect(after).toEqual([expect.objectContaining({ displayName: 'Forward home', isEnabled: false })]);
    expect((await call(sim, 'DELETE', `/users/${A}/mailFolders/inbox/messageRules/${rules[1].id}`, { token })).status).toBe(404);
  });

  it('group members: removed and added back with $ref', async () => {
    const group = (await call<{ value: { id: string }[] }>(sim, 'GET', `/groups?$filter=${encodeURIComponent("displayName eq 'Councillors'")}&$select=id`, { token })).body.value[0];
    const members = async () => (await call<{ value: { id: string }[] }>(sim, 'GET', `/groups/${group.id}/members?$select=id`, { token })).body.value.map((m) => m.id);
    expect(await members()).toEqual([user(A).id]);
    expect((await call(sim, 'DELETE', `/groups/${group.id}/members/${user(A).id}/$ref`, { token })).status).toBe(204);
    expect(await members()).toEqual([]);
    expect((await call(sim, 'POST', `/groups/${group.id}/members/$ref`, { token, body: { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${user(A).id}` } })).status).toBe(204);
    expect(await members()).toEqual([user(A).id]);
  });

  it('assignLicense removes a licence by skuId', async () => {
    const sku = (await call<{ value: { skuId: string }[] }>(sim, 'GET', '/subscribedSkus', { token })).body.value[0];
    expect(user(A).assignedLicenses.map((l) => l.skuId)).toEqual([sku.skuId]);
    expect((await call(sim, 'POST', `/users/${A}/assignLicense`, { token, body: { addLicenses: [], removeLicenses: [sku.skuId] } })).status).toBe(200);
    expect((await call(sim, 'GET', `/users/${A}?$select=assignedLicenses`, { token })).body).toMatchObject({ assignedLicenses: [] });
  });

  it('sendMail lands in each internal recipient\'s Inbox and the sender\'s Sent Items; external addresses leave the tenant', async () => {
    const message = {
      subject: 'Archive ready', body: { contentType: 'Text', content: 'See the archive.' },
      toRecipients: [{ emailAddress: { address: 'clerk@testparish.gov.uk' } }, { emailAddress: { address: 'someone@elsewhere.example' } }],
      attachments: [{ '@odata.type': '#microsoft.graph.fileAttachment', name: 'summary.html', contentBytes: Buffer.from('<p>hi</p>').toString('base64') }],
    };
    expect((await call(sim, 'POST', `/users/${A}/sendMail`, { token, body: { message } })).status).toBe(202);
    const inbox = await call<{ value: { subject: string; hasAttachments: boolean; from: { emailAddress: { address: string } } }[] }>(sim, 'GET', '/users/clerk@testparish.gov.uk/mailFolders/inbox/messages?$select=subject,hasAttachments,from', { token });
    expect(inbox.body.value).toEqual([expect.objectContaining({ subject: 'Archive ready', hasAttachments: true, from: { emailAddress: { address: A } } })]);
    const sent = await call<{ value: { subject: string }[] }>(sim, 'GET', `/users/${A}/mailFolders/sentitems/messages?$select=subject`, { token });
    expect(sent.body.value.map((m) => m.subject)).toEqual(['Archive ready']);
    expect((await call(sim, 'POST', `/users/${A}/sendMail`, { token, body: { message: { subject: 'x', toRecipients: [{ emailAddress: { address: 'not an address' } }] } } })).status).toBe(400);
  });

  it('Conditional Access: create and switch a policy on; security defaults off and on', async () => {
    const created = await call<{ id: string }>(sim, 'POST', '/identity/conditionalAccess/policies', { token, body: {
      displayName: 'Require MFA', state: 'enabledForReportingButNotEnforced',
      conditions: { users: { includeUsers: ['All'], excludeUsers: [] }, applications: { includeApplications: ['All'] } },
      grantControls: { operator: 'OR', builtInControls: ['mfa'] },
    } });
    expect(created.status).toBe(201);
    expect((await call(sim, 'PATCH', `/identity/conditionalAccess/policies/${created.body.id}`, { token, body: { state: 'enabled' } })).status).toBe(204);
    const policies = (await call<{ value: { displayName: string; state: string; conditions: { users: { excludeUsers: string[] } } }[] }>(sim, 'GET', '/identity/conditionalAccess/policies', { token })).body.value;
    expect(policies.map((p) => `${p.displayName}:${p.state}`)).toEqual(['MFA for all:enabledForReportingButNotEnforced', 'Require MFA:enabled']);
    // Scenario users are given by UPN and served as object ids, as Graph stores them.
    expect(policies[0].conditions.users.excludeUsers).toEqual([user('clerk@testparish.gov.uk').id]);
    expect((await call(sim, 'PATCH', '/policies/identitySecurityDefaultsEnforcementPolicy', { token, body: { isEnabled: true } })).status).toBe(204);
    expect((await call(sim, 'GET', '/policies/identitySecurityDefaultsEnforcementPolicy', { token })).body).toMatchObject({ isEnabled: true });
  });

  it('a device is retired; risky users (P2) and registration details (P1) are served', async () => {
    const devices = (await call<{ value: { id: string; isEncrypted: boolean; userPrincipalName: string }[] }>(sim, 'GET', '/deviceManagement/managedDevices', { token })).body.value;
    expect(devices).toEqual([expect.objectContaining({ isEncrypted: false, userPrincipalName: A })]);
    expect((await call(sim, 'POST', `/deviceManagement/managedDevices/${devices[0].id}/retire`, { token })).status).toBe(204);
    expect(sim.tenant().managedDevices[0].managementState).toBe('retirePending');
    expect((await call(sim, 'GET', '/identityProtection/riskyUsers', { token })).body).toMatchObject({ value: [{ userPrincipalName: A, riskState: 'atRisk', riskLevel: 'high' }] });
    const details = (await call<{ value: { userPrincipalName: string; isMfaRegistered: boolean }[] }>(sim, 'GET', '/reports/authenticationMethods/userRegistrationDetails', { token })).body.value;
    expect(details.map((d) => `${d.userPrincipalName}:${d.isMfaRegistered}`)).toEqual(['clerk@testparish.gov.uk:true', `${A}:false`, 'outsider@partner.example:false']);
  });

  it('an audit query goes notStarted → running → succeeded after the set polls, then pages its records in the window', async () => {
    const now = Date.now();
    const created = await call<{ id: string; status: string }>(sim, 'POST', '/security/auditLog/queries', { token, body: {
      displayName: 'mailbox access', filterStartDateTime: new Date(now - 24 * 3600_000).toISOString(), filterEndDateTime: new Date(now).toISOString(), operationFilters: ['MailItemsAccessed'],
    } });
    expect([created.status, created.body.status]).toEqual([201, 'notStarted']);
    const statuses: string[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await call<{ status: string }>(sim, 'GET', `/security/auditLog/queries/${created.body.id}`, { token })).body.status);
    expect(statuses).toEqual(['notStarted', 'running', 'succeeded', 'succeeded']);
    sim.setPageSize(1);
    try {
      const pages = await allPages<{ operation: string; userPrincipalName: string; auditData: { MailboxOwnerUPN?: string } }>(sim, token, `/security/auditLog/queries/${created.body.id}/records`);
      expect(pages).toHaveLength(2);
      expect(pages.flatMap((p) => p.value).map((r) => `${r.userPrincipalName}>${r.auditData.MailboxOwnerUPN}`)).toEqual([`clerk@testparish.gov.uk>${A}`, `${A}>${A}`]);
    } finally {
      sim.setPageSize(undefined);
    }
  });

  it('an audit query can be made to fail', async () => {
    sim.tenant().scenario.auditQuery = { pollsUntilDone: 0, fail: true };
    const created = await call<{ id: string }>(sim, 'POST', '/security/auditLog/queries', { token, body: { filterStartDateTime: new Date(Date.now() - 3600_000).toISOString(), filterEndDateTime: new Date().toISOString() } });
    expect((await call(sim, 'GET', `/security/auditLog/queries/${created.body.id}`, { token })).body).toMatchObject({ status: 'failed' });
  });
});
