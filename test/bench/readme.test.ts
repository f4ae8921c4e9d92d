// The benchmark README generator's verdicts on fixture results: met, not met, not shown (spread straddles
// the target, too few runs, not measured) and stale (sources changed, or no source hash recorded).
import { renderReadme } from '../../bench/readme';
import { countMismatch, judge, speedUp, spreadOf, verdicts, type BenchResult, type Target } from '../../bench/lib/verdict';

const HASH = 'a'.repeat(64);

function result(targets: Target[], extra: Partial<BenchResult> = {}): BenchResult {
  return {
    benchmark: 'audit-scale',
    machine: { date: '2026-12-01 02:00 GMT', cpus: 2, cpuModel: 'AMD EPYC', memoryGb: 23, node: 'v22.23.3', platform: 'linux x64' },
    provenance: { commit: '0123456789abcdef0123', dirty: false, sourceHash: HASH, sources: ['bench/lib'] },
    params: {}, rows: [], targets, ...extra,
  };
}

const speed = (slow: number[], fast: number[]): Target => ({
  target: '≥ 40× faster', measured: 'x', met: true,
  threshold: { value: 40, better: 'higher', spread: speedUp(spreadOf(slow), spreadOf(fast)) },
});

describe('benchmark verdicts', () => {
  it('a count target is met or not met as the benchmark judged it', () => {
    expect(judge({ target: 't', measured: 'm', met: true })).toBe('met');
    expect(judge({ target: 't', measured: 'm', met: false })).toBe('not met');
  });

  it('a speed-up is met only when even the slowest pairing clears the target', () => {
    // 400–440 s against 9–10 s: 40× at worst.
    expect(judge(speed([400, 420, 440], [9, 9.5, 10]))).toBe('met');
  });

  it('a speed-up whose spread straddles the target is "not shown", even with a median above it', () => {
    const t = speed([380, 420, 440], [9, 9.5, 10]); // median 44×, worst 38×
    expect(t.threshold!.spread.median).toBeGreaterThan(40);
    expect(judge(t)).toBe('not shown');
  });

  it('a speed-up entirely below the target is not met', () => {
    expect(judge(speed([200, 210, 220], [9, 9.5, 10]))).toBe('not met');
  });

  it('fewer than 3 runs cannot show a timing target, however clear', () => {
    expect(judge(speed([800, 800], [1, 1]))).toBe('not shown');
  });

  it('a target not measured in this run is "not shown", whatever met says', () => {
    expect(judge({ target: 't', measured: 'not run', met: true, notShownBecause: 'size left out' })).toBe('not shown');
  });

  it('a lower-is-better threshold judges the spread the other way', () => {
    const t = (xs: number[]): Target => ({ target: 'import < 1.5 s', measured: 'x', met: true, threshold: { value: 1.5, better: 'lower', spread: spreadOf(xs) } });
    expect(judge(t([1.0, 1.1, 1.2]))).toBe('met');
    expect(judge(t([1.4, 1.45, 1.6]))).toBe('not shown');
    expect(judge(t([1.6, 1.7, 1.8]))).toBe('not met');
  });

  it('every target of a result is stale when the sources changed, or when no hash was recorded', () => {
    const r = result([{ target: 't', measured: 'm', met: true }, speed([400, 420, 440], [9, 9.5, 10])]);
    expect(verdicts(r, HASH)).toEqual(['met', 'met']);
    expect(verdicts(r, 'b'.repeat(64))).toEqual(['stale', 'stale']);
    expect(verdicts({ ...r, provenance: undefined }, HASH)).toEqual(['stale', 'stale']);
  });

  it('client and simulator counts that disagree are named', () => {
    expect(countMismatch({ label: '150 users', roundTrips: { client: 60, simulator: 60 }, workUnits: { client: 412, simulator: 412 } })).toBeUndefined();
    expect(countMismatch({ label: '150 users', roundTrips: { client: 60, simulator: 60 }, workUnits: { client: 412, simulator: 430 } })).toMatch(/150 users: work units 412 \(client\) vs 430 \(simulator\)/);
  });
});

describe('the generated README', () => {
  const r = result([
    { target: '≤ 0.5 round trips per user', measured: '0.27', met: true },
    speed([380, 420, 440], [9, 9.5, 10]),
  ], {
    counts: [{ label: '1500 users, optimised, run 1, night 1', users: 1500, councils: 1, roundTrips: { client: 406, simulator: 406 }, workUnits: { client: 4810, simulator: 4810 } }],
    memory: { peakRssMb: 244, steadyRssMb: 230 },
  });

  it('says it is generated, and prints each verdict, the counts per user and the memory when present', () => {
    const text = renderReadme([r], () => HASH);
    expect(text).toMatch(/Generated.*bench\/readme\.ts/);
    expect(text).toMatch(/\| audit-scale \| ≤ 0\.5 round trips per user \| 0\.27 \| \*\*met\*\* \|/);
    expect(text).toMatch(/≥ 40× faster .*\*\*not shown\*\*/);
    expect(text).toMatch(/\| 1500 users, optimised, run 1, night 1 \| 1500 \| 1 \| 406 \| 4810 \| 3\.207 \| 4810 \|/);
    expect(text).toMatch(/peak RSS 244 MB, steady-state RSS 230 MB/);
    expect(text).toMatch(/commit `0123456789ab`/);
    expect(text).not.toMatch(/\*\*stale — re-run\*\*/);
  });

  it('marks a result whose sources changed as stale, and one from a dirty tree as such', () => {
    const text = renderReadme([{ ...r, provenance: { ...r.provenance!, dirty: true } }], () => 'c'.repeat(64));
    expect(text).toMatch(/\*\*stale — re-run\*\*/);
    expect(text).toMatch(/npm run bench -- audit-scale/);
    expect(text).toMatch(/from a dirty tree/);
    expect(text).not.toMatch(/\*\*met\*\*/);
  });

  it('adds messages and work units per message when a run copied mail (a surrender), and leaves them out otherwise', () => {
    const surrender = result([{ target: 't', measured: 'm', met: true }], {
      benchmark: 'changeover',
      counts: [{ label: 'changeover: 2 councils, 4 surrenders', users: 4, councils: 2, messages: 400, roundTrips: { client: 1636, simulator: 1636 }, workUnits: { client: 1636, simulator: 1636 } }],
    });
    const text = renderReadme([surrender], () => HASH);
    expect(text).toMatch(/\| messages \| round trips \|.*\| work units per message \|/);
    expect(text).toMatch(/\| changeover: 2 councils, 4 surrenders \| 4 \| 2 \| 400 \| 1636 \| 1636 \| 409 \| 818 \| 4\.09 \|/);
    expect(renderReadme([r], () => HASH)).not.toMatch(/per message/);
  });

  it('leaves memory out when the result has none', () => {
    expect(renderReadme([{ ...r, memory: undefined }], () => HASH)).not.toMatch(/Memory:/);
  });
});
