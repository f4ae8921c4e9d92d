// changeover: election night. `offboard --all-ended` (runChangeover) over 12 councils × 4 leavers ×
// 2,000 messages in one process, against one simulator enforcing Outlook's limits (4 concurrent
// requests per app, across every mailbox and tenant; 10,000 requests per 10 minutes per mailbox) at
// 100 ms latency. Its aggregate rate (messages surrendered per second, whole surrenders: preflight to
// close) is set beside a single surrender's, measured the same way on a tenant of its own, and how busy
// it kept the app's 4 Outlook permits is measured at the client's shared limiter. Sizes: BENCH_CHANGEOVER_COUNCILS, _LEAVERS, _MESSAGES,
// _CONCURRENCY (surrenders at once; default the command's). The single surrender runs at the same
// message count, latency model and per-mailbox limits, so the ratio compares like with like. Also
// reported: each step's wall time per surrender alone and at once (which steps a concurrent run
// stretches), the client's CPU and the simulator's (one process serves every tenant: on a small
// machine the three processes' CPU, not latency, is what binds), memory from bench/lib/memory-sampler.ts,
// and each run's round trips and work units summed over every council's GraphContext (Exchange calls
// included), per council and per surrender, checked against the simulator's counters (countCheck).
import { countCheck, envNumber, inWorkload, LATENCY, OUTLOOK_LIMITS, printTable, printTargets, withAzurite, withSimulator, writeResult, type CountCheck, type Target } from '../lib/harness';
import { round } from '../lib/ipc';
import type { BenchTenantSpec } from '../lib/scenario';
import type { ChangeoverJobResult } from '../workload';
import type { CouncilConfig } from '../../policy/council-config';

const PER_10_MIN = 10_000;

/** A leaver's folders adding up to `total` messages. */
function folders(total: number) {
  const inbox = Math.round(total * 0.6);
  const sent = Math.round(total * 0.3);
  return [
    { name: 'Inbox', count: inbox, seed: 1 },
    { name: 'Sent Items', count: sent, seed: 2 },
    { name: 'Archive', count: total - inbox - sent, seed: 3 },
    { name: 'Deleted Items' },
  ];
}

const spec = (name: string, seed: number, leavers: number, messages: number): BenchTenantSpec => ({
  name, users: leavers + 4, messagesPerUser: 5, filesPerCouncillor: 3, libraryFiles: 5, breachRate: 0, seed, archiveLibrary: true, leavers, leaverFolders: folders(messages),
});

interface Measured { result: ChangeoverJobResult; sim429s: number; maxInFlightMailbox: number; maxOutlookInFlight: number; simCpuS: number; check: CountCheck }

async function measure(label: string, specs: BenchTenantSpec[], messages: number, concurrency: number | undefined): Promise<Measured> {
  const faults = { ...LATENCY, ...OUTLOOK_LIMITS, mailboxRequestsPer10Min: PER_10_MIN };
  let out: Measured | undefined;
  await withSimulator(specs, faults, async (sim) => {
    const env = { ...sim.tenants[0].env };
    delete env.AZURE_TENANT_ID; // each council's tenant comes from its config, as in production
    const councils: CouncilConfig[] = sim.tenants.map((t) => t.council);
    const cpu0 = await sim.cpuS();
    const result = await withAzurite((storage) => inWorkload<ChangeoverJobResult>('changeover', { env, councils, storage, concurrency }));
    const stats = await sim.stats();
    // One simulator serves every council's tenant and counts from its start; the workload's GraphContexts
    // (one per council, Exchange calls included) are all made for this run, so their summed meters and
    // the simulator's counters cover the same requests.
    const surrenders = result.surrenders;
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
    const check = countCheck(`${label}: ${plural(specs.length, 'council')}, ${plural(surrenders, 'surrender')}`, result.meter, stats, { users: surrenders, councils: specs.length, messages: (result.outcomes.done ?? 0) * messages });
    // The one simulator process serves every tenant: its CPU over the run says whether it, not the client, bound.
    out = { result, check, sim429s: stats.throttled, maxInFlightMailbox: stats.maxInFlightPerMailbox, maxOutlookInFlight: stats.maxOutlookInFlight, simCpuS: round((await sim.cpuS()) - cpu0, 1) };
  });
  return out!;
}

