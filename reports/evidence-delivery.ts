// Delivering the year's evidence pack like the nightly reports (reports/delivery.ts): the three files into
// the reports library under Evidence/<year>/, and evidence.html emailed to the clerk (and the report
// recipients) from the service mailbox. Each channel is reported on its own; the pack is built either way.
import { GraphRequestError } from '../graph/errors';
import type { GraphContext } from '../graph';
import { findSiteLibrary } from '../graph/readers/files';
import type { CouncilConfig } from '../policy/council-config';
import { uploadFile, type DeliveryConfig, type DeliveryResult } from './delivery';

export type { DeliveryResult };

const ATTACHMENT_LIMIT = 3 * 1024 * 1024;

function why(err: unknown): string {
  if (err instanceof GraphRequestError && err.status === 403) return `Graph refused (${err.code})${err.permission ? `: grant the application permission ${err.permission}` : ''}`;
  return err instanceof Error ? err.message : String(err);
}

export async function deliverEvidence(opts: { graph: GraphContext; council: CouncilConfig; files: Record<string, string>; year: string }): Promise<DeliveryResult[]> {
  const { graph, council, files, year } = opts;
  const delivery = (council.delivery ?? {}) as DeliveryConfig;
  const results: DeliveryResult[] = [];
  if (delivery.sharePoint) {
    const library = council.sharePoint.reportsLibrary ?? 'IT governance reports';
    try {
      const lib = await findSiteLibrary(graph, council.sharePoint, library);
      if (!lib) throw new Error(`the library "${library}" does not exist on the council site; create it or set sharePoint.reportsLibrary`);
      for (const name of ['evidence.html', 'evidence.csv', 'evidence.json', 'evidence.sha256']) {
        await uploadFile(graph, lib.driveId, `Evidence/${year}/${name}`, Buffer.from(files[name] ?? '', 'utf8'));
      }
      results.push({ channel: 'sharePoint', status: 'done', detail: `uploaded to ${library}/Evidence/${year}/` });
    } catch (err) {
      results.push({ channel: 'sharePoint', status: 'failed', detail: `SharePoint upload to "${library}" failed: ${why(err)}` });
    }
  }
  if (delivery.email) {
    const to = [...new Set([council.clerk, ...delivery.email.to].map((a) => a.toLowerCase()))];
    const html = Buffer.from(files['evidence.html'] ?? '', 'utf8');
    // "Attach large files to Outlook messages": a file under 3 MB goes in the message itself; a larger
    // pack (years of many councillors) stays in the library and the message says where.
    const attach = html.length < ATTACHMENT_LIMIT;
    try {
      await graph.send('POST', `/users/${encodeURIComponent(delivery.email.from)}/sendMail`, {
        message: {
          subject: `${council.name}: evidence for AGAR Assertion 10, ${year}`,
          body: { contentType: 'Text', content: `The year's evidence for Assertion 10 (digital and data compliance), ${year}, built from CouncilGuard's nightly audits, ${attach ? 'is attached' : `is too large to attach: it is in the reports library under Evidence/${year}/`} for the internal auditor.` },
          toRecipients: to.map((address) => ({ emailAddress: { address } })),
          ...(attach ? { attachments: [{ '@odata.type': '#microsoft.graph.fileAttachment', name: `evidence-${year}.html`, contentType: 'text/html', contentBytes: html.toString('base64') }] } : {}),
        },
        saveToSentItems: true,
      });
      results.push({ channel: 'email', status: 'done', detail: `sent from ${delivery.email.from} to ${to.length} recipient(s)` });
    } catch (err) {
      results.push({ channel: 'email', status: 'failed', detail: `emailing the evidence from ${delivery.email.from} failed: ${why(err)}` });
    }
  }
  return results;
}
