// forwarding: council mail must not leave the council automatically.
//  - an enabled inbox rule forwarding outside: disable it (never delete; the whole rule goes in the log,
//    and undo switches it back on exactly as it was);
//  - mailbox-level forwarding (ForwardingSmtpAddress / ForwardingAddress): clear it, Exchange admin API;
//  - the organisation's outbound auto-forwarding: set to Off, Exchange admin API.
// The Exchange parts are planned only when the Exchange admin API is connected; otherwise a note says so.
import { readInboxRules } from '../../graph/readers/mail';
import type { ActionExecutor, PlannedAction, Remediation, TargetState } from '../types';
import { clauseNumbers, ENC, findingsOf, isBreakGlass, pick } from './common';
import { WRITE_FEATURE_ENDPOINTS, permissionsOf } from '../../graph/permissions';

const CHECK = 'mail.external-forwarding';
const RULE_FIELDS = ['isEnabled', 'actions'];
const MAILBOX_FIELDS = ['ForwardingSmtpAddress', 'ForwardingAddress', 'DeliverToMailboxAndForward'];

interface Rule { id: string; displayName?: string; isEnabled?: boolean; actions?: unknown; [k: string]: unknown }

/** Each user's inbox rules, in $batch (the audit's own reader). */
async function rulesOf(ctx: Parameters<ActionExecutor['read']>[0], userIds: string[]): Promise<Record<string, Rule[]>> {
  return await readInboxRules(ctx.graph, [...new Set(userIds)]) as unknown as Record<string, Rule[]>;
}

async function readMailbox(ctx: Parameters<ActionExecutor['read']>[0], upn: string): Promise<TargetState | undefined> {
  const r = await ctx.graph.exchange.invoke<Record<string, unknown>>('Get-Mailbox', { Identity: upn }, upn);
  if (!r.connected) throw new Error(`the Exchange admin API is not connected: ${r.reason}`);
  const m = r.value[0];
  return m ? pick(m, MAILBOX_FIELDS) : undefined;
}

async function readOrgMode(ctx: Parameters<ActionExecutor['read']>[0]): Promise<TargetState | undefined> {
  const r = await ctx.graph.exchange.invoke<Record<string, unknown>>('Get-HostedOutboundSpamFilterPolicy', { Identity: 'Default' });
  if (!r.connected) throw new Error(`the Exchange admin API is not connected: ${r.reason}`);
  const p = r.value.find((x) => x.Identity === 'Default' || x.IsDefault === true);
  return p ? { AutoForwardingMode: p.AutoForwardingMode ?? null } : undefined;
}

const executors: Record<string, ActionExecutor> = {
  'disable-inbox-rule': {
    async read(ctx, a) {
      const [userId, ruleId] = a.target.id.split('/');
      const rule = (await rulesOf(ctx, [userId]))[userId]?.find((r) => r.id === ruleId);
      return rule ? pick({ ...rule, isEnabled: rule.isEnabled !== false }, RULE_FIELDS) : undefined;
    },
  },
  'clear-mailbox-forwarding': { read: (ctx, a) => readMailbox(ctx, a.target.userPrincipalName ?? a.target.id) },
  'org-auto-forwarding-off': { read: (ctx) => readOrgMode(ctx) },
};

