// Audits every council in a config file: one tenant at a time per council, several councils at once.
// Shared by the nightly timer and `councilguard audit`.
import pLimit from 'p-limit';
import type { CouncilConfig } from '../policy/council-config';
import { loadProfile } from '../policy/load';
import { loadCouncilFile } from './council-context';
import { readEnvironment } from '../config/env';
import { createGraphContext } from '../graph';
import { storeFromEnvironment, type Store } from '../store';
import { runAudit, type AuditResult } from './run-audit';
import type { Logger } from '../core/logger';
import { enabledRemediations, makePlan } from '../enforce/plan';

export interface CouncilAuditOutcome {
  council: CouncilConfig;
  result?: AuditResult;
  /** The whole council failed (credential, tenant unreachable): the others still ran. */
  failure?: string;
  /** The enforcement plan written for approval, when the council enabled a remediation (nightly only). */
  planId?: string;
}

export async function auditCouncils(opts: {
  councils: CouncilConfig[];
  env: NodeJS.ProcessEnv;
  store: Store;
  log: Logger;
  now?: string;
  concurrency?: number;
  /** Write an enforcement plan for approval after each audit (the nightly run; not the CLI). */
  writePlans?: boolean;
}): Promise<CouncilAuditOutcome[]> {
  const limit = pLimit(opts.concurrency ?? 8);
  return Promise.all(opts.councils.map((council) => limit(async (): Promise<CouncilAuditOutcome> => {
    try {
      // One multi-tenant app registration serves every council: the tenant comes from the config.
      const settings = readEnvironment(opts.env, council.tenantId);
      const graph = createGraphContext(settings);
      const profile = loadProfile(council.profile);
      const result = await runAudit({ council, profile, graph, store: opts.store, log: opts.log, now: opts.now });
      if (!opts.writePlans || !enabledRemediations(council).length) return { council, result };
      // Nothing is applied here: the plan waits for the IT supplier's approval (POST /api/plans/{id}/approve).
      const plan = await makePlan({ council, profile, graph, store: opts.store, log: opts.log, now: opts.now, createdBy: 'nightly audit' });
      if (!plan.actions.length) return { council, result };
      opts.log.info(`${council.name}: plan ${plan.id} with ${plan.actions.length} action(s) awaits approval (POST /api/plans/${plan.id}/approve).`);
      return { council, result, planId: plan.id };
    } catch (err) {
      // Missing app settings are the same for every council: bad configuration (exit 2), not a failed run.
      if (err instanceof Error && err.name === 'ConfigError') throw err;
      const message = err instanceof Error ? err.message : String(err);
      opts.log.error(`${council.name}: the audit could not run: ${message}`);
      return { council, failure: message };
    }
  })));
}

/** The nightly timer's entry: config path and storage from app settings. */
export async function auditConfiguredCouncils(opts: { env: NodeJS.ProcessEnv; log: Logger; now?: string }): Promise<{ errored: boolean; message: string }> {
  const path = opts.env.COUNCILGUARD_CONFIG;
  if (!path) throw Object.assign(new Error('COUNCILGUARD_CONFIG is not set: point it at the council config JSON file deployed with the app.'), { name: 'ConfigError' });
  const config = loadCouncilFile(path);
  const { store, stop } = await storeFromEnvironment({ env: opts.env, dataDir: '.councilguard', inMemory: false });
  try {
    const outcomes = await auditCouncils({ councils: config.councils, env: opts.env, store, log: opts.log, now: opts.now, writePlans: true });
    const failed = outcomes.filter((o) => o.failure || o.result?.errored);
    const counts = outcomes.map((o) => `${o.council.name}: ${o.failure ? 'failed' : `${o.result!.document.findings.length} findings`}`);
    return { errored: failed.length > 0, message: `Audited ${outcomes.length} council(s). ${counts.join('; ')}` };
  } finally {
    await stop();
  }
}
