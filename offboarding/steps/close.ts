// close: only after verify passed. Remove the councillor from the groups Graph can change (and the
// Exchange ones through the Exchange admin API when connected), retire (selectively wipe) the councillor's
// own Intune devices, optionally convert the mailbox to shared and give the clerk FullAccess, and, once the
// grace period has passed, remove the directly assigned licences. What cannot be done by design (a synced
// group, a distribution list without Exchange, a group's licence) is listed for the IT supplier, never a
// failure. The user object is never deleted.
//
// Every write is exactly-once across crashes: its intent is saved first, and a rerun that finds an intent
// checks the tenant's current state before repeating it (a removed membership, a retired device).
import { GraphRequestError, isNotLicensedError } from '../../graph/errors';
import { loadStepData, saveStepData } from '../state';
import { licenceRemovalDue, reissueCertificate } from './hand-over';
import { auditOnce, type AuditEntry } from '../audit-once';
import { StepFailure, type LeftForItSupplier, type Step, type StepContext, type StepOutcome } from '../types';

/** A write about to happen: saved before the call, so a rerun knows to check whether it took effect. */
interface Intent {
  kind: 'group' | 'device' | 'licences' | 'shared' | 'full-access';
  /** The group or device id, or the SKU ids. */
  ref: string[];
  via?: 'graph' | 'exchange';
  entry: AuditEntry;
}

interface CloseData {
  pending?: Intent;
  groupsDone?: boolean;
  groupsRemoved?: string[];
  devicesDone?: boolean;
  devicesRetired?: string[];
  devicesNote?: string;
  exchangeDone?: boolean;
  licencesRemoved?: string[];
  left?: LeftForItSupplier[];
  /** The left-for-the-IT-supplier list the certificate in the archive shows (JSON), to reissue only on change. */
  certificateLists?: string;
}

export interface DirectoryGroup {
  '@odata.type'?: string;
  id: string;
  displayName?: string;
  groupTypes?: string[];
  mailEnabled?: boolean;
  securityEnabled?: boolean;
  onPremisesSyncEnabled?: boolean | null;
  isAssignableToRole?: boolean | null;
}

export interface ManagedDevice { id: string; deviceName?: string; managementState?: string; userId?: string | null }

/**
 * How the councillor leaves a group. Graph changes the members of cloud security and Microsoft 365 groups
 * only ("Working with groups in Microsoft Graph": mail-enabled security groups and distribution groups are
 * read-only there); those go through Exchange's Remove-DistributionGroupMember. A synced group is mastered
 * on premises, a dynamic group follows its rule, and a role-assignable group needs a permission the
 * surrender does not ask for ("Remove member").
 */
export function groupRemovalRoute(g: DirectoryGroup): { via: 'graph' | 'exchange' } | { via: 'none'; reason: string } {
  if (g.onPremisesSyncEnabled) return { via: 'none', reason: 'The group is synchronised from the on-premises directory; remove the councillor from it there (Active Directory), and the change syncs up.' };
  if (g.groupTypes?.includes('DynamicMembership')) return { via: 'none', reason: 'A dynamic group: its rule decides membership. Change the councillor\'s account attributes or the rule so they drop out.' };
  if (g.isAssignableToRole) return { via: 'none', reason: 'A role-assignable group: removing members needs RoleManagement.ReadWrite.Directory, which CouncilGuard does not ask for. Remove the councillor in Entra ID → Groups.' };
  if (g.mailEnabled && !g.groupTypes?.includes('Unified')) return { via: 'exchange' };
  return { via: 'graph' };
}

/** Only devices whose primary user is the leaver: whatever Graph returned, anyone else's device is never retired. */
export function devicesOwnedBy(devices: readonly ManagedDevice[], userId: string): ManagedDevice[] {
  return devices.filter((d) => typeof d.userId === 'string' && d.userId.toLowerCase() === userId.toLowerCase());
}

