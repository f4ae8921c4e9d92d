// mailbox.access-audit: proportionate monitoring of who reached into whose mailbox over the audit window.
//
//   mailbox-access      MailItemsAccessed / SendAs / SendOnBehalf by someone other than the mailbox owner,
//                       grouped per accessor and operation (so the same access tomorrow is the same
//                       finding) → medium
//   mailbox-permission  Add-MailboxPermission granting someone access to a mailbox → medium (also cites
//                       identity.admin-credentials)
//   forwarding-change   Set-Mailbox setting a forwarding address outside the council → medium
//   inbox-rule-change   New-InboxRule / Set-InboxRule forwarding or redirecting outside the council → medium
//   sign-in-location    successful Exchange sign-ins from a country not in allowedSignInCountries
//                       (sign-in logs need Entra ID P1; without them this part is a partial skip) → medium
//   audit-pending       the Purview audit query for the window is still running; its results come with
//                       the next run → info (so the check warns rather than errors)
// The council's IT supplier (itSupplier.accounts and .appIds) is authorised: its actions are not findings.
// CouncilGuard's own app reads mailboxes during offboarding, so its app id belongs in itSupplier.appIds.
// Evidence is metadata only (who, which mailbox, when, from which IP): never message contents.
import type { Check, EvaluationInput } from '../types';
import type { CheckOutcome, FindingSubject } from '../../core/findings';
import type { AuditRecord, SnapshotUser } from '../../core/snapshot';
import { OutcomeBuilder, requireParts } from '../outcome';
import { bareAddress, classifyAddress, trustedDomains } from '../addresses';
import { addressesOf, findUserByAddress, isGuest, userSubject } from '../scope';
import { londonTime, parseInstant, utcIso } from '../dates';
import { listWords, plural } from '../words';

const ID = 'mailbox.access-audit' as const;
const CLAUSES = {
  'mailbox-access': ['monitoring.proportionate'],
  'mailbox-permission': ['monitoring.proportionate', 'identity.admin-credentials'],
  'forwarding-change': ['monitoring.proportionate'],
  'inbox-rule-change': ['monitoring.proportionate'],
  'sign-in-location': ['monitoring.proportionate'],
  'audit-pending': ['monitoring.proportionate'],
};
const ACCESS_OPERATIONS = new Set(['mailitemsaccessed', 'sendas', 'sendonbehalf']);
const MAX_LISTED = 10;

const lower = (v: unknown): string => (typeof v === 'string' ? v : v == null ? '' : String(v)).trim().toLowerCase();
const text = (v: unknown): string => (typeof v === 'string' ? v : v == null ? '' : Array.isArray(v) ? v.join(';') : String(v)).trim();

interface Group {
  records: AuditRecord[];
  subject: FindingSubject;
  extra: Record<string, unknown>;
}

