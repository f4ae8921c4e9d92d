// The year's Assertion 10 pack as a clerk and an internal auditor would use it. A year of nights on the
// simulator: a handful of real audits at chosen instants (the clock is injected), with the tenant changed
// between them (a forwarding rule to a personal address created, then removed; the leaving councillor
// surrendered for real), and the nights between them written through the same record path as copies of
// the night before (a real audit per simulated day would take too long for the suite), with one night
// missed. Then: the pack's figures section by section, --verify on the pack and on an edited copy, the
// HTTP endpoint, and the page in Chromium printed to A4.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import pLimit from 'p-limit';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { fixedClock } from '../../core/clock';
import type { EvidencePack, RunRecord } from '../../core/evidence';
import { silentLogger } from '../../core/logger';
import { UK_ZONE } from '../../core/uk-time';
import { councilContext } from '../../context/council-context';
import { runAudit } from '../../jobs/run-audit';
import { nightOf, storeRunRecord } from '../../jobs/run-record';
import { financialYearOf, generateEvidence, verifyEvidence } from '../../jobs/evidence';
import { yearlyEvidenceHandler } from '../../functions/handlers/evidence';
import { runOffboarding, startOffboarding } from '../../jobs/offboarding';
import { cliOwner, surrenderId } from '../../offboarding/state';
import { evidenceHandlerFor } from '../../functions/handlers/evidence';
import { writeFilesAtomically } from '../../jobs/write-files';
import { RunRecordAlreadyWrittenError } from '../../store';
import { testCouncils } from '../support/councils';
import { signInWith } from '../support/sign-in';
import { haveChromium, launchChromium, CHROMIUM } from '../support/browser';
import { CLERK, DOMAIN, harness, LEAVER, TERM_END, type Harness } from '../offboarding/support';

const HOSTILE_NAME = '<script>window.__pwned=1</script> "Parish" </style>Council';
const HOSTILE_MINUTE = '"><img src=x onerror="window.__pwned=1"> FC 23/045';
const STAYING = `cllr.staying@${DOMAIN}`;
const GHOST = `cllr.ghost@${DOMAIN}`;

/** 02:00 UK time on a UK day, as UTC ISO: the nightly run's instant. */
const nightly = (day: string) => DateTime.fromISO(`${day}T02:00`, { zone: UK_ZONE }).toUTC().toISO()!;
const plusDays = (day: string, n: number) => DateTime.fromISO(day).plus({ days: n }).toISODate()!;

