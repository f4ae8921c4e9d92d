// export-calendar: every calendar of the councillor (/calendars, then each one's events) as its own
// iCalendar file in <archive>/Calendar/, which Outlook, Google Calendar and Apple Calendar import. A
// series is written as its master with an RRULE and each changed occurrence (exception, read through
// /instances) as a VEVENT with RECURRENCE-ID; an occurrence cancelled from the series is an EXDATE.
// Papers attached to meetings are saved beside each .ics (event-attachments.ts); links to files in the
// cloud are listed as not copied. Counts are kept per calendar for verify and the certificate.
import { DateTime } from 'luxon';
import { ArchiveWriter } from '../archive';
import { ManifestLog } from '../manifest';
import { uniqueSegments } from '../names';
import { renderICalendar, type CalendarEvent } from '../formats/icalendar';
import { occurrenceDays } from '../formats/recurrence';
import { IMMUTABLE_ID } from './export-mail';
import { copyEventAttachments, type LinkedAttachment } from '../event-attachments';
import { recordNotCopied } from '../mailbox-extras';
import { loadStepData, saveStepData } from '../state';
import type { Step, StepContext, StepOutcome } from '../types';

const SELECT = ['subject', 'start', 'end', 'location', 'isAllDay', 'organizer', 'attendees', 'body', 'iCalUId', 'showAs', 'sensitivity', 'createdDateTime', 'lastModifiedDateTime', 'type', 'recurrence', 'seriesMasterId', 'originalStart', 'hasAttachments'];
const PREFER = { Prefer: `outlook.body-content-type="text", outlook.timezone="UTC", ${IMMUTABLE_ID.Prefer}` };
/** A series with no end: its exceptions are read up to this far ahead of the surrender. */
const OPEN_SERIES_YEARS = 5;

interface Calendar { id: string; name: string; isDefaultCalendar?: boolean }

/** What each calendar held when it was copied (immutable event ids), for verify to reconcile with Graph. */
export interface CalendarStepData {
  calendars: { id: string; name: string; archivePath: string; eventIds: string[] }[];
}

/** Listing a calendar's events, as export and verify both do (immutable ids, UTC). */
export function calendarEventsPath(userId: string, calendarId: string): string {
  return `/users/${userId}/calendars/${encodeURIComponent(calendarId)}/events`;
}
export const EVENT_LIST_HEADERS = PREFER;

/**
 * A series' changed occurrences, from /instances over the series' whole range (both ends are required),
 * and its cancelled ones: days the pattern gives that /instances no longer lists, set on the master as EXDATE.
 */
async function exceptionsOf(ctx: StepContext, master: CalendarEvent): Promise<CalendarEvent[]> {
  const range = master.recurrence?.range;
  const from = range?.startDate ?? master.start?.dateTime?.slice(0, 10);
  if (!from) return [];
  const to = range?.type === 'endDate' && range.endDate
    ? DateTime.fromISO(range.endDate, { zone: 'utc' }).plus({ days: 1 })
    : DateTime.fromJSDate(ctx.clock(), { zone: 'utc' }).plus({ years: OPEN_SERIES_YEARS });
  const path = `/users/${ctx.record.target!.id}/events/${encodeURIComponent(master.id!)}/instances?startDateTime=${from}T00:00:00Z&endDateTime=${to.toFormat("yyyy-MM-dd'T'HH:mm:ss'Z'")}`;
  const instances = await ctx.mailbox(() => ctx.graph.pageAll<CalendarEvent>(path, SELECT, { top: 500, headers: PREFER }));
  const expected = occurrenceDays(master.recurrence, to.minus({ days: 1 }));
  if (expected) {
    const present = new Set(instances.map((i) => (i.originalStart ?? i.start?.dateTime ?? '').slice(0, 10)));
    master.exdates = expected.filter((d) => !present.has(d));
  }
  return instances.filter((i) => i.type === 'exception');
}

