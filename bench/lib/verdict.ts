// The results file's shape and how a target is judged, shared by the benchmarks (when they write a
// result) and bench/readme.ts (when it renders bench/README.md). Pure: no files, no git.

/** Median, min and max of repeated measurements. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  /** How many runs. */
  n: number;
}

export interface Target {
  target: string;
  measured: string;
  /** The benchmark's own judgement; for a target with `threshold`, `judge()` decides instead. */
  met: boolean;
  /** When missed: by how much, and what the measurements show limits it. */
  note?: string;
  /**
   * A target on repeated runs: met only when the whole spread is on the right side of `value`, not met
   * when the whole spread is on the wrong side, "not shown" when the spread straddles it or there are
   * fewer than MIN_RUNS runs.
   */
  threshold?: { value: number; better: 'higher' | 'lower'; spread: Spread };
  /** Why the target could not be measured in this run (e.g. a size left out): its verdict is "not shown". */
  notShownBecause?: string;
}

export type Verdict = 'met' | 'not met' | 'not shown' | 'stale';

/** Fewer runs than this cannot show a target on repeated runs. */
export const MIN_RUNS = 3;

export function spreadOf(values: number[]): Spread {
  if (!values.length) throw new Error('spreadOf: no values');
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return { median: s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2, min: s[0], max: s[s.length - 1], n: s.length };
}

/**
 * The speed-up of `fast` over `slow` (wall times): the ratio of the medians, with the widest range the
 * runs allow (slowest baseline over fastest optimised run, and the reverse) as its min and max.
 */
export function speedUp(slow: Spread, fast: Spread): Spread {
  return { median: slow.median / fast.median, min: slow.min / fast.max, max: slow.max / fast.min, n: Math.min(slow.n, fast.n) };
}

export function judge(t: Target): Exclude<Verdict, 'stale'> {
  if (t.notShownBecause) return 'not shown';
  if (!t.threshold) return t.met ? 'met' : 'not met';
  const { value, better, spread } = t.threshold;
  if (spread.n < MIN_RUNS) return 'not shown';
  const good = (x: number) => (better === 'higher' ? x >= value : x <= value);
  if (good(spread.min) && good(spread.max)) return 'met';
  if (!good(spread.min) && !good(spread.max)) return 'not met';
  return 'not shown';
}

/** Where a result came from: the commit, whether the tree was dirty, and a hash of what affects it. */
export interface Provenance {
  commit: string;
  dirty: boolean;
  /** sha256 over the paths and contents of `sources` (tracked and untracked files, ignored ones left out). */
  sourceHash: string;
  /** Folders and files whose contents the hash covers. */
  sources: string[];
}

/** Round trips (HTTP requests) and Graph work units of one measured run, from both sides. */
export interface CountCheck {
  label: string;
  users?: number;
  councils?: number;
  /** Messages the run copied (a surrender), for work units per message. */
  messages?: number;
  roundTrips: { client: number; simulator: number };
  workUnits: { client: number; simulator: number };
}

export interface Memory {
  peakRssMb?: number;
  peakHeapMb?: number;
  steadyRssMb?: number;
}

export interface BenchResult {
  benchmark: string;
  machine: Record<string, unknown>;
  provenance?: Provenance;
  params: unknown;
  rows: unknown[];
  targets: Target[];
  counts?: CountCheck[];
  /** Written by the memory sampler (bench/lib/memory-sampler.ts) where a benchmark uses it. */
  memory?: Memory;
  /** Free text the generator prints under the benchmark (what the numbers show, what is inherent). */
  findings?: string[];
  extra?: unknown;
}

/** Each target's verdict; every one is "stale" when the sources changed since the result was written. */
export function verdicts(result: BenchResult, currentSourceHash: string | undefined): Verdict[] {
  const stale = !result.provenance || result.provenance.sourceHash !== currentSourceHash;
  return result.targets.map((t) => (stale ? 'stale' : judge(t)));
}

/** Round trips and work units disagreeing between client and simulator: the measurement cannot be trusted. */
export function countMismatch(c: CountCheck): string | undefined {
  const bad: string[] = [];
  if (c.roundTrips.client !== c.roundTrips.simulator) bad.push(`round trips ${c.roundTrips.client} (client) vs ${c.roundTrips.simulator} (simulator)`);
  if (c.workUnits.client !== c.workUnits.simulator) bad.push(`work units ${c.workUnits.client} (client) vs ${c.workUnits.simulator} (simulator)`);
  return bad.length ? `${c.label}: ${bad.join('; ')}` : undefined;
}