function evaluate({ snapshot, council }: EvaluationInput): CheckOutcome {
  const required = requireParts(snapshot, ['users', 'mailboxAudit']);
  if ('outcome' in required) return required.outcome;
  const { users, mailboxAudit } = required.data;
  const out = new OutcomeBuilder();

  const domains = out.optional(snapshot, 'domains', 'verified-domains') ?? [];
  const trusted = trustedDomains(
    [domains.filter((d) => d && d.isVerified).map((d) => d.id), council.domains, council.allowedForwardingDomains],
    users.filter((u) => !isGuest(u)).flatMap(addressesOf),
  );
  const supplierAccounts = new Set((council.itSupplier?.accounts ?? []).map(lower).filter(Boolean));
  const supplierApps = new Set((council.itSupplier?.appIds ?? []).map(lower).filter(Boolean));
  const isSupplier = (upn: unknown, appId?: unknown) => supplierAccounts.has(lower(upn)) || (!!lower(appId) && supplierApps.has(lower(appId)));
  const mailboxSubject = (identity: string): FindingSubject => {
    const user = resolveUser(users, identity);
    return user ? userSubject(user, 'mailbox') : { type: 'mailbox', id: lower(identity) || 'unknown-mailbox', name: identity || 'an unknown mailbox', ...(identity.includes('@') ? { userPrincipalName: lower(identity) } : {}) };
  };

  const groups = new Map<string, Group & { kind: keyof typeof CLAUSES; key: string }>();
  const addTo = (kind: keyof typeof CLAUSES, key: string, subject: FindingSubject, record: AuditRecord, extra: Record<string, unknown>) => {
    const id = `${kind}\n${subject.id}\n${key}`;
    const g = groups.get(id) ?? { kind, key, subject, records: [], extra };
    g.records.push(record);
    groups.set(id, g);
  };

  for (const r of mailboxAudit?.records ?? []) {
    if (!r || typeof r !== 'object') continue;
    const op = lower(r.operation);
    const actor = lower(r.userPrincipalName);
    if (isSupplier(actor, r.appId)) continue;
    const detail = r.detail && typeof r.detail === 'object' ? r.detail : {};

    if (ACCESS_OPERATIONS.has(op)) {
      const owner = lower(r.mailboxOwnerUpn);
      if (!owner || owner === actor) continue; // the owner's own use, or nothing to compare
      const accessor = actor || (r.appId ? `app:${lower(r.appId)}` : 'unknown');
      const accessorName = actor ? personName(users, actor) : r.appId ? `the app ${r.appId}` : 'an unidentified account';
      addTo('mailbox-access', `${accessor}|${op}`, mailboxSubject(owner), r, { operation: r.operation, accessor, accessorName, ...(r.appId ? { appId: r.appId } : {}) });
    } else if (op === 'add-mailboxpermission') {
      const grantee = text(detail.User);
      if (isSupplier(grantee)) continue;
      const mailbox = text(detail.Identity) || lower(r.mailboxOwnerUpn);
      addTo('mailbox-permission', lower(grantee) || 'unknown', mailboxSubject(mailbox), r, { grantee: grantee || null, granteeName: grantee ? personName(users, grantee) : 'someone', mailbox: mailbox || null, accessRights: text(detail.AccessRights) || null, grantedBy: actor || null });
    } else if (op === 'set-mailbox') {
      const targets = [text(detail.ForwardingSmtpAddress), text(detail.ForwardingAddress)].filter(Boolean);
      const outside = targets.filter((t) => !t.includes('@') ? !resolveUser(users, t) : classifyAddress(t, trusted) !== 'internal');
      if (!outside.length) continue;
      const mailbox = text(detail.Identity) || lower(r.mailboxOwnerUpn) || actor;
      addTo('forwarding-change', 'forwarding', mailboxSubject(mailbox), r, { forwardingTo: outside.map(bareAddress), changedBy: actor || null });
    } else if (op === 'new-inboxrule' || op === 'set-inboxrule') {
      const targets = ['ForwardTo', 'ForwardAsAttachmentTo', 'RedirectTo'].flatMap((k) => text(detail[k]).split(/[;,]/)).map((t) => t.trim()).filter(Boolean);
      const outside = targets.filter((t) => classifyAddress(t, trusted) !== 'internal' && !resolveUser(users, t));
      if (!outside.length) continue;
      const identity = text(detail.Identity);
      const mailbox = text(detail.Mailbox) || lower(r.mailboxOwnerUpn) || (identity.includes('\\') ? identity.split('\\')[0] : '') || actor;
      const ruleName = text(detail.Name) || (identity.includes('\\') ? identity.split('\\').slice(1).join('\\') : identity) || 'unnamed rule';
      addTo('inbox-rule-change', lower(ruleName), mailboxSubject(mailbox), r, { ruleName, forwardingTo: outside.map(bareAddress), changedBy: actor || null });
    }
  }

  for (const g of groups.values()) out.add(groupFinding(g.kind, g.key, g.subject, g.records, g.extra));

  signInFindings(out, snapshot, council, users, isSupplier);

  if (mailboxAudit?.truncated) {
    // The records are only part of the window: what they show is reported, but absence proves nothing,
    // so every finding kind drawn from them is a partial skip (and earlier ones are not resolved).
    const { recordCountLimit, approximateReturnedRecordCount } = mailboxAudit.truncated;
    const reason = {
      code: 'incomplete-results' as const,
      detail: `the Purview audit log query stopped at its record limit${recordCountLimit ? ` of ${recordCountLimit.toLocaleString('en-GB')}` : ''}${approximateReturnedRecordCount ? ` (about ${approximateReturnedRecordCount.toLocaleString('en-GB')} records matched)` : ''}, so only part of the window's mailbox events were seen; the IT supplier can search the rest in Microsoft Purview (Audit) in shorter periods`,
    };
    for (const kind of ['mailbox-access', 'mailbox-permission', 'forwarding-change', 'inbox-rule-change']) out.skipPart(kind, reason);
  }

  if (mailboxAudit?.pendingQueryId) {
    out.add({
      checkId: ID,
      kind: 'audit-pending',
      key: 'audit-query',
      severity: 'info',
      subject: { type: 'tenant', id: snapshot.tenantId, name: council.name },
      clauses: CLAUSES['audit-pending'],
      summary: 'Microsoft 365 is still preparing the mailbox audit log for this period; its results will be included in the next run.',
      evidence: { pendingQueryId: mailboxAudit.pendingQueryId },
      remediation: 'Nothing to do: the next run collects the finished audit query. If this note appears several nights running, ask the IT supplier to check that auditing is turned on in Microsoft Purview.',
    });
  }
  return out.build();
}

