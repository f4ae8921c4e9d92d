// `npm run bench:readme` (and the end of `npm run bench`): writes bench/README.md entirely from
// bench/results/*.json. Each target's verdict is judged here (bench/lib/verdict.ts): met, not met,
// "not shown" (the runs' spread straddles the target, or too few runs), or "stale — re-run" when the
// benchmark's sources changed since the result was written. The prose about how each benchmark measures
// lives in this file; nothing in the README is edited by hand.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../config/paths';
import { hashSources } from './lib/provenance';
import { judge, verdicts, type BenchResult, type CountCheck, type Verdict } from './lib/verdict';

const VERDICT_TEXT: Record<Verdict, string> = { met: '**met**', 'not met': '**not met**', 'not shown': '**not shown**', stale: '**stale — re-run**' };

/** How each benchmark measures (static text; the numbers come from the results). */
const ABOUT: Record<string, string> = {
  'audit-scale': `One full \`runAudit\` (the nightly timer's code) per tenant size. Three clients in the same run, against the same simulator tenant, interleaved run by run so other load on the machine falls on all of them alike, each in a fresh workload process with fresh Azurite:
- **optimised**: the product as shipped (\`$batch\`, delta, 4 batches in flight);
- **competent naive**: the Graph SDK with no \`$batch\` (each item its own request) and at most 4 requests in flight in the whole process (\`createGraphContext(settings, { naive: true, batchConcurrency: 4 })\` and a \`p-limit(4)\` around \`fetch\`). No delta either: every run starts from empty storage, so each drive is read in full (one delta round from scratch is the cheapest full listing Graph has, so this is generous to the baseline);
- **sequential**: no \`$batch\`, one request in flight (\`p-limit(1)\`), as PowerShell-based tools run. It takes ~13 min a run at 1,500 users, so by default it is measured up to 150 users (\`BENCH_SEQUENTIAL_SIZES\`).

Speed-ups are the ratio of median wall times; their range is the slowest baseline run over the fastest optimised run and the reverse. A speed-up target is met only when the whole range clears it. At the second-night sizes the optimised audit runs once more on one storage, 1 % of the OneDrive files are edited in the simulator, and the next night's audit is measured (delta links and drive indexes kept).`,
  'audit-incremental': 'Four nights of `runAudit` on one storage (150 users, 300 files in each OneDrive by default): night 1 reads everything, night 2 after 1 % of files changed, night 3 with nothing changed, night 4 after 10 %. The simulator edits the files between nights (new size, modified time and delta sequence).',
  'surrender-throughput': 'The export-mail step of a real surrender of a large mailbox, with the simulator enforcing Outlook\'s per-mailbox limits (4 concurrent requests, 10,000 requests per 10 minutes). Round trips and work units cover the whole surrender job of each run (start, preflight, freeze, export-mail and, in the full runs, the later exports and verify); the targets also give export-mail\'s share per message copied.',
  changeover: 'Election night: `offboard --all-ended` (`runChangeover`) over many councils\' leavers in one process against one simulator enforcing Outlook\'s limits (4 requests in flight per app across every mailbox and tenant, 10,000 requests per 10 minutes per mailbox), set beside a single surrender measured the same way, with how busy it kept the app\'s 4 Outlook permits. Round trips and work units are summed over every council\'s GraphContext (Graph, uploads and Exchange calls), per council and per surrender (user).',
  'multi-tenant': 'Many 15-user councils in one simulator and one `auditCouncils` call in one process, as the nightly timer runs it (8 councils at a time, each with its own GraphContext).',
  'evidence-year': "A financial year's Assertion 10 pack built from 365 nightly run records in a fresh Azurite.",
  package: 'The deployment zip (`npm run package`): its size, what it holds, and the cold-start import time of `dist/functions/index.js` in fresh processes.',
};

