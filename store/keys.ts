// Table storage forbids / \ # ? and control characters in PartitionKey and RowKey, and caps a key at
// 1 KiB. Keys are encoded one way only (nothing reads a key back), so a long key may end in a hash.
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';

const MAX_KEY_LENGTH = 400;

/**
 * Percent-encodes the raw key (which covers / \ # ? and control characters) with "~" in place of "%".
 * A raw "~" is encoded too, so "a~20" and "a " never share a key.
 */
export function tableKey(raw: string): string {
  const encoded = encodeURIComponent(raw).replace(/~/g, '%7E').replace(/%/g, '~');
  if (encoded.length <= MAX_KEY_LENGTH) return encoded;
  const digest = createHash('sha256').update(raw, 'utf8').digest('hex');
  return `${encoded.slice(0, MAX_KEY_LENGTH - digest.length - 2)}~~${digest}`;
}

/** Tenant ids are GUIDs that arrive in either case; one tenant must have one partition. */
export function tenantKey(tenantId: string): string {
  return tableKey(tenantId.trim().toLowerCase());
}

/** A UTC instant as milliseconds, or a clear error naming the field. */
export function instantOf(iso: string, what: string): DateTime {
  const d = DateTime.fromISO(iso, { zone: 'utc' });
  if (!d.isValid) throw new Error(`${what} "${iso}" is not an ISO 8601 date and time (for example 2026-11-25T02:00:00Z).`);
  return d;
}

// Row keys sort ascending as strings; this constant is the largest millisecond a JS Date can hold, so
// (MAX - ms), padded to 16 digits, sorts the newest instant first.
const MAX_DATE_MS = 8_640_000_000_000_000;

/** Newest first in a Table partition: row keys sort ascending, so invert the time. */
export function invertedTime(iso: string): string {
  return String(MAX_DATE_MS - instantOf(iso, 'The time').toMillis()).padStart(16, '0');
}

/** Oldest first: the UTC instant as a fixed-width digit string (yyyyMMddHHmmssSSS). */
export function sortableTime(iso: string): string {
  return instantOf(iso, 'The time').toUTC().toFormat('yyyyMMddHHmmssSSS');
}
