// The IT supplier's approval of enforcement plans over HTTP. Thin: authorise (app role
// Enforcement.Approve, and the caller's council), find the plan, hand to jobs/enforcement. Nothing is
// applied unapproved:
//   GET  /api/plans/{id}          the plan, its status and results
//   POST /api/plans/{id}/approve  records the caller as approver and applies the plan
//   POST /api/plans/{id}/apply    applies again (after a partial failure); only an approved plan
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { appSignIn, callerBelongsTo, refuseCrossSite, requireRole, type Principal, type SignInSource } from '../auth';
import { EnforcementInputError, InputError } from '../../core/errors';
import type { Councils } from '../../jobs/council-context';
import { approveAndApply, applyApprovedPlan, councilOfPlan, findPlan, type ApplyOutcome, type EnforcementPlan } from '../../jobs/enforcement';
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
  async function find(request: HttpRequest, caller: Principal): Promise<{ plan: EnforcementPlan; councils: Councils; status?: string } | HttpResponseInit> {
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
      ? { plan: found.plan, councils, status: found.status?.state }
      : json(404, { error: `There is no plan ${id}; the nightly report names the latest plan's id.` });
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

  async function approve(request: HttpRequest, invocation: InvocationContext): Promise<HttpResponseInit> {
    const auth = await authorise(request);
    if ('response' in auth) return auth.response;
    const crossSite = refuseCrossSite(request);
    if (crossSite) return crossSite;
    const found = await find(request, auth.principal);
    if (!('plan' in found)) return found;
    invocation.log(`${auth.principal.userPrincipalName} approved plan ${found.plan.id}.`);
    return applyIn(found, invocation, (ctx) => approveAndApply(ctx, found.plan, auth.principal.userPrincipalName, 'over HTTP'), auth.principal.userPrincipalName);
  }

  async function applyApproved(request: HttpRequest, invocation: InvocationContext): Promise<HttpResponseInit> {
    const auth = await authorise(request);
    if ('response' in auth) return auth.response;
    const crossSite = refuseCrossSite(request);
    if (crossSite) return crossSite;
    const found = await find(request, auth.principal);
    if (!('plan' in found)) return found;
    return applyIn(found, invocation, (ctx) => applyApprovedPlan(ctx, found.plan, auth.principal.userPrincipalName), auth.principal.userPrincipalName);
  }

  return { get, approve, apply: applyApproved };
}
