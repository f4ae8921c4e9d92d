// The one object collect and offboarding use to reach a tenant: the Graph client with our middleware,
// paging, batching, delta, the Exchange admin client, the request meter, the mailbox limiter and the
// app's process-wide Outlook concurrency limiter.
import {
  AuthenticationHandler,
  type AuthenticationProvider,
  BatchRequestContent,
  Client,
  HTTPMessageHandler,
  PageIterator,
  ResponseType,
  type PageCollection,
} from '@microsoft/microsoft-graph-client';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { TokenCredential } from '@azure/identity';
import pLimit from 'p-limit';
import type { Settings } from '../config/env';
import { createCredential, rolesOf } from './credential';
import { GraphRequestError, graphRequestError, toGraphRequestError } from './errors';
import { ExchangeClient } from './exchange';
import { RequestMeter } from './meter';
import { MailboxPacingMiddleware, MeterMiddleware, OutlookConcurrencyMiddleware, RetryMiddleware } from './middleware';
import { nextClientRequestId } from './correlation';
import { RetryLoop } from './retry';
import { DEFAULT_RETRY, MailboxBudget, MailboxLimiter, mailboxOfUrl, OUTLOOK_MAILBOX_BUDGET, outlookAppKey, outlookLimiterFor, SharedThrottle, sleep, type MailboxBudgetOptions, type RetryPolicy, type WeightedSemaphore } from './throttle';

export type GraphVersion = 'v1.0' | 'beta';

/** $batch items held back by mailbox pauses that end this close together go in one round, not one round each. */
const BATCH_COALESCE_MS = 50;

export interface BatchItem {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Relative to the version, e.g. `/users/{id}/drive`. */
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface BatchResult {
  status: number;
  body: unknown;
  headers: Record<string, string>;
  /** Set when status is not 2xx: a typed error naming the request (and the permission on 403). */
  error?: GraphRequestError;
}

export interface GraphContextOptions {
  retry?: Partial<RetryPolicy>;
  /** Concurrent $batch requests in flight (naive mode: concurrent single requests standing in for one batch call, 1 unless set). */
  batchConcurrency?: number;
  /** Benchmarks' naive baselines: no $batch, each item sent alone (one at a time unless batchConcurrency says more). */
  naive?: boolean;
  /** Outlook's per-mailbox request budget the client paces to (default 10,000 per 10 minutes). */
  mailboxBudget?: MailboxBudgetOptions;
}

/**
 * The Graph client's token source: the credential's (cached, graph/credential.ts) token for the scope.
 * In place of the SDK's TokenCredentialAuthenticationProvider, which builds an Error (a stack trace) on
 * every request in case it needs one.
 */
function tokenProvider(credential: TokenCredential, scope: string): AuthenticationProvider {
  return {
    async getAccessToken() {
      const token = await credential.getToken(scope);
      if (!token) throw new Error(`The credential gave no access token for ${scope}.`);
      return token.token;
    },
  };
}

export class GraphContext {
  readonly client: Client;
  readonly meter = new RequestMeter();
  readonly throttle = new SharedThrottle();
  readonly mailboxLimiter = new MailboxLimiter(4);
  /**
   * Outlook's 4 concurrent requests per app ID, shared by every context of the process with the same app
   * (all councils): each request to a mailbox holds 1 while on the wire, a $batch 1 per Outlook item up to 4.
   */
  readonly outlookLimiter: WeightedSemaphore;
  /** Requests to each mailbox are paced to Outlook's budget rather than refused at it. */
  readonly mailboxBudget: MailboxBudget;
  readonly exchange: ExchangeClient;
  readonly credential: TokenCredential;
  /** The run's one retry loop (graph/retry.ts), shared with the middleware, Exchange and uploads. */
  readonly retryLoop: RetryLoop;
  private readonly batchLimit: ReturnType<typeof pLimit>;

