// The client-request-id CouncilGuard sends with every Graph request. Graph's guidance ("Best practices
// for working with Microsoft Graph", Reliability and support) is a unique GUID per request, sent in the
// client-request-id header and logged; Graph echoes it and adds its own request-id, and the two are
// what Microsoft support asks for. Ours are derived from the run: the first 20 hex digits come from
// the run's id (so every request of one audit or surrender shares a prefix that can be searched for),
// the last 12 count the run's requests. Outside a run (a one-off read) a random GUID is sent.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, randomUUID } from 'node:crypto';

interface Correlation {
  prefix: string;
  next: number;
}

const current = new AsyncLocalStorage<Correlation>();

/** The GUID prefix of a run's client-request-ids: a hash of the run id, shaped as a version-8 GUID. */
export function correlationPrefix(runId: string): string {
  const h = createHash('sha256').update(runId).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${(0x8 | (parseInt(h[16], 16) & 0x3)).toString(16)}${h.slice(17, 20)}`;
}

/** Runs `fn` with every Graph request it makes carrying a client-request-id derived from `runId`. */
export function withCorrelation<T>(runId: string, fn: () => Promise<T>): Promise<T> {
  return current.run({ prefix: correlationPrefix(runId), next: 0 }, fn);
}

/** A fresh client-request-id: the run's prefix and its next number, or a random GUID outside a run. */
export function nextClientRequestId(): string {
  const run = current.getStore();
  if (!run) return randomUUID();
  run.next++;
  return `${run.prefix}-${run.next.toString(16).padStart(12, '0')}`;
}
