// The year's evidence for the AGAR's Assertion 10 (digital and data compliance): from a financial year
// of nightly run records (jobs/run-record.ts) to the pack a clerk hands the internal auditor, one
// section per component with a suggested answer and its reasons. The figures are worked out here; the
// renderers (reports/evidence-*.ts) only lay them out. Integrity: the pack lists each record it used
// with its SHA-256, and a receipt in the store lets `evidence --verify` rebuild the pack and compare.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import type { Clock } from '../core/clock';
import { systemClock } from '../core/clock';
import { UsageError } from '../core/errors';
import { financialYearStart, type EvidencePack, type EvidenceSection, type EvidenceTable, type RunRecord, type SuggestedAnswer } from '../core/evidence';
import type { Logger } from '../core/logger';
import { UK_ZONE } from '../core/uk-time';
import type { CouncilConfig } from '../policy/council-config';
import { loadProfile } from '../policy/load';
import { renderEvidenceCsv } from '../reports/evidence-csv';
import { renderEvidenceHtml } from '../reports/evidence-html';
import { parseEvidenceJson, renderEvidenceJson } from '../reports/evidence-json';
import { deliverEvidence, type DeliveryResult } from '../reports/evidence-delivery';
import type { StoredRecord } from '../store';
import { functionAppCouncils, loadCouncilFile, selectCouncils, withCouncils, type Councils } from './council-context';
import { writeFilesAtomically } from './write-files';
import { version } from '../package.json';

export const EVIDENCE_FILES = ['evidence.html', 'evidence.csv', 'evidence.json', 'evidence.sha256'] as const;
export type EvidenceFiles = Record<(typeof EVIDENCE_FILES)[number], string>;

// ---- The financial year ----

export interface FinancialYear {
  year: string;
  /** First and last UK day of the year (YYYY-MM-DD). */
  firstNight: string;
  lastNightOfYear: string;
  /** The last night that can have been audited: the year's last, or today while the year runs. */
  lastNight: string;
}

/** "2026-27" as 1 April 2026 – 31 March 2027 (UK days); refused with the fix when written otherwise or not yet begun. */
export function financialYear(year: string, now: Date): FinancialYear {
  const start = financialYearStart(year ?? '');
  if (start === undefined) {
    throw new UsageError(`--year "${year}" is not a financial year; write it as YYYY-YY with consecutive years, e.g. 2026-27 for 1 April 2026 to 31 March 2027.`);
  }
  const first = DateTime.fromObject({ year: start, month: 4, day: 1 }, { zone: UK_ZONE });
  const last = DateTime.fromObject({ year: start + 1, month: 3, day: 31 }, { zone: UK_ZONE });
  const today = DateTime.fromJSDate(now).setZone(UK_ZONE).startOf('day');
  if (today < first) {
    throw new UsageError(`The financial year ${year} has not begun (it starts on 1 April ${start}); give a year that has, e.g. ${financialYearOf(now)}.`);
  }
  const lastNight = today < last ? today : last;
  return { year: year.trim(), firstNight: first.toISODate()!, lastNightOfYear: last.toISODate()!, lastNight: lastNight.toISODate()! };
}

/** The financial year an instant falls in, e.g. "2026-27". */
export function financialYearOf(now: Date): string {
  const d = DateTime.fromJSDate(now).setZone(UK_ZONE);
  const start = d.month >= 4 ? d.year : d.year - 1;
  return `${start}-${String((start + 1) % 100).padStart(2, '0')}`;
}

// ---- Building the pack ----

const FREE_MAIL = new Set(['gmail.com', 'googlemail.com', 'hotmail.com', 'hotmail.co.uk', 'outlook.com', 'live.com', 'live.co.uk', 'msn.com', 'yahoo.com', 'yahoo.co.uk', 'aol.com', 'aol.co.uk', 'icloud.com', 'me.com', 'btinternet.com', 'sky.com', 'talktalk.net', 'virginmedia.com', 'protonmail.com', 'proton.me', 'gmx.com', 'mail.com']);

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
// Shares are rounded down to a tenth: 364 of 365 nights is 99.7%, never "100%".
const share = (n: number, d: number) => `${Math.floor((1000 * n) / d) / 10}%`;
const pct = (n: number, d: number) => (d ? `${n} of ${d} (${share(n, d)})` : 'none measured');
const ukDay = (isoDate: string) => DateTime.fromISO(isoDate, { zone: UK_ZONE }).setLocale('en-GB').toFormat('d LLL yyyy');
const dayOf = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' }).setZone(UK_ZONE).toISODate()!;

function nightsBetween(first: string, last: string): string[] {
  const out: string[] = [];
  for (let d = DateTime.fromISO(first, { zone: UK_ZONE }); d.toISODate()! <= last; d = d.plus({ days: 1 })) out.push(d.toISODate()!);
  return out;
}

