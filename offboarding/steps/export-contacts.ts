// export-contacts: the councillor's contacts as one vCard file (for Outlook and phones) and a CSV (for
// Excel), in <archive>/Contacts/. The policy (model 8.1.6) says partner contacts belong to the council.
import { ArchiveWriter } from '../archive';
import { ManifestLog } from '../manifest';
import { renderContactsCsv, renderVCards, type Contact } from '../formats/vcard';
import type { Step, StepContext, StepOutcome } from '../types';

const SELECT = ['displayName', 'givenName', 'surname', 'emailAddresses', 'businessPhones', 'homePhones', 'mobilePhone', 'companyName', 'jobTitle', 'businessAddress', 'personalNotes'];

async function readContacts(ctx: StepContext): Promise<Contact[]> {
  return ctx.mailbox(() => ctx.graph.pageAll<Contact>(`/users/${ctx.record.target!.id}/contacts`, SELECT, { top: 500 }));
}

async function run(ctx: StepContext): Promise<StepOutcome> {
  const { record } = ctx;
  const archive = record.archive!;
  const contacts = await readContacts(ctx);
  const writer = new ArchiveWriter(ctx.graph, archive.driveId, archive.library, ctx.tuning);
  const folder = await writer.ensureFolder(archive.folderId, 'Contacts');
  const log = new ManifestLog(ctx.store, record.id, 'export-contacts');
  const files: [string, string][] = [['contacts.vcf', renderVCards(contacts)], ['contacts.csv', renderContactsCsv(contacts)]];
  for (const [name, text] of files) {
    const copy = await writer.writeBuffer(folder.id, name, Buffer.from(text, 'utf8'));
    await log.add({ kind: 'contacts', sourceId: name, sourceFolder: 'Contacts', folder: 'Contacts', name, size: copy.size, sha256: copy.sha256, archiveItemId: copy.item.id, status: 'archived', at: new Date().toISOString() });
  }
  await log.flush();
  await ctx.audit({ action: 'content.read', target: `contacts of ${record.target!.userPrincipalName}`, result: 'done', detail: `Read ${contacts.length} contact(s) and wrote them to ${archive.library}/${archive.folderName}/Contacts as vCard and CSV (surrender ${record.id}).` });
  return { status: 'done', counts: { contacts: contacts.length } };
}

export const exportContacts: Step = {
  name: 'export-contacts',
  title: 'Copy the contacts',
  async plan(ctx) {
    const n = (ctx.planData.contacts as number | undefined) ?? 0;
    return { step: 'export-contacts', title: this.title, summary: `Write ${n} contact(s) as contacts.vcf and contacts.csv into the archive's Contacts folder.`, counts: { contacts: n } };
  },
  run,
};
