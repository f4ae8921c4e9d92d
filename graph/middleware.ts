// Our middlewares in the Graph client's chain (Authentication -> Retry -> MailboxPacing -> OutlookConcurrency -> Meter -> HTTP):
// the SDK's RetryHandler neither retries connection resets nor shares a pause across requests, and we
// need every request counted (429s too) and sent with a client-request-id (graph/correlation.ts).
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import type { RequestMeter } from './meter';
import type { RetryLoop } from './retry';
import { nextClientRequestId } from './correlation';
import { mailboxOfUrl, outlookWeight, type MailboxBudget, type WeightedSemaphore } from './throttle';

function urlOf(context: Context): string {
  return typeof context.request === 'string' ? context.request : (context.request as Request).url;
}

/** Items in a JSON $batch body (the SDK has serialised it by now); 1 when it cannot be read. */
function batchItems(body: unknown): number {
  if (typeof body !== 'string') return 1;
  try {
    const requests = (JSON.parse(body) as { requests?: unknown }).requests;
    return Array.isArray(requests) && requests.length ? requests.length : 1;
  } catch {
    return 1;
  }
}

export class RetryMiddleware implements Middleware {
  private next?: Middleware;

  constructor(private readonly retry: RetryLoop, private readonly meter: RequestMeter) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const url = urlOf(context);
    // One id per request (its retries keep it, so Graph's logs show them as one request); a caller
    // that chose its own (a $batch naming it in errors) keeps that.
    setHeaderIfAbsent(context, 'client-request-id', nextClientRequestId());
    await this.retry.run(async () => {
      context.response = undefined;
      await this.next!.execute(context);
      return (context as { response?: Response }).response;
    }, {
      count: (attempt) => {
        const batch = /\/\$batch(\?|$)/.test(url);
        this.meter.count(attempt > 0 ? 'retry' : batch ? 'batch' : 'single', url);
        this.meter.work(batch ? batchItems(context.options?.body) : 1);
      },
      statusOf: (response) => ({ status: response?.status ?? 0, retryAfter: response?.headers.get('retry-after') }),
      discard: async (response) => { await response?.body?.cancel().catch(() => {}); },
      // A body held whole (JSON text, a simple upload's Buffer) can be sent again; a stream cannot, and an
      // upload fragment (Content-Range) is not: drive-upload.ts asks the session where it stands first.
      once: !replayable(context),
      request: { method: context.options?.method ?? 'GET', url },
      throttled: () => this.meter.count('throttled', url),
      mailbox: mailboxOfUrl(url),
    });
  }
}

function replayable(context: Context): boolean {
  const body = context.options?.body;
  if (body === undefined || typeof body === 'string') return true;
  return body instanceof Uint8Array && headerOf(context, 'content-range') === undefined;
}

/** A request header's value, whatever form the headers take (a Headers, an array or a record). */
function headerOf(context: Context, name: string): string | undefined {
  const headers = context.options?.headers;
  if (!headers) return undefined;
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const entries = Array.isArray(headers) ? headers : Object.entries(headers as Record<string, string>);
  return entries.find(([k]) => k.toLowerCase() === name)?.[1];
}

/** Sets a request header unless the request already has it (headers may be a Headers, an array or a record). */
function setHeaderIfAbsent(context: Context, name: string, value: string): void {
  const options = (context.options ??= {});
  const headers = options.headers;
  if (headers instanceof Headers) {
    if (!headers.has(name)) headers.set(name, value);
  } else if (Array.isArray(headers)) {
    if (!headers.some(([k]) => k.toLowerCase() === name)) headers.push([name, value]);
  } else {
    const record = (headers ?? {}) as Record<string, string>;
    if (!Object.keys(record).some((k) => k.toLowerCase() === name)) options.headers = { ...record, [name]: value };
  }
}

export class MeterMiddleware implements Middleware {
  private next?: Middleware;

  constructor(private readonly meter: RequestMeter) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  /** Tracks requests in flight (the counts are kept by RetryMiddleware, which sees each attempt). */
  async execute(context: Context): Promise<void> {
    this.meter.started();
    try {
      await this.next!.execute(context);
    } finally {
      this.meter.finished();
    }
  }
}

/** Paces each request to a mailbox to Outlook's per-mailbox budget (graph/throttle.ts MailboxBudget); others pass. */
export class MailboxPacingMiddleware implements Middleware {
  private next?: Middleware;

  constructor(private readonly budget: MailboxBudget) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const mailbox = mailboxOfUrl(urlOf(context));
    if (!mailbox) return this.next!.execute(context);
    const done = await this.budget.take(mailbox);
    try {
      await this.next!.execute(context);
    } finally {
      done();
    }
  }
}

/**
 * Holds the app's Outlook permits (graph/throttle.ts outlookLimiterFor) while a request to a mailbox, or
 * a $batch carrying such items (up to 4 permits), is on the wire; others pass. Innermost, around the
 * HTTP request only: a retry's wait, the mailbox pacing and a caller's mailbox slot are all taken
 * outside it, so nothing waits for anything while holding a permit. The permits go back when the
 * response's headers arrive: a streamed body (a message's MIME) is read after that.
 */
export class OutlookConcurrencyMiddleware implements Middleware {
  private next?: Middleware;

  constructor(private readonly limiter: WeightedSemaphore) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const weight = outlookWeight(urlOf(context), context.options?.body);
    if (!weight) return this.next!.execute(context);
    const release = await this.limiter.acquire(weight);
    try {
      await this.next!.execute(context);
    } finally {
      release();
    }
  }
}
