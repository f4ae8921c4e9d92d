// councilguard config push / show, and the function app reading the pushed config (Azurite, the real
// handler): a valid push is used from the next run; an invalid file is refused with every problem and
// nothing uploaded; an invalid version written to storage by hand is skipped for the last good one with
// one alert across two runs; blob mode with nothing pushed names `councilguard config push`.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { randomUUID } from 'node:crypto';
import { InvocationContext, type Timer } from '@azure/functions';
import { main } from '../../cli/main';
import { nightlyAuditHandler } from '../../functions/handlers/nightly-audit';
import { CONFIG_INVALID_EVENT } from '../../jobs/config-source';
import { loadScenario, startSimulator, type RunningSimulator } from '../../simulator';
import { CONFIG_CONTAINER, openStore, type Store } from '../../store';

const timer: Timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: '', next: '', lastUpdated: '' } };

function configFile(tenantId: string, change: (c: Record<string, unknown>) => void = () => {}): string {
  const config = JSON.parse(readFileSync(join(__dirname, '../../simulator/scenarios/demo.councils.json'), 'utf8'));
  config.councils[0].tenantId = tenantId;
  change(config.councils[0]);
  const file = join(mkdtempSync(join(tmpdir(), 'cg-push-')), 'councils.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = jest.spyOn(process.stdout, 'write').mockImplementation((s) => { out += String(s); return true; });
  const e = jest.spyOn(process.stderr, 'write').mockImplementation((s) => { err += String(s); return true; });
  try {
    return { code: await main(args), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

/** One nightly run at the UK audit hour of `day`; returns the host log lines. */
async function nightly(day: string): Promise<string[]> {
  const lines: string[] = [];
  const context = new InvocationContext({ functionName: 'nightlyAudit', logHandler: (_l, ...args) => lines.push(args.join(' ')) });
  await nightlyAuditHandler(timer, context, `${day}T01:00:00.000Z`);
  return lines;
}

describe('council config in storage', () => {
  const saved = { ...process.env };
  let store: Store;
  let sim: RunningSimulator;
  let tenantId: string;

  beforeAll(async () => {
    store = await openStore(process.env.COUNCILGUARD_TEST_STORAGE!);
    const scenario = structuredClone(loadScenario('demo'));
    scenario.tenantId = tenantId = randomUUID();
    sim = await startSimulator({ scenarios: [scenario] });
  });
  afterAll(() => sim.close());
  beforeEach(async () => {
    // Only this file uses the config container: each test starts with nothing pushed.
    await store.blobs.deleteUnder(CONFIG_CONTAINER, '');
    process.env = { ...saved, ...sim.env(), COUNCILGUARD_STORAGE: process.env.COUNCILGUARD_TEST_STORAGE, COUNCILGUARD_CONFIG_SOURCE: 'blob' };
    delete process.env.COUNCILGUARD_CONFIG;
  });
  afterEach(() => { process.env = { ...saved }; });

  it('push validates and uploads a new version; show names it; the function app audits with it', async () => {
    const pushed = await cli(['config', 'push', '--config', configFile(tenantId)]);
    expect(pushed).toMatchObject({ code: 0 });
    const version = /as (councils-\d{8}T\d{9}Z\.json) \(1 council\(s\)/.exec(pushed.out)?.[1];
    expect(version).toBeDefined();
    expect(await store.configVersions.versions()).toEqual([version]);

    const shown = await cli(['config', 'show']);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain(`Live: ${version} (1 council(s)`);

    const lines = await nightly('2026-07-15');
    expect(lines.join('\n')).toMatch(/Audited 1 council\(s\)\. Example Parish Council: \d+ findings/);
    expect((await store.latestRun(tenantId))?.generatedAt).toBe('2026-07-15T01:00:00.000Z');
  });

  it('an invalid config is refused with every problem and its fix, exit 2, and nothing is uploaded', async () => {
    const bad = configFile(tenantId, (c) => { c.tenantId = 'not-a-guid'; (c.checks as Record<string, unknown>) = { disabled: ['no.such-check'] }; });
    const result = await cli(['config', 'push', '--config', bad]);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/has problems:/);
    expect(result.err).toMatch(/tenantId/);
    expect(result.err).toMatch(/Fix these and run again/);
    expect(await store.configVersions.versions()).toEqual([]);
    expect(await store.configVersions.pointer()).toBeUndefined();
  });

  it('an invalid version written to storage directly is skipped for the last good one, alerted once across two runs', async () => {
    expect((await cli(['config', 'push', '--config', configFile(tenantId)])).code).toBe(0);
    const good = (await store.configVersions.versions())[0];
    // Someone writes a newer version by hand, bypassing validation, and points latest.json at it.
    const broken = 'councils-29990101T000000000Z.json';
    await store.putBlob(CONFIG_CONTAINER, broken, JSON.stringify({ councils: [{ name: 'Broken', tenantId: 'nope' }] }));
    await store.putBlob(CONFIG_CONTAINER, 'latest.json', JSON.stringify({ version: broken, pushedAt: '', pushedBy: 'hand', sha256: '', councils: 1 }));

    const first = await nightly('2026-07-16');
    const second = await nightly('2026-07-17');
    for (const lines of [first, second]) expect(lines.join('\n')).toMatch(/Audited 1 council\(s\)\. Example Parish Council/);
    const alerts = [...first, ...second].filter((l) => l.includes(CONFIG_INVALID_EVENT));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toContain(`${broken} is not valid, so the function app keeps using ${good}`);

    const shown = await cli(['config', 'show']);
    expect(shown.out).toContain(`Skipped (not valid): ${broken}`);
    expect(shown.out).toContain(`Live: ${good}`);
  });

  it('blob mode with no config pushed fails with the command to run', async () => {
    await expect(nightly('2026-07-18')).rejects.toThrow(/no council config has been pushed.*councilguard config push --config/);
  });

  it('an unknown config action is refused with exit 2, naming push and show', async () => {
    const result = await cli(['config', 'upload', '--config', 'x.json']);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/Unknown config action "upload": use councilguard config push --config councils.json .* or councilguard config show/);
  });

  it('a bad COUNCILGUARD_CONFIG_SOURCE names the two values', async () => {
    process.env.COUNCILGUARD_CONFIG_SOURCE = 'storage';
    await expect(nightly('2026-07-19')).rejects.toThrow(/COUNCILGUARD_CONFIG_SOURCE "storage" must be file .* or blob/);
  });
});
