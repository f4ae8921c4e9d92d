// Dates people read: UK format, Europe/London, GMT or BST named. Data keeps UTC ISO; only display converts.
import { DateTime } from 'luxon';

function london(iso: string): DateTime | undefined {
  const d = DateTime.fromISO(iso, { zone: 'utc' });
  return d.isValid ? d.setZone('Europe/London').setLocale('en-GB') : undefined;
}

/** "Wednesday 25 November 2026, 02:14 GMT" (BST in summer). An unreadable date is shown as given. */
export function ukDateTime(iso: string): string {
  const d = london(iso);
  // Named from the offset rather than Intl's zone names, which vary with the ICU data Node ships.
  return d ? `${d.toFormat('cccc d LLLL yyyy, HH:mm')} ${d.offset === 0 ? 'GMT' : 'BST'}` : iso;
}

/** "25 Nov 2026". */
export function ukDate(iso: string): string {
  return london(iso)?.toFormat('d LLL yyyy') ?? iso;
}

/** "25 Nov" for chart axes. */
export function ukDayMonth(iso: string): string {
  return london(iso)?.toFormat('d LLL') ?? iso;
}
