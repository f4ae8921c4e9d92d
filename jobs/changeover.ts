// Election-night changeover: surrender every rostered councillor whose term has ended, across the
// selected councils. The command line (`councilguard offboard --all-ended`) runs them in this process;
// the clerk's page asks for its own council's through the durable starter. Each surrender is the
// ordinary one (jobs/offboarding.ts): its own id, lease, record and resumable steps, so an interrupted
// changeover, run again, continues each surrender on its own and starts nothing twice.
//
// Concurrency: every surrender of a tenant shares that tenant's Graph context (Councils.context keeps one
// per tenant: token cache, the shared 429 pause, the per-mailbox limiter), and one bound (p-limit) caps
// the surrenders running at once across all councils, so memory stays bounded however many councils
// the config lists.
import pLimit from 'p-limit';
import { CredentialError, messageOf, SurrenderInputError } from '../core/errors';
import { ukDayStart, ukToday } from '../core/uk-time';
import type { CouncilConfig } from '../policy/council-config';
import { resolveOptions } from '../offboarding/options';
import { loadRecord, readStatusMirror } from '../offboarding/state';
import { surrenderView } from '../offboarding/status';
import { DEFAULT_TUNING, type SurrenderDeps, type SurrenderRecord } from '../offboarding/types';
import type { Councils } from './council-context';
import { requestSurrender, runOffboarding, startOffboarding, type OffboardingRequestInput, type RunHooks, type SurrenderStarter } from './offboarding';

/** Surrenders running at once across every council unless told otherwise (each holds its mailbox's inventory). */
export const DEFAULT_CHANGEOVER_CONCURRENCY = 8;
export const MAX_CHANGEOVER_CONCURRENCY = 64;
/**
 * Bytes of downloaded messages held awaiting upload across every surrender at once. Uploads are slower
 * than downloads, so each surrender's budget fills; shared out, the changeover's total does not grow with
 * --concurrency, and each surrender's copy is still bound by its uploads, not its budget. A surrender never
 * gets more than it would alone (DEFAULT_TUNING.copyMemoryBytes) nor less than two simple-upload messages.
 */
export const CHANGEOVER_COPY_MEMORY_BYTES = 128 * 1024 * 1024;
const MIN_COPY_MEMORY_BYTES = 8 * 1024 * 1024;

/** Each surrender's tuning in a changeover: the copy memory shared out between the surrenders at once, unless set. */
export function changeoverTuning(concurrency: number, tuning: SurrenderDeps['tuning'] = {}): NonNullable<SurrenderDeps['tuning']> {
  const share = Math.min(DEFAULT_TUNING.copyMemoryBytes, Math.max(MIN_COPY_MEMORY_BYTES, Math.floor(CHANGEOVER_COPY_MEMORY_BYTES / concurrency)));
  return { ...tuning, copyMemoryBytes: tuning.copyMemoryBytes ?? share };
}

/**
 * What the changeover does (or did) for one councillor:
 * - start: no surrender yet; continue: an earlier one stopped (failed, or its runner was killed) and resumes
 * - surrendered: a completed surrender exists (skipped); in-progress: another run holds it (skipped)
 * - done / failed: the outcome of this run; council-failed: the council could not be reached at all
 */
export type ChangeoverOutcome = 'start' | 'continue' | 'surrendered' | 'in-progress' | 'done' | 'failed' | 'council-failed';

export interface ChangeoverRow {
  council: string;
  tenantId: string;
  /** Empty for a council-failed row. */
  userPrincipalName: string;
  termEnd: string;
  outcome: ChangeoverOutcome;
  /** The surrender's reference, when there is one. */
  reference?: string;
  /** The surrender's stored state, for skipped rows (running, done, failed). */
  state?: string;
  /** What happened, and for a failure how to fix it. */
  detail?: string;
}

export interface CouncilChangeover {
  council: string;
  tenantId: string;
  rows: ChangeoverRow[];
  /** The whole council could not be reached (its credential, its tenant): the fix. */
  failure?: string;
}

export interface ChangeoverReport {
  councils: CouncilChangeover[];
  /** Nothing was changed (the plan only). */
  planOnly: boolean;
}

