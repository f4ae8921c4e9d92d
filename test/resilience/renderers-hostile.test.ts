// One hostile corpus through every renderer: report.html, index.html, certificate.html (escaped, and
// inert in headless Chromium), findings.csv, manifest.csv, contacts.csv (no cell a spreadsheet runs),
// findings.json (round-trips exactly), summary.md (no markup from data), contacts.vcf and calendar.ics
// (no value can start a property line).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { Browser } from 'playwright-core';
import { renderReportHtml } from '../../reports/html';
import { renderSupplierIndex, type IndexRow } from '../../reports/index-html';
import { renderFindingsCsv } from '../../reports/csv';
import { renderFindingsJson } from '../../reports/findings-json';
import { renderSummaryMarkdown } from '../../reports/summary';
import { renderCertificate } from '../../offboarding/certificate';
import { manifestTotals, renderManifestCsv, type ManifestRow } from '../../offboarding/manifest';
import { renderContactsCsv, renderVCards, type Contact } from '../../offboarding/formats/vcard';
import { renderICalendar, type CalendarEvent } from '../../offboarding/formats/icalendar';
import { newRecord } from '../../offboarding/state';
import { loadProfile } from '../../policy/load';
import { parseCouncilFile } from '../../jobs/council-context';
import type { Finding } from '../../core/findings';
import { GENERATED_AT, makeDocument, makeFinding, nights } from '../support/findings-factory';
import { haveChromium, launchChromium, CHROMIUM } from '../support/browser';
import { BIDI_CONTROL, FORMULA_START, HOSTILE_CORPUS, HOSTILE_TEXTS } from './support/hostile';
import { contentLineNames, expectInertHtml, expectNeutralCsv } from './support/inert';
import { buildEvidencePack, financialYear } from '../../jobs/evidence';
import { renderEvidenceHtml } from '../../reports/evidence-html';
import { renderEvidenceCsv } from '../../reports/evidence-csv';
import { renderEvidenceJson } from '../../reports/evidence-json';
import { parseCsv } from '../support/csv-parse';
import { days, runRecord, stored } from '../support/run-records';

const H = HOSTILE_TEXTS;
/** A cell as it should read in the file: the text, with an apostrophe in front when it looks like a formula. */
const asCell = (text: string) => (FORMULA_START.test(text) ? `'${text}` : text);
const at = (i: number) => H[i % H.length];
/** Places a link may come from in data (evidence, reportHref, webUrl): each must stay text. */
const HOSTILE_LINKS = ['javascript:window.__pwned=1', ' JaVaScRiPt:window.__pwned=1', 'java\u200Bscript:window.__pwned=1', 'data:text/html,<script>window.__pwned=1</script>',
  '//evil.example/x', '/etc/passwd', 'C:\\Windows\\report.html', 'vbscript:msgbox(1)', 'https://evil.example/"onmouseover="window.__pwned=1'];

function hostileFinding(text: string, i: number): Finding {
  return makeFinding(i, {
    severity: (['high', 'medium', 'low', 'info'] as const)[i % 4],
    state: i % 2 ? 'new' : 'persisting',
    firstSeen: '2026-11-20T02:14:00.000Z',
    subject: { type: i % 3 ? 'mailbox' : 'file', id: `id-${i}`, name: text, userPrincipalName: `${text}@exampleparish.gov.uk` },
    summary: `Inbox rule "${text}" forwards mail to ${text}`,
    remediation: `Remove ${text}`,
    evidence: { [text]: text, ruleName: text, link: HOSTILE_LINKS[i % HOSTILE_LINKS.length], webUrl: HOSTILE_LINKS[(i + 1) % HOSTILE_LINKS.length], recipients: [text, at(i + 1), ...HOSTILE_LINKS] },
  });
}

