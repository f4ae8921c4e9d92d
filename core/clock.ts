// One clock type for every job: a function returning the current instant. Tests pass a fixed or moving
// clock; production passes systemClock. Data keeps UTC ISO strings (clock().toISOString()).
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

/** A clock stopped at one instant (tests, and re-running a night at its own time). */
export function fixedClock(iso: string): Clock {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) throw new Error(`fixedClock: "${iso}" is not an ISO date-time`);
  return () => new Date(at);
}
