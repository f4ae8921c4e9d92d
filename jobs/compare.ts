// compare: tonight's finding drafts against the previous run. Stable ids make "the same breach tomorrow"
// the same finding, so the report can say new / persisting / resolved.
import { createHash } from 'node:crypto';
import type { CheckResultSummary, Finding, FindingDraft, FindingsDocument, ResolvedFinding } from '../core/findings';

/** Same tenant + check + kind + subject + key ⇒ same id, night after night. */
export function findingId(tenantId: string, draft: FindingDraft): string {
  const identity = [tenantId.toLowerCase(), draft.checkId, draft.kind, draft.subject.type, draft.subject.id, draft.key].join('\n');
  return createHash('sha256').update(identity).digest('hex').slice(0, 20);
}

export interface Comparison {
  findings: Finding[];
  resolved: ResolvedFinding[];
}

/**
 * A previous finding counts as resolved only when its check ran to completion tonight: a check that was
 * skipped or errored says nothing about whether the breach is still there.
 */
export function compareWithPrevious(
  tenantId: string,
  drafts: FindingDraft[],
  checks: CheckResultSummary[],
  previous: FindingsDocument | undefined,
  now: string,
): Comparison {
  const before = new Map((previous?.findings ?? []).map((f) => [f.id, f]));
  const seen = new Set<string>();
  const findings: Finding[] = [];
  for (const draft of drafts) {
    const id = findingId(tenantId, draft);
    if (seen.has(id)) continue; // a check may reach one breach twice (e.g. two reads); report it once
    seen.add(id);
    const prior = before.get(id);
    const { key: _key, ...rest } = draft;
    findings.push({
      ...rest,
      id,
      state: prior ? 'persisting' : 'new',
      firstSeen: prior?.firstSeen ?? now,
      lastSeen: now,
    });
  }
  const completed = new Set(checks.filter((c) => c.status !== 'skipped' && c.status !== 'error').map((c) => c.id));
  // A part skipped tonight names the finding kind it would have produced (and its variants, such as
  // inbox-rule-disabled for the part inbox-rule): those were not re-checked.
  const skippedParts = checks.flatMap((c) => (c.partialSkips ?? []).map((p) => ({ checkId: c.id, part: p.part })));
  const rechecked = (f: { checkId: string; kind: string }) => !skippedParts.some((s) => s.checkId === f.checkId && (f.kind === s.part || f.kind.startsWith(`${s.part}-`)));
  const resolved: ResolvedFinding[] = [];
  for (const old of previous?.findings ?? []) {
    if (!seen.has(old.id) && completed.has(old.checkId) && rechecked(old)) {
      resolved.push({ id: old.id, checkId: old.checkId, subject: old.subject, resolvedAt: now });
    }
  }
  return { findings, resolved };
}
