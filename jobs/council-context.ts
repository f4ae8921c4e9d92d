// The way into a council for every use case: load the config file once, open the store once, and make
// each council's context (context/council-context.ts) with its Graph context kept per tenant. The CLI
// opens one for a command and closes it; the function app keeps one for the life of the host.
// See docs/ARCHITECTURE.md, "The council context".
import type { Clock } from '../core/clock';
import { systemClock } from '../core/clock';
import type { Logger } from '../core/logger';
import { readConfigSource, readStorageSettings, requireConfigPath } from '../config/env';
import { CHECK_IDS } from '../checks';
import { councilContext, councilOfTenant, selectCouncil, selectCouncils, type CouncilContext } from '../context/council-context';
import type { GraphContext } from '../graph';
import { loadCouncilConfig, parseCouncilConfig } from '../policy/load';
import type { CouncilConfig, CouncilConfigFile } from '../policy/council-config';
import { openConfiguredStore, type Store } from '../store';
import { blobConfigReader } from './config-source';

export type { CouncilContext } from '../context/council-context';
export type { CouncilConfig, CouncilConfigFile } from '../policy/council-config';
export { selectCouncil, selectCouncils } from '../context/council-context';

/** Reads and validates a council config file (with the check catalogue's ids); the message names each fix. */
export function loadCouncilFile(path: string): CouncilConfigFile {
  return loadCouncilConfig(path, CHECK_IDS);
}

/** Validates a council config already parsed from JSON (an upload, a test fixture). */
export function parseCouncilFile(json: unknown, source: string): CouncilConfigFile {
  return parseCouncilConfig(json, source, CHECK_IDS);
}

export interface CouncilsInit {
  /** The config, read afresh on each call (the function app) or once (a command). */
  file: () => CouncilConfigFile;
  store: Store;
  log: Logger;
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
  /** A Graph context to use for a council instead of one made from the environment (tests, benchmarks). */
  graph?: (council: CouncilConfig) => GraphContext;
  /** Lets go of what was opened for these councils (the local store). */
  release?: () => Promise<void>;
}

/** The councils of one config file, the store, and a context per council. */
export class Councils {
  readonly store: Store;
  readonly log: Logger;
  readonly clock: Clock;
  private readonly graphs = new Map<string, GraphContext>();

  constructor(private readonly init: CouncilsInit) {
    this.store = init.store;
    this.log = init.log;
    this.clock = init.clock ?? systemClock;
  }

  private readFile(): CouncilConfigFile {
    return this.init.file();
  }

  /** Every council in the config. */
  all(): CouncilConfig[] {
    return this.readFile().councils;
  }

  /** The council named by `selector` (name or tenant id), or all of them without one. */
  select(selector?: string): CouncilConfig[] {
    return selectCouncils(this.all(), selector);
  }

  /** Exactly one council: the one named, or the only one. */
  one(selector?: string): CouncilConfig {
    return selectCouncil(this.all(), selector);
  }

  ofTenant(tenantId: string): CouncilConfig | undefined {
    return councilOfTenant(this.all(), tenantId);
  }

  /** The council's context; its Graph context (token cache, throttle, meter) is shared per tenant. */
  context(council: CouncilConfig, log: Logger = this.log): CouncilContext {
    const key = council.tenantId.toLowerCase();
    const existing = this.graphs.get(key) ?? this.init.graph?.(council);
    const ctx = councilContext(council, { store: this.store, log, clock: this.clock, env: this.init.env, graph: existing });
    this.graphs.set(key, ctx.graph);
    return ctx;
  }

  async close(): Promise<void> {
    await this.init.release?.();
  }
}

export interface OpenCouncilsOptions {
  /** The council config file (--config); in the function app, COUNCILGUARD_CONFIG. */
  configPath?: string;
  /** An already validated config (the demo, tests). */
  file?: CouncilConfigFile;
  env?: NodeJS.ProcessEnv;
  log: Logger;
  clock?: Clock;
  /** Where the command line's local store keeps its data when no storage is configured. */
  dataDir?: string;
  /** A store already open (tests, the demo): it is not closed by close(). */
  store?: Store;
  /** The function app: storage defaults to AzureWebJobsStorage and a local store is refused. */
  functionApp?: boolean;
}

/** Loads and validates the config, then opens the store; nothing is opened when the config is bad. */
async function openCouncils(opts: OpenCouncilsOptions): Promise<Councils> {
  const env = opts.env ?? process.env;
  const file = opts.file ?? loadCouncilFile(opts.configPath ?? requireConfigPath(env));
  const common = { file: () => file, log: opts.log, clock: opts.clock, env };
  if (opts.store) return new Councils({ ...common, store: opts.store });
  const { store, stop } = await openConfiguredStore(readStorageSettings(env, { functionApp: opts.functionApp }), { dataDir: opts.dataDir });
  return new Councils({ ...common, store, release: stop });
}

/** Opens the councils, runs `fn`, and closes them (the local store stops) whatever happens. */
export async function withCouncils<T>(opts: OpenCouncilsOptions, fn: (councils: Councils) => Promise<T>): Promise<T> {
  const councils = await openCouncils(opts);
  try {
    return await fn(councils);
  } finally {
    await councils.close();
  }
}

/**
 * The function app's councils: the config re-read on each use (a changed file, or a newly pushed
 * version with COUNCILGUARD_CONFIG_SOURCE=blob, takes effect without a restart), the store opened once,
 * on first use, from the app's own storage account.
 */
export function functionAppCouncils(env: NodeJS.ProcessEnv, log: Logger, clock: Clock = systemClock): () => Promise<Councils> {
  if (readConfigSource(env) === 'blob') return blobCouncils(env, log, clock);
  let opened: Promise<Councils> | undefined;
  return () => (opened ??= (async () => {
    const storage = readStorageSettings(env, { functionApp: true });
    const path = requireConfigPath(env);
    loadCouncilFile(path); // a bad config fails the first request, with the fix, before the store opens
    const { store } = await openConfiguredStore(storage);
    return new Councils({ file: () => loadCouncilFile(path), store, log, clock, env });
  })().catch((err) => { opened = undefined; throw err; }));
}

/** COUNCILGUARD_CONFIG_SOURCE=blob: each use reads the newest valid pushed version (jobs/config-source.ts). */
function blobCouncils(env: NodeJS.ProcessEnv, log: Logger, clock: Clock): () => Promise<Councils> {
  let opened: Promise<{ councils: Councils; refresh: () => Promise<void> }> | undefined;
  return async () => {
    const o = await (opened ??= (async () => {
      const { store } = await openConfiguredStore(readStorageSettings(env, { functionApp: true }));
      const read = blobConfigReader(store, log);
      let current: CouncilConfigFile | undefined;
      const councils = new Councils({ file: () => current!, store, log, clock, env });
      return { councils, refresh: async () => { current = await read(); } };
    })().catch((err) => { opened = undefined; throw err; }));
    await o.refresh();
    return o.councils;
  };
}
