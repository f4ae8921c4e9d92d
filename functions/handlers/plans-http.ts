// The IT supplier's approval of enforcement plans over HTTP. Thin: authorise (app role
// Enforcement.Approve), find the plan in the store, hand to enforce/. Nothing is applied unapproved:
//   GET  /api/plans/{id}          the plan, its status and results
//   POST /api/plans/{id}/approve  records the caller as approver and applies the plan
//   POST /api/plans/{id}/apply    applies again (after a partial failure); only an approved plan
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { requireRole } from '../auth';
import { loadProfile } from '../../policy/load';
import type { CouncilConfig, CouncilConfigFile } from '../../policy/council-config';
import type { GraphContext } from '../../graph';
import type { Store } from '../../store';
import { applyPlan } from '../../enforce/apply';
import { assertPlanId, loadStatus, loadStoredPlan } from '../../enforce/plan-store';
import { approvePlan, assertApproved } from '../../enforce/approve';
import { EnforcementInputError } from '../../core/errors';
import { type EnforceContext, type EnforcementPlan } from '../../enforce/types';
import { logTo } from './offboarding-deps';
import { callerBelongsTo } from '../../jobs/offboarding';

export const APPROVE_ROLE = 'Enforcement.Approve';

export interface PlansHttpDeps {
  config(): CouncilConfigFile;
  store(): Promise<Store>;
  graph(council: CouncilConfig): GraphContext;
}

const json = (status: number, body: unknown): HttpResponseInit => ({ status, jsonBody: body, headers: { 'Cache-Control': 'no-store' } });

export function plansHttpHandlers(deps: PlansHttpDeps) {
  /** The plan, if the caller is an account of its council or of the council's IT supplier (else 404). */
  async function find(request: HttpRequest, caller: string): Promise<{ plan: EnforcementPlan; store: Store } | HttpResponseInit> {
    const id = request.params.id ?? '';
    try {
      assertPlanId(id);
    } catch (err) {
      return json(400, { error: (err as Error).message });
    }
    const store = await deps.store();
    const plan = await loadStoredPlan(store, id);
    const council = plan && deps.config().councils.find((c) => c.tenantId.toLowerCase() === plan.tenantId.toLowerCase());
    return plan && (!council || callerBelongsTo(council, caller)) ? { plan, store } : json(404, { error: `There is no plan ${id}; the nightly report names the latest plan's id.` });
  }

  function context(plan: EnforcementPlan, store: Store, invocation: InvocationContext): EnforceContext | HttpResponseInit {
    const council = deps.config().councils.find((c) => c.tenantId.toLowerCase() === plan.tenantId.toLowerCase());
    if (!council) return json(409, { error: `Plan ${plan.id} is for tenant ${plan.tenantId}, which is no longer in the council config.` });
    return { council, profile: loadProfile(council.profile), graph: deps.graph(council), store, log: logTo(invocation) };
  }

  async function apply(plan: EnforcementPlan, ctx: EnforceContext, approver: string): Promise<HttpResponseInit> {
    try {
      const outcome = await applyPlan(ctx, plan, approver);
      return json(outcome.failed ? 207 : 200, { id: plan.id, approvedBy: approver, results: outcome.results });
    } catch (err) {
      if (err instanceof EnforcementInputError) return json(409, { error: err.message });
      throw err;
    }
  }

  async function get(request: HttpRequest): Promise<HttpResponseInit> {
    const auth = requireRole(request, APPROVE_ROLE);
    if ('response' in auth) return auth.response;
    const found = await find(request, auth.principal.name);
    if (!('plan' in found)) return found;
    const status = await loadStatus(found.store, found.plan.id);
    return json(200, { plan: found.plan, status: status?.status });
  }

  async function approve(request: HttpRequest, invocation: InvocationContext): Promise<HttpResponseInit> {
    const auth = requireRole(request, APPROVE_ROLE);
    if ('response' in auth) return auth.response;
    const found = await find(request, auth.principal.name);
    if (!('plan' in found)) return found;
    const ctx = context(found.plan, found.store, invocation);
    if (!('council' in ctx)) return ctx;
    await approvePlan(found.store, found.plan, auth.principal.name, 'over HTTP');
    invocation.log(`${auth.principal.name} approved plan ${found.plan.id}.`);
    return apply(found.plan, ctx, auth.principal.name);
  }

  async function applyApproved(request: HttpRequest, invocation: InvocationContext): Promise<HttpResponseInit> {
    const auth = requireRole(request, APPROVE_ROLE);
    if ('response' in auth) return auth.response;
    const found = await find(request, auth.principal.name);
    if (!('plan' in found)) return found;
    try {
      await assertApproved(found.store, found.plan);
    } catch (err) {
      return json(409, { error: (err as Error).message });
    }
    const ctx = context(found.plan, found.store, invocation);
    if (!('council' in ctx)) return ctx;
    return apply(found.plan, ctx, auth.principal.name);
  }

  return { get, approve, apply: applyApproved };
}
