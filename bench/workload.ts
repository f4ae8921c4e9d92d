// Child process: the measured CouncilGuard workload (an audit, several councils' audits, a surrender),
// alone in its process so its peak RSS and CPU are CouncilGuard's own. The simulator and Azurite run
// in other processes.
import { performance } from 'node:perf_hooks';
import pLimit from 'p-limit';
import { readEnvironment } from '../config/env';
import { createGraphContext, type GraphContext } from '../graph';
import { openStore } from '../store';
import { runAudit } from '../jobs/run-audit';
import { auditCouncils } from '../jobs/audit';
import { Councils } from '../jobs/council-context';
import { councilContext } from '../context/council-context';
import { fixedClock, systemClock } from '../core/clock';
import { loadSurrender, runOffboardingStep, startOffboarding } from '../jobs/offboarding';
import { silentLogger } from '../core/logger';
import type { CouncilConfig } from '../policy/council-config';
import type { RequestKind } from '../graph/meter';
import { processUsage, round, serve, type ProcessUsage } from './lib/ipc';
import { generateEvidence } from '../jobs/evidence';
import { runChangeover } from '../jobs/changeover';
import { MemorySampler, type MemoryReport } from './lib/memory-sampler';
import { outlookAppKey, outlookLimiterFor, type MailboxBudgetOptions } from '../graph/throttle';
import type { StepName } from '../offboarding/types';

/** What the wire saw, from our side: drive delta pages (alone or as $batch items) and the items they carried, requests in flight. */
const wire = { deltaPages: 0, deltaItems: 0, inFlight: 0, maxInFlight: 0 };
let serialise: ReturnType<typeof pLimit> | undefined;
/** The surrender job counts the 429s its client receives. */
let seen429: ((res: Response) => void) | undefined;

// Instrumentation, installed once: count delta items (a copy of each delta response is parsed), and in
// the baselines cap the HTTP requests outstanding at a time across the whole process (1 or 4).
const realFetch = globalThis.fetch;
globalThis.fetch = (async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
  const send = async () => {
    wire.maxInFlight = Math.max(wire.maxInFlight, ++wire.inFlight);
    try {
      return await realFetch(input, init);
    } finally {
      wire.inFlight--;
    }
  };
  const res = await (serialise ? serialise(send) : send());
  seen429?.(res);
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (/\/root\/delta/.test(url) && res.ok) {
    wire.deltaPages++;
    const copy = res.clone();
    void copy.json().then((body) => { wire.deltaItems += (body as { value?: unknown[] }).value?.length ?? 0; }, () => {});
  } else if (/\/\$batch(\?|$)/.test(url) && res.ok && typeof init?.body === 'string' && init.body.includes('/root/delta')) {
    // Each drive's first delta page goes out in $batch: count those pages and their items too.
    const deltaIds = new Set(((JSON.parse(init.body) as { requests?: { id: string; url: string }[] }).requests ?? []).filter((r) => /\/root\/delta/.test(r.url)).map((r) => r.id));
    const copy = res.clone();
    void copy.json().then((body) => {
      for (const item of (body as { responses?: { id: string; status: number; body?: { value?: unknown[] } }[] }).responses ?? []) {
        if (!deltaIds.has(item.id) || item.status !== 200) continue;
        wire.deltaPages++;
        wire.deltaItems += item.body?.value?.length ?? 0;
      }
    }, () => {});
  }
  return res;
}) as typeof fetch;

/**
 * How the audit talks to Graph. optimised: the product as shipped. competent: a competent naive client,
 * the Graph SDK with no $batch (each item its own request) and at most 4 requests in flight in the whole
 * process. sequential: no $batch and one request in flight, as PowerShell-based tools run.
 */
export type AuditMode = 'optimised' | 'competent' | 'sequential';

export const MODE_IN_FLIGHT: Record<Exclude<AuditMode, 'optimised'>, number> = { competent: 4, sequential: 1 };

export interface MeterReading {
  httpRequests: number;
  /** Graph work units: each single request, each $batch item, each Exchange call, each retry. */
  workUnits: number;
  counts: Record<RequestKind, number>;
  byRoute: Record<string, number>;
  /** Peak HTTP requests awaiting their response headers at once (Graph and Exchange, not tokens). */
  maxInFlight: number;
}

