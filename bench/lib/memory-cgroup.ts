// Runs a measured workload with the memory of the instance it is deployed to. Node sizes its default
// heap from the memory the process may use (the cgroup's limit when there is one), so a workload on this
// 24 GB machine gets a far larger default heap than on a 2,048 MB Flex Consumption instance, and V8
// lets more garbage build up before a full collection. A memory cgroup of the instance's size gives the
// workload the heap Node would give it there, with no heap flag.
//
// Hand-written: no maintained npm package creates a cgroup and starts a child in it. Linux only, and
// only where this process may write the cgroup filesystem (root in a container, as the bench machine);
// elsewhere the caller is told why, runs unconfined, and says so in the result.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** How to start a child inside the cgroup: fork() with this execPath and these execArgv, then cleanup. */
export interface Confinement {
  memoryMb: number;
  /** The cgroup's directory, for the result's record. */
  path: string;
  execPath: string;
  /** execArgv for fork(): the shell joins the cgroup, then execs Node with the node arguments. */
  execArgv(nodeArgs: string[]): string[];
  /** Removes the cgroup once its process has exited. */
  cleanup(): void;
}

export type ConfinementResult = Confinement | { unavailable: string };

/** Where this process's memory cgroup is: v1 (a `memory` controller line) or v2 (the unified `0::` line). */
function ownMemoryCgroup(): { dir: string; limitFile: string } | string {
  if (process.platform !== 'linux') return `memory cgroups are Linux only (this is ${process.platform})`;
  let lines: string[];
  try {
    lines = readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n');
  } catch (err) {
    return `/proc/self/cgroup cannot be read (${(err as Error).message})`;
  }
  const v1 = lines.map((l) => l.split(':')).find(([, controllers]) => controllers.split(',').includes('memory'));
  if (v1 && existsSync('/sys/fs/cgroup/memory')) return { dir: join('/sys/fs/cgroup/memory', v1[2]), limitFile: 'memory.limit_in_bytes' };
  const v2 = lines.find((l) => l.startsWith('0::'));
  if (v2 && existsSync('/sys/fs/cgroup/cgroup.controllers')) return { dir: join('/sys/fs/cgroup', v2.slice(3)), limitFile: 'memory.max' };
  return 'no memory cgroup controller is mounted';
}

let made = 0;

/** A new memory cgroup of `memoryMb` beside this process's own, or why there cannot be one here. */
export function memoryCgroup(memoryMb: number): ConfinementResult {
  const own = ownMemoryCgroup();
  if (typeof own === 'string') return { unavailable: own };
  const path = join(own.dir, `councilguard-bench-${process.pid}-${++made}`);
  try {
    mkdirSync(path);
    writeFileSync(join(path, own.limitFile), String(memoryMb * 1024 * 1024));
  } catch (err) {
    try { rmdirSync(path); } catch { /* it was never made */ }
    return { unavailable: `a memory cgroup cannot be made under ${own.dir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); the bench needs root and a writable cgroup filesystem` };
  }
  // Made is not enough: cgroup v2 can refuse a process (its parent holds processes, or delegation
  // forbids the move). A short-lived shell tries the same move the workload's will, before it counts.
  const trial = spawnSync('/bin/sh', ['-c', 'echo $$ > "$1"', 'sh', join(path, 'cgroup.procs')], { encoding: 'utf8' });
  if (trial.status !== 0) {
    try { rmdirSync(path); } catch { /* the trial left no process in it, so this only fails if it is gone */ }
    return { unavailable: `a memory cgroup was made under ${own.dir} but a process cannot be moved into it (${(trial.stderr || trial.error?.message || `exit ${trial.status}`).trim()}); the bench needs a cgroup it may move processes into` };
  }
  return {
    memoryMb,
    path,
    execPath: '/bin/sh',
    // $1 is the cgroup's procs file: the shell moves itself there, then becomes Node (same pid, same IPC fd).
    execArgv: (nodeArgs) => ['-c', 'echo $$ > "$1" && shift && exec "$@"', 'sh', join(path, 'cgroup.procs'), process.execPath, ...nodeArgs],
    cleanup: () => {
      try { rmdirSync(path); } catch { /* still busy or already gone: the kernel removes nothing by itself, but a leftover empty cgroup is harmless */ }
    },
  };
}
