// What a real mailbox holds beyond the folders export-mail copies, and what becomes of it. The online
// (In-Place) archive mailbox is out of reach of Graph's mail APIs and of the Exchange admin API's
// cmdlets, so when it exists (or cannot be checked) the mailbox is kept: the record says so for the
// close step, and the certificate and the clerk's page say what stays where. Recoverable Items /
// Deletions is copied as a folder (mail-folders.ts); its Versions and Purges folders hold items only
// under a hold or retention policy, which Exchange keeps even after the licence goes.
import { readArchiveMailbox } from '../graph/readers/mail';
import type { NotCopied, StepContext, StepName } from './types';

export async function findUncopiable(ctx: StepContext): Promise<NotCopied[]> {
  const target = ctx.record.target!;
  const out: NotCopied[] = [];
  const archive = await readArchiveMailbox(ctx.graph, target.userPrincipalName);
  if (!archive.connected) {
    out.push({
      what: 'any online archive mailbox (In-Place Archive)',
      where: 'in the councillor\'s mailbox, which is kept: its licence is not removed',
      why: `CouncilGuard could not check whether one exists: ${archive.reason}. Grant Exchange.ManageAsApp and the Exchange role to check, then the IT supplier can export any archive with a Microsoft Purview eDiscovery export`,
      keepsMailbox: true,
    });
  } else if (archive.value.active) {
    out.push({
      what: 'the online archive mailbox (In-Place Archive)',
      where: `in the councillor's mailbox (archive ${archive.value.archiveGuid ?? archive.value.archiveStatus ?? 'active'}), which is kept: its licence is not removed`,
      why: 'Microsoft Graph and the Exchange admin API cannot read an archive mailbox; the IT supplier can export it with a Microsoft Purview eDiscovery export, then release the mailbox',
      keepsMailbox: true,
    });
  }
  out.push({
    what: 'Recoverable Items "Versions" and "Purges" (earlier versions and permanently deleted items, kept only under a hold or retention policy)',
    where: 'in the mailbox for as long as the hold or retention policy lasts (Exchange keeps a mailbox under hold as an inactive mailbox after the licence is removed)',
    why: 'no Microsoft Graph or Exchange admin API reads them; Recoverable Items "Deletions" was copied',
    keepsMailbox: false,
  });
  return out;
}

/** Records what was not copied on the surrender record; a mailbox-keeping item sets keepMailbox for close. */
export async function recordUncopiable(ctx: StepContext, items: NotCopied[]): Promise<void> {
  const { record } = ctx;
  // Entries listed by later steps (calendar attachments, OneDrive shortcuts) stay when export-mail runs again.
  record.notCopied = [...(record.notCopied ?? []).filter((x) => x.source && x.source !== 'export-mail'), ...items.map((i) => ({ ...i, source: 'export-mail' as const }))];
  const keeping = record.notCopied.filter((i) => i.keepsMailbox);
  record.keepMailbox = keeping.length ? { reason: `Not copied, so the mailbox is kept: ${keeping.map((i) => i.what).join('; ')}.` } : undefined;
  await ctx.saveRecord();
  for (const i of items) {
    await ctx.audit({ action: 'surrender.not-copied', target: `mailbox ${record.target!.userPrincipalName}`, result: i.keepsMailbox ? 'kept' : 'listed', detail: `${i.what}: ${i.why}. It remains ${i.where}.` });
  }
}

/**
 * A step's own not-copied entries on the record, replacing what that step listed before (a rerun lists
 * them again), for the certificate and the clerk's page; each new entry goes to the action log.
 */
export async function recordNotCopied(ctx: StepContext, source: StepName, items: NotCopied[]): Promise<void> {
  const { record } = ctx;
  record.notCopied = [...(record.notCopied ?? []).filter((x) => x.source !== source), ...items.map((i) => ({ ...i, source }))];
  await ctx.saveRecord();
  for (const i of items) {
    await ctx.audit({ action: 'surrender.not-copied', target: `mailbox ${record.target!.userPrincipalName}`, result: 'listed', detail: `${i.what}: ${i.why}. It remains ${i.where}.` });
  }
}
