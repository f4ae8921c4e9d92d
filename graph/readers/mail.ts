// Mailbox metadata reads for the audit: inbox rules (Graph) and mailbox/org forwarding (Exchange admin
// REST, which sees what messageRules cannot). Never message contents.
import type { GraphContext } from '..';
import type { MailboxForwarding, SnapshotMessageRule } from '../../core/snapshot';

export async function readInboxRules(graph: GraphContext, userIds: string[]): Promise<Record<string, SnapshotMessageRule[]>> {
  // Only what the forwarding check reads is kept, as each response arrives: a large tenant holds every mailbox's rules at once.
  const rules = await graph.batchMap(userIds.map((id) => ({ method: 'GET' as const, url: `/users/${id}/mailFolders/inbox/messageRules` })), (res, i) => {
    // 404 MailboxNotEnabledForRESTAPI: the account has no mailbox, so no rules to judge.
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw res.error ?? new Error(`inbox rules of ${userIds[i]}: HTTP ${res.status}`);
    return ((res.body as { value?: SnapshotMessageRule[] }).value ?? []).map(forwardingFields);
  });
  const out: Record<string, SnapshotMessageRule[]> = {};
  rules.forEach((r, i) => { if (r) out[userIds[i]] = r; });
  return out;
}

function forwardingFields(r: SnapshotMessageRule): SnapshotMessageRule {
  const a = r.actions;
  const actions = a && typeof a === 'object'
    ? {
      ...(a.forwardTo !== undefined ? { forwardTo: a.forwardTo } : {}),
      ...(a.forwardAsAttachmentTo !== undefined ? { forwardAsAttachmentTo: a.forwardAsAttachmentTo } : {}),
      ...(a.redirectTo !== undefined ? { redirectTo: a.redirectTo } : {}),
    }
    : a;
  return {
    id: r.id,
    ...(r.displayName !== undefined ? { displayName: r.displayName } : {}),
    ...(r.isEnabled !== undefined ? { isEnabled: r.isEnabled } : {}),
    ...(r.hasError !== undefined ? { hasError: r.hasError } : {}),
    ...(actions !== undefined ? { actions } : {}),
  };
}

type ExchangeResult<T> = { connected: true; value: T } | { connected: false; reason: string };

export async function readMailboxForwarding(graph: GraphContext): Promise<ExchangeResult<MailboxForwarding[]>> {
  const res = await graph.exchange.invoke<{
    UserPrincipalName?: string; PrimarySmtpAddress?: string; ForwardingSmtpAddress?: string | null;
    ForwardingAddress?: string | null; DeliverToMailboxAndForward?: boolean | null;
  }>('Get-Mailbox', { ResultSize: 'Unlimited' });
  if (!res.connected) return res;
  return {
    connected: true,
    value: res.value.map((m) => ({
      userPrincipalName: (m.UserPrincipalName ?? m.PrimarySmtpAddress ?? '').toLowerCase(),
      forwardingSmtpAddress: m.ForwardingSmtpAddress ?? null,
      forwardingAddress: m.ForwardingAddress ?? null,
      deliverToMailboxAndForward: m.DeliverToMailboxAndForward ?? null,
    })),
  };
}

export async function readOrgForwardingPolicy(graph: GraphContext): Promise<ExchangeResult<{ autoForwardingMode: string }>> {
  const res = await graph.exchange.invoke<{ Identity?: string; AutoForwardingMode?: string; IsDefault?: boolean }>('Get-HostedOutboundSpamFilterPolicy', {});
  if (!res.connected) return res;
  // The default policy governs everyone not covered by a custom one; report the most permissive.
  const modes = res.value.map((p) => p.AutoForwardingMode ?? 'Automatic');
  const autoForwardingMode = modes.includes('On') ? 'On' : modes.includes('Automatic') ? 'Automatic' : modes[0] ?? 'Automatic';
  return { connected: true, value: { autoForwardingMode } };
}

/** Whether a mailbox has an online (In-Place) archive, which Graph's mail APIs cannot reach. */
export interface ArchiveMailboxState {
  active: boolean;
  archiveGuid?: string;
  archiveStatus?: string;
}

const NO_ARCHIVE_GUID = /^0{8}-0{4}-0{4}-0{4}-0{12}$/;

export async function readArchiveMailbox(graph: GraphContext, userPrincipalName: string): Promise<ExchangeResult<ArchiveMailboxState>> {
  const res = await graph.exchange.invoke<{ ArchiveStatus?: string; ArchiveGuid?: string | null }>('Get-Mailbox', { Identity: userPrincipalName }, userPrincipalName);
  if (!res.connected) return res;
  const m = res.value[0] ?? {};
  // ArchiveStatus can read None while an archive exists (Microsoft documents it), so a non-zero ArchiveGuid counts too.
  const guid = m.ArchiveGuid && !NO_ARCHIVE_GUID.test(m.ArchiveGuid) ? m.ArchiveGuid : undefined;
  return { connected: true, value: { active: m.ArchiveStatus === 'Active' || !!guid, archiveGuid: guid, archiveStatus: m.ArchiveStatus } };
}
