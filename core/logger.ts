// The one logging surface jobs use: the CLI passes the console, functions pass InvocationContext (and
// OpenTelemetry log records, functions/telemetry.ts). Never give it tokens, secrets or message bodies.
//
// A line may carry dimensions (which council, tenant, run, surrender or plan it is about, the Graph ids
// of a failed request). The console does not print them; the function app sends them as the log
// record's attributes, which Application Insights shows as customDimensions. See docs/ARCHITECTURE.md,
// "Telemetry".

/** What a log line is about. Only ids and names: never a token, secret, address list or body. */
export interface LogDimensions {
  council?: string;
  tenantId?: string;
  runId?: string;
  surrenderId?: string;
  planId?: string;
  /** The client-request-id CouncilGuard sent with a failed Graph request, and Graph's request-id. */
  clientRequestId?: string;
  requestId?: string;
  /** A stable marker an alert rule matches (e.g. councilguard.config.invalid). */
  event?: string;
}

export interface Logger {
  info(message: string, dimensions?: LogDimensions): void;
  warn(message: string, dimensions?: LogDimensions): void;
  error(message: string, dimensions?: LogDimensions): void;
  /** A child whose every line also carries `dimensions` (the parent's dimensions are kept). */
  with?(dimensions: LogDimensions): Logger;
}

const defined = (d: LogDimensions | undefined): LogDimensions =>
  Object.fromEntries(Object.entries(d ?? {}).filter(([, v]) => v !== undefined && v !== '')) as LogDimensions;

/**
 * A child of `log` whose lines carry `dimensions` as well as their own. Works for any Logger: the
 * dimensions reach the parent as each line's second argument.
 */
export function withDimensions(log: Logger, dimensions: LogDimensions): Logger {
  const fixed = defined(dimensions);
  const merge = (d?: LogDimensions): LogDimensions => ({ ...fixed, ...defined(d) });
  return {
    info: (m, d) => log.info(m, merge(d)),
    warn: (m, d) => log.warn(m, merge(d)),
    error: (m, d) => log.error(m, merge(d)),
    with: (more) => withDimensions(log, merge(more)),
  };
}

/**
 * The Graph correlation ids a thrown error carries (GraphRequestError, or an error caused by one), for
 * the error's log line. Read by shape, since core/ cannot import graph/.
 */
export function errorDimensions(err: unknown): LogDimensions {
  for (let e = err as { clientRequestId?: unknown; requestId?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.clientRequestId === 'string' || typeof e.requestId === 'string') {
      return defined({ clientRequestId: e.clientRequestId as string | undefined, requestId: e.requestId as string | undefined });
    }
  }
  return {};
}

export const consoleLogger: Logger = {
  info: (m) => console.log(m),
  warn: (m) => console.warn(m),
  error: (m) => console.error(m),
};

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };
