// The surrender use case, for the command line (`councilguard offboard`: in process, runOffboarding) and
// the function app (the clerk's endpoints; durable functions run one activity per step and time slice,
// runOffboardingStep). Resumability lives in the steps and the store: either runner, restarted, reads
// the record and continues with the first step not done. Nothing outside jobs/ reaches into offboarding/.
import type { CouncilConfig } from '../policy/council-config';
import { selectCouncils } from '../context/council-context';
import { resolveOptions } from '../offboarding/options';
import { CONTAINER } from '../offboarding/manifest';
import { surrenderView, type SurrenderView } from '../offboarding/status';
import { STEPS, stepNamed } from '../offboarding/steps';
import { certificateBlobName } from '../offboarding/steps/hand-over';
import {
  acquireLease, asRunner, cliOwner, createRecord, durableOwner, LeaseLostError, loadRecord, loadRecordWithEtag, newRecord, readStatusMirror, releaseDurableLease,
  releaseLease, renewLease, saveRecord, surrenderId, type RunnerScope,
} from '../offboarding/state';
import { CheckpointConflictError } from '../store';
import { parseTermEnd, validateInTenant, validateLocally } from '../offboarding/validate';
import {
  DEFAULT_TUNING, STEP_NAMES, StepFailure,
  type ProgressEvent, type StepContext, type StepName, type StepOutcome, type StepPlan, type SurrenderDeps, type SurrenderRecord, type SurrenderRequest,
} from '../offboarding/types';
import { CouncilNotFoundError, SurrenderInputError } from '../core/errors';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { Store } from '../store';
import { asRun } from './telemetry';
import { errorDimensions } from '../core/logger';

export { STEP_NAMES, parseTermEnd, surrenderView };
export { parseSurrenderBody } from '../offboarding/request-schema';
export type { ProgressEvent, StepName, SurrenderDeps, SurrenderRecord, SurrenderView };

/** A step's title for people ("Copy the mailbox"). */
/** Log markers the "surrender failed or stuck" alert in infra/main.bicep matches (with tenantId= and surrenderId=). */
export const SURRENDER_MARKERS = {
  started: 'councilguard.surrender.started',
  ended: 'councilguard.surrender.ended',
  failed: 'councilguard.surrender.failed',
} as const;

export function stepTitle(step: StepName): string {
  return stepNamed(step).title;
}

export interface OffboardingRequestInput {
  userPrincipalName: string;
  termEnd: string;
  requestedBy: string;
  via: 'cli' | 'http';
  force?: { reason: string };
  /** Overrides of the council's enforce.offboarding defaults. */
  options?: unknown;
}

/** How often a running step's progress is saved (for the status page) and its lease renewed. */
const SAVE_EVERY_MS = 2000;

function buildRequest(deps: SurrenderDeps, input: OffboardingRequestInput): SurrenderRequest {
  const now = deps.clock();
  return {
    tenantId: deps.council.tenantId,
    council: deps.council.name,
    userPrincipalName: input.userPrincipalName.trim(),
    termEnd: input.termEnd.trim(),
    requestedBy: input.requestedBy,
    requestedAt: now.toISOString(),
    via: input.via,
    force: input.force?.reason?.trim() ? { reason: input.force.reason.trim() } : undefined,
    options: resolveOptions(deps.council, input.options ?? {}),
  };
}

/** The record's first step that is not done, or undefined when all are. */
function nextStep(record: SurrenderRecord): StepName | undefined {
  return STEP_NAMES.find((s) => record.steps[s].status !== 'done');
}

export interface StartResult {
  /** The surrender's reference: one per tenant, councillor and term end. */
  id: string;
  /** Who holds the councillor's lease for this run (the runner must use the same owner). */
  owner: string;
  record: SurrenderRecord;
  /** true: a new surrender; false: an earlier one for the same councillor and term end continues. */
  created: boolean;
  /** Every step is done: nothing to run. */
  complete: boolean;
}

/** The lease owner for a runner: the command line's process, or the durable orchestration of this surrender. */
function ownerFor(id: string, via: OffboardingRequestInput['via']): string {
  return via === 'cli' ? cliOwner(id) : durableOwner(id, 'start');
}

/**
 * Checks the request, then finds the surrender (a restart) or creates it, and takes the councillor's
 * lease (for the runner `input.via` names, unless an owner is given). Refuses, naming the running one,
 * when another surrender of the councillor runs.
 */