const GROUP_FIELDS = ['id', 'displayName', 'groupTypes', 'mailEnabled', 'securityEnabled', 'onPremisesSyncEnabled', 'isAssignableToRole'];

class Closer {
  private readonly data: CloseData;
  constructor(private readonly ctx: StepContext, data: CloseData) {
    this.data = data;
    data.left ??= [];
  }

  private get target() { return this.ctx.record.target!; }

  save(): Promise<void> {
    return saveStepData(this.ctx.store, this.ctx.record.id, 'close', this.data);
  }

  leave(item: LeftForItSupplier): void {
    if (!this.data.left!.some((l) => l.kind === item.kind && l.name === item.name)) this.data.left!.push(item);
  }

  /** Records the intent, acts unless the tenant already shows the effect, then logs it once. */
  private async perform(intent: Intent, inEffect: () => Promise<boolean>, act: () => Promise<void>): Promise<void> {
    this.data.pending = intent;
    await this.save();
    if (!(await inEffect())) await act();
    await this.finish();
  }

  /** Logs the finished write (once: a rerun after a crash between the log and the save finds its entry), then forgets the intent. */
  private async finish(): Promise<void> {
    const intent = this.data.pending!;
    await auditOnce(this.ctx, intent.entry);
    if (intent.kind === 'group') (this.data.groupsRemoved ??= []).push(intent.entry.target);
    if (intent.kind === 'device') (this.data.devicesRetired ??= []).push(intent.ref[0]);
    if (intent.kind === 'licences') this.data.licencesRemoved = intent.ref;
    this.data.pending = undefined;
    await this.save();
  }

  private async memberOf(): Promise<DirectoryGroup[]> {
    const all = await this.ctx.graph.pageAll<DirectoryGroup>(`/users/${this.target.id}/memberOf`, GROUP_FIELDS);
    return all.filter((o) => !o['@odata.type'] || o['@odata.type'] === '#microsoft.graph.group');
  }

  /** A write that a crash interrupted: done if the tenant shows it, otherwise done now. */
  async resumePending(): Promise<void> {
    const p = this.data.pending;
    if (!p) return;
    const inEffect = async (): Promise<boolean> => {
      switch (p.kind) {
        case 'group': return !(await this.memberOf()).some((g) => g.id === p.ref[0]);
        case 'device': return (await this.ownDevices()).every((d) => d.id !== p.ref[0] || d.managementState === 'retirePending');
        case 'licences': return (await this.licenceStates()).direct.every((s) => !p.ref.includes(s));
        case 'shared': return (await this.mailboxType()) === 'SharedMailbox';
        case 'full-access': return this.clerkHasFullAccess();
      }
    };
    if (await inEffect()) { await this.finish(); return; }
    this.data.pending = undefined;
    await this.save();
  }

