// Child process: the tenant simulator with the benchmark's tenants, apart from the measured workload
// so the simulator's CPU and memory never count as CouncilGuard's.
import { startSimulator, type FaultOptions, type RunningSimulator } from '../simulator';
import { touch } from '../simulator/drives';
import { prng } from '../simulator/prng';
import { buildBenchTenant, type BenchTenantSpec, type PlantedBreaches } from './lib/scenario';
import { processUsage, serve } from './lib/ipc';
import type { CouncilConfig } from '../policy/council-config';

export interface StartedTenant {
  tenantId: string;
  env: Record<string, string>;
  council: CouncilConfig;
  planted: PlantedBreaches;
  councillors: number;
  filesInOneDrives: number;
  leaver: string;
}

export interface SimStats {
  /** HTTP requests to Graph and Exchange (a $batch once). */
  requests: number;
  /** Requests to upload-session URLs. */
  uploads: number;
  /** Graph work units: each single request, each $batch item, each Exchange call, each upload fragment, retries included. */
  workUnits: number;
  throttled: number;
  byRoute: Record<string, number>;
  maxInFlightPerMailbox: number;
  /** Most Outlook requests (to any mailbox, $batch items included) in flight at once for the app. */
  maxOutlookInFlight: number;
}

let sim: RunningSimulator | undefined;
const running = (): RunningSimulator => {
  if (!sim) throw new Error('the simulator has not been started');
  return sim;
};

serve({
  async start(args: { tenants: BenchTenantSpec[]; faults: FaultOptions }): Promise<{ url: string; tenants: StartedTenant[]; buildSeconds: number }> {
    const t0 = Date.now();
    const built = args.tenants.map(buildBenchTenant);
    sim = await startSimulator({ scenarios: built.map((b) => b.scenario), faults: args.faults });
    return {
      url: sim.url,
      buildSeconds: (Date.now() - t0) / 1000,
      tenants: built.map((b) => ({
        tenantId: b.scenario.tenantId, env: sim!.env(b.scenario.tenantId), council: b.council, planted: b.planted,
        councillors: b.councillors, filesInOneDrives: b.filesInOneDrives, leaver: b.leaver,
      })),
    };
  },

  async stats(): Promise<SimStats> {
    const s = running().stats;
    return { requests: s.requests, uploads: s.uploads, workUnits: s.workUnits, throttled: s.throttled, byRoute: { ...s.byRoute }, maxInFlightPerMailbox: Math.max(0, ...Object.values(s.maxInFlightPerMailbox)), maxOutlookInFlight: Math.max(0, ...Object.values(s.maxOutlookInFlight)) };
  },

  async resetStats(): Promise<void> {
    running().stats.reset();
  },

  /**
   * Changes a fraction of the files in every councillor's OneDrive, as a day of editing would: each
   * chosen file gets new content (one byte longer) and a new modified time, so delta lists it again.
   */
  async changeFiles(args: { fraction: number; seed: number }): Promise<{ changed: number; totalFiles: number }> {
    const random = prng(args.seed);
    let changed = 0;
    let totalFiles = 0;
    for (const tenantId of running().tenantIds) {
      const tenant = running().tenant(tenantId);
      for (const drive of tenant.drives.values()) {
        if (!drive.ownerUserId) continue;
        for (const item of drive.items.values()) {
          if (item.folder || item.deleted) continue;
          totalFiles++;
          if (random() >= args.fraction) continue;
          item.size += 1;
          item.hashes = undefined;
          touch(tenant, drive, item);
          changed++;
        }
      }
    }
    return { changed, totalFiles };
  },

  async usage() {
    return processUsage();
  },
});
