// A child for memory-cgroup.test.ts: answers ChildRpc's one call with the heap Node gave it and the memory
// it may use. Plain JavaScript, so fork() runs it without a compiler.
'use strict';
const { getHeapStatistics } = require('node:v8');

process.on('message', (m) => {
  process.send({ id: m.id, ok: true, result: { heapLimitMb: getHeapStatistics().heap_size_limit / 1048576, constrainedMb: process.constrainedMemory() / 1048576 } });
});
process.on('disconnect', () => process.exit(0));
