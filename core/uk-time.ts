// Dates people read: UK format, Europe/London, GMT or BST named. Data keeps UTC ISO; only display converts.
import { DateTime } from 'luxon';

/** The UK's time zone: what councils' days, terms of office and financial years are counted in. */
export const UK_ZONE = 'Europe/London';

function london(iso: string): DateTime | undefined {
  const d = DateTime.fromISO(iso, { zone: 'utc' });
  return d.isValid ? d.setZone(UK_ZONE).setLocale('en-GB') : undefined;
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

/** "7 May 2026" for a calendar date (YYYY-MM-DD) taken as a UK day, such as a term end. */
export function ukLongDate(isoDate: string): string {
  const d = DateTime.fromISO(isoDate, { zone: UK_ZONE });
  return d.isValid ? d.setLocale('en-GB').toFormat('d LLLL yyyy') : isoDate;
}

/** A calendar date (YYYY-MM-DD) as the start of that day in the UK; invalid when it is not such a date. */
export function ukDayStart(isoDate: string): DateTime {
  return /^\d{4}-\d{2}-\d{2}$/.test(isoDate.trim()) ? DateTime.fromISO(isoDate.trim(), { zone: UK_ZONE }) : DateTime.invalid('not YYYY-MM-DD');
}

/** The UK day that an instant falls in, as its start. */
export function ukToday(now: Date): DateTime {
  return DateTime.fromJSDate(now).setZone(UK_ZONE).startOf('day');
}
