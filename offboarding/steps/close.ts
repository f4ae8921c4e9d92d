// close: only after verify passed. Remove the councillor from groups, retire (selectively wipe) their
// Intune devices where the tenant has Intune, optionally convert the mailbox to shared and give the clerk
// FullAccess (Exchange admin API), and, once the grace period has passed, remove the licences. The user
// object is never deleted.
import { GraphRequestError, isNotLicensedError } from '../../graph/errors';
import { loadStepData, saveStepData } from '../state';
import { licenceRemovalDue } from './hand-over';
import { StepFailure, type Step, type StepContext, type StepOutcome } from '../types';

interface CloseData {
  groupsDone?: boolean;
  groupsRemoved?: string[];
  groupsSkipped?: string[];
  devicesDone?: boolean;
  devicesRetired?: string[];
  devicesNote?: string;
  exchangeDone?: boolean;
  exchangeNote?: string;
  licencesRemoved?: string[];
}

interface DirectoryObject { '@odata.type'?: string; id: string; displayName?: string; groupTypes?: string[] }

async function removeFromGroups(ctx: StepContext, data: CloseData): Promise<void> {
  const target = ctx.record.target!;
  const memberOf = await ctx.graph.pageAll<DirectoryObject>(`/users/${target.id}/memberOf`, ['id', 'displayName', 'groupTypes']);
  const groups = memberOf.filter((o) => !o['@odata.type'] || o['@odata.type'] === '#microsoft.graph.group');
  data.groupsRemoved ??= [];
  data.groupsSkipped ??= [];
  for (const g of groups) {
    // A dynamic group's members follow its rule; the account drops out when its attributes change, not by removal.
    if (g.groupTypes?.includes('DynamicMembership')) {
      data.groupsSkipped.push(g.displayName ?? g.id);
      continue;
    }
    try {
      await ctx.graph.send('DELETE', `/groups/${g.id}/members/${target.id}/$ref`);
    } catch (err) {
      if (!(err instanceof GraphRequestError && err.status === 404)) throw err;
    }
    data.groupsRemoved.push(g.displayName ?? g.id);
    await ctx.audit({ action: 'group.remove-member', target: `${g.displayName ?? g.id} (${g.id})`, before: { member: target.userPrincipalName }, after: { member: null }, result: 'done' });
    await saveStepData(ctx.store, ctx.record.id, 'close', data);
  }
}

async function retireDevices(ctx: StepContext, data: CloseData): Promise<void> {
  const target = ctx.record.target!;
  let devices: { id: string; deviceName?: string; managementState?: string }[];
  try {
    devices = await ctx.graph.pageAll(`/deviceManagement/managedDevices`, ['id', 'deviceName', 'managementState', 'userId'], { filter: `userId eq '${target.id}'` });
  } catch (err) {
    if (isNotLicensedError(err)) { data.devicesNote = 'The tenant has no Intune, so no device was retired.'; return; }
    if (err instanceof GraphRequestError && err.status === 403) { data.devicesNote = `Devices were not checked: ${err.message}`; return; }
    throw err;
  }
  data.devicesRetired ??= [];
  for (const d of devices) {
    if (d.managementState === 'retirePending' || data.devicesRetired.includes(d.id)) continue;
    try {
      await ctx.graph.send('POST', `/deviceManagement/managedDevices/${d.id}/retire`);
    } catch (err) {
      if (err instanceof GraphRequestError && err.status === 403) { data.devicesNote = `Device ${d.deviceName ?? d.id} was not retired: ${err.message}`; continue; }
      throw err;
    }
    data.devicesRetired.push(d.id);
    await ctx.audit({ action: 'device.retire', target: `${d.deviceName ?? d.id} (${d.id})`, before: { managementState: d.managementState ?? null }, after: { managementState: 'retirePending' }, result: 'done', detail: `Council data removed from ${target.userPrincipalName}'s device (selective wipe); personal data stays.` });
    await saveStepData(ctx.store, ctx.record.id, 'close', data);
  }
}

