// Calendars in full: every calendar (/calendars, then each one's events) becomes its own .ics; a
// recurring series is written with its RRULE and each changed occurrence (read through /instances, which
// needs both ends of a window) as a VEVENT with the series' UID and a RECURRENCE-ID.
import { runOffboarding, startOffboarding } from '../../jobs/offboarding';
import { cliOwner, surrenderId } from '../../offboarding/state';
import { DateTime } from 'luxon';
import { rrule } from '../../offboarding/formats/icalendar';
import { occurrenceDays } from '../../offboarding/formats/recurrence';
import { archiveDrive, CLERK, contentOf, filesIn, harness, itemByPath, leaver, LEAVER, sha256, TERM_END } from './support';
import { loadAllRows } from '../../offboarding/manifest';

const ROOT = 'Cllr Lee Leaving (cllr.leaving) – term ended 2026-05-07';

describe('calendars in full', () => {
  it('writes RRULEs for Graph\'s recurrence patterns', () => {
    expect(rrule({ pattern: { type: 'weekly', interval: 2, daysOfWeek: ['tuesday', 'thursday'], firstDayOfWeek: 'monday' }, range: { type: 'numbered', numberOfOccurrences: 6 } }, false)).toBe('RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;WKST=MO;COUNT=6');
    expect(rrule({ pattern: { type: 'relativeMonthly', interval: 1, daysOfWeek: ['tuesday'], index: 'first' }, range: { type: 'endDate', endDate: '2026-12-31' } }, false)).toBe('RRULE:FREQ=MONTHLY;BYDAY=TU;BYSETPOS=1;UNTIL=20261231T235959Z');
    expect(rrule({ pattern: { type: 'absoluteYearly', month: 5, dayOfMonth: 7 }, range: { type: 'noEnd' } }, true)).toBe('RRULE:FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=7');
    expect(occurrenceDays({ pattern: { type: 'relativeMonthly', interval: 1, daysOfWeek: ['tuesday'], index: 'first' }, range: { type: 'numbered', startDate: '2026-01-01', numberOfOccurrences: 3 } }, DateTime.utc(2030))).toEqual(['2026-01-06', '2026-02-03', '2026-03-03']);
    expect(occurrenceDays({ pattern: { type: 'weekly', interval: 2, daysOfWeek: ['monday', 'thursday'], firstDayOfWeek: 'monday' }, range: { type: 'endDate', startDate: '2026-01-08', endDate: '2026-01-26' } }, DateTime.utc(2030))).toEqual(['2026-01-08', '2026-01-19', '2026-01-22']);
    expect(occurrenceDays({ pattern: { type: 'absoluteMonthly', dayOfMonth: 31 }, range: { type: 'numbered', startDate: '2026-01-31', numberOfOccurrences: 2 } }, DateTime.utc(2030))).toEqual(['2026-01-31', '2026-02-28']);
    expect(rrule({ pattern: { type: 'relativeYearly', month: 3, daysOfWeek: ['monday'], index: 'last' }, range: { type: 'endDate', endDate: '2027-01-01' } }, true)).toBe('RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=MO;BYSETPOS=-1;UNTIL=20270101');
  });

  it('exports every calendar, and a series with its RRULE and changed occurrence', async () => {
    const h = await harness({ name: 'surrender-calendars', inbox: 3 });
    try {
      const u = leaver(h.tenant());
      u.calendars = [{ id: 'cal-planning', name: 'Planning committee' }];
      const t = (d: string) => ({ dateTime: `${d}.0000000`, timeZone: 'UTC' });
      u.events.push(
        { id: 'site-visit', subject: 'Site visit, Mill Lane', start: t('2026-03-03T10:00:00'), end: t('2026-03-03T11:00:00'), location: { displayName: 'Mill Lane' }, calendarId: 'cal-planning' },
        {
          id: 'surgery', iCalUId: 'surgery-uid', type: 'seriesMaster', subject: 'Councillor surgery', start: t('2026-01-06T18:00:00'), end: t('2026-01-06T19:00:00'), location: { displayName: 'Library' },
          recurrence: { pattern: { type: 'weekly', interval: 1, daysOfWeek: ['tuesday'], firstDayOfWeek: 'sunday' }, range: { type: 'numbered', startDate: '2026-01-06', numberOfOccurrences: 10 } },
          // Ten Tuesdays: the third moved an hour later (an exception), the fourth cancelled (absent from /instances).
          instances: Array.from({ length: 10 }, (_, i) => {
            const day = new Date(Date.UTC(2026, 0, 6 + 7 * i)).toISOString().slice(0, 10);
            return i === 2
              ? { id: `surgery-${i}`, type: 'exception' as const, subject: 'Councillor surgery (moved to the hall)', start: t(`${day}T19:00:00`), end: t(`${day}T20:00:00`), originalStart: `${day}T18:00:00Z` }
              : { id: `surgery-${i}`, type: 'occurrence' as const, subject: 'Councillor surgery', start: t(`${day}T18:00:00`), end: t(`${day}T19:00:00`), originalStart: `${day}T18:00:00Z` };
          }).filter((_, i) => i !== 3),
        },
      );
      const deps = h.deps();
      const owner = cliOwner(surrenderId(h.council.tenantId, LEAVER, TERM_END));
      const started = await startOffboarding(deps, { userPrincipalName: LEAVER, termEnd: TERM_END, requestedBy: CLERK, via: 'cli' }, owner);
      const record = await runOffboarding(deps, started.record.id, { owner });
      expect(record.steps.verify.message).toBeUndefined();
      expect(record.steps['export-calendar'].counts).toMatchObject({ calendars: 2, events: 4, series: 1, exceptions: 1, 'events in Calendar': 3, 'events in Planning committee': 1 });

      const drive = archiveDrive(h.tenant());
      const main = contentOf(itemByPath(drive, `${ROOT}/Calendar/calendar.ics`)!).toString('utf8').replace(/\r\n /g, '');
      expect(main).toContain('RRULE:FREQ=WEEKLY;BYDAY=TU;WKST=SU;COUNT=10');
      expect(main).toContain('EXDATE:20260127T180000Z\r\n');
      const vevents = main.split('BEGIN:VEVENT').slice(1);
      const moved = vevents.find((v) => v.includes('SUMMARY:Councillor surgery (moved to the hall)'))!;
      expect(moved).toContain('UID:surgery-uid');
      expect(moved).toContain('RECURRENCE-ID:20260120T180000Z');
      expect(moved).toContain('DTSTART:20260120T190000Z');
      expect(vevents.filter((v) => v.includes('UID:surgery-uid'))).toHaveLength(2);
      const planning = contentOf(itemByPath(drive, `${ROOT}/Calendar/Planning committee.ics`)!).toString('utf8');
      expect(planning).toContain('SUMMARY:Site visit\\, Mill Lane');
      expect(planning.match(/BEGIN:VEVENT/g)).toHaveLength(1);
    } finally {
      await h.close();
    }
  });

  it('saves papers attached to meetings beside the .ics, lists links as not copied, and verify checks the copies', async () => {
    const h = await harness({ name: 'surrender-event-attachments', inbox: 2 });
    try {
      const u = leaver(h.tenant());
      u.calendars = [{ id: 'cal-planning', name: 'Planning committee' }];
      const t = (d: string) => ({ dateTime: `${d}.0000000`, timeZone: 'UTC' });
      const agenda = Buffer.from('%PDF-1.7 agenda for the planning committee');
      const minutes = Buffer.from('minutes of the last meeting');
      const invite = 'Subject: Site visit invitation\r\nFrom: clerk@testparish.gov.uk\r\n\r\nPlease attend.\r\n';
      u.events.push(
        {
          id: 'planning-mar', subject: 'Planning committee', start: t('2026-03-10T19:00:00'), end: t('2026-03-10T21:00:00'), location: { displayName: 'Village hall' }, calendarId: 'cal-planning',
          attachments: [
            { id: 'att-agenda', kind: 'file', name: 'Agenda.pdf', contentType: 'application/pdf', bytes: agenda },
            // Two papers with one name: both kept, the second renamed before its extension.
            { id: 'att-minutes', kind: 'file', name: 'Agenda.pdf', contentType: 'application/pdf', bytes: minutes },
            { id: 'att-invite', kind: 'item', name: 'Site visit invitation', item: 'message', mime: invite },
            { id: 'att-link', kind: 'reference', name: 'Local plan.docx' },
          ],
        },
        { id: 'no-papers', subject: 'Surgery', start: t('2026-03-11T10:00:00'), end: t('2026-03-11T11:00:00'), location: { displayName: '' } },
      );
      const deps = h.deps();
      const owner = cliOwner(surrenderId(h.council.tenantId, LEAVER, TERM_END));
      const started = await startOffboarding(deps, { userPrincipalName: LEAVER, termEnd: TERM_END, requestedBy: CLERK, via: 'cli' }, owner);
      const drive = archiveDrive(h.tenant());
      let removed = '';
      const record = await runOffboarding(deps, started.record.id, {
        owner,
        hooks: {
          onStepStart: (step) => {
            if (step !== 'verify' || removed) return;
            // An attached paper lost from the archive before verify: verify must notice it.
            const folder = itemByPath(drive, `${ROOT}/Calendar/Planning committee attachments/2026-03-10 Planning committee`)!;
            const victim = filesIn(drive, folder).find((f) => f.name === 'Agenda.pdf')!;
            victim.deleted = true;
            removed = victim.name;
          },
        },
      });
      expect(record.steps.verify.status).toBe('failed');
      expect(record.steps.verify.message).toContain('Calendar/Planning committee attachments/2026-03-10 Planning committee/Agenda.pdf is missing from the archive');
      expect(record.steps.close.status).toBe('pending');

      // The next run copies it again and verifies.
      const again = await startOffboarding(deps, { userPrincipalName: LEAVER, termEnd: TERM_END, requestedBy: CLERK, via: 'cli' }, owner);
      const done = await runOffboarding(deps, again.record.id, { owner });
      expect(done.status).toBe('done');
      expect(done.steps['export-calendar'].counts).toMatchObject({ attachments: 3, linkedAttachments: 1 });
      const folder = itemByPath(drive, `${ROOT}/Calendar/Planning committee attachments/2026-03-10 Planning committee`)!;
      const files = new Map(filesIn(drive, folder).map((f) => [f.name, contentOf(f)]));
      expect([...files.keys()].sort()).toEqual(['Agenda (2).pdf', 'Agenda.pdf', 'Site visit invitation.eml']);
      expect(sha256(files.get('Agenda.pdf')!)).toBe(sha256(agenda));
      expect(sha256(files.get('Agenda (2).pdf')!)).toBe(sha256(minutes));
      expect(files.get('Site visit invitation.eml')!.toString('utf8')).toBe(invite);
      expect(itemByPath(drive, `${ROOT}/Calendar/calendar attachments`)).toBeUndefined();

      const rows = (await loadAllRows(h.store, done.id)).filter((r) => r.sourceId.startsWith('attachment:'));
      expect(rows.map((r) => r.name).sort()).toEqual(['Agenda (2).pdf', 'Agenda.pdf', 'Site visit invitation.eml']);
      expect(rows.every((r) => r.status === 'archived' && r.folder === 'Calendar/Planning committee attachments/2026-03-10 Planning committee')).toBe(true);
      const link = done.notCopied!.find((x) => x.source === 'export-calendar')!;
      expect(link).toMatchObject({ count: 1, keepsMailbox: false });
      expect(link.where).toContain('"Local plan.docx" on "Planning committee" in Planning committee');
      const certificate = contentOf(itemByPath(drive, `${ROOT}/certificate.html`)!).toString('utf8');
      expect(certificate).toContain('links to files attached to meetings');
      // The mailbox's own not-copied entries (Recoverable Items versions) are still listed beside it.
      expect(done.notCopied!.some((x) => x.source === 'export-mail')).toBe(true);
    } finally {
      await h.close();
    }
  });
});
