// The reports use case: the latest stored report of a council (GET /api/reports/latest), and for the
// command line re-rendering a run from its findings.json and the supplier index over several runs
// (`councilguard report`).
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { UsageError } from '../core/errors';
import type { FindingsDocument } from '../core/findings';
import { countBySeverity } from '../core/severity';
import { loadProfile } from '../policy/load';
import { renderFindingsCsv } from '../reports/csv';
import { parseFindingsJson, renderFindingsJson } from '../reports/findings-json';
import { renderReportHtml } from '../reports/html';
import { renderSupplierIndex } from '../reports/index-html';
import { renderSummaryMarkdown } from '../reports/summary';
import type { Councils, CouncilConfig } from './council-context';

export { OUTPUT_FORMATS, renderTable, type Column, type OutputFormat } from '../reports/table';

/**
 * The latest stored report.html of one council, by name or tenant id, among the councils `visible`
 * allows. A council that is not there and one the caller may not see get the same answer, naming none.
 */
export async function latestReport(councils: Councils, selector: string, visible: (c: CouncilConfig) => boolean = () => true): Promise<{ status: 'ok'; html: string } | { status: 'not-found'; message: string }> {
  const match = councils.all().find((c) => c.tenantId.toLowerCase() === selector.toLowerCase() || c.name.toLowerCase() === selector.toLowerCase());
  if (!match || !visible(match)) return { status: 'not-found', message: 'There is no report for that council that you may read; name your own council (its name or tenant id) in ?council=.' };
  const html = await councils.store.readRunFile(match.tenantId, 'latest', 'report.html');
  return html ? { status: 'ok', html: html.toString('utf8') } : { status: 'not-found', message: `${match.name} has not been audited yet.` };
}

/** The findings.json an audit wrote in `dir`; a folder without one, or a damaged one, is refused with the fix. */
export function readRunFolder(dir: string): FindingsDocument {
  const file = join(dir, 'findings.json');
  if (!existsSync(file)) throw new UsageError(`${dir} has no findings.json; give --from the folder an audit wrote (councilguard audit --out DIR).`);
  return parseFindingsJson(readFileSync(file, 'utf8'), file);
}

/** report.html, findings.csv and summary.md again from a run's findings.json (and findings.json when writing elsewhere). */
export function rerenderRun(doc: FindingsDocument, opts: { namesInSummary: boolean; withFindingsJson: boolean }): Record<string, string> {
  const profile = loadProfile(doc.policy.id);
  const files: Record<string, string> = {
    'report.html': renderReportHtml(doc, { profile, history: [] }),
    'findings.csv': renderFindingsCsv(doc, { profile }),
    'summary.md': renderSummaryMarkdown(doc, { namesAllowed: opts.namesInSummary }),
  };
  if (opts.withFindingsJson) files['findings.json'] = renderFindingsJson(doc);
  return files;
}

/** The supplier index (index.html in `out`) over the runs in `dirs`, each row linking to its report. */
export function supplierIndexOver(dirs: string[], out: string): string {
  const rows = dirs.map((dir) => {
    const doc = readRunFolder(dir);
    const c = countBySeverity(doc.findings.map((f) => f.severity));
    return {
      council: doc.council, tenantId: doc.tenantId, generatedAt: doc.generatedAt, high: c.high, medium: c.medium, low: c.low,
      new: doc.findings.filter((f) => f.state === 'new').length, resolved: doc.resolved.length, trend: [c.high],
      reportHref: relative(resolve(out), join(resolve(dir), 'report.html')).split('\\').join('/'),
    };
  });
  return renderSupplierIndex(rows);
}
