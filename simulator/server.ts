// The simulator's HTTPS server: token authority, Graph v1.0/beta (with $batch), Exchange adminapi, and
// the token-less uploadUrls of upload sessions. Every Graph and Exchange call checks the bearer token
// (401), the role the route needs (403), the licence (403), and passes through the seeded fault
// injector; mailbox (Outlook) calls also pass Outlook's limits: the per-mailbox budget and the per-app
// concurrency, and a $batch runs at most 4 of its Outlook items at once.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash, createSecretKey, generateKeyPairSync, randomBytes, randomUUID, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import jwt from 'jsonwebtoken';
import { collect, graphError, type SimRequest, type SimResponse } from './http';
import type { TenantState } from './state';
import { findUser } from './state';
import { routeGraph } from './routes';
import { handleExchange } from './routes/exchange';
import { handleUploadUrl } from './routes/uploads';
import { handleDownloadUrl } from './routes/files';
import { packageRoot } from '../config/paths';
import { prng } from './prng';

export interface FaultOptions {
  /** Seed of the fault pattern: the same seed and request sequence give the same faults. */
  seed?: number;
  /** 0..1 chance of 429 TooManyRequests with Retry-After. */
  throttleRate?: number;
  /** Retry-After on injected 429s (default 1). */
  retryAfterSeconds?: number;
  /** 0..1 chance of 503 ServiceUnavailable. */
  serviceUnavailableRate?: number;
  /** 0..1 chance the connection is destroyed without an answer. */
  resetRate?: number;
  /**
   * 0..1 chance that a message's MIME download (`GET …/messages/{id}/$value`, outside a $batch) is cut
   * off: the headers announce the full Content-Length, half the bytes are sent, then the connection is
   * destroyed. A network fault (a connection dropped mid-response), not a Graph behaviour. Off when 0 or
   * absent, and then it draws nothing from the seeded generator.
   */
  cutBodyRate?: number;
  /**
   * Message MIME downloads (`GET …/messages/{id}/$value`, outside a $batch) and drive content downloads
   * (the pre-authenticated download URL `GET …/content` redirects to) are sent gzip-compressed, with
   * `Content-Encoding: gzip` and the compressed Content-Length, when the request's Accept-Encoding
   * allows gzip (as Node's fetch's default does). Graph compresses responses for clients that ask
   * (RFC 9110 §8.4, §12.5.3). The compressed body is held in memory to announce its length. Off when
   * absent; draws nothing from the seeded generator.
   */
  gzipDownloads?: boolean;
  latencyMs?: number;
  jitterMs?: number;
  /**
   * Outlook's concurrency limit per app ID (the real one is 4), across every mailbox and every tenant
   * the simulator serves: "Outlook can execute up to 4 concurrent requests ... regardless of whether the
   * requests all access the same mailbox, or access different mailboxes" ("Microsoft Graph
   * service-specific throttling limits", Outlook service limits, Limits per app ID). The app is the
   * token's appid. $batch items count too. The request over the limit gets 429 ApplicationThrottled
   * with Retry-After. Off when 0 or absent (the in-flight statistics are kept either way).
   */
  outlookConcurrency?: number;
  /** Outlook's per-app-per-mailbox request budget per 10 minutes (the real one is 10,000); off when absent. */
  mailboxRequestsPer10Min?: number;
  /**
   * The budget's window (default 10 minutes, as Outlook's). A shorter one compresses time for a
   * benchmark: `mailboxRequestsPer10Min: 1000, mailboxWindowMs: 60_000` binds within a minute.
   */
  mailboxWindowMs?: number;
  /**
   * Latency of a drive upload (simple PUT `…/content`, `createUploadSession`, each upload-session
   * fragment): writing a file to SharePoint is slower than a read. Default 3 × `latencyMs`.
   */
  uploadLatencyMs?: number;
  /** Jitter of a drive upload; default 3 × `jitterMs`. */
  uploadJitterMs?: number;
}

export interface SimulatorStats {
  /** HTTP requests to Graph and Exchange (a $batch counts once; token calls are not counted). */
  requests: number;
  /** 'GET /users/{id}/drive' → count; includes each $batch item and 'EXO Get-Mailbox'-style Exchange cmdlets. */
  byRoute: Record<string, number>;
  /**
   * What Graph's throttling counts, as received (faulted requests included): each Graph request, a $batch
   * as the number of items it carries, each Exchange call, each upload-session fragment.
   */
  workUnits: number;
  /** Requests to upload-session URLs (not in `requests`: they are not sent to a Graph version path). */
  uploads: number;
  /** 429s the simulator gave (injected, Outlook concurrency, mailbox budget). */
  throttled: number;
  /** Highest number of requests in flight at once per mailbox (user id), recorded even with the limit off. */
  maxInFlightPerMailbox: Record<string, number>;
  /**
   * Highest number of Outlook requests (to any mailbox, $batch items included) in flight at once per
   * app (the token's appid), counting those refused for being over the limit; recorded even with it off.
   */
  maxOutlookInFlight: Record<string, number>;
  /** Downloads sent gzip-encoded (FaultOptions.gzipDownloads): message MIME, drive file content. */
  encodedDownloads: { message: number; file: number };
  reset(): void;
}

// From the package folder, so the compiled code in dist/ finds them too.
const CERTS = join(packageRoot(), 'simulator', 'certs');
/** Paths that reach a mailbox at Exchange, so count against Outlook's per-mailbox limits. */
const MAILBOX_PATH = /^\/users\/([^/]+)\/(messages|mailFolders|mailboxSettings|contacts|contactFolders|events|calendar|calendars|calendarView|sendMail|inferenceClassification|outlook)(\/|$)/;
/** A mailbox read takes a moment at Exchange; without it requests never overlap and no limit is tested. */
const MAILBOX_WORK_MS = 25;
/** A message's MIME download, the path FaultOptions.cutBodyRate cuts short. */
const MESSAGE_VALUE = /^\/users\/[^/]+\/messages\/[^/]+\/\$value$/;
/** Outlook items of one $batch run at most this many at a time ("Outlook service limits for JSON batching"). */
const OUTLOOK_BATCH_PARALLEL = 4;
const TEN_MINUTES_MS = 10 * 60 * 1000;
/** A drive upload through Graph: simple PUT of content, or the request that opens an upload session. */
const isDriveUpload = (method: string, path: string): boolean =>
  (method === 'PUT' && /\/content$/.test(path)) || (method === 'POST' && /\/createUploadSession$/.test(path));

