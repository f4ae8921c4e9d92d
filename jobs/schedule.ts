// Nightly schedule in UK time. WEBSITE_TIME_ZONE is not supported on Linux Consumption / Flex Consumption
// plans, where NCRONTAB runs in UTC; so the timer fires at both UTC hours that can be 02:00 in London
// (01:00 UTC in BST, 02:00 UTC in GMT) and the job runs only on the firing that is the UK hour asked for.
import { DateTime } from 'luxon';

export const DEFAULT_AUDIT_SCHEDULE = '0 0 1,2 * * *';
export const DEFAULT_AUDIT_LOCAL_HOUR = 2;
export const UK_ZONE = 'Europe/London';

const NCRONTAB_FIELD = /^(\*|\d{1,2}(-\d{1,2})?(,\d{1,2}(-\d{1,2})?)*)(\/\d{1,2})?$/;

/** Validates the six-field NCRONTAB expression Azure Functions uses; the message names the fix. */
export function validateSchedule(expression: string, settingName = 'AUDIT_SCHEDULE'): string {
  const fields = expression.trim().split(/\s+/);
  const named = /^[A-Za-z]{3}(,[A-Za-z]{3})*$/;
  if (fields.length !== 6 || !fields.every((f, i) => NCRONTAB_FIELD.test(f) || (i >= 4 && named.test(f)))) {
    throw Object.assign(
      new Error(
        `${settingName} "${expression}" is not a six-field NCRONTAB schedule ({second} {minute} {hour} {day} {month} {day-of-week}); ` +
          `use for example "${DEFAULT_AUDIT_SCHEDULE}" (01:00 and 02:00 UTC, of which the job keeps the one that is 02:00 in the UK).`,
      ),
      { name: 'ConfigError' },
    );
  }
  return expression.trim();
}

/** True when this firing is the UK-local hour the audit should run at (handles GMT/BST). */
export function isAuditHourInUk(nowUtcIso: string, localHour = DEFAULT_AUDIT_LOCAL_HOUR): boolean {
  return DateTime.fromISO(nowUtcIso, { zone: 'utc' }).setZone(UK_ZONE).hour === localHour;
}
