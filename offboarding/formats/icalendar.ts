// A calendar as iCalendar (RFC 5545). Times arrive in UTC (the request asks Graph for outlook.timezone
// "UTC"); a time in a named zone is converted with luxon, and one in a zone luxon cannot read is kept
// as floating local time rather than guessed. A series master carries its recurrence as an RRULE (from
// Graph's patternedRecurrence); a changed occurrence (exception) is a VEVENT with the series' UID and a
// RECURRENCE-ID naming the occurrence it replaces.
import { DateTime } from 'luxon';
import { contentLines, escapeText, paramValue } from './fold';

/** An address from an invitation (outsiders write them): no control characters, so no line can start a new property. */
function mailtoAddress(address: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  return address.replace(/[\u0000-\u001F\u007F\s]+/g, '');
}

interface DateTimeTimeZone { dateTime: string; timeZone?: string }
interface Recipient { emailAddress?: { name?: string | null; address?: string | null } }

export interface PatternedRecurrence {
  pattern?: { type?: string; interval?: number; daysOfWeek?: string[]; dayOfMonth?: number; month?: number; index?: string; firstDayOfWeek?: string };
  range?: { type?: string; startDate?: string; endDate?: string; numberOfOccurrences?: number };
}

export interface CalendarEvent {
  id?: string;
  /** singleInstance, seriesMaster, occurrence or exception. */
  type?: string;
  seriesMasterId?: string | null;
  recurrence?: PatternedRecurrence | null;
  /** A series master's cancelled occurrences (days, yyyy-MM-dd), written as EXDATE at DTSTART's time. */
  exdates?: string[];
  /** An exception's original start (UTC), which RECURRENCE-ID names. */
  originalStart?: string | null;
  iCalUId?: string;
  subject?: string | null;
  start?: DateTimeTimeZone;
  end?: DateTimeTimeZone;
  isAllDay?: boolean;
  location?: { displayName?: string | null } | null;
  organizer?: Recipient | null;
  attendees?: (Recipient & { type?: string })[];
  body?: { contentType?: string; content?: string | null } | null;
  showAs?: string;
  sensitivity?: string;
  createdDateTime?: string;
  lastModifiedDateTime?: string;
  /** Files or items attached (agendas): copied beside the .ics, not written into it. */
  hasAttachments?: boolean;
}

function when(v: DateTimeTimeZone | undefined, allDay: boolean): { value: string; date: boolean } | undefined {
  if (!v?.dateTime) return undefined;
  const zone = !v.timeZone || /^(utc|gmt|etc\/utc|coordinated universal time)$/i.test(v.timeZone) ? 'utc' : v.timeZone;
  const d = DateTime.fromISO(v.dateTime.replace(/(\.\d{3})\d+$/, '$1'), { zone });
  if (!d.isValid) {
    const floating = DateTime.fromISO(v.dateTime.replace(/(\.\d{3})\d+$/, '$1'), { zone: 'utc' });
    return floating.isValid ? { value: floating.toFormat("yyyyMMdd'T'HHmmss"), date: false } : undefined;
  }
  if (allDay) return { value: d.toFormat('yyyyMMdd'), date: true };
  return { value: d.toUTC().toFormat("yyyyMMdd'T'HHmmss'Z'"), date: false };
}

const DAY: Record<string, string> = { sunday: 'SU', monday: 'MO', tuesday: 'TU', wednesday: 'WE', thursday: 'TH', friday: 'FR', saturday: 'SA' };
const SETPOS: Record<string, number> = { first: 1, second: 2, third: 3, fourth: 4, last: -1 };

/** RFC 5545 RRULE for Graph's recurrence, or undefined for a pattern we cannot express (the event is then kept as its first occurrence). */
export function rrule(r: PatternedRecurrence | null | undefined, allDay: boolean): string | undefined {
  const p = r?.pattern;
  if (!p?.type) return undefined;
  const parts: string[] = [];
  const days = (p.daysOfWeek ?? []).map((d) => DAY[d.toLowerCase()]).filter(Boolean).join(',');
  const interval = p.interval && p.interval > 1 ? [`INTERVAL=${p.interval}`] : [];
  switch (p.type) {
    case 'daily': parts.push('FREQ=DAILY', ...interval); break;
    case 'weekly': parts.push('FREQ=WEEKLY', ...interval, ...(days ? [`BYDAY=${days}`] : []), ...(p.firstDayOfWeek ? [`WKST=${DAY[p.firstDayOfWeek.toLowerCase()]}`] : [])); break;
    case 'absoluteMonthly': parts.push('FREQ=MONTHLY', ...interval, `BYMONTHDAY=${p.dayOfMonth}`); break;
    case 'relativeMonthly': parts.push('FREQ=MONTHLY', ...interval, `BYDAY=${days}`, `BYSETPOS=${SETPOS[p.index ?? 'first'] ?? 1}`); break;
    case 'absoluteYearly': parts.push('FREQ=YEARLY', ...interval, `BYMONTH=${p.month}`, `BYMONTHDAY=${p.dayOfMonth}`); break;
    case 'relativeYearly': parts.push('FREQ=YEARLY', ...interval, `BYMONTH=${p.month}`, `BYDAY=${days}`, `BYSETPOS=${SETPOS[p.index ?? 'first'] ?? 1}`); break;
    default: return undefined;
  }
  const range = r?.range;
  if (range?.type === 'numbered' && range.numberOfOccurrences) parts.push(`COUNT=${range.numberOfOccurrences}`);
  else if (range?.type === 'endDate' && range.endDate) {
    // UNTIL is inclusive: the whole end date; a date for all-day series, otherwise UTC like DTSTART.
    const end = DateTime.fromISO(range.endDate, { zone: 'utc' });
    parts.push(`UNTIL=${allDay ? end.toFormat('yyyyMMdd') : end.endOf('day').toFormat("yyyyMMdd'T'HHmmss'Z'")}`);
  }
  return `RRULE:${parts.join(';')}`;
}

