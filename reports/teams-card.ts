// The night's summary as an Adaptive Card for a Teams channel, posted to a Power Automate Workflows
// webhook (trigger "When a Teams webhook request is received"; Office 365 connectors are retired).
//
// The body is the message shape Teams webhooks document ("Create and send messages", msteams-docs
// webhooks-and-connectors/how-to/connectors-using.md, "Send Adaptive Cards using an Incoming Webhook"):
//   { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: <AdaptiveCard> }] }
// which the Workflows template "Send webhook alerts to a channel" posts as is. Teams renders Adaptive Cards
// up to version 1.5 (cards-reference.md) and a webhook message is limited to 28 KB
// (add-incoming-webhook.md), so lists are capped and the card is measured.
import type { Finding, FindingsDocument } from '../core/findings';
import { SEVERITIES, SEVERITY_RANK } from '../core/severity';
import { ukDateTime } from '../core/uk-time';
import { safeHttpsUrl } from './escape';
import { mdText } from './summary';
import { plural, SEVERITY_WORDS } from './words';

/** "the message size limit is 28 KB" (add-incoming-webhook.md). */
export const MAX_CARD_BYTES = 28 * 1024;
const MAX_LISTED = 10;

export interface PlanAwaiting {
  id: string;
  actions: number;
  validUntil: string;
}

export interface TeamsCardInput {
  document: FindingsDocument;
  namesAllowed: boolean;
  plansAwaiting: PlanAwaiting[];
  /** The report's SharePoint copy or an expiring Blob link; only an https URL becomes a button. */
  reportLink?: string;
}

// Card text is Markdown in Teams: every piece of data goes through mdText so a name cannot format or link.
const text = (t: string, extra: Record<string, unknown> = {}) => ({ type: 'TextBlock', text: t, wrap: true, ...extra });

function newHighLines(doc: FindingsDocument, namesAllowed: boolean, limit: number): string[] {
  const fresh = doc.findings.filter((f) => f.severity === 'high' && f.state === 'new');
  if (!fresh.length) return [];
  const titleOf = new Map(doc.checks.map((c) => [c.id as string, c.title]));
  if (namesAllowed) {
    const lines = fresh.slice(0, limit).map((f) => `- ${mdText(f.subject.name)}: ${mdText(f.summary)}`);
    if (fresh.length > limit) lines.push(`- … and ${fresh.length - limit} more in the report`);
    return lines;
  }
  const perCheck = new Map<string, Finding[]>();
  for (const f of fresh) perCheck.set(f.checkId, [...(perCheck.get(f.checkId) ?? []), f]);
  return [...perCheck].map(([id, fs]) => `- ${mdText(titleOf.get(id) ?? id)}: ${plural(fs.length, 'new finding')}`);
}

export function renderTeamsCard(input: TeamsCardInput, limit = MAX_LISTED): Record<string, unknown> {
  const doc = input.document;
  const count = (s: string) => doc.findings.filter((f) => f.severity === s).length;
  const body: Record<string, unknown>[] = [
    text(`${mdText(doc.council)}: IT policy audit`, { weight: 'Bolder', size: 'Medium' }),
    text(mdText(ukDateTime(doc.generatedAt)), { isSubtle: true, spacing: 'None' }),
  ];
  if (doc.notice) body.push(text(`Not audited: ${mdText(doc.notice)}`, { color: 'Attention' }));
  body.push({
    type: 'FactSet',
    facts: [
      ...[...SEVERITIES].sort((a, b) => SEVERITY_RANK[a] - SEVERITY_RANK[b]).filter((s) => s !== 'info' || count(s)).map((s) => ({ title: SEVERITY_WORDS[s], value: String(count(s)) })),
      { title: 'New since last night', value: String(doc.findings.filter((f) => f.state === 'new').length) },
      { title: 'Resolved', value: String(doc.resolved.length) },
    ],
  });
  const high = newHighLines(doc, input.namesAllowed, limit);
  body.push(text('New high findings', { weight: 'Bolder', spacing: 'Medium' }));
  body.push(text(high.length ? high.join('\n') : 'None since last night.'));
  if (high.length && !input.namesAllowed) body.push(text('Names are left out; the report has them.', { isSubtle: true }));
  body.push(text('Plans awaiting approval', { weight: 'Bolder', spacing: 'Medium' }));
  const plans = input.plansAwaiting.slice(0, limit).map((p) => `- ${mdText(p.id)}: ${plural(p.actions, 'change')}, valid until ${mdText(ukDateTime(p.validUntil))}`);
  if (input.plansAwaiting.length > limit) plans.push(`- … and ${input.plansAwaiting.length - limit} more`);
  body.push(text(plans.length ? `${plans.join('\n')}\n\nThe IT supplier approves a plan on its page (from the supplier page, /api/supplier) or with councilguard apply.` : 'None.'));
  const href = input.reportLink ? safeHttpsUrl(input.reportLink) : undefined;
  const card = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body,
    ...(href ? { actions: [{ type: 'Action.OpenUrl', title: 'Open the report', url: href }] } : {}),
  };
  return { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }] };
}

/** The card within the webhook's 28 KB: fewer listed items until it fits (names and summaries can be long). */
export function teamsCardWithinLimit(input: TeamsCardInput): Record<string, unknown> {
  for (let limit = MAX_LISTED; limit >= 0; limit = limit ? Math.floor(limit / 2) : -1) {
    const card = renderTeamsCard(input, limit);
    if (Buffer.byteLength(JSON.stringify(card)) <= MAX_CARD_BYTES) return card;
  }
  // Even with nothing listed (an enormous notice): the counts and the link still go.
  return renderTeamsCard({ ...input, document: { ...input.document, notice: input.document.notice ? `${input.document.notice.slice(0, 2000)}…` : undefined } }, 0);
}

/**
 * The card for a night whose audit could not run at all (sign-in refused, the tenant unreachable, the store
 * down): nobody would otherwise hear of it until the 26-hour alert. The reason is CouncilGuard's own message
 * (it names the fix and never a secret); it is capped so the card stays far inside the 28 KB limit.
 */
export function renderFailedNightCard(input: { council: string; at: string; reason: string }): Record<string, unknown> {
  const reason = input.reason.length > 2000 ? `${input.reason.slice(0, 2000)}…` : input.reason;
  const card = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body: [
      text(`${mdText(input.council)}: the nightly audit could not run`, { weight: 'Bolder', size: 'Medium', color: 'Attention' }),
      text(mdText(ukDateTime(input.at)), { isSubtle: true, spacing: 'None' }),
      text(mdText(reason)),
      text('Nothing was checked for this council tonight. The IT supplier should fix the cause above; the next night runs as usual.', { isSubtle: true }),
    ],
  };
  return { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }] };
}