  async removeFromGroups(): Promise<void> {
    const upn = this.target.userPrincipalName;
    for (const g of await this.memberOf()) {
      const name = g.displayName ?? g.id;
      const route = groupRemovalRoute(g);
      if (route.via === 'none') { this.leave({ kind: 'group', name, reason: route.reason }); continue; }
      const entry: AuditEntry = { action: 'group.remove-member', target: `${name} (${g.id})`, before: { member: upn }, after: { member: null }, result: 'done', detail: route.via === 'exchange' ? 'Removed through the Exchange admin API (Remove-DistributionGroupMember).' : undefined };
      if (route.via === 'exchange') {
        // Probe before recording an intent: without Exchange the group is listed, nothing is attempted.
        const probe = await this.ctx.graph.exchange.invoke('Get-Mailbox', { Identity: upn }, upn).catch(() => ({ connected: true as const, value: [] }));
        if (!probe.connected) {
          this.leave({ kind: 'group', name, reason: `A ${g.securityEnabled ? 'mail-enabled security group' : 'distribution list'}: Microsoft Graph cannot change its members and the Exchange admin API is not connected. Remove the councillor in the Exchange admin centre → Groups.` });
          continue;
        }
      }
      try {
        await this.perform({ kind: 'group', ref: [g.id], via: route.via, entry }, async () => false, async () => {
          if (route.via === 'graph') {
            try {
              await this.ctx.graph.send('DELETE', `/groups/${g.id}/members/${this.target.id}/$ref`);
            } catch (err) {
              if (!(err instanceof GraphRequestError && err.status === 404)) throw err;
            }
          } else {
            const r = await this.ctx.graph.exchange.invoke('Remove-DistributionGroupMember', { Identity: g.id, Member: upn, BypassSecurityGroupManagerCheck: true, Confirm: false }, upn);
            if (!r.connected) throw new GroupLeftError(`The Exchange admin API is not connected (${r.reason}). Remove the councillor in the Exchange admin centre → Groups.`);
          }
        });
      } catch (err) {
        // Graph or Exchange refused this group for a reason of its own design: list it, and carry on.
        const reason = err instanceof GroupLeftError ? err.message
          : err instanceof GraphRequestError && err.status === 400 ? `Microsoft Graph refused to change its members (${err.message.split('\n')[0]}). Remove the councillor from it in the admin centre.`
            : err instanceof Error && /^Exchange Remove-DistributionGroupMember failed/.test(err.message) ? `Exchange refused: ${err.message.replace(/^Exchange Remove-DistributionGroupMember failed with /, '')}. Remove the councillor in the Exchange admin centre → Groups.`
              : undefined;
        if (!reason) throw err;
        this.data.pending = undefined;
        this.leave({ kind: 'group', name, reason });
        await this.save();
      }
    }
  }

  private async ownDevices(): Promise<ManagedDevice[]> {
    const listed = await this.ctx.graph.pageAll<ManagedDevice>(`/users/${this.target.id}/managedDevices`, ['id', 'deviceName', 'managementState', 'userId']);
    return devicesOwnedBy(listed, this.target.id);
  }

  async retireDevices(): Promise<void> {
    let devices: ManagedDevice[];
    try {
      devices = await this.ownDevices();
    } catch (err) {
      if (isNotLicensedError(err)) { this.data.devicesNote = 'The tenant has no Intune, so no device was retired.'; return; }
      if (err instanceof GraphRequestError && err.status === 403) { this.data.devicesNote = `Devices were not checked: ${err.message}`; return; }
      throw err;
    }
    for (const d of devices) {
      if (d.managementState === 'retirePending' || this.data.devicesRetired?.includes(d.id)) continue;
      const entry: AuditEntry = { action: 'device.retire', target: `${d.deviceName ?? d.id} (${d.id})`, before: { managementState: d.managementState ?? null }, after: { managementState: 'retirePending' }, result: 'done', detail: `Council data removed from ${this.target.userPrincipalName}'s device (selective wipe); personal data stays.` };
      try {
        await this.perform({ kind: 'device', ref: [d.id], entry }, async () => false, () => this.ctx.graph.send('POST', `/deviceManagement/managedDevices/${d.id}/retire`));
      } catch (err) {
        if (!(err instanceof GraphRequestError && err.status === 403)) throw err;
        this.data.pending = undefined;
        this.leave({ kind: 'device', name: d.deviceName ?? d.id, reason: `Not retired: ${err.message.split('\n')[0]}. Retire it in Intune (Devices → the device → Retire).` });
        await this.save();
      }
    }
  }

  private async mailboxType(): Promise<string | undefined> {
    const upn = this.target.userPrincipalName;
    const r = await this.ctx.graph.exchange.invoke<{ RecipientTypeDetails?: string }>('Get-Mailbox', { Identity: upn }, upn);
    return r.connected ? r.value[0]?.RecipientTypeDetails : undefined;
  }

