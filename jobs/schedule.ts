// Nightly schedule in UK time. WEBSITE_TIME_ZONE is not supported on Linux Consumption / Flex Consumption
// plans, where NCRONTAB runs in UTC; so the timer fires at both UTC hours that can be 02:00 in London
// (01:00 UTC in BST, 02:00 UTC in GMT) and the job runs only on the firing that is the UK hour asked for.
import { DateTime } from 'luxon';
import { DEFAULT_AUDIT_LOCAL_HOUR } from '../config/env';
import { UK_ZONE } from '../core/uk-time';

/** True when this firing is the UK-local hour the audit should run at (handles GMT/BST). */
export function isAuditHourInUk(nowUtcIso: string, localHour = DEFAULT_AUDIT_LOCAL_HOUR): boolean {
  return DateTime.fromISO(nowUtcIso, { zone: 'utc' }).setZone(UK_ZONE).hour === localHour;
}
