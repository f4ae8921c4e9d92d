// A calendar as iCalendar (RFC 5545). Times arrive in UTC (the request asks Graph for outlook.timezone
// "UTC"); a time in a named zone is converted with luxon, and one in a zone luxon cannot read is kept
// as floating local time rather than guessed.
import { DateTime } from 'luxon';
import { contentLines, escapeText, paramValue } from './fold';

/** An address from an invitation (outsiders write them): no control characters, so no line can start a new property. */
function mailtoAddress(address: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  return address.replace(/[\u0000-\u001F\u007F\s]+/g, '');
}

interface DateTimeTimeZone { dateTime: string; timeZone?: string }
interface Recipient { emailAddress?: { name?: string | null; address?: string | null } }

export interface CalendarEvent {
  id?: string;
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

const stamp = (iso: string | Date) => (iso instanceof Date ? DateTime.fromJSDate(iso) : DateTime.fromISO(iso)).toUTC().toFormat("yyyyMMdd'T'HHmmss'Z'");

export function renderICalendar(events: CalendarEvent[], opts: { name: string; now: Date }): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//CouncilGuard//Councillor surrender//EN', 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH', `X-WR-CALNAME:${escapeText(opts.name)}`];
  for (const e of events) {
    const start = when(e.start, !!e.isAllDay);
    if (!start) continue;
    const end = when(e.end, !!e.isAllDay);
    lines.push('BEGIN:VEVENT', `UID:${escapeText(e.iCalUId || e.id || `${start.value}-${e.subject ?? ''}`)}`, `DTSTAMP:${stamp(opts.now)}`);
    lines.push(start.date ? `DTSTART;VALUE=DATE:${start.value}` : `DTSTART:${start.value}`);
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
