// package: the deployment zip (issue 15, item 7). Runs `npm run package` (infra/package.js: compiled
// afresh, npm ci --omit=dev, so it needs the npm registry), then measures what Azure gets: the zip's size,
// what it holds, and the cold-start import time of dist/functions/index.js from the unzipped package, each
// in a fresh Node process (the host loads the app's entry once per cold start). BENCH_IMPORT_RUNS sets the
// number of processes (7); BENCH_PACKAGE_REUSE=1 measures an existing dist-package/councilguard.zip.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../config/paths';
import { envNumber, printTable, printTargets, writeResult, type Target } from '../lib/harness';

/** Packaging and importing the app: no Graph request is made (no simulator runs). */
const NO_GRAPH = '0 Graph round trips, 0 work units';

const ZIP_TARGET_MB = 60;
const IMPORT_TARGET_S = 1.5;

/** Test-only packages and folders that must never ship (the lockfile check in infra/package.js is the full one). */
const FORBIDDEN = [/^node_modules\/azurite\//, /^node_modules\/jest\//, /^node_modules\/ts-jest\//, /^node_modules\/typescript\//, /^node_modules\/eslint\//, /^node_modules\/playwright-core\//, /^node_modules\/tree-sitter/, /^test\//, /^bench\//, /^simulator\/certs\//];
const REQUIRED = ['package.json', 'package-lock.json', 'host.json', 'dist/functions/index.js', 'dist/schemas/findings.schema.json', 'offboarding/web/index.html', 'policy/profiles/', 'node_modules/@azure/functions/package.json'];

// Run in the child: the time to require the app's entry, as the Functions host's worker does at start.
// Its CPU time is reported too: on a machine shared with other work it varies far less than the wall time.
const IMPORT_SCRIPT = `const t = process.hrtime.bigint(); const c = process.cpuUsage(); require(process.argv[1]);
const u = process.cpuUsage(c);
process.stdout.write(JSON.stringify({ importS: Number(process.hrtime.bigint() - t) / 1e9, cpuS: (u.user + u.system) / 1e6, modules: Object.keys(require.cache).length }));`;

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const round = (x: number, places = 3) => Math.round(x * 10 ** places) / 10 ** places;

export async function packageBench(): Promise<void> {
  const runs = Math.max(1, envNumber('BENCH_IMPORT_RUNS', 7));
  const root = packageRoot();
  const zip = join(root, 'dist-package', 'councilguard.zip');
  let buildS: number | undefined;
  if (process.env.BENCH_PACKAGE_REUSE !== '1' || !existsSync(zip)) {
    const t0 = Date.now();
    // Without the test CA: npm ci runs in the staging folder, where the relative path does not resolve.
    const { NODE_EXTRA_CA_CERTS: _testCa, ...env } = process.env;
    execFileSync(process.execPath, [join(root, 'infra', 'package.js')], { cwd: root, stdio: 'inherit', env });
    buildS = round((Date.now() - t0) / 1000, 1);
  }
  const zipMb = round(statSync(zip).size / 2 ** 20, 1);
  const entries = execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 }).split('\n').filter(Boolean);
  const missing = REQUIRED.filter((r) => !entries.some((e) => e === r || (r.endsWith('/') && e.startsWith(r))));
  const forbidden = entries.filter((e) => FORBIDDEN.some((f) => f.test(e)));
  const packages = new Set(entries.map((e) => e.match(/^node_modules\/((?:@[^/]+\/)?[^/]+)\//)?.[1]).filter(Boolean)).size;

  // Measured from the unzipped archive, so what is timed is exactly what is shipped.
  const dir = mkdtempSync(join(tmpdir(), 'councilguard-package-'));
  const imports: { importS: number; cpuS: number; processS: number; modules: number }[] = [];
  try {
    execFileSync('unzip', ['-q', zip, '-d', dir]);
    const entry = join(dir, 'dist', 'functions', 'index.js');
    for (let i = 0; i < runs; i++) {
      const t0 = process.hrtime.bigint();
      // No inherited NODE_OPTIONS or test CA: the host starts the worker with neither.
      const child = spawnSync(process.execPath, ['-e', IMPORT_SCRIPT, entry], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
      const processS = Number(process.hrtime.bigint() - t0) / 1e9;
      if (child.status !== 0) throw new Error(`importing dist/functions/index.js from the package failed (exit ${child.status}): ${child.stderr.split('\n').filter((l) => !l.startsWith('WARNING')).slice(0, 5).join(' ')}`);
      const measured = JSON.parse(child.stdout) as { importS: number; cpuS: number; modules: number };
      imports.push({ importS: round(measured.importS), cpuS: round(measured.cpuS), processS: round(processS), modules: measured.modules });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const importMedian = round(median(imports.map((r) => r.importS)));
  const processMedian = round(median(imports.map((r) => r.processS)));
  const rows = [{ zipMb, files: entries.length, packages, buildS: buildS ?? 'reused', runs, importMedianS: importMedian, importMinS: round(Math.min(...imports.map((r) => r.importS))), importMaxS: round(Math.max(...imports.map((r) => r.importS))), cpuMedianS: round(median(imports.map((r) => r.cpuS))), processMedianS: processMedian, modulesLoaded: imports[0].modules }];
  const targets: Target[] = [
    { target: `zip < ${ZIP_TARGET_MB} MB`, measured: `${zipMb} MB; ${NO_GRAPH}`, met: zipMb < ZIP_TARGET_MB },
    { target: `import of dist/functions/index.js < ${IMPORT_TARGET_S} s (median of ${runs} fresh processes)`, measured: `${importMedian} s (CPU ${round(median(imports.map((r) => r.cpuS)))} s; whole process ${processMedian} s); ${NO_GRAPH}`, met: importMedian < IMPORT_TARGET_S },
    { target: 'the zip holds what the app reads and nothing test-only', measured: missing.length || forbidden.length ? `missing ${missing.join(', ') || 'nothing'}; test-only ${forbidden.slice(0, 5).join(', ') || 'none'}` : `all of ${REQUIRED.length} required paths, no test-only entry; ${NO_GRAPH}`, met: !missing.length && !forbidden.length },
  ];
  printTable('package', rows);
  printTable('package: each import', imports);
  printTargets(targets);
  process.stdout.write(`wrote ${writeResult('package', { params: { runs, reused: buildS === undefined }, rows, targets, extra: { imports, loadAverage: loadavg() } })}\n`);
}
