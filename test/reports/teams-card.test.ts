import { MAX_CARD_BYTES, renderTeamsCard, teamsCardWithinLimit } from '../../reports/teams-card';
import { makeDocument, makeFinding } from '../support/findings-factory';

const texts = (card: Record<string, unknown>) => ((card.attachments as { content: { body: { type: string; text?: string }[] } }[])[0].content.body).filter((b) => b.type === 'TextBlock').map((b) => b.text!);

describe('the Teams card', () => {
  it('keeps within the webhook\'s 28 KB by listing fewer findings, saying how many more there are', () => {
    const findings = Array.from({ length: 60 }, (_, i) => makeFinding(i + 1, { subject: { name: `Cllr ${'N'.repeat(300)} ${i}` }, summary: 'x'.repeat(3000) }));
    const input = { document: makeDocument({ findings }), namesAllowed: true, plansAwaiting: [] };
    expect(Buffer.byteLength(JSON.stringify(renderTeamsCard(input)))).toBeGreaterThan(MAX_CARD_BYTES);
    const card = teamsCardWithinLimit(input);
    expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThanOrEqual(MAX_CARD_BYTES);
    expect(texts(card).join('\n')).toMatch(/… and \d+ more in the report/);
  });

  it('names can neither format nor link: Markdown in data is escaped, and only an https report link becomes a button', () => {
    const doc = makeDocument({ findings: [makeFinding(1, { subject: { name: '[click me](https://evil.example) **boss**' }, summary: 'forwards _all_ mail' })] });
    const card = renderTeamsCard({ document: doc, namesAllowed: true, plansAwaiting: [{ id: 'P20261125-abc', actions: 2, validUntil: '2026-11-28T02:00:00.000Z' }], reportLink: 'javascript:alert(1)' });
    const all = texts(card).join('\n');
    expect(all).toContain('\\[click me\\](https://evil.example) \\*\\*boss\\*\\*: forwards \\_all\\_ mail');
    expect(all).toContain('- P20261125-abc: 2 changes, valid until Saturday 28 November 2026, 02:00 GMT');
    expect((card.attachments as { content: { actions?: unknown } }[])[0].content.actions).toBeUndefined();
  });

  it('without permission to name people, new high findings are counted per check', () => {
    const doc = makeDocument({ findings: [makeFinding(1, { subject: { name: 'Cllr Alice Smith' } }), makeFinding(2, { subject: { name: 'Cllr Bob Jones' } })] });
    const all = texts(renderTeamsCard({ document: doc, namesAllowed: false, plansAwaiting: [] })).join('\n');
    expect(all).not.toMatch(/Alice|Bob/);
    expect(all).toContain('- Council mail forwarded outside the council: 2 new findings');
  });
});