/** Consecutive dates as ranges: "3 Jun 2026" or "3 Jun 2026 – 5 Jun 2026". */
export function dateRanges(dates: string[]): string[] {
  const out: string[] = [];
  let start: string | undefined, prev: string | undefined;
  const flush = () => { if (start) out.push(start === prev ? ukDay(start) : `${ukDay(start)} – ${ukDay(prev!)}`); };
  for (const d of [...dates].sort()) {
    if (prev && DateTime.fromISO(prev).plus({ days: 1 }).toISODate() === d) { prev = d; continue; }
    flush();
    start = prev = d;
  }
  flush();
  return out;
}

interface Episode { id: string; checkId: string; kind: string; severity: string; subject: string; recipients: string[]; firstSeen: string; resolvedAt?: string; lastNight: string }

/** Each finding's life across the year: first seen, and resolved (or still open on the last record). */
function episodes(records: RunRecord[], checkId: string): Episode[] {
  const open = new Map<string, Episode>();
  const all: Episode[] = [];
  for (const r of records) {
    for (const f of r.findings.filter((x) => x.checkId === checkId)) {
      const e = open.get(f.id);
      if (e) { e.lastNight = r.night; continue; }
      // A finding resolved and then found again is a new episode from the night it came back.
      const again = all.some((x) => x.id === f.id);
      const episode: Episode = { id: f.id, checkId, kind: f.kind, severity: f.severity, subject: f.subject, recipients: f.recipients ?? [], firstSeen: again ? r.generatedAt : f.firstSeen, lastNight: r.night };
      open.set(f.id, episode);
      all.push(episode);
    }
    for (const x of r.resolved.filter((y) => y.checkId === checkId)) {
      const e = open.get(x.id);
      if (e) { e.resolvedAt = x.resolvedAt; open.delete(x.id); }
    }
  }
  return all.sort((a, b) => a.firstSeen.localeCompare(b.firstSeen) || a.id.localeCompare(b.id));
}

const daysToResolve = (e: Episode) => (e.resolvedAt ? Math.max(0, Math.round(DateTime.fromISO(e.resolvedAt).diff(DateTime.fromISO(e.firstSeen), 'days').days)) : undefined);

function table(id: string, caption: string, columns: string[], rows: (string | number)[][], empty: string): EvidenceTable {
  return { id, caption, columns, rows, empty };
}