const doc = makeDocument({
  council: `${H[0]} Parish ${H[12]}`,
  checks: makeDocument().checks.map((c, i) => ({ ...c, title: at(i * 3), ...(c.skipReason ? { skipReason: { code: c.skipReason.code, detail: at(i + 5) } } : {}) })),
  findings: H.map(hostileFinding),
  resolved: H.slice(0, 8).map((t, i) => ({ id: `r${i}`, checkId: 'mail.external-forwarding' as const, subject: { type: 'user' as const, id: `u${i}`, name: t }, resolvedAt: GENERATED_AT })),
});

const indexRows: IndexRow[] = HOSTILE_LINKS.map((href, i) => ({
  council: at(i), tenantId: at(i + 7), generatedAt: GENERATED_AT, high: i, medium: 1, low: 0, new: 1, resolved: 0, trend: [1, 2, i], reportHref: href,
}));

const council = parseCouncilFile({ councils: [{
  name: `${H[1]} Town Council`, tenantId: '6f1c2b9a-4d3e-4a5b-8c7d-9e0f1a2b3c4d', profile: 'wivelsfield-2023', domains: ['exampleparish.gov.uk'], councillorGroup: 'Councillors',
  clerk: 'clerk@exampleparish.gov.uk', sharePoint: { siteUrl: 'https://exampleparish.sharepoint.com/sites/council', library: 'Documents' }, roster: [],
}] }, '(hostile test config)').councils[0];

const rows: ManifestRow[] = H.map((t, i) => ({
  kind: (['message', 'file', 'contacts', 'calendar'] as const)[i % 4], sourceId: t, internetMessageId: `<${t}>`, sourceFolder: t, folder: `Mail/${t}`, name: `${t}.eml`,
  received: t, size: i, sha256: t, archiveItemId: t, quickXorHash: { source: t, copy: at(i + 1) }, status: i % 5 ? 'archived' : 'gone', at: GENERATED_AT,
}));

function certificateHtml(): string {
  const record = newRecord('0123456789abcdef01234567', {
    tenantId: council.tenantId, council: council.name, userPrincipalName: `${H[2]}@exampleparish.gov.uk`, termEnd: '2026-05-07', requestedBy: H[0], requestedAt: GENERATED_AT,
    via: 'http', force: { reason: H[3] }, options: { licenceGraceDays: 30, convertToShared: true, grantClerkFullAccess: true, verifySample: null },
  }, GENERATED_AT);
  record.target = { id: 'u1', userPrincipalName: `${H[2]}@exampleparish.gov.uk`, displayName: `${H[1]} ${H[12]}`, mail: null };
  record.archive = { siteId: 's', driveId: 'd', library: H[10], folderId: 'f', folderName: H[5], webUrl: HOSTILE_LINKS[0] };
  record.steps['export-contacts'].counts = { contacts: 2 };
  return renderCertificate({
    record, council, totals: manifestTotals(rows), manifestSha256: H[4], generatedAt: GENERATED_AT, licenceRemovalDue: GENERATED_AT,
    verify: {
      folders: H.map((t, i) => ({ sourcePath: t, archivePath: `Mail/${at(i + 2)}`, listed: i, archived: i, gone: 0, inArchive: i })),
      rows: rows.length, gone: H.map((t) => ({ name: t, sourceFolder: t, internetMessageId: t })), hashChecked: 3, hashScope: 'sample', problems: [], verifiedAt: GENERATED_AT,
    },
  });
}

const contacts: Contact[] = H.map((t, i) => ({
  id: `c${i}`, displayName: t, givenName: at(i + 1), surname: at(i + 2), emailAddresses: [{ name: t, address: at(i + 3) }], businessPhones: [t], homePhones: [at(i + 4)],
  mobilePhone: at(i + 5), companyName: t, jobTitle: at(i + 6), businessAddress: { street: t, city: at(i + 1), state: t, postalCode: at(i + 2), countryOrRegion: t }, personalNotes: t,
}));

