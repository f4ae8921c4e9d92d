// The IT supplier's approval of enforcement plans over HTTP. Thin: authorise (app role
// Enforcement.Approve, and the caller's council), find the plan, hand to jobs/enforcement. Nothing is
// applied unapproved:
//   GET  /api/plans/{id}          the plan, its status and results
//   GET  /api/plans/{id}/page     the plan's page: each action with a tick box, and Approve for approvers
//   POST /api/plans/{id}/approve  records the caller as approver and applies the plan; a body
//                                 { planVersion, deselected } (the page's) approves the plan only as shown
//                                 and leaves the unticked actions out; {} or no body approves every action
//   POST /api/plans/{id}/apply    applies again (after a partial failure); only an approved plan
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { appSignIn, callerBelongsTo, refuseCrossSite, requireRole, type Principal, type SignInSource } from '../auth';
import { EnforcementInputError, InputError } from '../../core/errors';
import type { Councils } from '../../jobs/council-context';
import { approveSelectionAndApply, applyApprovedPlan, councilOfPlan, findPlan, parseApprovalBody, type ApplyOutcome, type EnforcementPlan, type ApprovalChoice } from '../../jobs/enforcement';
import { planPage } from '../../jobs/supplier-overview';
import { REPORTS_ROLE } from './reports-latest';
import { logTo, type CouncilsSource } from '../app-councils';

export const APPROVE_ROLE = 'Enforcement.Approve';

export interface PlansHttpDeps {
  councils: CouncilsSource;
  /** The token verifier (default: the app's, from its settings). */
  signIn?: SignInSource;
}

const json = (status: number, body: unknown): HttpResponseInit => ({ status, jsonBody: body, headers: { 'Cache-Control': 'no-store' } });

export function plansHttpHandlers(deps: PlansHttpDeps) {
  const signIn = deps.signIn ?? appSignIn;
  const authorise = async (request: HttpRequest) => requireRole(request, APPROVE_ROLE, { signIn, councils: (await deps.councils()).all() });

  /** The plan, if the caller is an account of its council or of the council's IT supplier (else 404). */
  async function find(request: HttpRequest, caller: Principal): Promise<{ plan: EnforcementPlan; councils: Councils; status?: string; found: NonNullable<Awaited<ReturnType<typeof findPlan>>> } | HttpResponseInit> {
    const id = request.params.id ?? '';
    const councils = await deps.councils();
    let found: Awaited<ReturnType<typeof findPlan>>;
    try {
      found = await findPlan(councils.store, id);
    } catch (err) {
      if (err instanceof InputError) return json(400, { error: err.message });
      throw err;
    }
    const council = found && councilOfPlan(councils, found.plan);
    return found && council && callerBelongsTo(council, caller)
      ? { plan: found.plan, councils, status: found.status?.state, found }
      : json(404, { error: `There is no plan ${id} that you may see; the supplier's page (GET /api/supplier) and GET /api/plans?state=awaiting-approval list your councils' plans awaiting approval.` });
  }

  /** Applies through `run` in the plan's council context; a plan that cannot be applied as asked is a 409. */
  async function applyIn(found: { plan: EnforcementPlan; councils: Councils }, invocation: InvocationContext, run: (ctx: ReturnType<Councils['context']>) => Promise<ApplyOutcome>, approver: string): Promise<HttpResponseInit> {
    const council = councilOfPlan(found.councils, found.plan);
    if (!council) return json(409, { error: `Plan ${found.plan.id} is for tenant ${found.plan.tenantId}, which is no longer in the council config.` });
    try {
      const outcome = await run(found.councils.context(council, logTo(invocation)));
      return json(outcome.failed ? 207 : 200, { id: found.plan.id, approvedBy: approver, results: outcome.results });
    } catch (err) {
      if (err instanceof EnforcementInputError) return json(409, { error: err.message });
      throw err;
    }
  }

  async function get(request: HttpRequest): Promise<HttpResponseInit> {
    const auth = await authorise(request);
    if ('response' in auth) return auth.response;
    const found = await find(request, auth.principal);
    if (!('plan' in found)) return found;
    return json(200, { plan: found.plan, status: found.status });
  }

  /** A state-changing request: an approver, same-origin JSON, and a plan of the caller's council. */
  async function forChange(request: HttpRequest): Promise<{ auth: { principal: Principal }; found: Exclude<Awaited<ReturnType<typeof find>>, HttpResponseInit> } | HttpResponseInit> {
    const auth = await authorise(request);
    if ('response' in auth) return auth.response;
    const crossSite = refuseCrossSite(request);
    if (crossSite) return crossSite;
    const found = await find(request, auth.principal);
    return 'plan' in found ? { auth, found } : found;
  }

  async function approve(request: HttpRequest, invocation: InvocationContext): Promise<HttpResponseInit> {
    const change = await forChange(request);
    if (!('found' in change)) return change;
    const { auth, found } = change;
    let choice: ApprovalChoice;
    try {
      choice = parseApprovalBody(await request.text(), found.plan);
    } catch (err) {
      if (err instanceof InputError) return json(400, { error: err.message });
      throw err;
    }
    invocation.log(`${auth.principal.userPrincipalName} approved plan ${found.plan.id}${choice.deselected.length ? `, leaving out ${choice.deselected.join(', ')}` : ''}.`);
    const approver = auth.principal.userPrincipalName;
    // A bare approval ({} or no body) approves every action as before; the page's also carries the version it
    // showed. Either way only a plan still awaiting approval is approved (409 otherwise: re-apply is …/apply).
    const via = choice.planVersion === undefined ? 'over HTTP' : 'on the plan page';
    return applyIn(found, invocation, (ctx) => approveSelectionAndApply(ctx, found.plan, approver, via, choice), approver);
  }

  async function applyApproved(request: HttpRequest, invocation: InvocationContext): Promise<HttpResponseInit> {
    const change = await forChange(request);
    if (!('found' in change)) return change;
    const { auth, found } = change;
    return applyIn(found, invocation, (ctx) => applyApprovedPlan(ctx, found.plan, auth.principal.userPrincipalName), auth.principal.userPrincipalName);
  }

  /** The plan's page: readers (Reports.Read) see it; Enforcement.Approve holders also get the Approve button. */
  async function page(request: HttpRequest): Promise<HttpResponseInit> {
    const auth = await requireRole(request, [APPROVE_ROLE, REPORTS_ROLE], { signIn, councils: (await deps.councils()).all() });
    if ('response' in auth) return auth.response;
    const found = await find(request, auth.principal);
    if (!('plan' in found)) return found;
    const { html, csp } = planPage(found.plan, found.found.status, found.found.version, { canApprove: auth.principal.roles.includes(APPROVE_ROLE), now: found.councils.clock() });
    return {
      status: 200, body: html,
      headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': csp, 'Cache-Control': 'private, no-store', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' },
    };
  }

  return { get, page, approve, apply: applyApproved };
}
