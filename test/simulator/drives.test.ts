// Drives: delta (pages, deltaLink with only later changes, token=latest, deleted and shared facets,
// 410 resync), items by path, children and new folders, content with quickXorHash, simple and
// session uploads, read-only libraries, site lookup.
import { buildScenario, quickXorHash, startSimulator, type RunningSimulator } from '../../simulator';
import { allPages, call, tokenFor } from './raw';

type Item = { id: string; name?: string; size?: number; folder?: { childCount: number }; file?: { hashes: { quickXorHash: string; sha256Hash: string } }; shared?: { scope: string }; deleted?: object; root?: object; parentReference?: { id?: string; path?: string } };

describe('drives', () => {
  let sim: RunningSimulator;
  let token: string;
  const scenario = buildScenario({
    name: 'drives',
    users: [{
      userPrincipalName: 'ann@testparish.gov.uk',
      drive: { files: [
        { path: '/Council/minutes.docx', size: 5000, created: '-60d', modified: '-40d' },
        { path: '/Council/Planning/objection.docx', size: 70_000, created: '-50d' },
        { path: '/holiday.jpg', size: 1234, modified: '-2d' },
      ] },
    }],
    sites: [{
      hostname: 'testparish.sharepoint.com', path: '/sites/council', displayName: 'Council',
      libraries: [
        { name: 'Documents', files: [
          { path: '/Finance/precept.xlsx', sharing: [{ type: 'anonymous' }] },
          { path: '/Minutes/october.docx', sharing: [{ type: 'organization' }] },
        ] },
        { name: 'Policies', readOnly: true },
      ],
    }],
  });
  beforeAll(async () => {
    sim = await startSimulator({ scenarios: [scenario] });
    token = await tokenFor(sim);
  });
  afterAll(() => sim.close());

  const driveOf = async (user = 'ann@testparish.gov.uk') => (await call<{ id: string }>(sim, 'GET', `/users/${user}/drive`, { token })).body.id;
  const libraries = async () => {
    const site = await call<{ id: string }>(sim, 'GET', '/sites/testparish.sharepoint.com:/sites/council', { token });
    return (await call<{ value: { id: string; name: string }[] }>(sim, 'GET', `/sites/${site.body.id}/drives`, { token })).body.value;
  };
  const deltaFrom = async (first: string) => {
    const pages = await allPages<Item>(sim, token, first);
    return { items: pages.flatMap((p) => p.value), deltaLink: pages[pages.length - 1]['@odata.deltaLink']!, pages };
  };

  it('delta pages through nextLinks to a deltaLink; items carry ids, facets, hashes and no parentReference.path', async () => {
    sim.setPageSize(2);
    let first;
    try {
      first = await deltaFrom(`/drives/${await driveOf()}/root/delta`);
    } finally {
      sim.setPageSize(undefined);
    }
    expect(first.pages.length).toBeGreaterThan(2);
    expect(first.pages.slice(0, -1).every((p) => p['@odata.nextLink'] && !p['@odata.deltaLink'])).toBe(true);
    expect(first.deltaLink).toMatch(new RegExp(`^${sim.url}/v1\\.0/drives/.+/root/delta\\?token=`));
    const names = first.items.map((i) => i.name).sort();
    expect(names).toEqual(['Council', 'Planning', 'holiday.jpg', 'minutes.docx', 'objection.docx', 'root']);
    const council = first.items.find((i) => i.name === 'Council')!;
    expect(council.folder).toEqual({ childCount: 2 });
    const minutes = first.items.find((i) => i.name === 'minutes.docx')!;
    expect(minutes.parentReference).toMatchObject({ id: council.id });
    expect(minutes.parentReference).not.toHaveProperty('path');
    expect(minutes.size).toBe(5000);
    // The hash is the real quickXorHash of the bytes the content endpoint serves.
    const content = await call(sim, 'GET', `/drives/${await driveOf()}/items/${minutes.id}/content`, { token });
    expect(content.bytes.length).toBe(5000);
    expect(minutes.file!.hashes.quickXorHash).toBe(quickXorHash(content.bytes));
  });

  it('a deltaLink returns only what changed since: an upload, a removed link, a deletion (deleted facet)', async () => {
    const [docs] = await libraries();
    const start = await deltaFrom(`/drives/${docs.id}/root/delta`);
    const precept = start.items.find((i) => i.name === 'precept.xlsx')!;
    const october = start.items.find((i) => i.name === 'october.docx')!;
    expect(precept.shared).toEqual({ scope: 'anonymous' });
    expect(october.shared).toEqual({ scope: 'organization' });
    expect((await deltaFrom(start.deltaLink)).items).toEqual([]);

    const put = await call<Item>(sim, 'PUT', `/drives/${docs.id}/root:/Minutes/november.docx:/content`, { token, body: Buffer.from('november minutes'), headers: { 'Content-Type': 'application/octet-stream' } });
    expect(put.status).toBe(201);
    const perms = await call<{ value: { id: string; link?: { scope: string } }[] }>(sim, 'GET', `/drives/${docs.id}/items/${precept.id}/permissions`, { token });
    expect(perms.body.value.map((p) => p.link?.scope)).toEqual(['anonymous']);
    expect((await call(sim, 'DELETE', `/drives/${docs.id}/items/${precept.id}/permissions/${perms.body.value[0].id}`, { token })).status).toBe(204);
    expect((await call(sim, 'DELETE', `/drives/${docs.id}/items/${october.id}`, { token })).status).toBe(204);

    const changes = await deltaFrom(start.deltaLink);
    const byName = new Map(changes.items.filter((i) => i.name).map((i) => [i.name, i]));
    expect(byName.get('november.docx')!.file!.hashes.quickXorHash).toBe(quickXorHash(Buffer.from('november minutes')));
    expect(byName.get('precept.xlsx')).not.toHaveProperty('shared');
    expect(changes.items.find((i) => i.id === october.id)).toEqual(expect.objectContaining({ deleted: { state: 'deleted' } }));
    expect(changes.items.find((i) => i.id === october.id)).not.toHaveProperty('name');
    expect(changes.items.map((i) => i.name)).not.toContain('Planning');
    expect((await deltaFrom(changes.deltaLink)).items).toEqual([]);
  });

  it('token=latest gives no items and a deltaLink that later shows new changes only', async () => {
    const drive = await driveOf();
    const latest = await call<{ value: Item[]; '@odata.deltaLink': string }>(sim, 'GET', `/drives/${drive}/root/delta?token=latest`, { token });
    expect(latest.body.value).toEqual([]);
    await call(sim, 'PUT', `/drives/${drive}/root:/notes.txt:/content`, { token, body: Buffer.from('x'), headers: { 'Content-Type': 'text/plain' } });
    const changes = await deltaFrom(latest.body['@odata.deltaLink']);
    expect(changes.items.map((i) => i.name).sort()).toEqual(['notes.txt', 'root']);
  });

  it('a delta token older than the server keeps is 410 with a Location to start again', async () => {
    const drive = await driveOf();
    const { deltaLink } = await deltaFrom(`/drives/${drive}/root/delta`);
    sim.tenant().deltaResyncBefore = sim.tenant().seq + 1;
    try {
      const res = await call<{ error: { code: string } }>(sim, 'GET', deltaLink, { token });
      expect(res.status).toBe(410);
      expect(res.body.error.code).toBe('resyncRequired');
      expect(res.headers.get('location')).toBe(`${sim.url}/v1.0/drives/${drive}/root/delta`);
    } finally {
      sim.tenant().deltaResyncBefore = undefined;
    }
  });

  it('items by path carry parentReference.path; children list a folder; new folders conflict or rename', async () => {
    const drive = await driveOf();
    const item = await call<Item>(sim, 'GET', `/drives/${drive}/root:/Council/Planning/objection.docx`, { token });
    expect(item.body.parentReference!.path).toBe(`/drives/${drive}/root:/Council/Planning`);
    const children = await call<{ value: Item[] }>(sim, 'GET', `/drives/${drive}/root:/Council:/children`, { token });
    expect(children.body.value.map((c) => c.name)).toEqual(['minutes.docx', 'Planning']);
    const folder = { name: 'Archive', folder: {} };
    expect((await call(sim, 'POST', `/drives/${drive}/root/children`, { token, body: folder })).status).toBe(201);
    expect((await call<{ error: { code: string } }>(sim, 'POST', `/drives/${drive}/root/children`, { token, body: folder })).body.error.code).toBe('nameAlreadyExists');
    const renamed = await call<Item>(sim, 'POST', `/drives/${drive}/root/children`, { token, body: { ...folder, '@microsoft.graph.conflictBehavior': 'rename' } });
    expect(renamed.body.name).toBe('Archive 1');
    expect((await call(sim, 'GET', `/drives/${drive}/root:/Nope/none.txt`, { token })).status).toBe(404);
  });

  it('an upload session takes 320 KiB-multiple chunks without a token, answers 202 then 201 with the driveItem and its hash', async () => {
    const [docs] = await libraries();
    const content = Buffer.alloc(800 * 1024, 7);
    content.write('start of a big archive', 0);
    const session = await call<{ uploadUrl: string; nextExpectedRanges: string[] }>(sim, 'POST', `/drives/${docs.id}/root:/Archive/big file.bin:/createUploadSession`, { token, body: { item: { '@microsoft.graph.conflictBehavior': 'replace' } } });
    expect(session.status).toBe(200);
    expect(session.body.nextExpectedRanges).toEqual(['0-']);
    const chunk = (from: number, to: number) => call<{ nextExpectedRanges?: string[]; error?: { code: string } } & Item>(sim, 'PUT', session.body.uploadUrl, {
      body: content.subarray(from, to + 1), headers: { 'Content-Range': `bytes ${from}-${to}/${content.length}` },
    });
    const unit = 320 * 1024;
    const first = await chunk(0, unit - 1);
    expect(first.status).toBe(202);
    expect(first.body.nextExpectedRanges).toEqual([`${unit}-${content.length - 1}`]);
    expect((await chunk(0, unit - 1)).status).toBe(416); // already received
    expect((await chunk(unit, unit + 1000)).status).toBe(400); // not a 320 KiB multiple and not the last
    expect((await call<{ nextExpectedRanges: string[] }>(sim, 'GET', session.body.uploadUrl)).body.nextExpectedRanges).toEqual([`${unit}-`]);
    expect((await chunk(unit, 2 * unit - 1)).status).toBe(202);
    const last = await chunk(2 * unit, content.length - 1);
    expect(last.status).toBe(201);
    expect(last.body).toMatchObject({ name: 'big file.bin', size: content.length, file: { hashes: { quickXorHash: quickXorHash(content) } } });
    const back = await call(sim, 'GET', `/drives/${docs.id}/items/${last.body.id}/content`, { token });
    expect(back.bytes.equals(content)).toBe(true);
    expect((await call(sim, 'PUT', session.body.uploadUrl, { body: Buffer.from('x'), headers: { 'Content-Range': 'bytes 0-0/1' } })).status).toBe(404);
  });

  it('an upload session expires after the configured time', async () => {
    const [docs] = await libraries();
    sim.tenant().uploadSessionTtlMs = 1;
    try {
      const session = await call<{ uploadUrl: string }>(sim, 'POST', `/drives/${docs.id}/items/root:/late.bin:/createUploadSession`, { token, body: {} });
      await new Promise((r) => setTimeout(r, 20));
      const res = await call<{ error: { code: string } }>(sim, 'PUT', session.body.uploadUrl, { body: Buffer.from('x'), headers: { 'Content-Range': 'bytes 0-0/1' } });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('itemNotFound');
    } finally {
      sim.tenant().uploadSessionTtlMs = 15 * 60 * 1000;
    }
  });

  it('simple PUT below a parent by id; a read-only library refuses writes with 403 accessDenied', async () => {
    const [docs, policies] = await libraries();
    const finance = await call<Item>(sim, 'GET', `/drives/${docs.id}/root:/Finance`, { token });
    const put = await call<Item>(sim, 'PUT', `/drives/${docs.id}/items/${finance.body.id}:/budget.csv:/content`, { token, body: Buffer.from('a,b\n'), headers: { 'Content-Type': 'text/csv' } });
    expect(put.status).toBe(201);
    expect(put.body.parentReference).toMatchObject({ id: finance.body.id, path: `/drives/${docs.id}/root:/Finance` });
    // Names travel percent-encoded: '#', '%', spaces and non-ASCII come back as written.
    const odd = 'Café #1 – 100% done.txt';
    const created = await call<Item>(sim, 'PUT', `/drives/${docs.id}/root:/Finance/${encodeURIComponent(odd)}:/content`, { token, body: Buffer.from('x'), headers: { 'Content-Type': 'text/plain' } });
    expect(created.body.name).toBe(odd);
    expect((await call<Item>(sim, 'GET', `/drives/${docs.id}/items/${finance.body.id}:/${encodeURIComponent(odd)}`, { token })).body.id).toBe(created.body.id);
    const refused = await call<{ error: { code: string } }>(sim, 'PUT', `/drives/${policies.id}/root:/x.txt:/content`, { token, body: Buffer.from('x'), headers: { 'Content-Type': 'text/plain' } });
    expect([refused.status, refused.body.error.code]).toEqual([403, 'accessDenied']);
  });

  it('finds a site by hostname and path or by its host,guid,guid id, and lists its libraries', async () => {
    const site = await call<{ id: string; webUrl: string }>(sim, 'GET', '/sites/testparish.sharepoint.com:/sites/council', { token });
    expect(site.body.id).toMatch(/^testparish\.sharepoint\.com,[0-9a-f-]{36},[0-9a-f-]{36}$/);
    expect(site.body.webUrl).toBe('https://testparish.sharepoint.com/sites/council');
    expect((await call<{ id: string }>(sim, 'GET', `/sites/${site.body.id}`, { token })).body.id).toBe(site.body.id);
    expect((await libraries()).map((d) => d.name)).toEqual(['Documents', 'Policies']);
    expect((await call(sim, 'GET', '/sites/testparish.sharepoint.com:/sites/nowhere', { token })).status).toBe(404);
  });
});