const events: CalendarEvent[] = H.map((t, i) => ({
  id: `e${i}`, iCalUId: t, subject: t, start: { dateTime: '2026-03-01T09:00:00.0000000', timeZone: 'UTC' }, end: { dateTime: '2026-03-01T10:00:00.0000000', timeZone: 'UTC' },
  location: { displayName: at(i + 1) }, body: { contentType: 'text', content: at(i + 2) }, organizer: { emailAddress: { name: t, address: 'clerk@exampleparish.gov.uk' } },
  attendees: [{ emailAddress: { name: at(i + 3), address: 'cllr@exampleparish.gov.uk' }, type: 'optional' }], sensitivity: 'private', showAs: 'free',
}));

/** The year's evidence pack with hostile text wherever the tenant or the config can put it. */
function evidencePack() {
  const c = { ...council, roster: [{ userPrincipalName: `${H[2]}@exampleparish.gov.uk`, termStart: '2022-05-05', termEnd: '2026-06-01' }], policy: { adopted: '2023-05-01', reviewed: '2026-05-01', adoptionMinute: H[0] }, declarations: { trainingRecord: H[1], breachLog: H[24] } };
  const fy = financialYear('2026-27', new Date('2027-04-01T02:00:00.000Z'));
  const findings = H.map((t, i) => ({ id: `f${i}`, checkId: i % 2 ? 'mail.external-forwarding' : 'files.external-sharing', kind: i % 2 ? 'inbox-rule' : 'anyone-link', severity: 'high' as const, subject: t, firstSeen: '2026-04-02T01:00:00.000Z', recipients: [at(i + 1)] }));
  const records = days(fy.firstNight, '2026-04-30').map((n) => runRecord(c, n, {
    findings, domains: [{ id: H[3], verified: true, isDefault: true }], clerkMailbox: { address: c.clerk, present: true, enabled: true },
    councillorAccounts: [{ upn: H[4], present: true, enabled: true }],
    actions: { since: '', byAction: { [H[5]]: 1 }, contentReads: { bySurrender: 0, other: 0 }, milestones: [{ upn: H[6], step: 'verify', result: H[7], at: '2026-04-03T01:00:00.000Z' }] },
  }));
  return buildEvidencePack({ council: c, fy, stored: stored(records), generatedAt: GENERATED_AT });
}