/** Rows of a report, flattened. */
export const changeoverRows = (r: ChangeoverReport): ChangeoverRow[] => r.councils.flatMap((c) => c.rows);
/** Whether every surrender asked for ended well (skips are not failures). */
export const changeoverFailed = (r: ChangeoverReport): boolean => changeoverRows(r).some((row) => row.outcome === 'failed' || row.outcome === 'council-failed');

interface Candidate {
  userPrincipalName: string;
  termEnd: string;
  /** An earlier surrender of this councillor (the status mirror): its id, status and term end. */
  earlier?: { id: string; status: string; termEnd: string };
}

/**
 * The council's rostered councillors whose term has ended: the latest term end of each address (a
 * councillor re-elected for a term still running is not surrendered) is today or before, as UK days
 * (the same rule a single surrender's start applies).
 */
export function endedTerms(council: CouncilConfig, now: Date): { userPrincipalName: string; termStart: string; termEnd: string }[] {
  const latest = new Map<string, { userPrincipalName: string; termStart: string; termEnd: string }>();
  for (const r of council.roster) {
    const key = r.userPrincipalName.trim().toLowerCase();
    const seen = latest.get(key);
    if (!seen || r.termEnd > seen.termEnd) latest.set(key, { userPrincipalName: r.userPrincipalName.trim(), termStart: r.termStart, termEnd: r.termEnd });
  }
  const today = ukToday(now);
  return [...latest.values()].filter((r) => ukDayStart(r.termEnd) <= today);
}

async function candidates(councils: Councils, council: CouncilConfig, now: Date): Promise<Candidate[]> {
  return Promise.all(endedTerms(council, now).map(async (r) => {
    const mirror = await readStatusMirror(councils.store, council.tenantId, r.userPrincipalName) as { status: string; surrenderId: string; termEnd?: string } | undefined;
    // A surrender from before this term (the councillor was re-elected since) is not this term's.
    const thisTerm = mirror && (mirror.termEnd ?? r.termEnd) >= r.termStart;
    return { userPrincipalName: r.userPrincipalName, termEnd: r.termEnd, earlier: thisTerm ? { id: mirror.surrenderId, status: mirror.status, termEnd: mirror.termEnd ?? r.termEnd } : undefined };
  }));
}

/** What would happen to a candidate, before anything runs. */
function planned(council: CouncilConfig, c: Candidate): ChangeoverRow {
  const base = { council: council.name, tenantId: council.tenantId, userPrincipalName: c.userPrincipalName, termEnd: c.termEnd };
  if (!c.earlier) return { ...base, outcome: 'start', detail: 'a new surrender starts' };
  if (c.earlier.status === 'done') return { ...base, outcome: 'surrendered', reference: c.earlier.id, state: 'done', detail: 'already surrendered; skipped' };
  return {
    ...base, termEnd: c.earlier.termEnd, outcome: 'continue', reference: c.earlier.id, state: c.earlier.status,
    detail: `an earlier surrender (${c.earlier.status}) continues where it stopped, unless another run is working on it`,
  };
}

/** The request for a candidate: an earlier surrender is continued with its own term end (and reason, if it was forced). */
async function inputFor(councils: Councils, row: ChangeoverRow, requestedBy: string, via: OffboardingRequestInput['via']): Promise<OffboardingRequestInput> {
  const earlier: SurrenderRecord | undefined = row.reference ? await loadRecord(councils.store, row.reference) : undefined;
  return {
    userPrincipalName: row.userPrincipalName, termEnd: earlier?.request.termEnd ?? row.termEnd, requestedBy, via,
    force: earlier?.request.force,
  };
}

function failureText(err: unknown): string {
  const message = messageOf(err);
  if (err instanceof SurrenderInputError || err instanceof CredentialError) return message;
  return `${message}. Nothing is lost: run the changeover again to continue where it stopped.`;
}

