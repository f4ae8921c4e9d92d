// summary.md for email and chat: counts and changes; people named only when the council allows it.
import type { FindingsDocument } from '../checks/types';
import { ukDateTime } from './uk-time';

function md(text: string): string {
  return text.replace(/([\\`*_{}[\]()#+\-.!|<>])/g, '\\$1');
}

export function renderSummaryMarkdown(doc: FindingsDocument, opts: { namesAllowed: boolean; reportLink?: string }): string {
  const count = (sev: string) => doc.findings.filter((f) => f.severity === sev).length;
  const worst = doc.findings.filter((f) => f.severity === 'high').slice(0, 5);
  const who = (f: FindingsDocument['findings'][number]) => (opts.namesAllowed ? md(f.subject.name) : f.subject.type === 'tenant' ? 'the tenant' : f.subject.type === 'file' ? 'a council file' : f.subject.type === 'device' ? 'a device' : 'a councillor or member of staff');
  const lines = [
    `# ${md(doc.council)}: IT policy audit`,
    '',
    `${md(ukDateTime(doc.generatedAt))}`,
    '',
    `- **${count('high')}** high, **${count('medium')}** medium, **${count('low')}** low`,
    `- **${doc.findings.filter((f) => f.state === 'new').length}** new since last night, **${doc.resolved.length}** resolved`,
    ...doc.checks.filter((c) => c.status === 'skipped' || c.status === 'error').map((c) => `- ${md(c.title)}: ${c.status === 'error' ? 'could not run' : `skipped (${md(c.skipReason?.detail ?? '')})`}`),
  ];
  if (!doc.findings.length) lines.push('', 'No findings: the tenant meets every check that ran.');
  if (worst.length) lines.push('', '## Most urgent', '', ...worst.map((f) => `- ${who(f)}: ${md(opts.namesAllowed ? f.summary : doc.checks.find((c) => c.id === f.checkId)?.title ?? f.checkId)}`));
  if (opts.reportLink) lines.push('', `Full report: ${opts.reportLink}`);
  return `${lines.join('\n')}\n`;
}
