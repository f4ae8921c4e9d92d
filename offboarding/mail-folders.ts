// The councillor's mail folders, every level: top level with hidden folders, then childFolders
// recursively. Search folders are views over other folders, so they are left out (their messages are
// exported from where they live). Each folder gets its archive path, made of SharePoint-safe names that
// stay unique among siblings.
import { MAX_FOLDER_SEGMENT, uniqueSegments } from './names';
import type { StepContext } from './types';

export interface MailFolderEntry {
  id: string;
  displayName: string;
  /** "Inbox / Planning / 2024", as the councillor saw it. */
  sourcePath: string;
  /** "Mail/Inbox/Planning/2024", below the archive folder. */
  archivePath: string;
  parentId: string | null;
  totalItemCount: number;
}

interface RawFolder {
  id: string;
  displayName: string;
  parentFolderId?: string;
  childFolderCount?: number;
  totalItemCount?: number;
  '@odata.type'?: string;
}

const SELECT = ['id', 'displayName', 'parentFolderId', 'childFolderCount', 'totalItemCount'];

async function list(ctx: StepContext, path: string): Promise<RawFolder[]> {
  return ctx.mailbox(() => ctx.graph.pageAll<RawFolder>(path, SELECT, { top: 250 }));
}

export async function walkMailFolders(ctx: StepContext, userId: string): Promise<MailFolderEntry[]> {
  const out: MailFolderEntry[] = [];
  const visit = async (folders: RawFolder[], parent: MailFolderEntry | null): Promise<void> => {
    const real = folders.filter((f) => f['@odata.type'] !== '#microsoft.graph.mailSearchFolder');
    // Names are decided in a stable order (by id), so a restart before the inventory is saved makes the same ones.
    const ordered = [...real].sort((a, b) => a.id.localeCompare(b.id));
    const names = uniqueSegments(ordered.map((f) => f.displayName), 'Unnamed folder', MAX_FOLDER_SEGMENT);
    const nameOf = new Map(ordered.map((f, i) => [f.id, names[i]]));
    for (const f of real) {
      const entry: MailFolderEntry = {
        id: f.id,
        displayName: f.displayName,
        sourcePath: parent ? `${parent.sourcePath} / ${f.displayName}` : f.displayName,
        archivePath: `${parent ? parent.archivePath : 'Mail'}/${nameOf.get(f.id)}`,
        parentId: parent?.id ?? null,
        totalItemCount: f.totalItemCount ?? 0,
      };
      out.push(entry);
      if ((f.childFolderCount ?? 1) > 0) {
        await visit(await list(ctx, `/users/${userId}/mailFolders/${f.id}/childFolders?includeHiddenFolders=true`), entry);
      }
    }
  };
  await visit(await list(ctx, `/users/${userId}/mailFolders?includeHiddenFolders=true`), null);
  return out;
}

/**
 * Recoverable Items / Deletions (what was deleted from Deleted Items, or shift-deleted): outside the
 * folder tree, so no listing shows it, but Graph reaches it by its well-known name ("mailFolder resource
 * type"). It is exported like any folder, into an archive folder no listed folder can take.
 */
export async function recoverableDeletionsFolder(ctx: StepContext, userId: string, taken: MailFolderEntry[]): Promise<MailFolderEntry | undefined> {
  let raw: RawFolder;
  try {
    raw = await ctx.mailbox(() => ctx.graph.get<RawFolder>(`/users/${userId}/mailFolders/recoverableitemsdeletions`, SELECT));
  } catch (err) {
    if ((err as { status?: number }).status === 404) return undefined;
    throw err;
  }
  const used = new Set(taken.filter((f) => f.parentId === null).map((f) => f.archivePath.toLowerCase()));
  let archivePath = 'Mail/Recoverable Items (deleted)';
  for (let i = 2; used.has(archivePath.toLowerCase()); i++) archivePath = `Mail/Recoverable Items (deleted) (${i})`;
  return { id: raw.id, displayName: raw.displayName, sourcePath: 'Recoverable Items / Deletions', archivePath, parentId: null, totalItemCount: raw.totalItemCount ?? 0 };
}