const STATIC_HEAD = `# CouncilGuard benchmarks

> **Generated** by \`npm run bench:readme\` (\`bench/readme.ts\`) from \`bench/results/*.json\`; \`npm run bench\` regenerates it at the end.
> Do not edit it by hand: change \`bench/readme.ts\` or re-run the benchmarks.

\`npm run bench\` compiles \`bench/\` into \`dist-bench/\` and runs every benchmark; \`npm run bench -- audit-scale multi-tenant\` runs some.
Each writes \`bench/results/<name>.json\`: the machine, the commit (\`git rev-parse HEAD\`), whether the tree was dirty, a hash of the
source files that affect it (its own file, \`bench/lib\`, the workload and simulator processes, and the product folders it exercises),
the parameters, every measured row, the targets, and the round trips and work units of every run. A run from a tree with uncommitted
changes (outside \`bench/results/\` and this file) is refused unless \`BENCH_ALLOW_DIRTY=1\`, and its results are then marked dirty.
A result whose sources have changed since is shown as *stale — re-run*.

**Round trips and work units.** A round trip is one HTTP request (a \`$batch\` of 20 is one). A **work unit** is what Graph's throttling
counts: each single request, each \`$batch\` item, each Exchange admin call, each upload fragment, each retry ("Microsoft Graph throttling
guidance": requests in a batch are evaluated individually against throttling limits). Both are counted twice, by the client's
\`RequestMeter\` and by the simulator (\`stats.requests\`, \`stats.workUnits\`); a benchmark fails, writing nothing, if they disagree.

**Verdicts.** *met* / *not met* for counts and single measurements; a target on timings needs ≥ 3 runs, and is *met* only when the
whole spread (min to max) is on the right side of it, *not met* when all of it is on the wrong side, and *not shown* otherwise.

Latency everywhere is 90 ms plus 0–20 ms of seeded jitter on every Graph and Exchange request (\`LATENCY\` in \`lib/harness.ts\`), and a
mailbox request takes 25 ms more at Exchange. The simulator enforces Outlook's documented limits in every benchmark (\`OUTLOOK_LIMITS\`):
at most 4 Outlook requests in flight per app across all mailboxes and tenants (429 beyond), and a \`$batch\`'s Outlook items run 4 at a
time ("Microsoft Graph service-specific throttling limits", Outlook service limits); the surrender benchmarks also set each mailbox's
request budget.
Each measured workload runs in its own child process (\`workload.ts\`); the simulator (\`sim-process.ts\`) and Azurite run in others, so
their CPU and memory never count as the client's. Workloads have this machine's memory, and so the larger default heap Node
sizes from it, except the surrender's full run: that has the deployed instance's memory (a memory cgroup, \`lib/memory-cgroup.ts\`),
and is repeated with the machine's for comparison; its rows give \`heapLimitMb\`, the heap Node gave the workload.

| variable | default | meaning |
|---|---|---|
| \`BENCH_SIZES\` | \`15,150,1500,15000\` | audit-scale tenant sizes |
| \`BENCH_RUNS\` | \`3\` | audit-scale runs per client and size (speed-up targets need ≥ 3) |
| \`BENCH_SINGLE_RUN_FROM\` | \`15000\` | sizes from this up get one optimised run and no baselines |
| \`BENCH_COMPETENT_SIZES\` | \`15,150,1500\` | sizes also run by the competent naive baseline |
| \`BENCH_SEQUENTIAL_SIZES\` | \`15,150\` | sizes also run by the sequential baseline (\`BENCH_NAIVE_SIZES\` is its old name) |
| \`BENCH_SECOND_NIGHT_SIZES\` | \`1500\` | sizes where a second night (1 % of files changed) is measured |
| \`BENCH_INCREMENTAL_USERS\` / \`BENCH_INCREMENTAL_FILES\` | \`150\` / \`300\` | audit-incremental tenant |
| \`BENCH_SURRENDER_MESSAGES\` / \`BENCH_SURRENDER_SECONDS\` | \`50000\` / \`180\` | surrender: the full run's mailbox size; the ceiling run's copying time |
| \`BENCH_SURRENDER_CEILING_MESSAGES\` / \`BENCH_SURRENDER_FULL\` | \`10000\` / \`1\` | surrender: the ceiling run's mailbox; \`0\` skips the full run |
| \`BENCH_SURRENDER_MACHINE_MEMORY\` | \`1\` | surrender: \`0\` skips the full run's repeat with the machine's memory (the full run itself has the instance's, in a memory cgroup) |
| \`BENCH_CHANGEOVER_COUNCILS\` / \`_LEAVERS\` / \`_MESSAGES\` / \`_CONCURRENCY\` | \`12\` / \`4\` / \`2000\` / the command's default (8) | the election changeover |
| \`BENCH_COUNCILS\` | \`200\` | multi-tenant councils (15 users each) |
| \`BENCH_NIGHTS\` | \`365\` | evidence-year records |
| \`BENCH_IMPORT_RUNS\` / \`BENCH_PACKAGE_REUSE\` | \`7\` / unset | package import processes; \`1\` measures the existing zip |
| \`BENCH_ALLOW_DIRTY\` | unset | \`1\` writes results from a dirty tree, marked as such |
| \`BENCH_SHARED_WITH\` | unset | what else shares the CPUs during the run, recorded with each result |
`;

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function countsTable(counts: CountCheck[]): string[] {
  // Messages (a surrender's) only where some run copied mail: work units per message copied.
  const mail = counts.some((c) => c.messages !== undefined);
  const lines = [
    `| run | users | councils |${mail ? ' messages |' : ''} round trips | work units | work units per user | work units per council |${mail ? ' work units per message |' : ''}`,
    `|---|---:|---:|${mail ? '---:|' : ''}---:|---:|---:|---:|${mail ? '---:|' : ''}`,
  ];
  for (const c of counts) {
    const agree = (x: { client: number; simulator: number }) => (x.client === x.simulator ? String(x.client) : `${x.client} (client) ≠ ${x.simulator} (simulator)`);
    const per = (n?: number) => (n ? String(Math.round((c.workUnits.client / n) * 1000) / 1000) : '');
    lines.push(`| ${cell(c.label)} | ${c.users ?? ''} | ${c.councils ?? ''} |${mail ? ` ${c.messages ?? ''} |` : ''} ${agree(c.roundTrips)} | ${agree(c.workUnits)} | ${per(c.users)} | ${per(c.councils)} |${mail ? ` ${per(c.messages)} |` : ''}`);
  }
  return lines;
}