export async function changeover(): Promise<void> {
  const councils = envNumber('BENCH_CHANGEOVER_COUNCILS', 12);
  const leavers = envNumber('BENCH_CHANGEOVER_LEAVERS', 4);
  const messages = envNumber('BENCH_CHANGEOVER_MESSAGES', 2000);
  const concurrencyRaw = process.env.BENCH_CHANGEOVER_CONCURRENCY?.trim();
  const concurrency = concurrencyRaw ? envNumber('BENCH_CHANGEOVER_CONCURRENCY', 8) : undefined;

  process.stdout.write(`changeover: a single surrender of ${messages} messages…\n`);
  const single = await measure('single', [spec('single', 500, 1, messages)], messages, concurrency);
  process.stdout.write(`changeover: ${councils} councils × ${leavers} leavers × ${messages} messages…\n`);
  const all = await measure('changeover', Array.from({ length: councils }, (_, i) => spec(`co${i + 1}`, 600 + i, leavers, messages)), messages, concurrency);

  const singleRate = round(messages / single.result.wallS);
  const surrenders = councils * leavers;
  const aggregateRate = round((surrenders * messages) / all.result.wallS);
  const ratio = round(aggregateRate / singleRate);
  const peakRss = Math.max(all.result.usage.maxRssMb, all.result.memory.peakRssMb);
  const busy = (m: Measured) => round((m.result.outlook.meanHeld / m.result.outlook.capacity) * 100, 1);
  const done = all.result.outcomes.done ?? 0;
  const rows = [single, all].map((m, i) => ({
    run: i === 0 ? 'single' : 'changeover', surrenders: i === 0 ? 1 : surrenders, messagesEach: messages, wallS: m.result.wallS,
    msgPerS: i === 0 ? singleRate : aggregateRate, done: m.result.outcomes.done ?? 0, verified: m.result.verified, failed: (m.result.outcomes.failed ?? 0) + (m.result.outcomes['council-failed'] ?? 0),
    roundTrips: m.result.meter.httpRequests, workUnits: m.result.meter.workUnits,
    workUnitsPerSurrender: round(m.result.meter.workUnits / Math.max(1, m.result.surrenders), 1), workUnitsPerCouncil: round(m.result.meter.workUnits / (i === 0 ? 1 : councils), 1),
    workUnitsPerMessage: round(m.result.meter.workUnits / Math.max(1, (m.result.outcomes.done ?? 0) * messages), 3),
    exchangeCalls: m.result.meter.counts.exchange, retries: m.result.meter.counts.retry + m.result.meter.counts.itemRetry,
    outlookMeanHeld: m.result.outlook.meanHeld, sim429s: m.sim429s, maxInFlightMailbox: m.maxInFlightMailbox, maxOutlookInFlight: m.maxOutlookInFlight, peakRssMb: Math.max(m.result.usage.maxRssMb, m.result.memory.peakRssMb), steadyRssMb: m.result.memory.steadyRssMb, cpuS: round(m.result.usage.cpuUserS + m.result.usage.cpuSystemS, 1), simCpuS: m.simCpuS,
  }));
  // Round trips and work units of a run, summed over its councils' GraphContexts (client = simulator, or the run failed).
  const counted = (i: 0 | 1) => {
    const r = rows[i];
    return `${r.roundTrips} round trips and ${r.workUnits} work units (client = simulator; ${r.exchangeCalls} Exchange calls, ${r.retries} retries) = ${r.workUnitsPerSurrender} per surrender, ${r.workUnitsPerCouncil} per council, ${r.workUnitsPerMessage} per message`;
  };
  const targets: Target[] = [
    {
      target: 'aggregate messages/s ≥ 6× a single surrender\'s',
      measured: `${aggregateRate} msg/s over ${surrenders} surrenders vs ${singleRate} msg/s for one = ${ratio}× (whole surrenders, ${concurrency ?? 'default'} at once); changeover ${counted(1)}; single ${counted(0)}`,
      met: ratio >= 6,
      // Why the ceiling is near one surrender's rate, from the page the client and simulator follow.
      note: ratio >= 6 ? undefined : 'Outlook runs at most 4 concurrent requests per app ID, whichever mailboxes they reach ("Microsoft Graph service-specific throttling limits", Outlook: limits per app ID), and one surrender already downloads 4 at once: the whole app\'s message downloads share those 4, so 6× would need Outlook to allow about 24',
    },
    {
      // The 6× above was set when Outlook's 4 concurrent requests were read as per mailbox; per app, the most a
      // changeover can do is keep the app's 4 busy. Measured at the client's limiter, which every council shares.
      target: 'the app\'s 4 Outlook requests in flight kept ≥ 90 % busy over the changeover (the 6× restated under Outlook\'s per-app limit)',
      measured: `${all.result.outlook.meanHeld} of ${all.result.outlook.capacity} held on average = ${busy(all)} % over ${all.result.wallS} s (most at once ${all.result.outlook.maxHeld}); a single surrender alone keeps ${single.result.outlook.meanHeld} busy (${busy(single)} %)`,
      met: busy(all) >= 90,
    },
    {
      target: 'zero unhandled 429s (every 429 retried; no surrender failed)',
      measured: `${all.sim429s} 429s given by the simulator; ${done} of ${surrenders} surrenders done, ${rows[1].failed} failed${all.result.failures.length ? `: ${all.result.failures.join(' | ')}` : ''}; peak ${all.maxInFlightMailbox} requests in flight at one mailbox and ${all.maxOutlookInFlight} Outlook requests in flight for the app (limit 4 across every council); ${rows[1].retries} retries among ${rows[1].roundTrips} round trips and ${rows[1].workUnits} work units`,
      met: done === surrenders,
    },
    { target: 'peak RSS < 512 MB (client process)', measured: `${peakRss} MB (sampled every second, and maxRSS) over ${counted(1)}`, met: peakRss < 512 },
    { target: 'every archive verified', measured: `${all.result.verified} of ${surrenders} surrenders passed verify; ${counted(1)}`, met: all.result.verified === surrenders },
  ];
  printTable('changeover', rows);
  // Which steps a concurrent run stretches: each step's mean and longest wall time per surrender, alone and at once.
  const steps = Object.keys(all.result.stepS);
  printTable('changeover: step wall time per surrender (s)', steps.map((step) => ({
    step, singleS: single.result.stepS[step]?.meanS ?? 0, changeoverMeanS: all.result.stepS[step].meanS, changeoverMaxS: all.result.stepS[step].maxS,
  })));
  printTargets(targets);
  const path = writeResult('changeover', {
    params: { councils, leavers, messages, concurrency: concurrency ?? 'default (8)', latency: LATENCY, perMailbox: { requestsPer10Min: PER_10_MIN }, outlookPerApp: { concurrency: OUTLOOK_LIMITS.outlookConcurrency } },
    rows, targets, counts: [single.check, all.check], memory: { peakRssMb: peakRss, peakHeapMb: all.result.memory.peakHeapMb, steadyRssMb: all.result.memory.steadyRssMb }, extra: { single: single.result, all: all.result },
  });
  process.stdout.write(`wrote ${path}\n`);
}
