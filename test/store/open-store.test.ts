import { createServer } from 'node:net';
import { Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { openStore, storeFromEnvironment } from '../../store';

const conn = () => process.env.COUNCILGUARD_TEST_STORAGE!;
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe('opening the store', () => {
  it('names COUNCILGUARD_STORAGE and the fix when the value is not a connection string', async () => {
    await expect(openStore('not a connection string')).rejects.toThrow(/COUNCILGUARD_STORAGE is not an Azure Storage connection string.*Access keys/);
    await expect(openStore('AccountName=parishstore')).rejects.toThrow(/COUNCILGUARD_STORAGE .* no AccountKey/);
  });

  it('names COUNCILGUARD_STORAGE when the storage does not answer, without printing the key', async () => {
    const port = await closedPort();
    const unreachable = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${KEY};BlobEndpoint=http://127.0.0.1:${port}/devstoreaccount1;TableEndpoint=http://127.0.0.1:${port}/devstoreaccount1;`;
    const err = await openStore(unreachable).then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/COUNCILGUARD_STORAGE could not be used/);
    expect(err?.name).toBe('ConfigError');
    expect(err?.message).not.toContain(KEY);
  }, 60_000);

  it('names COUNCILGUARD_STORAGE when the account key is wrong', async () => {
    const wrongKey = Buffer.from('not the key of this account at all, sorry').toString('base64');
    const err = await openStore(conn().replace(KEY, wrongKey)).then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/COUNCILGUARD_STORAGE could not be used.*account name and key/);
    expect(err?.message).not.toContain(wrongKey);
  }, 60_000);

  it('uses COUNCILGUARD_STORAGE when it is set', async () => {
    const t = randomUUID();
    await (await openStore(conn())).putCheckpoint('env', t, 'same store');
    const { store, stop } = await storeFromEnvironment({ env: { COUNCILGUARD_STORAGE: conn() } });
    expect((await store.getCheckpoint('env', t))?.value).toBe('same store');
    await stop();
  });

  it('starts its own local storage when COUNCILGUARD_STORAGE is unset, and stops it', async () => {
    const { store, stop } = await storeFromEnvironment({ env: {}, inMemory: true });
    await store.putCheckpoint('env', 'k', 1);
    expect((await store.getCheckpoint('env', 'k'))?.value).toBe(1);
    const endpoint = new URL((store.blobs as unknown as { service: { url: string } }).service.url);
    await stop();
    const stillOpen = await new Promise<boolean>((done) => {
      const s = new Socket();
      s.once('connect', () => { s.destroy(); done(true); });
      s.once('error', () => done(false));
      s.connect(Number(endpoint.port), '127.0.0.1');
    });
    expect(stillOpen).toBe(false);
  }, 30_000);
});
