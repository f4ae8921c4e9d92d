// What the clerk sees while a surrender runs: each step's state and counts, a percentage weighted by how
// long each step usually takes, and an estimate of the time left.
import { STEPS } from './steps';
import { STEP_NAMES, type LeftForItSupplier, type StepName, type StepState, type SurrenderRecord } from './types';

const WEIGHT: Record<StepName, number> = {
  preflight: 2, freeze: 1, 'export-mail': 50, 'export-contacts': 1, 'export-calendar': 1, 'export-files': 10, verify: 30, 'hand-over': 3, close: 2,
};
const TOTAL_WEIGHT = Object.values(WEIGHT).reduce((a, b) => a + b, 0);

export interface StepView extends StepState {
  name: StepName;
  title: string;
  percent: number;
}

export interface SurrenderView {
  id: string;
  status: SurrenderRecord['status'];
  councillor: { userPrincipalName: string; displayName?: string };
  termEnd: string;
  requestedBy: string;
  requestedAt: string;
  percent: number;
  /** Seconds left, when the running step has made enough progress to tell. */
  etaSeconds?: number;
  currentStep?: StepName;
  steps: StepView[];
  message?: string;
  certificate?: { url?: string; available: boolean };
  licenceRemovalDue?: string;
  /** What close left for the IT supplier (a synced group, a group's licence), shown as such. */
  leftForItSupplier: LeftForItSupplier[];
  /** What could not be copied and where it remains; keepMailbox when the mailbox is kept for it. */
  notCopied?: { what: string; where: string; why: string; count?: number }[];
  keepMailbox?: string;
}

function stepFraction(s: StepState): number {
  if (s.status === 'done' || s.status === 'waiting') return 1;
  if (s.status === 'running' && s.progress && s.progress.total > 0) return Math.min(1, s.progress.done / s.progress.total);
  return 0;
}

export function surrenderView(record: SurrenderRecord, now = new Date()): SurrenderView {
  const steps: StepView[] = STEP_NAMES.map((name) => ({ ...record.steps[name], name, title: STEPS.find((s) => s.name === name)!.title, percent: Math.round(stepFraction(record.steps[name]) * 100) }));
  const done = STEP_NAMES.reduce((t, name) => t + WEIGHT[name] * stepFraction(record.steps[name]), 0);
  const current = steps.find((s) => s.status === 'running' || s.status === 'failed') ?? steps.find((s) => s.status === 'pending');
  let etaSeconds: number | undefined;
  const p = current?.status === 'running' ? current.progress : undefined;
  if (p && current?.startedAt && p.done > 0 && p.total > p.done) {
    const elapsed = (now.getTime() - Date.parse(current.startedAt)) / 1000;
    etaSeconds = Math.round((elapsed / p.done) * (p.total - p.done));
  }
  const failed = steps.find((s) => s.status === 'failed');
  return {
    id: record.id,
    status: record.status,
    councillor: { userPrincipalName: record.request.userPrincipalName, displayName: record.target?.displayName },
    termEnd: record.request.termEnd,
    requestedBy: record.request.requestedBy,
    requestedAt: record.request.requestedAt,
    percent: record.status === 'done' ? 100 : Math.min(99, Math.round((done / TOTAL_WEIGHT) * 100)),
    etaSeconds,
    currentStep: record.status === 'running' ? current?.name : undefined,
    steps,
    message: failed?.message ?? record.steps.close.message,
    certificate: record.certificate ? { url: record.certificate.webUrl, available: true } : undefined,
    licenceRemovalDue: record.steps.close.waitingUntil,
    leftForItSupplier: record.leftForItSupplier ?? [],
    notCopied: record.notCopied?.map(({ what, where, why, count }) => ({ what, where, why, count })),
    keepMailbox: record.keepMailbox?.reason,
  };
}