/** The README's text from the results; `currentHash` gives each result's sources' hash in the tree now. */
export function renderReadme(results: BenchResult[], currentHash: (r: BenchResult) => string | undefined): string {
  const out: string[] = [STATIC_HEAD, '## Results', ''];
  const judged = results.map((r) => ({ r, v: verdicts(r, currentHash(r)) }));
  out.push('| Benchmark | Target | Measured | Verdict |', '|---|---|---|---|');
  for (const { r, v } of judged) r.targets.forEach((t, i) => out.push(`| ${r.benchmark} | ${cell(t.target)} | ${cell(t.measured)} | ${VERDICT_TEXT[v[i]]} |`));
  if (!results.length) out.push('| — | no results yet: run `npm run bench` | | |');
  for (const { r, v } of judged) {
    out.push('', `## ${r.benchmark}`, '');
    if (ABOUT[r.benchmark]) out.push(ABOUT[r.benchmark], '');
    const p = r.provenance;
    const m = r.machine as { date?: string; cpus?: number; cpuModel?: string; memoryGb?: number; node?: string; platform?: string; loadAverage15m?: number; sharedWith?: string };
    const load = m.loadAverage15m !== undefined ? `, 15-minute load average ${m.loadAverage15m} when written${m.sharedWith ? ` (sharing the CPUs with ${m.sharedWith})` : ''}` : '';
    out.push(`Measured ${m.date ?? 'on an unrecorded date'} on ${m.cpus ?? '?'} CPUs (${m.cpuModel ?? '?'}), ${m.memoryGb ?? '?'} GB, Node ${m.node ?? '?'}, ${m.platform ?? '?'}${load}; ` +
      (p ? `commit \`${p.commit.slice(0, 12)}\`${p.dirty ? ' **from a dirty tree (BENCH_ALLOW_DIRTY=1): not reproducible from the commit**' : ''}.` : 'no commit recorded (written before results recorded their commit).'));
    if (v.includes('stale')) out.push('', `**Stale — re-run**: ${p ? 'the benchmark\'s sources have changed since this result was written' : 'this result records no source hash'}, so its numbers may not describe the code as it is. \`npm run bench -- ${r.benchmark}\``);
    out.push('', '| Target | Measured | Verdict |', '|---|---|---|');
    r.targets.forEach((t, i) => {
      const spread = t.threshold ? ` [median ${round(t.threshold.spread.median)}, min ${round(t.threshold.spread.min)}, max ${round(t.threshold.spread.max)}, ${t.threshold.spread.n} runs; target ${t.threshold.better === 'higher' ? '≥' : '≤'} ${t.threshold.value}]` : '';
      const why = judge(t) === 'not shown' && t.notShownBecause ? ` (${t.notShownBecause})` : '';
      out.push(`| ${cell(t.target)} | ${cell(t.measured + spread)}${t.note ? ` — ${cell(t.note)}` : ''} | ${VERDICT_TEXT[v[i]]}${cell(why)} |`);
    });
    if (r.counts?.length) out.push('', 'Round trips and Graph work units of every run (client and simulator agreed on each):', '', ...countsTable(r.counts));
    if (r.memory && Object.values(r.memory).some((x) => x !== undefined)) {
      const mem = r.memory;
      out.push('', `Memory: ${[mem.peakRssMb !== undefined ? `peak RSS ${mem.peakRssMb} MB` : '', mem.peakHeapMb !== undefined ? `peak heap ${mem.peakHeapMb} MB` : '', mem.steadyRssMb !== undefined ? `steady-state RSS ${mem.steadyRssMb} MB` : ''].filter(Boolean).join(', ')}.`);
    }
    if (r.findings?.length) out.push('', 'What the runs show:', '', ...r.findings.map((f) => `- ${f}`));
  }
  return `${out.join('\n')}\n`;
}

const round = (x: number) => Math.round(x * 100) / 100;

export function readResults(dir = join(packageRoot(), 'bench', 'results')): BenchResult[] {
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
    .map((f) => ({ f, r: JSON.parse(readFileSync(join(dir, f), 'utf8')) as BenchResult }))
    // Only a benchmark's own results file (not e.g. surrender-throughput.heap-160mb.json, a variant run).
    .filter(({ f, r }) => f === `${r.benchmark}.json`)
    .map(({ r }) => r);
}

export function writeReadme(): string {
  const results = readResults();
  const hashes = new Map<string, string>();
  const text = renderReadme(results, (r) => {
    if (!r.provenance) return undefined;
    const key = r.provenance.sources.join('\n');
    if (!hashes.has(key)) hashes.set(key, hashSources(r.provenance.sources));
    return hashes.get(key);
  });
  const path = join(packageRoot(), 'bench', 'README.md');
  writeFileSync(path, text);
  return path;
}

if (require.main === module) process.stdout.write(`wrote ${writeReadme()}\n`);