  private async clerkHasFullAccess(): Promise<boolean> {
    const upn = this.target.userPrincipalName;
    const r = await this.ctx.graph.exchange.invoke<{ User?: string; AccessRights?: string[] }>('Get-MailboxPermission', { Identity: upn }, upn);
    const clerk = this.ctx.council.clerk.toLowerCase();
    return r.connected && r.value.some((p) => p.User?.toLowerCase() === clerk && (p.AccessRights ?? []).some((a) => /FullAccess/i.test(a)));
  }

  async exchangeChanges(): Promise<void> {
    const { options } = this.ctx.record.request;
    const upn = this.target.userPrincipalName;
    if (options.convertToShared) {
      const entry: AuditEntry = { action: 'mailbox.convert-to-shared', target: upn, before: { type: 'UserMailbox' }, after: { type: 'SharedMailbox' }, result: 'done' };
      await this.perform({ kind: 'shared', ref: [upn], entry }, async () => (await this.mailboxType()) === 'SharedMailbox', async () => {
        const r = await this.ctx.graph.exchange.invoke('Set-Mailbox', { Identity: upn, Type: 'Shared' }, upn);
        if (!r.connected) throw new StepFailure(`The mailbox could not be converted to shared: ${r.reason}. Grant Exchange.ManageAsApp and an Exchange role, or set enforce.offboarding.convertToShared to false, then run the surrender again.`);
      });
    }
    if (options.grantClerkFullAccess) {
      const entry: AuditEntry = { action: 'mailbox.grant-full-access', target: upn, after: { user: this.ctx.council.clerk, accessRights: ['FullAccess'] }, result: 'done', detail: 'The clerk can open the surrendered mailbox.' };
      await this.perform({ kind: 'full-access', ref: [upn], entry }, () => this.clerkHasFullAccess(), async () => {
        const r = await this.ctx.graph.exchange.invoke('Add-MailboxPermission', { Identity: upn, User: this.ctx.council.clerk, AccessRights: ['FullAccess'], InheritanceType: 'All' }, upn);
        if (!r.connected) throw new StepFailure(`The clerk could not be given access to the mailbox: ${r.reason}.`);
      });
    }
  }

  /** Direct SKUs and group-inherited ones, from licenseAssignmentStates ("licenseAssignmentState resource type"). */
  async licenceStates(): Promise<{ direct: string[]; inherited: { skuId: string; groupId: string }[] }> {
    const user = await this.ctx.graph.get<{ assignedLicenses?: { skuId: string }[]; licenseAssignmentStates?: { skuId: string; assignedByGroup?: string | null }[] }>(`/users/${this.target.id}`, ['assignedLicenses', 'licenseAssignmentStates']);
    const states = user.licenseAssignmentStates ?? (user.assignedLicenses ?? []).map((l) => ({ skuId: l.skuId, assignedByGroup: null }));
    const direct = [...new Set(states.filter((s) => !s.assignedByGroup).map((s) => s.skuId))];
    const inherited = states.filter((s) => s.assignedByGroup).map((s) => ({ skuId: s.skuId, groupId: s.assignedByGroup! }));
    return { direct, inherited };
  }

  /** Group-given licences stay with the group: listed as soon as close runs, removed by the IT supplier. */
  async listInheritedLicences(): Promise<void> {
    const { inherited } = await this.licenceStates();
    for (const i of inherited) {
      this.leave({ kind: 'licence', name: i.skuId, reason: `Given by the group ${i.groupId} (group-based licensing), so it cannot be removed from the account directly. Remove the councillor from that group, or the licence from the group (Entra ID → Groups → Licenses).` });
    }
  }

  async removeLicences(): Promise<void> {
    const { direct } = await this.licenceStates();
    const entry: AuditEntry = { action: 'licence.remove', target: this.target.userPrincipalName, before: { skuIds: direct }, after: { skuIds: [] }, result: direct.length ? 'done' : 'skipped', detail: 'Directly assigned licences removed after the verified archive and its grace period; the account is kept.' };
    await this.perform({ kind: 'licences', ref: direct, entry }, async () => direct.length === 0, () => this.ctx.graph.send('POST', `/users/${this.target.id}/assignLicense`, { addLicenses: [], removeLicenses: direct }));
  }

