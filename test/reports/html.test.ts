import { createHash } from 'node:crypto';
import { renderReportHtml } from '../../reports/html';
import { loadProfile } from '../../policy/load';
import type { Finding } from '../../core/findings';
import { GENERATED_AT, HOSTILE, makeDocument, makeFinding, manyFindings, nights } from '../support/findings-factory';

const profile = loadProfile('model-council');
const render = (doc = makeDocument(), history = nights(29)) => renderReportHtml(doc, { profile, history });

/** Every tag in the page. Escaped data has no '<', so any tag here was written by the renderer. */
const tags = (html: string) => html.match(/<[a-zA-Z][^>]*>/g) ?? [];
const hrefs = (html: string) => [...html.matchAll(/\shref="([^"]*)"/g)].map((m) => m[1]);

function hostileFinding(text: string, i: number): Finding {
  return makeFinding(i, {
    subject: { type: 'file', id: `item-${i}`, name: text, userPrincipalName: `${text}@exampleparish.gov.uk` },
    summary: `Inbox rule "${text}" forwards mail`,
    remediation: `Remove ${text}`,
    evidence: { [text]: text, fileName: text, link: 'javascript:alert(1)', paths: [text, 'JAVASCRIPT:alert(2)', ' javascript:alert(3)'] },
  });
}

