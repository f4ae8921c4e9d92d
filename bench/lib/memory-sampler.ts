// Samples this process's memory (process.memoryUsage(): rss, heapUsed, heapTotal, external) every second while a workload
// runs, and reports the peak and the steady state (the median of the last half of the samples, after
// start-up and the first garbage collections), and the heap left after each full garbage collection
// (what the workload really holds, as opposed to garbage not yet collected). Any benchmark's workload can use it.
import { appendFileSync } from 'node:fs';
import { constants as perfConstants, PerformanceObserver } from 'node:perf_hooks';
import { round } from './ipc';

export interface MemorySample {
  /** Seconds since the sampler started. */
  atS: number;
  rssMb: number;
  heapUsedMb: number;
  /** What V8 has reserved for the heap, and memory outside it (Buffers, ArrayBuffers): where RSS goes beyond heapUsed. */
  heapTotalMb?: number;
  externalMb?: number;
  arrayBuffersMb?: number;
  /** What the workload was doing (the last mark), when it marks its phases. */
  phase?: string;
}

/** One marked phase of the workload: its own peaks, so a report says which part of a job the memory went to. */
export interface PhaseMemory {
  phase: string;
  fromS: number;
  peakRssMb: number;
  peakHeapMb: number;
  /** The most heap left after a full collection that ended in this phase. */
  liveHeapMb?: number;
}

export interface MemoryReport {
  everyMs: number;
  samples: number;
  peakRssMb: number;
  peakHeapMb: number;
  /** Median of the last half of the samples. */
  steadyRssMb: number;
  steadyHeapMb: number;
  /**
   * The heap in use just after each full (mark-compact) collection, the most and the last: what is
   * live, without the garbage V8 lets accumulate between collections (which is most of peakHeapMb).
   * Read as soon as Node reports the collection, so a little allocated since may be included.
   */
  liveHeapAfterFullGcMb?: { max: number; last: number; collections: number };
  /** Each marked phase in order (none when the workload marks none). */
  byPhase?: PhaseMemory[];
  /** At most `keep` samples, evenly spaced over the run, for plotting. */
  series: MemorySample[];
}

const MB = 1024 * 1024;

function median(values: number[]): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export class MemorySampler {
  private readonly samples: MemorySample[] = [];
  private timer?: NodeJS.Timeout;
  private startedAt = 0;
  private readonly afterFullGc: { mb: number; phase?: string }[] = [];
  private gcObserver?: PerformanceObserver;
  private phase?: string;
  private readonly phases: { phase: string; fromS: number }[] = [];

  constructor(readonly everyMs = 1000) {}

  private sample(): void {
    const m = process.memoryUsage();
    const s: MemorySample = {
      atS: round((Date.now() - this.startedAt) / 1000, 1), rssMb: round(m.rss / MB, 1), heapUsedMb: round(m.heapUsed / MB, 1),
      heapTotalMb: round(m.heapTotal / MB, 1), externalMb: round(m.external / MB, 1), arrayBuffersMb: round(m.arrayBuffers / MB, 1),
      ...(this.phase ? { phase: this.phase } : {}),
    };
    this.samples.push(s);
    // BENCH_MEMORY_LOG=<file> appends every sample as a JSON line, to see over time where the memory goes.
    if (process.env.BENCH_MEMORY_LOG) appendFileSync(process.env.BENCH_MEMORY_LOG, `${JSON.stringify(s)}\n`);
  }

  start(): this {
    this.startedAt = Date.now();
    this.gcObserver = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        if (((entry as { detail?: { kind?: number } }).detail)?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) this.afterFullGc.push({ mb: process.memoryUsage().heapUsed / MB, phase: this.phase });
      }
    });
    this.gcObserver.observe({ entryTypes: ['gc'] });
    this.sample();
    this.timer = setInterval(() => this.sample(), this.everyMs);
    this.timer.unref();
    return this;
  }

  /** The workload starts a new phase: a sample is taken now, and later samples count towards it. */
  mark(phase: string): void {
    this.phase = phase;
    this.phases.push({ phase, fromS: round((Date.now() - this.startedAt) / 1000, 1) });
    if (this.timer) this.sample();
  }

  /** Stops sampling (taking one last sample) and reports. */
  stop(keep = 120): MemoryReport {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.gcObserver?.disconnect();
    this.gcObserver = undefined;
    const gcs = this.afterFullGc.map((g) => g.mb);
    this.sample();
    const s = this.samples;
    const tail = s.slice(Math.floor(s.length / 2));
    const step = Math.max(1, Math.ceil(s.length / keep));
    return {
      everyMs: this.everyMs,
      samples: s.length,
      peakRssMb: Math.max(...s.map((x) => x.rssMb)),
      peakHeapMb: Math.max(...s.map((x) => x.heapUsedMb)),
      steadyRssMb: round(median(tail.map((x) => x.rssMb)), 1),
      steadyHeapMb: round(median(tail.map((x) => x.heapUsedMb)), 1),
      ...(gcs.length ? { liveHeapAfterFullGcMb: { max: round(Math.max(...gcs), 1), last: round(gcs[gcs.length - 1], 1), collections: gcs.length } } : {}),
      ...(this.phases.length ? { byPhase: this.byPhase() } : {}),
      series: s.filter((_, i) => i % step === 0),
    };
  }

  private byPhase(): PhaseMemory[] {
    return this.phases.map(({ phase, fromS }) => {
      const own = this.samples.filter((x) => x.phase === phase);
      const live = this.afterFullGc.filter((g) => g.phase === phase).map((g) => g.mb);
      return {
        phase, fromS,
        peakRssMb: own.length ? Math.max(...own.map((x) => x.rssMb)) : 0,
        peakHeapMb: own.length ? Math.max(...own.map((x) => x.heapUsedMb)) : 0,
        ...(live.length ? { liveHeapMb: round(Math.max(...live), 1) } : {}),
      };
    });
  }
}
