// Run records made directly, for tests of the evidence pack's rules (versions, missing config fields)
// that need no tenant: the same shape the nightly run writes (jobs/run-record.ts), as stored bytes.
import { DateTime } from 'luxon';
import type { RunRecord } from '../../core/evidence';
import type { CouncilConfig } from '../../policy/council-config';
import type { StoredRecord } from '../../store';

export function runRecord(council: CouncilConfig, night: string, change: Partial<RunRecord> = {}): RunRecord {
  const at = DateTime.fromISO(`${night}T02:00`, { zone: 'Europe/London' }).toUTC().toISO()!;
  return {
    recordVersion: 1, tenantId: council.tenantId, council: council.name, runId: at.replace(/[:.]/g, '-'), generatedAt: at, night, tool: '0.1.0',
    policy: { id: council.profile, version: '1' },
    checks: [{ id: 'mail.external-forwarding', status: 'pass', clauses: ['mail.forwarding'] }],
    findings: [], resolved: [], surrenders: [],
    actions: { since: at, byAction: {}, contentReads: { bySurrender: 0, other: 0 }, milestones: [] },
    ...change,
  };
}

export function stored(records: RunRecord[]): StoredRecord[] {
  return records.map((r) => ({ name: `${r.tenantId}/${r.night}/${r.runId}.json`, night: r.night, bytes: Buffer.from(JSON.stringify(r)) }));
}

/** Each UK day from `first` to `last` inclusive. */
export function days(first: string, last: string): string[] {
  const out: string[] = [];
  for (let d = DateTime.fromISO(first); d.toISODate()! <= last; d = d.plus({ days: 1 })) out.push(d.toISODate()!);
  return out;
}