function emailSection(records: RunRecord[], nightly: RunRecord[], council: CouncilConfig, fy: FinancialYear): EvidenceSection {
  const reasons: string[] = [];
  const withDomains = nightly.filter((r) => r.domains);
  const lastDomains = withDomains.at(-1)?.domains ?? [];
  const kindOf = (d: string) => (d.toLowerCase().endsWith('.onmicrosoft.com') ? 'Microsoft initial domain (onmicrosoft.com)' : FREE_MAIL.has(d.toLowerCase()) ? 'free or personal mail service' : 'authority-owned domain');
  const ownDomains = lastDomains.filter((d) => d.verified && kindOf(d.id) === 'authority-owned domain').map((d) => d.id.toLowerCase());
  const freeInConfig = council.domains.filter((d) => FREE_MAIL.has(d.toLowerCase()));
  const clerkDomain = council.clerk.split('@')[1]?.toLowerCase() ?? '';
  const withUsers = nightly.filter((r) => r.clerkMailbox);
  const clerkNights = withUsers.filter((r) => r.clerkMailbox!.present && r.clerkMailbox!.enabled).length;

  // Every rostered councillor whose term overlaps the year, with the nights their council account was missing.
  const councillorRows: (string | number)[][] = [];
  const gaps: string[] = [];
  for (const entry of council.roster) {
    const from = entry.termStart > fy.firstNight ? entry.termStart : fy.firstNight;
    const to = entry.termEnd < fy.lastNight ? entry.termEnd : fy.lastNight;
    if (from > to) continue;
    const inTerm = withUsers.filter((r) => r.night >= from && r.night <= to);
    const missing = inTerm.filter((r) => !r.councillorAccounts?.some((a) => a.upn.toLowerCase() === entry.userPrincipalName.toLowerCase() && a.present && a.enabled)).map((r) => r.night);
    const onDomain = council.domains.some((d) => entry.userPrincipalName.toLowerCase().endsWith(`@${d.toLowerCase()}`));
    const missingText = missing.length ? dateRanges(missing).join('; ') : 'none';
    if (missing.length) gaps.push(`${entry.userPrincipalName}: no usable council account on ${missing.length} audited night(s) of their term (${missingText})`);
    if (!onDomain) gaps.push(`${entry.userPrincipalName} is not an address on the council's domains`);
    councillorRows.push([entry.userPrincipalName, `${ukDay(entry.termStart)} – ${ukDay(entry.termEnd)}`, onDomain ? 'yes' : 'no', inTerm.length, inTerm.length - missing.length, missingText]);
  }

  const forwarding = episodes(records, 'mail.external-forwarding').filter((e) => e.kind !== 'inbox-rule-disabled');
  const open = forwarding.filter((e) => !e.resolvedAt);
  const personal = (e: Episode) => e.recipients.some((a) => FREE_MAIL.has(a.split('@')[1] ?? '')) ? 'personal or free mail service' : e.recipients.length ? 'outside address' : 'not known';
  const forwardingRows = forwarding.map((e) => [e.subject, e.kind, e.recipients.join(', ') || '—', personal(e), dayOf(e.firstSeen), e.resolvedAt ? dayOf(e.resolvedAt) : `still found on ${ukDay(e.lastNight)}`]);

  let answer: SuggestedAnswer;
  if (!withDomains.length || !withUsers.length) {
    answer = 'Cannot tell from the tenant';
    reasons.push(!withDomains.length ? 'No night of the year read the tenant\'s domains (the password policy check reads them); grant Domain.Read.All or enable that check.' : 'No night of the year read the tenant\'s accounts, so the clerk\'s and councillors\' mailboxes cannot be shown.');
  } else {
    const no: string[] = [];
    if (!ownDomains.length) no.push('the tenant has no verified domain of its own: only the onmicrosoft.com domain or a free mail service');
    if (freeInConfig.length) no.push(`the council's configured domains include a free mail service (${freeInConfig.join(', ')})`);
    if (!ownDomains.includes(clerkDomain)) no.push(`the clerk's address ${council.clerk} is not on a verified council domain`);
    if (!clerkNights) no.push(`the clerk's mailbox ${council.clerk} was not found on any audited night`);
    if (gaps.length) no.push(...gaps);
    if (open.length) no.push(`${open.length} forwarding of council mail to outside addresses was still in place on the last audited night`);
    answer = no.length ? 'No' : 'Yes';
    if (no.length) reasons.push(...no);
    else {
      reasons.push(`Verified council domain(s): ${ownDomains.join(', ')}; the clerk's mailbox ${council.clerk} is on it and was found on ${clerkNights} of ${withUsers.length} audited nights.`);
      reasons.push(`Every rostered councillor serving in the year had a council-domain account on every audited night of their term (${councillorRows.length} councillor(s)).`);
    }
    if (forwarding.length && !open.length) reasons.push(`${forwarding.length} forwarding of council mail to outside addresses was found during the year and every one was resolved (dates below).`);
  }
  return {
    id: 'email-domain',
    component: 'A generic email account on an authority-owned domain; council business on council email',
    answer,
    reasons,
    figures: {
      verifiedCouncilDomains: ownDomains.length,
      clerkMailboxNights: clerkNights,
      councillorsInYear: councillorRows.length,
      councillorsWithGaps: gaps.length,
      forwardingFound: forwarding.length,
      forwardingToPersonalServices: forwarding.filter((e) => personal(e) === 'personal or free mail service').length,
      forwardingResolved: forwarding.length - open.length,
      forwardingOpenAtEnd: open.length,
    },
    tables: [
      table('domains', 'The tenant\'s domains (last night read)', ['Domain', 'Verified', 'Default', 'Kind'], lastDomains.map((d) => [d.id, d.verified ? 'yes' : 'no', d.isDefault ? 'yes' : 'no', kindOf(d.id)]), 'No domains were read this year.'),
      table('clerk', 'The clerk\'s mailbox', ['Address', 'On a verified council domain', 'Nights found', 'Nights audited'], [[council.clerk, ownDomains.includes(clerkDomain) ? 'yes' : 'no', clerkNights, withUsers.length]], ''),
      table('councillors', 'Councillors on the roster during the year', ['Councillor', 'Term', 'Council domain', 'Nights audited in term', 'Nights with an account', 'Nights without'], councillorRows, 'No rostered councillor served during the year.'),
      table('forwarding', 'Forwarding of council mail to outside addresses', ['Mailbox', 'How', 'To', 'Service', 'Found', 'Resolved'], forwardingRows, 'None found during the year.'),
    ],
  };
}

