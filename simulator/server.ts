// The simulator's HTTPS server: token authority, Graph v1.0/beta (with $batch), Exchange adminapi.
// Every Graph call checks the bearer token (401), the role the route needs (403), the licence (403),
// and passes through the seeded fault injector.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { graphError, type SimRequest, type SimResponse } from './http';
import type { TenantState } from './state';
import { findUser } from './state';
import { routeGraph } from './routes';
import { handleExchange } from './routes/exchange';
import { handleChunk } from './routes/uploads';
import { packageRoot } from '../config/paths';
import { prng } from './prng';

export interface FaultOptions {
  seed?: number;
  throttleRate?: number;
  retryAfterSeconds?: number;
  serviceUnavailableRate?: number;
  resetRate?: number;
  latencyMs?: number;
  jitterMs?: number;
  mailboxConcurrency?: number;
}

export interface SimulatorStats {
  requests: number;
  byRoute: Record<string, number>;
  throttled: number;
  maxInFlightPerMailbox: Record<string, number>;
  reset(): void;
}

// From the package folder, so the compiled code in dist/ finds them too.
const CERTS = join(packageRoot(), 'simulator', 'certs');


export class SimulatorServer {
  readonly server: Server;
  readonly clientId = '7c0f2d1e-5b6a-4c3d-9e8f-0a1b2c3d4e5f';
  readonly clientSecret = 'demo-secret-not-for-production';
  private readonly signingKey = randomBytes(32);
  private readonly clientCert = new X509Certificate(readFileSync(join(CERTS, 'client-cert.pem')));
  private faults: FaultOptions = {};
  private random = prng(1);
  private readonly inFlight = new Map<string, number>();
  pageSize?: number;
  url = '';
  readonly stats: SimulatorStats;

  constructor(readonly tenants: Map<string, TenantState>) {
    const stats = { requests: 0, byRoute: {} as Record<string, number>, throttled: 0, maxInFlightPerMailbox: {} as Record<string, number> };
    this.stats = Object.assign(stats, { reset: () => { stats.requests = 0; stats.byRoute = {}; stats.throttled = 0; stats.maxInFlightPerMailbox = {}; Object.assign(this.stats, stats); } });
    this.server = createServer({ cert: readFileSync(join(CERTS, 'server.pem')), key: readFileSync(join(CERTS, 'server-key.pem')) }, (req, res) => {
      void this.handle(req, res).catch((err) => {
        if (!res.headersSent) this.send(res, graphError(500, 'InternalServerError', `simulator fault: ${err instanceof Error ? err.message : err}`));
      });
    });
    this.server.keepAliveTimeout = 1000;
  }

