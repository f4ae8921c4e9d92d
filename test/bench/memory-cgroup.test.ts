// The surrender's memory target is measured with the deployed instance's memory: the workload runs in a
// memory cgroup of that size, so Node sizes its default heap as it would there.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { memoryCgroup } from '../../bench/lib/memory-cgroup';
import { ChildRpc } from '../../bench/lib/ipc';
import { INSTANCE_MEMORY_MB } from '../../bench/benchmarks/surrender-throughput';

describe('the benchmark\'s instance memory', () => {
  it('is the memory infra/main.bicep gives the Flex Consumption instance', () => {
    const bicep = readFileSync(join(__dirname, '../../infra/main.bicep'), 'utf8');
    expect(Number(/instanceMemoryMB:\s*(\d+)/.exec(bicep)?.[1])).toBe(INSTANCE_MEMORY_MB);
  });

  it('starts a child in a memory cgroup, where Node picks a smaller default heap, or says why it cannot', async () => {
    const cgroup = memoryCgroup(512);
    if ('unavailable' in cgroup) {
      // Not root, or no writable cgroup filesystem (a developer's machine): the benchmark runs unconfined and says why.
      expect(cgroup.unavailable).toMatch(/cgroup|Linux/);
      return;
    }
    const child = new ChildRpc(join(__dirname, 'support/heap-limit-child.js'), [], cgroup);
    try {
      const child512 = await child.call<{ heapLimitMb: number; constrainedMb: number }>('heap');
      expect(child512.constrainedMb).toBe(512);
      // Here the test's own process has the machine's memory, so its default heap is larger.
      expect(child512.heapLimitMb).toBeLessThan(getHeapStatistics().heap_size_limit / 1048576);
    } finally {
      await child.close();
      cgroup.cleanup();
    }
  });
});
