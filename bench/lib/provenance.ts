// Where a result comes from: the commit (git rev-parse HEAD), whether the tree was dirty, and a hash of
// the source files that affect each benchmark, so bench/readme.ts can tell a current result from a stale one.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../config/paths';
import type { Provenance } from './verdict';

/** Outputs of a run, not inputs: changes to them never make the tree dirty for benchmarking. */
const OUTPUTS = ['bench/results/', 'bench/README.md'];

/** What every benchmark that runs the product in a workload process shares. */
const HARNESS = ['bench/lib', 'bench/run.ts', 'bench/workload.ts', 'bench/sim-process.ts', 'bench/tsconfig.json', 'package-lock.json'];
const PRODUCT = ['core', 'config', 'policy', 'graph', 'store', 'context', 'checks', 'reports', 'offboarding', 'enforce', 'jobs', 'schemas'];

/** Per benchmark: the folders and files whose changes can change its numbers (its own file is added). */
const SOURCES: Record<string, string[]> = {
  'audit-scale': [...HARNESS, ...PRODUCT, 'simulator'],
  'audit-incremental': [...HARNESS, ...PRODUCT, 'simulator'],
  'multi-tenant': [...HARNESS, ...PRODUCT, 'simulator'],
  'surrender-throughput': [...HARNESS, ...PRODUCT, 'simulator'],
  changeover: [...HARNESS, ...PRODUCT, 'simulator'],
  'evidence-year': [...HARNESS, ...PRODUCT],
  package: [...HARNESS, ...PRODUCT, 'functions', 'cli', 'bin', 'infra', 'package.json', 'host.json', 'tsconfig.json', 'tsconfig.build.json'],
};

function git(args: string[]): string {
  return execFileSync('git', args, { cwd: packageRoot(), encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
}

export function sourcesOf(benchmark: string): string[] {
  return [`bench/benchmarks/${benchmark}.ts`, ...(SOURCES[benchmark] ?? [...HARNESS, ...PRODUCT, 'simulator'])];
}

/** sha256 over each file's path and contents, in path order (tracked and untracked files; ignored ones left out). */
export function hashSources(sources: string[]): string {
  const files = git(['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', ...sources]).split('\0').filter(Boolean);
  const hash = createHash('sha256');
  for (const file of [...new Set(files)].sort()) {
    let content: Buffer;
    try {
      content = readFileSync(join(packageRoot(), file));
    } catch {
      continue; // listed by git but deleted in the tree: its absence is part of the state hashed
    }
    hash.update(file).update('\0').update(content).update('\0');
  }
  return hash.digest('hex');
}

/** Changed or untracked files, outputs of a run left out. */
export function dirtyFiles(): string[] {
  return git(['status', '--porcelain', '--untracked-files=all']).split('\n').filter(Boolean)
    .map((line) => line.slice(3))
    .filter((path) => !OUTPUTS.some((o) => path === o || path.startsWith(o)));
}

export function headCommit(): string {
  return git(['rev-parse', 'HEAD']).trim();
}

export const allowDirty = (): boolean => process.env.BENCH_ALLOW_DIRTY === '1';

/** Refuses a dirty tree unless BENCH_ALLOW_DIRTY=1: results come from a commit, or say they do not. */
export function assertCleanTree(): void {
  const dirty = dirtyFiles();
  if (dirty.length && !allowDirty()) {
    throw new Error(`The working tree has uncommitted changes (${dirty.slice(0, 5).join(', ')}${dirty.length > 5 ? `, and ${dirty.length - 5} more` : ''}), so the results would not match any commit. Commit or stash them, or set BENCH_ALLOW_DIRTY=1 to write results marked "dirty".`);
  }
}

export function provenanceOf(benchmark: string): Provenance {
  const sources = sourcesOf(benchmark);
  return { commit: headCommit(), dirty: dirtyFiles().length > 0, sourceHash: hashSources(sources), sources };
}