  constructor(readonly settings: Settings, private readonly options: GraphContextOptions = {}) {
    this.credential = createCredential(settings);
    this.retryLoop = new RetryLoop(this.throttle, { ...DEFAULT_RETRY, ...options.retry });
    this.batchLimit = pLimit(options.batchConcurrency ?? (options.naive ? 1 : 4));
    const base = new URL(settings.graphBaseUrl);
    const auth = new AuthenticationHandler(tokenProvider(this.credential, `${settings.graphBaseUrl}/.default`));
    const retry = new RetryMiddleware(this.retryLoop, this.meter);
    this.mailboxBudget = new MailboxBudget(options.mailboxBudget ?? OUTLOOK_MAILBOX_BUDGET);
    const pacing = new MailboxPacingMiddleware(this.mailboxBudget);
    this.outlookLimiter = outlookLimiterFor(outlookAppKey(settings));
    const outlook = new OutlookConcurrencyMiddleware(this.outlookLimiter);
    const meter = new MeterMiddleware(this.meter);
    auth.setNext(retry);
    retry.setNext(pacing);
    pacing.setNext(outlook);
    outlook.setNext(meter);
    meter.setNext(new HTTPMessageHandler());
    // The client attaches the token only to Graph's own hosts and these (hostname, no port).
    this.client = Client.initWithMiddleware({ middleware: auth, baseUrl: settings.graphBaseUrl, customHosts: new Set([base.hostname]), defaultVersion: 'v1.0' });
    this.exchange = new ExchangeClient(settings, this.credential, this.meter, this.retryLoop);
  }

  /** Application permissions granted to the app in this tenant (the token's roles claim). */
  async grantedRoles(): Promise<string[]> {
    const token = await this.credential.getToken(`${this.settings.graphBaseUrl}/.default`);
    return rolesOf(token?.token);
  }

  private wrap(err: unknown, method: string, path: string): Error {
    return toGraphRequestError(err, method, path);
  }

  async get<T>(path: string, select?: string[], version: GraphVersion = 'v1.0', headers?: Record<string, string>): Promise<T> {
    try {
      const req = this.client.api(path).version(version);
      if (select) req.select(select);
      if (headers) req.headers(headers);
      return (await req.get()) as T;
    } catch (err) {
      throw this.wrap(err, 'GET', `/${version}${path}`);
    }
  }

  /** `headers` e.g. Content-Type text/plain for sendMail's MIME form; a string body is sent as it is. */
  async send<T>(method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown, version: GraphVersion = 'v1.0', headers?: Record<string, string>): Promise<T> {
    try {
      const req = this.client.api(path).version(version);
      if (headers) req.headers(headers);
      const res = method === 'POST' ? await req.post(body) : method === 'PATCH' ? await req.patch(body) : method === 'PUT' ? await req.put(body) : await req.delete();
      return res as T;
    } catch (err) {
      throw this.wrap(err, method, `/${version}${path}`);
    }
  }

  /**
   * A GET whose body is streamed rather than parsed (a message's MIME, a file's content): the body and
   * its decoded length when known (announced and not content-encoded), or 'gone' on 404. Other failures are GraphRequestErrors that keep the
   * response headers (Retry-After).
   */
  async download(path: string, headers?: Record<string, string>): Promise<{ body: Readable; size?: number } | 'gone'> {
    let res: Response;
    try {
      const req = this.client.api(path).responseType(ResponseType.RAW);
      if (headers) req.headers(headers);
      res = await req.get() as Response;
    } catch (err) {
      throw this.wrap(err, 'GET', `/v1.0${path}`);
    }
    if (res.status === 404) {
      await res.body?.cancel().catch(() => {});
      return 'gone';
    }
    if (!res.ok || !res.body) {
      const body = await res.json().catch(() => undefined);
      const err = graphRequestError(res.status, body, 'GET', `/v1.0${path}`, res.headers.get('request-id') ?? undefined, res.headers.get('client-request-id') ?? undefined);
      throw Object.assign(err, { headers: res.headers });
    }
    // fetch asks for gzip/deflate and decodes the body, but Content-Length is the length of the encoded
    // bytes (RFC 9110 §8.6): with a Content-Encoding the decoded length is unknown, so no size is given
    // and callers spool the body to learn it.
    const encoding = res.headers.get('content-encoding')?.trim().toLowerCase();
    const encoded = Boolean(encoding) && encoding !== 'identity';
    const length = Number(res.headers.get('content-length'));
    const size = !encoded && res.headers.has('content-length') && Number.isFinite(length) ? length : undefined;
    return { body: Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), size };
  }

