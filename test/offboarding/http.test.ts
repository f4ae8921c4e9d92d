// The clerk's HTTP endpoints, called as the Functions host calls them (real HttpRequest and
// InvocationContext), with the in-process runner behind them.
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { offboardingHttpHandlers } from '../../functions/handlers/offboarding-http';
import { inProcessStarter } from '../support/in-process-starter';
import { testCouncils } from '../support/councils';
import { CLERK, harness, LEAVER, TERM_END, type Harness } from './support';
import { sameOriginJson, signInWith, type SignInHarness } from '../support/sign-in';

const BASE = 'https://councilguard.example';
const context = () => new InvocationContext({ functionName: 'offboarding', logHandler: () => {} });
let s: SignInHarness;
let tenantId: string;
/** A caller signed in (App Service's headers, a token from the simulated Entra); from the council's tenant unless said. */
type Who = { name: string; roles: string[]; tenantId?: string; displayName?: string };
const signedIn = (who?: Who) => (who ? s.headers({ upn: who.name, roles: who.roles, tenantId: who.tenantId ?? tenantId, name: who.displayName }) : {});

function post(body: unknown, who?: Who, headers: Record<string, string> = sameOriginJson(BASE)) {
  return new HttpRequest({
    method: 'POST', url: `${BASE}/api/offboarding`,
    headers: { ...headers, ...signedIn(who) },
    body: { string: typeof body === 'string' ? body : JSON.stringify(body) },
  });
}

function get(path: string, params: Record<string, string>, who?: Who) {
  return new HttpRequest({ method: 'GET', url: `${BASE}${path}`, params, headers: signedIn(who) });
}

const clerk = { name: CLERK, roles: ['Offboarding.Request'] };
const body = (r: HttpResponseInit) => r.jsonBody as Record<string, unknown>;