async function run(ctx: StepContext): Promise<StepOutcome> {
  const { record } = ctx;
  const archive = record.archive!;
  const userId = record.target!.id;
  const calendars = await ctx.mailbox(() => ctx.graph.pageAll<Calendar>(`/users/${userId}/calendars`, ['id', 'name', 'isDefaultCalendar'], { top: 250 }));
  const writer = new ArchiveWriter(ctx.graph, archive.driveId, archive.library, ctx.tuning);
  const folder = await writer.ensureFolder(archive.folderId, 'Calendar');
  const log = new ManifestLog(ctx.store, record.id, 'export-calendar');
  // Stable names: the default calendar keeps calendar.ics, the others are named after themselves.
  const ordered = [...calendars].sort((a, b) => Number(!!b.isDefaultCalendar) - Number(!!a.isDefaultCalendar) || a.id.localeCompare(b.id));
  const names = uniqueSegments(ordered.map((c) => (c.isDefaultCalendar ? 'calendar' : c.name)), 'calendar').map((n) => `${n}.ics`);
  const counts: Record<string, number> = { calendars: calendars.length, events: 0, series: 0, exceptions: 0, attachments: 0 };
  const linked: LinkedAttachment[] = [];
  const copied: CalendarStepData['calendars'] = [];
  for (const [i, cal] of ordered.entries()) {
    const events = await ctx.mailbox(() => ctx.graph.pageAll<CalendarEvent>(calendarEventsPath(userId, cal.id), SELECT, { top: 500, headers: PREFER }));
    copied.push({ id: cal.id, name: cal.name, archivePath: `Calendar/${names[i]}`, eventIds: events.map((e) => e.id!) });
    const seriesUid = new Map<string, string>();
    const exceptions: CalendarEvent[] = [];
    for (const master of events.filter((e) => e.type === 'seriesMaster')) {
      seriesUid.set(master.id!, master.iCalUId || master.id!);
      exceptions.push(...await exceptionsOf(ctx, master));
    }
    const ics = renderICalendar([...events, ...exceptions], { name: `${record.target!.displayName}: ${cal.name} (surrendered ${record.request.termEnd})`, now: ctx.clock(), seriesUid });
    const copy = await writer.writeBuffer(folder.id, names[i], Buffer.from(ics, 'utf8'));
    await log.add({ kind: 'calendar', sourceId: cal.isDefaultCalendar ? 'calendar.ics' : `calendar:${cal.id}`, sourceFolder: `Calendar / ${cal.name}`, folder: 'Calendar', name: names[i], size: copy.size, sha256: copy.sha256, archiveItemId: copy.item.id, status: 'archived', at: new Date().toISOString() });
    const attached = await copyEventAttachments(ctx, writer, log, folder.id, `${names[i].replace(/\.ics$/, '')} attachments`, cal, [...events, ...exceptions]);
    linked.push(...attached.linked);
    counts.attachments += attached.copied;
    counts.events += events.length;
    counts.series += seriesUid.size;
    counts.exceptions += exceptions.length;
    counts[`events in ${cal.name}`] = events.length;
  }
  await log.flush();
  await loadStepData(ctx.store, record.id, 'export-calendar');
  await saveStepData<CalendarStepData>(ctx.store, record.id, 'export-calendar', { calendars: copied });
  await recordNotCopied(ctx, 'export-calendar', linked.length ? [{
    what: 'links to files attached to meetings (cloud attachments)',
    count: linked.length,
    where: `wherever each linked file is stored (OneDrive or SharePoint); a file in the councillor's own OneDrive is copied with their OneDrive files (${linked.slice(0, 10).map((l) => `"${l.name}" on "${l.event}" in ${l.calendar}`).join(', ')}${linked.length > 10 ? ', …' : ''})`,
    why: 'a cloud attachment is a link, not a copy: Microsoft Graph gives no contents for it',
    keepsMailbox: false,
  }] : []);
  counts.linkedAttachments = linked.length;
  await ctx.audit({ action: 'content.read', target: `calendar of ${record.target!.userPrincipalName}`, result: 'done', detail: `Read ${counts.events} event(s) (${counts.series} recurring series, ${counts.exceptions} changed occurrence(s), ${counts.attachments} attached paper(s)) in ${calendars.length} calendar(s) and wrote them to ${archive.library}/${archive.folderName}/Calendar (surrender ${record.id}).` });
  return { status: 'done', counts };
}

export const exportCalendar: Step = {
  name: 'export-calendar',
  title: 'Copy the calendar',
  async plan(ctx) {
    const n = (ctx.planData.events as number | undefined) ?? 0;
    return { step: 'export-calendar', title: this.title, summary: `Write every calendar (${n} event(s) in the main one) as iCalendar files into the archive's Calendar folder, recurring meetings with their changes.`, counts: { events: n } };
  },
  run,
};
