// The surrender's data: the request, the record the store keeps (one per councillor and term end), and
// the contract every step implements. Steps are data: offboarding/steps/index.ts lists them in order and
// both runners (the CLI in-process, durable functions in Azure) walk that list.
import type { CouncilConfig } from '../policy/council-config';
import type { GraphContext } from '../graph';
import type { Store } from '../store';
import type { Logger } from '../core/logger';
import type { Clock } from '../core/clock';
import type { CouncilContext } from '../context/council-context';

export const STEP_NAMES = ['preflight', 'freeze', 'export-mail', 'export-contacts', 'export-calendar', 'export-files', 'verify', 'hand-over', 'close'] as const;
export type StepName = (typeof STEP_NAMES)[number];

export interface SurrenderOptions {
  /** Days after a passed verification before licences are removed (0 = at once). */
  licenceGraceDays: number;
  /** Convert the mailbox to a shared mailbox (Exchange admin API) before licences go. */
  convertToShared: boolean;
  /** Give the clerk FullAccess to the (shared) mailbox. */
  grantClerkFullAccess: boolean;
  /** SHA-256 re-read of every archived item (null) or of this many, chosen at random. */
  verifySample: number | null;
  /** The service mailbox that emails the clerk the certificate link. */
  notifyFrom?: string;
}

export interface SurrenderRequest {
  tenantId: string;
  council: string;
  userPrincipalName: string;
  /** YYYY-MM-DD. */
  termEnd: string;
  /** Who asked: the signed-in clerk's UPN, or the CLI user. */
  requestedBy: string;
  requestedAt: string;
  via: 'cli' | 'http';
  /** A term end in the future needs a reason, recorded in the log and the certificate. */
  force?: { reason: string };
  options: SurrenderOptions;
}

export interface SurrenderTarget {
  id: string;
  userPrincipalName: string;
  displayName: string;
  mail: string | null;
}

export interface ArchiveLocation {
  siteId: string;
  driveId: string;
  library: string;
  /** The councillor's archive folder below the library root. */
  folderId: string;
  folderName: string;
  webUrl?: string;
}

export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'waiting';

export interface StepProgress {
  done: number;
  total: number;
  bytesDone: number;
  bytesTotal: number;
}

export interface StepState {
  status: StepStatus;
  startedAt?: string;
  finishedAt?: string;
  /** A failure says what went wrong and what to do; a waiting step says until when and why. */
  message?: string;
  counts?: Record<string, number>;
  progress?: StepProgress;
  waitingUntil?: string;
}

export type SurrenderStatus = 'running' | 'done' | 'failed';

/** Something close could not do by design (a distribution list without Exchange, a synced group, a group's licence): the IT supplier does it. */
export interface LeftForItSupplier {
  kind: 'group' | 'licence' | 'device' | 'mailbox';
  /** What it is, as people know it (a group's name, a licence's SKU id). */
  name: string;
  /** Why CouncilGuard left it and what the IT supplier does. */
  reason: string;
}

/** Something of the councillor's the surrender could not copy, and where it still is. */
export interface NotCopied {
  /** What it is, for the clerk: "the online archive mailbox". */
  what: string;
  /** Where it remains: "in the councillor's mailbox, which is kept (licence not removed)". */
  where: string;
  /** Why it was not copied (no API, permission missing). */
  why: string;
  count?: number;
  /** True when the mailbox must be kept for it (close must not remove the licence). */
  keepsMailbox: boolean;
  /** The step that listed it (a rerun of that step replaces its own entries, never another step's). */
  source?: StepName;
}

export interface SurrenderRecord {
  schemaVersion: 1;
  id: string;
  request: SurrenderRequest;
  status: SurrenderStatus;
  target?: SurrenderTarget;
  archive?: ArchiveLocation;
  steps: Record<StepName, StepState>;
  certificate?: { itemId: string; webUrl?: string; manifestSha256: string };
  /** What close left for the IT supplier; the certificate and the clerk's page list it. */
  leftForItSupplier?: LeftForItSupplier[];
  /** What was not copied and where it remains (the certificate and the clerk's page list it). */
  notCopied?: NotCopied[];
  /**
   * Set by export-mail when something in the mailbox could not be copied (online archive, or it could
   * not be checked): the close step must keep the mailbox (no licence removal), because nothing is
   * closed that was not copied. The reason says what stays there.
   */
  keepMailbox?: { reason: string };
  createdAt: string;
  updatedAt: string;
}

