// The dates a Graph recurrence pattern produces, so the occurrences a series no longer has (cancelled
// ones, absent from /instances) can be written as EXDATE. Dates are compared by calendar day in UTC,
// the zone the export reads and writes in (the RRULE is expanded from a UTC DTSTART too).
import { DateTime } from 'luxon';
import type { PatternedRecurrence } from './icalendar';

const WEEKDAY: Record<string, number> = { monday: 1, tuesday: 2, wednesday: 3, thursday: 4, friday: 5, saturday: 6, sunday: 7 };
const INDEX: Record<string, number> = { first: 1, second: 2, third: 3, fourth: 4, last: -1 };

/** The nth (or last) given weekday of a month. */
function nthWeekday(month: DateTime, weekday: number, index: number): DateTime | undefined {
  if (index < 0) {
    let d = month.endOf('month').startOf('day');
    while (d.weekday !== weekday) d = d.minus({ days: 1 });
    return d;
  }
  let d = month.startOf('month');
  while (d.weekday !== weekday) d = d.plus({ days: 1 });
  d = d.plus({ weeks: index - 1 });
  return d.month === month.month ? d : undefined;
}

/** Each occurrence's day (yyyy-MM-dd, UTC) up to `until`, at most `limit` of them; undefined for a pattern not handled. */
export function occurrenceDays(r: PatternedRecurrence | null | undefined, until: DateTime, limit = 5000): string[] | undefined {
  const p = r?.pattern;
  const start = r?.range?.startDate ? DateTime.fromISO(r.range.startDate, { zone: 'utc' }) : undefined;
  if (!p?.type || !start?.isValid) return undefined;
  const end = r?.range?.type === 'endDate' && r.range.endDate ? DateTime.min(DateTime.fromISO(r.range.endDate, { zone: 'utc' }), until) : until;
  const count = r?.range?.type === 'numbered' ? r.range.numberOfOccurrences ?? 0 : Infinity;
  const n = Math.max(1, p.interval ?? 1);
  const days = (p.daysOfWeek ?? []).map((d) => WEEKDAY[d.toLowerCase()]).filter(Boolean).sort((a, b) => a - b);
  const out: string[] = [];
  const push = (d: DateTime | undefined) => { if (d && d >= start && d <= end && out.length < Math.min(count, limit)) out.push(d.toISODate()!); };
  const more = (d: DateTime) => d <= end && out.length < Math.min(count, limit);
  switch (p.type) {
    case 'daily':
      for (let d = start; more(d); d = d.plus({ days: n })) push(d);
      return out;
    case 'weekly': {
      const wkst = WEEKDAY[(p.firstDayOfWeek ?? 'sunday').toLowerCase()] ?? 7;
      let week = start.minus({ days: (start.weekday - wkst + 7) % 7 });
      for (; more(week); week = week.plus({ weeks: n })) {
        for (let i = 0; i < 7; i++) { const d = week.plus({ days: i }); if (days.includes(d.weekday)) push(d); }
      }
      return out;
    }
    case 'absoluteMonthly':
    case 'relativeMonthly':
    case 'absoluteYearly':
    case 'relativeYearly': {
      const yearly = p.type.endsWith('Yearly');
      let period = yearly ? start.set({ month: p.month ?? start.month }).startOf('month') : start.startOf('month');
      for (; more(period); period = period.plus(yearly ? { years: n } : { months: n })) {
        if (p.type.startsWith('absolute')) {
          const day = Math.min(p.dayOfMonth ?? 1, period.daysInMonth ?? 28);
          push(period.set({ day }));
        } else {
          // Several days with an index mean "the first of any of these days"; one day is the common case.
          const candidates = days.map((w) => nthWeekday(period, w, INDEX[p.index ?? 'first'] ?? 1)).filter((d): d is DateTime => !!d).sort((a, b) => a.toMillis() - b.toMillis());
          push(INDEX[p.index ?? 'first'] === -1 ? candidates.at(-1) : candidates[0]);
        }
      }
      return out;
    }
    default:
      return undefined;
  }
}
