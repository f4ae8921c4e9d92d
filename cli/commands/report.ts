// councilguard report --from DIR [--out DIR]        re-render report.html, findings.csv, summary.md
// councilguard report --index --from DIR... --out DIR  the supplier index over several runs
import { join, resolve } from 'node:path';
import { UsageError } from '../../core/errors';
import { consoleLogger, type Logger } from '../../core/logger';
import { readRunFolder, rerenderRun, supplierIndexOver } from '../../jobs/reports';
import { writeFileAtomically } from '../../jobs/write-files';

export interface ReportOptions {
  from: string[];
  out?: string;
  index?: boolean;
  names?: boolean;
}

export async function reportCommand(opts: ReportOptions, log: Logger = consoleLogger): Promise<number> {
  if (!opts.from.length) throw new UsageError('give at least one --from folder');
  if (opts.index) {
    if (!opts.out) throw new UsageError('--index needs --out, the folder to write index.html in');
    const html = supplierIndexOver(opts.from, opts.out);
    writeFileAtomically(join(resolve(opts.out), 'index.html'), html);
    log.info(`Supplier index: ${join(resolve(opts.out), 'index.html')}`);
    return 0;
  }
  if (opts.from.length > 1) throw new UsageError('re-rendering takes one --from folder; use --index to combine several');
  const doc = readRunFolder(opts.from[0]);
  const out = opts.out ?? opts.from[0];
  const files = rerenderRun(doc, { namesInSummary: !!opts.names, withFindingsJson: resolve(out) !== resolve(opts.from[0]) });
  for (const [name, content] of Object.entries(files)) writeFileAtomically(join(out, name), content);
  log.info(`Report: ${join(out, 'report.html')}`);
  return 0;
}