/** What a step run achieved: finished, ran out of its time slice, or must wait (licence grace). */
export type StepOutcome =
  | { status: 'done'; counts?: Record<string, number>; message?: string }
  | { status: 'more' }
  | { status: 'waiting'; until: string; message: string };

export interface StepPlan {
  step: StepName;
  title: string;
  /** One sentence a clerk can read. */
  summary: string;
  counts?: Record<string, number>;
  warnings?: string[];
}

export interface ProgressEvent {
  step: StepName;
  done: number;
  total: number;
  bytesDone: number;
  bytesTotal: number;
  /** What just finished, for logs (never a subject or a body). */
  note?: string;
}

export interface Tuning {
  /** Simple upload up to this size; an upload session above. */
  simpleUploadLimit: number;
  /** Upload session fragment size (a multiple of 320 KiB). */
  uploadChunkBytes: number;
  /** Manifest rows are flushed to the store after this many. */
  flushEvery: number;
  /** Concurrent archive reads in verify (not mailbox requests). */
  verifyConcurrency: number;
  /** Concurrent archive uploads in export-mail, apart from the 4 mailbox slots (a slot is freed when its download ends). */
  uploadConcurrency: number;
  /**
   * Bytes of downloaded messages held in memory awaiting upload; a download waits while it is full.
   * A message larger than the simple-upload limit, or of unknown length, goes to a temporary file instead.
   */
  copyMemoryBytes: number;
}

export const DEFAULT_TUNING: Tuning = {
  simpleUploadLimit: 4 * 1024 * 1024,
  uploadChunkBytes: 10 * 320 * 1024,
  flushEvery: 100,
  verifyConcurrency: 6,
  uploadConcurrency: 8,
  // Two simple-upload-sized messages: enough to keep 8 uploads busy at Outlook's 16.7 messages/s ceiling
  // (typical council mail is tens of KB), without holding tens of MB in a surrender's steady state.
  copyMemoryBytes: 8 * 1024 * 1024,
};

/** Everything a step may touch. Plan mode gets the same object with `planning` set and must only read. */
export interface StepContext {
  record: SurrenderRecord;
  council: CouncilConfig;
  graph: GraphContext;
  store: Store;
  log: Logger;
  planning: boolean;
  /** Epoch ms after which a long step saves its place and returns { status: 'more' }. */
  deadline: number;
  tuning: Tuning;
  clock: Clock;
  progress(event: ProgressEvent): void;
  /** Appends to the action log as the requester, for this tenant. */
  audit(entry: { action: string; target: string; before?: unknown; after?: unknown; result?: string; detail?: string }): Promise<void>;
  /** Runs a request to the councillor's mailbox under Outlook's per-mailbox concurrency limit (4). */
  mailbox<T>(fn: () => Promise<T>): Promise<T>;
  /** Saves the record (target, archive, step counts) now. */
  saveRecord(): Promise<void>;
  /** Scratch the preflight plan fills for the other steps' plans. */
  planData: Record<string, unknown>;
}

export interface Step {
  name: StepName;
  title: string;
  plan(ctx: StepContext): Promise<StepPlan>;
  run(ctx: StepContext): Promise<StepOutcome>;
}

/** An expected stop (bad input found by preflight, a failed verification): no retry, the message says why. */
export class StepFailure extends Error {
  override name = 'StepFailure';
  constructor(message: string, readonly details: string[] = []) {
    super(message);
  }
}

/** What a surrender needs of the council context, and the operational tuning. */
export type SurrenderDeps = Pick<CouncilContext, 'council' | 'graph' | 'store' | 'log' | 'clock'> & { tuning?: Partial<Tuning> };
