// Dates people read: UK format, Europe/London, GMT/BST named.
import { DateTime } from 'luxon';

export function ukDateTime(iso: string): string {
  const d = DateTime.fromISO(iso, { zone: 'utc' }).setZone('Europe/London').setLocale('en-GB');
  return `${d.toFormat('cccc d LLLL yyyy, HH:mm')} ${d.offset === 0 ? 'GMT' : 'BST'}`;
}

export function ukDate(iso: string): string {
  return DateTime.fromISO(iso, { zone: 'utc' }).setZone('Europe/London').setLocale('en-GB').toFormat('d LLL yyyy');
}
