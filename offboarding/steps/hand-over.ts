// hand-over: manifest.csv and certificate.html into the archive folder, a copy of the certificate in the
// store (the offboarding page shows it), and an email to the clerk with the link.
import { createReadStream } from 'node:fs';
import { DateTime } from 'luxon';
import { ArchiveWriter } from '../archive';
import { renderCertificate } from '../certificate';
import { CONTAINER, getJson, putJson } from '../manifest';
import { readManifestTotals, writeManifestFile } from '../manifest-file';
import { readVerifySummary } from './verify';
import { auditOnce } from '../audit-once';
import { StepFailure, type Step, type StepContext, type StepOutcome } from '../types';
import { ukDateTime } from '../../core/uk-time';

interface HandOverData {
  manifestSha256: string;
  certificateItemId: string;
  certificateUrl?: string;
  emailed?: boolean;
  emailNote?: string;
  /** Saved before the send: a rerun looks in the sender's Sent Items for this subject before sending again. */
  emailIntent?: { from: string; subject: string; at: string };
}

export const certificateBlobName = (id: string) => `${id}/certificate.html`;

/** When licences may come off: the grace period after verification. */
export function licenceRemovalDue(ctx: Pick<StepContext, 'record'>): string {
  const verifiedAt = ctx.record.steps.verify.finishedAt ?? new Date().toISOString();
  return DateTime.fromISO(verifiedAt, { zone: 'utc' }).plus({ days: ctx.record.request.options.licenceGraceDays }).toISO()!;
}

/** The subject names the surrender's reference, so the sent message can be found again. */
const emailSubject = (record: StepContext['record']) => `Surrender of ${record.target!.displayName}'s account: verified archive ready (ref ${record.id})`;

/** Whether the message of this intent is already in the sender's Sent Items (sent before a crash). */
async function alreadySent(ctx: StepContext, intent: NonNullable<HandOverData['emailIntent']>): Promise<boolean> {
  // Sent after the intent was saved; five minutes' slack for the difference between our clock and Exchange's.
  const since = new Date(Date.parse(intent.at) - 5 * 60_000).toISOString();
  const sent = await ctx.graph.pageAll<{ subject?: string }>(`/users/${encodeURIComponent(intent.from)}/mailFolders/sentitems/messages`, ['id', 'subject'], { filter: `receivedDateTime ge ${since}` });
  return sent.some((m) => m.subject === intent.subject);
}

async function emailClerk(ctx: StepContext, data: HandOverData, save: () => Promise<void>): Promise<void> {
  const { record, council } = ctx;
  const from = record.request.options.notifyFrom ?? council.clerk;
  if (data.emailIntent) {
    const found = await alreadySent(ctx, data.emailIntent).catch(() => false);
    if (found) {
      await auditOnce(ctx, { action: 'surrender.notify-clerk', target: council.clerk, result: 'done', detail: `Emailed the certificate link from ${data.emailIntent.from}.` });
      data.emailed = true;
      await save();
      return;
    }
  }
  data.emailIntent = { from, subject: emailSubject(record), at: ctx.clock().toISOString() };
  await save();
  const target = record.target!;
  const link = data.certificateUrl ?? `${record.archive!.library}/${record.archive!.folderName}/certificate.html`;
  const body = [
    `The council email account and files of ${target.displayName} (${target.userPrincipalName}) have been copied to the archive library "${record.archive!.library}" and the copy has been verified.`,
    '',
    `Certificate: ${link}`,
    `Archive folder: ${record.archive!.webUrl ?? `${record.archive!.library}/${record.archive!.folderName}`}`,
    '',
    `Sign-in is blocked. Licences will be removed on or after ${ukDateTime(licenceRemovalDue(ctx))}. The account itself is kept.`,
    '',
    `Reference ${record.id}. Sent by CouncilGuard.`,
  ].join('\n');
  try {
    await ctx.graph.send('POST', `/users/${encodeURIComponent(from)}/sendMail`, {
      message: {
        subject: data.emailIntent.subject,
        body: { contentType: 'Text', content: body },
        toRecipients: [{ emailAddress: { address: council.clerk } }],
      },
      saveToSentItems: true,
    });
    await auditOnce(ctx, { action: 'surrender.notify-clerk', target: council.clerk, result: 'done', detail: `Emailed the certificate link from ${from}.` });
    data.emailed = true;
    await save();
  } catch (err) {
    data.emailNote = `The clerk was not emailed (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); the certificate is at ${link}.`;
    await ctx.audit({ action: 'surrender.notify-clerk', target: council.clerk, result: 'failed', detail: data.emailNote });
  }
}

