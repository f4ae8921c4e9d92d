// "Download driveItem content": GET .../content answers 302 Found with a pre-authenticated download URL
// that needs no Authorization header and works for a few minutes; the download is SharePoint's, not a
// Graph request. The product's client follows the redirect (graph.download).
import { buildScenario, startSimulator, type RunningSimulator } from '../../simulator';
import { createGraphContext } from '../../graph';
import { readEnvironment } from '../../config/env';
import { call, tokenFor } from './raw';

describe('a drive item\'s content', () => {
  let sim: RunningSimulator;
  let token: string;
  const scenario = buildScenario({ name: 'download-url', users: [{ userPrincipalName: 'ann@testparish.gov.uk', drive: { files: [{ path: '/minutes.docx', size: 5000 }] } }] });
  beforeAll(async () => {
    sim = await startSimulator({ scenarios: [scenario] });
    token = await tokenFor(sim);
  });
  afterAll(() => sim.close());

  const minutes = async () => {
    const drive = (await call<{ id: string }>(sim, 'GET', '/users/ann@testparish.gov.uk/drive', { token })).body.id;
    const item = (await call<{ id: string }>(sim, 'GET', `/drives/${drive}/root:/minutes.docx`, { token })).body.id;
    return `/v1.0/drives/${drive}/items/${item}/content`;
  };

  it('redirects to a download URL that needs no token and is not a Graph request', async () => {
    const path = await minutes();
    const before = sim.stats.requests;
    const res = await fetch(`${sim.url}${path}`, { headers: { Authorization: `Bearer ${token}` }, redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = res.headers.get('location')!;
    expect(location).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/download\/[\w-]+$/);
    const bytes = Buffer.from(await (await fetch(location)).arrayBuffer());
    expect(bytes.length).toBe(5000);
    expect(sim.stats.requests - before).toBe(1);
  });

  it('refuses a download URL once it has expired', async () => {
    const res = await fetch(`${sim.url}${await minutes()}`, { headers: { Authorization: `Bearer ${token}` }, redirect: 'manual' });
    const location = res.headers.get('location')!;
    for (const d of sim.tenant().downloadUrls.values()) d.expires = Date.now() - 1;
    expect((await fetch(location)).status).toBe(401);
  });

  it('forgets expired download URLs as it hands out new ones, so a long export does not pile them up', async () => {
    const path = await minutes();
    const redirect = () => fetch(`${sim.url}${path}`, { headers: { Authorization: `Bearer ${token}` }, redirect: 'manual' });
    await redirect();
    await redirect();
    const urls = sim.tenant().downloadUrls;
    expect(urls.size).toBeGreaterThanOrEqual(2);
    for (const d of urls.values()) d.expires = Date.now() - 1;
    const fresh = (await redirect()).headers.get('location')!;
    expect(urls.size).toBe(1);
    expect((await fetch(fresh)).status).toBe(200);
  });

  it('is read by the product\'s download, which follows the redirect', async () => {
    const graph = createGraphContext(readEnvironment(sim.env()));
    const got = await graph.download((await minutes()).replace(/^\/v1\.0/, ''));
    if (got === 'gone') throw new Error('expected the file');
    let length = 0;
    for await (const chunk of got.body) length += (chunk as Buffer).length;
    expect(length).toBe(5000);
    expect(got.size).toBe(5000);
  });
});