function policySection(nightly: RunRecord[], council: CouncilConfig, fy: FinancialYear, profiles: EvidencePack['profiles']): EvidenceSection {
  const reasons: string[] = [];
  const adopted = council.policy?.adopted;
  const reviewed = council.policy?.reviewed;
  const missing = [!adopted && 'policy.adopted', !reviewed && 'policy.reviewed'].filter(Boolean) as string[];
  let answer: SuggestedAnswer;
  let reviewAgeMonths: number | null = null;
  if (missing.length) {
    answer = 'Cannot tell from the tenant';
    reasons.push(`The council config does not record ${missing.join(' or ')}; add "policy": { ${missing.map((m) => `"${m.split('.')[1]}": "YYYY-MM-DD"`).join(', ')} } to this council's entry so the pack can show when the policy was adopted and last reviewed.`);
  } else {
    const end = DateTime.fromISO(fy.lastNight, { zone: UK_ZONE });
    reviewAgeMonths = Math.floor(end.diff(DateTime.fromISO(reviewed!, { zone: UK_ZONE }), 'months').months);
    if (reviewAgeMonths >= 12) {
      answer = 'No';
      reasons.push(`The last review (${ukDay(reviewed!)}) was more than 12 months before ${ukDay(fy.lastNight)}: the policy is due for review.`);
    } else {
      answer = 'Yes';
      reasons.push(`Adopted ${ukDay(adopted!)}${council.policy?.adoptionMinute ? ` (minute ${council.policy.adoptionMinute})` : ''}, last reviewed ${ukDay(reviewed!)}, within 12 months of ${ukDay(fy.lastNight)} (as declared in the config, not verified).`);
    }
  }
  if (profiles.length > 1) reasons.push(`The policy profile changed during the year: ${profiles.map((p) => `${p.id} version ${p.version} from ${ukDay(p.firstNight)} to ${ukDay(p.lastNight)}`).join('; ')}.`);
  else if (profiles.length) reasons.push(`Monitored nightly against ${profiles[0].id} version ${profiles[0].version}.`);

  // A clause is met on a night when every check citing it ran and passed; nights it was not measured are left out.
  const clauseRows = new Map<string, { met: number; measured: number }>();
  for (const r of nightly) {
    const byClause = new Map<string, string[]>();
    for (const c of r.checks) for (const k of c.clauses) byClause.set(k, [...(byClause.get(k) ?? []), c.status]);
    for (const [k, statuses] of byClause) {
      const row = clauseRows.get(k) ?? { met: 0, measured: 0 };
      if (statuses.every((s) => s === 'pass' || s === 'fail' || s === 'warn')) {
        row.measured++;
        if (statuses.every((s) => s === 'pass')) row.met++;
      }
      clauseRows.set(k, row);
    }
  }
  const latest = nightly.at(-1);
  const profile = latest ? safeProfile(latest.policy.id) : undefined;
  const rows = [...clauseRows.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => {
    const clause = profile?.clauses[k];
    const number = council.checks?.clauses?.[k] ?? clause?.number ?? '—';
    return [number, clause?.summary ?? k, v.measured, v.met, v.measured ? share(v.met, v.measured) : '—'];
  });
  return {
    id: 'it-policy',
    component: 'An IT policy formally adopted and reviewed',
    answer,
    reasons,
    figures: { adopted: adopted ?? null, reviewed: reviewed ?? null, reviewAgeMonths, profileVersions: profiles.length, clausesMonitored: rows.length },
    tables: [
      table('profiles', 'Policy profile in force', ['Profile', 'Version', 'From', 'To', 'Nights'], profiles.map((p) => [p.id, p.version, p.firstNight, p.lastNight, p.nights]), 'No nights audited.'),
      table('adoption', 'Adoption and review (declared in the council config)', ['Field', 'Value'], [['policy.adopted', adopted ?? 'not recorded'], ['policy.reviewed', reviewed ?? 'not recorded'], ['policy.adoptionMinute', council.policy?.adoptionMinute ?? 'not recorded']], ''),
      table('clauses', 'Clauses monitored nightly and the share of nights each was met', ['Clause', 'What it asks', 'Nights measured', 'Nights met', 'Share met'], rows, 'No clause was measured.'),
    ],
  };
}

function safeProfile(id: string) {
  try { return loadProfile(id); } catch { return undefined; }
}

