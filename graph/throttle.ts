// Throttling: honour Retry-After everywhere, bounded retries with jitter, and ONE shared gate per run so
// a storm of 429s slows the run instead of multiplying requests (a mailbox's 429 slows only that
// mailbox). Plus Outlook's limits: the request budget per mailbox, the concurrency per app ID.
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

/**
 * One per Graph context (tenant and run). A 429 on a request to a mailbox (mailboxOfUrl) holds back new
 * requests to that mailbox only: Outlook's limits are "evaluated for each app ID and mailbox
 * combination ... If an application exceeds the limit in one mailbox, it does not affect the ability to
 * access another mailbox" ("Microsoft Graph service-specific throttling limits", Outlook service limits).
 * A 429 on anything else (directory, drives, sites, reports, a $batch as a whole) holds back every new
 * request of the context until its Retry-After has passed.
 */
export class SharedThrottle {
  private pausedUntil = 0;
  /** Mailbox (as mailboxOfUrl names it) → when its pause ends; an entry is dropped once it has. */
  private readonly mailboxes = new Map<string, number>();

  /** Pauses `mailbox`'s requests, or every request when no mailbox is given. */
  pause(ms: number, mailbox?: string): void {
    const until = Date.now() + ms;
    if (mailbox === undefined) this.pausedUntil = Math.max(this.pausedUntil, until);
    else this.mailboxes.set(mailbox, Math.max(this.mailboxes.get(mailbox) ?? 0, until));
  }

  /** When a request to `mailbox` (or, without one, to anything else) may be sent (ms since the epoch). */
  until(mailbox?: string): number {
    if (mailbox === undefined) return this.pausedUntil;
    const own = this.mailboxes.get(mailbox);
    if (own !== undefined && own <= Date.now()) this.mailboxes.delete(mailbox);
    return Math.max(this.pausedUntil, own ?? 0);
  }

  /** Waits out the context's pause and, for a mailbox request, that mailbox's. */
  async gate(mailbox?: string): Promise<void> {
    for (let wait = this.until(mailbox) - Date.now(); wait > 0; wait = this.until(mailbox) - Date.now()) await sleep(wait);
  }
}

/** Network failures worth another try (the connection, not the request, failed). */
export function isTransientNetworkError(err: unknown): boolean {
  const e = err as { message?: string; code?: string; cause?: { code?: string; message?: string } };
  const text = `${e?.code ?? ''} ${e?.message ?? ''} ${e?.cause?.code ?? ''} ${e?.cause?.message ?? ''}`;
  return /ECONNRESET|EPIPE|ETIMEDOUT|ECONNREFUSED|socket hang up|fetch failed|other side closed|UND_ERR_SOCKET|terminated/i.test(text);
}

/**
 * At most `perMailbox` of a caller's units of work on one mailbox at once (a surrender's steps, through
 * ctx.mailbox). Not Exchange's concurrency limit: that is per app ID across every mailbox (OutlookLimiter
 * below, which every Outlook request takes innermost, around its HTTP request only), so a caller holding
 * a mailbox slot while it waits for an app slot cannot deadlock. This only keeps one mailbox's work
 * (and the memory of its downloads) bounded.
 */
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

/** Outlook's request budget per app per mailbox ("Microsoft Graph service-specific throttling limits", Outlook service limits). */
export interface MailboxBudgetOptions {
  /** Requests allowed in any window (Outlook: 10,000). */
  requests: number;
  /** The window (Outlook: 10 minutes). A benchmark compresses it to make the budget bind in a short run. */
  windowMs: number;
}

export const OUTLOOK_MAILBOX_BUDGET: MailboxBudgetOptions = { requests: 10_000, windowMs: 10 * 60 * 1000 };

/** A request URL's mailbox (the user id or UPN, lower case) when it reaches a mailbox at Exchange. */
export function mailboxOfUrl(url: string): string | undefined {
  // users/{id|upn}/… or users('upn')/… (the same mailbox).
  const m = /\/(?:v1\.0|beta)\/users(?:\/([^/?(]+)|\('([^']*)'\))\/(?:messages|mailFolders|mailboxSettings|contacts|contactFolders|events|calendar|calendars|calendarView|sendMail|inferenceClassification|outlook)(?:[/?]|$)/.exec(url);
  return m ? decodeURIComponent(m[1] ?? m[2]).toLowerCase() : undefined;
}

interface BudgetWindow {
  /** When each counted request ended (ms), oldest first. */
  ends: number[];
  /** Requests sent and not yet answered: they count until they end. */
  open: number;
  /** The previous take's grant: takes are granted in order. */
  queue: Promise<void>;
}

/**
 * Paces requests to each mailbox so a window never holds more than the budget: a request waits until
 * the oldest counted one leaves the window instead of being refused with 429. Written by hand: p-limit
 * bounds concurrency, not a rate over a sliding window, and no rate limiter is among our dependencies.
 * A request counts from when it is sent until `windowMs` after its answer came back: Exchange counts
 * it when it arrives, which is between the two, so the client's window always covers Exchange's and
 * latency cannot make the two disagree.
 */
export class MailboxBudget {
  private readonly windows = new Map<string, BudgetWindow>();
  /** Requests that had to wait, and for how long in all (for benchmarks and logs). */
  readonly paced = { requests: 0, waitedMs: 0 };

  constructor(readonly options: MailboxBudgetOptions = OUTLOOK_MAILBOX_BUDGET) {
    if (!(options.requests >= 1) || !(options.windowMs > 0)) throw new Error(`A mailbox budget needs at least 1 request per window and a window above 0 ms, not ${options.requests} per ${options.windowMs} ms.`);
  }

  /** Waits for room in the mailbox's window and counts one request; call the returned function when it has been answered. */
  async take(mailbox: string): Promise<() => void> {
    let w = this.windows.get(mailbox);
    if (!w) {
      w = { ends: [], open: 0, queue: Promise.resolve() };
      this.windows.set(mailbox, w);
    }
    const win = w;
    const granted = win.queue.then(async () => {
      const started = Date.now();
      let slept = false;
      for (;;) {
        const now = Date.now();
        let expired = 0;
        while (expired < win.ends.length && now - win.ends[expired] >= this.options.windowMs) expired++;
        if (expired) win.ends.splice(0, expired);
        if (win.ends.length + win.open < this.options.requests) break;
        // Full: wait for the oldest ended request to leave the window, or (all open) for one to end.
        await sleep(win.ends.length ? win.ends[0] + this.options.windowMs - now : 20);
        slept = true;
      }
      // Counted only when it slept: the clock can tick past a millisecond between the two reads on a busy machine.
      if (slept) { this.paced.requests++; this.paced.waitedMs += Date.now() - started; }
      win.open++;
    });
    win.queue = granted;
    await granted;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      win.open--;
      win.ends.push(Date.now());
    };
  }
}

