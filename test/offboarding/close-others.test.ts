// close touches nothing that is not the leaver's, and never fails on someone else's design: other
// people's devices stay managed even when Intune ignores a userId filter; groups Graph cannot change
// (distribution lists, mail-enabled security groups without Exchange, synced groups) and group-given
// licences are listed for the IT supplier in the record, the certificate and the clerk's page.
import { runOffboarding, startOffboarding, surrenderView, readCertificate } from '../../jobs/offboarding';
import { cliOwner, surrenderId } from '../../offboarding/state';
import { devicesOwnedBy, groupRemovalRoute } from '../../offboarding/steps/close';
import { stableId } from '../../simulator/ids';
import type { SimGroup, TenantState } from '../../simulator/state';
import { GraphRequestError } from '../../graph/errors';
import { CLERK, DOMAIN, harness, leaver, LEAVER, TERM_END, type Harness } from './support';

const STAYING = `cllr.staying@${DOMAIN}`;

function userId(t: TenantState, upn: string): string {
  return t.users.find((u) => u.userPrincipalName === upn)!.id;
}

/** Others' devices, and groups of every kind the leaver is in; one synced group gives a licence. */
function plantOthers(t: TenantState): { skuId: string } {
  const leaverId = userId(t, LEAVER);
  const stayingId = userId(t, STAYING);
  const clerkId = userId(t, CLERK);
  for (const [name, owner] of [['STAYING-LAPTOP', stayingId], ['CLERK-PHONE', clerkId]] as const) {
    t.managedDevices.push({ id: stableId(t.tenantId, 'device', name), deviceName: name, userId: owner, managementState: 'managed', operatingSystem: 'Windows', isEncrypted: true, complianceState: 'compliant' });
  }
  const skuId = t.skus[0].skuId;
  const group = (displayName: string, kind: SimGroup['kind'], members: string[], extra: Partial<SimGroup> = {}): void => {
    t.groups.push({ id: stableId(t.tenantId, 'group', displayName), displayName, members, kind, onPremisesSyncEnabled: false, skuIds: [], memberGroups: [], roles: [], ...extra });
  };
  group('Parish news', 'distribution', [leaverId, stayingId]);
  group('Hall keyholders', 'mailEnabledSecurity', [leaverId, stayingId]);
  group('Old domain staff', 'security', [leaverId, stayingId], { onPremisesSyncEnabled: true, skuIds: [skuId] });
  group('Council team', 'microsoft365', [leaverId, stayingId]);
  return { skuId };
}

async function surrender(h: Harness) {
  const deps = h.deps();
  const owner = cliOwner(surrenderId(h.council.tenantId, LEAVER, TERM_END));
  const started = await startOffboarding(deps, { userPrincipalName: LEAVER, termEnd: TERM_END, requestedBy: CLERK, via: 'cli' }, owner);
  return runOffboarding(deps, started.record.id, { owner });
}

