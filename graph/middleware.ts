// Our two middlewares in the Graph client's chain (Authentication -> Retry -> Meter -> HTTP):
// the SDK's RetryHandler neither retries connection resets nor shares a pause across requests, and we
// need every request counted.
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import { describeRequest } from './errors';
import type { RequestMeter } from './meter';
import { backoffMs, isTransientNetworkError, retryAfterMs, RETRYABLE_STATUS, sleep, type RetryPolicy, type SharedThrottle } from './throttle';

function urlOf(context: Context): string {
  return typeof context.request === 'string' ? context.request : (context.request as Request).url;
}

export class RetryMiddleware implements Middleware {
  private next?: Middleware;

  constructor(private readonly throttle: SharedThrottle, private readonly meter: RequestMeter, private readonly policy: RetryPolicy) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const method = context.options?.method ?? 'GET';
    // Streamed bodies (upload chunks) cannot be sent twice; LargeFileUploadTask resumes those itself.
    const replayable = context.options?.body === undefined || typeof context.options.body === 'string';
    for (let attempt = 0; ; attempt++) {
      await this.throttle.gate();
      if (attempt > 0) this.meter.count('retry', urlOf(context));
      else this.meter.count(/\/\$batch(\?|$)/.test(urlOf(context)) ? 'batch' : 'single', urlOf(context));
      context.response = undefined;
      let failure: unknown;
      try {
        await this.next!.execute(context);
      } catch (err) {
        failure = err;
      }
      const response = (context as { response?: Response }).response;
      const status = response?.status;
      const retryable = failure ? isTransientNetworkError(failure) : status !== undefined && RETRYABLE_STATUS.has(status);
      if (!retryable || !replayable || attempt >= this.policy.maxRetries) {
        if (failure) {
          const why = failure instanceof Error ? failure.message : String(failure);
          throw Object.assign(new Error(`${describeRequest(method, urlOf(context))} failed after ${attempt + 1} attempt(s): ${why}`), { cause: failure });
        }
        return;
      }
      const delay = backoffMs(attempt, this.policy, retryAfterMs(response?.headers.get('retry-after')));
      if (status === 429) this.throttle.pause(delay);
      await response?.body?.cancel().catch(() => {});
      await sleep(delay);
    }
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
