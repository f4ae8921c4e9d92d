// The IT supplier's morning view over every council they may see (functions/auth.ts callerBelongsTo):
//   GET /api/supplier               the page (HTML, no script), worst council first
//   GET /api/reports                the same data as JSON
//   GET /api/plans?state=<state>    the caller's councils' plans, optionally in one state
// Thin: authorise (Reports.Read; plans also Enforcement.Approve), then jobs/supplier-overview and
// jobs/enforcement. Councils the caller does not speak for are simply absent.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { appSignIn, callerBelongsTo, requireRole, type SignInSource } from '../auth';
import { InputError } from '../../core/errors';
import { listCouncilPlans, parsePlanState } from '../../jobs/enforcement';
import { supplierOverview, supplierPage } from '../../jobs/supplier-overview';
import type { CouncilsSource } from '../app-councils';
import { REPORTS_ROLE } from './reports-latest';
import { APPROVE_ROLE } from './plans-http';

export interface SupplierDeps {
  councils: CouncilsSource;
  signIn?: SignInSource;
}

const json = (status: number, body: unknown): HttpResponseInit => ({ status, jsonBody: body, headers: { 'Cache-Control': 'private, no-store' } });

export function supplierHandlers(deps: SupplierDeps) {
  const signIn = deps.signIn ?? appSignIn;

  async function overview(request: HttpRequest, context: InvocationContext) {
    const councils = await deps.councils();
    const auth = await requireRole(request, REPORTS_ROLE, { signIn, councils: councils.all() });
    if ('response' in auth) return auth;
    const result = await supplierOverview(councils, (c) => callerBelongsTo(c, auth.principal));
    context.log(`${auth.principal.userPrincipalName} read the overview of ${result.councils.length} council(s).`);
    return { principal: auth.principal, result };
  }

  async function page(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
    const o = await overview(request, context);
    if ('response' in o) return o.response;
    const { html, csp } = supplierPage(o.result, o.principal.userPrincipalName);
    return {
      status: 200, body: html,
      headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': csp, 'Cache-Control': 'private, no-store', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' },
    };
  }

  async function reports(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
    const o = await overview(request, context);
    if ('response' in o) return o.response;
    return json(200, o.result);
  }

  async function plans(request: HttpRequest): Promise<HttpResponseInit> {
    const councils = await deps.councils();
    const auth = await requireRole(request, [REPORTS_ROLE, APPROVE_ROLE], { signIn, councils: councils.all() });
    if ('response' in auth) return auth.response;
    let state: ReturnType<typeof parsePlanState>;
    try {
      state = parsePlanState(request.query.get('state'));
    } catch (err) {
      if (err instanceof InputError) return json(400, { error: err.message });
      throw err;
    }
    const mine = councils.all().filter((c) => callerBelongsTo(c, auth.principal));
    return json(200, { plans: await listCouncilPlans(councils.store, mine, { state, now: councils.clock() }) });
  }

  return { page, reports, plans };
}
