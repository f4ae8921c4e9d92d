// Reading snapshot parts and turning findings into a CheckOutcome, with the status rules of docs/ARCHITECTURE.md ("Contracts"):
//   error   a part the check reads has status 'error' (findings from the rest are still returned)
//   skipped a part the check cannot do without is 'unavailable' (its reason is passed on unchanged)
//   fail    any high or medium finding
//   warn    only low and/or info findings
//   pass    ran, nothing found
// A part the check can do without goes in partialSkips; the part name used there is the finding kind it
// would have produced, so compare/ can tell which earlier findings were not re-checked tonight.
import type { Part, SnapshotPart, TenantSnapshot } from '../core/snapshot';
import type { CheckOutcome, FindingDraft, SkipReason } from '../core/findings';

export type PartData<K extends SnapshotPart> = NonNullable<TenantSnapshot[K]> extends Part<infer T> ? T : never;

export type PartRead<T> =
  | { state: 'ok'; data: T }
  | { state: 'unavailable'; reason: SkipReason }
  | { state: 'error'; error: string };

/** A part as ok / unavailable / error. A part collect never read is an error: the pipeline is at fault. */
export function readPart<K extends SnapshotPart>(snapshot: TenantSnapshot, part: K): PartRead<PartData<K>> {
  const value = snapshot[part] as Part<PartData<K>> | undefined;
  if (!value) return { state: 'error', error: `the snapshot has no "${part}" data: collect did not read it` };
  if (value.status === 'ok') return { state: 'ok', data: value.data };
  if (value.status === 'unavailable') return { state: 'unavailable', reason: value.reason };
  return { state: 'error', error: value.error || `reading "${part}" failed` };
}

/** Collects findings, partial skips and errors while a check runs, then applies the status rules. */
export class OutcomeBuilder {
  readonly findings: FindingDraft[] = [];
  private readonly partialSkips: { part: string; reason: SkipReason }[] = [];
  private readonly errors: string[] = [];

  add(finding: FindingDraft): void {
    this.findings.push(finding);
  }

  skipPart(part: string, reason: SkipReason): void {
    if (!this.partialSkips.some((p) => p.part === part)) this.partialSkips.push({ part, reason });
  }

  error(message: string): void {
    if (!this.errors.includes(message)) this.errors.push(message);
  }

  /**
   * Reads a part the check can do without: ok → its data; unavailable → recorded as a partial skip of
   * `skipAs`; error → recorded as an error. Returns undefined unless ok.
   */
  optional<K extends SnapshotPart>(snapshot: TenantSnapshot, part: K, skipAs: string): PartData<K> | undefined {
    const read = readPart(snapshot, part);
    if (read.state === 'ok') return read.data;
    if (read.state === 'unavailable') this.skipPart(skipAs, read.reason);
    else this.error(read.error);
    return undefined;
  }

  build(): CheckOutcome {
    const partial = this.partialSkips.length ? { partialSkips: [...this.partialSkips] } : {};
    if (this.errors.length) return { status: 'error', error: this.errors.join('; '), ...partial, findings: [...this.findings] };
    return { status: statusOf(this.findings), ...partial, findings: [...this.findings] };
  }
}

export function statusOf(findings: readonly FindingDraft[]): 'pass' | 'fail' | 'warn' {
  if (findings.length === 0) return 'pass';
  return findings.some((f) => f.severity === 'high' || f.severity === 'medium') ? 'fail' : 'warn';
}

/**
 * Reads the parts a check cannot do without. Returns their data, or the outcome to return instead:
 * error when any of them errored (an error needs fixing, so it wins), otherwise skipped with the first
 * unavailable part's reason.
 */
export function requireParts<K extends SnapshotPart>(
  snapshot: TenantSnapshot,
  parts: readonly K[],
): { data: { [P in K]: PartData<P> } } | { outcome: CheckOutcome } {
  const data = {} as { [P in K]: PartData<P> };
  const errors: string[] = [];
  let skip: SkipReason | undefined;
  for (const part of parts) {
    const read = readPart(snapshot, part);
    if (read.state === 'ok') data[part] = read.data;
    else if (read.state === 'error') errors.push(read.error);
    else skip ??= read.reason;
  }
  if (errors.length) return { outcome: { status: 'error', error: errors.join('; '), findings: [] } };
  if (skip) return { outcome: { status: 'skipped', skipReason: skip, findings: [] } };
  return { data };
}

export function skippedByPolicy(detail: string): CheckOutcome {
  return { status: 'skipped', skipReason: { code: 'disabled-by-policy', detail }, findings: [] };
}