describe('POST /api/offboarding and GET /api/offboarding/{id}', () => {
  let h: Harness;
  let handlers: ReturnType<typeof offboardingHttpHandlers>;
  let starter: ReturnType<typeof inProcessStarter>;
  beforeAll(async () => {
    h = await harness({ name: 'surrender-http', inbox: 20 });
    s = signInWith(h.sim);
    tenantId = h.council.tenantId;
    const deps = h.deps();
    starter = inProcessStarter(async () => deps);
    handlers = offboardingHttpHandlers({ councils: async () => testCouncils({ councils: [h.council], store: h.store, graph: h.graph }), starter: () => starter, signIn: s.signIn });
  });
  afterAll(() => h.close());

  it('401 without a principal, 403 without the Offboarding.Request role', async () => {
    const noOne = await handlers.start(post({ userPrincipalName: LEAVER, termEnd: TERM_END }), context());
    expect(noOne.status).toBe(401);
    const reader = await handlers.start(post({ userPrincipalName: LEAVER, termEnd: TERM_END }, { name: 'support@supplier.example', roles: ['Reports.Read'] }), context());
    expect(reader.status).toBe(403);
    expect(String(body(reader).error)).toContain('Offboarding.Request');
    expect((await handlers.status(get('/api/offboarding/0123456789abcdef01234567', { id: '0123456789abcdef01234567' }))).status).toBe(401);
    expect((await handlers.roster(get('/api/offboarding-roster', {}, { name: CLERK, roles: [] }))).status).toBe(403);
  });

  it('403 and no surrender for a cross-site form post (text/plain) carrying the clerk\'s session', async () => {
    const before = (await handlers.roster(get('/api/offboarding-roster', {}, clerk))).jsonBody;
    const forged = await handlers.start(post(JSON.stringify({ userPrincipalName: LEAVER, termEnd: TERM_END }), clerk, { 'content-type': 'text/plain', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }), context());
    expect(forged.status).toBe(403);
    expect(String(body(forged).error)).toMatch(/must send Content-Type: application\/json/);
    expect((await handlers.roster(get('/api/offboarding-roster', {}, clerk))).jsonBody).toEqual(before);
    expect(JSON.stringify(before)).not.toContain('"surrender"');
  });

  it('400 for a body that is not JSON, or misses or misspells fields, each problem named', async () => {
    expect(body(await handlers.start(post('{not json', clerk), context()))).toEqual({ error: expect.stringMatching(/must be a JSON object/) });
    const bad = await handlers.start(post({ userPrincipalName: 'not-an-address', termEnd: '7 May 2026', colour: 'red' }, clerk), context());
    expect(bad.status).toBe(400);
    for (const problem of [/userPrincipalName must be the councillor's sign-in address/, /termEnd must be a date written YYYY-MM-DD/, /"colour" is not a field/]) expect(String(body(bad).error)).toMatch(problem);
    const own = await handlers.start(post({ userPrincipalName: LEAVER, termEnd: TERM_END }, { name: LEAVER, roles: ['Offboarding.Request'] }), context());
    expect(own.status).toBe(400);
    expect(String(body(own).error)).toMatch(/cannot surrender your own account/);
  });

  it('202 with a status URL; a second request while it runs is 409 pointing to it; the status reaches done with the certificate', async () => {
    const accepted = await handlers.start(post({ userPrincipalName: LEAVER, termEnd: TERM_END }, clerk), context());
    expect(accepted.status).toBe(202);
    const id = String(body(accepted).id);
    expect(body(accepted).statusUrl).toBe(`${BASE}/api/offboarding/${id}`);
    expect((accepted.headers as Record<string, string>).Location).toBe(`${BASE}/api/offboarding/${id}`);

    const again = await handlers.start(post({ userPrincipalName: LEAVER, termEnd: TERM_END }, clerk), context());
    expect(again.status).toBe(409);
    expect(body(again)).toMatchObject({ id, statusUrl: `${BASE}/api/offboarding/${id}` });

    const running = await handlers.status(get(`/api/offboarding/${id}`, { id }, clerk));
    expect(running.status).toBe(200);
    expect(body(running)).toMatchObject({ id, status: 'running', councillor: { userPrincipalName: LEAVER } });

    await starter.settled(id);
    const done = await handlers.status(get(`/api/offboarding/${id}`, { id }, clerk));
    expect(body(done)).toMatchObject({ status: 'done', percent: 100, certificateUrl: `${BASE}/api/offboarding/${id}/certificate`, requestedBy: CLERK });
    expect((body(done).steps as { name: string; status: string }[]).map((s) => `${s.name}:${s.status}`)).toEqual(
      ['preflight', 'freeze', 'export-mail', 'export-contacts', 'export-calendar', 'export-files', 'verify', 'hand-over', 'close'].map((s) => `${s}:done`));
    const cert = await handlers.certificate(get(`/api/offboarding/${id}/certificate`, { id }, clerk));
    expect(cert.status).toBe(200);
    expect(String(cert.body)).toContain('Certificate of surrender');
    expect((cert.headers as Record<string, string>)['Content-Security-Policy']).toContain("default-src 'none'");

    // Another council's clerk (same app, same role) neither sees this surrender nor its certificate.
    const stranger = { name: 'clerk@otherparish.gov.uk', roles: ['Offboarding.Request'] };
    expect((await handlers.status(get(`/api/offboarding/${id}`, { id }, stranger))).status).toBe(404);
    expect((await handlers.certificate(get(`/api/offboarding/${id}/certificate`, { id }, stranger))).status).toBe(404);
    expect(body(await handlers.roster(get('/api/offboarding-roster', {}, stranger))).councils).toEqual([]);

    const roster = await handlers.roster(get('/api/offboarding-roster', {}, clerk));
    const councillors = (body(roster).councils as { councillors: { userPrincipalName: string; surrender?: { status: string; id: string } }[] }[])[0].councillors;
    expect(councillors.find((c) => c.userPrincipalName === LEAVER)!.surrender).toEqual({ status: 'done', id });

    // Asking again for a finished surrender answers 200 with the same reference, and starts nothing.
    const finished = await handlers.start(post({ userPrincipalName: LEAVER, termEnd: TERM_END }, clerk), context());
    expect(finished.status).toBe(200);
    expect(body(finished)).toMatchObject({ id, status: 'done' });
  });

  it('403 when the caller is not an account of the councillor\'s council or its IT supplier', async () => {
    const outsider = await handlers.start(post({ userPrincipalName: LEAVER, termEnd: TERM_END }, { name: 'clerk@otherparish.gov.uk', roles: ['Offboarding.Request'] }), context());
    expect(outsider.status).toBe(403);
    expect(String(body(outsider).error)).toMatch(/not an account of Test Parish Council or of its IT supplier; a clerk can surrender only their own council's councillors/);
  });

  it('403 for a caller whose display name is the clerk\'s address: the sign-in name decides', async () => {
    const poser = await handlers.start(post({ userPrincipalName: LEAVER, termEnd: TERM_END }, { name: 'someone@elsewhere.example', displayName: CLERK, roles: ['Offboarding.Request'] }), context());
    expect(poser.status).toBe(403);
    expect(String(body(poser).error)).toMatch(/Your account \(someone@elsewhere\.example\) is not an account of Test Parish Council/);
  });

  it('404 for an unknown reference, 400 for a malformed one', async () => {
    expect((await handlers.status(get('/api/offboarding/ffffffffffffffffffffffff', { id: 'ffffffffffffffffffffffff' }, clerk))).status).toBe(404);
    expect((await handlers.status(get('/api/offboarding/..%2Fsecrets', { id: '../secrets' }, clerk))).status).toBe(400);
  });
});
