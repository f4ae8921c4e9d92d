// Delivery of a run's files, each channel optional per council (config "delivery"):
//   retention   old runs deleted from Blob storage (default 13 months; monitoring must be proportionate)
//   sharePoint  report.html, findings.csv and summary.md into <reportsLibrary>/<yyyy>/<mm>/
//   email       the summary from a service mailbox to the clerk and the IT supplier (MIME: text and HTML),
//               report attached, or linked when too large
// A channel that fails is reported with the fix; the run itself is already stored and stays so.
import { DateTime } from 'luxon';
import { Readable } from 'node:stream';
import type { GraphContext } from '../graph';
import { uploadToDrive } from '../graph/drive-upload';
import { GraphRequestError } from '../graph/errors';
import { findSiteLibrary } from '../graph/readers/files';
import type { CouncilConfig } from '../policy/council-config';
import type { Store } from '../store';
import type { FindingsDocument } from '../core/findings';
import { safeHttpsUrl } from './escape';
import { buildMime, sendMailMimeBody } from './mime';
import { summaryBlocks, type SummaryBlock } from './summary';
import { renderSummaryEmailHtml } from './summary-email';
import type { PlanAwaitingLink } from './html';
import type { FileText } from '../core/text-pieces';

export interface DeliveryConfig {
  retentionMonths?: number;
  sharePoint?: boolean;
  email?: { from: string; to: string[] };
}

export interface DeliveryResult {
  channel: 'retention' | 'sharePoint' | 'email' | 'teams';
  status: 'done' | 'failed';
  detail: string;
  /** sharePoint: the report's address in the library (the Teams card links to it). */
  reportUrl?: string;
}

/**
 * The largest report.html sent as an inline attachment. "Attach large files to Outlook messages or events":
 * a file attachment in a single request must be under 3 MB; this leaves room for the body and headers.
 * A larger report is linked (its SharePoint copy) instead of attached.
 */
export const MAX_ATTACHED_REPORT_BYTES = 2.5 * 1024 * 1024;

/**
 * Graph refuses a request body over 4 MB (413). The docs page "user: sendMail" gives no figure; the 4 MB
 * request ceiling is the one "Attach large files to Outlook messages or events" works within and the one
 * microsoftgraph/microsoft-graph-docs-contrib#758 reports for sendMail. The MIME form is base64 of a
 * message whose attachment is itself base64, so a 2.5 MB report can already be too big: the email is built
 * and measured, and the report linked instead when it does not fit.
 */
export const MAX_SENDMAIL_REQUEST_BYTES = 4 * 1024 * 1024;

/** How long the Blob link to a report stays valid (a user delegation SAS lives at most 7 days). */
export const REPORT_LINK_DAYS = 7;

/**
 * The summary email as sendMail's MIME form: summary.md as the text part, the same summary as HTML, and
 * report.html attached when it is at most 2.5 MB and the request still fits Graph's limit; otherwise the
 * report is linked. `tooLarge` names the fix when even the linked email would not fit.
 */