function dataProtectionSection(records: RunRecord[], nightly: RunRecord[], council: CouncilConfig, fy: FinancialYear): EvidenceSection {
  const reasons: string[] = [];
  const no: string[] = [];
  // MFA coverage: the last measurement in each month.
  const months = new Map<string, RunRecord>();
  for (const r of nightly) if (r.mfa) months.set(r.night.slice(0, 7), r);
  const cov = (c?: { inScope: number; covered: number }) => (c ? pct(c.covered, c.inScope) : '—');
  const mfaRows = [...months.entries()].map(([m, r]) => [DateTime.fromISO(`${m}-01`).setLocale('en-GB').toFormat('LLLL yyyy'), cov(r.mfa!.councillors), cov(r.mfa!.staff), cov(r.mfa!.admins)]);
  const lastMfa = [...months.values()].at(-1)?.mfa;
  if (lastMfa?.admins && lastMfa.admins.covered < lastMfa.admins.inScope) no.push(`at the last measurement ${lastMfa.admins.inScope - lastMfa.admins.covered} administrator(s) were not protected by MFA`);

  const passwordNights = nightly.filter((r) => ['pass', 'fail', 'warn'].includes(r.checks.find((c) => c.id === 'identity.password-policy')?.status ?? ''));
  const passwordMet = passwordNights.filter((r) => r.checks.find((c) => c.id === 'identity.password-policy')!.status === 'pass').length;

  const sharing = episodes(records, 'files.external-sharing');
  const sharingOpen = sharing.filter((e) => !e.resolvedAt);
  const resolvedDays = sharing.map(daysToResolve).filter((d): d is number => d !== undefined).sort((a, b) => a - b);
  const median = resolvedDays.length ? resolvedDays[Math.floor((resolvedDays.length - 1) / 2)] : null;
  if (sharingOpen.some((e) => e.kind === 'anyone-link')) no.push(`${sharingOpen.filter((e) => e.kind === 'anyone-link').length} link(s) anyone could open were still in place on the last audited night`);

  const intune = records.some((r) => r.intuneLicensed);
  const lastDevices = nightly.filter((r) => r.devices).at(-1)?.devices;
  const unencrypted = episodes(records, 'devices.compliance').filter((e) => e.kind === 'not-encrypted');

  // Leavers: each surrender's certificate (hand-over) and its verification, from the action log's milestones.
  const leavers = new Map<string, { certificate?: string; verify?: string; verifiedAt?: string }>();
  // The hand-over names the archive folder, not the councillor: it follows its surrender's verify step.
  let verifiedUpn = '';
  for (const r of records) {
    for (const step of [...r.actions.milestones].sort((a, b) => a.at.localeCompare(b.at))) {
      if (step.step === 'verify') verifiedUpn = step.upn;
      const m = step.step === 'hand-over' && !step.upn.includes('@') && verifiedUpn ? { ...step, upn: verifiedUpn } : step;
      const l = leavers.get(m.upn.toLowerCase()) ?? {};
      if (m.step === 'hand-over' && m.result === 'done') l.certificate = m.at;
      if (m.step === 'verify') { l.verify = m.result; l.verifiedAt = m.at; }
      leavers.set(m.upn.toLowerCase(), l);
    }
  }
  const endedInYear = council.roster.filter((e) => e.termEnd >= fy.firstNight && e.termEnd <= fy.lastNight);
  for (const e of endedInYear) if (!leavers.has(e.userPrincipalName.toLowerCase())) leavers.set(e.userPrincipalName.toLowerCase(), {});
  const leaverRows = [...leavers.entries()].map(([upn, l]) => [upn, council.roster.find((e) => e.userPrincipalName.toLowerCase() === upn)?.termEnd ?? '—', l.certificate ? dayOf(l.certificate) : 'no certificate recorded', l.verify === 'done' ? 'passed' : l.verify === 'failed' ? 'failed' : 'not recorded']);
  const failedVerify = [...leavers.values()].filter((l) => l.verify === 'failed').length;
  if (failedVerify) no.push(`${failedVerify} surrender(s) ended with a failed verification`);

  const reads = records.reduce((a, r) => ({ bySurrender: a.bySurrender + r.actions.contentReads.bySurrender, other: a.other + r.actions.contentReads.other }), { bySurrender: 0, other: 0 });
  if (reads.other) no.push(`the action log records ${reads.other} read(s) of mailbox or file content that were not part of a surrender`);

  let answer: SuggestedAnswer;
  if (!months.size) {
    answer = 'Cannot tell from the tenant';
    reasons.push('MFA coverage was not measured on any night of the year (both MFA checks must run); the other measures are listed below.');
  } else if (no.length) {
    answer = 'No';
    reasons.push(...no);
  } else {
    answer = 'Yes';
    reasons.push(`MFA coverage was measured in ${months.size} month(s); at the last measurement every administrator was protected.`);
    reasons.push(reads.bySurrender ? `Mailbox and file content was read only by surrenders (${reads.bySurrender} logged read(s)): monitoring otherwise read metadata only.` : 'No mailbox or file content was read during the year: monitoring read metadata only.');
  }
  if (!intune) reasons.push('Intune is not licensed, so device encryption cannot be seen from the tenant.');
  return {
    id: 'data-protection',
    component: 'UK GDPR and the Data Protection Act 2018 followed (data protection measures)',
    answer,
    reasons,
    figures: {
      mfaMonths: months.size,
      passwordNightsMeasured: passwordNights.length,
      passwordNightsMet: passwordMet,
      sharingIncidents: sharing.length,
      sharingResolved: sharing.length - sharingOpen.length,
      sharingMedianDaysToResolve: median,
      devicesEncrypted: intune && lastDevices ? lastDevices.encrypted : null,
      devicesTotal: intune && lastDevices ? lastDevices.total : null,
      unencryptedDevicesFound: intune ? unencrypted.length : null,
      leavers: leavers.size,
      surrenderVerificationsFailed: failedVerify,
      contentReadsBySurrender: reads.bySurrender,
      contentReadsOther: reads.other,
    },
    tables: [
      table('mfa', 'MFA coverage by month (registered and required; last measurement in the month)', ['Month', 'Councillors', 'Clerk and staff', 'Administrators'], mfaRows, 'MFA coverage was not measured.'),
      table('passwords', 'Password policy', ['Nights measured', 'Nights met', 'Share met'], [[passwordNights.length, passwordMet, passwordNights.length ? share(passwordMet, passwordNights.length) : '—']], ''),
      table('sharing', 'External sharing incidents', ['Item', 'Kind', 'Found', 'Resolved', 'Days to resolve'], sharing.map((e) => [e.subject, e.kind, dayOf(e.firstSeen), e.resolvedAt ? dayOf(e.resolvedAt) : `still found on ${ukDay(e.lastNight)}`, daysToResolve(e) ?? '—']), 'None found during the year.'),
      table('devices', 'Device encryption (Intune)', ['Devices', 'Encrypted', 'Unencrypted devices found in the year'], intune && lastDevices ? [[lastDevices.total, lastDevices.encrypted, unencrypted.length]] : [], 'Intune is not licensed or devices were not read: not visible from the tenant.'),
      table('leavers', 'Leavers\' surrenders', ['Councillor', 'Term ended', 'Certificate', 'Verification'], leaverRows, 'No councillor left during the year.'),
      table('content-access', 'Access to content (from the action log)', ['By surrenders', 'Other'], [[reads.bySurrender, reads.other]], ''),
    ],
  };
}