function reading(graph: GraphContext): MeterReading {
  return { httpRequests: graph.meter.httpRequests, workUnits: graph.meter.workUnits, counts: { ...graph.meter.counts }, byRoute: Object.fromEntries(graph.meter.byRoute), maxInFlight: wire.maxInFlight };
}

/** Round trips and work units: a meter's totals, or what a phase added to them. */
export interface PhaseCounts { httpRequests: number; workUnits: number }

const totals = (graph: GraphContext): PhaseCounts => ({ httpRequests: graph.meter.httpRequests, workUnits: graph.meter.workUnits });
const since = (graph: GraphContext, before: PhaseCounts): PhaseCounts => ({ httpRequests: graph.meter.httpRequests - before.httpRequests, workUnits: graph.meter.workUnits - before.workUnits });

/** Several councils' meters added up (each council has its own GraphContext; Exchange calls are in each). */
function summed(graphs: GraphContext[]): MeterReading {
  const counts = Object.fromEntries(Object.keys(graphs[0]?.meter.counts ?? {}).map((k) => [k, 0])) as Record<RequestKind, number>;
  const byRoute: Record<string, number> = {};
  for (const g of graphs) {
    for (const [k, v] of Object.entries(g.meter.counts) as [RequestKind, number][]) counts[k] = (counts[k] ?? 0) + v;
    for (const [k, v] of g.meter.byRoute) byRoute[k] = (byRoute[k] ?? 0) + v;
  }
  return {
    httpRequests: graphs.reduce((n, g) => n + g.meter.httpRequests, 0),
    workUnits: graphs.reduce((n, g) => n + g.meter.workUnits, 0),
    counts, byRoute, maxInFlight: wire.maxInFlight,
  };
}

export interface AuditJobResult {
  wallS: number;
  /** Heap and RSS sampled every second during the audit (bench/lib/memory-sampler.ts). */
  memory: { peakRssMb: number; peakHeapMb: number; steadyRssMb: number };
  meter: MeterReading;
  deltaPages: number;
  deltaItems: number;
  findingsByCheck: Record<string, number>;
  checkStatus: Record<string, string>;
  errored: boolean;
  usage: ProcessUsage;
}

export interface MultiJobResult {
  wallS: number;
  /** Summed over every council's GraphContext. */
  httpRequests: number;
  workUnits: number;
  councils: number;
  ok: number;
  failed: string[];
  errored: number;
  findings: number;
  usage: ProcessUsage;
}

export interface SurrenderJobResult {
  exportStatus: string;
  messagesTotal: number;
  messagesCopied: number;
  copyPhaseS: number;
  copyRatePerS: number;
  exportWallS: number;
  listingS: number;
  /** The whole job: startOffboarding, preflight, freeze, export-mail and (with verify) the later steps. */
  meter: MeterReading;
  /** What each phase added to the meter: before export-mail (start, preflight, freeze), export-mail, the later steps. */
  phases: { setup: PhaseCounts; exportMail: PhaseCounts; later?: PhaseCounts };
  retries: number;
  rssSamplesMb: number[];
  usage: ProcessUsage;
  /** Sampled every second over export-mail (and verify when run). */
  memory?: MemoryReport;
  /** Requests the client held back to stay within the mailbox budget, and their wait in all. */
  paced?: { requests: number; waitedMs: number };
  /** 429s the client received (each was retried: a retry counts one). */
  throttledSeen?: number;
  /** When the surrender was run to the end: each later step's outcome, and verify's counts. */
  laterSteps?: Record<string, string>;
  verifyCounts?: Record<string, number>;
  verifyS?: number;
  /** Peak bytes of downloaded messages held awaiting upload. */
  exportCounts?: Record<string, number>;
}

