// Counts every HTTP request by kind; benchmarks and tests read it.
// retry: a whole request sent again; itemRetry: a batch item carried into a later batch.
export type RequestKind = 'single' | 'batch' | 'batchItem' | 'retry' | 'itemRetry' | 'exchange' | 'token';

export class RequestMeter {
  readonly counts: Record<RequestKind, number> = { single: 0, batch: 0, batchItem: 0, retry: 0, itemRetry: 0, exchange: 0, token: 0 };
  readonly byRoute = new Map<string, number>();
  inFlight = 0;
  maxInFlight = 0;
  /**
   * What Graph's throttling counts, per request sent (retries included): a single request or Exchange
   * call is 1, a $batch is the number of items it carries. Counted where each attempt goes on the wire.
   */
  workUnits = 0;

  work(n = 1): void {
    this.workUnits += n;
  }

  count(kind: RequestKind, route?: string, n = 1): void {
    this.counts[kind] += n;
    if (route) {
      // Ids vary; the route shape is what is worth counting.
      const shape = route.replace(/^https?:\/\/[^/]+/i, '').split('?')[0].replace(/\/[0-9a-f-]{16,}|\/[^/]+@[^/]+/gi, '/{id}');
      this.byRoute.set(shape, (this.byRoute.get(shape) ?? 0) + n);
    }
  }

  /** HTTP requests that went on the wire (a batch is one, whatever it holds). */
  get httpRequests(): number {
    return this.counts.single + this.counts.batch + this.counts.retry + this.counts.exchange;
  }

  started(): void {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
  }

  finished(): void {
    this.inFlight--;
  }
}
