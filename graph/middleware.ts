// Our middlewares in the Graph client's chain (Authentication -> Retry -> MailboxPacing -> Meter -> HTTP):
// the SDK's RetryHandler neither retries connection resets nor shares a pause across requests, and we
// need every request counted.
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import type { RequestMeter } from './meter';
import type { RetryLoop } from './retry';
import { mailboxOfUrl, type MailboxBudget } from './throttle';

function urlOf(context: Context): string {
  return typeof context.request === 'string' ? context.request : (context.request as Request).url;
}

export class RetryMiddleware implements Middleware {
  private next?: Middleware;

  constructor(private readonly retry: RetryLoop, private readonly meter: RequestMeter) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const url = urlOf(context);
    await this.retry.run(async () => {
      context.response = undefined;
      await this.next!.execute(context);
      return (context as { response?: Response }).response;
    }, {
      count: (attempt) => this.meter.count(attempt > 0 ? 'retry' : /\/\$batch(\?|$)/.test(url) ? 'batch' : 'single', url),
      statusOf: (response) => ({ status: response?.status ?? 0, retryAfter: response?.headers.get('retry-after') }),
      discard: async (response) => { await response?.body?.cancel().catch(() => {}); },
      // Streamed bodies (upload fragments) cannot be sent twice; drive-upload.ts re-syncs those with the session.
      once: !(context.options?.body === undefined || typeof context.options.body === 'string'),
      request: { method: context.options?.method ?? 'GET', url },
    });
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
