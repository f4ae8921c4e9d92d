// Instants as Graph gives them (ISO, UTC): one rule for what counts as a real date, for collect and the checks.
import { DateTime } from 'luxon';

/** A valid UTC DateTime, or undefined for empty, malformed or Graph's "never" (0001-01-01) values. */
export function parseUtcInstant(iso: string | null | undefined): DateTime | undefined {
  if (!iso) return undefined;
  const dt = DateTime.fromISO(iso, { zone: 'utc' });
  if (!dt.isValid || dt.year < 1900) return undefined;
  return dt;
}
