// Throttling: honour Retry-After everywhere, bounded retries with jitter, and ONE shared gate per run so
// a storm of 429s slows the whole run instead of multiplying requests. Plus Exchange's per-mailbox limit.
import pLimit from 'p-limit';

export const RETRYABLE_STATUS = new Set([429, 503, 504]);

export interface RetryPolicy {
  /** Retries after failures (503, 504, dropped connections); 429s do not spend these. */
  maxRetries: number;
  /**
   * Retries after 429s. Throttling says "wait", not "failed" ("Microsoft Graph throttling guidance": honour
   * Retry-After and retry), so it has its own, larger budget and never turns a check into an error early.
   */
  maxThrottleRetries?: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 5, baseDelayMs: 500, maxDelayMs: 60_000 };

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Retry-After in seconds (or an HTTP date); undefined when absent. */
export function retryAfterMs(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Exponential backoff with full jitter, or the server's Retry-After when it gave one. */
export function backoffMs(attempt: number, policy: RetryPolicy, retryAfter?: number): number {
  if (retryAfter !== undefined) return Math.min(retryAfter, policy.maxDelayMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** One per run: a 429 anywhere holds back every new request until its Retry-After has passed. */
export class SharedThrottle {
  private pausedUntil = 0;

  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
  }

  async gate(): Promise<void> {
    for (let wait = this.pausedUntil - Date.now(); wait > 0; wait = this.pausedUntil - Date.now()) await sleep(wait);
  }
}

/** Network failures worth another try (the connection, not the request, failed). */
export function isTransientNetworkError(err: unknown): boolean {
  const e = err as { message?: string; code?: string; cause?: { code?: string; message?: string } };
  const text = `${e?.code ?? ''} ${e?.message ?? ''} ${e?.cause?.code ?? ''} ${e?.cause?.message ?? ''}`;
  return /ECONNRESET|EPIPE|ETIMEDOUT|ECONNREFUSED|socket hang up|fetch failed|other side closed|UND_ERR_SOCKET|terminated/i.test(text);
}

/** Exchange allows 4 concurrent requests per mailbox per app; one limiter per mailbox. */
export class MailboxLimiter {
  private readonly limits = new Map<string, ReturnType<typeof pLimit>>();

  constructor(private readonly perMailbox = 4) {}

  forMailbox(userId: string): ReturnType<typeof pLimit> {
    const key = userId.toLowerCase();
    let limit = this.limits.get(key);
    if (!limit) {
      limit = pLimit(this.perMailbox);
      this.limits.set(key, limit);
    }
    return limit;
  }

  run<T>(userId: string, fn: () => Promise<T>): Promise<T> {
    return this.forMailbox(userId)(fn);
  }
}
