// summary.md for email and chat: counts, what changed, the worst items. People are named only when the
// council allows it (config namesInSummary); otherwise findings are counted per check, because an email
// travels further than the report and a finding's summary often names the person.
import type { Finding, FindingsDocument } from '../core/findings';
import { safeHttpsUrl } from './escape';
import type { PlanAwaitingLink } from './html';
import { ukDateTime } from '../core/uk-time';
import { plural, SEVERITY_WORDS, skipReasonInWords } from './words';
import { SEVERITIES, SEVERITY_RANK } from '../core/severity';

const WORST_ITEMS = 5;

/**
 * Text from data made inert in Markdown: one line (so it cannot start a heading or list), and every
 * character that means something mid-line backslash-escaped. Line-start markers (- + = 1.) need no escape
 * because data never starts a line; fewer escapes keep the summary readable as plain-text email.
 */
export function mdText(value: unknown): string {
  return String(value ?? '')
    // eslint-disable-next-line no-control-regex -- line breaks and controls become spaces on purpose
    .replace(/[\u0000-\u001F\u007F\u2028\u2029]+/g, ' ')
    .replace(/[\\`*_[\]<>!&~|#]/g, '\\$&')
    // As in report.html: bidi overrides would disguise a name ("invoice\u202Efdp.exe"), so show the code point.
    .replace(/[\u202A-\u202E\u2066-\u2069]/g, (c) => `U+${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function byWorst(a: Finding, b: Finding): number {
  return SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || (a.state === b.state ? 0 : a.state === 'new' ? -1 : 1) || a.subject.name.localeCompare(b.subject.name);
}

const PEOPLE = new Set(['user', 'mailbox']);

/** "2 people", "3 files", "the tenant's settings": who or what a group of findings concerns, without names. */
function affected(findings: Finding[]): string {
  const kinds = new Map<string, Set<string>>();
  for (const f of findings) {
    const kind = PEOPLE.has(f.subject.type) ? 'person' : f.subject.type;
    kinds.set(kind, (kinds.get(kind) ?? new Set()).add(`${f.subject.type}:${f.subject.id}`));
  }
  const words: Record<string, [string, string]> = { person: ['person', 'people'], file: ['file', 'files'], site: ['site', 'sites'], device: ['device', 'devices'] };
  return [...kinds].map(([kind, ids]) => (kind === 'tenant' ? "the tenant's settings" : plural(ids.size, ...(words[kind] ?? [kind, `${kind}s`])))).join(', ');
}

/**
 * A piece of summary text: plain words, words in bold, or a link. The summary is built once as blocks of
 * these (summaryBlocks) and rendered twice: summary.md (Markdown, also the email's plain-text part) and the
 * email's HTML part (reports/summary-email.ts), so the two always say the same thing.
 */
export interface SummaryOptions {
  namesAllowed: boolean;
  reportLink?: string;
  /** Tonight's enforcement plan awaiting approval, linked so the supplier can open it. */
  planAwaiting?: PlanAwaitingLink;
}

export type SummarySegment = string | { strong: string } | { link: string };
export type SummaryBlock =
  | { kind: 'title' | 'heading' | 'paragraph'; text: SummarySegment[] }
  | { kind: 'list'; items: SummarySegment[][] };

export function summaryBlocks(doc: FindingsDocument, opts: SummaryOptions): SummaryBlock[] {
  const count = Object.fromEntries(SEVERITIES.map((s) => [s, doc.findings.filter((f) => f.severity === s).length]));
  const fresh = doc.findings.filter((f) => f.state === 'new').length;
  const titleOf = new Map(doc.checks.map((c) => [c.id as string, c.title]));
  const checkTitle = (id: string) => titleOf.get(id) ?? id;
  const strong = (v: unknown) => ({ strong: String(v) });
  const list = (items: SummarySegment[][]): SummaryBlock => ({ kind: 'list', items });

  const blocks: SummaryBlock[] = [
    { kind: 'title', text: [`${doc.council}: IT policy audit`] },
    { kind: 'paragraph', text: [`${ukDateTime(doc.generatedAt)}, policy ${doc.policy.id} ${doc.policy.version}`] },
    ...(doc.notice ? [{ kind: 'paragraph' as const, text: [strong('Not audited:'), ` ${doc.notice}`] }] : []),
    list([
      [strong(count.high), ' high, ', strong(count.medium), ' medium, ', strong(count.low), ' low', count.info ? `, ${count.info} for information` : ''],
      [strong(fresh), ' new since last night, ', strong(doc.resolved.length), ' resolved'],
    ]),
  ];

  const ran = doc.checks.some((c) => c.status !== 'skipped' && c.status !== 'error');
  if (!doc.findings.length) blocks.push({ kind: 'paragraph', text: [ran ? 'No findings: the tenant meets every check that ran.' : 'No check ran tonight, so nothing was confirmed; see below for why.'] });

  const worst = [...doc.findings].sort(byWorst);
  if (worst.length) {
    blocks.push({ kind: 'heading', text: ['Most urgent'] });
    const items: SummarySegment[][] = [];
    if (opts.namesAllowed) {
      for (const f of worst.slice(0, WORST_ITEMS)) {
        const who = f.subject.userPrincipalName && f.subject.userPrincipalName !== f.subject.name ? `${f.subject.name} (${f.subject.userPrincipalName})` : f.subject.name;
        items.push([strong(SEVERITY_WORDS[f.severity]), `${f.state === 'new' ? ', new' : ''}: ${who}: ${f.summary}`]);
      }
      if (worst.length > WORST_ITEMS) items.push([`… and ${worst.length - WORST_ITEMS} more in the full report`]);
      blocks.push(list(items));
    } else {
      // Grouped by check and severity, worst first: counts instead of names.
      const groups = new Map<string, Finding[]>();
      for (const f of worst) {
        const key = `${f.severity}\n${f.checkId}`;
        const group = groups.get(key);
        if (group) group.push(f); else groups.set(key, [f]);
      }
      const shown = [...groups.values()].slice(0, WORST_ITEMS);
      for (const g of shown) {
        const newCount = g.filter((f) => f.state === 'new').length;
        items.push([strong(SEVERITY_WORDS[g[0].severity]), `: ${checkTitle(g[0].checkId)}: ${plural(g.length, 'finding')}${newCount ? ` (${newCount} new)` : ''}, concerning ${affected(g)}`]);
      }
      if (groups.size > shown.length) items.push([`… and ${plural(worst.length - shown.reduce((s, g) => s + g.length, 0), 'more finding')} in the full report`]);
      blocks.push(list(items), { kind: 'paragraph', text: ['Names are left out of this summary; the full report has them.'] });
    }
  }

  if (doc.resolved.length) {
    blocks.push({ kind: 'heading', text: ['Resolved since last night'] });
    if (opts.namesAllowed) {
      const items: SummarySegment[][] = doc.resolved.slice(0, WORST_ITEMS).map((r) => [`${r.subject.name}: ${checkTitle(r.checkId)}`]);
      if (doc.resolved.length > WORST_ITEMS) items.push([`… and ${doc.resolved.length - WORST_ITEMS} more`]);
      blocks.push(list(items));
    } else {
      const perCheck = new Map<string, number>();
      for (const r of doc.resolved) perCheck.set(r.checkId, (perCheck.get(r.checkId) ?? 0) + 1);
      blocks.push(list([...perCheck].map(([id, n]) => [`${checkTitle(id)}: ${n}`])));
    }
  }

  const notRun = doc.checks.filter((c) => c.status === 'skipped' || c.status === 'error');
  if (notRun.length) {
    blocks.push({ kind: 'heading', text: ['Not checked tonight'] });
    blocks.push(list(notRun.map((c) => {
      const why = c.status === 'error' ? 'could not run; see the full report' : c.skipReason ? skipReasonInWords(c.skipReason) : 'skipped';
      return [`${c.title}: ${why}`];
    })));
  }

  if (opts.planAwaiting) {
    const p = opts.planAwaiting;
    const href = safeHttpsUrl(p.url);
    blocks.push({ kind: 'paragraph', text: [strong('Awaiting approval:'), ` enforcement plan ${p.id} (${plural(p.actions, 'action')}, valid until ${ukDateTime(p.validUntil)}): `, ...(href ? [{ link: href }] : [`open ${p.path} on the CouncilGuard function app`]), '. Nothing changes until it is approved.'] });
  }
  if (opts.reportLink) {
    const href = safeHttpsUrl(opts.reportLink);
    blocks.push({ kind: 'paragraph', text: href ? ['Full report: ', { link: href }] : [`Full report: ${opts.reportLink}`] });
  }
  return blocks;
}

function mdSegment(s: SummarySegment): string {
  if (typeof s === 'string') return mdText(s);
  if ('strong' in s) return `**${mdText(s.strong)}**`;
  return `<${s.link}>`;
}

export function renderSummaryMarkdown(doc: FindingsDocument, opts: SummaryOptions): string {
  const out: string[] = [];
  for (const b of summaryBlocks(doc, opts)) {
    if (out.length) out.push('');
    if (b.kind === 'list') out.push(...b.items.map((item) => `- ${item.map(mdSegment).join('')}`));
    else out.push(`${b.kind === 'title' ? '# ' : b.kind === 'heading' ? '## ' : ''}${b.text.map(mdSegment).join('')}`);
  }
  return `${out.join('\n')}\n`;
}