export async function startOffboarding(deps: SurrenderDeps, input: OffboardingRequestInput, ownerOverride?: string): Promise<StartResult> {
  const now = deps.clock;
  const request = buildRequest(deps, input);
  validateLocally(deps.council, request, now());
  const id = surrenderId(request.tenantId, request.userPrincipalName, request.termEnd);
  const owner = ownerOverride ?? ownerFor(id, input.via);
  const lease = await acquireLease(deps.store, request.tenantId, request.userPrincipalName, owner);
  if (!lease.acquired) {
    throw new SurrenderInputError(
      `A surrender of ${request.userPrincipalName} is already running (reference ${lease.holderSurrenderId}); wait for it to finish, or follow it on the offboarding page (GET /api/offboarding/${lease.holderSurrenderId}). It holds the councillor until ${lease.expiresAt} unless it finishes sooner.`,
      'conflict', lease.holderSurrenderId,
    );
  }
  try {
    const existing = await loadRecord(deps.store, id);
    if (existing) {
      const complete = !nextStep(existing);
      if (complete) await releaseLease(deps.store, request.tenantId, request.userPrincipalName, owner);
      else if (existing.status === 'failed') {
        existing.status = 'running';
        await saveRecord(deps.store, existing, now().toISOString());
      }
      return { id, owner, record: existing, created: false, complete };
    }
    await validateInTenant(deps.graph, deps.council, request);
    const record = newRecord(id, request, now().toISOString());
    try {
      await createRecord(deps.store, record, now().toISOString());
    } catch (err) {
      // Create-if-absent: a start that lost the race finds the other's record and continues it.
      if (!(err instanceof CheckpointConflictError)) throw err;
      const other = (await loadRecord(deps.store, id))!;
      return { id, owner, record: other, created: false, complete: !nextStep(other) };
    }
    await deps.store.appendAction({
      tenantId: request.tenantId, actor: request.requestedBy, action: 'surrender.start', target: request.userPrincipalName, result: 'done',
      after: { surrenderId: id, termEnd: request.termEnd, options: request.options, force: request.force ?? null },
      detail: `Surrender of ${request.userPrincipalName} (term ended ${request.termEnd}) started via ${request.via}${request.force ? `, before the term end, because: ${request.force.reason}` : ''}.`,
    });
    // The "surrender failed or stuck" alert (infra/main.bicep) starts from this marker.
    deps.log.info(`${SURRENDER_MARKERS.started} tenantId=${request.tenantId} surrenderId=${id}: surrender of a councillor started via ${request.via}.`);
    return { id, owner, record, created: true, complete: false };
  } catch (err) {
    await releaseLease(deps.store, request.tenantId, request.userPrincipalName, owner);
    throw err;
  }
}

export interface RunHooks {
  onProgress?(event: ProgressEvent): void;
  onStepStart?(step: StepName, record: SurrenderRecord): void | Promise<void>;
  onStepEnd?(step: StepName, outcome: StepOutcome | { status: 'failed'; message: string }, record: SurrenderRecord): void;
}

function makeContext(deps: SurrenderDeps, record: SurrenderRecord, opts: { planning: boolean; deadline: number; runner?: RunnerScope; etag?: { value?: string }; hooks?: RunHooks; saveChain?: { p: Promise<void> } }): StepContext {
  const now = deps.clock;
  const chain = opts.saveChain ?? { p: Promise.resolve() };
  const held = opts.etag ?? {};
  const save = (): Promise<void> => {
    if (opts.planning) return Promise.resolve();
    chain.p = chain.p.then(async () => {
      // Written only by the lease holder, and only over the version it read or wrote last.
      await opts.runner?.checkLease();
      try {
        held.value = await saveRecord(deps.store, record, now().toISOString(), held.value);
      } catch (err) {
        if (err instanceof CheckpointConflictError) throw new LeaseLostError(record.id, 'another runner wrote the surrender record');
        throw err;
      }
    });
    return chain.p;
  };
  let lastSave = Date.now();
  return {
    record,
    council: deps.council,
    graph: deps.graph,
    store: deps.store,
    log: deps.log,
    planning: opts.planning,
    deadline: opts.deadline,
    tuning: { ...DEFAULT_TUNING, ...deps.tuning },
    clock: now,
    planData: {},
    progress: (event) => {
      const state = record.steps[event.step];
      state.progress = { done: event.done, total: event.total, bytesDone: event.bytesDone, bytesTotal: event.bytesTotal };
      opts.hooks?.onProgress?.(event);
      if (!opts.planning && Date.now() - lastSave > SAVE_EVERY_MS) {
        lastSave = Date.now();
        // The save renews the lease; a lost lease is remembered and stops the step at its next write.
        void save().catch((err) => deps.log.warn(`Could not save the surrender's progress: ${err instanceof Error ? err.message : err}`));
      }
    },
    audit: async (entry) => {
      if (opts.planning) return;
      await deps.store.appendAction({ tenantId: record.request.tenantId, actor: record.request.requestedBy, result: 'done', ...entry, detail: entry.detail ?? `surrender ${record.id}` });
    },
    mailbox: (fn) => deps.graph.mailboxLimiter.run(record.target?.id ?? record.request.userPrincipalName, fn),
    saveRecord: save,
  };
}

