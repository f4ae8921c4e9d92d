// evidence-year: a financial year's Assertion 10 pack from 365 nightly run records (AGAR evidence,
// issue 17). The records are written to a fresh Azurite first (not measured), shaped like a 15-user
// council's nights: a dozen open findings, MFA by role, domains, the roster's accounts, a forwarding
// episode, a surrender. Then one workload process reads them, builds the pack and renders the three
// files; its wall time and peak RSS are the figures.
import { DateTime } from 'luxon';
import pLimit from 'p-limit';
import type { RunRecord } from '../../core/evidence';
import { openStore } from '../../store';
import { storeRunRecord } from '../../jobs/run-record';
import { parseCouncilFile } from '../../jobs/council-context';
import type { CouncilConfig } from '../../policy/council-config';
import { envNumber, inWorkload, printTable, printTargets, withAzurite, writeResult, type Target } from '../lib/harness';
import type { EvidenceJobResult } from '../workload';

/** The pack is built from stored run records: the workload has no Graph endpoint at all (no simulator runs). */
const NO_GRAPH = '0 Graph round trips, 0 work units (stored run records only)';

const TENANT = '5a0e1d2c-3b4a-4c5d-8e6f-7a8b9c0d1e2f';
const DOMAIN = 'benchparish.gov.uk';

export function benchCouncil(): CouncilConfig {
  return parseCouncilFile({ councils: [{
    name: 'Bench Parish Council', tenantId: TENANT, profile: 'model-council', domains: [DOMAIN], councillorGroup: 'Councillors', clerk: `clerk@${DOMAIN}`,
    sharePoint: { siteUrl: `https://benchparish.sharepoint.com/sites/council`, library: 'Documents' },
    roster: Array.from({ length: 11 }, (_, i) => ({ userPrincipalName: `cllr${i}@${DOMAIN}`, termStart: '2022-05-05', termEnd: i === 0 ? '2026-05-07' : '2027-05-06' })),
    policy: { adopted: '2025-05-10', reviewed: '2026-05-12', adoptionMinute: 'FC 25/045' },
  }] }, 'bench').councils[0];
}

function record(council: CouncilConfig, night: string, i: number): RunRecord {
  const at = DateTime.fromISO(`${night}T02:00`, { zone: 'Europe/London' }).toUTC().toISO()!;
  const findings = Array.from({ length: 12 }, (_, k) => ({ id: `f${k}`.padEnd(20, '0'), checkId: ['identity.mfa-registration', 'files.external-sharing', 'identity.password-policy', 'files.outside-sharepoint'][k % 4], kind: 'kind', severity: 'medium' as const, subject: `cllr${k % 11}@${DOMAIN}`, firstSeen: '2026-04-01T01:00:00.000Z' }));
  if (i >= 40 && i < 47) findings.push({ id: 'fwd'.padEnd(20, '0'), checkId: 'mail.external-forwarding', kind: 'inbox-rule', severity: 'high', subject: `cllr3@${DOMAIN}`, firstSeen: '2026-05-11T01:00:00.000Z', recipients: ['someone@gmail.com'] } as never);
  const role = (n: number) => ({ inScope: n, registered: n - 1, enforced: n, covered: n - 1 });
  return {
    recordVersion: 1, tenantId: council.tenantId, council: council.name, runId: at.replace(/[:.]/g, '-'), generatedAt: at, night, tool: '0.1.0',
    policy: { id: 'model-council', version: '2024-1' },
    checks: ['files.outside-sharepoint', 'files.external-sharing', 'mail.external-forwarding', 'identity.mfa-registration', 'identity.mfa-enforcement', 'identity.password-policy', 'mailbox.access-audit', 'accounts.term-ended', 'devices.compliance']
      .map((id, k) => ({ id, status: k % 3 ? 'pass' as const : 'fail' as const, clauses: [`clause.${k}`] })),
    findings,
    resolved: i === 47 ? [{ id: 'fwd'.padEnd(20, '0'), checkId: 'mail.external-forwarding', subject: `cllr3@${DOMAIN}`, resolvedAt: at }] : [],
    mfa: { councillors: role(11), staff: role(2), admins: { inScope: 1, registered: 1, enforced: 1, covered: 1 } },
    domains: [{ id: DOMAIN, verified: true, isDefault: true }, { id: 'benchparish.onmicrosoft.com', verified: true, isDefault: false }],
    councillorAccounts: council.roster.map((r) => ({ upn: r.userPrincipalName, present: true, enabled: true })),
    clerkMailbox: { address: council.clerk, present: true, enabled: true },
    devices: { total: 14, encrypted: 13 }, intuneLicensed: true,
    surrenders: i > 40 ? [{ upn: `cllr0@${DOMAIN}`, status: 'done' }] : [],
    actions: { since: at, byAction: i === 40 ? { 'content.read': 4 } : {}, contentReads: { bySurrender: i === 40 ? 4 : 0, other: 0 }, milestones: i === 40 ? [{ upn: `cllr0@${DOMAIN}`, step: 'verify', result: 'done', at }, { upn: 'Councillor archives/Cllr 0', step: 'hand-over', result: 'done', at }] : [] },
  };
}

export async function evidenceYear(): Promise<void> {
  const nights = envNumber('BENCH_NIGHTS', 365);
  const council = benchCouncil();
  let result: EvidenceJobResult | undefined;
  await withAzurite(async (storage) => {
    const store = await openStore(storage);
    const limit = pLimit(16);
    const first = DateTime.fromISO('2026-04-01');
    await Promise.all(Array.from({ length: nights }, (_, i) => limit(() => storeRunRecord(store, record(council, first.plus({ days: i }).toISODate()!, i)))));
    process.stdout.write(`evidence-year: ${nights} run records written; building the 2026-27 pack…\n`);
    result = await inWorkload<EvidenceJobResult>('evidence', { storage, council, year: '2026-27', now: '2027-04-01T02:00:00.000Z' });
  });
  const r = result!;
  const rows = [{ nights, records: r.records, wallS: r.wallS, readS: r.readS, buildAndRenderS: r.buildAndRenderS, htmlKb: Math.round(r.htmlBytes / 1024), maxRssMb: r.usage.maxRssMb, cpuS: Math.round((r.usage.cpuUserS + r.usage.cpuSystemS) * 10) / 10 }];
  const targets: Target[] = [
    { target: `${nights} nights' pack in < 10 s`, measured: `${r.wallS} s; ${NO_GRAPH}`, met: r.wallS < 10 },
    { target: 'peak RSS < 200 MB', measured: `${r.usage.maxRssMb} MB; ${NO_GRAPH}`, met: r.usage.maxRssMb < 200 },
  ];
  printTable('evidence-year', rows);
  printTargets(targets);
  process.stdout.write(`wrote ${writeResult('evidence-year', { params: { nights, year: '2026-27' }, rows, targets })}\n`);
}
