// The one retry loop for every request CouncilGuard sends to a tenant (the Graph client middleware,
// $batch items, the Exchange admin endpoint, drive uploads): 429/503/504 after their Retry-After or
// a jittered backoff, dropped connections after a backoff, a bounded number of retries, and a 429
// pausing the run through the shared throttle (only the mailbox's requests when it was to a mailbox).
import { describeRequest, statusOfError } from './errors';
import { backoffMs, isTransientNetworkError, retryAfterMs, RETRYABLE_STATUS, sleep, type RetryPolicy, type SharedThrottle } from './throttle';

/** What one attempt came to, as far as retrying is concerned. */
export type AttemptOutcome = { status: number; retryAfter?: string | null } | { error: unknown };

export interface RetryOptions<T> {
  /** Called before each attempt (0 is the first), to count it in the request meter. */
  count?: (attempt: number) => void;
  /** Judges a returned value (a Response, say) by its status; without it every returned value is final. */
  statusOf?: (result: T) => { status: number; retryAfter?: string | null };
  /** Releases a returned value that is about to be retried (a response body). */
  discard?: (result: T) => Promise<void>;
  /** Overrides the shared rule for a thrown error: true retries it, false does not, undefined asks the rule. */
  retryError?: (err: unknown) => boolean | undefined;
  /** Runs before retrying after a thrown error; throwing from it ends the loop (an upload session re-syncing). */
  beforeRetry?: (err: unknown) => Promise<void>;
  /** When given, an error that ends the loop is rethrown naming this request and the attempts made. */
  request?: { method: string; url: string };
  /** No retries at all (a streamed body cannot be sent twice); the throttle gate and counting still apply. */
  once?: boolean;
  /** Called for each attempt that came back 429 (retried or not), to count it in the request meter. */
  throttled?: () => void;
  /**
   * The mailbox the request reaches (mailboxOfUrl): it waits for that mailbox's pause as well as the
   * run's, and its 429 pauses only that mailbox. Without it a 429 pauses every request of the run.
   */
  mailbox?: string;
}

/** Retries after 429s when the policy does not say (each waits Retry-After, and the run or the mailbox pauses). */
export const MAX_THROTTLE_RETRIES = 30;

export class RetryLoop {
  constructor(readonly throttle: SharedThrottle, readonly policy: RetryPolicy) {}

  /**
   * The wait before the next attempt after attempt `attempt` came to `outcome`, or undefined when the
   * outcome is final (not retryable, or the budget is spent). A 429 pauses every request of the run, or
   * only `mailbox`'s requests when the request was to a mailbox (graph/throttle.ts SharedThrottle).
   */
  delayAfter(attempt: number, outcome: AttemptOutcome, throttledSoFar = 0, mailbox?: string): number | undefined {
    if ('error' in outcome) {
      const carried = statusOfError(outcome.error);
      if (!carried) return isTransientNetworkError(outcome.error) && attempt - throttledSoFar < this.policy.maxRetries ? backoffMs(attempt - throttledSoFar, this.policy) : undefined;
      return this.delayAfter(attempt, carried, throttledSoFar, mailbox);
    }
    if (!RETRYABLE_STATUS.has(outcome.status)) return undefined;
    // 429s spend their own budget; other failures spend maxRetries (throttled attempts not counted).
    if (outcome.status === 429 ? throttledSoFar >= (this.policy.maxThrottleRetries ?? MAX_THROTTLE_RETRIES) : attempt - throttledSoFar >= this.policy.maxRetries) return undefined;
    const delay = backoffMs(attempt, this.policy, retryAfterMs(outcome.retryAfter));
    if (outcome.status === 429) this.throttle.pause(delay, mailbox);
    return delay;
  }

  /** Sends through the shared throttle gate until an attempt is final; returns its value or throws its error. */
  async run<T>(send: (attempt: number) => Promise<T>, options: RetryOptions<T> = {}): Promise<T> {
    let throttled = 0;
    const wasThrottled = (o: AttemptOutcome) => ('error' in o ? statusOfError(o.error)?.status : o.status) === 429;
    for (let attempt = 0; ; attempt++) {
      await this.throttle.gate(options.mailbox);
      options.count?.(attempt);
      let result: T;
      try {
        result = await send(attempt);
      } catch (err) {
        const override = options.retryError?.(err);
        const spent = options.once;
        let delay = spent || override === false ? undefined : this.delayAfter(attempt, { error: err }, throttled, options.mailbox);
        if (wasThrottled({ error: err })) { throttled++; options.throttled?.(); }
        if (delay === undefined && override === true && !spent && attempt - throttled < this.policy.maxRetries) delay = backoffMs(attempt - throttled, this.policy);
        if (delay === undefined) throw this.final(err, attempt, options.request);
        if (options.beforeRetry) await options.beforeRetry(err);
        await sleep(delay);
        continue;
      }
      const judged = options.statusOf?.(result);
      if (judged?.status === 429) options.throttled?.();
      const delay = judged && !options.once ? this.delayAfter(attempt, judged, throttled, options.mailbox) : undefined;
      if (delay === undefined) return result;
      if (judged && wasThrottled(judged)) throttled++; // counted in the meter above
      await options.discard?.(result);
      await sleep(delay);
    }
  }

  private final(err: unknown, attempt: number, request?: { method: string; url: string }): unknown {
    if (!request) return err;
    const why = err instanceof Error ? err.message : String(err);
    return new Error(`${describeRequest(request.method, request.url)} failed after ${attempt + 1} attempt(s): ${why}`, { cause: err });
  }
}