interface BatchItem {
  id: string;
  method: string;
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  dependsOn?: string[];
}

/** Who signs in, as the claims of Entra's v2.0 token say it. */
export interface UserTokenClaims {
  /** The app the token is for (its client id). */
  audience: string;
  tenantId: string;
  objectId: string;
  preferredUsername: string;
  /** The display name: anyone can set their own in some tenants, so it identifies no one. */
  name: string;
  roles?: string[];
}

/** The resource (audience) of Key Vault's data plane tokens. */
const KEY_VAULT_RESOURCE = 'https://vault.azure.net';

export class SimulatorServer {
  readonly server: Server;
  readonly clientId = '7c0f2d1e-5b6a-4c3d-9e8f-0a1b2c3d4e5f';
  readonly clientSecret = 'demo-secret-not-for-production';
  private readonly signingKey = randomBytes(32);
  // jsonwebtoken turns a Buffer into a key on every verify (first trying it as a public key, which is slow);
  // a KeyObject made once keeps token checks cheap under thousands of requests.
  private readonly verifyKey = createSecretKey(this.signingKey);
  // Entra signs user (id and access) tokens with RS256 and publishes the public half at jwks_uri; the
  // simulator does the same so the function app's token check runs against a real JWKS.
  private readonly userKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  private readonly userKeyId = createHash('sha256').update(this.userKey.publicKey.export({ type: 'spki', format: 'der' })).digest('base64url').slice(0, 27);
  private readonly clientCert = new X509Certificate(readFileSync(join(CERTS, 'client-cert.pem')));
  /**
   * The function app's user-assigned managed identity (App Service's identity endpoint at /msi/token),
   * living in `homeTenantId` (by default the first scenario's tenant, where the multi-tenant app is
   * registered too). `trustedByApp`: the app registration has a federated identity credential for it.
   */
  readonly managedIdentity = { clientId: '3f6b2a1c-9d8e-4f7a-8b6c-5d4e3f2a1b0c', objectId: '8e7d6c5b-4a3f-4e2d-9c1b-0a9f8e7d6c5b', homeTenantId: '', trustedByApp: true };
  /**
   * The IT supplier's Key Vault, served at {url}/keyvault (Get Secret only). `secrets`: name -> value and
   * content type (a certificate's secret is its key and chain, PEM when its policy says
   * application/x-pem-file). `readers`: object ids holding a role that may read secrets (Key Vault
   * Secrets User); the function app's managed identity by default.
   */
  readonly keyVault = { secrets: new Map<string, { value: string; contentType?: string }>(), readers: new Set<string>([this.managedIdentity.objectId]) };
  /** The tenant the multi-tenant app registration lives in (the IT supplier's); default the first scenario's. */
  appHomeTenantId = '';
  /** The secret App Service puts in IDENTITY_HEADER; the identity endpoint refuses a request without it. */
  readonly identityHeader = 'simulator-identity-header';
  private faults: FaultOptions = {};
  private random = prng(1);
  private readonly inFlight = new Map<string, number>();
  /** Outlook requests in flight per app (appid). */
  private readonly outlookInFlight = new Map<string, number>();
  private readonly mailboxWindow = new Map<string, number[]>();
  pageSize?: number;
  /** How long each mailbox request takes (default MAILBOX_WORK_MS); a test that checks no limit can set 0. */
  mailboxWorkMs = MAILBOX_WORK_MS;
  url = '';
  readonly stats: SimulatorStats;

  constructor(readonly tenants: Map<string, TenantState>) {
    const stats: SimulatorStats = {
      requests: 0, byRoute: {}, throttled: 0, maxInFlightPerMailbox: {}, maxOutlookInFlight: {}, workUnits: 0, uploads: 0, encodedDownloads: { message: 0, file: 0 },
      reset: () => { stats.requests = 0; stats.byRoute = {}; stats.throttled = 0; stats.maxInFlightPerMailbox = {}; stats.maxOutlookInFlight = {}; stats.workUnits = 0; stats.uploads = 0; stats.encodedDownloads = { message: 0, file: 0 }; },
    };
    this.stats = stats;
    this.server = createServer({ cert: readFileSync(join(CERTS, 'server.pem')), key: readFileSync(join(CERTS, 'server-key.pem')) }, (req, res) => {
      void this.handle(req, res).catch((err) => {
        if (!res.headersSent) this.send(res, graphError(500, 'InternalServerError', `simulator fault: ${err instanceof Error ? err.message : err}`));
        else res.destroy();
      });
    });
    // undici (Node's fetch) closes a connection whose Keep-Alive timeout is 1 s or less right after the
    // response, so every request would pay a new TLS handshake; keep Node's default-or-longer idle time.
    this.server.keepAliveTimeout = 10_000;
  }

