// Structured telemetry through the real OpenTelemetry SDK (in-memory exporters): the nightly audit's
// log records carry council, tenantId and runId; a surrender's carry surrenderId; a Graph error line
// carries the client-request-id sent and Graph's request-id; the run's Graph requests are exported as
// metrics per endpoint family, matching the request meter.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { randomUUID } from 'node:crypto';
import { metrics } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, type SumMetricData } from '@opentelemetry/sdk-metrics';
import { InvocationContext, type Timer } from '@azure/functions';
import { nightlyAuditHandler } from '../../functions/handlers/nightly-audit';
import { logTo } from '../../functions/app-councils';
import { readEnvironment } from '../../config/env';
import { createGraphContext, correlationPrefix, ENDPOINT_FAMILIES } from '../../graph';
import { auditCouncils } from '../../jobs/audit';
import { Councils, parseCouncilFile } from '../../jobs/council-context';
import { runOffboarding, startOffboarding } from '../../jobs/offboarding';
import { GRAPH_METRICS } from '../../jobs/telemetry';
import { cliOwner, surrenderId } from '../../offboarding/state';
import { loadScenario, startSimulator } from '../../simulator';
import { openStore } from '../../store';
import { CLERK, harness, LEAVER, TERM_END } from '../offboarding/support';

const timer: Timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: '', next: '', lastUpdated: '' } };

const logExporter = new InMemoryLogRecordExporter();
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
const loggerProvider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: logExporter })] });
const meterProvider = new MeterProvider({ readers: [reader] });