describe('close: only the leaver\'s, and listed where Microsoft does not allow it', () => {
  describe('without the Exchange admin API', () => {
    let h: Harness;
    beforeAll(async () => { h = await harness({ name: 'close-others', inbox: 4 }); });
    afterAll(() => h.close());

    it('retires only the leaver\'s device, removes only what Graph can, lists the rest, and completes', async () => {
      const t = h.tenant();
      t.scenario.exchangeManageAsApp = false;
      const { skuId } = plantOthers(t);
      const before = JSON.stringify({ devices: t.managedDevices.filter((d) => d.userId !== userId(t, LEAVER)), staying: t.groups.map((g) => g.members.includes(userId(t, STAYING))) });

      const record = await surrender(h);
      expect(record.steps.close).toMatchObject({ status: 'done' });
      expect(record.status).toBe('done');

      // Only the leaver's device is retired; everyone else's devices and memberships are as they were.
      const u = leaver(t);
      expect(t.managedDevices.filter((d) => d.userId === u.id).map((d) => d.managementState)).toEqual(['retirePending']);
      expect(JSON.stringify({ devices: t.managedDevices.filter((d) => d.userId !== u.id), staying: t.groups.map((g) => g.members.includes(userId(t, STAYING))) })).toBe(before);

      const memberOf = (name: string) => t.groups.find((g) => g.displayName === name)!.members.includes(u.id);
      expect(memberOf('Councillors')).toBe(false);
      expect(memberOf('Council team')).toBe(false);
      for (const kept of ['Parish news', 'Hall keyholders', 'Old domain staff']) expect({ kept, member: memberOf(kept) }).toEqual({ kept, member: true });

      // Without the Exchange admin API nobody can tell whether an online archive exists, so nothing that
      // would close the mailbox happens: the direct licence stays and the mailbox is listed. The synced
      // group's licence stays with the group, and is listed too.
      expect(u.assignedLicenses.length).toBeGreaterThan(0);
      const left = record.leftForItSupplier ?? [];
      expect(left.map((l) => `${l.kind}:${l.name}`).sort()).toEqual(['group:Hall keyholders', 'group:Old domain staff', 'group:Parish news', `licence:${skuId}`, `mailbox:${LEAVER}`].sort());
      expect(left.find((l) => l.kind === 'mailbox')!.reason).toMatch(/licence was not removed/);
      expect(left.find((l) => l.name === 'Parish news')!.reason).toMatch(/Exchange admin/);
      expect(left.find((l) => l.name === 'Old domain staff')!.reason).toMatch(/on-premises/);

      // The certificate in the store (and so in the archive) and the clerk's page say so.
      const cert = (await readCertificate(h.store, record.id))!;
      expect(cert).toContain('Left for the IT supplier');
      for (const name of ['Parish news', 'Hall keyholders', 'Old domain staff', skuId]) expect(cert).toContain(name);
      expect(surrenderView(record).leftForItSupplier).toHaveLength(5);

      const actions = (await h.store.listActions(h.council.tenantId)).filter((a) => a.action === 'device.retire');
      expect(actions).toHaveLength(1);
    });
  });

  describe('with the Exchange admin API', () => {
    let h: Harness;
    beforeAll(async () => { h = await harness({ name: 'close-exchange', inbox: 4 }); });
    afterAll(() => h.close());

    it('removes the leaver from the distribution list and the mail-enabled security group through Exchange, nobody else', async () => {
      const t = h.tenant();
      plantOthers(t);
      const record = await surrender(h);
      expect(record.status).toBe('done');
      const u = leaver(t);
      const group = (name: string) => t.groups.find((g) => g.displayName === name)!;
      expect(group('Parish news').members).toEqual([userId(t, STAYING)]);
      expect(group('Hall keyholders').members).toEqual([userId(t, STAYING)]);
      expect(group('Old domain staff').members).toContain(u.id);
      expect((record.leftForItSupplier ?? []).map((l) => l.name)).not.toContain('Parish news');
      // With Exchange the archive was checked (none), so the mailbox closes: the direct licence is removed.
      expect((record.leftForItSupplier ?? []).map((l) => l.kind)).not.toContain('mailbox');
      expect(record.steps.close.counts).toMatchObject({ licencesRemoved: 1 });
    });
  });
});