/** "Clare Clerk (clerk@…)" when the account is a tenant user, else the identity as given. */
function personName(users: SnapshotUser[], identity: string): string {
  const user = resolveUser(users, identity);
  const name = (user?.displayName ?? '').trim();
  return name && user?.userPrincipalName ? `${name} (${user.userPrincipalName})` : identity;
}

/** "Russia" for "RU"; the code itself when the runtime has no name for it. */
function countryName(code: string): string {
  try {
    const name = new Intl.DisplayNames(['en-GB'], { type: 'region' }).of(code);
    return name && name !== code ? `${name} (${code})` : code;
  } catch {
    return code;
  }
}

function resolveUser(users: SnapshotUser[], identity: string): SnapshotUser | undefined {
  const id = identity.trim();
  if (!id) return undefined;
  return findUserByAddress(users, id) ?? users.find((u) => u.id.toLowerCase() === id.toLowerCase() || (u.displayName ?? '').trim().toLowerCase() === id.toLowerCase());
}

function groupFinding(kind: keyof typeof CLAUSES, key: string, subject: FindingSubject, records: AuditRecord[], extra: Record<string, unknown>) {
  const times = records.map((r) => parseInstant(r.createdDateTime)).filter((t): t is NonNullable<typeof t> => !!t).sort((a, b) => a.toMillis() - b.toMillis());
  const first = times[0];
  const last = times[times.length - 1];
  const ips = [...new Set(records.map((r) => r.clientIp).filter((ip): ip is string => !!ip))].slice(0, MAX_LISTED);
  const when = last ? `, most recently on ${londonTime(last)}` : '';
  const evidence = {
    ...extra,
    count: records.length,
    ...(first ? { firstSeen: utcIso(first) } : {}),
    ...(last ? { lastSeen: utcIso(last) } : {}),
    ...(ips.length ? { clientIps: ips } : {}),
    recordIds: records.slice(0, MAX_LISTED).map((r) => r.id),
  };
  const base = { checkId: ID, kind, key, subject, clauses: CLAUSES[kind], evidence };
  const mailbox = subject.name;
  if (kind === 'mailbox-access') {
    const who = String(extra.accessorName ?? extra.accessor ?? 'someone');
    const verb = lower(extra.operation) === 'mailitemsaccessed' ? `opened items in ${mailbox}'s mailbox` : lower(extra.operation) === 'sendas' ? `sent mail as ${mailbox}` : `sent mail on behalf of ${mailbox}`;
    return { ...base, severity: 'medium' as const,
      summary: `${who} ${verb} (${plural(records.length, 'time')}${when}).`,
      remediation: `Confirm with ${mailbox} and the clerk that ${who} is meant to have this access; if not, ask the IT supplier to remove the delegate or mailbox permission and change ${mailbox}'s password.` };
  }
  if (kind === 'mailbox-permission') {
    const who = String(extra.granteeName ?? extra.grantee ?? 'someone');
    const on = last ? ` on ${londonTime(last)}` : '';
    return { ...base, severity: 'medium' as const,
      summary: `${who} was given access to ${mailbox}'s mailbox${extra.accessRights ? ` (${String(extra.accessRights)})` : ''}${records.length > 1 ? `, ${plural(records.length, 'time')}, most recently` : ''}${on}.`,
      remediation: `Confirm the council approved this access; if not, ask the IT supplier to remove it (Remove-MailboxPermission -Identity "${String(extra.mailbox ?? subject.userPrincipalName ?? subject.name)}" -User "${String(extra.grantee ?? who)}" -AccessRights ${String(extra.accessRights ?? 'FullAccess')}).` };
  }
  if (kind === 'forwarding-change') {
    return { ...base, severity: 'medium' as const,
      summary: `Forwarding of all ${mailbox}'s mail to ${listWords((extra.forwardingTo as string[]) ?? [])} was switched on${when}.`,
      remediation: `Confirm the council approved this; if not, ask the IT supplier to remove the forwarding from ${mailbox}'s mailbox and find out who set it.` };
  }
  if (kind === 'inbox-rule-change') {
    return { ...base, severity: 'medium' as const,
      summary: `An inbox rule "${String(extra.ruleName)}" forwarding ${mailbox}'s mail to ${listWords((extra.forwardingTo as string[]) ?? [])} was created or changed${when}.`,
      remediation: `Check the rule with ${mailbox}; delete it unless the council approved it (Outlook → Settings → Mail → Rules).` };
  }
  return { ...base, severity: 'medium' as const, summary: `${mailbox}: ${plural(records.length, 'audit event')}${when}.`, remediation: 'Review these events with the clerk.' };
}