  setFaults(f: FaultOptions): void {
    this.faults = { ...f };
    this.random = prng(f.seed ?? 1);
    this.mailboxWindow.clear();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', this.url);
    const method = (req.method ?? 'GET').toUpperCase();
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(',') : v ?? '']));

    // The token authority: never faulted, never counted.
    const openid = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(url.pathname);
    if (openid && method === 'GET') return this.send(res, this.openIdConfiguration(openid[1]));
    const keys = /^\/([^/]+)\/discovery\/v2\.0\/keys$/.exec(url.pathname);
    if (keys && method === 'GET') return this.send(res, { status: 200, body: { keys: [this.publicJwk()] } });
    if (url.pathname === '/msi/token' && method === 'GET') return this.send(res, this.managedIdentityToken(url.searchParams, headers['x-identity-header']));
    if (url.pathname.startsWith('/keyvault/')) return this.send(res, this.keyVaultGetSecret(method, url, headers.authorization));
    const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(url.pathname);
    if (token && method === 'POST') return this.send(res, this.issueToken(token[1], new URLSearchParams(body.toString('utf8'))));

    // Pre-authenticated download URLs (GET .../content redirects to one) carry no token and are
    // SharePoint's, not Graph's: neither counted as a Graph request nor throttled as one.
    const download = /^\/download\/([^/]+)$/.exec(url.pathname);
    if (download) return this.send(res, await this.gzipped(handleDownloadUrl(this.tenants.values(), download[1], method), headers['accept-encoding'], 'file'));

    // Upload sessions' URLs carry no token, as with Graph.
    const upload = /^\/upload\/([^/]+)$/.exec(url.pathname);
    if (upload) {
      this.stats.uploads++;
      this.stats.workUnits++;
      const delay = this.uploadDelay();
      if (delay > 0) await sleep(delay);
      return this.send(res, handleUploadUrl(this.tenants.values(), upload[1], method, headers['content-range'], body));
    }

    if (url.pathname.startsWith('/exchange/')) {
      this.stats.requests++;
      this.stats.workUnits++;
      const fault = await this.injectFault(res);
      if (fault === 'reset') return;
      if (fault) return this.send(res, fault);
      const auth = this.authorise(headers.authorization, `${this.url}/exchange`);
      if ('status' in auth) return this.send(res, auth);
      const cmdlet = method === 'POST' ? /"CmdletName"\s*:\s*"([^"]+)"/.exec(body.toString('utf8'))?.[1] ?? '?' : 'nextLink';
      this.count(`EXO ${cmdlet}`);
      const pageSize = this.pageSize ?? auth.tenant.scenario.pageSize;
      return this.send(res, handleExchange({ method, path: url.pathname, query: url.searchParams, body, tenant: auth.tenant, roles: auth.roles, url: this.url, pageSize }));
    }

    const version = /^\/(v1\.0|beta)(\/.*)$/.exec(url.pathname);
    if (!version) return this.send(res, graphError(400, 'BadRequest', `Invalid version or path: ${url.pathname}`));
    this.stats.requests++;
    this.stats.workUnits += version[2] === '/$batch' && method === 'POST' ? batchItemCount(body) : 1;
    const fault = await this.injectFault(res, isDriveUpload(method, url.pathname));
    if (fault === 'reset') return;
    if (fault) return this.send(res, withClientRequestId(fault, headers));
    let answer = await this.graph(method, version[1] as 'v1.0' | 'beta', version[2], url.searchParams, headers, body);
    if (method === 'GET' && MESSAGE_VALUE.test(routingPath(version[2]))) answer = await this.gzipped(answer, headers['accept-encoding'], 'message');
    this.send(res, answer, this.cutBody(method, version[2], answer));
  }

  /**
   * A streamed 200 answer gzip-compressed (FaultOptions.gzipDownloads) when the client accepts gzip:
   * `Content-Encoding: gzip` and, as HTTP has it, the Content-Length of the compressed bytes.
   */
  private async gzipped(answer: SimResponse, acceptEncoding: string | undefined, kind: keyof SimulatorStats['encodedDownloads']): Promise<SimResponse> {
    if (!this.faults.gzipDownloads || answer.status !== 200 || !answer.stream || !acceptsGzip(acceptEncoding)) return answer;
    const compressed = await gzipChunks(answer.stream.chunks());
    this.stats.encodedDownloads[kind]++;
    const length = compressed.reduce((n, c) => n + c.length, 0);
    return { ...answer, headers: { ...(answer.headers ?? {}), 'Content-Encoding': 'gzip' }, stream: { length, chunks: () => compressed } };
  }

  /** Whether this answer's body is to be cut off half-way (FaultOptions.cutBodyRate): a message's MIME only. */
  private cutBody(method: string, rawPath: string, answer: SimResponse): boolean {
    const rate = this.faults.cutBodyRate;
    // The rate is tested first, so with the fault off no random number is drawn and runs stay as they were.
    return Boolean(rate) && method === 'GET' && answer.status === 200 && answer.stream !== undefined
      && MESSAGE_VALUE.test(routingPath(rawPath)) && this.random() < rate!;
  }

  private count(route: string): void {
    this.stats.byRoute[route] = (this.stats.byRoute[route] ?? 0) + 1;
  }

  /** The Graph pipeline for one request (also used for each $batch item). */
  async graph(method: string, version: 'v1.0' | 'beta', rawPath: string, query: URLSearchParams, headers: Record<string, string>, body: Buffer, inBatch = false): Promise<SimResponse> {
    return withClientRequestId(await this.graphInner(method, version, rawPath, query, headers, body, inBatch), headers);
  }

  private async graphInner(method: string, version: 'v1.0' | 'beta', rawPath: string, query: URLSearchParams, headers: Record<string, string>, body: Buffer, inBatch: boolean): Promise<SimResponse> {
    const auth = this.authorise(headers.authorization, this.url);
    if ('status' in auth) return auth;
    const path = routingPath(rawPath);
    this.count(`${method} ${path.replace(/\/[0-9a-f-]{20,}|\/[^/]*@[^/]*|\/[^/]+,[^/]+,[^/]+/gi, '/{id}')}`);
    if (path === '/$batch' && method === 'POST') return this.batch(version, body, headers);
    if (inBatch) {
      const fault = this.itemFault();
      if (fault) return fault;
    }
    const req: SimRequest = {
      method, path, version, query, headers, body, tenant: auth.tenant, roles: auth.roles, base: `${this.url}/${version}`,
      pageSize: this.pageSize ?? auth.tenant.scenario.pageSize,
      json: <T>() => JSON.parse(body.toString('utf8') || '{}') as T,
    };
    const mailbox = MAILBOX_PATH.exec(req.path);
    if (!mailbox) return routeGraph(req);
    const key = findUser(auth.tenant, mailbox[1])?.id ?? mailbox[1].toLowerCase();
    const budget = this.overBudget(key);
    if (budget) return budget;
    const now = (this.inFlight.get(key) ?? 0) + 1;
    this.stats.maxInFlightPerMailbox[key] = Math.max(this.stats.maxInFlightPerMailbox[key] ?? 0, now);
    // Outlook's concurrency is per app ID, whatever the mailbox or tenant (FaultOptions.outlookConcurrency).
    const app = auth.appId;
    const appNow = (this.outlookInFlight.get(app) ?? 0) + 1;
    this.stats.maxOutlookInFlight[app] = Math.max(this.stats.maxOutlookInFlight[app] ?? 0, appNow);
    if (this.faults.outlookConcurrency && appNow > this.faults.outlookConcurrency) {
      return this.throttled('ApplicationThrottled', 'Application is over its MailboxConcurrency limit.', this.faults.retryAfterSeconds ?? 1);
    }
    this.inFlight.set(key, now);
    this.outlookInFlight.set(app, appNow);
    try {
      if (this.mailboxWorkMs > 0) await sleep(this.mailboxWorkMs);
      return await routeGraph(req);
    } finally {
      this.inFlight.set(key, (this.inFlight.get(key) ?? 1) - 1);
      this.outlookInFlight.set(app, (this.outlookInFlight.get(app) ?? 1) - 1);
    }
  }

  /** The 10-minute per-mailbox request budget; a response when it is spent. */
  private overBudget(mailbox: string): SimResponse | undefined {
    const limit = this.faults.mailboxRequestsPer10Min;
    if (!limit) return undefined;
    const now = Date.now();
    const span = this.faults.mailboxWindowMs ?? TEN_MINUTES_MS;
    const window = this.mailboxWindow.get(mailbox) ?? [];
    // Arrival times are in order: drop the expired head (no copy of a 10,000-entry array per request).
    let expired = 0;
    while (expired < window.length && now - window[expired] >= span) expired++;
    if (expired) window.splice(0, expired);
    this.mailboxWindow.set(mailbox, window);
    if (window.length >= limit) {
      return this.throttled('ApplicationThrottled', 'Application is over its MailboxRequests limit.', Math.max(1, Math.ceil((window[0] + span - now) / 1000)));
    }
    window.push(now);
    return undefined;
  }

  private throttled(code: string, message: string, retryAfterSeconds: number): SimResponse {
    this.stats.throttled++;
    const r = graphError(429, code, message);
    return { ...r, headers: { ...r.headers, 'Retry-After': String(retryAfterSeconds) } };
  }

  private async batch(version: 'v1.0' | 'beta', body: Buffer, headers: Record<string, string>): Promise<SimResponse> {
    let parsed: { requests?: unknown };
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return graphError(400, 'BadRequest', 'Invalid batch payload format.');
    }
    const problem = batchProblem(parsed.requests);
    if (problem) return graphError(400, 'BadRequest', problem);
    const requests = parsed.requests as BatchItem[];
    const results = new Map<string, SimResponse>();
    const done = new Map<string, Promise<void>>();
    // Outlook runs at most 4 of the batch's Outlook items at once, the rest in turn ("Outlook service
    // limits for JSON batching"); each still counts against the app's concurrency while it runs.
    const outlookTurn = turns(OUTLOOK_BATCH_PARALLEL);
    // Items without dependsOn run at once; an item with dependsOn waits for those and fails with 424 if any failed.
    const run = async (r: BatchItem): Promise<void> => {
      await Promise.all((r.dependsOn ?? []).map((d) => done.get(d)));
      if ((r.dependsOn ?? []).some((d) => (results.get(d)?.status ?? 500) >= 400)) {
        results.set(r.id, graphError(424, 'FailedDependency', 'The request failed because a request it depends on failed.'));
        return;
      }
      const outlook = MAILBOX_PATH.test(routingPath(new URL(r.url.startsWith('/') ? r.url : `/${r.url}`, 'https://batch.invalid').pathname));
      results.set(r.id, outlook ? await outlookTurn(() => this.batchItem(version, r, headers)) : await this.batchItem(version, r, headers));
    };
    for (const r of requests) done.set(r.id, Promise.resolve().then(() => run(r)));
    await Promise.all(done.values());
    // Graph answers in any order: shuffle (seeded, Fisher–Yates) to keep clients honest.
    const ids = requests.map((r) => r.id);
    for (let i = ids.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [ids[i], ids[j]] = [ids[j], ids[i]];
    }
    return { status: 200, body: { responses: ids.map((id) => batchResponse(id, results.get(id)!)) } };
  }

  private async batchItem(version: 'v1.0' | 'beta', r: BatchItem, headers: Record<string, string>): Promise<SimResponse> {
    if (/^https?:/i.test(r.url)) return graphError(400, 'BadRequest', 'A batch request\'s url must be relative, e.g. /users/{id}.');
    const itemHeaders = lower(r.headers ?? {});
    if (r.body !== undefined && !itemHeaders['content-type']) return graphError(400, 'BadRequest', 'Content-Type header must be specified for a request with a body.');
    const u = new URL(r.url.startsWith('/') ? r.url : `/${r.url}`, 'https://batch.invalid');
    const json = /json/i.test(itemHeaders['content-type'] ?? 'application/json');
    // A non-JSON body travels base64-encoded inside the batch.
    const itemBody = r.body === undefined ? Buffer.alloc(0)
      : typeof r.body === 'string' ? Buffer.from(r.body, json ? 'utf8' : 'base64') : Buffer.from(JSON.stringify(r.body));
    return this.graph(r.method.toUpperCase(), version, u.pathname, u.searchParams, { ...headers, ...itemHeaders }, itemBody, true);
  }

  private itemFault(): SimResponse | undefined {
    const f = this.faults;
    if (f.throttleRate && this.random() < f.throttleRate) return this.throttled('TooManyRequests', 'Too many requests.', f.retryAfterSeconds ?? 1);
    if (f.serviceUnavailableRate && this.random() < f.serviceUnavailableRate) return graphError(503, 'ServiceUnavailable', 'The service is temporarily unavailable.');
    return undefined;
  }

  /** An upload's latency: its own, or 3 × a read's. */
  private uploadDelay(): number {
    const f = this.faults;
    const base = f.uploadLatencyMs ?? 3 * (f.latencyMs ?? 0);
    const jitter = f.uploadJitterMs ?? 3 * (f.jitterMs ?? 0);
    return base + (jitter ? this.random() * jitter : 0);
  }

  private async injectFault(res: ServerResponse, upload = false): Promise<SimResponse | 'reset' | undefined> {
    const f = this.faults;
    const delay = upload ? this.uploadDelay() : (f.latencyMs ?? 0) + (f.jitterMs ? this.random() * f.jitterMs : 0);
    if (delay > 0) await sleep(delay);
    if (f.resetRate && this.random() < f.resetRate) {
      res.socket?.destroy();
      return 'reset';
    }
    return this.itemFault();
  }

  private authorise(header: string | undefined, audience: string): { tenant: TenantState; roles: string[]; appId: string } | SimResponse {
    const token = /^Bearer (.+)$/i.exec(header ?? '')?.[1];
    if (!token) return graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
    try {
      const claims = jwt.verify(token, this.verifyKey, { algorithms: ['HS256'], audience }) as { tid: string; roles?: string[]; appid?: string; azp?: string };
      const tenant = this.tenants.get(claims.tid);
      if (!tenant) return graphError(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid tenant.');
      return { tenant, roles: claims.roles ?? [], appId: String(claims.appid ?? claims.azp ?? '').toLowerCase() };
    } catch (err) {
      const why = err instanceof jwt.TokenExpiredError ? 'Lifetime validation failed, the token is expired.'
        : /audience/i.test(err instanceof Error ? err.message : '') ? 'Invalid audience.' : 'Invalid signature.';
      return graphError(401, 'InvalidAuthenticationToken', `Access token validation failure. ${why}`);
    }
  }

  /** The signing key as Entra lists it at jwks_uri (kty, use, kid, n, e, and the issuer template). */
  private publicJwk(): Record<string, unknown> {
    const jwk = this.userKey.publicKey.export({ format: 'jwk' }) as { n: string; e: string };
    return { kty: 'RSA', use: 'sig', kid: this.userKeyId, n: jwk.n, e: jwk.e, issuer: `${this.url}/{tenantid}/v2.0` };
  }

  /**
   * A signed-in user's v2.0 token for an app (`aud` = its client id), RS256 with the published key, the
   * claims in the order Entra writes them (ID token claims reference). Tests act as the platform's token
   * store with it: what App Service forwards in X-MS-TOKEN-AAD-ID-TOKEN or an API caller's bearer token.
   * `override` replaces or (with undefined) removes claims; `signWith: 'other'` signs with a key that is
   * not published, as a forger would.
   */
  signUserToken(user: UserTokenClaims, override: Record<string, unknown> = {}, signWith: 'published' | 'other' = 'published'): string {
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      aud: user.audience, iss: `${this.url}/${user.tenantId}/v2.0`, iat: now, nbf: now, exp: now + 3600,
      name: user.name, oid: user.objectId, preferred_username: user.preferredUsername,
      rh: '0.AAAA' + randomBytes(12).toString('base64url'),
      ...(user.roles?.length ? { roles: user.roles } : {}),
      sub: createHash('sha256').update(`${user.objectId}:${user.audience}`).digest('base64url').slice(0, 43),
      tid: user.tenantId, uti: randomBytes(16).toString('base64url').slice(0, 22), ver: '2.0',
    };
    for (const [k, v] of Object.entries(override)) {
      if (v === undefined) delete claims[k];
      else claims[k] = v;
    }
    const key: KeyObject = signWith === 'published' ? this.userKey.privateKey : generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    return jwt.sign(claims, key, { algorithm: 'RS256', keyid: this.userKeyId });
  }

  /** What MSAL reads with instance discovery off: issuer, authorization/token endpoints, jwks_uri. */
  private openIdConfiguration(tenant: string): SimResponse {
    const base = `${this.url}/${tenant}`;
    return {
      status: 200,
      body: {
        token_endpoint: `${base}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        jwks_uri: `${base}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        issuer: `${base}/v2.0`,
        request_uri_parameter_supported: false,
        userinfo_endpoint: `${this.url}/oidc/userinfo`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
        http_logout_supported: true,
        frontchannel_logout_supported: true,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'name', 'oid', 'preferred_username', 'tid', 'roles', 'ver'],
        kerberos_endpoint: `${base}/kerberos`,
        tenant_region_scope: 'EU',
        cloud_instance_name: 'simulator',
        cloud_graph_host_name: new URL(this.url).host,
        msgraph_host: new URL(this.url).host,
        rbac_url: this.url,
      },
    };
  }

  /** Entra's OAuth error body (AADSTS code in the description, trace and correlation ids). */
  private aadError(status: number, error: string, code: number, description: string): SimResponse {
    const trace = randomUUID();
    const correlation = randomUUID();
    const timestamp = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
    return {
      status,
      body: {
        error,
        error_description: `AADSTS${code}: ${description} Trace ID: ${trace} Correlation ID: ${correlation} Timestamp: ${timestamp}`,
        error_codes: [code], timestamp, trace_id: trace, correlation_id: correlation, error_uri: `${this.url}/error?code=${code}`,
      },
    };
  }

  /**
   * App Service's managed identity endpoint (api-version 2019-08-01): the identity's token for a resource,
   * in its home tenant only. For api://AzureADTokenExchange it is the assertion a federated identity
   * credential accepts (iss = the home tenant's v2.0 issuer, sub = the identity's object id).
   */
  private managedIdentityToken(query: URLSearchParams, header: string | undefined): SimResponse {
    if (header !== this.identityHeader) return { status: 401, body: { error: 'unauthorized', error_description: 'The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.' } };
    if (query.get('api-version') !== '2019-08-01') return { status: 400, body: { error: 'invalid_request', error_description: 'api-version must be 2019-08-01.' } };
    const mi = this.managedIdentity;
    const clientId = query.get('client_id');
    if (clientId && clientId !== mi.clientId) return { status: 400, body: { error: 'invalid_request', error_description: `No user-assigned identity with client id ${clientId} is assigned to this app.` } };
    const resource = (query.get('resource') ?? '').replace(/\/$/, '');
    // The identity's home may hold no scenario (a supplier's own tenant): then it has no Graph roles there.
    const granted = this.tenants.get(mi.homeTenantId.toLowerCase())?.scenario.grantedPermissions ?? [];
    const base = { tid: mi.homeTenantId, oid: mi.objectId, sub: mi.objectId, appid: mi.clientId, azp: mi.clientId, idtyp: 'app' };
    let claims: Record<string, unknown>;
    if (resource === 'api://AzureADTokenExchange') claims = base;
    else if (resource === this.url) claims = { ...base, ...(granted.length ? { roles: [...granted] } : {}) };
    else if (resource === KEY_VAULT_RESOURCE) claims = base;
    else return { status: 400, body: { error: 'invalid_resource', error_description: `The simulator gives the managed identity tokens only for ${this.url}, ${KEY_VAULT_RESOURCE} and api://AzureADTokenExchange, not ${resource}.` } };
    const expiresOn = Math.floor(Date.now() / 1000) + 3600;
    const access = jwt.sign(claims, this.signingKey, { algorithm: 'HS256', audience: resource, expiresIn: 3600, issuer: `${this.url}/${mi.homeTenantId}/v2.0` });
    return { status: 200, body: { access_token: access, expires_on: String(expiresOn), resource, token_type: 'Bearer', client_id: mi.clientId } };
  }

  /**
   * Key Vault's Get Secret (GET {vault}/secrets/{name}[/{version}]?api-version=7.4): a bearer token for
   * https://vault.azure.net from the vault's tenant (the managed identity's home), 401 with Key Vault's
   * challenge without one; 403 ForbiddenByRbac for a caller without a secrets-reading role; 404
   * SecretNotFound; the secret's value, id, contentType and attributes.
   */
  private keyVaultGetSecret(method: string, url: URL, authorization: string | undefined): SimResponse {
    const vaultError = (status: number, code: string, message: string, headers?: Record<string, string>): SimResponse => ({ status, headers, body: { error: { code, message } } });
    const match = /^\/keyvault\/secrets\/([0-9a-zA-Z-]+)(?:\/([0-9a-f]{32}))?\/?$/.exec(url.pathname);
    if (!match) return vaultError(400, 'BadParameter', `The request URI ${url.pathname} is not a Key Vault secret.`);
    if (method !== 'GET') return vaultError(405, 'MethodNotAllowed', 'The simulator\'s Key Vault serves Get Secret only.');
    if (!url.searchParams.get('api-version')) return vaultError(400, 'BadParameter', 'The api-version query parameter is missing.');
    const tenant = this.managedIdentity.homeTenantId;
    const challenge = { 'WWW-Authenticate': `Bearer authorization="${this.url}/${tenant}", resource="${KEY_VAULT_RESOURCE}"` };
    const bearer = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
    if (!bearer) return vaultError(401, 'Unauthorized', 'AKV10000: Request is missing a Bearer or PoP token.', challenge);
    let claims: jwt.JwtPayload;
    try {
      claims = jwt.verify(bearer, this.verifyKey, { algorithms: ['HS256'] }) as jwt.JwtPayload;
    } catch {
      return vaultError(401, 'Unauthorized', 'AKV10032: Invalid issuer or signature.', challenge);
    }
    if (String(claims.aud).replace(/\/$/, '') !== KEY_VAULT_RESOURCE) return vaultError(401, 'Unauthorized', `AKV10022: Invalid audience. Expected ${KEY_VAULT_RESOURCE}, found: ${claims.aud}.`, challenge);
    if (String(claims.tid).toLowerCase() !== tenant.toLowerCase()) return vaultError(401, 'Unauthorized', `AKV10032: Invalid issuer. Expected one of the vault's tenant (${tenant}), found: ${claims.tid}.`, challenge);
    if (!this.keyVault.readers.has(String(claims.oid))) {
      return vaultError(403, 'Forbidden', `Caller is not authorized to perform action on resource. Caller: appid=${claims.appid};oid=${claims.oid} Action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'`, undefined);
    }
    const name = match[1];
    const secret = [...this.keyVault.secrets].find(([n]) => n.toLowerCase() === name.toLowerCase());
    if (!secret) return vaultError(404, 'SecretNotFound', `A secret with (name/id) ${name} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command.`);
    const version = createHash('sha256').update(secret[0]).digest('hex').slice(0, 32);
    return { status: 200, body: {
      value: secret[1].value, id: `${this.url}/keyvault/secrets/${secret[0]}/${version}`,
      ...(secret[1].contentType ? { contentType: secret[1].contentType } : {}),
      attributes: { enabled: true, created: 1764460800, updated: 1764460800, recoveryLevel: 'Recoverable+Purgeable' },
    } };
  }

  /** A managed identity's token as the app's client assertion, checked against the app's federated identity credential. */
  private checkFederatedAssertion(assertion: string): SimResponse | undefined {
    let claims: jwt.JwtPayload;
    try {
      claims = jwt.verify(assertion, this.verifyKey, { algorithms: ['HS256'] }) as jwt.JwtPayload;
    } catch (err) {
      if (err instanceof jwt.TokenExpiredError) return this.aadError(401, 'invalid_client', 700024, 'Client assertion is not within its valid time range.');
      return this.aadError(401, 'invalid_client', 700027, 'Client assertion failed signature validation.');
    }
    const issuerTenant = /\/([^/]+)\/v2\.0$/.exec(String(claims.iss))?.[1];
    if (issuerTenant?.toLowerCase() !== this.appHomeTenantId.toLowerCase()) {
      return this.aadError(400, 'invalid_request', 700236, `Entra ID tokens issued by issuer '${claims.iss}' may not be used for federated identity credential flows for applications or managed identities registered in this tenant.`);
    }
    const mi = this.managedIdentity;
    if (claims.aud !== 'api://AzureADTokenExchange' || !mi.trustedByApp || claims.sub !== mi.objectId) {
      return this.aadError(401, 'invalid_client', 70021, `No matching federated identity record found for presented assertion. Assertion Issuer: '${claims.iss}'. Assertion Subject: '${claims.sub}'. Assertion Audience: '${claims.aud}'.`);
    }
    return undefined;
  }

  private issueToken(tenantId: string, form: URLSearchParams): SimResponse {
    const tenant = this.tenants.get(tenantId.toLowerCase());
    if (!tenant) return this.aadError(400, 'invalid_tenant', 90002, `Tenant '${tenantId}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`);
    if (form.get('grant_type') !== 'client_credentials') return this.aadError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
    const clientId = form.get('client_id');
    if (clientId !== this.clientId) return this.aadError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${tenant.scenario.organization}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`);
    const assertion = form.get('client_assertion');
    if (assertion) {
      const refusal = this.checkAssertion(assertion, form.get('client_assertion_type'), tenant);
      if (refusal) return refusal;
    } else if (form.get('client_secret') !== this.clientSecret) {
      return this.aadError(401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${this.clientId}'.`);
    }
    const scope = form.get('scope') ?? '';
    if (!/\/\.default$/.test(scope)) return this.aadError(400, 'invalid_scope', 1002012, `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
    const resource = scope.replace(/\/\.default$/, '').replace(/\/$/, '');
    const isExchange = resource === `${this.url}/exchange`;
    if (resource !== this.url && !isExchange) return this.aadError(400, 'invalid_resource', 500011, `The resource principal named ${resource} was not found in the tenant named ${tenant.scenario.organization}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`);
    const roles = isExchange ? (tenant.scenario.exchangeManageAsApp ? ['Exchange.ManageAsApp'] : []) : [...tenant.scenario.grantedPermissions];
    const access = jwt.sign(
      { tid: tenant.tenantId, appid: this.clientId, azp: this.clientId, idtyp: 'app', oid: this.clientId, sub: this.clientId, ...(roles.length ? { roles } : {}) },
      this.signingKey,
      { algorithm: 'HS256', audience: resource, expiresIn: 3600, issuer: `${this.url}/${tenant.tenantId}/v2.0` },
    );
    return { status: 200, body: { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: access } };
  }

  /** A client assertion: a JWT signed with the registered certificate's key, iss = sub = the app, aud = our token endpoint. */
  private checkAssertion(assertion: string, type: string | null, tenant: TenantState): SimResponse | undefined {
    if (type !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') return this.aadError(400, 'invalid_request', 700025, 'Client assertion type is invalid; use urn:ietf:params:oauth:client-assertion-type:jwt-bearer.');
    // A token the simulator itself issued (HS256) is a managed identity's: a federated credential, not a certificate.
    if (jwt.decode(assertion, { complete: true })?.header.alg === 'HS256') return this.checkFederatedAssertion(assertion);
    let claims: jwt.JwtPayload;
    try {
      // Entra allows some clock skew, so does the simulator.
      claims = jwt.verify(assertion, this.clientCert.publicKey.export({ type: 'spki', format: 'pem' }) as string, { algorithms: ['RS256', 'PS256'], clockTolerance: 300 }) as jwt.JwtPayload;
    } catch (err) {
      if (err instanceof jwt.TokenExpiredError) return this.aadError(401, 'invalid_client', 700024, 'Client assertion is not within its valid time range.');
      return this.aadError(401, 'invalid_client', 700027, 'Client assertion failed signature validation.');
    }
    if (claims.iss !== this.clientId || claims.sub !== this.clientId) return this.aadError(401, 'invalid_client', 700021, 'Client assertion application identifier doesn\'t match \'client_id\' parameter.');
    // Entra accepts the token endpoint, with or without the tenant, as audience: check loosely.
    const audiences = ([] as string[]).concat(claims.aud ?? []);
    if (!audiences.some((a) => a.startsWith(this.url) && (a.includes(tenant.tenantId) || a.includes('/oauth2/')))) {
      return this.aadError(401, 'invalid_client', 700212, `The client assertion's audience claim does not match the token endpoint ${this.url}/${tenant.tenantId}/oauth2/v2.0/token.`);
    }
    return undefined;
  }

  /** `cut`: a streamed body stops after half its bytes and the connection is destroyed (cutBodyRate). */
  private send(res: ServerResponse, r: SimResponse, cut = false): void {
    if (res.destroyed) return;
    const headers: Record<string, string> = { 'request-id': randomUUID(), ...(r.headers ?? {}) };
    if (r.stream) {
      headers['Content-Type'] ??= 'application/octet-stream';
      headers['Content-Length'] = String(r.stream.length);
      res.writeHead(r.status, headers);
      streamTo(res, r.stream.chunks()[Symbol.iterator](), cut ? Math.floor(r.stream.length / 2) : undefined);
      return;
    }
    let payload: Buffer | undefined;
    if (r.raw) {
      payload = r.raw;
      headers['Content-Type'] ??= 'application/octet-stream';
    } else if (r.body !== undefined) {
      payload = Buffer.from(JSON.stringify(r.body));
      headers['Content-Type'] = 'application/json; odata.metadata=minimal; charset=utf-8';
    }
    headers['Content-Length'] = String(payload?.length ?? 0);
    res.writeHead(r.status, headers);
    res.end(payload);
  }
}