/** Signs in to the council's tenant once, so a refused credential fails the council once, with the fix, before any surrender. */
async function reachable(councils: Councils, council: CouncilConfig): Promise<string | undefined> {
  try {
    await councils.context(council).graph.grantedRoles();
    return undefined;
  } catch (err) {
    return err instanceof CredentialError ? err.message : `Could not sign in to ${council.name}'s tenant (${council.tenantId}): ${messageOf(err)}; check the council's tenantId and the app's consent there, then run the changeover again.`;
  }
}

export interface ChangeoverHooks {
  onStart?(row: ChangeoverRow): void;
  onEnd?(row: ChangeoverRow): void;
  /** Each surrender's own hooks (progress), if wanted. */
  surrender?(row: ChangeoverRow): RunHooks | undefined;
}

export interface ChangeoverOptions {
  /** A council's name or tenant id; without it every council in the config. */
  council?: string;
  /** Surrenders at once across all councils (default DEFAULT_CHANGEOVER_CONCURRENCY). */
  concurrency?: number;
  requestedBy: string;
  /** true: only say what would happen; nothing changes. */
  planOnly: boolean;
  tuning?: SurrenderDeps['tuning'];
  hooks?: ChangeoverHooks;
}

/**
 * The command line's changeover: the plan, or every surrender run in this process to its end. A council
 * whose credential fails is reported with the fix and the others go on; each surrender's failure is its own.
 */
export async function runChangeover(councils: Councils, opts: ChangeoverOptions): Promise<ChangeoverReport> {
  const concurrency = checkConcurrency(opts.concurrency);
  const now = councils.clock();
  const selected = councils.select(opts.council);
  const limit = pLimit(concurrency);
  const results = await Promise.all(selected.map(async (council): Promise<CouncilChangeover> => {
    const rows = (await candidates(councils, council, now)).map((c) => planned(council, c));
    const base = { council: council.name, tenantId: council.tenantId };
    if (opts.planOnly || !rows.some((r) => r.outcome === 'start' || r.outcome === 'continue')) return { ...base, rows };
    const failure = await reachable(councils, council);
    if (failure) {
      return { ...base, failure, rows: rows.map((r) => (r.outcome === 'surrendered' ? r : { ...r, outcome: 'council-failed', detail: failure })) };
    }
    const deps: SurrenderDeps = { ...councils.context(council), tuning: changeoverTuning(concurrency, opts.tuning) };
    return { ...base, rows: await Promise.all(rows.map((row) => (row.outcome === 'surrendered' ? row : limit(() => surrenderOne(councils, deps, row, opts))))) };
  }));
  return { councils: results, planOnly: opts.planOnly };
}

async function surrenderOne(councils: Councils, deps: SurrenderDeps, row: ChangeoverRow, opts: ChangeoverOptions): Promise<ChangeoverRow> {
  let result: ChangeoverRow;
  try {
    const input = await inputFor(councils, row, opts.requestedBy, 'cli');
    const started = await startOffboarding(deps, input);
    const current = { ...row, reference: started.id };
    opts.hooks?.onStart?.(current);
    const record = started.complete ? started.record : await runOffboarding(deps, started.id, { owner: started.owner, hooks: opts.hooks?.surrender?.(current) });
    result = outcomeOf(current, record);
  } catch (err) {
    if (err instanceof SurrenderInputError && err.code === 'conflict') {
      // Another run (a CLI elsewhere, the clerk's page) holds this councillor: skipped, and named.
      result = { ...row, outcome: 'in-progress', reference: err.runningId ?? row.reference, state: 'running', detail: `skipped: ${err.message}` };
    } else {
      result = { ...row, outcome: 'failed', detail: failureText(err) };
    }
  }
  opts.hooks?.onEnd?.(result);
  return result;
}

function outcomeOf(row: ChangeoverRow, record: SurrenderRecord): ChangeoverRow {
  const view = surrenderView(record);
  if (record.status === 'done') {
    const waiting = record.steps.close.status === 'waiting' ? ` ${record.steps.close.message ?? ''}`.trimEnd() : '';
    return { ...row, outcome: 'done', state: 'done', detail: `complete and verified${record.archive ? `; archive ${record.archive.library}/${record.archive.folderName}` : ''}.${waiting}` };
  }
  return { ...row, outcome: 'failed', state: record.status, detail: view.message ?? 'the surrender stopped; see the action log, then run the changeover again to continue it' };
}