describe('the hostile corpus through every renderer', () => {
  it('covers every kind of attack the renderers must neutralise', () => {
    expect(new Set(HOSTILE_CORPUS.map((h) => h.attack))).toEqual(new Set(['html', 'url', 'css', 'bidi', 'zero-width', 'formula', 'line-break', 'markdown', 'control']));
  });

  it('report.html: hostile text is escaped; nothing runs, loads or restyles; bidi shown as code points', () => {
    const html = renderReportHtml(doc, { profile: loadProfile('model-council'), history: nights(6) });
    expectInertHtml(html);
    expect(html).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt;');
    expect(html).toContain('invoice[U+202E]fdp.exe');
  });

  it('index.html: hostile council names and tenant ids are text; a hostile reportHref is at most a relative, percent-encoded link', () => {
    const html = renderSupplierIndex(indexRows);
    expectInertHtml(html);
    // What is left of a hostile href is at most a relative path, percent-encoded: no scheme, no host.
    const hrefs = [...html.matchAll(/<a href="([^"]*)"/g)].map((m) => m[1]);
    expect(hrefs.filter((h) => /[:\\]|^\/|^\s/.test(h))).toEqual([]);
  });

  it('certificate.html: every field from the tenant and the request is escaped; the archive URL is text', () => {
    const html = certificateHtml();
    expectInertHtml(html);
    expect(html).toContain('&lt;svg onload=window.__pwned=1&gt;');
    expect(html).not.toMatch(/href="\s*javascript/i);
  });

  it('evidence.html: the year\'s pack escapes every name, address and declared reference, in the page and in its running header', () => {
    const html = renderEvidenceHtml(evidencePack());
    expectInertHtml(html);
    expect(html).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt;');
    expect(html).toContain('invoice[U+202E]fdp.exe');
  });

  it('evidence.csv and evidence.json: no cell starts a formula; the JSON reads back exactly', () => {
    const pack = evidencePack();
    const csv = renderEvidenceCsv(pack);
    expectNeutralCsv(csv, parseCsv(csv).length);
    expect(parseCsv(csv).length).toBeGreaterThan(H.length);
    expect(JSON.parse(renderEvidenceJson(pack))).toEqual(pack);
  });

  it('findings.csv: one row per finding, no cell starts a formula', () => {
    const parsed = expectNeutralCsv(renderFindingsCsv(doc, { profile: loadProfile('model-council') }), doc.findings.length + 1);
    // The neutralising apostrophe is all that changed: the text itself is kept for the reader.
    expect(parsed.slice(1).map((r) => r[5])).toEqual(doc.findings.map((f) => asCell(f.subject.name)));
  });

  it('manifest.csv: one row per item, no cell starts a formula', () => {
    const parsed = expectNeutralCsv(renderManifestCsv(rows), rows.length + 1);
    expect(parsed.slice(1).map((r) => r[2])).toEqual(rows.map((r) => asCell(r.sourceFolder)));
  });

  it('contacts.csv: one row per contact, no cell starts a formula', () => {
    const parsed = expectNeutralCsv(renderContactsCsv(contacts), contacts.length + 1);
    expect(parsed.slice(1).map((r) => r[0])).toEqual(contacts.map((c) => asCell(c.displayName ?? '')));
  });

  it('findings.json: valid JSON that reads back exactly, with no raw line break or NUL inside a value', () => {
    const text = renderFindingsJson(doc);
    expect(JSON.parse(text)).toEqual(doc);
    // eslint-disable-next-line no-control-regex -- raw control characters are what must not appear
    expect(text).not.toMatch(/[\r\u0000\u0007\u001b]/);
    expect(text.split('\n').filter((l) => l.trim()).every((l) => /^\s*([[\]{}"]|\d|true|false|null)/.test(l))).toBe(true);
  });

  it('summary.md: data never starts a line and carries no live Markdown or HTML', () => {
    const md = renderSummaryMarkdown({ ...doc, findings: doc.findings.slice(0, 5) }, { namesAllowed: true, reportLink: HOSTILE_LINKS[0] });
    const lines = md.split('\n');
    // Every line is one the template starts: heading, date line, list item, blank or a fixed sentence.
    expect(lines.filter((l) => l && !/^(# |## |- |\S+day \d|Names are|No findings|No check ran|Full report: )/.test(l))).toEqual([]);
    expect(md).not.toMatch(/[\r\u2028\u2029]/);
    // Markup characters from data are backslash-escaped: no raw tag, link, image or code span.
    expect(md).not.toMatch(/(?<!\\)<(?!https:)[a-z/!]/i);
    expect(md).not.toMatch(/(?<!\\)\[[^\]\n]*(?<!\\)\]\(/);
    expect(md).not.toMatch(/(?<!\\)`/);
    expect(md).not.toContain('<javascript:');
  });

  // A summary goes out by email with names in it; a right-to-left override there disguises a name or file
  // name exactly as report.html guards against (reports/escape.ts shows them as [U+202E]).
  it('summary.md: bidi overrides in names are shown as code points, as in report.html', () => {
    const md = renderSummaryMarkdown({ ...doc, findings: doc.findings.filter((f) => BIDI_CONTROL.test(f.subject.name)) }, { namesAllowed: true });
    expect(md).toMatch(/invoice.*fdp\.exe/);
    expect(md).not.toMatch(BIDI_CONTROL);
  });

  it('contacts.vcf: one card per contact; no field can add a property line', () => {
    const counts = contentLineNames(renderVCards(contacts), ['BEGIN', 'VERSION', 'FN', 'N', 'EMAIL', 'TEL', 'ORG', 'TITLE', 'ADR', 'NOTE', 'END']);
    expect(counts).toMatchObject({ BEGIN: contacts.length, END: contacts.length, FN: contacts.length, N: contacts.length, EMAIL: contacts.length, TEL: contacts.length * 3, NOTE: contacts.length });
  });

  it('calendar.ics: one VEVENT per event; no subject, location, description, UID or display name can add a property line', () => {
    const counts = contentLineNames(renderICalendar(events, { name: H[24], now: new Date(GENERATED_AT) }),
      ['BEGIN', 'END', 'VERSION', 'PRODID', 'CALSCALE', 'METHOD', 'X-WR-CALNAME', 'UID', 'DTSTAMP', 'DTSTART', 'DTEND', 'SUMMARY', 'LOCATION', 'DESCRIPTION', 'ORGANIZER', 'ATTENDEE', 'CLASS', 'TRANSP']);
    expect(counts).toMatchObject({ BEGIN: events.length + 1, END: events.length + 1, SUMMARY: events.length, ATTENDEE: events.length, ORGANIZER: events.length, DESCRIPTION: events.length });
  });

  // Organizer and attendee addresses come from the invitation, which an outsider writes. They are put
  // after "mailto:" unescaped, so a line break in one starts a new property (here a second ATTENDEE).
  it('calendar.ics: an organizer or attendee address with a line break cannot add a property line', () => {
    const injected: CalendarEvent[] = [{
      id: 'x', subject: 'Budget', start: { dateTime: '2026-03-01T09:00:00', timeZone: 'UTC' },
      organizer: { emailAddress: { name: 'Org', address: 'org@evil.example\r\nATTENDEE:mailto:spy@evil.example' } },
      attendees: [{ emailAddress: { name: 'A', address: 'a@evil.example\nX-INJECTED:1' } }],
    }];
    const counts = contentLineNames(renderICalendar(injected, { name: 'Cal', now: new Date(GENERATED_AT) }),
      ['BEGIN', 'END', 'VERSION', 'PRODID', 'CALSCALE', 'METHOD', 'X-WR-CALNAME', 'UID', 'DTSTAMP', 'DTSTART', 'DTEND', 'SUMMARY', 'ORGANIZER', 'ATTENDEE']);
    expect(counts.ATTENDEE).toBe(1);
  });
});

(haveChromium ? describe : describe.skip)(`the HTML renderers in headless Chromium (${CHROMIUM})`, () => {
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), 'cg-hostile-html-'));
  beforeAll(async () => { browser = await launchChromium(); });
  afterAll(() => browser?.close());

  it.each([
    ['report.html', () => renderReportHtml(doc, { profile: loadProfile('model-council'), history: nights(6) })],
    ['index.html', () => renderSupplierIndex(indexRows)],
    ['certificate.html', certificateHtml],
    ['evidence.html', () => renderEvidenceHtml(evidencePack())],
  ])('%s: no payload runs, nothing loads, no active element or handler is in the DOM', async (name, render) => {
    const file = join(dir, name);
    writeFileSync(file, render());
    const page = await browser.newPage({ javaScriptEnabled: true });
    const requests: string[] = [];
    page.on('request', (r) => { if (!r.url().startsWith('file://') && r.url() !== 'data:,') requests.push(r.url()); });
    await page.goto(`file://${file}`);
    // Give a meta refresh or a lazy load the chance to fire.
    await page.waitForTimeout(300);
    expect(page.url()).toBe(`file://${file}`);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(requests).toEqual([]);
    expect(await page.locator('script, img, iframe, object, embed, form, base, meta[http-equiv="refresh" i]').count()).toBe(0);
    expect(await page.evaluate("[...document.querySelectorAll('*')].filter((el) => [...el.attributes].some((a) => a.name.startsWith('on'))).length")).toBe(0);
    expect(await page.evaluate("[...document.querySelectorAll('a[href]')].filter((a) => !/^(https:|file:)/.test(a.href)).length")).toBe(0);
    expect(await page.textContent('body')).toContain('<script>window.__pwned=1</script>');
    await page.close();
  });
});
