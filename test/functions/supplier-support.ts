// Several councils for the supplier's page and the plan page, built from real parts:
// - North: the demo tenant in the simulator, audited for real, with a plan made by the real planner;
// - South: the surrender tenant, its last audit stored 40 hours ago (stale) with many high findings, and
//   a surrender of a councillor started for real and run through its first step (preflight);
// - West: audited two hours ago, but served by another IT supplier: the caller must never see it.
// The IT supplier signs in from its own tenant with an account both North and South list.
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { makePlan } from '../../enforce/plan';
import type { EnforcementPlan } from '../../enforce/types';
import { fixedClock } from '../../core/clock';
import { runOffboardingStep, startOffboarding } from '../../jobs/offboarding';
import type { CouncilConfig } from '../../policy/council-config';
import { enforceHarness, type EnforceHarness } from '../enforce/support';
import { harness as surrenderHarness, CLERK, LEAVER, TERM_END, type Harness } from '../offboarding/support';
import { testCouncils } from '../support/councils';
import { signInWith, type Caller, type SignInHarness } from '../support/sign-in';
import type { Councils } from '../../jobs/council-context';

export const SUPPLIER_TENANT = '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
export const SUPPLIER = 'it@supplier.example';

export interface SupplierFixture {
  north: CouncilConfig;
  south: CouncilConfig;
  west: CouncilConfig;
  /** North's plan awaiting approval (four actions: forwarding, MFA, passwords, sharing). */
  plan: EnforcementPlan;
  surrenderId: string;
  now: Date;
  northHarness: EnforceHarness;
  s: SignInHarness;
  councils: () => Promise<Councils>;
  /** The IT supplier, signed in from its own tenant, with the given app roles. */
  supplier(roles: string[]): Caller;
  close(): Promise<void>;
}

/** findings.json with this many findings of each severity (the runs table counts them). */
function findingsJson(counts: Record<string, number>): string {
  const findings = Object.entries(counts).flatMap(([severity, n]) => Array.from({ length: n }, () => ({ severity, state: 'persisting' })));
  return JSON.stringify({ findings, resolved: [] });
}

export async function supplierFixture(): Promise<SupplierFixture> {
  const northHarness = await enforceHarness();
  await northHarness.audit();
  const plan = await makePlan({ ...northHarness.ctx, createdBy: 'nightly audit' });
  const south = await surrenderHarness({ name: `supplier-${randomUUID().slice(0, 8)}`, inbox: 3 });

  const supplierListed = { tenantId: SUPPLIER_TENANT, accounts: [SUPPLIER], appIds: [] };
  const north: CouncilConfig = { ...northHarness.council, itSupplier: supplierListed };
  const southCouncil: CouncilConfig = { ...south.council, itSupplier: supplierListed };
  const west: CouncilConfig = { ...northHarness.council, name: 'West Parish Council', tenantId: randomUUID(), domains: ['westparish.gov.uk'], itSupplier: { tenantId: randomUUID(), accounts: ['it@other-supplier.example'], appIds: [] } };

  const now = new Date();
  const ago = (hours: number) => DateTime.fromJSDate(now).minus({ hours }).toUTC().toISO()!;
  const store = northHarness.ctx.store;
  await store.saveRun(southCouncil.tenantId, 'r1', ago(64), { 'findings.json': findingsJson({ high: 40, medium: 1 }) });
  await store.saveRun(southCouncil.tenantId, 'r2', ago(40), { 'findings.json': findingsJson({ high: 50, medium: 2 }) });
  await store.saveRun(west.tenantId, 'r1', ago(2), { 'findings.json': findingsJson({ high: 90 }) });

  // A surrender started for real and run through preflight: it is now at "Block sign-in".
  const deps = { ...south.deps(), council: southCouncil };
  const started = await startOffboarding(deps, { userPrincipalName: LEAVER, termEnd: TERM_END, requestedBy: CLERK, via: 'cli' });
  await runOffboardingStep(deps, started.id, 'preflight', { owner: started.owner });

  const s = signInWith(northHarness.sim);
  const councils = async () => testCouncils({ councils: [north, southCouncil, west], store, graph: northHarness.ctx.graph, clock: fixedClock(now.toISOString()) });
  return {
    north, south: southCouncil, west, plan, surrenderId: started.id, now, northHarness, s, councils,
    supplier: (roles) => ({ upn: SUPPLIER, tenantId: SUPPLIER_TENANT, roles }),
    close: async () => { await northHarness.close(); await (south as Harness).close(); },
  };
}