export type StepRunResult = StepOutcome | { status: 'failed'; message: string };

/**
 * Runs one step of a surrender for at most `budgetMs` (a long step saves its place and answers
 * 'more'). The durable activity calls this; the in-process runner calls it in a loop.
 */
export function runOffboardingStep(deps: SurrenderDeps, id: string, stepName: StepName, opts: { owner: string; budgetMs?: number; hooks?: RunHooks }): Promise<StepRunResult> {
  // A surrender is one run whatever runs its steps (the CLI, durable activities): its id is the run id.
  const dimensions = { council: deps.council.name, tenantId: deps.council.tenantId, runId: id, surrenderId: id };
  return asRun(deps.graph, deps.log, dimensions, async ({ log }) => {
    log.info(`Surrender ${id}: ${stepNamed(stepName).title}: starting.`);
    let result: StepRunResult;
    try {
      result = await runStepAsRun({ ...deps, log }, id, stepName, opts);
    } catch (err) {
      log.error(`Surrender ${id}: ${stepNamed(stepName).title} stopped: ${err instanceof Error ? err.message : String(err)}`, errorDimensions(err));
      throw err;
    }
    log[result.status === 'failed' ? 'error' : 'info'](`Surrender ${id}: ${stepNamed(stepName).title}: ${result.status}${result.status === 'failed' ? ` (${result.message})` : ''}.`);
    return result;
  });
}

async function runStepAsRun(deps: SurrenderDeps, id: string, stepName: StepName, opts: { owner: string; budgetMs?: number; hooks?: RunHooks }): Promise<StepRunResult> {
  const loaded = await loadRecordWithEtag(deps.store, id);
  if (!loaded) throw new SurrenderInputError(`There is no surrender with reference ${id}.`, 'not-found');
  const { record } = loaded;
  const state = record.steps[stepName];
  if (state.status === 'done') return { status: 'done', counts: state.counts };
  const earlier = STEP_NAMES.slice(0, STEP_NAMES.indexOf(stepName)).find((s) => record.steps[s].status !== 'done');
  if (earlier) throw new Error(`surrender ${id}: step ${stepName} cannot run before ${earlier} is done`);
  const lease = await acquireLease(deps.store, record.request.tenantId, record.request.userPrincipalName, opts.owner);
  if (!lease.acquired) throw new SurrenderInputError(`Another run (${lease.holder}) holds the surrender of ${record.request.userPrincipalName}; this one stops.`, 'conflict', lease.holderSurrenderId);

  let lost: LeaseLostError | undefined;
  const runner: RunnerScope = {
    etags: new Map(),
    checkLease: async () => {
      if (lost) throw lost;
      const r = await renewLease(deps.store, record.request.tenantId, record.request.userPrincipalName, opts.owner);
      if (!r.acquired) {
        lost = new LeaseLostError(id, r.holder);
        deps.log.warn(`Surrender ${id}: ${lost.message}`);
        throw lost;
      }
    },
  };
  return asRunner(runner, () => runHoldingLease(deps, record, stepName, { ...opts, runner, etag: { value: loaded.etag } }));
}

