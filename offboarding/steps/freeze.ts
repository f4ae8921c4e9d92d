// freeze: block sign-in and revoke sessions, so nothing in the mailbox or OneDrive is deleted while it is
// copied, and set an automatic reply pointing correspondents to the clerk.
import { loadStepData, saveStepData } from '../state';
import { auditOnce } from '../audit-once';
import type { Step, StepContext, StepOutcome } from '../types';

interface FreezeData {
  blocked?: boolean;
  revoked?: boolean;
  autoReply?: boolean;
  /** Saved before the automatic reply is set: the setting found first, for the action log. */
  autoReplyIntent?: { before: Record<string, unknown> | null };
}

export function autoReplyText(displayName: string, councilName: string, clerk: string): string {
  return `${displayName} is no longer a member of ${councilName}, and this mailbox is no longer read. Please write to the clerk, ${clerk}, who will deal with your message.`;
}

async function run(ctx: StepContext): Promise<StepOutcome> {
  const { record, store, council } = ctx;
  const target = record.target!;
  const data = (await loadStepData<FreezeData>(store, record.id, 'freeze')) ?? {};
  const save = () => saveStepData(store, record.id, 'freeze', data);

  if (!data.blocked) {
    const before = await ctx.graph.get<{ accountEnabled?: boolean }>(`/users/${target.id}`, ['accountEnabled']);
    if (before.accountEnabled !== false) await ctx.graph.send('PATCH', `/users/${target.id}`, { accountEnabled: false });
    await ctx.audit({ action: 'account.block-sign-in', target: target.userPrincipalName, before: { accountEnabled: before.accountEnabled ?? null }, after: { accountEnabled: false }, result: before.accountEnabled === false ? 'skipped' : 'done', detail: 'Sign-in blocked so nothing is deleted while the mailbox and files are copied.' });
    data.blocked = true;
    await save();
  }
  if (!data.revoked) {
    await ctx.graph.send('POST', `/users/${target.id}/revokeSignInSessions`);
    await ctx.audit({ action: 'account.revoke-sessions', target: target.userPrincipalName, result: 'done', detail: 'Every session and refresh token revoked: signed-in apps and devices must sign in again (and cannot).' });
    data.revoked = true;
    await save();
  }
  if (!data.autoReply) {
    const message = autoReplyText(target.displayName, council.name, council.clerk);
    const current = (await ctx.mailbox(() => ctx.graph.get<{ automaticRepliesSetting?: Record<string, unknown> }>(`/users/${target.id}/mailboxSettings`, ['automaticRepliesSetting']))).automaticRepliesSetting;
    const setting = { status: 'alwaysEnabled', externalAudience: 'all', internalReplyMessage: message, externalReplyMessage: message };
    // Intent first; a rerun after a crash finds the reply already set and does not set it again.
    if (!data.autoReplyIntent) { data.autoReplyIntent = { before: current ?? null }; await save(); }
    const alreadySet = current?.status === 'alwaysEnabled' && current.internalReplyMessage === message && current.externalReplyMessage === message;
    if (!alreadySet) await ctx.mailbox(() => ctx.graph.send('PATCH', `/users/${target.id}/mailboxSettings`, { automaticRepliesSetting: setting }));
    await auditOnce(ctx, { action: 'mailbox.automatic-reply', target: target.userPrincipalName, before: data.autoReplyIntent.before, after: setting, result: 'done' });
    data.autoReply = true;
    await save();
  }
  return { status: 'done' };
}

export const freeze: Step = {
  name: 'freeze',
  title: 'Block sign-in',
  async plan(ctx: StepContext) {
    return { step: 'freeze', title: this.title, summary: `Block sign-in, sign ${ctx.record.target?.displayName ?? 'the councillor'} out of every device, and set an automatic reply that points correspondents to the clerk (${ctx.council.clerk}).` };
  },
  run,
};
