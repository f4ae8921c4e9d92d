// The benchmarks' memory sampler tells what a workload holds (the heap after a full collection) from
// the garbage V8 lets build up between collections, which is most of a surrender's peak heap.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MemorySampler } from '../../bench/lib/memory-sampler';

// A full collection on demand, for this test only: the flag exposes gc() to contexts made after it.
setFlagsFromString('--expose-gc');
const fullGc = runInNewContext('gc') as () => void;
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('the memory sampler', () => {
  it('reports the heap live after each full collection, apart from the garbage between them', async () => {
    const sampler = new MemorySampler(10).start();
    // About 40 MB that stays reachable, then as much garbage that does not.
    const held: number[][] = Array.from({ length: 40 }, () => new Array<number>(128 * 1024).fill(1.5));
    for (let i = 0; i < 40; i++) void new Array<number>(128 * 1024).fill(2.5);
    fullGc();
    await settle();
    expect(held.length).toBe(40);
    held.length = 0;
    fullGc();
    await settle();
    const report = sampler.stop();
    const live = report.liveHeapAfterFullGcMb!;
    expect(live.collections).toBeGreaterThanOrEqual(2);
    // While held, the live heap included the 40 MB; once released, a full collection shows it gone.
    expect(live.max - live.last).toBeGreaterThan(30);
  });

  it('gives each phase the workload marks its own peak, so a report says which part of a job took the memory', async () => {
    const sampler = new MemorySampler(10).start();
    sampler.mark('holding');
    const held: number[][] = Array.from({ length: 40 }, () => new Array<number>(128 * 1024).fill(1.5));
    await settle();
    expect(held.length).toBe(40);
    held.length = 0;
    fullGc();
    sampler.mark('released');
    await settle();
    const phases = sampler.stop().byPhase!;
    expect(phases.map((p) => p.phase)).toEqual(['holding', 'released']);
    expect(phases[0].fromS).toBeLessThanOrEqual(phases[1].fromS);
    expect(phases[0].peakHeapMb - phases[1].peakHeapMb).toBeGreaterThan(30);
  });
});
