// The clerk's HTTP entry points for a surrender. Thin: authorise (app role Offboarding.Request from the
// caller's validated Entra token; same-origin JSON for the start), validate, hand to jobs/offboarding.
// Behind `starter` is the durable orchestration in Azure and the in-process runner in tests.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { appSignIn, callerBelongsTo, refuseCrossSite, requireRole, type Principal, type SignInSource } from '../auth';
import { CouncilNotFoundError, SurrenderInputError } from '../../core/errors';
import {
  councilFor, loadSurrender, parseSurrenderBody, readCertificate, requestSurrender, rosterWithSurrenders, surrenderView, type SurrenderStarter,
} from '../../jobs/offboarding';
import { changeoverPlan, parseChangeoverBody, requestChangeover, type ChangeoverRow, type CouncilChangeover } from '../../jobs/changeover';
import type { CouncilConfig } from '../../jobs/council-context';
import type { CouncilsSource } from '../app-councils';
import { logTo } from '../app-councils';

export const OFFBOARDING_ROLE = 'Offboarding.Request';

export interface OffboardingHttpDeps {
  councils: CouncilsSource;
  starter(context: InvocationContext): SurrenderStarter;
  /** The token verifier (default: the app's, from its settings). */
  signIn?: SignInSource;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit => ({ status, jsonBody: body, headers: { 'Cache-Control': 'no-store', ...headers } });
const statusUrl = (request: HttpRequest, id: string) => `${new URL(request.url).origin}/api/offboarding/${id}`;
const REFERENCE = /^[0-9a-f]{24}$/;

export function offboardingHttpHandlers(deps: OffboardingHttpDeps) {
  const signIn = deps.signIn ?? appSignIn;
  const authorise = async (request: HttpRequest) => requireRole(request, OFFBOARDING_ROLE, { signIn, councils: (await deps.councils()).all() });

  /** The surrender, if the caller speaks for its council; otherwise as if it did not exist. */
  async function visibleRecord(id: string, caller: Principal) {
    const councils = await deps.councils();
    const record = await loadSurrender(councils.store, id);
    const council = record && councils.ofTenant(record.request.tenantId);
    return council && callerBelongsTo(council, caller) ? record : undefined;
  }

  /** POST /api/offboarding {userPrincipalName, termEnd, council?, force?: {reason}, options?} → 202 + status URL. */
  async function start(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
    const auth = await authorise(request);
    if ('response' in auth) return auth.response;
    const crossSite = refuseCrossSite(request);
    if (crossSite) return crossSite;
    const who = auth.principal.userPrincipalName;
    const parsed = parseSurrenderBody(await request.json().catch(() => undefined));
    if (!parsed.ok) return json(400, { error: parsed.error });
    const body = parsed.value;
    try {
      const councils = await deps.councils();
      const council = councilFor(councils.all(), body.userPrincipalName, body.council);
      if (!callerBelongsTo(council, auth.principal)) {
        return json(403, { error: `Your account (${who}) is not an account of ${council.name} or of its IT supplier; a clerk can surrender only their own council's councillors.` });
      }
      const surrender = councils.context(council, logTo(context));
      const { id, status } = await requestSurrender(surrender, { ...body, requestedBy: who, via: 'http' }, deps.starter(context));
      const location = { Location: statusUrl(request, id) };
      if (status === 'already-running') return json(409, { error: `A surrender of ${body.userPrincipalName} is already running; follow it at the status URL.`, id, statusUrl: statusUrl(request, id) }, location);
      context.log(`${who} asked for the surrender of ${body.userPrincipalName} (${id}).`);
      if (status === 'done') return json(200, { id, status: 'done', statusUrl: statusUrl(request, id) }, location);
      return json(202, { id, status: 'running', statusUrl: statusUrl(request, id) }, { ...location, 'Retry-After': '5' });
    } catch (err) {
      if (err instanceof SurrenderInputError && err.code === 'conflict') {
        return json(409, { error: err.message, id: err.runningId, statusUrl: err.runningId ? statusUrl(request, err.runningId) : undefined });
      }
      if (err instanceof SurrenderInputError || err instanceof CouncilNotFoundError) return json(400, { error: err.message });
      throw err;
    }
  }

  /** GET /api/offboarding/{id} → step states, counts, percent, ETA. */
  async function status(request: HttpRequest): Promise<HttpResponseInit> {
    const auth = await authorise(request);
    if ('response' in auth) return auth.response;
    const id = request.params.id ?? '';
    if (!REFERENCE.test(id)) return json(400, { error: 'A surrender reference is 24 characters, 0-9 and a-f, as returned when the surrender started.' });
    const record = await visibleRecord(id, auth.principal);
    if (!record) return json(404, { error: `There is no surrender with reference ${id}.` });
    const view = surrenderView(record, (await deps.councils()).clock());
    return json(200, { ...view, statusUrl: statusUrl(request, id), certificateUrl: view.certificate ? `${statusUrl(request, id)}/certificate` : undefined });
  }

  /** GET /api/offboarding/{id}/certificate → the certificate (a copy of the one in the archive folder). */
  async function certificate(request: HttpRequest): Promise<HttpResponseInit> {
    const auth = await authorise(request);
    if ('response' in auth) return auth.response;
    const id = request.params.id ?? '';
    if (!REFERENCE.test(id)) return json(400, { error: 'A surrender reference is 24 characters, 0-9 and a-f.' });
    if (!(await visibleRecord(id, auth.principal))) return json(404, { error: `There is no surrender with reference ${id}.` });
    const html = await readCertificate((await deps.councils()).store, id);
    if (!html) return json(404, { error: 'There is no certificate for this surrender yet: it is written once the archive has been verified.' });
    return {
      status: 200, body: html,
      headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:", 'Cache-Control': 'private, no-store', 'X-Content-Type-Options': 'nosniff' },
    };
  }

  /** GET /api/offboarding-roster → each council's rostered councillors, term ends and surrenders. */
  async function roster(request: HttpRequest): Promise<HttpResponseInit> {
    const auth = await authorise(request);
    if ('response' in auth) return auth.response;
    const councils = await deps.councils();
    const mine = councils.all().filter((c) => callerBelongsTo(c, auth.principal));
    return json(200, { councils: await rosterWithSurrenders(councils.store, mine) });
  }

  /**
   * The council a changeover request is for: the one the caller names (name or tenant id) among the
   * councils they speak for, or the only one; otherwise the refusal to send.
   */
  function callersCouncil(mine: CouncilConfig[], selector: string | undefined, who: string): { council: CouncilConfig } | { response: HttpResponseInit } {
    const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
    if (selector) {
      const named = mine.find((c) => same(c.name, selector) || same(c.tenantId, selector));
      return named ? { council: named } : { response: json(403, { error: `Your account (${who}) does not act for a council called or with the tenant id "${selector.trim()}"; a clerk can surrender only their own council's councillors.` }) };
    }
    if (mine.length === 1) return { council: mine[0] };
    if (!mine.length) return { response: json(403, { error: `Your account (${who}) is not an account of any council in CouncilGuard's config or of its IT supplier.` }) };
    return { response: json(400, { error: `Your account acts for ${mine.length} councils; say which with council (its name or tenant id): ${mine.map((c) => c.name).join(', ')}.` }) };
  }

  const withUrls = (request: HttpRequest, c: CouncilChangeover) => ({
    ...c, rows: c.rows.map((r: ChangeoverRow) => (r.reference ? { ...r, statusUrl: statusUrl(request, r.reference) } : r)),
  });

  /** GET /api/offboarding-ended[?council=] → who would be surrendered (term ended, not surrendered), and who is skipped. Read-only. */
  async function endedList(request: HttpRequest): Promise<HttpResponseInit> {
    const auth = await authorise(request);
    if ('response' in auth) return auth.response;
    const councils = await deps.councils();
    const chosen = callersCouncil(councils.all().filter((c) => callerBelongsTo(c, auth.principal)), request.query.get('council') ?? undefined, auth.principal.userPrincipalName);
    if ('response' in chosen) return chosen.response;
    return json(200, withUrls(request, await changeoverPlan(councils, chosen.council)));
  }

  /**
   * POST /api/offboarding-ended {council?} → starts the surrender of everyone in the caller's council whose
   * term has ended (each its own durable orchestration); 202 when any started. Options are refused: the
   * council config holds every safety setting.
   */
  async function endedStart(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
    const auth = await authorise(request);
    if ('response' in auth) return auth.response;
    const crossSite = refuseCrossSite(request);
    if (crossSite) return crossSite;
    const who = auth.principal.userPrincipalName;
    const parsed = parseChangeoverBody(await request.json().catch(() => undefined));
    if (!parsed.ok) return json(400, { error: parsed.error });
    const councils = await deps.councils();
    const chosen = callersCouncil(councils.all().filter((c) => callerBelongsTo(c, auth.principal)), parsed.value.council, who);
    if ('response' in chosen) return chosen.response;
    try {
      const result = await requestChangeover(councils, chosen.council, { requestedBy: who, options: parsed.value.options, starter: deps.starter(context), log: logTo(context) });
      const started = result.rows.filter((r) => r.outcome === 'start' || r.outcome === 'continue').length;
      context.log(`${who} asked for the surrender of everyone whose term has ended in ${chosen.council.name}: ${started} started.`);
      return json(started ? 202 : 200, { ...withUrls(request, result), started });
    } catch (err) {
      if (err instanceof SurrenderInputError) return json(400, { error: err.message });
      throw err;
    }
  }

  return { start, status, certificate, roster, endedList, endedStart };
}
