// Verify asks the mailbox again how many events each calendar and how many contacts each contact folder
// holds, and reconciles that with what was copied: an item in the mailbox with no copy is a problem (the
// export runs again and copies it), an item copied and since deleted is explained (its copy is kept).
// Nothing is silently accepted; a calendar or folder that appeared since the copy is a problem too.
import { GraphRequestError } from '../graph/errors';
import { loadStepData } from './state';
import { calendarEventsPath, EVENT_LIST_HEADERS, type CalendarStepData } from './steps/export-calendar';
import type { ContactsStepData } from './steps/export-contacts';
import type { StepContext, StepName } from './types';

/** One calendar or contact folder at verify: copied, in the mailbox now, and the difference explained. */
export interface ItemFolderCount {
  sourcePath: string;
  archivePath: string;
  copied: number;
  inMailboxNow: number;
  /** Copied, then deleted from the mailbox (the copy is kept). */
  leftSinceCopy: number;
}

export interface ItemReconciliation {
  folders: ItemFolderCount[];
  problems: string[];
  /** Steps that must run again to copy what the mailbox holds beyond the archive. */
  rerun: StepName[];
}

/** The ids a listing gives now, or undefined when the calendar or folder is gone (404). */
async function idsNow(ctx: StepContext, path: string, headers?: Record<string, string>): Promise<Set<string> | undefined> {
  try {
    return new Set((await ctx.mailbox(() => ctx.graph.pageAll<{ id: string }>(path, ['id'], { top: 500, headers }))).map((x) => x.id));
  } catch (err) {
    if (err instanceof GraphRequestError && err.status === 404) return undefined;
    throw err;
  }
}

function compare(sourcePath: string, archivePath: string, copiedIds: string[], now: Set<string> | undefined, noun: string, problems: string[]): { count: ItemFolderCount; ahead: boolean } {
  const copied = new Set(copiedIds);
  const current = now ?? new Set<string>();
  const missing = [...current].filter((id) => !copied.has(id)).length;
  const left = copiedIds.filter((id) => !current.has(id)).length;
  if (missing) problems.push(`${missing} ${noun}(s) in "${sourcePath}" ${ITEMS_AHEAD} (added after the copy)`);
  return { count: { sourcePath, archivePath, copied: copiedIds.length, inMailboxNow: current.size, leftSinceCopy: left }, ahead: missing > 0 };
}

/** Marks a problem found in the mailbox itself: the exporting step runs again and copies what is new. */
export const ITEMS_AHEAD = 'is in the mailbox but not in the archive';

export async function reconcileCalendarsAndContacts(ctx: StepContext): Promise<ItemReconciliation> {
  const { record, store } = ctx;
  const userId = record.target!.id;
  const out: ItemReconciliation = { folders: [], problems: [], rerun: [] };

  const calendars = await loadStepData<CalendarStepData>(store, record.id, 'export-calendar');
  if (!calendars) {
    out.problems.push('the calendar export left no record of what it copied');
    out.rerun.push('export-calendar');
  } else {
    const known = new Set(calendars.calendars.map((c) => c.id));
    const listed = await ctx.mailbox(() => ctx.graph.pageAll<{ id: string; name: string }>(`/users/${userId}/calendars`, ['id', 'name'], { top: 250 }));
    const added = listed.filter((c) => !known.has(c.id));
    if (added.length) out.problems.push(`calendar "${added[0].name}"${added.length > 1 ? ` and ${added.length - 1} other(s)` : ''} ${ITEMS_AHEAD} (created after the copy)`);
    let ahead = added.length > 0;
    for (const c of calendars.calendars) {
      const r = compare(`Calendar / ${c.name}`, c.archivePath, c.eventIds, await idsNow(ctx, calendarEventsPath(userId, c.id), EVENT_LIST_HEADERS), 'event', out.problems);
      out.folders.push(r.count);
      ahead ||= r.ahead;
    }
    if (ahead) out.rerun.push('export-calendar');
  }

  const contacts = await loadStepData<ContactsStepData>(store, record.id, 'export-contacts');
  if (!contacts) {
    out.problems.push('the contacts export left no record of what it copied');
    out.rerun.push('export-contacts');
  } else {
    // A folder created since the copy, at the top or below a copied one ("List childFolders"), is found.
    const known = new Set(contacts.folders.map((f) => f.id));
    const top = await ctx.mailbox(() => ctx.graph.pageAll<{ id: string; displayName: string }>(`/users/${userId}/contactFolders`, ['id', 'displayName'], { top: 250 }));
    const nested = await Promise.all(contacts.folders.filter((f) => f.id).map((f) => ctx.mailbox(() => ctx.graph.pageAll<{ id: string; displayName: string }>(
      `/users/${userId}/contactFolders/${encodeURIComponent(f.id)}/childFolders`, ['id', 'displayName'], { top: 250 }))));
    const added = [...top, ...nested.flat()].filter((f) => !known.has(f.id));
    if (added.length) out.problems.push(`contact folder "${added[0].displayName}"${added.length > 1 ? ` and ${added.length - 1} other(s)` : ''} ${ITEMS_AHEAD} (created after the copy)`);
    let ahead = added.length > 0;
    for (const f of contacts.folders) {
      const r = compare(f.path, f.archivePath, f.contactIds, await idsNow(ctx, f.list), 'contact', out.problems);
      out.folders.push(r.count);
      ahead ||= r.ahead;
    }
    if (ahead) out.rerun.push('export-contacts');
  }
  return out;
}
