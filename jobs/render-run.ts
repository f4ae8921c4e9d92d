// The four files every audit run writes (docs/ARCHITECTURE.md, "Contracts").
import type { FindingsDocument } from '../core/findings';
import type { CouncilConfig } from '../policy/council-config';
import type { PolicyProfile } from '../policy/profile';
import { assertValidFindings, findingsJsonChunks } from '../reports/findings-json';
import { TextPieces } from '../core/text-pieces';
import { findingsCsvLines } from '../reports/csv';
import { renderReportHtml, type PlanAwaitingLink, type ReportContext } from '../reports/html';
import { renderSummaryMarkdown } from '../reports/summary';

export interface RunFiles {
  /** In pieces: at 15,000 users it runs to tens of MB, so it is uploaded and written without being held whole. */
  'findings.json': TextPieces;
  /** In pieces, a finding a line, for the same reason. */
  'findings.csv': TextPieces;
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
  // Validated against schemas/findings.schema.json before anything is written.
  assertValidFindings(document);
  return {
    'findings.json': new TextPieces(() => findingsJsonChunks(document)),
    'findings.csv': new TextPieces(() => csvWithBom(document, { profile: ctx.profile, clauseOverrides })),
    'report.html': renderReportHtml(document, { profile: ctx.profile, clauseOverrides, history: ctx.history, actions: ctx.actions, planAwaiting: ctx.planAwaiting }),
    'summary.md': renderSummaryMarkdown(document, { namesAllowed: ctx.council.namesInSummary === true, planAwaiting: ctx.planAwaiting }),
  };
}

/** findings.csv as renderFindingsCsv writes it (a byte-order mark, then a line per finding), in pieces. */
function* csvWithBom(...args: Parameters<typeof findingsCsvLines>): Generator<string> {
  yield '\uFEFF';
  yield* findingsCsvLines(...args);
}