/**
 * Writes generated chunks as the socket drains, so a 60 MB message never sits in memory whole. With
 * `cutAt`, only that many bytes are written, then the connection is destroyed once they are flushed: the
 * client sees the response end before its Content-Length (FaultOptions.cutBodyRate).
 */
function streamTo(res: ServerResponse, chunks: Iterator<Buffer>, cutAt?: number): void {
  let left = cutAt ?? Infinity;
  const pump = (): void => {
    for (;;) {
      if (res.destroyed) return;
      const next = chunks.next();
      if (next.done) {
        res.end();
        return;
      }
      if (next.value.length >= left) {
        res.write(next.value.subarray(0, left), () => res.socket?.destroy());
        return;
      }
      left -= next.value.length;
      if (!res.write(next.value)) {
        res.once('drain', pump);
        return;
      }
    }
  };
  pump();
}

/**
 * Whether an Accept-Encoding header allows gzip (RFC 9110 §12.5.3): `gzip` (or `x-gzip`) listed with a
 * q-value above 0, or else `*` with one.
 */
function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  const codings = new Map(header.split(',').map((part) => {
    const [coding, ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    return [coding, q === undefined ? 1 : Number(q.slice(2))] as const;
  }));
  const q = codings.get('gzip') ?? codings.get('x-gzip') ?? codings.get('*');
  return q !== undefined && q > 0;
}

