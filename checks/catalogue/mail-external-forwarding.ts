// mail.external-forwarding: council mail leaving the council automatically.
//
//   inbox-rule           a rule forwarding/redirecting to an address outside the council's domains and
//                        allowedForwardingDomains: enabled → high; disabled → info (kind inbox-rule-disabled,
//                        so switching a rule off resolves the forwarding finding). A rule whose only
//                        outside recipients have no address at all ("unknown recipient") → low when
//                        enabled: we cannot tell where it goes, so someone should look.
//   mailbox-forwarding   Exchange mailbox-level forwarding (ForwardingSmtpAddress, ForwardingAddress) to
//                        outside → high. ForwardingAddress names an Exchange recipient, not an address:
//                        one that is not a tenant user is usually a mail contact outside the council,
//                        so it is reported (medium) for someone to confirm.
//   org-auto-forwarding  the outbound spam policy's AutoForwardingMode 'On' (external auto-forwarding
//                        allowed for everyone) → medium. 'Automatic' is system-controlled and today means
//                        external auto-forwarding is blocked, like 'Off': not a finding.
// Internal forwarding (to the clerk at the council's domain) is never a finding. The Exchange parts need
// Exchange.ManageAsApp; without it they are partial skips and the inbox-rule part still runs.
import type { Check, EvaluationInput } from '../types';
import type { CheckOutcome } from '../../core/findings';
import type { Recipient, SnapshotMessageRule, SnapshotUser } from '../../core/snapshot';
import { OutcomeBuilder, requireParts, skippedByPolicy } from '../outcome';
import { bareAddress, classifyAddress, trustedDomains, type TrustedDomains } from '../addresses';
import { addressesOf, findUserByAddress, isGuest, userSubject } from '../scope';
import { listWords } from '../words';

const ID = 'mail.external-forwarding' as const;
const CLAUSES = {
  'inbox-rule': ['mail.forwarding', 'mail.council-account'],
  'inbox-rule-disabled': ['mail.forwarding', 'mail.council-account'],
  'mailbox-forwarding': ['mail.forwarding', 'mail.council-account'],
  'org-auto-forwarding': ['mail.forwarding'],
};

type Action = 'forwardTo' | 'forwardAsAttachmentTo' | 'redirectTo';
const ACTIONS: Action[] = ['forwardTo', 'forwardAsAttachmentTo', 'redirectTo'];

/** Graph documents arrays; older pages show a single object for redirectTo. Accept both, and junk. */
function recipientsOf(value: Recipient[] | Recipient | null | undefined): Recipient[] {
  if (!value) return [];
  return (Array.isArray(value) ? value : [value]).filter((r): r is Recipient => !!r && typeof r === 'object');
}

