// The clerk's HTTP entry points for a surrender. Thin: authorise (app role Offboarding.Request from the
// App Service authentication principal), validate, hand to jobs/offboarding. Behind `starter` is the
// durable orchestration in Azure and the in-process runner in tests.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { requireRole } from '../auth';
import { callerBelongsTo, councilFor, rosterWithSurrenders, startOffboarding, type SurrenderStarter } from '../../jobs/offboarding';
import type { GraphContext } from '../../graph';
import type { CouncilConfig, CouncilConfigFile } from '../../policy/council-config';
import type { Store } from '../../store';
import { CONTAINER } from '../../offboarding/manifest';
import { parseSurrenderBody } from '../../offboarding/request-schema';
import { certificateBlobName } from '../../offboarding/steps/hand-over';
import { durableOwner, loadRecord, surrenderId } from '../../offboarding/state';
import { surrenderView } from '../../offboarding/status';
import { SurrenderInputError } from '../../core/errors';
import { logTo } from './offboarding-deps';

export const OFFBOARDING_ROLE = 'Offboarding.Request';

export interface OffboardingHttpDeps {
  config(): CouncilConfigFile;
  store(): Promise<Store>;
  graph(council: CouncilConfig): GraphContext;
  starter(context: InvocationContext): SurrenderStarter;
  now?: () => Date;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit => ({ status, jsonBody: body, headers: { 'Cache-Control': 'no-store', ...headers } });
const statusUrl = (request: HttpRequest, id: string) => `${new URL(request.url).origin}/api/offboarding/${id}`;
const REFERENCE = /^[0-9a-f]{24}$/;

export function offboardingHttpHandlers(deps: OffboardingHttpDeps) {
  /** The surrender, if the caller speaks for its council; otherwise as if it did not exist. */
  async function visibleRecord(id: string, caller: string) {
    const record = await loadRecord(await deps.store(), id);
    const council = record && deps.config().councils.find((c) => c.tenantId.toLowerCase() === record.request.tenantId.toLowerCase());
    return council && callerBelongsTo(council, caller) ? record : undefined;
  }

  /** POST /api/offboarding {userPrincipalName, termEnd, council?, force?: {reason}, options?} → 202 + status URL. */
  async function start(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
    const auth = requireRole(request, OFFBOARDING_ROLE);
    if ('response' in auth) return auth.response;
    const parsed = parseSurrenderBody(await request.json().catch(() => undefined));
    if (!parsed.ok) return json(400, { error: parsed.error });
    const body = parsed.value;
    try {
      const council = councilFor(deps.config().councils, body.userPrincipalName, body.council);
      if (!callerBelongsTo(council, auth.principal.name)) {
        return json(403, { error: `Your account (${auth.principal.name}) is not an account of ${council.name} or of its IT supplier; a clerk can surrender only their own council's councillors.` });
      }
      const id = surrenderId(council.tenantId, body.userPrincipalName.trim(), body.termEnd);
      const starter = deps.starter(context);
      const location = { Location: statusUrl(request, id) };
      if (await starter.isRunning(id)) return json(409, { error: `A surrender of ${body.userPrincipalName} is already running; follow it at the status URL.`, id, statusUrl: statusUrl(request, id) }, location);
      const surrender = { council, graph: deps.graph(council), store: await deps.store(), log: logTo(context), now: deps.now };
      const started = await startOffboarding(surrender, { ...body, requestedBy: auth.principal.name, via: 'http' }, durableOwner(id));
      context.log(`${auth.principal.name} asked for the surrender of ${body.userPrincipalName} (${id}).`);
      if (started.complete) return json(200, { id, status: 'done', statusUrl: statusUrl(request, id) }, location);
      await starter.start(id);
      return json(202, { id, status: 'running', statusUrl: statusUrl(request, id) }, { ...location, 'Retry-After': '5' });
    } catch (err) {
      if (err instanceof SurrenderInputError) {
        if (err.code !== 'conflict') return json(400, { error: err.message });
        return json(409, { error: err.message, id: err.runningId, statusUrl: err.runningId ? statusUrl(request, err.runningId) : undefined });
      }
      throw err;
    }
  }

  /** GET /api/offboarding/{id} → step states, counts, percent, ETA. */
  async function status(request: HttpRequest): Promise<HttpResponseInit> {
    const auth = requireRole(request, OFFBOARDING_ROLE);
    if ('response' in auth) return auth.response;
    const id = request.params.id ?? '';
    if (!REFERENCE.test(id)) return json(400, { error: 'A surrender reference is 24 characters, 0-9 and a-f, as returned when the surrender started.' });
    const record = await visibleRecord(id, auth.principal.name);
    if (!record) return json(404, { error: `There is no surrender with reference ${id}.` });
    const view = surrenderView(record, (deps.now ?? (() => new Date()))());
    return json(200, { ...view, statusUrl: statusUrl(request, id), certificateUrl: view.certificate ? `${statusUrl(request, id)}/certificate` : undefined });
  }

  /** GET /api/offboarding/{id}/certificate → the certificate (a copy of the one in the archive folder). */
  async function certificate(request: HttpRequest): Promise<HttpResponseInit> {
    const auth = requireRole(request, OFFBOARDING_ROLE);
    if ('response' in auth) return auth.response;
    const id = request.params.id ?? '';
    if (!REFERENCE.test(id)) return json(400, { error: 'A surrender reference is 24 characters, 0-9 and a-f.' });
    if (!(await visibleRecord(id, auth.principal.name))) return json(404, { error: `There is no surrender with reference ${id}.` });
    const html = await (await deps.store()).getBlob(CONTAINER, certificateBlobName(id));
    if (!html) return json(404, { error: 'There is no certificate for this surrender yet: it is written once the archive has been verified.' });
    return {
      status: 200, body: html.toString('utf8'),
      headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:", 'Cache-Control': 'private, no-store', 'X-Content-Type-Options': 'nosniff' },
    };
  }

  /** GET /api/offboarding-roster → each council's rostered councillors, term ends and surrenders. */
  async function roster(request: HttpRequest): Promise<HttpResponseInit> {
    const auth = requireRole(request, OFFBOARDING_ROLE);
    if ('response' in auth) return auth.response;
    const mine = deps.config().councils.filter((c) => callerBelongsTo(c, auth.principal.name));
    return json(200, { councils: await rosterWithSurrenders(await deps.store(), mine) });
  }

  return { start, status, certificate, roster };
}
