// The IT supplier's morning view and the plan page's approval, through the real handlers with real
// HttpRequest/InvocationContext, callers signed in by the simulated Entra, the Azurite store, a plan made
// by the real planner against the simulator and a surrender started for real (test/functions/supplier-support.ts).
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { supplierHandlers } from '../../functions/handlers/supplier';
import { plansHttpHandlers } from '../../functions/handlers/plans-http';
import { loadStatus, updateStatus } from '../../enforce/plan-store';
import { sameOriginJson, type Caller } from '../support/sign-in';
import { supplierFixture, type SupplierFixture } from './supplier-support';
import { LEAVER } from '../offboarding/support';

const BASE = 'https://councilguard.example';
const context = () => new InvocationContext({ functionName: 'supplier', logHandler: () => {} });
const AHMED = 'cllr.ahmed@exampleparish.gov.uk';

describe('the IT supplier\'s page, /api/reports, /api/plans and the plan page', () => {
  let f: SupplierFixture;
  let supplier: ReturnType<typeof supplierHandlers>;
  let plans: ReturnType<typeof plansHttpHandlers>;
  const get = (path: string, who?: Caller, params: Record<string, string> = {}) => new HttpRequest({ method: 'GET', url: `${BASE}${path}`, params, headers: who ? f.s.headers(who) : {} });
  const approve = (id: string, who: Caller, body: unknown, headers: Record<string, string> = sameOriginJson(BASE)) => new HttpRequest({
    method: 'POST', url: `${BASE}/api/plans/${id}/approve`, params: { id }, headers: { ...headers, ...f.s.headers(who) }, body: { string: typeof body === 'string' ? body : JSON.stringify(body) },
  });
  const error = (r: HttpResponseInit) => (r.jsonBody as { error: string }).error;
  const ahmedRule = () => f.northHarness.sim.tenant().users.find((u) => u.userPrincipalName === AHMED)!.rules[0].isEnabled;

  beforeAll(async () => {
    f = await supplierFixture();
    supplier = supplierHandlers({ councils: f.councils, signIn: f.s.signIn });
    plans = plansHttpHandlers({ councils: f.councils, signIn: f.s.signIn });
  }, 120_000);
  afterAll(() => f?.close());

  it('shows exactly the caller\'s councils, worst first, with the stale one flagged, its plan and the surrender\'s step', async () => {
    const r = await supplier.reports(get('/api/reports', f.supplier(['Reports.Read'])), context());
    expect(r.status).toBe(200);
    const body = r.jsonBody as { councils: { council: string; stale: boolean; lastAudit?: string; counts: { high: number }; trend: number[]; surrenders: { councillor: string; step?: string; stepTitle?: string }[]; plansAwaitingApproval: { id: string; actions: number }[] }[] };
    // West is served by another supplier: absent, though it has the most high findings of all.
    expect(body.councils.map((c) => c.council)).toEqual([f.south.name, f.north.name]);
    const [south, north] = body.councils;
    expect(south).toMatchObject({ stale: true, counts: { high: 50 }, trend: [40, 50] });
    expect(south.surrenders).toEqual([{ id: f.surrenderId, councillor: LEAVER, status: 'running', step: 'freeze', stepTitle: 'Block sign-in' }]);
    expect(south.plansAwaitingApproval).toEqual([]);
    expect(north.stale).toBe(false);
    expect(north.plansAwaitingApproval).toEqual([{ id: f.plan.id, createdAt: f.plan.createdAt, validUntil: f.plan.validUntil, actions: 4 }]);

    const page = await supplier.page(get('/api/supplier', f.supplier(['Reports.Read'])), context());
    expect(page.status).toBe(200);
    expect(page.headers).toMatchObject({ 'Content-Security-Policy': expect.stringMatching(/^default-src 'none'; style-src 'sha256-[^']+'; img-src data:/) });
    const html = String(page.body);
    expect(html.indexOf(f.south.name)).toBeLessThan(html.indexOf(f.north.name));
    expect(html).not.toContain(f.west.name);
    expect(html).not.toContain('<script');
    expect(html).toMatch(/Stale: more than 36 hours old/);
    expect(html).toContain(`<a href="plans/${f.plan.id}/page">${f.plan.id}</a>`);
    expect(html).toContain(`${LEAVER}: at Block sign-in`);
    // The last audit is shown in UK time (GMT or BST named).
    expect(html).toMatch(/\d{2}:\d{2} (GMT|BST)/);
  });

  it('a council\'s own clerk sees only that council; without Reports.Read the caller is refused (403)', async () => {
    const clerk: Caller = { upn: 'clerk@exampleparish.gov.uk', tenantId: f.north.tenantId, roles: ['Reports.Read'] };
    const r = await supplier.reports(get('/api/reports', clerk), context());
    expect((r.jsonBody as { councils: { council: string }[] }).councils.map((c) => c.council)).toEqual([f.north.name]);
    for (const handler of [supplier.reports, supplier.page, supplier.plans]) {
      const refused = await handler(get('/api/reports', f.supplier(['Offboarding.Request'])), context());
      expect(refused.status).toBe(403);
      expect(error(refused)).toMatch(/lacks the app role Reports\.Read/);
    }
    expect((await plans.page(get(`/api/plans/${f.plan.id}/page`, f.supplier(['Offboarding.Request']), { id: f.plan.id }))).status).toBe(403);
  });

  it('lists plans by state; an unknown state is refused naming the valid ones (400)', async () => {
    const listed = await supplier.plans(get('/api/plans?state=awaiting-approval', f.supplier(['Reports.Read'])));
    expect((listed.jsonBody as { plans: { id: string; council: string; state: string }[] }).plans).toEqual([expect.objectContaining({ id: f.plan.id, council: f.north.name, state: 'awaiting-approval', expired: false })]);
    const none = await supplier.plans(get('/api/plans?state=applied', f.supplier(['Reports.Read'])));
    expect((none.jsonBody as { plans: unknown[] }).plans).toEqual([]);
    const bad = await supplier.plans(get('/api/plans?state=pending', f.supplier(['Reports.Read'])));
    expect(bad.status).toBe(400);
    expect(error(bad)).toBe('"pending" is not a plan state; use one of awaiting-approval, approved, applied (or leave state out for every plan).');
  });

  it('refuses another council\'s plan (404 as for a missing one), a cross-site POST (403), bad bodies (400) and a stale page (409), changing nothing', async () => {
    const approver = f.supplier(['Enforcement.Approve']);
    const page = await plans.page(get(`/api/plans/${f.plan.id}/page`, approver, { id: f.plan.id }));
    expect(page.status).toBe(200);
    const version = /data-version="([^"]+)"/.exec(String(page.body))?.[1].replace(/&quot;/g, '"').replace(/&#39;/g, "'");
    expect(version).toBe((await loadStatus(f.northHarness.ctx.store, f.plan.id))!.etag);
    expect(String(page.body).match(/type="checkbox"[^>]* checked/g)).toHaveLength(4);
    // A reader sees the plan but no Approve button.
    const read = String((await plans.page(get(`/api/plans/${f.plan.id}/page`, f.supplier(['Reports.Read']), { id: f.plan.id }))).body);
    expect(read).not.toMatch(/<form|<button/);
    expect(read).toContain('approving it needs the app role Enforcement.Approve');

    // West's supplier has the role but not North: the same 404 as a plan that does not exist, naming no council.
    const stranger: Caller = { upn: 'it@other-supplier.example', tenantId: f.west.itSupplier.tenantId!, roles: ['Enforcement.Approve'] };
    const other = await plans.approve(approve(f.plan.id, stranger, { planVersion: version, deselected: [] }), context());
    const missingId = 'P20200101T000000Z-abcdef';
    const missing = await plans.approve(approve(missingId, approver, {}), context());
    expect(other.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(error(other).replace(f.plan.id, 'ID')).toBe(error(missing).replace(missingId, 'ID'));
    expect(error(other)).not.toContain(f.north.name);
    expect((await plans.page(get(`/api/plans/${f.plan.id}/page`, stranger, { id: f.plan.id }))).status).toBe(404);

    const forged = await plans.approve(approve(f.plan.id, approver, { planVersion: version, deselected: [] }, { 'content-type': 'application/json', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }), context());
    expect(forged.status).toBe(403);
    const unknownAction = await plans.approve(approve(f.plan.id, approver, { planVersion: version, deselected: [`${f.plan.id}.99`] }), context());
    expect(unknownAction.status).toBe(400);
    expect(error(unknownAction)).toMatch(/has no action .*\.99; deselect only its own actions/);
    const everything = await plans.approve(approve(f.plan.id, approver, { planVersion: version, deselected: f.plan.actions.map((a) => a.id) }), context());
    expect(everything.status).toBe(400);
    expect(error(everything)).toMatch(/nothing to approve/);
    expect((await plans.approve(approve(f.plan.id, approver, { approve: 'all' }), context())).status).toBe(400);

    // The plan's status is written after the page was shown: the page's approval is refused, nothing applied.
    await updateStatus(f.northHarness.ctx.store, f.plan.id, () => {});
    const stale = await plans.approve(approve(f.plan.id, approver, { planVersion: version, deselected: [] }), context());
    expect(stale.status).toBe(409);
    expect(error(stale)).toMatch(/has changed since this page was shown; nothing was approved or applied\. Reload the page/);
    expect(ahmedRule()).not.toBe(false);
    const status = (await loadStatus(f.northHarness.ctx.store, f.plan.id))!.status;
    expect(status).toMatchObject({ state: 'awaiting-approval', results: {} });
    expect(status.approvedBy).toBeUndefined();
    expect((await f.northHarness.ctx.store.listActions(f.north.tenantId)).filter((e) => e.action === 'plan.approve' || e.action.startsWith('enforce.'))).toEqual([]);
  });

  it('a bare JSON approval still approves every action; approving an applied plan again is a 409', async () => {
    const approver = f.supplier(['Enforcement.Approve']);
    const ok = await plans.approve(approve(f.plan.id, approver, {}), context());
    expect(ok.status).toBe(200);
    expect((ok.jsonBody as { results: { status: string }[] }).results.map((r) => r.status)).toEqual(['done', 'done', 'done', 'done']);
    expect(ahmedRule()).toBe(false);
    const again = await plans.approve(approve(f.plan.id, approver, {}), context());
    expect(again.status).toBe(409);
    expect(error(again)).toMatch(/has already been applied \(approved by it@supplier\.example\); nothing was changed/);
    // Applied plans leave the supplier's list of plans awaiting approval.
    const r = await supplier.reports(get('/api/reports', f.supplier(['Reports.Read'])), context());
    expect((r.jsonBody as { councils: { plansAwaitingApproval: unknown[] }[] }).councils.flatMap((c) => c.plansAwaitingApproval)).toEqual([]);
  });
});
