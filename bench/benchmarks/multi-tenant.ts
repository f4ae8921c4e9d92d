// multi-tenant: the nightly job over many councils in one process (auditCouncils, as the timer runs
// it), every council a 15-user tenant in one simulator at 100 ms latency.
import { countCheck, envNumber, inWorkload, LATENCY, printTable, printTargets, withAzurite, withSimulator, writeResult, type CountCheck, type Target } from '../lib/harness';
import { round } from '../lib/ipc';
import type { BenchTenantSpec } from '../lib/scenario';
import type { MultiJobResult } from '../workload';

export async function multiTenant(): Promise<void> {
  const councils = envNumber('BENCH_COUNCILS', 200);
  const usersEach = 15;
  const specs: BenchTenantSpec[] = Array.from({ length: councils }, (_, i) => ({
    name: `council${i + 1}`, users: usersEach, messagesPerUser: 10, filesPerCouncillor: 20, libraryFiles: 20, breachRate: 0.05, seed: 1000 + i,
  }));
  let result: MultiJobResult | undefined;
  let check: CountCheck | undefined;
  await withSimulator(specs, LATENCY, async (sim) => {
    process.stdout.write(`multi-tenant: ${councils} councils × ${usersEach} users…\n`);
    const env = { ...sim.tenants[0].env };
    delete env.AZURE_TENANT_ID; // each council's tenant comes from its config, as in production
    result = await withAzurite((storage) => inWorkload<MultiJobResult>('multi', { env, councils: sim.tenants.map((t) => t.council), storage }));
    check = countCheck(`${councils} councils`, result, await sim.stats(), { users: councils * usersEach, councils });
  });
  const r = result!;
  const rows = [{
    councils, usersEach, wallS: r.wallS, perCouncilS: round(r.wallS / councils, 2), ok: r.ok, errored: r.errored, failed: r.failed.length,
    findings: r.findings, roundTrips: r.httpRequests, workUnits: r.workUnits, workUnitsPerCouncil: round(r.workUnits / councils, 1),
    workUnitsPerUser: round(r.workUnits / (councils * usersEach), 3), clientMaxRssMb: r.usage.maxRssMb, clientCpuS: round(r.usage.cpuUserS + r.usage.cpuSystemS, 1),
  }];
  const targets: Target[] = [{
    target: `${councils} councils × ${usersEach} users in one process in < 10 min`,
    measured: `${r.wallS} s (${r.ok} clean, ${r.errored} with a check error, ${r.failed.length} failed); ${round(r.workUnits / councils, 1)} work units and ${round(r.httpRequests / councils, 1)} round trips per council`,
    met: r.wallS < 600 && r.failed.length === 0,
  }];
  printTable('multi-tenant', rows);
  printTargets(targets);
  const path = writeResult('multi-tenant', { params: { councils, usersEach, concurrency: 8, latency: LATENCY }, rows, targets, counts: [check!], extra: { failed: r.failed } });
  process.stdout.write(`wrote ${path}\n`);
}