/** A generated body gzip-compressed, as the compressed chunks (FaultOptions.gzipDownloads). */
async function gzipChunks(chunks: Iterable<Buffer>): Promise<Buffer[]> {
  const gzip = createGzip();
  const out: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    gzip.on('data', (c: Buffer) => out.push(c));
    gzip.on('end', resolve);
    gzip.on('error', reject);
  });
  for (const c of chunks) {
    if (!gzip.write(c)) await new Promise((resolve) => gzip.once('drain', resolve));
  }
  gzip.end();
  await done;
  return out;
}

/** Why a $batch payload is refused, or undefined when it is well formed. */
/** Graph evaluates each $batch item against its limits on its own: a batch is as many units as it carries. */
function batchItemCount(body: Buffer): number {
  try {
    const requests = (JSON.parse(body.toString('utf8')) as { requests?: unknown }).requests;
    return Array.isArray(requests) && requests.length ? requests.length : 1;
  } catch {
    return 1;
  }
}

function batchProblem(requests: unknown): string | undefined {
  if (!Array.isArray(requests)) return 'Invalid batch payload format: "requests" must be an array.';
  if (requests.length === 0) return 'Invalid batch payload format: the batch has no requests.';
  if (requests.length > 20) return 'Invalid batch payload format: the number of requests in the batch exceeds the maximum of 20.';
  const ids = new Set<string>();
  for (const r of requests as Partial<BatchItem>[]) {
    if (!r || typeof r.id !== 'string' || !r.id) return 'Invalid batch payload format: every request needs a string id.';
    if (typeof r.method !== 'string' || typeof r.url !== 'string') return `Invalid batch payload format: request ${r.id} needs a method and a url.`;
    if (ids.has(r.id)) return `Invalid batch payload format: the request id ${r.id} is used more than once.`;
    ids.add(r.id);
  }
  for (const r of requests as BatchItem[]) {
    for (const d of r.dependsOn ?? []) if (!ids.has(d)) return `Invalid batch payload format: request ${r.id} depends on ${d}, which is not in the batch.`;
  }
  // A dependency cycle could never run.
  const byId = new Map((requests as BatchItem[]).map((r) => [r.id, r]));
  const state = new Map<string, 'visiting' | 'done'>();
  const cyclic = (id: string): boolean => {
    if (state.get(id) === 'done') return false;
    if (state.get(id) === 'visiting') return true;
    state.set(id, 'visiting');
    const found = (byId.get(id)!.dependsOn ?? []).some(cyclic);
    state.set(id, 'done');
    return found;
  };
  if ([...byId.keys()].some(cyclic)) return 'Invalid batch payload format: the dependsOn references form a cycle.';
  return undefined;
}

