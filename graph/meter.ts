// Counts every HTTP request by kind; benchmarks and tests read it, and each run exports what it added
// as OpenTelemetry metrics per endpoint family (jobs/telemetry.ts).
// retry: a whole request sent again; itemRetry: a batch item carried into a later batch;
// throttled: an answer of 429 (a whole request or a batch item), whether or not it was retried;
// restart: a copy or download started over from its first byte (not a request itself: the requests it
// sends again are counted as they go on the wire, so restarts stay out of the round trips).
export type RequestKind = 'single' | 'batch' | 'batchItem' | 'retry' | 'itemRetry' | 'exchange' | 'token' | 'throttled' | 'restart';

/** The endpoint families metrics are kept by: a small fixed set, from the route's shape. */
export const ENDPOINT_FAMILIES = ['users', 'groups', 'drives', 'mail', 'auditLogs', 'identity', 'directory', 'devices', 'batch', 'exchange', 'other'] as const;
export type EndpointFamily = (typeof ENDPOINT_FAMILIES)[number];

/** The family of a Graph or Exchange URL (absolute or relative to the version). Order matters: the most specific first. */
export function endpointFamily(route: string): EndpointFamily {
  const path = route.replace(/^https?:\/\/[^/]+/i, '').split('?')[0].toLowerCase();
  if (path.includes('/adminapi/')) return 'exchange';
  if (/\/\$batch$/.test(path)) return 'batch';
  if (/\/auditlogs\/|\/security\/auditlog|\/reports\//.test(path)) return 'auditLogs';
  if (/\/drives?(\/|$)|\/sites(\/|$)|\/root(\/|:)|\/items\//.test(path)) return 'drives';
  if (/\/(messages|mailfolders|sendmail|mailboxsettings|contacts|contactfolders|calendars?|events)(\/|$)/.test(path)) return 'mail';
  if (/\/identity\/|\/policies\/|\/authentication(\/|$)|\/identityprotection\//.test(path)) return 'identity';
  if (/\/(devices|devicemanagement)(\/|$)/.test(path)) return 'devices';
  if (/^\/(v1\.0|beta)?\/?groups(\/|$)|\/memberof|\/members(\/|$)/.test(path)) return 'groups';
  if (/\/(directoryroles|rolemanagement|organization|domains|subscribedskus)(\/|$)/.test(path)) return 'directory';
  if (/^\/(v1\.0|beta)?\/?users(\/|$)/.test(path)) return 'users';
  return 'other';
}

const zero = (): Record<RequestKind, number> => ({ single: 0, batch: 0, batchItem: 0, retry: 0, itemRetry: 0, exchange: 0, token: 0, throttled: 0, restart: 0 });

/** Distinct route shapes the meter keeps; the rest are counted under OTHER_ROUTES. */
export const MAX_ROUTES = 500;
export const OTHER_ROUTES = '(other routes)';

/**
 * A URL's shape: host and query dropped, every segment that is an id or a name replaced by {id}. A
 * segment is kept only when it reads as a word of the API (letters only, as in "mailFolders",
 * "$value", "microsoft.graph.delta()"); Outlook ids (base64, with digits, "-", "_", "="), GUIDs, drive
 * item ids, addresses and ":/path:" addressing all become {id} (the version, "v1.0", stays). Plain text labels (no "/") stay as given.
 */
export function routeShape(route: string): string {
  const path = route.replace(/^https?:\/\/[^/]+/i, '').split('?')[0];
  if (!path.startsWith('/')) return path;
  return path.replace(/:\/[^:]*:?/g, ':{path}:').split('/').map((seg) => (seg === '' || /^v\d+\.\d+$/.test(seg) || /^\$?[A-Za-z.]+(\(\))?:?$/.test(seg) || seg === ':{path}:' || /^[A-Za-z.]+:\{path\}:$/.test(seg) ? seg : '{id}')).join('/');
}

/** The counts by family and kind at one moment; `diff` gives what a run added. */
export type MeterSnapshot = Map<EndpointFamily, Record<RequestKind, number>>;

export class RequestMeter {
  readonly counts: Record<RequestKind, number> = zero();
  readonly byRoute = new Map<string, number>();
  readonly byFamily: MeterSnapshot = new Map();
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
    const family = route ? endpointFamily(route) : 'other';
    const row = this.byFamily.get(family) ?? zero();
    row[kind] += n;
    this.byFamily.set(family, row);
    if (route && kind !== 'batchItem' && kind !== 'throttled') {
      // Ids vary; the route shape is what is worth counting. The map is capped, so a shape we fail to
      // reduce (a new kind of id) cannot make a long run's memory grow with its requests.
      let shape = routeShape(route);
      if (!this.byRoute.has(shape) && this.byRoute.size >= MAX_ROUTES) shape = OTHER_ROUTES;
      this.byRoute.set(shape, (this.byRoute.get(shape) ?? 0) + n);
    }
  }

  /** A copy of the counts by family, to diff against at the end of a run. */
  snapshot(): MeterSnapshot {
    return new Map([...this.byFamily].map(([f, row]) => [f, { ...row }]));
  }

  /** What was counted since `before`, by family (families with nothing counted are left out). */
  since(before: MeterSnapshot): MeterSnapshot {
    const out: MeterSnapshot = new Map();
    for (const [family, row] of this.byFamily) {
      const was = before.get(family) ?? zero();
      const delta = zero();
      let any = false;
      for (const k of Object.keys(row) as RequestKind[]) {
        delta[k] = row[k] - was[k];
        if (delta[k]) any = true;
      }
      if (any) out.set(family, delta);
    }
    return out;
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