describe('the simulator models what Microsoft documents and reports', () => {
  let h: Harness;
  beforeAll(async () => { h = await harness({ name: 'close-sim', inbox: 1 }); plantOthers(h.tenant()); });
  afterAll(() => h.close());

  it('ignores a userId $filter on /deviceManagement/managedDevices, and /users/{id}/managedDevices lists only theirs', async () => {
    const id = userId(h.tenant(), LEAVER);
    const filtered = await h.graph.pageAll<{ userId: string }>('/deviceManagement/managedDevices', ['id', 'userId'], { filter: `userId eq '${id}'` });
    expect(new Set(filtered.map((d) => d.userId)).size).toBeGreaterThan(1);
    const own = await h.graph.pageAll<{ userId: string }>(`/users/${id}/managedDevices`, ['id', 'userId']);
    expect(own.map((d) => d.userId)).toEqual([id]);
  });

  it('refuses Graph membership changes to distribution lists, mail-enabled security groups and synced groups', async () => {
    const t = h.tenant();
    const id = userId(t, LEAVER);
    for (const name of ['Parish news', 'Hall keyholders', 'Old domain staff']) {
      const g = t.groups.find((x) => x.displayName === name)!;
      const err = await h.graph.send('DELETE', `/groups/${g.id}/members/${id}/$ref`).catch((e: unknown) => e);
      expect({ name, status: (err as GraphRequestError).status }).toEqual({ name, status: 400 });
    }
    const memberOf = await h.graph.pageAll<{ displayName: string; mailEnabled: boolean; securityEnabled: boolean; groupTypes: string[]; onPremisesSyncEnabled: boolean | null }>(`/users/${id}/memberOf`, ['displayName', 'mailEnabled', 'securityEnabled', 'groupTypes', 'onPremisesSyncEnabled']);
    expect(memberOf.find((g) => g.displayName === 'Parish news')).toMatchObject({ mailEnabled: true, securityEnabled: false, groupTypes: [] });
    expect(memberOf.find((g) => g.displayName === 'Council team')).toMatchObject({ mailEnabled: true, securityEnabled: false, groupTypes: ['Unified'] });
    expect(memberOf.find((g) => g.displayName === 'Old domain staff')).toMatchObject({ onPremisesSyncEnabled: true });
  });

  it('reports a group-given licence in licenseAssignmentStates and refuses to remove it from the user', async () => {
    const t = h.tenant();
    const id = userId(t, STAYING);
    const sku = t.skus[0].skuId;
    t.users.find((u) => u.id === id)!.assignedLicenses = [];
    const user = await h.graph.get<{ assignedLicenses: { skuId: string }[]; licenseAssignmentStates: { skuId: string; assignedByGroup: string | null }[] }>(`/users/${id}`, ['assignedLicenses', 'licenseAssignmentStates']);
    expect(user.assignedLicenses.map((l) => l.skuId)).toEqual([sku]);
    expect(user.licenseAssignmentStates).toEqual([expect.objectContaining({ skuId: sku, assignedByGroup: t.groups.find((g) => g.displayName === 'Old domain staff')!.id })]);
    const err = await h.graph.send('POST', `/users/${id}/assignLicense`, { addLicenses: [], removeLicenses: [sku] }).catch((e: unknown) => e);
    expect((err as GraphRequestError).status).toBe(400);
    expect((err as Error).message).toMatch(/inherited from a group/);
  });

  it('removes a member of a distribution list through Exchange, and refuses a synced group there', async () => {
    const t = h.tenant();
    const dl = t.groups.find((g) => g.displayName === 'Parish news')!;
    const r = await h.graph.exchange.invoke('Remove-DistributionGroupMember', { Identity: dl.id, Member: STAYING }, STAYING);
    expect(r.connected).toBe(true);
    expect(dl.members).not.toContain(userId(t, STAYING));
    const synced = t.groups.find((g) => g.displayName === 'Old domain staff')!;
    synced.kind = 'distribution';
    await expect(h.graph.exchange.invoke('Remove-DistributionGroupMember', { Identity: synced.id, Member: LEAVER }, LEAVER)).rejects.toThrow(/on-premises/);
  });
});

describe('close\'s rules, on their own', () => {
  it('never takes a device whose primary user is someone else, whatever the listing held', () => {
    const devices = [{ id: 'a', userId: 'ME' }, { id: 'b', userId: 'someone' }, { id: 'c', userId: null }, { id: 'd' }];
    expect(devicesOwnedBy(devices, 'me').map((d) => d.id)).toEqual(['a']);
  });

  it('routes each kind of group to Graph, Exchange or the IT supplier', () => {
    expect(groupRemovalRoute({ id: '1', groupTypes: [], mailEnabled: false, securityEnabled: true }).via).toBe('graph');
    expect(groupRemovalRoute({ id: '2', groupTypes: ['Unified'], mailEnabled: true, securityEnabled: false }).via).toBe('graph');
    expect(groupRemovalRoute({ id: '3', groupTypes: [], mailEnabled: true, securityEnabled: false }).via).toBe('exchange');
    expect(groupRemovalRoute({ id: '4', groupTypes: [], mailEnabled: true, securityEnabled: true }).via).toBe('exchange');
    expect(groupRemovalRoute({ id: '5', groupTypes: [], securityEnabled: true, onPremisesSyncEnabled: true }).via).toBe('none');
    expect(groupRemovalRoute({ id: '6', groupTypes: ['DynamicMembership'] }).via).toBe('none');
    expect(groupRemovalRoute({ id: '7', groupTypes: [], securityEnabled: true, isAssignableToRole: true }).via).toBe('none');
  });
});
