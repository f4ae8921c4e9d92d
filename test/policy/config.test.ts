import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CouncilConfigError } from '../../core/errors';
import { listProfiles, loadProfile, resolveClause } from '../../policy/load';
import { parseCouncilFile } from '../../jobs/council-context';
import type { CouncilConfigFile } from '../../policy/council-config';

const demo = () => JSON.parse(readFileSync(join(__dirname, '../../simulator/scenarios/demo.councils.json'), 'utf8')) as CouncilConfigFile;

function problems(change: (c: CouncilConfigFile['councils'][number], file: CouncilConfigFile) => void): string {
  const file = demo();
  change(file.councils[0], file);
  try {
    parseCouncilFile(file, 'councils.json');
  } catch (err) {
    expect(err).toBeInstanceOf(CouncilConfigError);
    return (err as Error).message;
  }
  throw new Error('the config was accepted');
}

describe('policy profiles', () => {
  it('both profiles load and map every clause key; Wivelsfield says "regular" with the NCSC explanation, the model policy follows NCSC', () => {
    expect(listProfiles()).toEqual(['model-council', 'wivelsfield-2023']);
    const model = loadProfile('model-council');
    const wiv = loadProfile('wivelsfield-2023');
    expect(Object.keys(wiv.clauses).sort()).toEqual(Object.keys(model.clauses).sort());
    expect(model.passwords.rule).toBe('ncsc');
    expect(wiv.passwords).toMatchObject({ rule: 'regular', maxAgeDays: 365 });
    expect(wiv.passwords.explanation).toMatch(/NCSC/);
    expect(wiv.clauses['accounts.surrender'].number).toBe('19');
    expect(model.clauses['identity.password-compromise'].number).toBe('4.1.4');
  });

  it('a council may renumber a clause', () => {
    const c = parseCouncilFile({ councils: [{ ...demo().councils[0], checks: { clauses: { 'mail.forwarding': '15(a)' } } }] }, 'x').councils[0];
    expect(resolveClause(loadProfile('wivelsfield-2023'), c, 'mail.forwarding').number).toBe('15(a)');
  });
});

describe('council config', () => {
  it('applies defaults', () => {
    const file = demo();
    const c = file.councils[0] as unknown as Record<string, unknown>;
    delete c.oneDriveGraceDays; delete c.allowedSignInCountries; delete c.breakGlass; delete c.staff;
    const parsed = parseCouncilFile(file, 'x').councils[0];
    expect(parsed).toMatchObject({ oneDriveGraceDays: 30, allowedSignInCountries: ['GB'], breakGlass: [], staff: [], sharePoint: { archiveLibrary: 'Councillor archives', reportsLibrary: 'IT governance reports' } });
  });

  it.each([
    ['unknown profile', (c: CouncilConfigFile['councils'][number]) => { c.profile = 'parish-2019'; }, /profile "parish-2019" is not a known policy profile; use one of model-council, wivelsfield-2023/],
    ['unknown clause key', (c: CouncilConfigFile['councils'][number]) => { c.checks = { disabled: [], clauses: { 'mail.forwards': '15' } }; }, /unknown clause key "mail\.forwards"; valid keys are/],
    ['unknown check id', (c: CouncilConfigFile['councils'][number]) => { c.checks = { disabled: ['mail.forwarding'] }; }, /checks\.disabled names an unknown check "mail\.forwarding"/],
    ['term end before term start', (c: CouncilConfigFile['councils'][number]) => { c.roster[0].termEnd = '2020-01-01'; }, /roster\[0\] term for cllr\.ahmed@exampleparish\.gov\.uk ends \(2020-01-01\) before it starts/],
    ['roster date not a date', (c: CouncilConfigFile['councils'][number]) => { c.roster[1].termEnd = 'next May'; }, /roster\[1\]\.termEnd is not a valid date \(YYYY-MM-DD\)/],
    ['malformed allowed domain', (c: CouncilConfigFile['councils'][number]) => { c.allowedForwardingDomains = ['http://partner.org', 'gmail']; }, /allowedForwardingDomains\[0\] "http:\/\/partner\.org" is not a domain name[\s\S]*allowedForwardingDomains\[1\] "gmail"/],
    ['malformed council domain', (c: CouncilConfigFile['councils'][number]) => { c.domains = ['exa mple.gov.uk']; }, /domains\[0\] "exa mple\.gov\.uk" is not a domain name/],
    ['missing council library', (c: CouncilConfigFile['councils'][number]) => { delete (c.sharePoint as unknown as Record<string, unknown>).library; }, /sharePoint\.library is required/],
    ['no site', (c: CouncilConfigFile['councils'][number]) => { delete c.sharePoint.siteUrl; }, /sharePoint needs siteId or siteUrl/],
    ['tenant id not a GUID', (c: CouncilConfigFile['councils'][number]) => { c.tenantId = 'exampleparish'; }, /tenantId is not a valid GUID/],
    ['clerk not an address', (c: CouncilConfigFile['councils'][number]) => { c.clerk = 'the clerk'; }, /clerk "the clerk" is not an email address/],
    ['duplicate roster entry', (c: CouncilConfigFile['councils'][number]) => { c.roster.push({ ...c.roster[0] }); }, /lists cllr\.ahmed@exampleparish\.gov\.uk twice/],
    ['negative grace days', (c: CouncilConfigFile['councils'][number]) => { c.oneDriveGraceDays = -1; }, /oneDriveGraceDays must be >= 0/],
    ['an unknown enforcement feature', (c: CouncilConfigFile['councils'][number]) => { (c.enforce as Record<string, unknown>).autoFix = true; }, /enforce has an unknown field "autoFix"; known fields are forwarding, mfa, mfaMechanism, passwords, sharing, planValidityHours, offboarding/],
    ['a misspelt council field', (c: CouncilConfigFile['councils'][number]) => { (c as unknown as Record<string, unknown>).alowedForwardingDomains = []; }, /has an unknown field "alowedForwardingDomains"; known fields are .*allowedForwardingDomains/],
    ['a clerk outside the council\'s domains', (c: CouncilConfigFile['councils'][number]) => { c.clerk = 'parish.clerk@gmail.com'; }, /clerk parish\.clerk@gmail\.com is not in the council's domains/],
    ['two councils with one tenant', (c: CouncilConfigFile['councils'][number], f: CouncilConfigFile) => { f.councils.push({ ...c, name: 'Twin Parish Council' }); }, /tenantId .* is also used by Example Parish Council; each council is its own tenant/],
  ])('%s: the message names the path and the fix', (_name, change, expected) => {
    const message = problems(change);
    expect(message).toMatch(expected);
    expect(message).toMatch(/Fix these and run again\./);
  });

  it('reports every problem at once', () => {
    const message = problems((c) => { c.profile = 'x'; c.domains = ['bad domain']; c.roster[0].termEnd = '2000-01-01'; });
    expect(message.split('\n  - ')).toHaveLength(4);
  });
});
