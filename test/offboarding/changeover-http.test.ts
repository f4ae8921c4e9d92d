// The clerk's "surrender everyone whose term has ended": GET /api/offboarding-ended lists them for the
// caller's own council, POST starts them (same-origin JSON, role Offboarding.Request, the caller's
// council only, by tenant and sign-in name); a request can set no option. Called as the Functions host
// calls them, with the in-process runner in place of the durable orchestration.
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { offboardingHttpHandlers } from '../../functions/handlers/offboarding-http';
import { loadSurrender } from '../../jobs/offboarding';
import { surrenderId } from '../../offboarding/state';
import { inProcessStarter } from '../support/in-process-starter';
import { testCouncils } from '../support/councils';
import { sameOriginJson, signInWith, type SignInHarness } from '../support/sign-in';
import { changeoverHarness, type Changeover } from './changeover-support';
import { CLERK, LEAVER, TERM_END } from './support';

const BASE = 'https://councilguard.example';
const context = () => new InvocationContext({ functionName: 'offboardingEnded', logHandler: () => {} });
type Row = { userPrincipalName: string; outcome: string; reference?: string; state?: string; statusUrl?: string; detail?: string };
const body = (r: HttpResponseInit) => r.jsonBody as { error?: string; council: string; rows: Row[]; started: number };

describe('GET and POST /api/offboarding-ended', () => {
  let h: Changeover;
  let s: SignInHarness;
  let handlers: ReturnType<typeof offboardingHttpHandlers>;
  let starter: ReturnType<typeof inProcessStarter>;
  const clerkOf = (i: number, roles = ['Offboarding.Request']) => s.headers({ upn: CLERK, tenantId: h.councils[i].tenantId, roles });
  const post = (payload: unknown, headers: Record<string, string>, sameOrigin = sameOriginJson(BASE)) => new HttpRequest({
    method: 'POST', url: `${BASE}/api/offboarding-ended`, headers: { ...sameOrigin, ...headers }, body: { string: typeof payload === 'string' ? payload : JSON.stringify(payload) },
  });
  const list = (headers: Record<string, string>, query = '') => new HttpRequest({ method: 'GET', url: `${BASE}/api/offboarding-ended${query}`, headers });
  const idOf = (i: number) => surrenderId(h.councils[i].tenantId, LEAVER, TERM_END);

  beforeAll(async () => {
    h = await changeoverHarness('changeover-http', 2);
    s = signInWith(h.sim);
    const councils = testCouncils({ councils: h.councils, store: h.store, env: h.env });
    starter = inProcessStarter(async (id) => councils.context(councils.ofTenant((await loadSurrender(h.store, id))!.request.tenantId)!));
    handlers = offboardingHttpHandlers({ councils: async () => councils, starter: () => starter, signIn: s.signIn });
  });
  afterAll(() => h.close());

  it('401 without a sign-in, 403 without the role, 403 for a cross-site form post; nothing starts', async () => {
    expect((await handlers.endedList(list({}))).status).toBe(401);
    expect((await handlers.endedStart(post({}, clerkOf(0, ['Reports.Read'])), context())).status).toBe(403);
    const forged = await handlers.endedStart(post('{}', clerkOf(0), { 'content-type': 'text/plain', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }), context());
    expect(forged.status).toBe(403);
    expect(await loadSurrender(h.store, idOf(0))).toBeUndefined();
  });

  it('lists who would be surrendered in the caller\'s council only', async () => {
    const res = await handlers.endedList(list(clerkOf(0)));
    expect(res.status).toBe(200);
    expect(body(res)).toMatchObject({ council: h.councils[0].name, rows: [{ userPrincipalName: LEAVER, outcome: 'start', termEnd: TERM_END }] });
    // Another council, named by a clerk who does not act for it, is refused without listing anyone.
    const other = await handlers.endedList(list(clerkOf(0), `?council=${encodeURIComponent(h.councils[1].name)}`));
    expect(other.status).toBe(403);
    expect(JSON.stringify(other.jsonBody)).not.toContain(LEAVER);
  });

  it('refuses options (the council config holds every safety setting), a force reason, and another council; nothing starts', async () => {
    const options = await handlers.endedStart(post({ options: { licenceGraceDays: 0, verifySample: 1 } }, clerkOf(0)), context());
    expect(options.status).toBe(400);
    expect(body(options).error).toMatch(/settings come from the council config only \(enforce\.offboarding\); a request cannot set "licenceGraceDays", "verifySample"/);
    const force = await handlers.endedStart(post({ force: { reason: 'now' } }, clerkOf(0)), context());
    expect(force.status).toBe(400);
    expect(body(force).error).toMatch(/"force" is not a field this request takes/);
    const other = await handlers.endedStart(post({ council: h.councils[1].tenantId }, clerkOf(0)), context());
    expect(other.status).toBe(403);
    for (const i of [0, 1]) expect(await loadSurrender(h.store, idOf(i))).toBeUndefined();
  });

  it('202 starts them; while running a second request skips them as in progress; once done they are listed as surrendered', async () => {
    const res = await handlers.endedStart(post({}, clerkOf(0)), context());
    expect(res.status).toBe(202);
    expect(body(res)).toMatchObject({ started: 1, rows: [{ userPrincipalName: LEAVER, outcome: 'start', reference: idOf(0), statusUrl: `${BASE}/api/offboarding/${idOf(0)}` }] });

    const again = await handlers.endedStart(post({}, clerkOf(0)), context());
    expect(again.status).toBe(200);
    expect(body(again)).toMatchObject({ started: 0, rows: [{ userPrincipalName: LEAVER, outcome: 'in-progress', reference: idOf(0) }] });

    await starter.settled(idOf(0));
    expect((await loadSurrender(h.store, idOf(0)))!.status).toBe('done');
    expect(body(await handlers.endedList(list(clerkOf(0)))).rows).toMatchObject([{ userPrincipalName: LEAVER, outcome: 'surrendered', state: 'done', reference: idOf(0) }]);
    const after = await handlers.endedStart(post({}, clerkOf(0)), context());
    expect(after.status).toBe(200);
    expect(body(after).started).toBe(0);
    // The other council's councillor was not touched.
    expect(await loadSurrender(h.store, idOf(1))).toBeUndefined();
    expect(h.tenant(h.councils[1]).users.find((u) => u.userPrincipalName === LEAVER)!.accountEnabled).toBe(true);
  });
});