  /**
   * Every item of a collection, in order, following @odata.nextLink with PageIterator. `select` is the
   * $select list; `null` only for an API whose page documents no $select (List signIns), which Graph refuses.
   */
  async pageAll<T>(path: string, select: string[] | null, opts: { filter?: string; top?: number; version?: GraphVersion; headers?: Record<string, string> } = {}): Promise<T[]> {
    if (select && !select.length) throw new Error(`pageAll(${path}) needs an explicit $select list`);
    const version = opts.version ?? 'v1.0';
    const items: T[] = [];
    try {
      const req = this.client.api(path).version(version);
      if (select) req.select(select);
      if (opts.filter) req.filter(opts.filter);
      if (opts.top) req.top(opts.top);
      if (opts.headers) req.headers(opts.headers);
      const first = (await req.get()) as PageCollection;
      const iterator = new PageIterator(this.client, first, (item: T) => { items.push(item); return true; }, opts.headers ? { headers: opts.headers } : undefined);
      await iterator.iterate();
    } catch (err) {
      throw this.wrap(err, 'GET', `/${version}${path}`);
    }
    return items;
  }

  /**
   * A collection's items in order, handed over `batchSize` at a time: PageIterator is paused when a batch
   * is full and resumed once `onBatch` has dealt with it, so a long listing (a 25,000-message folder)
   * never has to be held whole. Same options as pageAll.
   */
  async pageEach<T>(path: string, select: string[], opts: { filter?: string; top?: number; version?: GraphVersion; headers?: Record<string, string> }, batchSize: number, onBatch: (items: T[]) => Promise<void>): Promise<void> {
    if (!select.length) throw new Error(`pageEach(${path}) needs an explicit $select list`);
    const version = opts.version ?? 'v1.0';
    let batch: T[] = [];
    let iterator: PageIterator;
    try {
      const req = this.client.api(path).version(version).select(select);
      if (opts.filter) req.filter(opts.filter);
      if (opts.top) req.top(opts.top);
      if (opts.headers) req.headers(opts.headers);
      const first = (await req.get()) as PageCollection;
      iterator = new PageIterator(this.client, first, (item: T) => { batch.push(item); return batch.length < batchSize; }, opts.headers ? { headers: opts.headers } : undefined);
      await iterator.iterate();
    } catch (err) {
      throw this.wrap(err, 'GET', `/${version}${path}`);
    }
    for (;;) {
      if (batch.length) {
        const full = batch;
        batch = [];
        await onBatch(full);
      }
      if (iterator.isComplete()) return;
      try {
        await iterator.resume();
      } catch (err) {
        throw this.wrap(err, 'GET', `/${version}${path}`);
      }
    }
  }

  /**
   * A delta round: from a path (first read) or a stored deltaLink, through every nextLink, to the new
   * deltaLink. Raw requests rather than PageIterator, because the deltaLink is the result that matters.
   */
  async delta<T>(pathOrLink: string, select: string[], version: GraphVersion = 'v1.0'): Promise<{ values: T[]; deltaLink?: string }> {
    const values: T[] = [];
    let page: { value?: T[]; '@odata.nextLink'?: string; '@odata.deltaLink'?: string };
    try {
      page = pathOrLink.startsWith('https://')
        ? await this.client.api(pathOrLink).get()
        : await this.client.api(pathOrLink).version(version).select(select).get();
      for (;;) {
        values.push(...(page.value ?? []));
        if (!page['@odata.nextLink']) break;
        page = await this.client.api(page['@odata.nextLink']).get();
      }
    } catch (err) {
      throw this.wrap(err, 'GET', pathOrLink);
    }
    return { values, deltaLink: page['@odata.deltaLink'] };
  }