/** Outlook's concurrency per app ID, across every mailbox and tenant ("Microsoft Graph service-specific throttling limits", Outlook service limits, Limits per app ID). */
export const OUTLOOK_APP_CONCURRENCY = 4;

/**
 * A counting semaphore whose holders take 1 to `capacity` permits, granted first come first served (a
 * $batch waiting for all 4 is not starved by single requests that keep arriving). Written by hand:
 * p-limit runs one task per slot and cannot weigh a task.
 */
export class WeightedSemaphore {
  private inUse = 0;
  private readonly waiting: { weight: number; grant: () => void }[] = [];
  /**
   * The most permits held at once, how many acquisitions had to wait, and permits × milliseconds held in
   * all (over a span, divided by its length and the capacity: how busy the limit kept, for benchmarks and logs).
   */
  readonly stats = { maxInUse: 0, waited: 0, heldMs: 0 };
  private changedAt = performance.now();

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new Error(`A semaphore needs at least 1 permit, not ${capacity}.`);
  }

  get held(): number {
    return this.inUse;
  }

  /** Waits for `weight` permits (clamped to 1..capacity); call the returned function once to give them back. */
  async acquire(weight = 1): Promise<() => void> {
    const w = Math.min(this.capacity, Math.max(1, Math.floor(weight)));
    if (this.waiting.length || this.inUse + w > this.capacity) {
      this.stats.waited++;
      await new Promise<void>((grant) => this.waiting.push({ weight: w, grant }));
    } else {
      this.take(w);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.account();
      this.inUse -= w;
      this.drain();
    };
  }

  /** Adds the permits held since the last change to stats.heldMs. */
  private account(): void {
    const now = performance.now();
    this.stats.heldMs += this.inUse * (now - this.changedAt);
    this.changedAt = now;
  }

  private take(w: number): void {
    this.account();
    this.inUse += w;
    this.stats.maxInUse = Math.max(this.stats.maxInUse, this.inUse);
  }

  private drain(): void {
    while (this.waiting.length && this.inUse + this.waiting[0].weight <= this.capacity) {
      const next = this.waiting.shift()!;
      this.take(next.weight);
      next.grant();
    }
  }
}

/** The process's Outlook limiters, one per app ID: every Graph context of the same app shares one. */
const outlookLimiters = new Map<string, WeightedSemaphore>();

/**
 * The Outlook concurrency limiter of an app (its client id; a managed identity used directly, which has
 * no app registration's id in the settings, under a fixed key). One per process, whatever the tenant:
 * one multi-tenant app registration serves every council, and Outlook counts its requests together.
 */
export function outlookLimiterFor(appKey: string): WeightedSemaphore {
  const key = appKey.toLowerCase();
  let limiter = outlookLimiters.get(key);
  if (!limiter) {
    limiter = new WeightedSemaphore(OUTLOOK_APP_CONCURRENCY);
    outlookLimiters.set(key, limiter);
  }
  return limiter;
}

/** The key of the app's Outlook limiter: the app registration's client id, or the managed identity's. */
export function outlookAppKey(settings: { clientId?: string; managedIdentityClientId?: string }): string {
  return settings.clientId ?? `managed-identity:${settings.managedIdentityClientId ?? 'system-assigned'}`;
}

/**
 * The Outlook permits a request needs: 1 for a request to a mailbox; for a $batch, one per item to a
 * mailbox up to 4, since the service runs up to 4 of a batch's Outlook items at once and they count
 * against the app's limit ("Outlook service limits for JSON batching"); 0 for anything else.
 */
export function outlookWeight(url: string, body?: unknown): number {
  if (!/\/\$batch(\?|$)/.test(url)) return mailboxOfUrl(url) ? 1 : 0;
  if (typeof body !== 'string') return 0;
  let requests: unknown;
  try {
    requests = (JSON.parse(body) as { requests?: unknown }).requests;
  } catch {
    return 0;
  }
  if (!Array.isArray(requests)) return 0;
  const outlook = requests.filter((r: { url?: unknown }) => typeof r?.url === 'string' && mailboxOfUrl(`/v1.0${r.url.startsWith('/') ? '' : '/'}${r.url}`)).length;
  return Math.min(OUTLOOK_APP_CONCURRENCY, outlook);
}