function evaluate({ snapshot, council, profile }: EvaluationInput): CheckOutcome {
  if (profile.externalForwardingAllowed) {
    return skippedByPolicy(`the council's policy (${profile.title}) allows mail to be forwarded outside the council`);
  }
  const required = requireParts(snapshot, ['users']);
  if ('outcome' in required) return required.outcome;
  const { users } = required.data;
  const out = new OutcomeBuilder();

  const domains = out.optional(snapshot, 'domains', 'verified-domains') ?? [];
  const members = users.filter((u) => !isGuest(u));
  const trusted = trustedDomains(
    [domains.filter((d) => d && d.isVerified).map((d) => d.id), council.domains, council.allowedForwardingDomains],
    members.flatMap(addressesOf),
  );
  const byId = new Map(users.map((u) => [u.id, u]));

  const rules = out.optional(snapshot, 'inboxRules', 'inbox-rule');
  const mailboxes = out.optional(snapshot, 'mailboxForwarding', 'mailbox-forwarding');
  const org = out.optional(snapshot, 'orgForwardingPolicy', 'org-auto-forwarding');
  if (!rules && !mailboxes && !org) {
    // Nothing could be judged at all: that is a skip (or an error), not a pass.
    const built = out.build();
    if (built.status === 'error') return built;
    const first = built.partialSkips?.[0]?.reason;
    if (first) return { status: 'skipped', skipReason: first, findings: [] };
  }
  const orgMode = org?.autoForwardingMode;

  for (const [userId, list] of Object.entries(rules ?? {})) {
    const user = byId.get(userId);
    for (const rule of Array.isArray(list) ? list : []) {
      if (rule) judgeRule(out, userId, user, rule, trusted, orgMode);
    }
  }
  for (const m of mailboxes ?? []) if (m) judgeMailbox(out, m, users, trusted);

  if ((orgMode ?? '').toLowerCase() === 'on') {
    out.add({
      checkId: ID,
      kind: 'org-auto-forwarding',
      key: 'outbound-policy',
      severity: 'medium',
      subject: { type: 'tenant', id: snapshot.tenantId, name: council.name },
      clauses: CLAUSES['org-auto-forwarding'],
      summary: 'Exchange is set to allow automatic forwarding of mail to outside addresses for everyone, so any inbox rule or mailbox setting can send council mail out.',
      evidence: { autoForwardingMode: orgMode },
      remediation: 'Ask the IT supplier to set "Automatic forwarding rules" to "Off - Forwarding is disabled" (or "Automatic - System-controlled") in the outbound spam filter policy in Microsoft Defender (Set-HostedOutboundSpamFilterPolicy -AutoForwardingMode Off), adding a separate policy only for any forwarding the council has approved.',
    });
  }
  return out.build();
}

function judgeRule(out: OutcomeBuilder, userId: string, user: SnapshotUser | undefined, rule: SnapshotMessageRule, trusted: TrustedDomains, orgMode: string | undefined): void {
  const external: { action: Action; address: string; name?: string }[] = [];
  const unknown: { action: Action; name?: string }[] = [];
  const actions = rule.actions && typeof rule.actions === 'object' ? rule.actions : {};
  for (const action of ACTIONS) {
    for (const r of recipientsOf(actions[action])) {
      const address = bareAddress(r.emailAddress?.address);
      const name = r.emailAddress?.name ?? undefined;
      const cls = classifyAddress(address, trusted);
      if (cls === 'external') external.push({ action, address, ...(name ? { name } : {}) });
      else if (cls === 'unknown') unknown.push({ action, ...(name ? { name } : {}) });
    }
  }
  if (!external.length && !unknown.length) return;

  const enabled = rule.isEnabled !== false; // Graph's default is enabled; null is treated as on
  const severity = !enabled ? 'info' : external.length ? 'high' : 'low';
  const owner = user ? userSubject(user, 'mailbox') : { type: 'mailbox' as const, id: userId, name: userId };
  const ruleName = (rule.displayName ?? '').trim() || 'an unnamed rule';
  const targets = external.length ? listWords([...new Set(external.map((e) => e.address))]) : 'a recipient with no address';
  const summary = enabled
    ? `${owner.name}'s inbox rule "${ruleName}" ${external.length ? 'sends council mail outside the council, to' : 'forwards mail to'} ${targets}${external.length ? '' : ', so we cannot tell where it goes'}.`
    : `${owner.name} has a switched-off inbox rule "${ruleName}" that would forward mail to ${targets}; it does nothing while off.`;
  out.add({
    checkId: ID,
    // A switched-off rule is its own kind: switching a rule off resolves the forwarding finding, and what
    // remains (delete it so it cannot come back on) is a different, informational one.
    kind: enabled ? 'inbox-rule' : 'inbox-rule-disabled',
    key: rule.id || `name:${ruleName}`,
    severity,
    subject: owner,
    clauses: CLAUSES[enabled ? 'inbox-rule' : 'inbox-rule-disabled'],
    summary,
    evidence: {
      ruleId: rule.id,
      ruleName: rule.displayName ?? null,
      isEnabled: enabled,
      ...(rule.hasError ? { hasError: true } : {}),
      externalRecipients: external,
      ...(unknown.length ? { unknownRecipients: unknown } : {}),
      ...(orgMode ? { orgAutoForwardingMode: orgMode } : {}),
    },
    remediation: enabled
      ? `Ask ${owner.name} to delete the rule (Outlook → Settings → Mail → Rules) or the IT supplier to disable it; if council mail must reach someone, forward it to their council address instead.`
      : `Delete the switched-off rule so it cannot be turned back on by mistake (Outlook → Settings → Mail → Rules).`,
  });
}

