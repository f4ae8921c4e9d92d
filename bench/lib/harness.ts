// What every benchmark shares: the simulator child, Azurite, the workload child, the machine
// description, the results file and the printed table.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import type { FaultOptions } from '../../simulator';
import { startAzurite } from '../../store/azurite';
import type { Confinement } from './memory-cgroup';
import { packageRoot } from '../../config/paths';
import { ChildRpc, type ProcessUsage } from './ipc';
import type { BenchTenantSpec } from './scenario';
import type { SimStats, StartedTenant } from '../sim-process';
import { assertCleanTree, provenanceOf } from './provenance';
import { countMismatch, judge, type BenchResult, type CountCheck, type Target } from './verdict';

export type { Target, CountCheck } from './verdict';

/** Graph latency for every benchmark: 90 ms plus 0–20 ms of seeded jitter, i.e. 100 ms ± 10 ms. */
export const LATENCY: FaultOptions = { seed: 7, latencyMs: 90, jitterMs: 20 };

const script = (name: string) => join(__dirname, '..', `${name}.js`);

export interface Simulator {
  rpc: ChildRpc;
  url: string;
  tenants: StartedTenant[];
  buildSeconds: number;
  stats(): Promise<SimStats>;
  resetStats(): Promise<void>;
  /** The simulator process's CPU seconds so far (subtract two readings for one run's share). */
  cpuS(): Promise<number>;
}

/**
 * Outlook's documented concurrency, on in every benchmark: at most 4 Outlook requests in flight per app
 * ID across all mailboxes and tenants, the 5th refused with 429 ("Microsoft Graph service-specific
 * throttling limits", Outlook service limits). A benchmark may override it (0 turns it off).
 */
export const OUTLOOK_LIMITS: FaultOptions = { outlookConcurrency: 4 };

export async function withSimulator<T>(tenants: BenchTenantSpec[], faults: FaultOptions, fn: (sim: Simulator) => Promise<T>): Promise<T> {
  // The 15,000-user tenant needs more than the default heap.
  const rpc = new ChildRpc(script('sim-process'), ['--max-old-space-size=6144']);
  try {
    const started = await rpc.call<{ url: string; tenants: StartedTenant[]; buildSeconds: number }>('start', { tenants, faults: { ...OUTLOOK_LIMITS, ...faults } });
    return await fn({
      rpc, ...started,
      stats: () => rpc.call<SimStats>('stats'),
      resetStats: () => rpc.call<void>('resetStats'),
      cpuS: async () => { const u = await rpc.call<ProcessUsage>('usage'); return u.cpuUserS + u.cpuSystemS; },
    });
  } finally {
    await rpc.close();
  }
}

/** A fresh in-memory Azurite: every measured run starts with empty storage unless it shares one on purpose. */
export async function withAzurite<T>(fn: (connectionString: string) => Promise<T>): Promise<T> {
  const azurite = await startAzurite({ inMemory: true });
  try {
    return await fn(azurite.connectionString);
  } finally {
    await azurite.stop();
  }
}

/** Runs one job in a fresh workload process, so its peak RSS is the job's alone. */
/** `confined`: the workload runs in that memory cgroup (memory-cgroup.ts), which is removed after. */
export async function inWorkload<T>(cmd: string, args: unknown, confined?: Confinement): Promise<T> {
  // BENCH_WORKLOAD_NODE_ARGS (e.g. --max-old-space-size=160) runs the measured process with a heap cap.
  const rpc = new ChildRpc(script('workload'), (process.env.BENCH_WORKLOAD_NODE_ARGS ?? '').split(/\s+/).filter(Boolean), confined);
  try {
    return await rpc.call<T>(cmd, args);
  } finally {
    await rpc.close();
    confined?.cleanup();
  }
}

export interface Machine {
  date: string;
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  platform: string;
  /** The machine's 15-minute load average when the result was written: other work shares the CPUs. */
  loadAverage15m: number;
  /** What else ran on the machine at the same time, if the person running the benchmark said (BENCH_SHARED_WITH). */
  sharedWith?: string;
}

export function machine(): Machine {
  return {
    date: DateTime.now().setZone('Europe/London').toFormat('yyyy-MM-dd HH:mm ZZZZ'),
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverage15m: Math.round(loadavg()[2] * 100) / 100,
    ...(process.env.BENCH_SHARED_WITH ? { sharedWith: process.env.BENCH_SHARED_WITH } : {}),
  };
}

/**
 * Writes bench/results/<name>.json with the machine, the commit, whether the tree was dirty and the hash
 * of the benchmark's sources (refused from a dirty tree unless BENCH_ALLOW_DIRTY=1). Throws, naming the
 * run, when any `counts` entry disagrees between client and simulator: such numbers are not written.
 */
export function writeResult(name: string, data: Omit<BenchResult, 'benchmark' | 'machine' | 'provenance'>): string {
  const mismatches = (data.counts ?? []).map(countMismatch).filter((m): m is string => !!m);
  if (mismatches.length) throw new Error(`${name}: the client's RequestMeter and the simulator disagree, so the counts cannot be trusted and no result was written: ${mismatches.join(' | ')}`);
  assertCleanTree();
  const dir = join(packageRoot(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.json`);
  const result: BenchResult = { benchmark: name, machine: { ...machine() }, provenance: provenanceOf(name), ...data };
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
  return path;
}

/** One measured run's round trips and work units from the client's meter and the simulator's counters. */
export function countCheck(label: string, client: { httpRequests: number; workUnits: number }, sim: SimStats, per: { users?: number; councils?: number; messages?: number } = {}): CountCheck {
  const check: CountCheck = { label, ...per, roundTrips: { client: client.httpRequests, simulator: sim.requests + sim.uploads }, workUnits: { client: client.workUnits, simulator: sim.workUnits } };
  const bad = countMismatch(check);
  // Loudly, at once: a benchmark whose two counts disagree is measuring something else than it says.
  if (bad) throw new Error(`Request counts disagree between the client's RequestMeter and the simulator: ${bad}`);
  return check;
}

/** A plain text table: one header row, right-aligned numbers. */
export function printTable(title: string, rows: Record<string, string | number | boolean>[]): void {
  process.stdout.write(`\n${title}\n`);
  if (!rows.length) return void process.stdout.write('(no rows)\n');
  const cols = Object.keys(rows[0]);
  const text = rows.map((r) => cols.map((c) => String(r[c] ?? '')));
  const width = cols.map((c, i) => Math.max(c.length, ...text.map((t) => t[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => (typeof rows[0][cols[i]] === 'number' ? cell.padStart(width[i]) : cell.padEnd(width[i]))).join('  ');
  process.stdout.write(`${line(cols)}\n${width.map((w) => '-'.repeat(w)).join('  ')}\n${text.map(line).join('\n')}\n`);
}

export function printTargets(targets: Target[]): void {
  for (const t of targets) process.stdout.write(`  ${judge(t).toUpperCase().padEnd(9)} ${t.target}: ${t.measured}${t.note ? ` — ${t.note}` : ''}\n`);
}

export function envNumbers(name: string, fallback: number[]): number[] {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const values = raw.split(',').map((s) => Number(s.trim().replace(/_/g, '')));
  if (values.some((v) => !Number.isInteger(v) || v < 0)) throw new Error(`${name}="${raw}" must be a comma-separated list of whole numbers, e.g. 15,150,1500.`);
  return values;
}

export const envNumber = (name: string, fallback: number): number => envNumbers(name, [fallback])[0];
