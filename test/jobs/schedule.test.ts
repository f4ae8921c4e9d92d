import { isAuditHourInUk } from '../../jobs/schedule';
import { validateSchedule, DEFAULT_AUDIT_SCHEDULE } from '../../config/env';

describe('nightly schedule in UK time', () => {
  it('runs on the 02:00 UTC firing in winter (GMT) and the 01:00 UTC firing in summer (BST)', () => {
    expect(isAuditHourInUk('2026-01-15T02:00:00Z')).toBe(true);
    expect(isAuditHourInUk('2026-01-15T01:00:00Z')).toBe(false);
    expect(isAuditHourInUk('2026-07-15T01:00:00Z')).toBe(true);
    expect(isAuditHourInUk('2026-07-15T02:00:00Z')).toBe(false);
  });

  it('accepts the default schedule and rejects an invalid cron with a message naming the setting and an example', () => {
    expect(validateSchedule(DEFAULT_AUDIT_SCHEDULE)).toBe(DEFAULT_AUDIT_SCHEDULE);
    expect(() => validateSchedule('0 2 * * *')).toThrow(/AUDIT_SCHEDULE "0 2 \* \* \*" is not a six-field NCRONTAB schedule.*0 0 1,2 \* \* \*/);
    expect(() => validateSchedule('every night')).toThrow(/AUDIT_SCHEDULE/);
  });
});