const stamp = (iso: string | Date) => (iso instanceof Date ? DateTime.fromJSDate(iso) : DateTime.fromISO(iso)).toUTC().toFormat("yyyyMMdd'T'HHmmss'Z'");

export function renderICalendar(events: CalendarEvent[], opts: { name: string; now: Date; seriesUid?: Map<string, string> }): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//CouncilGuard//Councillor surrender//EN', 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH', `X-WR-CALNAME:${escapeText(opts.name)}`];
  for (const e of events) {
    const start = when(e.start, !!e.isAllDay);
    if (!start) continue;
    const end = when(e.end, !!e.isAllDay);
    // An exception shares its series' UID (Graph gives each occurrence its own iCalUId, so the master's is used).
    const uid = e.type === 'exception' && e.seriesMasterId ? opts.seriesUid?.get(e.seriesMasterId) ?? e.seriesMasterId : e.iCalUId || e.id || `${start.value}-${e.subject ?? ''}`;
    lines.push('BEGIN:VEVENT', `UID:${escapeText(uid)}`, `DTSTAMP:${stamp(opts.now)}`);
    lines.push(start.date ? `DTSTART;VALUE=DATE:${start.value}` : `DTSTART:${start.value}`);
    if (e.type === 'seriesMaster') {
      const rule = rrule(e.recurrence, !!e.isAllDay);
      if (rule) lines.push(rule);
      if (rule && e.exdates?.length) {
        const time = start.date ? '' : start.value.slice(8);
        lines.push(start.date ? `EXDATE;VALUE=DATE:${e.exdates.map((d) => d.replace(/-/g, '')).join(',')}` : `EXDATE:${e.exdates.map((d) => `${d.replace(/-/g, '')}${time}`).join(',')}`);
      }
    }
    if (e.type === 'exception' && e.originalStart) {
      const original = when({ dateTime: e.originalStart.replace(/Z$/, ''), timeZone: 'UTC' }, !!e.isAllDay);
      if (original) lines.push(original.date ? `RECURRENCE-ID;VALUE=DATE:${original.value}` : `RECURRENCE-ID:${original.value}`);
    }
    if (end) lines.push(end.date ? `DTEND;VALUE=DATE:${end.value}` : `DTEND:${end.value}`);
    lines.push(`SUMMARY:${escapeText(e.subject ?? '')}`);
    if (e.location?.displayName) lines.push(`LOCATION:${escapeText(e.location.displayName)}`);
    if (e.body?.content) lines.push(`DESCRIPTION:${escapeText(e.body.content)}`);
    const org = e.organizer?.emailAddress;
    if (org?.address) lines.push(`ORGANIZER${org.name ? `;CN=${paramValue(org.name)}` : ''}:mailto:${mailtoAddress(org.address)}`);
    for (const a of e.attendees ?? []) {
      if (a.emailAddress?.address) lines.push(`ATTENDEE${a.emailAddress.name ? `;CN=${paramValue(a.emailAddress.name)}` : ''}${a.type === 'optional' ? ';ROLE=OPT-PARTICIPANT' : ''}:mailto:${mailtoAddress(a.emailAddress.address)}`);
    }
    if (e.sensitivity && e.sensitivity !== 'normal') lines.push(`CLASS:${e.sensitivity === 'private' || e.sensitivity === 'personal' ? 'PRIVATE' : 'CONFIDENTIAL'}`);
    if (e.showAs === 'free') lines.push('TRANSP:TRANSPARENT');
    if (e.createdDateTime) lines.push(`CREATED:${stamp(e.createdDateTime)}`);
    if (e.lastModifiedDateTime) lines.push(`LAST-MODIFIED:${stamp(e.lastModifiedDateTime)}`);
    lines.push('END:VEVENT');
  }
  lines.push('END:VCALENDAR');
  return contentLines(lines);
}