export interface ChangeoverJobResult {
  wallS: number;
  surrenders: number;
  /** Outcome → count (done, failed, surrendered, in-progress, council-failed). */
  outcomes: Record<string, number>;
  /** Surrenders whose record has verify done (the archive was re-read and reconciled). */
  verified: number;
  failures: string[];
  /** Sampled every second over the whole changeover. */
  memory: MemoryReport;
  /** Each step's wall time per surrender (seconds): how many ran, the mean and the longest. */
  stepS: Record<string, { n: number; meanS: number; maxS: number }>;
  /** Summed over every council's GraphContext (Graph, uploads and Exchange calls). */
  meter: MeterReading;
  /** How many GraphContexts were made (one per council reached). */
  graphContexts: number;
  /**
   * The app's Outlook limiter over the changeover (every council shares it): permits held on average
   * (permit-ms held / wall ms), its capacity and the most held at once.
   */
  outlook: { meanHeld: number; capacity: number; maxHeld: number };
  usage: ProcessUsage;
}

export interface EvidenceJobResult {
  records: number;
  wallS: number;
  readS: number;
  buildAndRenderS: number;
  htmlBytes: number;
  usage: ProcessUsage;
}

serve({
  async evidence(args: { storage: string; council: CouncilConfig; year: string; now: string }): Promise<EvidenceJobResult> {
    const store = await openStore(args.storage);
    const councils = new Councils({ file: () => ({ councils: [args.council] }), store, log: silentLogger, clock: fixedClock(args.now) });
    const t0 = performance.now();
    const r = await generateEvidence(councils, { year: args.year });
    const wallS = (performance.now() - t0) / 1000;
    const usage = processUsage();
    // The read alone, after the measured run, to split its wall time.
    const t1 = performance.now();
    await store.runRecords.list(args.council.tenantId, '2000-01-01', '2999-12-31');
    const readS = (performance.now() - t1) / 1000;
    return { records: r.pack.records.length, wallS: round(wallS), readS: round(readS), buildAndRenderS: round(wallS - readS), htmlBytes: Buffer.byteLength(r.files['evidence.html']), usage };
  },
  async audit(args: { env: Record<string, string>; council: CouncilConfig; storage: string; mode: AuditMode; now?: string }): Promise<AuditJobResult> {
    const naive = args.mode !== 'optimised';
    serialise = naive ? pLimit(MODE_IN_FLIGHT[args.mode as Exclude<AuditMode, 'optimised'>]) : undefined;
    const store = await openStore(args.storage);
    const graph = createGraphContext(readEnvironment({ ...process.env, ...args.env }, args.council.tenantId), naive ? { naive, batchConcurrency: MODE_IN_FLIGHT[args.mode as Exclude<AuditMode, 'optimised'>] } : {});
    Object.assign(wire, { deltaPages: 0, deltaItems: 0, maxInFlight: 0 });
    const memory = new MemorySampler(1000).start();
    const t0 = performance.now();
    const result = await runAudit(councilContext(args.council, { graph, store, log: silentLogger, clock: args.now ? fixedClock(args.now) : systemClock }));
    const wallS = (performance.now() - t0) / 1000;
    const sampled = memory.stop(0);
    const findingsByCheck: Record<string, number> = {};
    for (const f of result.document.findings) findingsByCheck[f.checkId] = (findingsByCheck[f.checkId] ?? 0) + 1;
    const checkStatus = Object.fromEntries(result.document.checks.map((c) => [c.id, c.status + (c.skipReason ? ` (${c.skipReason.code})` : '') + (c.error ? `: ${c.error}` : '')]));
    await new Promise((r) => setTimeout(r, 50)); // let the last delta copies finish parsing
    return { wallS: round(wallS), meter: reading(graph), deltaPages: wire.deltaPages, deltaItems: wire.deltaItems, findingsByCheck, checkStatus, errored: result.errored, usage: processUsage(), memory: { peakRssMb: sampled.peakRssMb, peakHeapMb: sampled.peakHeapMb, steadyRssMb: sampled.steadyRssMb } };
  },

  async multi(args: { env: Record<string, string>; councils: CouncilConfig[]; storage: string; concurrency?: number }): Promise<MultiJobResult> {
    const store = await openStore(args.storage);
    const env = { ...process.env, ...args.env };
    // Each council's Graph context made as the app makes it, kept here so their meters can be summed.
    const graphs: GraphContext[] = [];
    const graph = (council: CouncilConfig) => { const g = createGraphContext(readEnvironment(env, council.tenantId)); graphs.push(g); return g; };
    const t0 = performance.now();
    const outcomes = await auditCouncils(new Councils({ file: () => ({ councils: args.councils }), env, store, log: silentLogger, graph }), { concurrency: args.concurrency });
    const wallS = (performance.now() - t0) / 1000;
    return {
      wallS: round(wallS),
      httpRequests: graphs.reduce((n, g) => n + g.meter.httpRequests, 0),
      workUnits: graphs.reduce((n, g) => n + g.meter.workUnits, 0),
      councils: outcomes.length,
      ok: outcomes.filter((o) => o.result && !o.result.errored).length,
      failed: outcomes.filter((o) => o.failure).map((o) => `${o.council.name}: ${o.failure}`).slice(0, 5),
      errored: outcomes.filter((o) => o.result?.errored).length,
      findings: outcomes.reduce((n, o) => n + (o.result?.document.findings.length ?? 0), 0),
      usage: processUsage(),
    };
  },

  async changeover(args: { env: Record<string, string>; councils: CouncilConfig[]; storage: string; concurrency?: number }): Promise<ChangeoverJobResult> {
    const store = await openStore(args.storage);
    const env = { ...process.env, ...args.env };
    // Each council's Graph context made as the app makes it (councilContext), kept here so their meters can be summed.
    const graphs: GraphContext[] = [];
    const graph = (council: CouncilConfig) => { const g = createGraphContext(readEnvironment(env, council.tenantId)); graphs.push(g); return g; };
    const councils = new Councils({ file: () => ({ councils: args.councils }), env, store, log: silentLogger, graph });
    // One limiter for the app, whichever council's context uses it.
    const outlook = outlookLimiterFor(outlookAppKey(readEnvironment(env, args.councils[0].tenantId)));
    const heldMs0 = outlook.stats.heldMs;
    const memory = new MemorySampler(1000).start();
    // Each step's wall time in each surrender, to see which steps a concurrent run stretches.
    const stepTimes: Partial<Record<StepName, number[]>> = {};
    const t0 = performance.now();
    const report = await runChangeover(councils, {
      planOnly: false, requestedBy: 'bench-changeover', concurrency: args.concurrency,
      hooks: {
        surrender: () => {
          const began = new Map<StepName, number>();
          return {
            onStepStart: (step) => { if (!began.has(step)) began.set(step, performance.now()); },
            onStepEnd: (step, outcome) => {
              if (outcome.status === 'more') return;
              (stepTimes[step] ??= []).push((performance.now() - (began.get(step) ?? t0)) / 1000);
            },
          };
        },
      },
    });
    const wallS = (performance.now() - t0) / 1000;
    const mem = memory.stop();
    const rows = report.councils.flatMap((c) => c.rows);
    const outcomes: Record<string, number> = {};
    for (const r of rows) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
    let verified = 0;
    for (const r of rows) if (r.reference && (await loadSurrender(store, r.reference))?.steps.verify.status === 'done') verified++;
    const stepS: ChangeoverJobResult['stepS'] = {};
    for (const [step, times] of Object.entries(stepTimes)) {
      stepS[step] = { n: times.length, meanS: round(times.reduce((a, b) => a + b, 0) / times.length), maxS: round(Math.max(...times)) };
    }
    return {
      wallS: round(wallS), surrenders: rows.length, outcomes, verified,
      failures: rows.filter((r) => r.outcome === 'failed' || r.outcome === 'council-failed').map((r) => `${r.council} ${r.userPrincipalName}: ${r.detail}`).slice(0, 5),
      memory: mem, stepS, meter: summed(graphs), graphContexts: graphs.length,
      outlook: { meanHeld: round((outlook.stats.heldMs - heldMs0) / (wallS * 1000), 2), capacity: outlook.capacity, maxHeld: outlook.stats.maxInUse },
      usage: processUsage(),
    };
  },

  async surrender(args: {
    env: Record<string, string>; council: CouncilConfig; storage: string; upn: string; termEnd: string; budgetSeconds: number;
    /** The budget the client paces each mailbox to (time-compressed in the benchmark); Outlook's by default. */
    mailboxBudget?: MailboxBudgetOptions;
    /** After export-mail: the remaining exports and verify (every item re-read), for a full surrender. */
    verify?: boolean;
  }): Promise<SurrenderJobResult> {
    const store = await openStore(args.storage);
    const graph = createGraphContext(readEnvironment({ ...process.env, ...args.env }, args.council.tenantId), { mailboxBudget: args.mailboxBudget });
    let throttledSeen = 0;
    const countThrottled = (res: Response) => { if (res.status === 429) throttledSeen++; };
    seen429 = countThrottled;
    const deps = { council: args.council, graph, store, log: silentLogger, clock: systemClock };
    const owner = 'bench-surrender';
    const started = await startOffboarding(deps, { userPrincipalName: args.upn, termEnd: args.termEnd, requestedBy: args.council.clerk, via: 'cli' }, owner);
    const id = started.record.id;
    for (const step of ['preflight', 'freeze'] as const) {
      const r = await runOffboardingStep(deps, id, step, { owner });
      if (r.status !== 'done') throw new Error(`surrender step ${step} ended ${r.status}: ${'message' in r ? r.message : ''}`);
    }
    const setup = totals(graph);
    const memory = new MemorySampler(1000).start();
    memory.mark('export-mail');
    const rss: number[] = [];
    const sampler = setInterval(() => rss.push(Math.round(process.memoryUsage().rss / 1048576)), 5000);
    let firstAt: number | undefined;
    let firstDone = 0;
    let lastAt = 0;
    let lastDone = 0;
    let total = 0;
    const t0 = performance.now();
    const r = await runOffboardingStep(deps, id, 'export-mail', {
      owner,
      budgetMs: args.budgetSeconds > 0 ? args.budgetSeconds * 1000 : undefined,
      hooks: {
        onProgress: (e) => {
          if (e.step !== 'export-mail') return;
          const now = performance.now();
          total = e.total;
          // The copy phase starts with the first message copied (after the folder walk and listing).
          if (firstAt === undefined && e.done > 0) { firstAt = now; firstDone = e.done; }
          lastAt = now;
          lastDone = e.done;
        },
      },
    });
    clearInterval(sampler);
    const exportWallS = (performance.now() - t0) / 1000;
    const copyPhaseS = firstAt === undefined ? 0 : (lastAt - firstAt) / 1000;
    const exportMail = since(graph, setup);
    const afterExport = totals(graph);
    const laterSteps: Record<string, string> = {};
    let verifyCounts: Record<string, number> | undefined;
    let verifyS: number | undefined;
    if (args.verify && r.status === 'done') {
      const tv = performance.now();
      // Verify's first progress event is its first item re-read: the checks of the archive's folders come before.
      let hashing = false;
      const hooks = { onProgress: (e: { step: string }) => { if (e.step === 'verify' && !hashing) { hashing = true; memory.mark('verify: re-read and hash'); } } };
      for (const step of ['export-contacts', 'export-calendar', 'export-files', 'verify'] as StepName[]) {
        memory.mark(step === 'verify' ? 'verify: folder checks' : step);
        let s = await runOffboardingStep(deps, id, step, { owner, hooks });
        while (s.status === 'more') s = await runOffboardingStep(deps, id, step, { owner, hooks });
        laterSteps[step] = s.status === 'failed' ? `failed: ${s.message}` : s.status;
        if (step === 'verify' && s.status === 'done') verifyCounts = s.counts;
        if (s.status !== 'done') break;
      }
      verifyS = round((performance.now() - tv) / 1000);
    }
    seen429 = undefined;
    return {
      memory: memory.stop(),
      paced: { ...graph.mailboxBudget.paced },
      throttledSeen,
      laterSteps: args.verify ? laterSteps : undefined,
      verifyCounts,
      verifyS,
      exportCounts: r.status === 'done' ? r.counts : undefined,
      exportStatus: r.status === 'failed' ? `failed: ${r.message}` : r.status,
      messagesTotal: total,
      messagesCopied: lastDone,
      copyPhaseS: round(copyPhaseS),
      copyRatePerS: copyPhaseS > 0 ? round((lastDone - firstDone) / copyPhaseS) : 0,
      exportWallS: round(exportWallS),
      listingS: firstAt === undefined ? 0 : round((firstAt - t0) / 1000),
      meter: reading(graph),
      phases: { setup, exportMail, later: args.verify ? since(graph, afterExport) : undefined },
      retries: graph.meter.counts.retry + graph.meter.counts.itemRetry,
      rssSamplesMb: rss,
      usage: processUsage(),
    };
  },
});
