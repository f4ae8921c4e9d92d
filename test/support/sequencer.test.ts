// The suite order of test/support/sequencer.js: on a fresh clone the suites in slow-suites.json first,
// slowest first, then the rest by file size; Jest's cached timings win once a run has left them, and a
// suite that failed last time still goes first. A renamed suite left in the list would quietly lose its
// place, so every listed path must exist.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface FakeTest { path: string; duration?: number; context: { config: Record<string, unknown>; hasteFS: { getSize(p: string): number } } }
interface Sequencer {
  sort(tests: FakeTest[]): FakeTest[];
  cacheResults(tests: FakeTest[], results: { testResults: { testFilePath: string; numFailingTests: number; perfStats: { runtime: number } }[] }): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const SlowFirst = require('./sequencer.js') as new (options: object) => Sequencer;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { seconds } = require('./slow-suites.json') as { seconds: Record<string, number> };

const ROOT = join(__dirname, '../..');
const DEMO = 'test/offboarding/demo.test.ts';
const YEAR_PACK = 'test/evidence/year-pack.test.ts';
const BIG_UNLISTED = 'test/resilience/renderers-hostile.test.ts';
const SMALL_UNLISTED = 'test/config/telemetry-settings.test.ts';
const FILES = [SMALL_UNLISTED, YEAR_PACK, BIG_UNLISTED, DEMO];

function tests(config: Record<string, unknown>): FakeTest[] {
  const context = { config: { rootDir: ROOT, id: 'sequencer-test', ...config }, hasteFS: { getSize: (p: string) => statSync(p).size } };
  return FILES.map((f) => ({ path: join(ROOT, f), context }));
}
const order = (sorted: FakeTest[]) => sorted.map((t) => t.path.slice(ROOT.length + 1));

describe('the suite order', () => {
  it('lists only suites that exist', () => {
    expect(Object.keys(seconds).filter((f) => !existsSync(join(ROOT, f)))).toEqual([]);
  });

  it('without timings: listed suites slowest first, then the rest biggest file first', () => {
    expect(seconds[DEMO]).toBeGreaterThan(seconds[YEAR_PACK]);
    expect([seconds[BIG_UNLISTED], seconds[SMALL_UNLISTED]]).toEqual([undefined, undefined]);
    expect(statSync(join(ROOT, BIG_UNLISTED)).size).toBeGreaterThan(statSync(join(ROOT, SMALL_UNLISTED)).size);
    expect(order(new SlowFirst({}).sort(tests({ cache: false })))).toEqual([DEMO, YEAR_PACK, BIG_UNLISTED, SMALL_UNLISTED]);
  });

  it('with timings from an earlier run: they win over the list, and a suite that failed goes first', () => {
    const cacheDirectory = mkdtempSync(join(tmpdir(), 'cg-sequencer-'));
    try {
      const config = { cache: true, cacheDirectory, haste: {} };
      const earlier = tests(config);
      const ran = (f: string, runtime: number, numFailingTests = 0) => ({ testFilePath: join(ROOT, f), numFailingTests, perfStats: { runtime } });
      new SlowFirst({}).cacheResults(earlier, { testResults: [ran(DEMO, 1000), ran(YEAR_PACK, 90_000), ran(SMALL_UNLISTED, 500, 1)] });
      // BIG_UNLISTED has neither a timing nor a place in the list: after every suite with one.
      expect(order(new SlowFirst({}).sort(tests(config)))).toEqual([SMALL_UNLISTED, YEAR_PACK, DEMO, BIG_UNLISTED]);
    } finally {
      rmSync(cacheDirectory, { recursive: true, force: true });
    }
  });
});