export function composeSummaryEmail(o: {
  council: CouncilConfig; files: Record<string, string>; document?: FindingsDocument; generatedAt: string;
  planAwaiting?: PlanAwaitingLink;
  from: string; to: string[]; report: Buffer; link?: string;
}): { body: string; attached: boolean; why?: string } | { tooLarge: string } {
  const subject = `${o.council.name}: IT policy audit, ${DateTime.fromISO(o.generatedAt).setZone('Europe/London').toFormat('d LLL yyyy')}`;
  const namesAllowed = o.council.namesInSummary === true;
  const where = o.link
    ? `The full report is here${reportUrlIsTemporary(o.link) ? ` (the link works for ${REPORT_LINK_DAYS} days)` : ''}: ${o.link}`
    : `The full report is kept with the audit; the IT supplier can open it at /api/reports/latest?council=${encodeURIComponent(o.council.name)}.`;
  const build = (attach: boolean, why?: string) => {
    const note = attach ? '' : `The full report (${(o.report.length / 1048576).toFixed(1)} MB) is not attached: ${why}. ${where}`;
    const text = `${o.files['summary.md'] ?? ''}${note ? `\n\n${note}\n` : ''}`;
    const blocks: SummaryBlock[] = o.document
      ? summaryBlocks(o.document, { namesAllowed, planAwaiting: o.planAwaiting })
      : [{ kind: 'paragraph', text: [o.files['summary.md'] ?? ''] }];
    if (note) {
      const href = o.link ? safeHttpsUrl(o.link) : undefined;
      blocks.push({ kind: 'paragraph', text: href ? [note.slice(0, note.length - o.link!.length), { link: href }] : [note] });
    }
    const mime = buildMime({ from: o.from, to: o.to, subject, text, html: renderSummaryEmailHtml(blocks), date: new Date(o.generatedAt),
      attachments: attach ? [{ name: 'report.html', contentType: 'text/html', content: o.report }] : [] });
    return { body: sendMailMimeBody(mime), attached: attach, why };
  };
  if (o.report.length <= MAX_ATTACHED_REPORT_BYTES) {
    const withReport = build(true);
    if (withReport.body.length <= MAX_SENDMAIL_REQUEST_BYTES) return withReport;
    const linked = build(false, 'with it the email would pass Graph\'s 4 MB limit');
    if (linked.body.length <= MAX_SENDMAIL_REQUEST_BYTES) return linked;
  } else {
    const linked = build(false, 'it is over 2.5 MB');
    if (linked.body.length <= MAX_SENDMAIL_REQUEST_BYTES) return linked;
  }
  const size = (build(false, '').body.length / 1048576).toFixed(1);
  return { tooLarge: `the summary email would be ${size} MB even with the report linked, over Graph's 4 MB limit for one sendMail request, so it was not sent; the summary itself is too long (its checks' titles or notices): read summary.md and report.html in the store or the reports library (delivery.sharePoint), and report this to the CouncilGuard maintainers` };
}

function reportUrlIsTemporary(url: string): boolean {
  return /[?&]sig=/.test(url);
}

function why(err: unknown): string {
  if (err instanceof GraphRequestError && err.status === 403) return `Graph refused (${err.code})${err.permission ? `: grant the application permission ${err.permission}` : ''}`;
  return err instanceof Error ? err.message : String(err);
}

export async function deliverRun(opts: {
  graph: GraphContext;
  store: Store;
  council: CouncilConfig;
  /** Text or pieces (core/text-pieces.ts); a file in pieces is made whole only for the channel that sends it. */
  files: Record<string, FileText>;
  generatedAt: string;
  /** The run's document (else read from files['findings.json']): the email's HTML part is rendered from it. */
  document?: FindingsDocument;
  /** The stored run's id, for a Blob link to the report when it is too large to attach and not in SharePoint. */
  runId?: string;
  /** Tonight's plan awaiting approval, which summary.md names; the email's HTML part names it too. */
  planAwaiting?: PlanAwaitingLink;
}): Promise<DeliveryResult[]> {
  const { graph, store, council, files, generatedAt, runId } = opts;
  const document = opts.document ?? (files['findings.json'] ? (JSON.parse(String(files['findings.json'])) as FindingsDocument) : undefined);
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
        const item = await uploadFile(graph, lib.driveId, `${folder}/${stamp} ${name}`, Buffer.from(String(files[name] ?? ''), 'utf8'));
        if (name === 'report.html') reportUrl = item.webUrl;
      }
      results.push({ channel: 'sharePoint', status: 'done', detail: `uploaded to ${library}/${folder}/`, ...(reportUrl ? { reportUrl } : {}) });
    } catch (err) {
      results.push({ channel: 'sharePoint', status: 'failed', detail: `SharePoint upload to "${library}" failed: ${why(err)}` });
    }
  }

  if (delivery.email) {
    const from = delivery.email.from;
    try {
      const report = Buffer.from(String(files['report.html'] ?? ''), 'utf8');
      let link = reportUrl;
      if (!link && runId && report.length > MAX_ATTACHED_REPORT_BYTES) {
        // No SharePoint copy: a read-only link to the stored report that expires (store/blobs.ts readUrl).
        const expires = DateTime.fromISO(generatedAt, { zone: 'utc' }).plus({ days: REPORT_LINK_DAYS }).toJSDate();
        link = await store.runFileUrl(council.tenantId, generatedAt, runId, 'report.html', expires, new Date(generatedAt));
      }
      const email = composeSummaryEmail({ council, files: { 'summary.md': String(files['summary.md'] ?? '') }, document, generatedAt, from, to: delivery.email.to, report, link, planAwaiting: opts.planAwaiting });
      if ('tooLarge' in email) {
        results.push({ channel: 'email', status: 'failed', detail: email.tooLarge });
      } else {
        await graph.send('POST', `/users/${encodeURIComponent(from)}/sendMail`, email.body, 'v1.0', { 'Content-Type': 'text/plain' });
        results.push({ channel: 'email', status: 'done', detail: `sent from ${from} to ${delivery.email.to.length} recipient(s)${email.attached ? '' : `; the report was linked, not attached (${email.why})`}` });
      }
    } catch (err) {
      results.push({ channel: 'email', status: 'failed', detail: `emailing the summary from ${from} failed: ${why(err)}` });
    }
  }
  return results;
}