function signInFindings(out: OutcomeBuilder, snapshot: EvaluationInput['snapshot'], council: EvaluationInput['council'], users: SnapshotUser[], isSupplier: (upn: unknown) => boolean): void {
  const signIns = out.optional(snapshot, 'signIns', 'sign-in-location');
  const allowed = new Set((council.allowedSignInCountries ?? []).map((c) => c.trim().toUpperCase()).filter(Boolean));
  if (!signIns || allowed.size === 0) return; // no list configured: no restriction to hold anyone to
  const byUserCountry = new Map<string, { upn: string; country: string; times: string[]; ids: string[]; apps: Set<string> }>();
  for (const s of signIns) {
    if (!s || (s.errorCode !== undefined && s.errorCode !== null && s.errorCode !== 0)) continue; // failed attempts are noise
    const country = (s.countryOrRegion ?? '').trim().toUpperCase();
    const upn = lower(s.userPrincipalName);
    if (!country || allowed.has(country) || isSupplier(upn)) continue;
    const k = `${upn}\n${country}`;
    const g = byUserCountry.get(k) ?? { upn, country, times: [], ids: [], apps: new Set<string>() };
    g.times.push(s.createdDateTime);
    g.ids.push(s.id);
    if (s.clientAppUsed) g.apps.add(s.clientAppUsed);
    byUserCountry.set(k, g);
  }
  for (const g of byUserCountry.values()) {
    const user = findUserByAddress(users, g.upn);
    const subject: FindingSubject = user ? userSubject(user) : { type: 'user', id: g.upn || 'unknown-user', name: g.upn || 'an unknown account', ...(g.upn ? { userPrincipalName: g.upn } : {}) };
    const times = g.times.map((t) => parseInstant(t)).filter((t): t is NonNullable<typeof t> => !!t).sort((a, b) => a.toMillis() - b.toMillis());
    const last = times[times.length - 1];
    out.add({
      checkId: ID,
      kind: 'sign-in-location',
      key: g.country,
      severity: 'medium',
      subject,
      clauses: CLAUSES['sign-in-location'],
      summary: `${subject.name} signed in to council email from ${countryName(g.country)}, outside the countries the council expects (${[...allowed].map(countryName).join(', ')}), ${plural(g.ids.length, 'time')}${last ? `, most recently on ${londonTime(last)}` : ''}.`,
      evidence: {
        country: g.country,
        allowedCountries: [...allowed],
        count: g.ids.length,
        ...(times.length ? { firstSeen: utcIso(times[0]), lastSeen: utcIso(last!) } : {}),
        clientApps: [...g.apps],
        signInIds: g.ids.slice(0, MAX_LISTED),
      },
      remediation: `Ask ${subject.name} whether they were abroad; if not, change their password, sign them out everywhere (Entra admin centre → Revoke sessions) and check their inbox rules. Add the country to allowedSignInCountries if such travel is normal.`,
    });
  }
}

export const mailboxAccessAudit: Check = {
  id: ID,
  order: 70,
  title: 'Mailbox access by others and unusual sign-ins',
  clauses: CLAUSES,
  reads: ['users', 'domains', 'mailboxAudit', 'signIns'],
  evaluate,
};