  /**
   * JSON $batch: split into 20s, run batches under p-limit, retry per-item 429/503/504 honouring each
   * item's Retry-After (the SDK does not retry inner items), return results in input order. An item to a
   * mailbox also waits for that mailbox's pause, and its 429 pauses only that mailbox ("Microsoft Graph
   * throttling guidance", Throttling and batching: items are evaluated individually against throttling
   * limits, and each is retried after its own retry-after), so other items are not held back by it.
   */
  async batch(requests: BatchItem[], opts: { version?: GraphVersion } = {}): Promise<BatchResult[]> {
    const results: BatchResult[] = new Array(requests.length);
    await this.batchEach(requests, (res, i) => { results[i] = res; }, opts);
    return results;
  }

  /**
   * $batch whose items are turned into what the caller keeps as each arrives, so a large read (every
   * mailbox's rules, every shared item's permissions) never holds all the raw bodies at once. Results come
   * back in input order; when `convert` throws for some items, the first of them in input order is thrown
   * once every item is done, as a loop over `batch`'s results would.
   */
  async batchMap<T>(requests: BatchItem[], convert: (res: BatchResult, index: number) => T, opts: { version?: GraphVersion } = {}): Promise<T[]> {
    const out: T[] = new Array(requests.length);
    let failed: { index: number; err: unknown } | undefined;
    await this.batchEach(requests, (res, i) => {
      try {
        out[i] = convert(res, i);
      } catch (err) {
        if (!failed || i < failed.index) failed = { index: i, err };
      }
    }, opts);
    if (failed) throw failed.err;
    return out;
  }

  /** The $batch loop: each item's final result (after its retries) goes to `onResult`, in any order. */
  private async batchEach(requests: BatchItem[], onResult: (res: BatchResult, index: number) => void, opts: { version?: GraphVersion } = {}): Promise<void> {
    const version = opts.version ?? 'v1.0';
    if (this.options.naive) {
      await Promise.all(requests.map((request, i) => this.batchLimit(async () => { onResult(await this.single(request, version), i); })));
      return;
    }
    let pending = requests.map((_, i) => i);
    // Per item: rounds that ended in 429 (their own budget), rounds in all, when it may be sent again, its mailbox.
    const throttledRounds = new Array<number>(requests.length).fill(0);
    const rounds = new Array<number>(requests.length).fill(0);
    const notBefore = new Array<number>(requests.length).fill(0);
    const mailboxes = requests.map((r) => mailboxOfUrl(`/${version}${r.url}`));
    const readyAt = (i: number) => Math.max(notBefore[i], this.throttle.until(mailboxes[i]));
    while (pending.length) {
      // As before, a round waits for the longest wait among its items; but an item held back by its
      // mailbox's own pause does not hold the round back: it goes in the first round after that pause.
      const now = Date.now();
      const held = (i: number) => mailboxes[i] !== undefined && this.throttle.until(mailboxes[i]) > Math.max(now, this.throttle.until());
      const free = pending.filter((i) => !held(i));
      const until = free.length
        ? free.reduce((max, i) => Math.max(max, readyAt(i)), 0)
        : pending.reduce((min, i) => Math.min(min, readyAt(i)), Infinity) + BATCH_COALESCE_MS;
      const group = pending.filter((i) => readyAt(i) <= until);
      const wait = group.reduce((max, i) => Math.max(max, readyAt(i)), 0) - now;
      if (wait > 0) await sleep(wait);
      // A pause that began meanwhile (another caller's 429) keeps its items back.
      const due = group.filter((i) => readyAt(i) <= Date.now());
      const sent = new Set(due);
      const later = pending.filter((i) => !sent.has(i));
      const chunks: number[][] = [];
      for (let i = 0; i < due.length; i += 20) chunks.push(due.slice(i, i + 20));
      const retryNext: number[] = [];
      await Promise.all(chunks.map((chunk) => this.batchLimit(async () => {
        const { responses, clientRequestId } = await this.sendBatch(chunk.map((i) => requests[i]), version);
        chunk.forEach((index, j) => {
          const res = responses[j];
          if (res.status === 429) this.meter.count('throttled', requests[index].url);
          const after = this.retryLoop.delayAfter(rounds[index], { status: res.status, retryAfter: res.headers['retry-after'] ?? res.headers['Retry-After'] }, throttledRounds[index], mailboxes[index]);
          rounds[index]++;
          if (res.status === 429) throttledRounds[index]++;
          if (after !== undefined) {
            retryNext.push(index);
            notBefore[index] = Date.now() + after;
          } else {
            onResult(res.status >= 400
              ? { ...res, error: graphRequestError(res.status, res.body, requests[index].method, `/${version}${requests[index].url}`, res.headers['request-id'], clientRequestId) }
              : res, index);
          }
        });
      })));
      if (retryNext.length) this.meter.count('itemRetry', undefined, retryNext.length);
      pending = [...later, ...retryNext].sort((a, b) => a - b);
    }
  }

