// Dates for the checks: UTC ISO in evidence, Europe/London in anything a clerk reads.
import { DateTime } from 'luxon';
import { UK_ZONE } from '../core/uk-time';
import { parseUtcInstant } from '../core/instant';

export const LONDON = UK_ZONE;

/** A valid UTC DateTime, or undefined for empty, malformed or Graph's "never" (0001-01-01) values. */
export const parseInstant = parseUtcInstant;

/** The run's 'now'; a malformed value is a defect in the caller, so it throws with the value. */
export function runInstant(now: string): DateTime {
  const dt = DateTime.fromISO(now, { zone: 'utc' });
  if (!dt.isValid) throw new Error(`the run time "${now}" is not an ISO date-time`);
  return dt;
}

/** "5 May 2025" in Europe/London. */
export function londonDay(dt: DateTime): string {
  return dt.setZone(LONDON).toFormat('d LLLL yyyy');
}

/** "5 May 2025, 14:03" in Europe/London. */
export function londonTime(dt: DateTime): string {
  return dt.setZone(LONDON).toFormat('d LLLL yyyy, HH:mm');
}

export function utcIso(dt: DateTime): string {
  return dt.toUTC().toISO({ suppressMilliseconds: true }) ?? '';
}
