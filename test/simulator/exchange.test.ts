// The Exchange admin REST subset: InvokeCommand with and without Exchange.ManageAsApp, Get-Mailbox
// paging, cmdlets that change state and read back, Exchange-shaped errors.
import { buildScenario, startSimulator, type RunningSimulator } from '../../simulator';
import { call, tokenFor } from './raw';

interface Cmdlet<T = Record<string, unknown>> { value: T[]; '@odata.nextLink'?: string; error?: { code: string; message: string } }

describe('Exchange InvokeCommand', () => {
  let sim: RunningSimulator;
  const connected = buildScenario({
    name: 'exo', people: ['ann', 'bob', 'cat', 'dan', { userPrincipalName: 'eve@testparish.gov.uk', mailbox: { forwardingSmtpAddress: 'eve@gmail.com', deliverToMailboxAndForward: true } }],
  });
  const unconnected = buildScenario({ name: 'exo-none', exchangeManageAsApp: false, people: ['ann'] });
  let token: string;
  beforeAll(async () => {
    sim = await startSimulator({ scenarios: [connected, unconnected] });
    token = await tokenFor(sim, { resource: `${sim.url}/exchange` });
  });
  afterAll(() => sim.close());

  const invoke = <T = Record<string, unknown>>(name: string, parameters: Record<string, unknown> = {}, opts: { tenantId?: string; token?: string } = {}) =>
    call<Cmdlet<T>>(sim, 'POST', `/exchange/adminapi/beta/${opts.tenantId ?? connected.tenantId}/InvokeCommand`, {
      token: opts.token ?? token, body: { CmdletInput: { CmdletName: name, Parameters: parameters } }, headers: { 'X-AnchorMailbox': `APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@${opts.tenantId ?? connected.tenantId}` },
    });

  it('Get-Mailbox returns the forwarding fields in Exchange\'s shapes', async () => {
    const res = await invoke<{ UserPrincipalName: string; ForwardingSmtpAddress: string | null; DeliverToMailboxAndForward: boolean; RecipientTypeDetails: string }>('Get-Mailbox', { ResultSize: 'Unlimited' });
    expect(res.status).toBe(200);
    expect(res.body['@odata.context' as keyof Cmdlet]).toBeDefined();
    const eve = res.body.value.find((m) => m.UserPrincipalName.startsWith('eve'))!;
    expect(eve).toMatchObject({ ForwardingSmtpAddress: 'smtp:eve@gmail.com', DeliverToMailboxAndForward: true, RecipientTypeDetails: 'UserMailbox' });
    expect(res.body.value.find((m) => m.UserPrincipalName.startsWith('ann'))!.ForwardingSmtpAddress).toBeNull();
  });

  it('Get-Mailbox pages with @odata.nextLink that a GET continues', async () => {
    sim.setPageSize(2);
    try {
      const seen: string[] = [];
      let res = await invoke<{ UserPrincipalName: string }>('Get-Mailbox', { ResultSize: 'Unlimited' });
      seen.push(...res.body.value.map((m) => m.UserPrincipalName));
      let pages = 1;
      while (res.body['@odata.nextLink']) {
        res = await call<Cmdlet<{ UserPrincipalName: string }>>(sim, 'GET', res.body['@odata.nextLink'], { token });
        expect(res.status).toBe(200);
        seen.push(...res.body.value.map((m) => m.UserPrincipalName));
        pages++;
      }
      expect(pages).toBe(3);
      expect(seen.map((u) => u.split('@')[0])).toEqual(['ann', 'bob', 'cat', 'dan', 'eve']);
    } finally {
      sim.setPageSize(undefined);
    }
  });

  it('the organisation\'s outbound policy, and setting it, read back', async () => {
    expect((await invoke('Get-HostedOutboundSpamFilterPolicy')).body.value).toEqual([expect.objectContaining({ Identity: 'Default', AutoForwardingMode: 'Automatic' })]);
    expect((await invoke('Set-HostedOutboundSpamFilterPolicy', { Identity: 'Default', AutoForwardingMode: 'Off' })).status).toBe(200);
    expect((await invoke('Get-HostedOutboundSpamFilterPolicy')).body.value[0]).toMatchObject({ AutoForwardingMode: 'Off' });
    expect((await invoke('Set-HostedOutboundSpamFilterPolicy', { Identity: 'Default', AutoForwardingMode: 'Sometimes' })).status).toBe(400);
  });

  it('Set-Mailbox clears forwarding and converts to shared; mailbox permissions add and list', async () => {
    expect((await invoke('Set-Mailbox', { Identity: 'eve@testparish.gov.uk', ForwardingSmtpAddress: null, Type: 'Shared' })).status).toBe(200);
    expect((await invoke('Get-Mailbox', { Identity: 'eve@testparish.gov.uk' })).body.value[0]).toMatchObject({ ForwardingSmtpAddress: null, RecipientTypeDetails: 'SharedMailbox' });
    expect((await invoke('Add-MailboxPermission', { Identity: 'eve@testparish.gov.uk', User: 'ann@testparish.gov.uk', AccessRights: ['FullAccess'], InheritanceType: 'All' })).status).toBe(200);
    const perms = await invoke<{ User: string; AccessRights: string[] }>('Get-MailboxPermission', { Identity: 'eve@testparish.gov.uk' });
    expect(perms.body.value.map((p) => p.User)).toEqual(['NT AUTHORITY\\SELF', 'ann@testparish.gov.uk']);
    expect(perms.body.value[1].AccessRights).toEqual(['FullAccess']);
  });

  it('an unknown cmdlet or mailbox gets an Exchange-shaped error', async () => {
    const unknown = await invoke('Remove-Everything');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: 'BadRequest', message: expect.stringMatching(/'Remove-Everything' is not recognized/) });
    const missing = await invoke('Get-Mailbox', { Identity: 'nobody@testparish.gov.uk' });
    expect(missing.status).toBe(404);
    expect(missing.body.error!.message).toMatch(/ManagementObjectNotFoundException.*couldn't be found/);
  });

  it('without Exchange.ManageAsApp the call is 401; without a token 401; another tenant\'s token 401', async () => {
    const noRole = await tokenFor(sim, { tenantId: unconnected.tenantId, resource: `${sim.url}/exchange` });
    expect((await invoke('Get-Mailbox', {}, { tenantId: unconnected.tenantId, token: noRole })).status).toBe(401);
    expect((await call(sim, 'POST', `/exchange/adminapi/beta/${connected.tenantId}/InvokeCommand`, { body: {} })).status).toBe(401);
    expect((await invoke('Get-Mailbox', {}, { tenantId: unconnected.tenantId })).status).toBe(401);
  });
});