  /** One $batch request; its client-request-id is chosen here so that each item's error can name it. */
  private async sendBatch(items: BatchItem[], version: GraphVersion): Promise<{ responses: BatchResult[]; clientRequestId: string }> {
    const content = new BatchRequestContent(items.map((item, i) => ({
      id: String(i),
      request: new Request(`${this.settings.graphBaseUrl}${item.url}`, {
        method: item.method,
        headers: { ...(item.body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...item.headers },
        body: item.body !== undefined ? JSON.stringify(item.body) : undefined,
      }),
    })));
    for (const item of items) this.meter.count('batchItem', item.url);
    const clientRequestId = nextClientRequestId();
    let raw: unknown;
    try {
      raw = await this.client.api('/$batch').version(version).header('client-request-id', clientRequestId).post(await content.getContent());
    } catch (err) {
      throw this.wrap(err, 'POST', `/${version}/$batch`);
    }
    const responses = items.map((_, i) => batchItemResult(raw, String(i)));
    return { responses, clientRequestId };
  }

  private async single(item: BatchItem, version: GraphVersion): Promise<BatchResult> {
    try {
      const body = item.method === 'GET' ? await this.get(item.url, undefined, version) : await this.send(item.method, item.url, item.body, version);
      return { status: 200, body, headers: {} };
    } catch (err) {
      if (err instanceof GraphRequestError) return { status: err.status, body: { error: { code: err.code, message: err.message } }, headers: {}, error: err };
      throw err;
    }
  }
}

/**
 * One item of a parsed $batch response, as the SDK's BatchResponseContent would give it (a JSON body as
 * it is, any other body as its text, parsed if it is JSON; header names lower-cased), without its round
 * trip through a Response (JSON.stringify, then text, then JSON.parse again) for every item: at 15,000
 * users that was three copies of every body, allocated for nothing.
 */
function batchItemResult(raw: unknown, id: string): BatchResult {
  const all = (raw as { responses?: unknown } | null | undefined)?.responses;
  if (!Array.isArray(all)) throw new Error('the $batch response has no "responses" list');
  const item = (all as { id?: unknown; status?: number; headers?: Record<string, unknown>; body?: unknown }[]).find((r) => r.id === id);
  if (!item) return { status: 500, body: { error: { code: 'MissingBatchResponse', message: 'the batch response had no item for this request' } }, headers: {} };
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(item.headers ?? {})) {
    const name = k.toLowerCase();
    const value = String(v).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  // The SDK keeps a body as JSON only when the item's header is spelled "Content-Type" and says JSON.
  const jsonType = typeof item.headers?.['Content-Type'] === 'string' && item.headers['Content-Type'].split(';')[0] === 'application/json';
  if (jsonType) return { status: item.status ?? 200, body: item.body, headers };
  const text = item.body === undefined || item.body === null ? '' : String(item.body);
  let body: unknown = text;
  try { body = text ? JSON.parse(text) : undefined; } catch { /* not JSON */ }
  return { status: item.status ?? 200, body, headers };
}

export { withCorrelation, correlationPrefix } from './correlation';
export { ENDPOINT_FAMILIES, endpointFamily, type EndpointFamily, type MeterSnapshot, type RequestKind } from './meter';

export function createGraphContext(settings: Settings, options?: GraphContextOptions): GraphContext {
  return new GraphContext(settings, options);
}
