// The local Microsoft 365 tenant: start it, point CouncilGuard at it with env(), change and read its
// state in tests. HTTPS only, loopback only.
import { dirname, join } from 'node:path';
import { DateTime } from 'luxon';
import { testCaPath } from '../config/paths';
import { builtInScenarios, loadScenario, parseScenario, type Scenario, type ScenarioUser, type ScenarioFile } from './scenario';
import { ScenarioError } from '../core/errors';
import { SimulatorServer, type FaultOptions, type SimulatorStats } from './server';
import { buildTenant, type TenantState } from './state';

export { builtInScenarios, loadScenario, parseScenario, ScenarioError, type Scenario, type ScenarioUser, type ScenarioFile, type FaultOptions, type SimulatorStats, type TenantState };
export { buildScenario, ALL_PERMISSIONS, BUSINESS_BASIC, BUSINESS_PREMIUM, E5, type ScenarioParts } from './scenario-builder';
export { quickXorHash, QuickXorHash } from './quickxor';
export { registerRoutes, type Route } from './routes';

export interface SimulatorOptions {
  scenarios: Array<string | Scenario>;
  port?: number;
  faults?: FaultOptions;
  /** Server-side page size for every collection (tests force 2); $top and odata.maxpagesize are then ignored. */
  pageSize?: number;
  /** How long an upload session stays open (default 15 minutes). */
  uploadSessionTtlMs?: number;
  /**
   * How long each mailbox request takes at "Exchange" (default 25 ms, what the benchmarks assume). The
   * delay makes requests overlap so Outlook's concurrency limits are tested; a test that checks none of
   * them and makes thousands of mailbox requests can set 0 and not wait for nothing.
   */
  mailboxWorkMs?: number;
  /** The instant scenario times ("6 hours ago") are relative to (ISO); default the real now. Tests that
   *  compare two simulators' findings pin it, or a run crossing a minute boundary reads different times. */
  now?: string;
}

export interface RunningSimulator {
  url: string;
  port: number;
  clientId: string;
  clientSecret: string;
  tenantIds: string[];
  env(tenantId?: string): Record<string, string>;
  tenant(tenantId?: string): TenantState;
  stats: SimulatorStats;
  setFaults(f: FaultOptions): void;
  setPageSize(n: number | undefined): void;
  /**
   * The variables App Service sets for a user-assigned managed identity (IDENTITY_ENDPOINT,
   * IDENTITY_HEADER) and the identity's client id as CouncilGuard reads it. MSAL reads the first two from
   * process.env itself.
   */
  managedIdentityEnv(): Record<string, string>;
  /** The managed identity (its home tenant, whether the app trusts it as a federated credential) and the app's home tenant; change them to test refusals. */
  managedIdentity: SimulatorServer['managedIdentity'];
  setAppHomeTenant(tenantId: string): void;
  /** The IT supplier's Key Vault (Get Secret): its secrets and who may read them; KEY_VAULT_URI is keyVaultUri. */
  keyVault: SimulatorServer['keyVault'];
  keyVaultUri: string;
  /** A signed-in user's RS256 token from the simulated Entra (see SimulatorServer.signUserToken). */
  signUserToken: SimulatorServer['signUserToken'];
  close(): Promise<void>;
}

