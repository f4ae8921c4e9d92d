// export-contacts: the councillor's contacts, every folder at any depth, as vCard (for Outlook and
// phones) and CSV (for Excel) in <archive>/Contacts/: the default folder as contacts.vcf/.csv, each other
// folder as "<folder path>.vcf/.csv" beside them. /contacts is the default folder only; the others come
// from /contactFolders and their childFolders. The policy (model 8.1.6) says partner contacts belong to
// the council. Counts are kept per folder for verify and the certificate.
import { ArchiveWriter } from '../archive';
import { ManifestLog } from '../manifest';
import { uniqueSegments } from '../names';
import { renderContactsCsv, renderVCards, type Contact } from '../formats/vcard';
import { loadStepData, saveStepData } from '../state';
import type { Step, StepContext, StepOutcome } from '../types';

const SELECT = ['displayName', 'givenName', 'surname', 'emailAddresses', 'businessPhones', 'homePhones', 'mobilePhone', 'companyName', 'jobTitle', 'businessAddress', 'personalNotes'];

interface ContactFolder { id: string; displayName: string }

/** What each contact folder held when it was copied, for verify to reconcile with Graph. */
export interface ContactsStepData {
  folders: { id: string; path: string; list: string; archivePath: string; contactIds: string[] }[];
}

/** Every contact folder below the default one, depth first, with its path ("Parish / Suppliers"). */
async function walkFolders(ctx: StepContext, userId: string): Promise<{ id: string; path: string }[]> {
  const out: { id: string; path: string }[] = [];
  const visit = async (folders: ContactFolder[], parent: string | null): Promise<void> => {
    for (const f of [...folders].sort((a, b) => a.id.localeCompare(b.id))) {
      const path = parent ? `${parent} / ${f.displayName}` : f.displayName;
      out.push({ id: f.id, path });
      await visit(await ctx.mailbox(() => ctx.graph.pageAll<ContactFolder>(`/users/${userId}/contactFolders/${encodeURIComponent(f.id)}/childFolders`, ['id', 'displayName'], { top: 250 })), path);
    }
  };
  await visit(await ctx.mailbox(() => ctx.graph.pageAll<ContactFolder>(`/users/${userId}/contactFolders`, ['id', 'displayName'], { top: 250 })), null);
  return out;
}

async function run(ctx: StepContext): Promise<StepOutcome> {
  const { record } = ctx;
  const archive = record.archive!;
  const userId = record.target!.id;
  const folders = await walkFolders(ctx, userId);
  // File names: the default folder keeps "contacts"; the others are their paths, unique and SharePoint-safe.
  const names = uniqueSegments(['contacts', ...folders.map((f) => f.path.replace(/ \/ /g, ' - '))], 'contacts');
  const sources = [{ id: '', path: 'Contacts', list: `/users/${userId}/contacts` }, ...folders.map((f) => ({ id: f.id, path: `Contacts / ${f.path}`, list: `/users/${userId}/contactFolders/${encodeURIComponent(f.id)}/contacts` }))];
  const writer = new ArchiveWriter(ctx.graph, archive.driveId, archive.library, ctx.tuning);
  const folder = await writer.ensureFolder(archive.folderId, 'Contacts');
  const log = new ManifestLog(ctx.store, record.id, 'export-contacts');
  const counts: Record<string, number> = { contacts: 0, folders: sources.length };
  const copied: ContactsStepData['folders'] = [];
  for (const [i, source] of sources.entries()) {
    const contacts = await ctx.mailbox(() => ctx.graph.pageAll<Contact>(source.list, SELECT, { top: 500 }));
    for (const [name, text] of [[`${names[i]}.vcf`, renderVCards(contacts)], [`${names[i]}.csv`, renderContactsCsv(contacts)]] as const) {
      const copy = await writer.writeBuffer(folder.id, name, Buffer.from(text, 'utf8'));
      // The default folder's rows keep their earlier ids, so a surrender resumed across versions matches.
      const sourceId = source.id ? `${source.id}:${name.endsWith('.vcf') ? 'vcf' : 'csv'}` : name;
      await log.add({ kind: 'contacts', sourceId, sourceFolder: source.path, folder: 'Contacts', name, size: copy.size, sha256: copy.sha256, archiveItemId: copy.item.id, status: 'archived', at: new Date().toISOString() });
    }
    copied.push({ id: source.id, path: source.path, list: source.list, archivePath: `Contacts/${names[i]}.vcf`, contactIds: contacts.map((c) => c.id!) });
    counts.contacts += contacts.length;
    counts[`contacts in ${source.path}`] = contacts.length;
  }
  await log.flush();
  await loadStepData(ctx.store, record.id, 'export-contacts');
  await saveStepData<ContactsStepData>(ctx.store, record.id, 'export-contacts', { folders: copied });
  await ctx.audit({ action: 'content.read', target: `contacts of ${record.target!.userPrincipalName}`, result: 'done', detail: `Read ${counts.contacts} contact(s) in ${sources.length} folder(s) and wrote them to ${archive.library}/${archive.folderName}/Contacts as vCard and CSV (surrender ${record.id}).` });
  return { status: 'done', counts };
}

export const exportContacts: Step = {
  name: 'export-contacts',
  title: 'Copy the contacts',
  async plan(ctx) {
    const n = (ctx.planData.contacts as number | undefined) ?? 0;
    return { step: 'export-contacts', title: this.title, summary: `Write ${n} contact(s) of the main folder, and those of every other contact folder, as vCard and CSV files into the archive's Contacts folder.`, counts: { contacts: n } };
  },
  run,
};
