// The compact record each nightly run keeps for the year's evidence (core/evidence.ts RunRecord): built
// from the run's findings document, its snapshot and the action log since the previous night, and
// written once to the store (store/run-records.ts). Metadata only: no content, no message bodies.
import { DateTime } from 'luxon';
import type { FindingDraft, FindingsDocument } from '../core/findings';
import type { RecordFinding, RoleCoverage, RunRecord } from '../core/evidence';
import type { TenantSnapshot } from '../core/snapshot';
import type { Logger } from '../core/logger';
import { UK_ZONE } from '../core/uk-time';
import { enabledMembers, findUserByAddress, peopleInScope, councillorMemberIds, type PersonInScope } from '../checks/scope';
import type { CouncilConfig } from '../policy/council-config';
import type { LoggedAction, Store } from '../store';

/** The UK calendar day an instant falls in (the night a run audited). */
export function nightOf(iso: string): string {
  return DateTime.fromISO(iso, { zone: 'utc' }).setZone(UK_ZONE).toFormat('yyyy-MM-dd');
}

export function runIdOf(iso: string): string {
  return iso.replace(/[:.]/g, '-');
}

function roleCoverage(people: PersonInScope[], unregistered: Set<string>, unenforced: Set<string>): RoleCoverage {
  let registered = 0, enforced = 0, covered = 0;
  for (const p of people) {
    const r = !unregistered.has(p.user.id);
    const e = !unenforced.has(p.user.id);
    if (r) registered++;
    if (e) enforced++;
    if (r && e) covered++;
  }
  return { inScope: people.length, registered, enforced, covered };
}

function mfaByRole(doc: FindingsDocument, snapshot: TenantSnapshot, council: CouncilConfig, drafts: FindingDraft[]): RunRecord['mfa'] {
  const ran = (id: string) => ['pass', 'fail', 'warn'].includes(doc.checks.find((c) => c.id === id)?.status ?? '');
  if (!ran('identity.mfa-registration') || !ran('identity.mfa-enforcement') || snapshot.users?.status !== 'ok') return undefined;
  // Break-glass accounts are excluded from MFA on purpose (as in the report's coverage chart).
  const people = enabledMembers(peopleInScope(snapshot.users.data, council, councillorMemberIds(snapshot))).filter((p) => !p.isBreakGlass);
  const flagged = (checkId: string) => new Set(drafts.filter((d) => d.checkId === checkId && d.subject.type === 'user').map((d) => d.subject.id));
  const unregistered = flagged('identity.mfa-registration');
  const unenforced = flagged('identity.mfa-enforcement');
  const of = (pred: (p: PersonInScope) => boolean) => roleCoverage(people.filter(pred), unregistered, unenforced);
  return {
    councillors: of((p) => p.roles.includes('councillor')),
    staff: of((p) => p.roles.includes('clerk') || p.roles.includes('staff')),
    admins: of((p) => p.isAdmin),
  };
}

function recipientsOf(evidence: Record<string, unknown>): string[] | undefined {
  const list = [evidence.externalRecipients, evidence.forwardingSmtpAddress, evidence.forwardingAddress].flat()
    .map((x) => (x && typeof x === 'object' ? (x as { address?: unknown }).address : x))
    .filter((x): x is string => typeof x === 'string' && x.includes('@'));
  return list.length ? [...new Set(list.map((a) => a.replace(/^smtp:/i, '').toLowerCase()))] : undefined;
}

/** The action log since the previous night, summarised: counts, content reads by cause, surrender milestones. */
export function summariseActions(actions: LoggedAction[], since: string): RunRecord['actions'] {
  const byAction: Record<string, number> = {};
  let bySurrender = 0, other = 0;
  const milestones: RunRecord['actions']['milestones'] = [];
  for (const a of actions) {
    byAction[a.action] = (byAction[a.action] ?? 0) + 1;
    // The surrender's own reads name it ("(surrender <id>)"); any other read of content is counted apart.
    if (a.action === 'content.read') {
      if (/\bsurrender\b/i.test(a.detail ?? '')) bySurrender++;
      else other++;
    }
    if (a.action === 'surrender.verify' || a.action === 'surrender.hand-over') {
      // verify names "archive of <upn>"; hand-over names the archive folder (the pack pairs it with its verify).
      const upn = /archive of (\S+)/.exec(a.target)?.[1] ?? a.target;
      milestones.push({ upn, step: a.action === 'surrender.verify' ? 'verify' : 'hand-over', result: a.result, at: a.at });
    }
  }
  return { since, byAction, contentReads: { bySurrender, other }, milestones };
}

