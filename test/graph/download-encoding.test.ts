// graph.download when the body comes content-encoded: Node's fetch asks for gzip and decodes it, but
// Content-Length is the length of the compressed bytes (RFC 9110 §8.6), so it is no size for the
// decoded body. With the simulator's gzipDownloads on, download gives no size and the decoded bytes;
// with it off, the size is the body's length.
import type { Readable } from 'node:stream';
import { buildScenario, startSimulator, type RunningSimulator } from '../../simulator';
import { mimeOf } from '../../simulator/mailbox';
import { createGraphContext, type GraphContext } from '../../graph';
import { readEnvironment } from '../../config/env';
import { call, tokenFor } from '../simulator/raw';

const UPN = 'ann@testparish.gov.uk';

async function bytesOf(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('graph.download of a content-encoded body', () => {
  let sim: RunningSimulator;
  let graph: GraphContext;
  let token: string;
  const scenario = buildScenario({
    name: 'download-encoding',
    users: [{ userPrincipalName: UPN, mailbox: { folders: [{ name: 'Inbox', count: 2, seed: 3 }] }, drive: { files: [{ path: '/minutes.docx', size: 5000 }] } }],
  });
  beforeAll(async () => {
    sim = await startSimulator({ scenarios: [scenario] });
    graph = createGraphContext(readEnvironment(sim.env()));
    token = await tokenFor(sim);
  });
  afterAll(() => sim.close());
  afterEach(() => sim.setFaults({}));

  const firstMessage = () => {
    const u = sim.tenant().users.find((x) => x.userPrincipalName === UPN)!;
    const inbox = [...u.mailFolders.values()].find((f) => f.displayName === 'Inbox')!;
    return { id: inbox.messages[0].id, mime: mimeOf(inbox.messages[0], UPN) };
  };

  it('without compression a message\'s $value has its byte length as size', async () => {
    const { id, mime } = firstMessage();
    const got = await graph.download(`/users/${UPN}/messages/${id}/$value`);
    if (got === 'gone') throw new Error('expected the message');
    expect(got.size).toBe(mime.length);
    expect((await bytesOf(got.body)).equals(mime)).toBe(true);
  });

  it('with gzipDownloads a message\'s $value comes gzip-encoded; download gives no size and the MIME\'s exact bytes', async () => {
    sim.setFaults({ gzipDownloads: true });
    const { id, mime } = firstMessage();
    // On the wire: gzip, and a Content-Length that is the compressed length, not the MIME's.
    const raw = await fetch(`${sim.url}/v1.0/users/${UPN}/messages/${id}/$value`, { headers: { Authorization: `Bearer ${token}`, 'Accept-Encoding': 'gzip' } });
    expect(raw.headers.get('content-encoding')).toBe('gzip');
    const announced = Number(raw.headers.get('content-length'));
    expect(announced).toBeLessThan(mime.length);
    expect(Buffer.from(await raw.arrayBuffer()).equals(mime)).toBe(true);

    const got = await graph.download(`/users/${UPN}/messages/${id}/$value`);
    if (got === 'gone') throw new Error('expected the message');
    expect(got.size).toBeUndefined();
    expect((await bytesOf(got.body)).equals(mime)).toBe(true);
  });

  it('with gzipDownloads a client that does not accept gzip gets the plain body and its length', async () => {
    sim.setFaults({ gzipDownloads: true });
    const { id, mime } = firstMessage();
    const raw = await fetch(`${sim.url}/v1.0/users/${UPN}/messages/${id}/$value`, { headers: { Authorization: `Bearer ${token}`, 'Accept-Encoding': 'identity' } });
    expect(raw.headers.get('content-encoding')).toBeNull();
    expect(Number(raw.headers.get('content-length'))).toBe(mime.length);
    expect(Buffer.from(await raw.arrayBuffer()).equals(mime)).toBe(true);
  });

  it('with gzipDownloads a drive item\'s content (through its download URL) gives no size and all its bytes', async () => {
    sim.setFaults({ gzipDownloads: true });
    const drive = (await call<{ id: string }>(sim, 'GET', `/users/${UPN}/drive`, { token })).body.id;
    const item = (await call<{ id: string }>(sim, 'GET', `/drives/${drive}/root:/minutes.docx`, { token })).body.id;
    const got = await graph.download(`/drives/${drive}/items/${item}/content`);
    if (got === 'gone') throw new Error('expected the file');
    expect(got.size).toBeUndefined();
    expect((await bytesOf(got.body)).length).toBe(5000);
  });
});
