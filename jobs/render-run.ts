// The four files every audit run writes (docs/ARCHITECTURE.md, "Contracts").
import type { FindingsDocument } from '../core/findings';
import type { CouncilConfig } from '../policy/council-config';
import type { PolicyProfile } from '../policy/profile';
import { renderFindingsJson } from '../reports/findings-json';
import { renderFindingsCsv } from '../reports/csv';
import { renderReportHtml, type PlanAwaitingLink, type ReportContext } from '../reports/html';
import { renderSummaryMarkdown } from '../reports/summary';

export interface RunFiles {
  'findings.json': string;
  'findings.csv': string;
  'report.html': string;
  'summary.md': string;
}

export interface NightCounts {
  generatedAt: string;
  high: number;
  medium: number;
  low: number;
  info: number;
}

export function renderRunFiles(
  document: FindingsDocument,
  ctx: { profile: PolicyProfile; council: CouncilConfig; history: NightCounts[]; actions?: ReportContext['actions']; planAwaiting?: PlanAwaitingLink },
): RunFiles {
  const clauseOverrides = ctx.council.checks?.clauses;
  return {
    // Validated against schemas/findings.schema.json before anything is written.
    'findings.json': renderFindingsJson(document),
    'findings.csv': renderFindingsCsv(document, { profile: ctx.profile, clauseOverrides }),
    'report.html': renderReportHtml(document, { profile: ctx.profile, clauseOverrides, history: ctx.history, actions: ctx.actions, planAwaiting: ctx.planAwaiting }),
    'summary.md': renderSummaryMarkdown(document, { namesAllowed: ctx.council.namesInSummary === true, planAwaiting: ctx.planAwaiting }),
  };
}
