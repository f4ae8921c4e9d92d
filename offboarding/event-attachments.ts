// Papers attached to meetings (agendas, minutes, plans), saved beside the calendar's .ics in
// "<calendar> attachments/<date> <subject>/". "Get attachment" gives the raw contents of a file
// attachment (its own bytes) and of an item attachment (an Outlook item as MIME: a message, an event as
// iCalendar, a contact as vCard); a reference attachment is only a link to a file in the cloud ($value
// answers 405), so it is listed on the certificate with where the file is, not copied.
import { Readable } from 'node:stream';
import { openStream, type ArchiveWriter } from './archive';
import type { ManifestLog } from './manifest';
import { MAX_FOLDER_SEGMENT, uniqueSegments } from './names';
import type { CalendarEvent } from './formats/icalendar';
import type { StepContext } from './types';

interface RawAttachment {
  '@odata.type'?: string;
  id: string;
  name?: string | null;
  contentType?: string | null;
}

/** A link attachment we could not copy: its name and the meeting it is on. */
export interface LinkedAttachment { name: string; event: string; calendar: string }

const FILE = '#microsoft.graph.fileAttachment';
const ITEM = '#microsoft.graph.itemAttachment';
const REFERENCE = '#microsoft.graph.referenceAttachment';

/** Unique names within one folder, keeping each name's extension ("agenda.pdf", "agenda (2).pdf"). */
function uniqueFileNames(raws: string[]): string[] {
  const parts = raws.map((r) => {
    const dot = r.lastIndexOf('.');
    return dot > 0 && r.length - dot <= 10 ? { stem: r.slice(0, dot), ext: r.slice(dot) } : { stem: r, ext: '' };
  });
  return uniqueSegments(parts.map((p) => p.stem), 'attachment', 120).map((stem, i) => `${stem}${parts[i].ext}`);
}

/** An Outlook item's MIME, by what it starts with: an event (iCalendar), a contact (vCard), else a message. */
function itemExtension(bytes: Buffer): string {
  const head = bytes.subarray(0, 64).toString('utf8').trimStart().toUpperCase();
  return head.startsWith('BEGIN:VCALENDAR') ? '.ics' : head.startsWith('BEGIN:VCARD') ? '.vcf' : '.eml';
}

async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Copies the attachments of one calendar's events (those Graph marks hasAttachments) into
 * `<folderName>/<event>/` below the archive's Calendar folder, one manifest row each. Names are derived
 * from ids in a stable order, so a rerun writes the same names (no duplicates).
 */
export async function copyEventAttachments(
  ctx: StepContext, writer: ArchiveWriter, log: ManifestLog,
  calendarFolderId: string, folderName: string, calendar: { id: string; name: string }, events: CalendarEvent[],
): Promise<{ copied: number; linked: LinkedAttachment[] }> {
  const userId = ctx.record.target!.id;
  const base = `/users/${userId}/calendars/${encodeURIComponent(calendar.id)}/events`;
  const withAttachments = events.filter((e) => e.hasAttachments && e.id).sort((a, b) => a.id!.localeCompare(b.id!));
  const eventFolders = uniqueSegments(withAttachments.map((e) => `${(e.start?.dateTime ?? '').slice(0, 10) || 'undated'} ${e.subject ?? 'no subject'}`), 'meeting', MAX_FOLDER_SEGMENT);
  let copied = 0;
  const linked: LinkedAttachment[] = [];
  let parent: { id: string } | undefined;
  for (const [i, event] of withAttachments.entries()) {
    const attachments = await ctx.mailbox(() => ctx.graph.pageAll<RawAttachment>(`${base}/${encodeURIComponent(event.id!)}/attachments`, ['id', 'name', 'contentType', 'size', 'isInline', 'lastModifiedDateTime']));
    const subject = event.subject ?? 'no subject';
    linked.push(...attachments.filter((a) => a['@odata.type'] === REFERENCE).map((a) => ({ name: a.name ?? 'link', event: subject, calendar: calendar.name })));
    const copyable = attachments.filter((a) => a['@odata.type'] === FILE || a['@odata.type'] === ITEM).sort((a, b) => a.id.localeCompare(b.id));
    if (!copyable.length) continue;
    parent ??= await writer.ensureFolder(calendarFolderId, folderName);
    const folder = await writer.ensureFolder(parent.id, eventFolders[i]);
    const archivePath = `Calendar/${folderName}/${eventFolders[i]}`;
    const names = uniqueFileNames(copyable.map((a) => a.name ?? 'attachment'));
    for (const [j, a] of copyable.entries()) {
      const valuePath = `${base}/${encodeURIComponent(event.id!)}/attachments/${encodeURIComponent(a.id)}/$value`;
      let name = names[j];
      let result;
      if (a['@odata.type'] === ITEM) {
        // An item's MIME says what it is; it is small (an Outlook item), so it is read whole to name it.
        const bytes = await ctx.mailbox(async () => {
          const got = await openStream(ctx.graph, valuePath);
          return got === 'gone' ? 'gone' as const : readAll(got.body);
        });
        if (bytes === 'gone') continue;
        const ext = itemExtension(bytes);
        if (!name.toLowerCase().endsWith(ext)) name = `${name}${ext}`;
        result = await writer.writeBuffer(folder.id, name, bytes);
      } else {
        result = await ctx.mailbox(() => writer.copy(folder.id, name, () => openStream(ctx.graph, valuePath)));
        // Removed from the meeting since it was listed: nothing to copy, nothing to verify.
        if (result === 'gone') continue;
      }
      await log.add({
        kind: 'calendar', sourceId: `attachment:${calendar.id}:${event.id}:${a.id}`, sourceFolder: `Calendar / ${calendar.name} / ${subject}`,
        folder: archivePath, name, size: result.size, sha256: result.sha256, archiveItemId: result.item.id, status: 'archived', at: new Date().toISOString(),
      });
      copied++;
    }
  }
  return { copied, linked };
}
