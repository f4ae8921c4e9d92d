// councilguard report --from DIR [--out DIR]        re-render report.html, findings.csv, summary.md
// councilguard report --index --from DIR... --out DIR  the supplier index over several runs
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseFindingsJson, renderFindingsJson } from '../../reports/findings-json';
import { renderFindingsCsv } from '../../reports/csv';
import { renderReportHtml } from '../../reports/html';
import { renderSummaryMarkdown } from '../../reports/summary';
import { renderSupplierIndex } from '../../reports/index-html';
import { loadProfile } from '../../policy/load';
import type { Logger } from '../../core/logger';
import { consoleLogger } from '../../core/logger';
import { UsageError } from '../../core/errors';
import { writeFileAtomically } from '../write-output';

export interface ReportOptions {
  from: string[];
  out?: string;
  index?: boolean;
  names?: boolean;
}

function readRun(dir: string) {
  const file = join(dir, 'findings.json');
  if (!existsSync(file)) throw new UsageError(`${dir} has no findings.json; give --from the folder an audit wrote (councilguard audit --out DIR).`);
  return parseFindingsJson(readFileSync(file, 'utf8'), file);
}

export async function reportCommand(opts: ReportOptions, log: Logger = consoleLogger): Promise<number> {
  if (!opts.from.length) throw new UsageError('give at least one --from folder');
  if (opts.index) {
    if (!opts.out) throw new UsageError('--index needs --out, the folder to write index.html in');
    const out = resolve(opts.out);
    const rows = opts.from.map((dir) => {
      const doc = readRun(dir);
      const count = (s: string) => doc.findings.filter((f) => f.severity === s).length;
      return {
        council: doc.council, tenantId: doc.tenantId, generatedAt: doc.generatedAt, high: count('high'), medium: count('medium'), low: count('low'),
        new: doc.findings.filter((f) => f.state === 'new').length, resolved: doc.resolved.length, trend: [count('high')],
        reportHref: relative(out, join(resolve(dir), 'report.html')).split('\\').join('/'),
      };
    });
    writeFileAtomically(join(out, 'index.html'), renderSupplierIndex(rows));
    log.info(`Supplier index: ${join(out, 'index.html')}`);
    return 0;
  }
  if (opts.from.length > 1) throw new UsageError('re-rendering takes one --from folder; use --index to combine several');
  const doc = readRun(opts.from[0]);
  const profile = loadProfile(doc.policy.id);
  const out = opts.out ?? opts.from[0];
  const files: Record<string, string> = {
    'report.html': renderReportHtml(doc, { profile, history: [] }),
    'findings.csv': renderFindingsCsv(doc, { profile }),
    'summary.md': renderSummaryMarkdown(doc, { namesAllowed: !!opts.names }),
  };
  if (resolve(out) !== resolve(opts.from[0])) files['findings.json'] = renderFindingsJson(doc);
  for (const [name, content] of Object.entries(files)) writeFileAtomically(join(out, name), content);
  log.info(`Report: ${join(out, 'report.html')}`);
  return 0;
}