async function exchangeChanges(ctx: StepContext, _data: CloseData): Promise<void> {
  const { options } = ctx.record.request;
  const upn = ctx.record.target!.userPrincipalName;
  if (options.convertToShared) {
    const r = await ctx.graph.exchange.invoke('Set-Mailbox', { Identity: upn, Type: 'Shared' }, upn);
    if (!r.connected) throw new StepFailure(`The mailbox could not be converted to shared: ${r.reason}. Grant Exchange.ManageAsApp and an Exchange role, or set enforce.offboarding.convertToShared to false, then run the surrender again.`);
    await ctx.audit({ action: 'mailbox.convert-to-shared', target: upn, before: { type: 'UserMailbox' }, after: { type: 'SharedMailbox' }, result: 'done' });
  }
  if (options.grantClerkFullAccess) {
    const r = await ctx.graph.exchange.invoke('Add-MailboxPermission', { Identity: upn, User: ctx.council.clerk, AccessRights: ['FullAccess'], InheritanceType: 'All' }, upn);
    if (!r.connected) throw new StepFailure(`The clerk could not be given access to the mailbox: ${r.reason}.`);
    await ctx.audit({ action: 'mailbox.grant-full-access', target: upn, after: { user: ctx.council.clerk, accessRights: ['FullAccess'] }, result: 'done', detail: 'The clerk can open the surrendered mailbox.' });
  }
}

async function removeLicences(ctx: StepContext, data: CloseData): Promise<void> {
  const target = ctx.record.target!;
  const user = await ctx.graph.get<{ assignedLicenses?: { skuId: string }[] }>(`/users/${target.id}`, ['assignedLicenses']);
  const skus = (user.assignedLicenses ?? []).map((l) => l.skuId);
  if (skus.length) await ctx.graph.send('POST', `/users/${target.id}/assignLicense`, { addLicenses: [], removeLicenses: skus });
  data.licencesRemoved = skus;
  await ctx.audit({ action: 'licence.remove', target: target.userPrincipalName, before: { skuIds: skus }, after: { skuIds: [] }, result: skus.length ? 'done' : 'skipped', detail: 'Removed after the verified archive and its grace period; the account is kept.' });
}

async function run(ctx: StepContext): Promise<StepOutcome> {
  const { record, store } = ctx;
  // The rule the whole design rests on: nothing is taken away before the archive is proven.
  if (record.steps.verify.status !== 'done' || record.steps['hand-over'].status !== 'done') {
    throw new StepFailure('The archive has not been verified and handed over, so nothing is closed.');
  }
  const data = (await loadStepData<CloseData>(store, record.id, 'close')) ?? {};
  const save = () => saveStepData(store, record.id, 'close', data);
  if (!data.groupsDone) { await removeFromGroups(ctx, data); data.groupsDone = true; await save(); }
  if (!data.devicesDone) { await retireDevices(ctx, data); data.devicesDone = true; await save(); }
  if (!data.exchangeDone) { await exchangeChanges(ctx, data); data.exchangeDone = true; await save(); }
  if (!data.licencesRemoved) {
    const due = licenceRemovalDue(ctx);
    if (ctx.clock().getTime() < Date.parse(due)) {
      return { status: 'waiting', until: due, message: `Licences will be removed after the grace period, on or after ${due.slice(0, 10)}; run the surrender again then (the Azure orchestration waits and does it by itself).` };
    }
    await removeLicences(ctx, data);
    await save();
  }
  return {
    status: 'done',
    counts: { groupsRemoved: data.groupsRemoved?.length ?? 0, devicesRetired: data.devicesRetired?.length ?? 0, licencesRemoved: data.licencesRemoved?.length ?? 0 },
    message: [data.devicesNote, data.groupsSkipped?.length ? `Left in dynamic group(s) ${data.groupsSkipped.join(', ')} (membership follows their rules).` : ''].filter(Boolean).join(' ') || undefined,
  };
}

export const close: Step = {
  name: 'close',
  title: 'Close the account',
  async plan(ctx) {
    const o = ctx.record.request.options;
    return {
      step: 'close', title: this.title,
      summary: `After verification: remove from groups, retire Intune devices${o.convertToShared ? ', convert the mailbox to shared' : ''}${o.grantClerkFullAccess ? ', give the clerk full access' : ''}, and remove licences ${o.licenceGraceDays ? `${o.licenceGraceDays} day(s) after verification` : 'at once'}. The account is never deleted.`,
    };
  },
  run,
};
