// The council context: what every use case needs to act for one council (its config entry, policy
// profile, settings, Graph context, store, logger and clock), made by one factory, and the one rule for
// selecting a council. jobs/ builds these for the CLI and the Functions handlers; offboarding/ and
// enforce/ take narrow views of them. See docs/ARCHITECTURE.md, "The council context".
import type { Clock } from '../core/clock';
import { systemClock } from '../core/clock';
import { CouncilNotFoundError } from '../core/errors';
import type { Logger } from '../core/logger';
import { readEnvironment, type Settings } from '../config/env';
import type { CouncilConfig } from '../policy/council-config';
import { loadProfile } from '../policy/load';
import type { PolicyProfile } from '../policy/profile';
import { createGraphContext, type GraphContext } from '../graph';
import type { Store } from '../store';

export interface CouncilContext {
  readonly council: CouncilConfig;
  readonly profile: PolicyProfile;
  readonly settings: Settings;
  readonly graph: GraphContext;
  readonly store: Store;
  readonly log: Logger;
  readonly clock: Clock;
}

export interface CouncilContextDeps {
  store: Store;
  log: Logger;
  clock?: Clock;
  /** The process environment the credential and endpoints are read from (config/env.ts). */
  env?: NodeJS.ProcessEnv;
  /** An existing Graph context for this council's tenant (reused across requests; tests, benchmarks). */
  graph?: GraphContext;
}

/**
 * The context for one council. One multi-tenant app registration serves every council, so the tenant
 * comes from the council's config entry, not from AZURE_TENANT_ID.
 */
export function councilContext(council: CouncilConfig, deps: CouncilContextDeps): CouncilContext {
  const settings = deps.graph?.settings ?? readEnvironment(deps.env ?? process.env, council.tenantId);
  return {
    council,
    profile: loadProfile(council.profile),
    settings,
    graph: deps.graph ?? createGraphContext(settings),
    store: deps.store,
    log: deps.log,
    clock: deps.clock ?? systemClock,
  };
}

const sameText = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** Whether `selector` names this council: its tenant id or its name, in any case. */
function isCouncil(council: CouncilConfig, selector: string): boolean {
  return sameText(council.tenantId, selector) || sameText(council.name, selector);
}

function listed(councils: readonly CouncilConfig[]): string {
  return councils.map((c) => `${c.name} (${c.tenantId})`).join(', ');
}

/**
 * The one rule for choosing councils, used by every command and handler: a selector (a council's name
 * or tenant id) picks that council; no selector means every council in the config.
 */
export function selectCouncils(councils: readonly CouncilConfig[], selector?: string): CouncilConfig[] {
  if (!selector?.trim()) return [...councils];
  const match = councils.find((c) => isCouncil(c, selector));
  if (!match) {
    throw new CouncilNotFoundError(`No council in the config is called or has the tenant id "${selector.trim()}"; the config lists ${listed(councils)}. Name one of them (by name or tenant id) with --council.`);
  }
  return [match];
}

/** Exactly one council: the one the selector names, or the only one in the config. */
export function selectCouncil(councils: readonly CouncilConfig[], selector?: string): CouncilConfig {
  const pool = selectCouncils(councils, selector);
  if (pool.length !== 1) {
    throw new CouncilNotFoundError(`The config lists ${councils.length} councils; say which with --council NAME|TENANT_ID (one of ${listed(councils)}).`);
  }
  return pool[0];
}

/** The council that owns a tenant id (a stored plan's, a surrender record's), if it is still in the config. */
export function councilOfTenant(councils: readonly CouncilConfig[], tenantId: string): CouncilConfig | undefined {
  return councils.find((c) => sameText(c.tenantId, tenantId));
}