export const forwarding: Remediation = {
  name: 'forwarding',
  title: 'External mail forwarding',
  permissions: permissionsOf(WRITE_FEATURE_ENDPOINTS['enforce.forwarding']),
  executors,
  async plan(input, notes) {
    const out: Omit<PlannedAction, 'id'>[] = [];
    const ruleFindings = findingsOf(input, CHECK, ['inbox-rule']).filter((f) => {
      if (!f.evidence.ruleId || f.evidence.isEnabled === false) return false;
      if (!isBreakGlass(input, f.subject.userPrincipalName)) return true;
      notes.push(`Not planned: the forwarding rule on break-glass account ${f.subject.userPrincipalName}; enforcement never touches break-glass accounts.`);
      return false;
    });
    const rules = ruleFindings.length ? await rulesOf(input, ruleFindings.map((f) => f.subject.id)) : {};
    for (const f of ruleFindings) {
      const ruleId = String(f.evidence.ruleId);
      const rule = rules[f.subject.id]?.find((r) => r.id === ruleId);
      if (!rule) { notes.push(`Not planned: ${f.subject.name}'s rule "${String(f.evidence.ruleName ?? ruleId)}" no longer exists.`); continue; }
      const before = pick({ ...rule, isEnabled: rule.isEnabled !== false }, RULE_FIELDS);
      if (before.isEnabled !== true) continue;
      const path = `/users/${ENC(f.subject.id)}/mailFolders/inbox/messageRules/${ENC(ruleId)}`;
      out.push({
        remediation: 'forwarding', kind: 'disable-inbox-rule', findingIds: [f.id], clauses: clauseNumbers(input, [f]),
        target: { type: 'mailbox', id: `${f.subject.id}/${ruleId}`, name: `${f.subject.name}: inbox rule "${rule.displayName ?? ruleId}"`, userPrincipalName: f.subject.userPrincipalName },
        description: `Switch off ${f.subject.name}'s inbox rule "${rule.displayName ?? ruleId}", which forwards council mail outside the council. The rule is kept, so it can be switched back on.`,
        call: { api: 'graph', method: 'PATCH', path, body: { isEnabled: false } },
        before, after: { ...before, isEnabled: false },
        undo: { description: 'Switch the rule back on.', call: { api: 'graph', method: 'PATCH', path, body: { isEnabled: true } } },
        record: rule,
      });
    }

    const mailboxFindings = findingsOf(input, CHECK, ['mailbox-forwarding']);
    const orgFindings = findingsOf(input, CHECK, ['org-auto-forwarding']);
    if (!mailboxFindings.length && !orgFindings.length) return out;
    const probe = await input.graph.exchange.invoke('Get-HostedOutboundSpamFilterPolicy', { Identity: 'Default' });
    if (!probe.connected) {
      notes.push(`Not planned: mailbox-level and organisation forwarding, because the Exchange admin API is not connected (${probe.reason}).`);
      return out;
    }
    const byMailbox = new Map<string, typeof mailboxFindings>();
    for (const f of mailboxFindings) {
      const upn = f.subject.userPrincipalName ?? f.subject.id;
      byMailbox.set(upn, [...(byMailbox.get(upn) ?? []), f]);
    }
    for (const [upn, fs] of byMailbox) {
      if (isBreakGlass(input, upn)) { notes.push(`Not planned: mailbox forwarding on break-glass account ${upn}.`); continue; }
      const before = await readMailbox(input, upn);
      if (!before) continue;
      const cleared = { ForwardingSmtpAddress: null, ForwardingAddress: null, DeliverToMailboxAndForward: false };
      out.push({
        remediation: 'forwarding', kind: 'clear-mailbox-forwarding', findingIds: fs.map((f) => f.id), clauses: clauseNumbers(input, fs),
        target: { type: 'mailbox', id: upn, name: `${fs[0].subject.name}'s mailbox`, userPrincipalName: upn },
        description: `Stop all mail to ${fs[0].subject.name} being forwarded to ${String(before.ForwardingSmtpAddress ?? before.ForwardingAddress)}; mail stays in the council mailbox.`,
        call: { api: 'exchange', cmdlet: 'Set-Mailbox', parameters: { Identity: upn, ...cleared }, anchorMailbox: upn },
        before, after: cleared,
        undo: { description: 'Restore the forwarding exactly as it was.', call: { api: 'exchange', cmdlet: 'Set-Mailbox', parameters: { Identity: upn, ...before }, anchorMailbox: upn } },
      });
    }
    if (orgFindings.length) {
      const before = await readOrgMode(input);
      if (before && before.AutoForwardingMode !== 'Off') {
        out.push({
          remediation: 'forwarding', kind: 'org-auto-forwarding-off', findingIds: orgFindings.map((f) => f.id), clauses: clauseNumbers(input, orgFindings),
          target: { type: 'tenant', id: 'HostedOutboundSpamFilterPolicy/Default', name: 'the organisation\'s outbound mail policy' },
          description: 'Stop Exchange forwarding mail automatically to addresses outside the council (outbound policy "Default": AutoForwardingMode Off).',
          call: { api: 'exchange', cmdlet: 'Set-HostedOutboundSpamFilterPolicy', parameters: { Identity: 'Default', AutoForwardingMode: 'Off' } },
          before, after: { AutoForwardingMode: 'Off' },
          undo: { description: `Set AutoForwardingMode back to ${String(before.AutoForwardingMode)}.`, call: { api: 'exchange', cmdlet: 'Set-HostedOutboundSpamFilterPolicy', parameters: { Identity: 'Default', AutoForwardingMode: before.AutoForwardingMode } } },
        });
      }
    }
    return out;
  },
};
