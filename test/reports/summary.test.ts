import { mdText, renderSummaryMarkdown } from '../../reports/summary';
import { GENERATED_AT, makeDocument, makeFinding } from '../support/findings-factory';

const doc = makeDocument({
  findings: [
    makeFinding(1, { subject: { name: 'Cllr Alice Smith', userPrincipalName: 'alice.smith@exampleparish.gov.uk' }, summary: 'Cllr Alice Smith forwards all mail to alice@gmail.example' }),
    makeFinding(2, { subject: { name: 'Cllr Bob Jones', userPrincipalName: 'bob.jones@exampleparish.gov.uk' }, summary: 'Cllr Bob Jones forwards all mail to bob@gmail.example', state: 'persisting' }),
    makeFinding(3, { checkId: 'files.external-sharing', severity: 'medium', subject: { type: 'file', id: 'f1', name: 'Minutes 2026.docx', userPrincipalName: undefined }, summary: 'Minutes 2026.docx is shared with anyone' }),
    makeFinding(4, { severity: 'low', subject: { name: 'Cllr Carol White', userPrincipalName: 'carol@exampleparish.gov.uk' }, summary: 'Cllr Carol White has a rule' }),
  ],
  resolved: [{ id: 'r', checkId: 'mail.external-forwarding', subject: { type: 'mailbox', id: 'd', name: 'Cllr Dan Green' }, resolvedAt: GENERATED_AT }],
});
const NAMES = ['Alice', 'Bob', 'Carol', 'Dan', 'alice.smith', 'bob.jones', 'carol@', 'Minutes 2026'];

describe('summary.md', () => {
  it('counts by severity, new and resolved', () => {
    const md = renderSummaryMarkdown(doc, { namesAllowed: false });
    expect(md).toContain('# Example Parish Council: IT policy audit');
    expect(md).toContain('Wednesday 25 November 2026, 02:14 GMT');
    expect(md).toContain('- **2** high, **1** medium, **1** low');
    expect(md).toContain('- **3** new since last night, **1** resolved');
  });

  it('without permission to name people, names no one: counts per check instead', () => {
    const md = renderSummaryMarkdown(doc, { namesAllowed: false });
    for (const name of NAMES) expect(md).not.toContain(name);
    expect(md).toContain('- **High**: Council mail forwarded outside the council: 2 findings (1 new), concerning 2 people');
    expect(md).toContain('- **Medium**: Council files shared outside the council: 1 finding (1 new), concerning 1 file');
    expect(md).toContain('Names are left out of this summary; the full report has them.');
    expect(md).toMatch(/## Resolved since last night\n\n- Council mail forwarded outside the council: 1\n/);
  });

  it('with permission, lists the worst items by name, high and new first', () => {
    const md = renderSummaryMarkdown(doc, { namesAllowed: true });
    const items = md.split('## Most urgent\n\n')[1].split('\n\n')[0].split('\n');
    expect(items[0]).toBe('- **High**, new: Cllr Alice Smith (alice.smith@exampleparish.gov.uk): Cllr Alice Smith forwards all mail to alice@gmail.example');
    expect(items[1]).toMatch(/^- \*\*High\*\*: Cllr Bob Jones/);
    expect(items[2]).toMatch(/^- \*\*Medium\*\*, new: Minutes 2026\.docx/);
    expect(md).toContain('- Cllr Dan Green: Council mail forwarded outside the council');
  });

  it('says why checks did not run', () => {
    const md = renderSummaryMarkdown(doc, { namesAllowed: false });
    expect(md).toContain('- MFA required at sign-in: Skipped: the tenant has no Microsoft Entra ID P1 licence, which this check needs.');
  });

  it('escapes Markdown from data, so a name cannot add links, emphasis, headings or HTML', () => {
    const hostile = makeDocument({
      council: 'Evil [click](javascript:alert(1)) *council*',
      findings: [makeFinding(1, { subject: { name: '**Boss**\n# Pay now <img src=x onerror=alert(1)> `code` ![x](https://evil.example/x.png)' }, summary: '_ok_ | ~~gone~~ &amp;' })],
    });
    const md = renderSummaryMarkdown(hostile, { namesAllowed: true });
    expect(md).toContain('# Evil \\[click\\](javascript:alert(1)) \\*council\\*');
    expect(md).toContain('\\*\\*Boss\\*\\* \\# Pay now \\<img src=x onerror=alert(1)\\> \\`code\\` \\!\\[x\\](https://evil.example/x.png)');
    expect(md).toContain('\\_ok\\_ \\| \\~\\~gone\\~\\~ \\&amp;');
    // The newline in the name did not start a heading of its own.
    expect(md.split('\n').filter((l) => l.startsWith('#'))).toEqual(['# Evil \\[click\\](javascript:alert(1)) \\*council\\*: IT policy audit', '## Most urgent', '## Not checked tonight']);
    expect(mdText('plain words, full stops. and hyphen-ated')).toBe('plain words, full stops. and hyphen-ated');
  });

  it('links the report only over https; anything else is plain text', () => {
    expect(renderSummaryMarkdown(doc, { namesAllowed: false, reportLink: 'https://exampleparish.sharepoint.com/sites/council/IT governance reports/report.html' }))
      .toContain('Full report: <https://exampleparish.sharepoint.com/sites/council/IT%20governance%20reports/report.html>');
    const md = renderSummaryMarkdown(doc, { namesAllowed: false, reportLink: 'javascript:alert(1)' });
    expect(md).toContain('Full report: javascript:alert(1)');
    expect(md).not.toContain('<javascript:');
  });

  it('names a plan awaiting approval: a link with the public address of the app, else its id and the path to open', () => {
    const plan = { id: 'P20261125T020000Z-abcdef', actions: 2, validUntil: '2026-11-28T02:00:00.000Z', path: '/api/plans/P20261125T020000Z-abcdef/page' };
    expect(renderSummaryMarkdown(makeDocument(), { namesAllowed: false, planAwaiting: { ...plan, url: `https://cg.example.net${plan.path}` } }))
      .toContain('**Awaiting approval:** enforcement plan P20261125T020000Z-abcdef (2 actions, valid until Saturday 28 November 2026, 02:00 GMT): <https://cg.example.net/api/plans/P20261125T020000Z-abcdef/page>.');
    expect(renderSummaryMarkdown(makeDocument(), { namesAllowed: false, planAwaiting: plan }))
      .toContain('open /api/plans/P20261125T020000Z-abcdef/page on the CouncilGuard function app. Nothing changes until it is approved.');
    expect(renderSummaryMarkdown(makeDocument(), { namesAllowed: false })).not.toContain('Awaiting approval');
  });

  it('no findings: says so', () => {
    const md = renderSummaryMarkdown(makeDocument(), { namesAllowed: false });
    expect(md).toContain('No findings: the tenant meets every check that ran.');
    expect(md).toContain('- **0** high, **0** medium, **0** low');
    expect(md).not.toContain('Most urgent');
    const nothingRan = renderSummaryMarkdown(makeDocument({ checks: makeDocument().checks.filter((c) => c.status === 'skipped') }), { namesAllowed: false });
    expect(nothingRan).toContain('No check ran tonight, so nothing was confirmed');
  });
});