describe('report.html is safe to open', () => {
  const doc = makeDocument({
    council: HOSTILE[0],
    checks: makeDocument().checks.map((c, i) => ({ ...c, title: HOSTILE[i % HOSTILE.length] })),
    findings: HOSTILE.map(hostileFinding),
    resolved: [{ id: 'r1', checkId: 'mail.external-forwarding', subject: { type: 'user', id: 'u', name: HOSTILE[1] }, resolvedAt: GENERATED_AT }],
  });
  const html = render(doc);

  it('no script, no event-handler attribute, no javascript: link survives the hostile corpus', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(tags(html).filter((t) => /\son[a-z]+\s*=/i.test(t))).toEqual([]);
    expect(html).not.toMatch(/href\s*=\s*["']?\s*javascript:/i);
    for (const href of hrefs(html)) expect(href).toMatch(/^(https:\/\/|#[A-Za-z0-9_-]+$)/);
    // The style block is ours alone: data cannot close it early.
    expect(html.match(/<\/style>/gi)).toHaveLength(1);
    expect(tags(html).filter((t) => /^<(script|img|iframe|object|embed|link|base|form|meta http-equiv="refresh")/i.test(t))).toEqual([]);
  });

  it('shows hostile text as text, escaped in content and attributes alike', () => {
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&#39; onmouseover=&#39;alert(1)');
    expect(html).toContain('&lt;/style&gt;&lt;b&gt;bold&lt;/b&gt;');
    expect(html).toContain('Cllr Ŝïłvía 🐝 O&#39;Brien-Ñúñez 田中');
    // A right-to-left override cannot disguise a file name.
    expect(html).not.toContain('\u202E');
    expect(html).toContain('invoice[U+202E]fdp.exe');
  });

  it('loads nothing and runs nothing: a strict CSP whose hash matches the one stylesheet, and no inline style attributes', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
    expect(csp).toMatch(/^default-src 'none'; /);
    expect(csp).toContain("img-src data:");
    expect(csp).not.toContain('unsafe-inline');
    const css = /<style>([\s\S]*?)<\/style>/.exec(html)![1];
    expect(csp).toContain(`style-src 'sha256-${createHash('sha256').update(css).digest('base64')}'`);
    expect(tags(html).filter((t) => /\sstyle=/i.test(t))).toEqual([]);
    expect(html).not.toMatch(/\s(src|href)="(https?:)?\/\/(?!exampleparish\.sharepoint\.com)/);
    expect(html).toMatch(/^<!doctype html>\n<html lang="en-GB">/);
  });
});

describe('report.html content', () => {
  it('names the council, tenant, UK date and policy, with the headline counts', () => {
    const doc = makeDocument({
      findings: [makeFinding(1), makeFinding(2, { state: 'persisting', firstSeen: '2026-11-20T02:14:00.000Z' }), makeFinding(3, { severity: 'medium' }), makeFinding(4, { severity: 'low', state: 'persisting' })],
      resolved: [{ id: 'gone', checkId: 'mail.external-forwarding', subject: { type: 'mailbox', id: 'u', name: 'Councillor Gone' }, resolvedAt: GENERATED_AT }],
    });
    const html = renderReportHtml(doc, { profile, history: [], generatedBy: 'CouncilGuard 0.1.0 for Example IT Ltd' });
    expect(html).toContain('<h1>Example Parish Council: IT policy audit</h1>');
    expect(html).toContain('Wednesday 25 November 2026, 02:14 GMT');
    expect(html).toContain('6f1c2b9a-4d3e-4a5b-8c7d-9e0f1a2b3c4d');
    expect(html).toContain('Model council IT policy (NCSC-aligned passwords), version 2025');
    expect(html).toContain('CouncilGuard 0.1.0 for Example IT Ltd');
    expect(html).toContain('<li class="high"><b>2</b> high</li><li class="medium"><b>1</b> medium</li><li class="low"><b>1</b> low</li>');
    expect(html).toContain('<li><b>2</b> new since last night</li><li><b>1</b> resolved since last night</li>');
    // new / persisting / resolved each shown in words
    expect(html).toContain('New tonight');
    expect(html).toContain('Open since 20 Nov 2026');
    expect(html).toMatch(/Resolved since last night<\/h2>[\s\S]*Councillor Gone/);
  });

  it('cites clauses by the policy\'s own number and summary, with the council\'s renumbering', () => {
    const doc = makeDocument({ findings: [makeFinding(1)] });
    expect(render(doc)).toContain('<li><b>Clause 6.1.5</b> — Council email is for council business only;');
    const wivelsfield = renderReportHtml({ ...doc, policy: { id: 'wivelsfield-2023', version: '2023-12-11' } }, { profile: loadProfile('wivelsfield-2023'), history: [] });
    expect(wivelsfield).toContain('<li><b>Clause 15</b> — Do not forward email unless the original sender knows it may be forwarded.</li>');
    const renumbered = renderReportHtml(doc, { profile, history: [], clauseOverrides: { 'mail.forwarding': '7.2' } });
    expect(renumbered).toContain('<b>Clause 7.2</b>');
    expect(renumbered).toContain('<b>Breaks:</b> Clause 7.2');
  });

  it('says in words why a check was skipped, and explains the password rule under the password check', () => {
    const html = render();
    expect(html).toContain('Skipped: the tenant has no Microsoft Entra ID P1 licence, which this check needs.');
    expect(html).toContain('Skipped: CouncilGuard lacks the permission DeviceManagementManagedDevices.Read.All; an administrator can grant it');
    expect(html).toMatch(/Password expiry matches the policy<\/h3>[\s\S]*?Passed: nothing breaks the policy\.[\s\S]*?About passwords:<\/b> This policy follows the NCSC/);
    const errored = render(makeDocument({ checks: [{ id: 'mailbox.access-audit', title: 'Mailbox access', status: 'error', error: 'the audit log query failed', clauses: [] }] }));
    expect(errored).toContain('Could not run: the audit log query failed.');
  });

  it('shows each finding with subject, what, why, how to fix, and evidence as a definition list', () => {
    const html = render(makeDocument({ findings: [makeFinding(7, { evidence: { ruleName: 'To my Gmail', createdDateTime: '2026-07-01T09:30:00Z', forwardTo: ['a@gmail.example'], stopProcessing: true } })] }));
    const f = /<div class="f" id="f-finding-7">[\s\S]*?<\/div>/.exec(html)![0];
    expect(f).toContain('<span class="sev high">High</span>');
    expect(f).toContain('<b>Councillor 7</b> <span class="ty">cllr.7@exampleparish.gov.uk</span>');
    expect(f).toContain("An inbox rule sends Councillor 7's mail".replace("'", '&#39;'));
    expect(f).toContain('<b>Breaks:</b> Clause 6.1.5');
    expect(f).toContain('<b>How to fix:</b> Turn the rule off in Outlook');
    expect(f).toContain('<dl class="ev"><dt>Rule name</dt><dd>To my Gmail</dd><dt>Created date time</dt><dd>Wednesday 1 July 2026, 10:30 BST</dd><dt>Forward to</dt><dd><ul><li>a@gmail.example</li></ul></dd><dt>Stop processing</dt><dd>yes</dd></dl>');
  });

  it('caps long evidence lists at 10 examples and says how many more', () => {
    const html = render(makeDocument({ findings: manyFindings(1) }));
    expect(html.match(/Item \d+ of finding 0\.docx/g)).toHaveLength(10);
    expect(html).toContain('<li>… and 30 more</li>');
  });

  it('charts: findings by check as stacked bars, 30 nights of trend, MFA coverage only when measured, each with a table', () => {
    const doc = makeDocument({ findings: manyFindings(12) });
    const withoutMfa = render(doc, nights(40));
    expect(withoutMfa.match(/<svg /g)).toHaveLength(2);
    expect(withoutMfa).toContain('<h2 id="h-trend">The last 30 nights</h2>');
    expect(withoutMfa).not.toContain('Multi-factor authentication coverage');
    // Each chart describes its figures in words and has a table alternative.
    expect(withoutMfa).toContain('<desc id="c-checks-d">Council mail forwarded outside the council: 2 high, 2 medium, 2 low, 2 info.');
    expect(withoutMfa.match(/<details><summary>/g)).toHaveLength(2);

    const html = render({ ...doc, metrics: { mfa: { inScope: 12, registered: 11, enforced: 10, registeredAndEnforced: 9, neither: 0 } } });
    expect(html.match(/<svg /g)).toHaveLength(3);
    expect(html).toContain('Registered an MFA method: 11 of 12 (92%)');
    expect(html).toContain('<td>Neither</td><td class="n">0</td><td class="n">12</td><td class="n">0%</td>');
  });

  it('trend: history in any order is sorted oldest to newest, tonight last, one entry per night', () => {
    const history = [...nights(3)].reverse().concat([{ generatedAt: GENERATED_AT, high: 99, medium: 0, low: 0, info: 0 }, { generatedAt: 'not a date', high: 50, medium: 0, low: 0, info: 0 }]);
    const html = render(makeDocument({ findings: [makeFinding(1)] }), history);
    expect(html).toContain('<h2 id="h-trend">The last 4 nights</h2>');
    expect(html).toContain('<desc id="c-trend-d">4 nights from 22 Nov to 25 Nov. High: 3, 2, 1, 1.');
    // The table lists newest first.
    expect(html).toMatch(/<tr><td>25 Nov 2026<\/td><td class="n">1<\/td>[\s\S]*<tr><td>22 Nov 2026<\/td>/);
    expect(html).not.toContain('>99<');
  });

  it('no findings: says the tenant meets every check that ran', () => {
    const html = render(makeDocument(), []);
    expect(html).toContain('No findings: the tenant meets every check that ran.');
    expect(html).toContain('<h2 id="h-trend">The last 1 night</h2>');
    expect(html).not.toContain('Most urgent');
    const nothingRan = render(makeDocument({ checks: makeDocument().checks.filter((c) => c.status === 'skipped') }), []);
    expect(nothingRan).not.toContain('No findings');
    expect(nothingRan).toContain('No check ran tonight, so nothing was confirmed; each check below says why.');
  });

  it('findings of a check missing from the checks list are still shown', () => {
    const html = render(makeDocument({ checks: [], findings: [makeFinding(1, { checkId: 'accounts.term-ended' })] }));
    expect(html).toContain('Other findings (accounts.term-ended)');
    expect(html).toContain('id="f-finding-1"');
  });

  it('worst first: the most urgent list and each check put high and new before the rest', () => {
    const html = render(makeDocument({ findings: [makeFinding(1, { severity: 'low' }), makeFinding(2, { severity: 'high', state: 'persisting' }), makeFinding(3, { severity: 'high' })] }));
    const order = [...html.matchAll(/<div class="f" id="f-(finding-\d)"/g)].map((m) => m[1]);
    expect(order).toEqual(['finding-3', 'finding-2', 'finding-1']);
    expect(html).toMatch(/<h3>Most urgent<\/h3><ol><li><a href="#f-finding-3">High, new: Councillor 3<\/a>/);
  });

  it('5,000 findings with long evidence stay under 5 MB, every finding present, and the page says what was shortened', () => {
    const html = render(makeDocument({ findings: manyFindings(5000) }));
    expect(Buffer.byteLength(html, 'utf8')).toBeLessThan(5 * 1024 * 1024);
    expect(html.match(/<div class="f" id=/g)).toHaveLength(5000);
    expect(html).toContain('With 5000 findings, long text and evidence are shortened here to keep this page small; findings.json and findings.csv hold all of it.');
    expect(render(makeDocument({ findings: manyFindings(50) }))).not.toContain('are shortened here');
  });

  it('5,000 findings with long, escape-heavy text still stay under 5 MB', () => {
    const long = `${'Rule "<forward>" & more; '.repeat(80)}`;
    const findings = manyFindings(5000).map((f) => ({ ...f, summary: long, remediation: long, subject: { ...f.subject, name: long } }));
    const html = render(makeDocument({ findings, resolved: findings.map((f) => ({ id: f.id, checkId: f.checkId, subject: f.subject, resolvedAt: GENERATED_AT })) }));
    expect(Buffer.byteLength(html, 'utf8')).toBeLessThan(5 * 1024 * 1024);
    expect(html.match(/<div class="f" id=/g)).toHaveLength(5000);
    expect(html).toContain('… and 4500 more, listed in findings.json.');
  });

  it('is pure: the same input gives the same page', () => {
    const doc = makeDocument({ findings: manyFindings(20) });
    expect(render(doc)).toBe(render(doc));
  });
});

describe('UK dates in Europe/London', () => {
  const at = (generatedAt: string) => render(makeDocument({ generatedAt }), []);
  it('GMT in winter, BST in summer, switching on the last Sunday of March and October', () => {
    expect(at('2026-11-25T02:14:00.000Z')).toContain('Wednesday 25 November 2026, 02:14 GMT');
    expect(at('2026-07-15T01:00:00.000Z')).toContain('Wednesday 15 July 2026, 02:00 BST');
    expect(at('2026-03-29T00:59:00.000Z')).toContain('Sunday 29 March 2026, 00:59 GMT');
    expect(at('2026-03-29T01:00:00.000Z')).toContain('Sunday 29 March 2026, 02:00 BST');
    expect(at('2026-10-25T00:30:00.000Z')).toContain('Sunday 25 October 2026, 01:30 BST');
    expect(at('2026-10-25T01:30:00.000Z')).toContain('Sunday 25 October 2026, 01:30 GMT');
    // A run just before midnight UTC in summer is already the next day in London.
    expect(at('2026-06-30T23:30:00.000Z')).toContain('Wednesday 1 July 2026, 00:30 BST');
  });
});