describe('the year\'s Assertion 10 evidence pack', () => {
  let h: Harness;
  let pack: EvidencePack;
  let files: Record<string, string>;
  let out: string;
  const now = new Date();
  const year = financialYearOf(now);
  const start = Number(year.slice(0, 4));
  const firstNight = `${start}-04-01`;
  const lastNight = `${start + 1}-03-31`;
  const today = nightOf(now.toISOString());
  // The forwarding episode goes in the larger gap: before today, or after it.
  const before = DateTime.fromISO(today).diff(DateTime.fromISO(firstNight), 'days').days > 20;
  const fwdOn = before ? plusDays(firstNight, 5) : plusDays(today, 5);
  const fwdOff = before ? plusDays(firstNight, 12) : plusDays(today, 12);
  const missed = before ? plusDays(firstNight, 15) : plusDays(today, 15);
  const realNights = new Map<string, RunRecord>();

  const audit = async (at: string) => {
    const result = await runAudit(councilContext(h.council, { graph: h.graph, store: h.store, log: silentLogger, clock: fixedClock(at) }));
    const [stored] = await h.store.runRecords.list(h.council.tenantId, nightOf(at), nightOf(at));
    realNights.set(nightOf(at), JSON.parse(stored.bytes.toString('utf8')) as RunRecord);
    return result;
  };

  beforeAll(async () => {
    h = await harness({ name: `evidence-year-${randomUUID().slice(0, 8)}`, inbox: 2 }, {}, (c) => {
      c.name = HOSTILE_NAME;
      c.policy = { adopted: `${start - 1}-05-10`, reviewed: `${start}-05-12`, adoptionMinute: HOSTILE_MINUTE };
      c.declarations = { icoRegistration: 'ZA123456', accessibilityStatementUrl: 'https://testparish.gov.uk/accessibility' };
      // The ghost's term ends three nights into the year: three audited nights without a council account.
      (c.roster as { userPrincipalName: string; termEnd: string }[]).find((r) => r.userPrincipalName === GHOST)!.termEnd = plusDays(firstNight, 2);
    });
    const user = (upn: string) => h.tenant().users.find((u) => u.userPrincipalName === upn)!;
    const steps: [string, () => Promise<void>][] = [
      [firstNight, async () => {}],
      [fwdOn, async () => {
        user(STAYING).rules.push({ id: 'rule-fwd-1', displayName: 'Send everything home', sequence: 1, isEnabled: true, hasError: false, actions: { forwardTo: [{ emailAddress: { address: 'sam.home@gmail.com' } }] } });
      }],
      [fwdOff, async () => { user(STAYING).rules = user(STAYING).rules.filter((r) => r.id !== 'rule-fwd-1'); }],
    ];
    // The surrender runs now (the action log takes the real time), then tonight's audit records it.
    steps.push([today, async () => {
      const deps = h.deps();
      const owner = cliOwner(surrenderId(h.council.tenantId, LEAVER, TERM_END));
      const started = await startOffboarding(deps, { userPrincipalName: LEAVER, termEnd: TERM_END, requestedBy: CLERK, via: 'cli' }, owner);
      const record = await runOffboarding(deps, started.record.id, { owner });
      expect(record.status).toBe('done');
    }]);
    steps.sort(([a], [b]) => a.localeCompare(b));
    for (const [day, change] of steps) {
      await change();
      await audit(day === today ? new Date(Math.max(Date.now(), Date.parse(nightly(day)))).toISOString() : nightly(day));
    }
    // The nights between: each a copy of the night before, written through the same path, with nothing new in the action log.
    let last = realNights.get(firstNight)!;
    const copies: RunRecord[] = [];
    for (let day = firstNight; day <= lastNight; day = plusDays(day, 1)) {
      const real = realNights.get(day);
      if (real) { last = real; continue; }
      if (day === missed) continue;
      const at = nightly(day);
      copies.push({ ...last, night: day, generatedAt: at, runId: at.replace(/[:.]/g, '-'), resolved: [], actions: { since: last.generatedAt, byAction: {}, contentReads: { bySurrender: 0, other: 0 }, milestones: [] } });
    }
    const limit = pLimit(16);
    await Promise.all(copies.map((r) => limit(() => storeRunRecord(h.store, r))));
    const councils = testCouncils({ councils: [h.council], store: h.store, graph: h.graph, clock: fixedClock(`${start + 1}-04-01T02:00:00.000Z`) });
    const result = await generateEvidence(councils, { year });
    pack = result.pack;
    files = result.files;
    out = mkdtempSync(join(tmpdir(), 'cg-evidence-'));
    writeFilesAtomically(out, files);
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  const section = (id: string) => pack.sections.find((s) => s.id === id)!;
  const rows = (id: string, table: string) => section(id).tables.find((t) => t.id === table)!.rows;

  it('counts the nights in the year and names the missed one', () => {
    const days = DateTime.fromISO(lastNight).diff(DateTime.fromISO(firstNight), 'days').days + 1;
    expect(pack.coverage).toEqual({ nightsInPeriod: days, nightsAudited: days - 1, missedNights: [DateTime.fromISO(missed).setLocale('en-GB').toFormat('d LLL yyyy')] });
    expect(pack.period).toEqual({ start: firstNight, end: lastNight, lastNight });
    expect(pack.records).toHaveLength(days - 1);
    expect(pack.profiles).toEqual([{ id: 'wivelsfield-2023', version: expect.any(String), firstNight, lastNight, nights: days - 1 }]);
  });

  it('email: verified council domain, the clerk\'s mailbox, the forwarding found and resolved with dates, and the ghost\'s gap named', () => {
    const s = section('email-domain');
    expect(s.figures).toMatchObject({ verifiedCouncilDomains: 1, forwardingFound: 1, forwardingResolved: 1, forwardingOpenAtEnd: 0, councillorsWithGaps: 1 });
    expect(rows('email-domain', 'domains')).toEqual(expect.arrayContaining([[DOMAIN, 'yes', 'yes', 'authority-owned domain'], ['testparish.onmicrosoft.com', 'yes', 'no', 'Microsoft initial domain (onmicrosoft.com)']]));
    expect(rows('email-domain', 'forwarding')).toEqual([[STAYING, 'inbox-rule', 'sam.home@gmail.com', 'personal or free mail service', fwdOn, fwdOff]]);
    expect(rows('email-domain', 'clerk')[0]).toEqual([CLERK, 'yes', pack.coverage.nightsAudited, pack.coverage.nightsAudited]);
    const ghost = rows('email-domain', 'councillors').find((r) => r[0] === GHOST)!;
    expect(ghost.slice(3, 5)).toEqual([3, 0]);
    expect(s.answer).toBe('No');
    expect(s.reasons.join(' ')).toMatch(new RegExp(`${GHOST.replace(/\./g, '\\.')}: no usable council account on 3 audited night`));
  });

  it('IT policy: adoption and review from the config, the profile, and each clause\'s share of nights met', () => {
    const s = section('it-policy');
    expect(s.answer).toBe('Yes');
    expect(s.figures).toMatchObject({ adopted: `${start - 1}-05-10`, reviewed: `${start}-05-12`, profileVersions: 1 });
    const clauses = rows('it-policy', 'clauses');
    expect(clauses.length).toBeGreaterThan(3);
    for (const r of clauses) expect(Number(r[3])).toBeLessThanOrEqual(Number(r[2]));
    // Forwarding was found on the nights from fwdOn to the night before fwdOff: those nights its clause was not met.
    const forwardingNights = DateTime.fromISO(fwdOff).diff(DateTime.fromISO(fwdOn), 'days').days - (missed > fwdOn && missed < fwdOff ? 1 : 0);
    const fwdClause = clauses.filter((r) => /forward/i.test(String(r[1])));
    expect(fwdClause.length).toBeGreaterThan(0);
    expect(fwdClause.some((r) => Number(r[2]) - Number(r[3]) >= forwardingNights)).toBe(true);
  });

  it('data protection: MFA by month, sharing, devices, the leaver\'s certificate and verification, content read only by the surrender', () => {
    const s = section('data-protection');
    expect(rows('data-protection', 'mfa')).toHaveLength(12);
    expect(s.figures.contentReadsOther).toBe(0);
    expect(s.figures.contentReadsBySurrender).toBeGreaterThanOrEqual(3); // mail folders, contacts, calendar, files
    expect(rows('data-protection', 'leavers')).toEqual(expect.arrayContaining([[LEAVER, TERM_END, today, 'passed']]));
    expect(s.figures.surrenderVerificationsFailed).toBe(0);
    expect(s.figures.devicesTotal).not.toBeNull();
    expect(s.figures.passwordNightsMeasured).toBe(pack.coverage.nightsAudited);
    // cllr.admin is a councillor holding Global Administrator without MFA: not every administrator protected.
    expect(s.answer).toBe('No');
    expect(s.reasons.join(' ')).toMatch(/administrator\(s\) were not protected by MFA/);
  });

  it('not visible from the tenant: declared references shown as declared, the rest "not recorded"', () => {
    const s = section('not-visible');
    expect(s.answer).toBe('For the council to evidence');
    expect(rows('not-visible', 'declarations')).toEqual(expect.arrayContaining([
      ['ICO registration', 'declarations.icoRegistration', 'ZA123456'],
      ['Breach log', 'declarations.breachLog', 'not recorded'],
      ['Minute of the IT policy\'s adoption', 'policy.adoptionMinute', HOSTILE_MINUTE],
    ]));
  });

  it('the CSV carries the same figures', () => {
    const csv = files['evidence.csv'];
    expect(csv).toContain(`email-domain,forwarding,1,Found,${fwdOn}`);
    // evidence.sha256 as sha256sum writes it, over the three files as written.
    expect(files['evidence.sha256'].split('\n').filter(Boolean).map((l) => l.split('  ')[1])).toEqual(['evidence.html', 'evidence.csv', 'evidence.json']);
    for (const line of files['evidence.sha256'].trim().split('\n')) {
      const [sum, name] = line.split('  ');
      expect(createHash('sha256').update(readFileSync(join(out, name))).digest('hex')).toBe(sum);
    }
    expect(csv).toContain(`coverage,nights,1,nights audited,${pack.coverage.nightsAudited}`);
    expect(csv).toContain(`integrity,digest,1,records digest,${pack.recordsDigest}`);
  });

  it('a record is written once: a second write of the same night and run is refused', async () => {
    const first = realNights.get(firstNight)!;
    await expect(storeRunRecord(h.store, first)).rejects.toBeInstanceOf(RunRecordAlreadyWrittenError);
  });

  it('--verify: the pack matches the store; an edited file is named', async () => {
    const councils = testCouncils({ councils: [h.council], store: h.store, graph: h.graph });
    expect(await verifyEvidence(councils, out)).toEqual({ matches: true, problems: [] });
    const edited = mkdtempSync(join(tmpdir(), 'cg-evidence-edited-'));
    try {
      writeFilesAtomically(edited, files);
      writeFileSync(join(edited, 'evidence.html'), readFileSync(join(edited, 'evidence.html'), 'utf8').replace('Suggested answer: <span class="answer a-no">No', 'Suggested answer: <span class="answer a-yes">Yes'));
      const result = await verifyEvidence(councils, edited);
      expect(result.matches).toBe(false);
      expect(result.problems).toEqual(['evidence.html was changed: it does not match the pack rebuilt from the store']);
    } finally {
      rmSync(edited, { recursive: true, force: true });
    }
  });

  it('GET /api/evidence: Reports.Read and the council\'s own domain; another council\'s caller gets 404', async () => {
    const signIn = signInWith(h.sim);
    const handler = evidenceHandlerFor(async () => testCouncils({ councils: [h.council], store: h.store, graph: h.graph, clock: fixedClock(`${start + 1}-04-01T02:00:00.000Z`) }), signIn.signIn);
    const call = (who: string, roles: string[], query = `council=${encodeURIComponent(h.council.tenantId)}&year=${year}&format=json`) => handler(new HttpRequest({
      method: 'GET', url: `https://councilguard.example/api/evidence?${query}`,
      headers: signIn.headers({ upn: who, tenantId: h.council.tenantId, roles }),
    }), new InvocationContext({ functionName: 'evidence', logHandler: () => {} }));
    expect((await call(CLERK, ['Offboarding.Request'])).status).toBe(403);
    expect((await call('clerk@otherparish.gov.uk', ['Reports.Read'])).status).toBe(404);
    const ok = await call(CLERK, ['Reports.Read']);
    expect(ok.status).toBe(200);
    expect((JSON.parse(String(ok.body)) as EvidencePack).coverage).toEqual(pack.coverage);
    const bad = await call(CLERK, ['Reports.Read'], `council=${encodeURIComponent(h.council.tenantId)}&year=2026-2027`);
    expect(bad).toMatchObject({ status: 400, jsonBody: { error: expect.stringMatching(/write it as YYYY-YY with consecutive years/) } });
  });

  it('the 1 April timer builds last year\'s pack and delivers it like the reports: the reports library and the clerk\'s inbox', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cg-evidence-timer-'));
    const config = join(dir, 'councils.json');
    writeFileSync(config, JSON.stringify({ councils: [{ ...h.council, sharePoint: { ...h.council.sharePoint, reportsLibrary: 'Documents' }, delivery: { sharePoint: true, email: { from: CLERK, to: [CLERK] } } }] }));
    const saved = process.env;
    process.env = { ...h.env, COUNCILGUARD_CONFIG: config };
    const logs: string[] = [];
    const context = new InvocationContext({ functionName: 'yearlyEvidence', logHandler: (_level, ...args) => { logs.push(args.join(' ')); } });
    try {
      // Not 1 April in the UK (23:30 UTC on 31 March is 00:30 BST on 1 April; 22:30 is still 31 March): nothing.
      await yearlyEvidenceHandler({} as never, context, `${start + 1}-03-31T22:30:00.000Z`);
      expect(logs.join('\n')).toMatch(/Not 1 April in the UK/);
      await yearlyEvidenceHandler({} as never, context, `${start + 1}-04-01T02:00:00.000Z`);
    } finally {
      process.env = saved;
      rmSync(dir, { recursive: true, force: true });
    }
    expect(logs.at(-1)).toMatch(new RegExp(`Evidence for ${year}\\. .*: ${pack.coverage.nightsAudited} nights; sharePoint done, email done`));
    const documents = [...h.tenant().drives.values()].find((d) => d.name === 'Documents')!;
    const names = [...documents.items.values()].filter((i) => !i.deleted && !i.folder).map((i) => i.name);
    expect(names).toEqual(expect.arrayContaining(['evidence.html', 'evidence.csv', 'evidence.json', 'evidence.sha256']));
    const inbox = await h.graph.pageAll<{ subject: string; hasAttachments: boolean }>(`/users/${CLERK}/messages`, ['subject', 'hasAttachments']);
    expect(inbox).toEqual(expect.arrayContaining([expect.objectContaining({ subject: `${HOSTILE_NAME}: evidence for AGAR Assertion 10, ${year}`, hasAttachments: true })]));
  });

  (haveChromium ? it : it.skip)(`in Chromium (${CHROMIUM}): hostile names inert, prints to A4 with every page headed and no text cut off`, async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ javaScriptEnabled: true });
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('request', (r) => { if (!r.url().startsWith('file://')) requests.push(r.url()); });
      await page.goto(`file://${join(out, 'evidence.html')}`);
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      expect(await page.evaluate('window.__pwned')).toBeUndefined();
      expect(await page.locator('script, img, iframe, object, embed').count()).toBe(0);
      expect(await page.textContent('h1')).toBe(`${HOSTILE_NAME}: evidence for Assertion 10, ${year}`);
      expect(await page.locator('section.component').count()).toBe(4);

      // The running header: Chromium parsed the @page rule with its top-left margin box, whose content is
      // the council's name and the year (the hostile name escaped into a CSS string, not breaking out of it).
      const pageRule = await page.evaluate(`[...document.styleSheets].flatMap((s) => [...s.cssRules]).filter((r) => r.constructor.name === 'CSSPageRule').map((r) => r.cssText).join(' ')`) as string;
      expect(pageRule).toMatch(/size: a4/i);
      expect(pageRule).toContain(`@top-left { content: ${JSON.stringify(`${HOSTILE_NAME}: Assertion 10 evidence ${year}`)};`);
      expect(pageRule).toMatch(/@bottom-right \{[^}]*counter\(page\)/);

      // Printed width of A4 less the page margins (210 - 28 mm at 96 px per inch): nothing wider, nothing clipped.
      await page.emulateMedia({ media: 'print' });
      await page.setViewportSize({ width: Math.floor(((210 - 28) / 25.4) * 96), height: 1000 });
      const overflowing = await page.evaluate(`[...document.querySelectorAll('body *')].filter((el) => el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).display !== 'inline').map((el) => el.tagName + ' ' + (el.textContent || '').slice(0, 40))`);
      expect(overflowing).toEqual([]);
      expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);

      const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
      // A cover, four component sections each starting a page, and the integrity list of a year's records (several pages).
      expect(pages).toBeGreaterThanOrEqual(7);
      expect(pages).toBeLessThanOrEqual(30);
      const mediaBox = /\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/.exec(pdf.toString('latin1'));
      expect([Math.round(Number(mediaBox![1])), Math.round(Number(mediaBox![2]))]).toEqual([595, 842]); // A4 in points
    } finally {
      await browser.close();
    }
  });
});