function notVisibleSection(council: CouncilConfig): EvidenceSection {
  const d = council.declarations ?? {};
  const rows: [string, string, string | undefined][] = [
    ['Website meets WCAG 2.2 AA (accessibility statement)', 'declarations.accessibilityStatementUrl', d.accessibilityStatementUrl],
    ['Transparency and FOI publication scheme', 'declarations.publicationSchemeUrl', d.publicationSchemeUrl],
    ['ICO registration', 'declarations.icoRegistration', d.icoRegistration],
    ['Data protection training', 'declarations.trainingRecord', d.trainingRecord],
    ['Breach log', 'declarations.breachLog', d.breachLog],
    ['Minute of the IT policy\'s adoption', 'policy.adoptionMinute', council.policy?.adoptionMinute],
  ];
  const declared = rows.filter((r) => r[2]).length;
  return {
    id: 'not-visible',
    component: 'Not visible from the tenant',
    answer: 'For the council to evidence',
    reasons: [`These are outside Microsoft 365. ${declared} of ${rows.length} reference(s) are recorded in the council config: shown as declared, not verified.`],
    figures: { declared, items: rows.length },
    tables: [table('declarations', 'For the council to evidence', ['Item', 'Config field', 'Declared reference'], rows.map(([item, field, value]) => [item, field, value ?? 'not recorded']), '')],
  };
}

function profilesInForce(records: RunRecord[]): EvidencePack['profiles'] {
  const out: EvidencePack['profiles'] = [];
  for (const r of records) {
    const last = out.at(-1);
    if (last && last.id === r.policy.id && last.version === r.policy.version) {
      if (last.lastNight !== r.night) last.nights++;
      last.lastNight = r.night;
    } else out.push({ id: r.policy.id, version: r.policy.version, firstNight: r.night, lastNight: r.night, nights: 1 });
  }
  return out;
}

/** Reads stored records; one that is not a record of this tenant is refused rather than silently used. */
export function parseRecords(stored: StoredRecord[], tenantId: string): RunRecord[] {
  return stored.map((s) => {
    let r: RunRecord;
    try { r = JSON.parse(s.bytes.toString('utf8')) as RunRecord; } catch { throw new Error(`The run record ${s.name} is not valid JSON; the store has been damaged.`); }
    if (r.recordVersion !== 1 || r.tenantId?.toLowerCase() !== tenantId.toLowerCase() || r.night !== s.night) throw new Error(`The run record ${s.name} is not a version 1 record of tenant ${tenantId} for ${s.night}.`);
    return r;
  }).sort((a, b) => a.generatedAt.localeCompare(b.generatedAt));
}