  /** The record, the certificate and the clerk's page show what was left for the IT supplier. */
  async publishLeft(): Promise<void> {
    const lists = JSON.stringify(this.data.left);
    this.ctx.record.leftForItSupplier = this.data.left;
    await this.ctx.saveRecord();
    if (this.data.certificateLists === lists || !this.data.left!.length) return;
    await reissueCertificate(this.ctx);
    this.data.certificateLists = lists;
    await this.save();
  }

  counts() {
    return { groupsRemoved: this.data.groupsRemoved?.length ?? 0, devicesRetired: this.data.devicesRetired?.length ?? 0, licencesRemoved: this.data.licencesRemoved?.length ?? 0, leftForItSupplier: this.data.left!.length };
  }

  message(): string | undefined {
    const left = this.data.left!.length ? `${this.data.left!.length} item(s) left for the IT supplier: ${this.data.left!.map((l) => `${l.kind} ${l.name}`).join(', ')}.` : '';
    return [this.data.devicesNote, left].filter(Boolean).join(' ') || undefined;
  }
}

class GroupLeftError extends Error {}

async function run(ctx: StepContext): Promise<StepOutcome> {
  const { record, store } = ctx;
  // The rule the whole design rests on: nothing is taken away before the archive is proven.
  if (record.steps.verify.status !== 'done' || record.steps['hand-over'].status !== 'done') {
    throw new StepFailure('The archive has not been verified and handed over, so nothing is closed.');
  }
  const data = (await loadStepData<CloseData>(store, record.id, 'close')) ?? {};
  const c = new Closer(ctx, data);
  await c.resumePending();
  if (!data.groupsDone) { await c.removeFromGroups(); data.groupsDone = true; await c.save(); }
  if (!data.devicesDone) { await c.retireDevices(); data.devicesDone = true; await c.save(); }
  if (!data.exchangeDone) { await c.exchangeChanges(); data.exchangeDone = true; await c.save(); }
  if (!data.licencesRemoved) await c.listInheritedLicences();
  if (record.keepMailbox && !data.licencesRemoved) {
    // Nothing is closed that was not copied: while something in the mailbox was not copied (an online
    // archive, say), the licence stays, or Exchange would delete the mailbox 30 days later.
    c.leave({ kind: 'mailbox', name: record.target?.userPrincipalName ?? record.request.userPrincipalName, reason: `${record.keepMailbox.reason} Its licence was not removed; remove it once what remains has been dealt with.` });
    await c.publishLeft();
    return { status: 'done', counts: c.counts(), message: c.message() };
  }
  await c.publishLeft();
  if (!data.licencesRemoved) {
    const due = licenceRemovalDue(ctx);
    if (ctx.clock().getTime() < Date.parse(due)) {
      return { status: 'waiting', until: due, message: `Licences will be removed after the grace period, on or after ${due.slice(0, 10)}; run the surrender again then (the Azure orchestration waits and does it by itself).` };
    }
    await c.removeLicences();
  }
  return { status: 'done', counts: c.counts(), message: c.message() };
}

export const close: Step = {
  name: 'close',
  title: 'Close the account',
  async plan(ctx) {
    const o = ctx.record.request.options;
    return {
      step: 'close', title: this.title,
      summary: `After verification: remove from groups (those Microsoft Graph or Exchange cannot change are listed for the IT supplier), retire the councillor's own Intune devices${o.convertToShared ? ', convert the mailbox to shared' : ''}${o.grantClerkFullAccess ? ', give the clerk full access' : ''}, and remove directly assigned licences ${o.licenceGraceDays ? `${o.licenceGraceDays} day(s) after verification` : 'at once'}. The account is never deleted.`,
    };
  },
  run,
};