function judgeMailbox(
  out: OutcomeBuilder,
  m: { userPrincipalName: string; forwardingSmtpAddress?: string | null; forwardingAddress?: string | null; deliverToMailboxAndForward?: boolean | null },
  users: SnapshotUser[],
  trusted: TrustedDomains,
): void {
  const upn = (m.userPrincipalName ?? '').trim().toLowerCase();
  const user = findUserByAddress(users, upn);
  const subject = user ? userSubject(user, 'mailbox') : { type: 'mailbox' as const, id: upn || 'unknown-mailbox', name: upn || 'a mailbox', ...(upn ? { userPrincipalName: upn } : {}) };
  const keepsCopy = m.deliverToMailboxAndForward === true;

  const smtp = bareAddress(m.forwardingSmtpAddress);
  if (smtp && classifyAddress(smtp, trusted) !== 'internal') {
    out.add({
      checkId: ID,
      kind: 'mailbox-forwarding',
      key: 'forwarding-smtp',
      severity: 'high',
      subject,
      clauses: CLAUSES['mailbox-forwarding'],
      summary: `All mail to ${subject.name} is forwarded outside the council, to ${smtp}${keepsCopy ? '' : ', and no copy is kept in the council mailbox'}.`,
      evidence: { forwardingSmtpAddress: smtp, deliverToMailboxAndForward: m.deliverToMailboxAndForward ?? null },
      remediation: `Ask the IT supplier to remove the forwarding (Exchange admin centre → Mailboxes → ${subject.name} → Mail flow settings → Email forwarding, or Set-Mailbox -ForwardingSmtpAddress $null).`,
    });
  }

  const target = (m.forwardingAddress ?? '').trim();
  if (!target) return;
  // ForwardingAddress is an Exchange recipient identity: an address, a name or an id. Resolve it to a
  // tenant user where we can; what does not resolve is most often a mail contact outside the council.
  const internalUser = findUserByAddress(users, target) ?? users.find((u) => !isGuest(u) && (u.id === target || (u.displayName ?? '').trim().toLowerCase() === target.toLowerCase()));
  if (internalUser && !isGuest(internalUser)) return;
  const looksLikeAddress = target.includes('@');
  if (looksLikeAddress && classifyAddress(target, trusted) === 'internal') return;
  out.add({
    checkId: ID,
    kind: 'mailbox-forwarding',
    key: 'forwarding-recipient',
    severity: looksLikeAddress || internalUser ? 'high' : 'medium',
    subject,
    clauses: CLAUSES['mailbox-forwarding'],
    summary: looksLikeAddress || internalUser
      ? `All mail to ${subject.name} is forwarded outside the council, to ${target}.`
      : `All mail to ${subject.name} is forwarded to "${target}", which is not a council account; it is probably a contact outside the council.`,
    evidence: { forwardingAddress: target, deliverToMailboxAndForward: m.deliverToMailboxAndForward ?? null },
    remediation: `Ask the IT supplier to check who "${target}" is and remove the forwarding unless the council approved it (Exchange admin centre → Mailboxes → ${subject.name} → Mail flow settings → Email forwarding).`,
  });
}

export const mailExternalForwarding: Check = {
  id: ID,
  order: 30,
  title: 'Council mail forwarded outside the council',
  clauses: CLAUSES,
  reads: ['users', 'councillorGroup', 'domains', 'inboxRules', 'mailboxForwarding', 'orgForwardingPolicy'],
  evaluate,
};