export function buildEvidencePack(input: { council: CouncilConfig; fy: FinancialYear; stored: StoredRecord[]; generatedAt: string }): EvidencePack {
  const { council, fy, stored } = input;
  const records = parseRecords(stored, council.tenantId);
  const nights = nightsBetween(fy.firstNight, fy.lastNight);
  const audited = new Set(records.map((r) => r.night));
  const listed = [...stored].sort((a, b) => a.name.localeCompare(b.name)).map((s) => ({ name: s.name, night: s.night, sha256: sha256(s.bytes) }));
  const profiles = profilesInForce(records);
  // A night audited twice (a re-run) counts once in the nightly figures: its last run stands. Findings'
  // episodes and the action log use every record, since each record's actions cover only its own window.
  const nightly = [...new Map(records.map((r) => [r.night, r])).values()];
  const sections = records.length
    ? [emailSection(records, nightly, council, fy), policySection(nightly, council, fy, profiles), dataProtectionSection(records, nightly, council, fy), notVisibleSection(council)]
    : [emptySection('email-domain', 'A generic email account on an authority-owned domain; council business on council email', fy),
      emptySection('it-policy', 'An IT policy formally adopted and reviewed', fy),
      emptySection('data-protection', 'UK GDPR and the Data Protection Act 2018 followed (data protection measures)', fy), notVisibleSection(council)];
  return {
    packVersion: 1,
    tool: { name: 'councilguard', version },
    council: council.name,
    tenantId: council.tenantId,
    year: fy.year,
    period: { start: fy.firstNight, end: fy.lastNightOfYear, lastNight: fy.lastNight },
    generatedAt: input.generatedAt,
    coverage: { nightsInPeriod: nights.length, nightsAudited: nights.filter((n) => audited.has(n)).length, missedNights: dateRanges(nights.filter((n) => !audited.has(n))) },
    profiles,
    sections,
    records: listed,
    recordsDigest: sha256(listed.map((r) => `${r.sha256}  ${r.name}\n`).join('')),
  };
}

function emptySection(id: EvidenceSection['id'], component: string, fy: FinancialYear): EvidenceSection {
  return { id, component, answer: 'Cannot tell from the tenant', reasons: [`CouncilGuard holds no run records for ${fy.year} (${ukDay(fy.firstNight)} – ${ukDay(fy.lastNight)}): no night of this period was audited, so nothing can be suggested.`], figures: {}, tables: [] };
}

/**
 * The three files, and evidence.sha256: their SHA-256 in the format `sha256sum -c` reads, so the internal
 * auditor can check the copy they were given without CouncilGuard; its own SHA-256 is the pack's digest.
 */
export function renderEvidenceFiles(pack: EvidencePack): EvidenceFiles {
  const files = { 'evidence.html': renderEvidenceHtml(pack), 'evidence.csv': renderEvidenceCsv(pack), 'evidence.json': renderEvidenceJson(pack) };
  const sums = Object.entries(files).map(([name, text]) => `${sha256(text)}  ${name}\n`).join('');
  return { ...files, 'evidence.sha256': sums };
}

/** The digest of the whole pack: the SHA-256 of evidence.sha256. */
export function packDigest(files: EvidenceFiles): string {
  return sha256(files['evidence.sha256']);
}

// ---- Use cases ----

/** What a pack was built from besides the records: kept in the store so --verify can rebuild it. */
interface Receipt { council: CouncilConfig; year: string; generatedAt: string; records: string[] }

export interface EvidenceResult {
  pack: EvidencePack;
  files: EvidenceFiles;
  /** No run records in the period: the pack says so, and the command exits non-zero. */
  empty: boolean;
}

/** Builds one council's pack for a financial year from the store, and keeps its receipt. */
export async function generateEvidence(councils: Councils, opts: { council?: string; year: string }): Promise<EvidenceResult> {
  const now = councils.clock();
  const fy = financialYear(opts.year, now);
  const council = councils.one(opts.council);
  const stored = await councils.store.runRecords.list(council.tenantId, fy.firstNight, fy.lastNight);
  const pack = buildEvidencePack({ council, fy, stored, generatedAt: now.toISOString() });
  const receipt: Receipt = { council, year: fy.year, generatedAt: pack.generatedAt, records: pack.records.map((r) => r.name) };
  await councils.store.runRecords.saveReceipt(council.tenantId, fy.year, pack.generatedAt, JSON.stringify(receipt));
  return { pack, files: renderEvidenceFiles(pack), empty: stored.length === 0 };
}

/** `councilguard evidence`: refuse bad input before anything is opened, build the pack, write the three files together. */
export function evidenceFromConfigFile(opts: { configPath: string; council?: string; year: string; out: string; dataDir?: string; env?: NodeJS.ProcessEnv; log: Logger; clock?: Clock }): Promise<EvidenceResult> {
  const file = loadCouncilFile(opts.configPath);
  const pool = selectCouncils(file.councils, opts.council);
  if (pool.length !== 1) throw new UsageError(`The config lists ${pool.length} councils; say which one with --council NAME|TENANT_ID.`);
  financialYear(opts.year, (opts.clock ?? systemClock)());
  return withCouncils({ file, dataDir: opts.dataDir, env: opts.env, log: opts.log, clock: opts.clock }, async (councils) => {
    const result = await generateEvidence(councils, { council: opts.council, year: opts.year });
    writeFilesAtomically(opts.out, { ...result.files });
    return result;
  });
}

export interface Verification { matches: boolean; problems: string[] }