async function runHoldingLease(deps: SurrenderDeps, record: SurrenderRecord, stepName: StepName, opts: { owner: string; budgetMs?: number; hooks?: RunHooks; runner: RunnerScope; etag: { value?: string } }): Promise<StepRunResult> {
  const now = deps.clock;
  const state = record.steps[stepName];
  const chain = { p: Promise.resolve() };
  const ctx = makeContext(deps, record, { planning: false, deadline: opts.budgetMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + opts.budgetMs, runner: opts.runner, etag: opts.etag, hooks: opts.hooks, saveChain: chain });
  record.status = 'running';
  Object.assign(state, { status: 'running', startedAt: state.startedAt ?? now().toISOString(), message: undefined, finishedAt: undefined });
  await ctx.saveRecord();
  await opts.hooks?.onStepStart?.(stepName, record);

  // definitive: the step itself refused (StepFailure, bad input); an unexpected error is retried first.
  const finish = async (result: StepRunResult, definitive = true): Promise<StepRunResult> => {
    await chain.p.catch(() => {});
    await opts.runner.checkLease();
    if (result.status === 'done') {
      Object.assign(state, { status: 'done', finishedAt: now().toISOString(), counts: result.counts ?? state.counts, message: result.message });
      if (!nextStep(record)) record.status = 'done';
    } else if (result.status === 'waiting') {
      Object.assign(state, { status: 'waiting', waitingUntil: result.until, message: result.message });
      record.status = 'done';
    } else if (result.status === 'failed') {
      Object.assign(state, { status: 'failed', finishedAt: now().toISOString(), message: result.message });
      record.status = 'failed';
    }
    await ctx.saveRecord();
    if (result.status === 'failed' && definitive) deps.log.error(`${SURRENDER_MARKERS.failed} tenantId=${record.request.tenantId} surrenderId=${record.id}: step ${stepName} failed: ${result.message ?? ''}`);
    else if (record.status === 'done') deps.log.info(`${SURRENDER_MARKERS.ended} tenantId=${record.request.tenantId} surrenderId=${record.id}: ${result.status === 'waiting' ? `waiting until ${result.until}` : 'complete'}.`);
    if (record.status !== 'running') await releaseLease(deps.store, record.request.tenantId, record.request.userPrincipalName, opts.owner);
    opts.hooks?.onStepEnd?.(stepName, result, record);
    return result;
  };

  let outcome: StepOutcome;
  try {
    outcome = await stepNamed(stepName).run(ctx);
  } catch (err) {
    // Another runner holds the surrender now: stop at once, writing nothing.
    if (err instanceof LeaseLostError) throw err;
    if (err instanceof StepFailure || err instanceof SurrenderInputError) {
      await ctx.audit({ action: `surrender.${stepName}`, target: record.request.userPrincipalName, result: 'failed', detail: err.message });
      return finish({ status: 'failed', message: err.message });
    }
    // Unexpected (network, service): recorded, then thrown so the durable retry policy (or the person
    // at the CLI, running it again) continues from the saved place.
    await finish({ status: 'failed', message: `${stepNamed(stepName).title} stopped: ${err instanceof Error ? err.message : String(err)}. Nothing is lost; run the surrender again to continue where it stopped.` }, false);
    throw err;
  }
  return finish(outcome);
}

/** The in-process runner (CLI): every remaining step in order, until done, failed or waiting. */
export async function runOffboarding(deps: SurrenderDeps, id: string, opts: { owner: string; hooks?: RunHooks }): Promise<SurrenderRecord> {
  try {
    for (let step = nextStep((await loadRecord(deps.store, id))!); step; ) {
      const result = await runOffboardingStep(deps, id, step, { owner: opts.owner, hooks: opts.hooks });
      if (result.status === 'failed' || result.status === 'waiting') break;
      if (result.status === 'done') {
        const record = (await loadRecord(deps.store, id))!;
        step = nextStep(record);
      }
    }
  } finally {
    const record = await loadRecord(deps.store, id);
    if (record && record.status !== 'running') await releaseLease(deps.store, record.request.tenantId, record.request.userPrincipalName, opts.owner);
  }
  return (await loadRecord(deps.store, id))!;
}

export interface OffboardingPlan {
  id: string;
  steps: StepPlan[];
  /** The surrender already started for this councillor and term end, if any. */
  existing?: SurrenderRecord;
}

/** What a surrender would do, read-only: nothing in the tenant or the store changes. */
export async function planOffboarding(deps: SurrenderDeps, input: OffboardingRequestInput): Promise<OffboardingPlan> {
  const request = buildRequest(deps, input);
  validateLocally(deps.council, request, deps.clock());
  const id = surrenderId(request.tenantId, request.userPrincipalName, request.termEnd);
  const existing = await loadRecord(deps.store, id);
  const record = newRecord(id, request, request.requestedAt);
  const ctx = makeContext(deps, record, { planning: true, deadline: Number.POSITIVE_INFINITY });
  const steps: StepPlan[] = [];
  for (const step of STEPS) steps.push(await step.plan(ctx));
  return { id, steps, existing };
}

