// `npm run bench [names…]`: runs the benchmarks (all four unless named), each printing a table and
// writing bench/results/<name>.json. Sizes come from BENCH_* variables (see bench/README.md).
import { auditScale } from './benchmarks/audit-scale';
import { auditIncremental } from './benchmarks/audit-incremental';
import { surrenderThroughput } from './benchmarks/surrender-throughput';
import { multiTenant } from './benchmarks/multi-tenant';
import { evidenceYear } from './benchmarks/evidence-year';
import { packageBench } from './benchmarks/package';
import { changeover } from './benchmarks/changeover';
import { machine } from './lib/harness';

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
  process.stdout.write(`CouncilGuard benchmarks on ${JSON.stringify(machine())}\n`);
  for (const name of names.length ? names : Object.keys(BENCHMARKS)) {
    const t0 = Date.now();
    await BENCHMARKS[name]();
    process.stdout.write(`${name} took ${Math.round((Date.now() - t0) / 1000)} s\n`);
  }
  return 0;
}

main().then((code) => { process.exitCode = code; }, (err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
