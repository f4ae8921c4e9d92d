// Plan approval over HTTP, called as the Functions host calls it (real HttpRequest and InvocationContext):
// no principal 401, wrong role 403, an unapproved plan cannot be applied (409), approve applies it.
import { HttpRequest, InvocationContext } from '@azure/functions';
import { plansHttpHandlers } from '../../functions/handlers/plans-http';
import { makePlan } from '../../enforce/plan';
import { enforceHarness, type EnforceHarness } from './support';
import { testCouncils } from '../support/councils';
import { sameOriginJson, signInWith, type SignInHarness } from '../support/sign-in';

const SUPPLIER = 'itadmin@exampleparish.gov.uk';
const context = () => new InvocationContext({ functionName: 'plans', logHandler: () => {} });
const URL_BASE = 'https://councilguard.example';
let s: SignInHarness;
let tenantId: string;
type Who = { name: string; roles: string[]; tenantId?: string };
const post = (id: string, action: string, who?: Who, headers: Record<string, string> = sameOriginJson(URL_BASE)) => new HttpRequest({
  method: 'POST', url: `${URL_BASE}/api/plans/${id}/${action}`, params: { id },
  headers: { ...headers, ...(who ? s.headers({ upn: who.name, roles: who.roles, tenantId: who.tenantId ?? tenantId }) : {}) },
  body: { string: '{}' },
});

describe('POST /api/plans/{id}/approve', () => {
  let h: EnforceHarness;
  beforeEach(async () => { h = await enforceHarness(); s = signInWith(h.sim); tenantId = h.council.tenantId; await h.audit(); });
  afterEach(() => h.close());

  it('needs a signed-in caller with Enforcement.Approve; an unapproved plan cannot be applied; approving applies it', async () => {
    const plan = await makePlan({ ...h.ctx, createdBy: 'timer' });
    const handlers = plansHttpHandlers({ councils: async () => testCouncils({ councils: [h.council], store: h.ctx.store, graph: h.ctx.graph }), signIn: s.signIn });
    const rulesBefore = JSON.stringify(h.sim.tenant().users.map((u) => u.rules));

    expect((await handlers.approve(post(plan.id, 'approve'), context())).status).toBe(401);
    expect((await handlers.approve(post(plan.id, 'approve', { name: SUPPLIER, roles: ['Reports.Read'] }), context())).status).toBe(403);
    const early = await handlers.apply(post(plan.id, 'apply', { name: SUPPLIER, roles: ['Enforcement.Approve'] }), context());
    expect(early).toMatchObject({ status: 409, jsonBody: { error: expect.stringMatching(/has not been approved; approve it with POST \/api\/plans\/.*\/approve/) } });
    expect(JSON.stringify(h.sim.tenant().users.map((u) => u.rules))).toBe(rulesBefore);
    expect((await handlers.approve(post('../../etc', 'approve', { name: SUPPLIER, roles: ['Enforcement.Approve'] }), context())).status).toBe(400);
    // Someone with the role but from another council is told there is no such plan.
    expect((await handlers.approve(post(plan.id, 'approve', { name: 'it@otherparish.gov.uk', roles: ['Enforcement.Approve'] }), context())).status).toBe(404);

    // A hostile page cannot approve with the supplier's session: a cross-site form is refused, nothing applied.
    const forged = await handlers.approve(post(plan.id, 'approve', { name: SUPPLIER, roles: ['Enforcement.Approve'] }, { 'content-type': 'text/plain', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }), context());
    expect(forged.status).toBe(403);
    expect(JSON.stringify(h.sim.tenant().users.map((u) => u.rules))).toBe(rulesBefore);
    expect((await h.ctx.store.listActions(h.council.tenantId)).filter((e) => e.action === 'plan.approve')).toEqual([]);

    const approved = await handlers.approve(post(plan.id, 'approve', { name: SUPPLIER, roles: ['Enforcement.Approve'] }), context());
    expect(approved.status).toBe(200);
    expect((approved.jsonBody as { results: { status: string }[] }).results.map((r) => r.status)).toEqual(['done', 'done', 'done', 'done']);
    expect(h.sim.tenant().users.find((u) => u.userPrincipalName === 'cllr.ahmed@exampleparish.gov.uk')!.rules[0].isEnabled).toBe(false);
    const log = await h.ctx.store.listActions(h.council.tenantId);
    expect(log.filter((e) => e.action === 'plan.approve' || e.action.startsWith('enforce.')).map((e) => e.actor)).toEqual(Array(5).fill(SUPPLIER));
  });
});