/**
 * Writes the certificate again over the one in the archive folder (and its copy in the store), with what
 * close left for the IT supplier; the manifest and its SHA-256 are unchanged.
 */
export async function reissueCertificate(ctx: StepContext): Promise<void> {
  const { record, store } = ctx;
  const data = await getJson<HandOverData>(store, record.id, 'hand-over.json');
  const verify = await readVerifySummary(ctx);
  if (!data || !verify) throw new StepFailure('The certificate cannot be reissued: the hand-over has not been recorded. Run the surrender again.');
  const totals = await readManifestTotals(store, record.id);
  const archive = record.archive!;
  const html = renderCertificate({ record, council: ctx.council, totals, verify, manifestSha256: data.manifestSha256, generatedAt: ctx.clock().toISOString(), licenceRemovalDue: licenceRemovalDue(ctx) });
  const writer = new ArchiveWriter(ctx.graph, archive.driveId, archive.library, ctx.tuning);
  await writer.writeBuffer(archive.folderId, 'certificate.html', Buffer.from(html, 'utf8'));
  await store.putBlob(CONTAINER, certificateBlobName(record.id), html, 'text/html; charset=utf-8');
  await ctx.audit({ action: 'surrender.certificate-reissued', target: `${archive.library}/${archive.folderName}`, result: 'done', detail: `certificate.html rewritten to list ${record.leftForItSupplier?.length ?? 0} item(s) left for the IT supplier.` });
}

async function run(ctx: StepContext): Promise<StepOutcome> {
  const { record, store } = ctx;
  let data = await getJson<HandOverData>(store, record.id, 'hand-over.json');
  if (!data) {
    const verify = await readVerifySummary(ctx);
    if (!verify || record.steps.verify.status !== 'done') throw new StepFailure('The archive has not been verified, so there is nothing to hand over yet; run the surrender again to verify it.');
    // Written to a temporary file first: its size must be known before the upload, and a large manifest
    // goes up in an upload session straight from the file.
    const manifest = await writeManifestFile(store, record.id);
    const manifestSha256 = manifest.sha256;
    const archive = record.archive!;
    const writer = new ArchiveWriter(ctx.graph, archive.driveId, archive.library, ctx.tuning);
    try {
      const copied = await writer.copy(archive.folderId, 'manifest.csv', async () => ({ body: createReadStream(manifest.path), size: manifest.size }));
      if (copied === 'gone') throw new Error('unreachable: a local file cannot be gone');
    } finally {
      await manifest.cleanup();
    }
    const generatedAt = ctx.clock().toISOString();
    const html = renderCertificate({ record, council: ctx.council, totals: manifest.totals, verify, manifestSha256, generatedAt, licenceRemovalDue: licenceRemovalDue(ctx) });
    const cert = await writer.writeBuffer(archive.folderId, 'certificate.html', Buffer.from(html, 'utf8'));
    await store.putBlob(CONTAINER, certificateBlobName(record.id), html, 'text/html; charset=utf-8');
    data = { manifestSha256, certificateItemId: cert.item.id, certificateUrl: cert.item.webUrl };
    await putJson(store, record.id, 'hand-over.json', data);
    await ctx.audit({ action: 'surrender.hand-over', target: `${archive.library}/${archive.folderName}`, result: 'done', detail: `manifest.csv (${manifest.totals.rows} rows, SHA-256 ${manifestSha256}) and certificate.html written.` });
  }
  record.certificate = { itemId: data.certificateItemId, webUrl: data.certificateUrl, manifestSha256: data.manifestSha256 };
  if (!data.emailed && !data.emailNote) {
    const saved = data;
    await emailClerk(ctx, saved, () => putJson(store, record.id, 'hand-over.json', saved));
    await putJson(store, record.id, 'hand-over.json', saved);
  }
  return { status: 'done', message: data.emailNote };
}

export const handOver: Step = {
  name: 'hand-over',
  title: 'Hand over to the clerk',
  async plan(ctx) {
    return { step: 'hand-over', title: this.title, summary: `Write manifest.csv and certificate.html into the archive folder and email the clerk (${ctx.council.clerk}) a link.` };
  },
  run,
};
