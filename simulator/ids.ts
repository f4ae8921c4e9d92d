// Stable ids for the simulated tenant: the same scenario gives the same ids on every run.
import { createHash } from 'node:crypto';

/** Deterministic GUID-shaped id from a seed string, so ids are stable across runs. */
export function stableId(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('|')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
