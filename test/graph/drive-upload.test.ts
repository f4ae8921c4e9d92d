// graph/drive-upload.ts against the HTTPS simulator: the simple PUT below the limit and an upload
// session in 320 KiB-multiple fragments above it, both hashing the bytes as they pass; replace on a
// second write; a throttled simple PUT retried (and counted as the simulator counts it); an expired session reported
// as UploadSessionGone (the archive answers that with a fresh read of the source).
import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { createGraphContext, type GraphContext } from '../../graph';
import { readEnvironment } from '../../config/env';
import { FRAGMENT_UNIT, uploadToDrive, UploadSessionGone } from '../../graph/drive-upload';
import { loadScenario, startSimulator, type RunningSimulator } from '../../simulator';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const source = (bytes: Buffer) => ({ body: Readable.from([bytes]), size: bytes.length });
/** Bytes that differ along their length, so a misplaced fragment would show. */
const bytesOf = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + (i >> 12)) & 0xff));

describe('drive upload', () => {
  let sim: RunningSimulator;
  let graph: GraphContext;
  let driveId: string;
  const stored = (name: string) => [...sim.tenant().drives.get(driveId)!.items.values()].filter((i) => i.name === name);

  beforeAll(async () => {
    const s = structuredClone(loadScenario('demo'));
    s.tenantId = randomUUID();
    s.grantedPermissions.push('Sites.ReadWrite.All');
    sim = await startSimulator({ scenarios: [s] });
    graph = createGraphContext(readEnvironment(sim.env(), s.tenantId), { retry: { baseDelayMs: 20 } });
    driveId = [...sim.tenant().drives.values()].find((d) => d.name === 'IT governance reports')!.id;
  });
  afterEach(() => sim.setFaults({}));
  afterAll(() => sim.close());

  it('a small file goes by one simple PUT, into folders made on the way, with its SHA-256', async () => {
    const bytes = bytesOf(1000);
    sim.stats.reset();
    const result = await uploadToDrive(graph, { driveId, path: '2026/11/small.txt' }, source(bytes));
    expect(result).toMatchObject({ size: 1000, sha256: sha256(bytes), item: { name: 'small.txt' } });
    expect(sim.stats.requests).toBe(1);
    expect(stored('small.txt')[0].content!.equals(bytes)).toBe(true);
  });

  it('a file above the limit goes through an upload session in fragments, progress adds up, and a second write replaces the first', async () => {
    const bytes = bytesOf(3 * FRAGMENT_UNIT + 12345);
    const progress: number[] = [];
    const options = { simpleUploadLimit: FRAGMENT_UNIT, fragmentBytes: FRAGMENT_UNIT, onBytes: (n: number) => progress.push(n) };
    const result = await uploadToDrive(graph, { driveId, path: 'big.bin' }, source(bytes), options);
    expect(result).toMatchObject({ size: bytes.length, sha256: sha256(bytes) });
    expect(progress).toEqual([FRAGMENT_UNIT, FRAGMENT_UNIT, FRAGMENT_UNIT, 12345]);
    expect(stored('big.bin')[0].content!.equals(bytes)).toBe(true);

    const again = bytesOf(2 * FRAGMENT_UNIT + 1).reverse();
    await uploadToDrive(graph, { driveId, path: 'big.bin' }, source(again), { ...options, conflictBehavior: 'replace' });
    expect(stored('big.bin')).toHaveLength(1);
    expect(stored('big.bin')[0].content!.equals(again)).toBe(true);
  });

  it('refuses a fragment size that is not a multiple of 320 KiB before sending anything', async () => {
    sim.stats.reset();
    await expect(uploadToDrive(graph, { driveId, path: 'odd.bin' }, source(bytesOf(10)), { fragmentBytes: 100_000 })).rejects.toThrow(/multiple of 320 KiB/);
    expect(sim.stats.requests).toBe(0);
  });

  it('a throttled simple PUT (its Buffer body sent again) is retried, each request sent counted once, as the simulator counts it', async () => {
    const g = createGraphContext(readEnvironment(sim.env(), sim.tenantIds[0]), { retry: { baseDelayMs: 20 } });
    await g.get('/users', ['id']);
    sim.stats.reset();
    const before = { requests: g.meter.httpRequests, workUnits: g.meter.workUnits };
    sim.setFaults({ seed: 5, throttleRate: 0.5, retryAfterSeconds: 0 });
    const bytes = bytesOf(5000);
    for (let i = 0; i < 6; i++) await uploadToDrive(g, { driveId, path: `throttled ${i}.txt` }, source(bytes));
    expect(sim.stats.throttled).toBeGreaterThan(0);
    expect(g.meter.counts.retry).toBeGreaterThan(0);
    expect(g.meter.httpRequests - before.requests).toBe(sim.stats.requests);
    expect(g.meter.workUnits - before.workUnits).toBe(sim.stats.workUnits);
    for (let i = 0; i < 6; i++) expect(stored(`throttled ${i}.txt`)[0].content!.equals(bytes)).toBe(true);
  });

  it('a 403 is a GraphRequestError naming the permission', async () => {
    const readOnly = sim.tenant().drives.get(driveId)!;
    readOnly.readOnly = true;
    try {
      const err = await uploadToDrive(graph, { driveId, path: 'refused.txt' }, source(bytesOf(10))).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'GraphRequestError', status: 403, permission: 'Sites.ReadWrite.All' });
    } finally {
      readOnly.readOnly = false;
    }
  });

  it('a session that expires after its first fragment is UploadSessionGone', async () => {
    const poll = setInterval(() => {
      for (const s of sim.tenant().uploadSessions.values()) if (s.next > 0) s.expires = 0;
    }, 1);
    try {
      const err = await uploadToDrive(graph, { driveId, path: 'expires.bin' }, source(bytesOf(4 * FRAGMENT_UNIT)), { simpleUploadLimit: 0, fragmentBytes: FRAGMENT_UNIT }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UploadSessionGone);
      expect(stored('expires.bin')).toHaveLength(0);
    } finally {
      clearInterval(poll);
    }
  });
});