  setFaults(f: FaultOptions): void {
    this.faults = { ...f };
    this.random = prng(f.seed ?? 1);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', this.url);
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(',') : v ?? '']));

    const openid = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(url.pathname);
    if (openid) return this.send(res, this.openIdConfiguration(openid[1]));
    const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(url.pathname);
    if (token && req.method === 'POST') return this.send(res, this.issueToken(token[1], new URLSearchParams(body.toString('utf8'))));
    if (url.pathname.startsWith('/exchange/')) {
      const auth = this.authorise(headers.authorization, `${this.url}/exchange`);
      if ('status' in auth) return this.send(res, auth);
      return this.send(res, await handleExchange(url.pathname, body, auth.tenant, auth.roles, this.url));
    }
    const chunk = /^\/upload\/([^/]+)$/.exec(url.pathname);
    if (chunk && req.method === 'PUT') return this.send(res, handleChunk(chunk[1], headers['content-range'], body));
    const version = /^\/(v1\.0|beta)(\/.*)$/.exec(url.pathname);
    if (!version) return this.send(res, graphError(404, 'NotFound', `No route for ${url.pathname}`));

    this.stats.requests++;
    const fault = await this.injectFault(res);
    if (fault === 'reset') return;
    if (fault) return this.send(res, fault);
    this.send(res, await this.graph(req.method ?? 'GET', version[1] as 'v1.0' | 'beta', version[2], url.searchParams, headers, body));
  }

  /** The Graph pipeline for one request (also used for each $batch item). */
  async graph(method: string, version: 'v1.0' | 'beta', path: string, query: URLSearchParams, headers: Record<string, string>, body: Buffer, inBatch = false): Promise<SimResponse> {
    const auth = this.authorise(headers.authorization, this.url);
    if ('status' in auth) return auth;
    const routeKey = `${method} ${path.replace(/\/[0-9a-f-]{20,}|\/[^/]*@[^/]*|\/[^/]+,[^/]+,[^/]+/gi, '/{id}')}`;
    this.stats.byRoute[routeKey] = (this.stats.byRoute[routeKey] ?? 0) + 1;
    if (path === '/$batch' && method === 'POST') return this.batch(version, body, headers);
    if (inBatch) {
      const fault = this.itemFault();
      if (fault) return fault;
    }
    const req: SimRequest = {
      method, path: decodeURI(path), version, query, headers, body, tenant: auth.tenant, roles: auth.roles, base: `${this.url}/${version}`,
      pageSize: this.pageSize ?? auth.tenant.scenario.pageSize,
      json: <T>() => JSON.parse(body.toString('utf8') || '{}') as T,
    };
    const mailbox = /^\/users\/([^/]+)\/(messages|mailFolders|mailboxSettings|contacts|events|calendar|sendMail)/.exec(req.path);
    if (!mailbox) return routeGraph(req);
    const user = findUser(auth.tenant, mailbox[1]);
    const key = user?.id ?? mailbox[1];
    const now = (this.inFlight.get(key) ?? 0) + 1;
    if (this.faults.mailboxConcurrency && now > this.faults.mailboxConcurrency) {
      this.stats.throttled++;
      const r = graphError(429, 'ApplicationThrottled', 'Application is over its MailboxConcurrency limit.');
      return { ...r, headers: { ...r.headers, 'Retry-After': String(this.faults.retryAfterSeconds ?? 1) } };
    }
    this.inFlight.set(key, now);
    this.stats.maxInFlightPerMailbox[key] = Math.max(this.stats.maxInFlightPerMailbox[key] ?? 0, now);
    try {
      // A mailbox read takes a moment at Exchange; without it requests never overlap and no limit is tested.
      await new Promise((r) => setTimeout(r, 25));
      return await routeGraph(req);
    } finally {
      this.inFlight.set(key, (this.inFlight.get(key) ?? 1) - 1);
    }
  }

  private async batch(version: 'v1.0' | 'beta', body: Buffer, headers: Record<string, string>): Promise<SimResponse> {
    let parsed: { requests?: { id: string; method: string; url: string; body?: unknown; headers?: Record<string, string>; dependsOn?: string[] }[] };
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return graphError(400, 'BadRequest', 'Invalid batch payload format.');
    }
    const requests = parsed.requests ?? [];
    if (requests.length > 20) return graphError(400, 'BadRequest', 'Invalid batch payload format: the number of requests exceeds the limit of 20.');
    const results = new Map<string, SimResponse>();
    const run = async (r: (typeof requests)[number]): Promise<void> => {
      if (r.dependsOn?.some((d) => (results.get(d)?.status ?? 500) >= 400)) {
        results.set(r.id, graphError(424, 'FailedDependency', 'A request this one depends on failed.'));
        return;
      }
      const u = new URL(r.url.startsWith('/') ? r.url : `/${r.url}`, 'https://x');
      const itemBody = r.body === undefined ? Buffer.alloc(0) : Buffer.from(typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
      results.set(r.id, await this.graph(r.method.toUpperCase(), version, u.pathname, u.searchParams, { ...headers, ...lower(r.headers ?? {}) }, itemBody, true));
    };
    const independent = requests.filter((r) => !r.dependsOn?.length);
    await Promise.all(independent.map(run));
    for (const r of requests.filter((x) => x.dependsOn?.length)) await run(r);
    // Graph may answer in any order: shuffle (seeded) to keep clients honest.
    const ids = requests.map((r) => r.id).sort(() => this.random() - 0.5);
    return {
      status: 200,
      body: { responses: ids.map((id) => { const r = results.get(id)!; return { id, status: r.status, headers: { 'Content-Type': 'application/json', ...r.headers }, body: r.body }; }) },
    };
  }

  private itemFault(): SimResponse | undefined {
    const f = this.faults;
    if (f.throttleRate && this.random() < f.throttleRate) {
      this.stats.throttled++;
      const r = graphError(429, 'TooManyRequests', 'Too many requests.');
      return { ...r, headers: { ...r.headers, 'Retry-After': String(f.retryAfterSeconds ?? 1) } };
    }
    if (f.serviceUnavailableRate && this.random() < f.serviceUnavailableRate) return graphError(503, 'ServiceUnavailable', 'The service is temporarily unavailable.');
    return undefined;
  }

  private async injectFault(res: ServerResponse): Promise<SimResponse | 'reset' | undefined> {
    const f = this.faults;
    const delay = (f.latencyMs ?? 0) + (f.jitterMs ? this.random() * f.jitterMs : 0);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    if (f.resetRate && this.random() < f.resetRate) {
      res.socket?.destroy();
      return 'reset';
    }
    return this.itemFault();
  }

  private authorise(header: string | undefined, audience: string): { tenant: TenantState; roles: string[] } | SimResponse {
    const token = /^Bearer (.+)$/i.exec(header ?? '')?.[1];
    if (!token) return graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
    try {
      const claims = jwt.verify(token, this.signingKey, { algorithms: ['HS256'], audience }) as { tid: string; roles?: string[] };
      const tenant = this.tenants.get(claims.tid);
      if (!tenant) return graphError(401, 'InvalidAuthenticationToken', 'Access token validation failure: unknown tenant.');
      return { tenant, roles: claims.roles ?? [] };
    } catch (err) {
      return graphError(401, 'InvalidAuthenticationToken', `Access token validation failure. ${err instanceof Error ? err.message : ''}`.trim());
    }
  }

  private openIdConfiguration(tenant: string): SimResponse {
    const base = `${this.url}/${tenant}`;
    return {
      status: 200,
      body: {
        issuer: `${base}/v2.0`, authorization_endpoint: `${base}/oauth2/v2.0/authorize`, token_endpoint: `${base}/oauth2/v2.0/token`,
        jwks_uri: `${this.url}/${tenant}/discovery/v2.0/keys`, end_session_endpoint: `${base}/oauth2/v2.0/logout`, device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
        response_types_supported: ['code', 'id_token', 'token id_token'], subject_types_supported: ['pairwise'], id_token_signing_alg_values_supported: ['RS256'],
        scopes_supported: ['openid'], tenant_region_scope: 'EU', cloud_instance_name: 'simulator', msgraph_host: new URL(this.url).host,
      },
    };
  }

  private aadError(status: number, error: string, code: number, description: string): SimResponse {
    const trace = randomUUID();
    return {
      status,
      body: {
        error, error_description: `AADSTS${code}: ${description} Trace ID: ${trace} Correlation ID: ${randomUUID()} Timestamp: ${new Date().toISOString()}`,
        error_codes: [code], timestamp: new Date().toISOString(), trace_id: trace, correlation_id: randomUUID(), error_uri: `${this.url}/error?code=${code}`,
      },
    };
  }

  private issueToken(tenantId: string, form: URLSearchParams): SimResponse {
    const tenant = this.tenants.get(tenantId.toLowerCase());
    if (!tenant) return this.aadError(400, 'invalid_tenant', 90002, `Tenant '${tenantId}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
    if (form.get('grant_type') !== 'client_credentials') return this.aadError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
    if (form.get('client_id') !== this.clientId) return this.aadError(400, 'unauthorized_client', 700016, `Application with identifier '${form.get('client_id')}' was not found in the directory '${tenantId}'.`);
    const assertion = form.get('client_assertion');
    if (assertion) {
      try {
        jwt.verify(assertion, this.clientCert.publicKey.export({ type: 'spki', format: 'pem' }) as string, { algorithms: ['RS256', 'PS256'], clockTolerance: 300 }); // Entra allows clock skew too
      } catch {
        return this.aadError(401, 'invalid_client', 700027, 'Client assertion failed signature validation.');
      }
    } else if (form.get('client_secret') !== this.clientSecret) {
      return this.aadError(401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${this.clientId}'.`);
    }
    const resource = (form.get('scope') ?? '').replace(/\/\.default$/, '');
    const isExchange = resource === `${this.url}/exchange`;
    if (resource !== this.url && !isExchange) return this.aadError(400, 'invalid_resource', 500011, `The resource principal named ${resource} was not found in the tenant.`);
    const roles = isExchange ? (tenant.scenario.exchangeManageAsApp ? ['Exchange.ManageAsApp'] : []) : tenant.scenario.grantedPermissions;
    const access = jwt.sign({ tid: tenant.tenantId, appid: this.clientId, ...(roles.length ? { roles } : {}) }, this.signingKey, { algorithm: 'HS256', audience: resource, expiresIn: 3600, issuer: `${this.url}/${tenant.tenantId}/v2.0` });
    return { status: 200, body: { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: access } };
  }

  private send(res: ServerResponse, r: SimResponse): void {
    if (res.destroyed) return;
    const headers: Record<string, string> = { ...(r.headers ?? {}) };
    let payload: Buffer | undefined;
    if (r.raw) {
      payload = r.raw;
      headers['Content-Type'] ??= 'application/octet-stream';
    } else if (r.body !== undefined) {
      payload = Buffer.from(JSON.stringify(r.body));
      headers['Content-Type'] = 'application/json; charset=utf-8';
    }
    if (payload) headers['Content-Length'] = String(payload.length);
    res.writeHead(r.status, headers);
    res.end(payload);
  }
}

function lower(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}