/**
 * Tells the IT supplier, once, that a delivery channel has started failing: a plain-text email from the
 * council's delivery mailbox to the supplier's accounts (else the summary's recipients). No-op without
 * email delivery. Errors are the caller's to record.
 */
export async function sendDeliveryAlertEmail(graph: GraphContext, council: CouncilConfig, alert: { channel: string; detail: string; since: string }): Promise<boolean> {
  const email = (council.delivery as DeliveryConfig).email;
  if (!email) return false;
  const to = council.itSupplier.accounts.length ? council.itSupplier.accounts : email.to;
  await graph.send('POST', `/users/${encodeURIComponent(email.from)}/sendMail`, {
    message: {
      subject: `${council.name}: CouncilGuard could not deliver the nightly ${alert.channel === 'teams' ? 'Teams card' : alert.channel}`,
      body: { contentType: 'Text', content: `CouncilGuard's nightly audit of ${council.name} ran, but delivering it by ${alert.channel} failed (${DateTime.fromISO(alert.since).setZone('Europe/London').toFormat('d LLL yyyy HH:mm')}):\n\n${alert.detail}\n\nYou are told once; the next failing night is not reported again until a delivery has succeeded.\n` },
      toRecipients: to.map((address) => ({ emailAddress: { address } })),
    },
    saveToSentItems: true,
  });
  return true;
}

/**
 * Tells the IT supplier that a council's nightly audit could not run. Sent from the council's service
 * mailbox, so it reaches them only when Graph itself still answers (a refused sign-in cannot send mail;
 * the Teams card and the 26-hour alert cover that). False when the council has no email delivery.
 */
export async function sendAuditFailedEmail(graph: GraphContext, council: CouncilConfig, failure: { reason: string; at: string }): Promise<boolean> {
  const email = (council.delivery as DeliveryConfig).email;
  if (!email) return false;
  const to = council.itSupplier.accounts.length ? council.itSupplier.accounts : email.to;
  await graph.send('POST', `/users/${encodeURIComponent(email.from)}/sendMail`, {
    message: {
      subject: `${council.name}: CouncilGuard's nightly audit could not run`,
      body: { contentType: 'Text', content: `CouncilGuard's nightly audit of ${council.name} could not run (${DateTime.fromISO(failure.at).setZone('Europe/London').toFormat('d LLL yyyy HH:mm')}):\n\n${failure.reason}\n\nNothing was checked for this council tonight. The next night runs as usual.\n` },
      toRecipients: to.map((address) => ({ emailAddress: { address } })),
    },
    saveToSentItems: true,
  });
  return true;
}

/** Path below the drive root, e.g. '2026/11/2026-11-25 report.html'; an earlier file of that name is replaced. */
export async function uploadFile(graph: GraphContext, driveId: string, path: string, content: Buffer): Promise<{ id: string; webUrl?: string }> {
  const { item } = await uploadToDrive(graph, { driveId, path }, { body: Readable.from([content]), size: content.length }, { conflictBehavior: 'replace' });
  return item;
}