/** Rebuilds the pack in `dir` from the store (its receipt and the records it lists) and compares each file. */
export async function verifyEvidence(councils: Councils, dir: string): Promise<Verification> {
  const jsonPath = join(dir, 'evidence.json');
  if (!existsSync(jsonPath)) throw new UsageError(`${dir} has no evidence.json; give --verify the folder councilguard evidence --out wrote.`);
  let listed: EvidencePack;
  try { listed = parseEvidenceJson(readFileSync(jsonPath, 'utf8')); } catch (err) {
    return { matches: false, problems: [`evidence.json was changed: ${err instanceof Error ? err.message : String(err)}`] };
  }
  const receiptText = await councils.store.runRecords.getReceipt(listed.tenantId, listed.year, listed.generatedAt);
  if (!receiptText) return { matches: false, problems: [`evidence.json was changed or comes from another store: no pack of ${listed.year} generated at ${listed.generatedAt} is recorded for tenant ${listed.tenantId}.`] };
  const receipt = JSON.parse(receiptText) as Receipt;
  const problems: string[] = [];
  const stored: StoredRecord[] = [];
  const found = await councils.store.runRecords.getMany(receipt.records);
  receipt.records.forEach((name, i) => {
    const bytes = found[i];
    if (!bytes) problems.push(`the run record ${name} is no longer in the store`);
    else stored.push({ name, night: name.split('/').at(-2)!, bytes });
  });
  const fy = financialYear(receipt.year, new Date(receipt.generatedAt));
  const pack = buildEvidencePack({ council: receipt.council, fy, stored, generatedAt: receipt.generatedAt });
  const expected = renderEvidenceFiles(pack);
  for (const name of EVIDENCE_FILES) {
    const path = join(dir, name);
    if (!existsSync(path)) problems.push(`${name} is missing`);
    else if (sha256(readFileSync(path)) !== sha256(expected[name])) problems.push(`${name} was changed: it does not match the pack rebuilt from the store`);
  }
  const ours = new Map(listed.records?.map((r) => [r.name, r.sha256]) ?? []);
  for (const r of pack.records) if (ours.has(r.name) && ours.get(r.name) !== r.sha256) problems.push(`the run record ${r.name} in the store no longer has the SHA-256 the pack lists`);
  return { matches: problems.length === 0, problems };
}

export function verifyEvidenceFromConfigFile(opts: { configPath: string; dir: string; dataDir?: string; env?: NodeJS.ProcessEnv; log: Logger; clock?: Clock }): Promise<Verification> {
  const file = loadCouncilFile(opts.configPath);
  return withCouncils({ file, dataDir: opts.dataDir, env: opts.env, log: opts.log, clock: opts.clock }, (councils) => verifyEvidence(councils, opts.dir));
}

/**
 * The 1 April timer: last year's pack for every council, delivered like the reports. 1 April is always
 * in British Summer Time (the clocks go forward on the last Sunday of March), so one UTC firing suffices.
 */
export async function yearlyEvidence(opts: { env: NodeJS.ProcessEnv; log: Logger; clock?: Clock }): Promise<{ errored: boolean; message: string }> {
  const clock = opts.clock ?? systemClock;
  const now = clock();
  const d = DateTime.fromJSDate(now).setZone(UK_ZONE);
  if (d.month !== 4 || d.day !== 1) return { errored: false, message: 'Not 1 April in the UK: the year\'s evidence is built then.' };
  const year = financialYearOf(d.minus({ days: 1 }).toJSDate());
  const councils = await functionAppCouncils(opts.env, opts.log, () => now)();
  const lines: string[] = [];
  let errored = false;
  for (const council of councils.all()) {
    try {
      const result = await generateEvidence(councils, { council: council.tenantId, year });
      const deliveries: DeliveryResult[] = await deliverEvidence({ graph: councils.context(council).graph, council, files: result.files, year });
      const failed = deliveries.filter((x) => x.status === 'failed');
      if (failed.length || result.empty) errored = true;
      lines.push(`${council.name}: ${result.empty ? 'no run records' : `${result.pack.coverage.nightsAudited} nights`}; ${deliveries.map((x) => `${x.channel} ${x.status}`).join(', ') || 'no delivery configured'}`);
    } catch (err) {
      errored = true;
      lines.push(`${council.name}: the evidence pack could not be built: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { errored, message: `Evidence for ${year}. ${lines.join('; ')}` };
}

/** GET /api/evidence: one council's pack for a year (the caller's council was checked by the handler). */
export async function evidenceForRequest(councils: Councils, council: CouncilConfig, year: string): Promise<EvidenceResult> {
  return generateEvidence(councils, { council: council.tenantId, year });
}

/** Used by the handler to find the council before checking the caller belongs to it. */
export function evidenceCouncil(councils: Councils, selector: string): CouncilConfig {
  return councils.one(selector);
}

