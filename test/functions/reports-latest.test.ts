import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { randomUUID } from 'node:crypto';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { latestReportHandler } from '../../functions/handlers/reports-latest';
import { openStore } from '../../store';

const principal = (roles: string[]) => Buffer.from(JSON.stringify({ auth_typ: 'aad', name_typ: 'name', role_typ: 'roles', claims: [{ typ: 'name', val: 'support@supplier.example' }, ...roles.map((val) => ({ typ: 'roles', val }))] })).toString('base64');
const request = (headers: Record<string, string>, council = 'Example Parish Council') =>
  new HttpRequest({ method: 'GET', url: `https://app.example/api/reports/latest?council=${encodeURIComponent(council)}`, headers });

describe('GET /api/reports/latest', () => {
  const saved = { ...process.env };
  afterAll(() => { process.env = saved; });

  it('401 without a principal, 403 without Reports.Read, 200 with the latest report.html for the IT supplier', async () => {
    const tenantId = randomUUID();
    const config = JSON.parse(readFileSync(join(__dirname, '../../simulator/scenarios/demo.councils.json'), 'utf8'));
    config.councils[0].tenantId = tenantId;
    const file = join(mkdtempSync(join(tmpdir(), 'cg-http-')), 'councils.json');
    writeFileSync(file, JSON.stringify(config));
    process.env.COUNCILGUARD_CONFIG = file;
    process.env.COUNCILGUARD_STORAGE = process.env.COUNCILGUARD_TEST_STORAGE;
    const store = await openStore(process.env.COUNCILGUARD_TEST_STORAGE!);
    await store.saveRun(tenantId, 'r1', '2026-11-24T02:00:00.000Z', { 'findings.json': '{"findings":[],"resolved":[]}', 'report.html': '<p>old</p>' });
    await store.saveRun(tenantId, 'r2', '2026-11-25T02:00:00.000Z', { 'findings.json': '{"findings":[],"resolved":[]}', 'report.html': '<p>latest</p>' });
    const context = new InvocationContext({ functionName: 'latestReport', logHandler: () => {} });

    expect((await latestReportHandler(request({}), context)).status).toBe(401);
    expect((await latestReportHandler(request({ 'x-ms-client-principal': principal(['Offboarding.Request']) }), context)).status).toBe(403);
    const ok = await latestReportHandler(request({ 'x-ms-client-principal': principal(['Reports.Read']) }), context);
    expect(ok).toMatchObject({ status: 200, body: '<p>latest</p>', headers: expect.objectContaining({ 'Content-Security-Policy': expect.stringContaining("default-src 'none'") }) });
    const unknown = await latestReportHandler(request({ 'x-ms-client-principal': principal(['Reports.Read']) }, 'Atlantis'), context);
    expect(unknown.status).toBe(404);
    expect((unknown.jsonBody as { error: string }).error).toMatch(/No council "Atlantis" in the config/);
  });
});