/** One entry of a $batch response: status, headers (Retry-After included), body inline (binary as base64). */
function batchResponse(id: string, r: SimResponse): Record<string, unknown> {
  const headers: Record<string, string> = { ...(r.headers ?? {}) };
  let body: unknown = r.body;
  if (r.stream || r.raw) {
    body = (r.raw ?? collect(r.stream!)).toString('base64');
    headers['Content-Type'] ??= 'application/octet-stream';
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8';
  }
  return { id, status: r.status, headers, ...(body === undefined ? {} : { body }) };
}

/** Echoes the caller's client-request-id in the header and in an error body's innerError, as Graph does. */
function withClientRequestId(r: SimResponse, headers: Record<string, string>): SimResponse {
  const id = headers['client-request-id'];
  if (!id) return r;
  const error = (r.body as { error?: { innerError?: Record<string, string> } } | undefined)?.error;
  const body = error?.innerError ? { ...(r.body as object), error: { ...error, innerError: { ...error.innerError, 'client-request-id': id } } } : r.body;
  return { ...r, body, headers: { ...(r.headers ?? {}), 'client-request-id': id } };
}

function lower(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), String(v)]));
}

/**
 * Decodes a request path for routing, except %2F and %25: a '/' or '%' inside a name stays encoded so
 * path-addressed items (root:/a%2Fb:) keep their segments; segment readers decode those two.
 */
function decodePath(path: string): string {
  return path.replace(/(%[0-9A-Fa-f]{2})+/g, (run) => run.split(/(%2[fF]|%25)/).map((piece, i) => {
    if (i % 2) return piece;
    try {
      return decodeURIComponent(piece);
    } catch {
      return piece;
    }
  }).join(''));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A request path as routed: decoded (decodePath), and users('upn') (Graph's other way of addressing a user) as users/upn. */
function routingPath(rawPath: string): string {
  return decodePath(rawPath).replace(/^\/users\('([^']+)'\)/, (_, upn: string) => `/users/${upn.replace(/''/g, "'")}`);
}

/** Runs the tasks given to it at most `n` at a time, in the order given. */
function turns(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const queue: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= n) await new Promise<void>((go) => queue.push(go));
    else running++;
    try {
      return await task();
    } finally {
      const next = queue.shift();
      if (next) next();
      else running--;
    }
  };
}
