// export-calendar: the councillor's calendar as one iCalendar file (<archive>/Calendar/calendar.ics)
// that Outlook, Google Calendar and Apple Calendar import.
import { ArchiveWriter } from '../archive';
import { ManifestLog } from '../manifest';
import { renderICalendar, type CalendarEvent } from '../formats/icalendar';
import type { Step, StepContext, StepOutcome } from '../types';

const SELECT = ['subject', 'start', 'end', 'location', 'isAllDay', 'organizer', 'attendees', 'body', 'iCalUId', 'showAs', 'sensitivity', 'createdDateTime', 'lastModifiedDateTime'];

async function run(ctx: StepContext): Promise<StepOutcome> {
  const { record } = ctx;
  const archive = record.archive!;
  const events = await ctx.mailbox(() => ctx.graph.pageAll<CalendarEvent>(`/users/${record.target!.id}/events`, SELECT, {
    top: 500, headers: { Prefer: 'outlook.body-content-type="text", outlook.timezone="UTC"' },
  }));
  const writer = new ArchiveWriter(ctx.graph, archive.driveId, archive.library, ctx.tuning);
  const folder = await writer.ensureFolder(archive.folderId, 'Calendar');
  const ics = renderICalendar(events, { name: `${record.target!.displayName} (surrendered ${record.request.termEnd})`, now: ctx.clock() });
  const copy = await writer.writeBuffer(folder.id, 'calendar.ics', Buffer.from(ics, 'utf8'));
  const log = new ManifestLog(ctx.store, record.id, 'export-calendar');
  await log.add({ kind: 'calendar', sourceId: 'calendar.ics', sourceFolder: 'Calendar', folder: 'Calendar', name: 'calendar.ics', size: copy.size, sha256: copy.sha256, archiveItemId: copy.item.id, status: 'archived', at: new Date().toISOString() });
  await log.flush();
  await ctx.audit({ action: 'content.read', target: `calendar of ${record.target!.userPrincipalName}`, result: 'done', detail: `Read ${events.length} event(s) and wrote them to ${archive.library}/${archive.folderName}/Calendar/calendar.ics (surrender ${record.id}).` });
  return { status: 'done', counts: { events: events.length } };
}

export const exportCalendar: Step = {
  name: 'export-calendar',
  title: 'Copy the calendar',
  async plan(ctx) {
    const n = (ctx.planData.events as number | undefined) ?? 0;
    return { step: 'export-calendar', title: this.title, summary: `Write ${n} calendar event(s) as calendar.ics into the archive's Calendar folder.`, counts: { events: n } };
  },
  run,
};