function checkConcurrency(n: number | undefined): number {
  if (n === undefined) return DEFAULT_CHANGEOVER_CONCURRENCY;
  if (!Number.isInteger(n) || n < 1 || n > MAX_CHANGEOVER_CONCURRENCY) {
    throw new SurrenderInputError(`The number of surrenders at once must be a whole number from 1 to ${MAX_CHANGEOVER_CONCURRENCY} (got ${n}); ${DEFAULT_CHANGEOVER_CONCURRENCY} suits most suppliers.`);
  }
  return n;
}

/** The clerk's page: who would be surrendered in this council (read-only). */
export async function changeoverPlan(councils: Councils, council: CouncilConfig): Promise<CouncilChangeover> {
  const rows = (await candidates(councils, council, councils.clock())).map((c) => planned(council, c));
  return { council: council.name, tenantId: council.tenantId, rows };
}

/**
 * The clerk's page: start (through the durable starter) every surrender of this council whose term has
 * ended. The request may set no option (the council config holds them all): checked once, before any start.
 */
export async function requestChangeover(councils: Councils, council: CouncilConfig, opts: { requestedBy: string; options?: unknown; starter: SurrenderStarter; log?: SurrenderDeps['log'] }): Promise<CouncilChangeover> {
  resolveOptions(council, opts.options ?? {});
  const plan = await changeoverPlan(councils, council);
  const deps: SurrenderDeps = councils.context(council, opts.log);
  // A few at a time: each start reads the tenant (account, roles, library) before the orchestration takes over.
  const limit = pLimit(4);
  const rows = await Promise.all(plan.rows.map((row) => (row.outcome === 'surrendered' ? row : limit(async (): Promise<ChangeoverRow> => {
    try {
      const input = { ...(await inputFor(councils, row, opts.requestedBy, 'http')), options: opts.options };
      const { id, status } = await requestSurrender(deps, input, opts.starter);
      if (status === 'already-running') return { ...row, outcome: 'in-progress', reference: id, state: 'running', detail: 'skipped: already running' };
      if (status === 'done') return { ...row, outcome: 'surrendered', reference: id, state: 'done', detail: 'already surrendered; skipped' };
      return { ...row, outcome: row.outcome, reference: id, state: 'running', detail: row.outcome === 'continue' ? 'continues where it stopped' : 'started' };
    } catch (err) {
      if (err instanceof SurrenderInputError && err.code === 'conflict') return { ...row, outcome: 'in-progress', reference: err.runningId ?? row.reference, state: 'running', detail: `skipped: ${err.message}` };
      if (err instanceof SurrenderInputError || err instanceof CredentialError) return { ...row, outcome: 'failed', detail: err.message };
      throw err;
    }
  }))));
  return { ...plan, rows };
}

/** The body of POST /api/offboarding-ended: {council?} (name or tenant id). Anything else is named and refused. */
export function parseChangeoverBody(body: unknown): { ok: true; value: { council?: string; options?: unknown } } | { ok: false; error: string } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { ok: false, error: 'The request is not valid: the body must be a JSON object, e.g. {} or {"council": "Example Parish Council"}.' };
  const b = body as Record<string, unknown>;
  // options is let through to be refused by the council-config rule (with its own message); force never applies here.
  const unknown = Object.keys(b).filter((k) => k !== 'council' && k !== 'options');
  if (unknown.length) return { ok: false, error: `The request is not valid: ${unknown.map((k) => `"${k}"`).join(', ')} ${unknown.length > 1 ? 'are not fields' : 'is not a field'} this request takes (only "council"); each councillor is surrendered with the roster's term end.` };
  if (b.council !== undefined && (typeof b.council !== 'string' || !b.council.trim() || b.council.length > 200)) return { ok: false, error: 'The request is not valid: council must be the council\'s name or tenant id.' };
  return { ok: true, value: { council: b.council as string | undefined, options: b.options } };
}