export async function startSimulator(opts: SimulatorOptions): Promise<RunningSimulator> {
  const now = opts.now ? DateTime.fromISO(opts.now, { zone: 'utc' }) : DateTime.utc();
  if (!now.isValid) throw new ScenarioError(`The simulator's now "${opts.now}" is not an ISO date-time, e.g. 2026-11-25T02:00:00Z.`);
  const tenants = new Map<string, TenantState>();
  for (const s of opts.scenarios) {
    const scenario = typeof s === 'string' ? loadScenario(s) : parseScenario(structuredClone(s), `(scenario object ${s.name})`);
    const id = scenario.tenantId.toLowerCase();
    if (tenants.has(id)) throw new ScenarioError(`Two scenarios use tenant ${id}; give each its own tenantId.`);
    const tenant = buildTenant(scenario, now);
    if (opts.uploadSessionTtlMs !== undefined) tenant.uploadSessionTtlMs = opts.uploadSessionTtlMs;
    tenants.set(id, tenant);
  }
  const sim = new SimulatorServer(tenants);
  sim.managedIdentity.homeTenantId = sim.appHomeTenantId = [...tenants.values()][0].tenantId;
  sim.pageSize = opts.pageSize;
  if (opts.mailboxWorkMs !== undefined) sim.mailboxWorkMs = opts.mailboxWorkMs;
  if (opts.faults) sim.setFaults(opts.faults);
  await new Promise<void>((resolve, reject) => {
    sim.server.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'EADDRINUSE'
      ? new ScenarioError(`Port ${opts.port} is already in use; choose another with --port, or leave it out for a free one.`)
      : err));
    sim.server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (sim.server.address() as { port: number }).port;
  sim.url = `https://127.0.0.1:${port}`;
  const first = [...tenants.keys()][0];
  const pick = (tenantId?: string) => {
    const t = tenants.get((tenantId ?? first).toLowerCase());
    if (!t) throw new Error(`the simulator has no tenant ${tenantId}`);
    return t;
  };
  return {
    url: sim.url,
    port,
    clientId: sim.clientId,
    clientSecret: sim.clientSecret,
    signUserToken: (user, override, signWith) => sim.signUserToken(user, override, signWith),
    managedIdentityEnv: () => ({ IDENTITY_ENDPOINT: `${sim.url}/msi/token`, IDENTITY_HEADER: sim.identityHeader, COUNCILGUARD_MANAGED_IDENTITY_CLIENT_ID: sim.managedIdentity.clientId }),
    managedIdentity: sim.managedIdentity,
    setAppHomeTenant: (tenantId) => { sim.appHomeTenantId = tenantId; },
    keyVault: sim.keyVault,
    keyVaultUri: `${sim.url}/keyvault`,
    tenantIds: [...tenants.keys()],
    env: (tenantId) => ({
      AZURE_TENANT_ID: pick(tenantId).tenantId,
      AZURE_CLIENT_ID: sim.clientId,
      AZURE_CLIENT_SECRET: sim.clientSecret,
      AZURE_AUTHORITY_HOST: sim.url,
      GRAPH_BASE_URL: sim.url,
      EXCHANGE_BASE_URL: `${sim.url}/exchange`,
    }),
    tenant: pick,
    stats: sim.stats,
    setFaults: (f) => sim.setFaults(f),
    setPageSize: (n) => { sim.pageSize = n; },
    close: () => new Promise<void>((resolve) => {
      sim.server.close(() => resolve());
      sim.server.closeAllConnections();
    }),
  };
}

/** `councilguard simulate`: start, then print the environment to export. */
export async function runSimulateCommand(args: { scenario: string; port?: number }): Promise<RunningSimulator> {
  const sim = await startSimulator({ scenarios: [args.scenario], port: args.port });
  const lines = Object.entries({ ...sim.env(), NODE_EXTRA_CA_CERTS: testCaPath() }).map(([k, v]) => `export ${k}='${v}'`);
  const certificate = join(dirname(testCaPath()), 'client-cert-and-key.pem');
  process.stdout.write([
    `CouncilGuard tenant simulator (${args.scenario}, tenant ${sim.tenantIds.join(', ')}) on ${sim.url} — Ctrl+C to stop.`,
    '# The secret below belongs to the simulator only. Export these in the shell that runs CouncilGuard:',
    ...lines,
    `# To sign in with the demo certificate instead of the secret: unset AZURE_CLIENT_SECRET; export AZURE_CLIENT_CERTIFICATE_PATH='${certificate}'`,
    '',
  ].join('\n'));
  return sim;
}
