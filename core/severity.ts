// Severity order, once: worst first. Sorting, thresholds (--fail-on) and counts all read this.
import type { Severity } from './findings';

export const SEVERITIES: readonly Severity[] = ['high', 'medium', 'low', 'info'];

/** Position in SEVERITIES: 0 is the worst. Sort ascending by it to put the worst first. */
export const SEVERITY_RANK: Record<Severity, number> = { high: 0, medium: 1, low: 2, info: 3 };

/** True when `severity` is `threshold` or worse. */
export function atOrAbove(severity: Severity, threshold: Severity): boolean {
  return SEVERITY_RANK[severity] <= SEVERITY_RANK[threshold];
}

export function countBySeverity(severities: Iterable<Severity>): Record<Severity, number> {
  const out: Record<Severity, number> = { high: 0, medium: 0, low: 0, info: 0 };
  for (const s of severities) out[s]++;
  return out;
}