export function buildRunRecord(input: { doc: FindingsDocument; snapshot: TenantSnapshot; council: CouncilConfig; drafts: FindingDraft[]; actions: RunRecord['actions'] }): RunRecord {
  const { doc, snapshot, council } = input;
  const users = snapshot.users?.status === 'ok' ? snapshot.users.data : undefined;
  const account = (upn: string) => {
    const u = users ? findUserByAddress(users, upn) : undefined;
    return { present: !!u, enabled: !!u && u.accountEnabled !== false };
  };
  const findings: RecordFinding[] = doc.findings.map((f) => {
    const recipients = f.checkId === 'mail.external-forwarding' ? recipientsOf(f.evidence) : undefined;
    return { id: f.id, checkId: f.checkId, kind: f.kind, severity: f.severity, subject: f.subject.userPrincipalName ?? f.subject.name, firstSeen: f.firstSeen, ...(recipients ? { recipients } : {}) };
  });
  const record: RunRecord = {
    recordVersion: 1,
    tenantId: doc.tenantId,
    council: doc.council,
    runId: runIdOf(doc.generatedAt),
    generatedAt: doc.generatedAt,
    night: nightOf(doc.generatedAt),
    tool: doc.tool.version,
    policy: doc.policy,
    checks: doc.checks.map((c) => ({ id: c.id, status: c.status, ...(c.skipReason ? { skip: c.skipReason.code } : {}), clauses: c.clauses })),
    findings,
    resolved: doc.resolved.map((r) => ({ id: r.id, checkId: r.checkId, subject: r.subject.userPrincipalName ?? r.subject.name, resolvedAt: r.resolvedAt })),
    surrenders: snapshot.surrenders?.status === 'ok' ? snapshot.surrenders.data.filter((s) => s.status !== 'none').map((s) => ({ upn: s.userPrincipalName, status: s.status })) : [],
    actions: input.actions,
    intuneLicensed: snapshot.licences.intune,
  };
  const mfa = mfaByRole(doc, snapshot, council, input.drafts);
  if (mfa) record.mfa = mfa;
  if (snapshot.domains?.status === 'ok') record.domains = snapshot.domains.data.map((d) => ({ id: d.id, verified: d.isVerified, isDefault: d.isDefault }));
  if (users) {
    record.councillorAccounts = council.roster.map((r) => ({ upn: r.userPrincipalName, ...account(r.userPrincipalName) }));
    record.clerkMailbox = { address: council.clerk, ...account(council.clerk) };
  }
  if (snapshot.devices?.status === 'ok') record.devices = { total: snapshot.devices.data.length, encrypted: snapshot.devices.data.filter((d) => d.isEncrypted).length };
  return record;
}

/** Writes a record once (the one path for the nightly run and for anything that replays nights). */
export async function storeRunRecord(store: Store, record: RunRecord): Promise<string> {
  return store.runRecords.save(record.tenantId, record.night, record.runId, Buffer.from(`${JSON.stringify(record)}\n`, 'utf8'));
}

/**
 * After a night's run: summarise the action log since the previous record (a missed night's actions are
 * not lost), write the record, and let go of records past their retention. A failure here is logged and
 * never costs the night its report.
 */
export async function saveRunRecord(opts: { store: Store; council: CouncilConfig; doc: FindingsDocument; snapshot: TenantSnapshot; drafts: FindingDraft[]; log: Logger }): Promise<string | undefined> {
  const { store, council, doc, log } = opts;
  try {
    const since = (await store.runRecords.latestBefore(council.tenantId, doc.generatedAt)) ?? DateTime.fromISO(doc.generatedAt, { zone: 'utc' }).minus({ days: 1 }).toISO()!;
    const actions = (await store.listActions(council.tenantId, { since })).filter((a) => a.at > since && a.at <= doc.generatedAt);
    const name = await storeRunRecord(store, buildRunRecord({ ...opts, actions: summariseActions(actions, since) }));
    await store.runRecords.deleteOlderThan(council.tenantId, doc.generatedAt);
    return name;
  } catch (err) {
    log.error(`${council.name}: the run record for the year's evidence could not be saved: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}