beforeAll(() => {
  logs.setGlobalLoggerProvider(loggerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
});
afterAll(async () => {
  await meterProvider.shutdown();
  await loggerProvider.shutdown();
  logs.disable();
  metrics.disable();
});

/** The sum of a counter's points whose attributes include `where`, by family. */
async function counterByFamily(name: string, where: Record<string, string>): Promise<Map<string, number>> {
  await reader.forceFlush();
  const out = new Map<string, number>();
  for (const rm of metricExporter.getMetrics()) {
    for (const sm of rm.scopeMetrics) {
      for (const m of sm.metrics.filter((x) => x.descriptor.name === name) as SumMetricData[]) {
        for (const p of m.dataPoints) {
          if (Object.entries(where).every(([k, v]) => p.attributes[k] === v)) out.set(String(p.attributes.family), (out.get(String(p.attributes.family)) ?? 0) + p.value);
        }
      }
    }
  }
  metricExporter.reset(); // cumulative: the last export holds the totals
  return out;
}

const recordsFor = (tenantId: string): ReadableLogRecord[] => logExporter.getFinishedLogRecords().filter((r) => r.attributes.tenantId === tenantId);

function demoConfigFile(tenantId: string): string {
  const config = JSON.parse(readFileSync(join(__dirname, '../../simulator/scenarios/demo.councils.json'), 'utf8'));
  config.councils[0].tenantId = tenantId;
  const file = join(mkdtempSync(join(tmpdir(), 'cg-otel-')), 'councils.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

describe('structured telemetry', () => {
  const saved = { ...process.env };
  afterEach(() => { process.env = { ...saved }; });

  it('the nightly audit\'s log records carry council, tenantId and runId, a Graph error line both request ids, and its metrics name the families', async () => {
    const scenario = structuredClone(loadScenario('demo'));
    scenario.tenantId = randomUUID();
    // Without Organization.Read.All, List subscribedSkus is refused: a Graph error the audit logs and carries on from.
    scenario.grantedPermissions = scenario.grantedPermissions.filter((p) => p !== 'Organization.Read.All');
    const sim = await startSimulator({ scenarios: [scenario] });
    try {
      Object.assign(process.env, sim.env(), { COUNCILGUARD_CONFIG: demoConfigFile(scenario.tenantId), COUNCILGUARD_STORAGE: process.env.COUNCILGUARD_TEST_STORAGE });
      const hostLines: string[] = [];
      const context = new InvocationContext({ functionName: 'nightlyAudit', logHandler: (_level, ...args) => hostLines.push(args.join(' ')) });
      await nightlyAuditHandler(timer, context, '2026-07-15T01:00:00.000Z');

      const runId = '2026-07-15T01-00-00-000Z';
      const records = recordsFor(scenario.tenantId);
      expect(records.length).toBeGreaterThan(1);
      for (const r of records) {
        expect(r.attributes).toMatchObject({ council: 'Example Parish Council', tenantId: scenario.tenantId, runId, functionName: 'nightlyAudit' });
      }
      // The host's log stream still has every line.
      for (const r of records) expect(hostLines).toContain(r.body);

      const licences = records.find((r) => /could not read subscribed licences/.test(String(r.body)))!;
      expect(licences.severityText).toBe('WARN');
      const { clientRequestId, requestId } = licences.attributes as Record<string, string>;
      // The client-request-id is a GUID derived from the run; Graph's request-id is its own.
      expect(clientRequestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(clientRequestId.startsWith(correlationPrefix(`${scenario.tenantId}/${runId}`))).toBe(true);
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(requestId).not.toBe(clientRequestId);
      expect(String(licences.body)).toContain(`request-id ${requestId}, client-request-id ${clientRequestId}`);

      const requests = await counterByFamily(GRAPH_METRICS.requests, { tenantId: scenario.tenantId, runId, council: 'Example Parish Council' });
      expect([...requests.keys()].every((f) => (ENDPOINT_FAMILIES as readonly string[]).includes(f))).toBe(true);
      for (const family of ['users', 'directory', 'exchange']) expect(requests.get(family)).toBeGreaterThan(0);

      // No token, secret or message body in any record.
      const everything = JSON.stringify(logExporter.getFinishedLogRecords().map((r) => ({ body: r.body, attributes: r.attributes })));
      expect(everything).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
      expect(everything).not.toContain(sim.env().AZURE_CLIENT_SECRET);
    } finally {
      await sim.close();
    }
  });

  it('the metrics of a run match its Graph request meter, family by family, and 429s are counted', async () => {
    const scenario = structuredClone(loadScenario('demo'));
    scenario.tenantId = randomUUID();
    const sim = await startSimulator({ scenarios: [scenario], faults: { seed: 7, throttleRate: 0.15, retryAfterSeconds: 0 } });
    try {
      const env = { ...process.env, ...sim.env() };
      const graph = createGraphContext(readEnvironment(env, scenario.tenantId), { retry: { baseDelayMs: 5, maxDelayMs: 50 } });
      const file = parseCouncilFile(JSON.parse(readFileSync(demoConfigFile(scenario.tenantId), 'utf8')), 'test');
      const store = await openStore(process.env.COUNCILGUARD_TEST_STORAGE!);
      const councils = new Councils({ file: () => file, store, log: logTo(new InvocationContext({ functionName: 'audit', logHandler: () => {} })), env, graph: () => graph });
      const [outcome] = await auditCouncils(councils);
      expect(outcome.failure).toBeUndefined();

      const where = { tenantId: scenario.tenantId };
      const requests = await counterByFamily(GRAPH_METRICS.requests, where);
      const throttled = await counterByFamily(GRAPH_METRICS.throttled, where);
      const batchItems = await counterByFamily(GRAPH_METRICS.batchItems, where);
      for (const [family, c] of graph.meter.byFamily) {
        expect([family, requests.get(family) ?? 0]).toEqual([family, c.single + c.batch + c.exchange]);
        expect([family, throttled.get(family) ?? 0]).toEqual([family, c.throttled]);
        expect([family, batchItems.get(family) ?? 0]).toEqual([family, c.batchItem]);
      }
      expect([...throttled.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
      expect(graph.meter.counts.throttled).toBeGreaterThan(0);
    } finally {
      await sim.close();
    }
  });

  it('a surrender\'s log records carry its surrenderId (and council, tenantId, runId)', async () => {
    const h = await harness({ name: 'telemetry-surrender', inbox: 3 });
    try {
      const context = new InvocationContext({ functionName: 'surrenderActivity', logHandler: () => {} });
      const deps = { ...h.deps(), log: logTo(context) };
      const id = surrenderId(h.council.tenantId, LEAVER, TERM_END);
      const owner = cliOwner(id);
      const started = await startOffboarding(deps, { userPrincipalName: LEAVER, termEnd: TERM_END, requestedBy: CLERK, via: 'cli' }, owner);
      await runOffboarding(deps, started.record.id, { owner });
      const records = recordsFor(h.council.tenantId).filter((r) => r.attributes.functionName === 'surrenderActivity');
      expect(records.map((r) => String(r.body))).toEqual(expect.arrayContaining([expect.stringMatching(/Surrender .*: .*: starting\./), expect.stringMatching(/: done\.$/)]));
      for (const r of records) expect(r.attributes).toMatchObject({ surrenderId: id, runId: id, tenantId: h.council.tenantId, council: h.council.name });
    } finally {
      await h.close();
    }
  });
});