/** The council in a config that holds this councillor: by roster, then by mail domain, within the selected councils. */
export function councilFor(councils: readonly CouncilConfig[], upn: string, tenant?: string): CouncilConfig {
  const lower = upn.trim().toLowerCase();
  const pool = selectCouncils(councils, tenant);
  const byRoster = pool.find((c) => c.roster.some((r) => r.userPrincipalName.toLowerCase() === lower));
  if (byRoster) return byRoster;
  const domain = lower.split('@')[1] ?? '';
  const byDomain = pool.find((c) => c.domains.some((d) => d.toLowerCase() === domain));
  if (byDomain) return byDomain;
  if (pool.length === 1) return pool[0];
  throw new CouncilNotFoundError(`${upn} is on no council's roster in the config and its domain matches no council; check the address, or say which council with --council.`);
}

/** Each council's rostered councillors with their term end and surrender (the clerk's page lists them). */
export async function rosterWithSurrenders(store: Store, councils: readonly CouncilConfig[]) {
  return Promise.all(councils.map(async (c) => ({
    name: c.name,
    tenantId: c.tenantId,
    councillors: await Promise.all(c.roster.map(async (r) => {
      const s = await readStatusMirror(store, c.tenantId, r.userPrincipalName);
      return { userPrincipalName: r.userPrincipalName, termEnd: r.termEnd, surrender: s ? { status: s.status, id: s.surrenderId } : undefined };
    })),
  })));
}

/** Starts (or continues) a surrender's run in the background, and says whether one is running. */
export interface SurrenderStarter {
  isRunning(id: string): Promise<boolean>;
  start(id: string): Promise<void>;
}

/**
 * The clerk's request over HTTP: refuse while the surrender runs, otherwise start (or continue) it and
 * hand it to the starter (the durable orchestration in Azure). The surrender's id is computed once, here.
 */
export async function requestSurrender(deps: SurrenderDeps, input: OffboardingRequestInput, starter: SurrenderStarter): Promise<{ id: string; status: 'running' | 'done' | 'already-running' }> {
  const id = surrenderId(deps.council.tenantId, input.userPrincipalName.trim(), input.termEnd.trim());
  if (await starter.isRunning(id)) return { id, status: 'already-running' };
  const started = await startOffboarding(deps, input);
  if (started.complete) return { id, status: 'done' };
  await starter.start(id);
  return { id, status: 'running' };
}

/** A stored surrender, or undefined. */
export function loadSurrender(store: Store, id: string): Promise<SurrenderRecord | undefined> {
  return loadRecord(store, id);
}

/** The certificate of a surrender (a copy of the one in the archive folder), once verify has passed. */
export async function readCertificate(store: Store, id: string): Promise<string | undefined> {
  return (await store.getBlob(CONTAINER, certificateBlobName(id)))?.toString('utf8');
}

/** One durable activity: a step (or a time slice of it) of a stored surrender, under the orchestration's lease. */
export async function runSurrenderActivity(store: Store, id: string, step: StepName, depsFor: (tenantId: string) => SurrenderDeps, budgetMs: number): Promise<StepRunResult> {
  const record = await loadRecord(store, id);
  if (!record) throw new Error(`There is no surrender with reference ${id}.`);
  // Each invocation is its own runner: a retry that overlaps a still-running attempt takes the lease, and the older attempt stops.
  return runOffboardingStep(depsFor(record.request.tenantId), id, step, { owner: durableOwner(id, 'act'), budgetMs });
}

/** After the retries are spent: the record says so and the councillor's lease is freed. */
export async function markSurrenderFailed(store: Store, id: string, step: StepName, message: string, clock: Clock, log?: Logger): Promise<void> {
  const record = await loadRecord(store, id);
  if (!record) return;
  log?.error(`${SURRENDER_MARKERS.failed} tenantId=${record.request.tenantId} surrenderId=${id}: step ${step} stopped after repeated errors: ${message}`);
  const at = clock().toISOString();
  record.status = 'failed';
  record.steps[step] = { ...record.steps[step], status: 'failed', finishedAt: at, message: record.steps[step].message ?? `Stopped after repeated errors: ${message}. Start the surrender again to continue where it stopped.` };
  await saveRecord(store, record, at);
  await releaseDurableLease(store, record.request.tenantId, record.request.userPrincipalName, id);
}
