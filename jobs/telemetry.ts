// A run's telemetry: the dimensions its log lines carry, the client-request-id scope its Graph requests
// run in, and the Graph request meter's counts for the run exported as OpenTelemetry metrics. Without a
// MeterProvider registered (the command line, unless a test registers one) the metrics API is a no-op.
// See docs/ARCHITECTURE.md, "Telemetry".
import { metrics, type Attributes } from '@opentelemetry/api';
import { withDimensions, type LogDimensions, type Logger } from '../core/logger';
import { withCorrelation, type GraphContext, type MeterSnapshot } from '../graph';
import { version } from '../package.json';

/** Metric names; the unit of each is one request (or one $batch item). */
export const GRAPH_METRICS = {
  requests: 'councilguard.graph.requests',
  batchItems: 'councilguard.graph.batch_items',
  retries: 'councilguard.graph.retries',
  throttled: 'councilguard.graph.throttled',
} as const;

function instruments() {
  const meter = metrics.getMeter('councilguard', version);
  return {
    requests: meter.createCounter(GRAPH_METRICS.requests, { description: 'HTTP requests sent to Graph or Exchange (a $batch is one; retries not included)', unit: '{request}' }),
    batchItems: meter.createCounter(GRAPH_METRICS.batchItems, { description: 'Requests sent inside $batch', unit: '{request}' }),
    retries: meter.createCounter(GRAPH_METRICS.retries, { description: 'Requests sent again, and $batch items carried into a later batch', unit: '{request}' }),
    throttled: meter.createCounter(GRAPH_METRICS.throttled, { description: 'Answers of 429 Too Many Requests (requests and $batch items)', unit: '{response}' }),
  };
}

/** Adds what one run counted, per endpoint family, to the metrics, with the run's dimensions. */
export function exportGraphMetrics(counted: MeterSnapshot, dimensions: LogDimensions): void {
  const m = instruments();
  const base: Attributes = Object.fromEntries(Object.entries(dimensions).filter(([, v]) => v !== undefined));
  for (const [family, c] of counted) {
    const attrs = { ...base, family };
    const requests = c.single + c.batch + c.exchange;
    if (requests) m.requests.add(requests, attrs);
    if (c.batchItem) m.batchItems.add(c.batchItem, attrs);
    if (c.retry + c.itemRetry) m.retries.add(c.retry + c.itemRetry, attrs);
    if (c.throttled) m.throttled.add(c.throttled, attrs);
  }
}

export interface RunTelemetry {
  log: Logger;
  dimensions: LogDimensions;
}

/**
 * Runs `fn` as one run: its lines carry the dimensions, its Graph requests client-request-ids derived
 * from the run id, and what it sent is exported as metrics when it ends (failed or not). Concurrent
 * runs on one tenant share its Graph context, so each run's metrics are what the context counted while
 * it ran (an approximation only when two runs for one tenant overlap).
 */
export async function asRun<T>(graph: GraphContext, log: Logger, dimensions: LogDimensions, fn: (run: RunTelemetry) => Promise<T>): Promise<T> {
  const before = graph.meter.snapshot();
  const runLog = withDimensions(log, dimensions);
  try {
    return await withCorrelation(`${dimensions.tenantId ?? ''}/${dimensions.runId ?? ''}`, () => fn({ log: runLog, dimensions }));
  } finally {
    exportGraphMetrics(graph.meter.since(before), dimensions);
  }
}
