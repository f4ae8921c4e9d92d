// Delivery of a run's files, each channel optional per council (config "delivery"):
//   retention   old runs deleted from Blob storage (default 13 months; monitoring must be proportionate)
//   sharePoint  report.html, findings.csv and summary.md into <reportsLibrary>/<yyyy>/<mm>/
//   email       the summary from a service mailbox to the clerk and the IT supplier, report attached
// A channel that fails is reported with the fix; the run itself is already stored and stays so.
import { DateTime } from 'luxon';
import { Readable } from 'node:stream';
import type { GraphContext } from '../graph';
import { uploadToDrive } from '../graph/drive-upload';
import { GraphRequestError } from '../graph/errors';
import { findSiteLibrary } from '../graph/readers/files';
import type { CouncilConfig } from '../policy/council-config';
import type { Store } from '../store';

export interface DeliveryConfig {
  retentionMonths?: number;
  sharePoint?: boolean;
  email?: { from: string; to: string[] };
}

export interface DeliveryResult {
  channel: 'retention' | 'sharePoint' | 'email';
  status: 'done' | 'failed';
  detail: string;
}

/**
 * The largest report.html sent as an inline attachment. "Attach large files to Outlook messages or events":
 * a file attachment in a single request must be under 3 MB; this leaves room for the body and headers.
 * A larger report is linked (its SharePoint copy) instead of attached.
 */
export const MAX_ATTACHED_REPORT_BYTES = 2.5 * 1024 * 1024;

function why(err: unknown): string {
  if (err instanceof GraphRequestError && err.status === 403) return `Graph refused (${err.code})${err.permission ? `: grant the application permission ${err.permission}` : ''}`;
  return err instanceof Error ? err.message : String(err);
}

export async function deliverRun(opts: {
  graph: GraphContext;
  store: Store;
  council: CouncilConfig;
  files: Record<string, string>;
  generatedAt: string;
}): Promise<DeliveryResult[]> {
  const { graph, store, council, files, generatedAt } = opts;
  const delivery = (council.delivery ?? {}) as DeliveryConfig;
  const results: DeliveryResult[] = [];

  const months = delivery.retentionMonths ?? 13;
  try {
    const cutoff = DateTime.fromISO(generatedAt, { zone: 'utc' }).minus({ months }).toISO()!;
    const deleted = await store.deleteRunsOlderThan(council.tenantId, cutoff);
    results.push({ channel: 'retention', status: 'done', detail: `kept ${months} months; deleted ${deleted} older run(s)` });
  } catch (err) {
    results.push({ channel: 'retention', status: 'failed', detail: why(err) });
  }

  let reportUrl: string | undefined;
  if (delivery.sharePoint) {
    const library = council.sharePoint.reportsLibrary ?? 'IT governance reports';
    try {
      const lib = await findSiteLibrary(graph, council.sharePoint, library);
      if (!lib) throw new Error(`the library "${library}" does not exist on the council site; create it or set sharePoint.reportsLibrary`);
      const d = DateTime.fromISO(generatedAt, { zone: 'utc' }).setZone('Europe/London');
      const folder = `${d.toFormat('yyyy')}/${d.toFormat('MM')}`;
      const stamp = d.toFormat('yyyy-MM-dd');
      for (const name of ['report.html', 'findings.csv', 'summary.md']) {
        const item = await uploadFile(graph, lib.driveId, `${folder}/${stamp} ${name}`, Buffer.from(files[name] ?? '', 'utf8'));
        if (name === 'report.html') reportUrl = item.webUrl;
      }
      results.push({ channel: 'sharePoint', status: 'done', detail: `uploaded to ${library}/${folder}/` });
    } catch (err) {
      results.push({ channel: 'sharePoint', status: 'failed', detail: `SharePoint upload to "${library}" failed: ${why(err)}` });
    }
  }

  if (delivery.email) {
    try {
      const report = Buffer.from(files['report.html'] ?? '', 'utf8');
      const attach = report.length <= MAX_ATTACHED_REPORT_BYTES;
      const where = reportUrl
        ? `The full report is in the council's reports library: ${reportUrl}`
        : `The full report is kept with the audit; the IT supplier can open it at /api/reports/latest?council=${encodeURIComponent(council.name)}.`;
      const note = attach ? '' : `\n\nThe full report (${(report.length / 1048576).toFixed(1)} MB) is too large to attach. ${where}\n`;
      await graph.send('POST', `/users/${encodeURIComponent(delivery.email.from)}/sendMail`, {
        message: {
          subject: `${council.name}: IT policy audit, ${DateTime.fromISO(generatedAt).setZone('Europe/London').toFormat('d LLL yyyy')}`,
          body: { contentType: 'Text', content: `${files['summary.md'] ?? ''}${note}` },
          toRecipients: delivery.email.to.map((address) => ({ emailAddress: { address } })),
          attachments: attach ? [{ '@odata.type': '#microsoft.graph.fileAttachment', name: 'report.html', contentType: 'text/html', contentBytes: report.toString('base64') }] : [],
        },
        saveToSentItems: true,
      });
      results.push({ channel: 'email', status: 'done', detail: `sent from ${delivery.email.from} to ${delivery.email.to.length} recipient(s)${attach ? '' : '; the report was linked, not attached (over 2.5 MB)'}` });
    } catch (err) {
      results.push({ channel: 'email', status: 'failed', detail: `emailing the summary from ${delivery.email.from} failed: ${why(err)}` });
    }
  }
  return results;
}

/** Path below the drive root, e.g. '2026/11/2026-11-25 report.html'; an earlier file of that name is replaced. */
export async function uploadFile(graph: GraphContext, driveId: string, path: string, content: Buffer): Promise<{ id: string; webUrl?: string }> {
  const { item } = await uploadToDrive(graph, { driveId, path }, { body: Readable.from([content]), size: content.length }, { conflictBehavior: 'replace' });
  return item;
}
