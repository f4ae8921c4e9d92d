// `npm run bench [names…]`: runs the benchmarks (all unless named), each printing a table and writing
// bench/results/<name>.json, then regenerates bench/README.md from the results (bench/readme.ts). Sizes
// come from BENCH_* variables (see bench/README.md). Refuses to start from a dirty tree (uncommitted
// changes outside bench/results/ and bench/README.md) unless BENCH_ALLOW_DIRTY=1, and then marks results.
//
// The benchmark module interface (add a benchmark by following it, and list it in BENCHMARKS below):
// - bench/benchmarks/<name>.ts exports `async function (): Promise<void>` that measures and then calls
//   `writeResult(name, { params, rows, targets, counts?, memory?, findings?, extra? })` from
//   bench/lib/harness.ts once. writeResult records the machine, the commit, whether the tree was dirty
//   and a hash of the benchmark's sources (bench/lib/provenance.ts lists them per name; unknown names get
//   the product folders, the simulator and bench/lib), and throws if the tree is dirty and not allowed.
// - targets: `Target` (bench/lib/verdict.ts): text, measured, met; a target on repeated timings also
//   gives `threshold` { value, better, spread } (spreadOf/speedUp) and is judged by its spread: met,
//   not met, or "not shown" when the spread straddles the value or fewer than 3 runs were made;
//   `notShownBecause` says why a target was not measured at all.
// - counts: one `countCheck(label, meter, simStats, { users, councils, messages? })` per measured run:
//   round trips and Graph work units from the client's RequestMeter (summed over every GraphContext the
//   run made) and from the simulator. countCheck throws at once when the two disagree, and writeResult
//   refuses to write such counts. `messages` (a surrender's copied mail) adds work units per message.
// - memory: { peakRssMb, peakHeapMb, steadyRssMb } from bench/lib/memory-sampler.ts where used.
// - findings: sentences the README prints under the benchmark (what the numbers show).
// - Workloads run in a child process (inWorkload, bench/workload.ts), the simulator in another
//   (withSimulator, bench/sim-process.ts), storage in a fresh Azurite (withAzurite).
import { auditScale } from './benchmarks/audit-scale';
import { auditIncremental } from './benchmarks/audit-incremental';
import { surrenderThroughput } from './benchmarks/surrender-throughput';
import { multiTenant } from './benchmarks/multi-tenant';
import { evidenceYear } from './benchmarks/evidence-year';
import { packageBench } from './benchmarks/package';
import { changeover } from './benchmarks/changeover';
import { machine } from './lib/harness';
import { assertCleanTree, dirtyFiles } from './lib/provenance';
import { writeReadme } from './readme';

const BENCHMARKS: Record<string, () => Promise<void>> = {
  'audit-scale': auditScale,
  'audit-incremental': auditIncremental,
  'surrender-throughput': surrenderThroughput,
  'multi-tenant': multiTenant,
  'evidence-year': evidenceYear,
  package: packageBench,
  changeover,
};

async function main(): Promise<number> {
  const names = process.argv.slice(2);
  const unknown = names.filter((n) => !BENCHMARKS[n]);
  if (unknown.length) {
    process.stderr.write(`Unknown benchmark ${unknown.join(', ')}; choose from ${Object.keys(BENCHMARKS).join(', ')} (or none for all).\n`);
    return 2;
  }
  try {
    assertCleanTree();
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  if (dirtyFiles().length) process.stderr.write('BENCH_ALLOW_DIRTY=1: the results will be marked as from a dirty tree.\n');
  process.stdout.write(`CouncilGuard benchmarks on ${JSON.stringify(machine())}\n`);
  for (const name of names.length ? names : Object.keys(BENCHMARKS)) {
    const t0 = Date.now();
    await BENCHMARKS[name]();
    process.stdout.write(`${name} took ${Math.round((Date.now() - t0) / 1000)} s\n`);
  }
  process.stdout.write(`wrote ${writeReadme()}\n`);
  return 0;
}

main().then((code) => { process.exitCode = code; }, (err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
