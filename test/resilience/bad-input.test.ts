// Every bad input the issues list, and more, in one table: council configs, CLI arguments, scenario
// files, the environment, POST /api/offboarding bodies, and tenants that answer in ways that stop a
// surrender. Each row asserts the exit code (or HTTP status, or error), that the message names the fix,
// and that nothing was left half-written: no file added or changed in the row's folder (no partial
// --out, no *.tmp), and where a tenant is involved, the tenant, action log and surrender status as they were.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { latestReportHandlerFor } from '../../functions/handlers/reports-latest';
import { plansHttpHandlers } from '../../functions/handlers/plans-http';
import { offboardingHttpHandlers } from '../../functions/handlers/offboarding-http';
import { inProcessStarter } from '../support/in-process-starter';
import { testCouncils } from '../support/councils';
import { nightlyAudit } from '../../jobs/audit';
import { fixedClock } from '../../core/clock';
import { validateSchedule } from '../../config/env';
import { readEnvironment } from '../../config/env';
import { silentLogger } from '../../core/logger';
import { loadScenario } from '../../simulator';
import { renderFindingsJson } from '../../reports/findings-json';
import type { CouncilConfig } from '../../policy/council-config';
import { makeDocument } from '../support/findings-factory';
import { CLERK, DOMAIN, harness, LEAVER, serialiseTenant, TERM_END, type Harness } from '../offboarding/support';
import { tenantChanges, Workspace, type BadInputRow, type Outcome } from './support/bad-input';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { buildEvidencePack, financialYear } from '../../jobs/evidence';
import { evidenceHandlerFor } from '../../functions/handlers/evidence';
import { days, runRecord, stored } from '../support/run-records';
import { forgedPrincipalHeader, sameOriginJson, signInWith, type SignInHarness } from '../support/sign-in';

const DEMO_CONFIG = JSON.parse(readFileSync(require.resolve('../../simulator/scenarios/demo.councils.json'), 'utf8')) as { councils: Record<string, unknown>[] };
type Council = Record<string, unknown> & { roster: Record<string, string>[]; sharePoint: Record<string, unknown>; itSupplier: Record<string, unknown> };
/** The demo config with one council changed (the file as a supplier would edit it). */
const demoWith = (change: (c: Council, file: { councils: Council[] }) => void) => {
  const file = structuredClone(DEMO_CONFIG) as { councils: Council[] };
  change(file.councils[0], file);
  return file;
};

let h: Harness;
let http: ReturnType<typeof offboardingHttpHandlers>;
const baseEnv = (): NodeJS.ProcessEnv => ({ ...h.env, COUNCILGUARD_ACTOR: `itadmin@${DOMAIN}` });
const councilFile = (w: Workspace, change: (c: Record<string, unknown>) => void = () => {}) => {
  const c = structuredClone(h.council) as unknown as Record<string, unknown>;
  change(c);
  return w.file('councils.json', { councils: [c] });
};

/** `councilguard audit` on a config made by `config` (path or JSON), writing to the row's --out. */
const audit = (w: Workspace, config: object | string, extra: string[] = [], env?: Record<string, string | undefined>) =>
  w.cli(['audit', '--config', typeof config === 'string' ? config : w.file('councils.json', config), '--out', w.out, '--data-dir', w.data, ...extra], { env });

/** `councilguard offboard` of the leaving councillor against the simulated tenant. */
const offboard = (w: Workspace, args: string[], opts: { env?: Record<string, string | undefined>; config?: string; on?: Harness; user?: string } = {}) => {
  const user = opts.user ?? LEAVER;
  return w.cli(['offboard', '--config', opts.config ?? councilFile(w), '--user', user, '--term-end', TERM_END, '--yes', '--data-dir', w.data, ...args],
    { env: opts.env, tenant: { h: opts.on ?? h, upn: user } });
};

/** `councilguard report` over a folder holding the given findings.json text. */
const report = (w: Workspace, findings: string | undefined, extra: string[] = []) => {
  const dir = w.folder('run');
  if (findings !== undefined) w.file('run/findings.json', findings);
  return w.cli(['report', '--from', dir, ...extra]);
};

/** `councilguard simulate --scenario` with a scenario file made by `change` from the basic one. */
const simulate = (w: Workspace, scenario: string | ((s: Record<string, unknown> & { users: Record<string, unknown>[] }) => void)) =>
  w.cli(['simulate', '--scenario', typeof scenario === 'string' ? scenario : (() => {
    const s = structuredClone(loadScenario('basic')) as unknown as Record<string, unknown> & { users: Record<string, unknown>[] };
    scenario(s);
    return w.file('scenario.json', s);
  })()]);

const DEPUTY = `deputy.clerk@${DOMAIN}`;
/** A second council in another tenant, for the cross-council rows. */
const OTHER_TENANT = '0b7e3c1a-5d2f-4e6a-9c8b-7a6f5e4d3c2b';
let signIn: SignInHarness;
let twoCouncils: ReturnType<typeof offboardingHttpHandlers>;
type Who = { name: string; roles: string[]; tenantId?: string; displayName?: string };
/** How the caller comes: a token from the simulated Entra (changed by `override`), one signed with a key Entra does not publish, or a forged principal header alone. */
type Auth = { as?: 'token' | 'unpublished-key' | 'forged-header'; override?: Record<string, unknown>; headers?: Record<string, string>; councils?: 'two' };

/** POST /api/offboarding as the Functions host calls it; the code is the HTTP status. */
async function post(body: unknown, who: Who | null = { name: DEPUTY, roles: ['Offboarding.Request'] }, auth: Auth = {}): Promise<Outcome> {
  const before = serialiseTenant(h.tenant());
  const url = 'https://councilguard.example/api/offboarding';
  const caller = who && { upn: who.name, roles: who.roles, tenantId: who.tenantId ?? h.council.tenantId, name: who.displayName };
  const signedIn = !caller ? {}
    : auth.as === 'forged-header' ? { 'x-ms-client-principal': forgedPrincipalHeader(caller) }
    : signIn.headers(caller, auth.override, auth.as === 'unpublished-key' ? 'other' : 'published');
  const request = new HttpRequest({
    method: 'POST', url,
    headers: { ...(auth.headers ?? sameOriginJson(url)), ...signedIn },
    body: { string: typeof body === 'string' ? body : JSON.stringify(body) },
  });
  const res = await (auth.councils === 'two' ? twoCouncils : http).start(request, new InvocationContext({ functionName: 'offboardingStart', logHandler: () => {} }));
  const upn = typeof body === 'object' && body && 'userPrincipalName' in body ? String((body as { userPrincipalName: unknown }).userPrincipalName) : LEAVER;
  return { code: res.status ?? 200, message: String((res.jsonBody as { error?: string } | undefined)?.error ?? ''), changes: await tenantChanges(h, upn, before) };
}

/** A handler over this council and another in its own tenant; the code is the HTTP status, the tenant and store as they were. */
async function other(call: (councils: ReturnType<typeof testCouncils>) => Promise<HttpResponseInit>): Promise<Outcome> {
  const before = serialiseTenant(h.tenant());
  const otherCouncil = { ...structuredClone(h.council), name: 'Other Parish Council', tenantId: OTHER_TENANT, domains: ['otherparish.gov.uk'], clerk: 'clerk@otherparish.gov.uk', staff: [], roster: [] };
  const res = await call(testCouncils({ councils: [h.council, otherCouncil], store: h.store, graph: h.graph }));
  return { code: res.status ?? 200, message: String((res.jsonBody as { error?: string } | undefined)?.error ?? ''), changes: await tenantChanges(h, LEAVER, before) };
}

const sameFile = (findings: object) => renderFindingsJson(makeDocument(findings as Parameters<typeof makeDocument>[0]));

const ROWS: BadInputRow[] = [
  // ---- Council config (councilguard audit --config FILE) ----
  { area: 'config', name: 'config file missing', run: (w) => audit(w, `${w.root}/input/nowhere.json`), expect: { code: 2, fix: /does not exist; give the path of the JSON file with --config/ } },
  { area: 'config', name: 'config not valid JSON', run: (w) => audit(w, w.file('c.json', '{ "councils": [ {')), expect: { code: 2, fix: /is not valid JSON .*; fix the syntax/ } },
  { area: 'config', name: 'config file empty', run: (w) => audit(w, w.file('c.json', '')), expect: { code: 2, fix: /is not valid JSON .*; fix the syntax/ } },
  { area: 'config', name: 'top-level key misspelt ("council")', run: (w) => audit(w, { council: DEMO_CONFIG.councils }), expect: { code: 2, fix: /unknown field "council"; known fields are councils/ } },
  { area: 'config', name: 'tenant id not a GUID', run: (w) => audit(w, demoWith((c) => { c.tenantId = 'exampleparish'; })), expect: { code: 2, fix: /tenantId is not a valid GUID/ } },
  { area: 'config', name: 'unknown profile', run: (w) => audit(w, demoWith((c) => { c.profile = 'parish-2019'; })), expect: { code: 2, fix: /profile "parish-2019" is not a known policy profile; use one of model-council, wivelsfield-2023/ } },
  { area: 'config', name: 'clerk not an email address', run: (w) => audit(w, demoWith((c) => { c.clerk = 'the clerk'; })), expect: { code: 2, fix: /clerk "the clerk" is not an email address .*write it like name@exampleparish\.gov\.uk/ } },
  {
    area: 'config', name: 'clerk not in the council\'s domains', run: (w) => audit(w, demoWith((c) => { c.clerk = 'parish.clerk@gmail.com'; })),
    expect: { code: 2, fix: /clerk .*gmail\.com.*domains/ },
  },
  {
    area: 'config', name: 'unknown key in a council (typo "alowedForwardingDomains")', run: (w) => audit(w, demoWith((c) => { c.alowedForwardingDomains = ['partner.gov.uk']; })),
    expect: { code: 2, fix: /unknown field "alowedForwardingDomains"; known fields are/ },
  },
  { area: 'config', name: 'term ends before it starts', run: (w) => audit(w, demoWith((c) => { c.roster[0].termEnd = '2020-01-01'; })), expect: { code: 2, fix: /ends \(2020-01-01\) before it starts .*correct termStart or termEnd/ } },
  { area: 'config', name: 'roster date not a date', run: (w) => audit(w, demoWith((c) => { c.roster[1].termEnd = 'next May'; })), expect: { code: 2, fix: /roster\[1\]\.termEnd is not a valid date \(YYYY-MM-DD\)/ } },
  { area: 'config', name: 'councillor listed twice', run: (w) => audit(w, demoWith((c) => { c.roster.push({ ...c.roster[0] }); })), expect: { code: 2, fix: /twice; keep one entry per councillor/ } },
  { area: 'config', name: 'council domain with a scheme and a space', run: (w) => audit(w, demoWith((c) => { c.domains = ['https://exa mple.gov.uk']; })), expect: { code: 2, fix: /is not a domain name; write it like exampleparish\.gov\.uk \(no scheme, no spaces\)/ } },
  { area: 'config', name: 'allowed forwarding domain is a URL', run: (w) => audit(w, demoWith((c) => { c.allowedForwardingDomains = ['http://partner.org']; })), expect: { code: 2, fix: /"http:\/\/partner\.org" is not a domain name; write it like partner\.gov\.uk/ } },
  { area: 'config', name: 'unknown check id disabled', run: (w) => audit(w, demoWith((c) => { c.checks = { disabled: ['mail.forwarding'] }; })), expect: { code: 2, fix: /unknown check "mail\.forwarding"; valid ids are .*mail\.external-forwarding/ } },
  { area: 'config', name: 'unknown clause key renumbered', run: (w) => audit(w, demoWith((c) => { c.checks = { disabled: [], clauses: { 'mail.forwards': '15' } }; })), expect: { code: 2, fix: /unknown clause key "mail\.forwards"; valid keys are/ } },
  { area: 'config', name: 'two councils with one tenant', run: (w) => audit(w, demoWith((c, f) => { f.councils.push({ ...c, name: 'Twin Parish Council' }); })), expect: { code: 2, fix: /is also used by .*each council is its own tenant — correct one of them/ } },
  { area: 'config', name: 'SharePoint site missing', run: (w) => audit(w, demoWith((c) => { delete c.sharePoint.siteUrl; })), expect: { code: 2, fix: /sharePoint needs siteId or siteUrl/ } },
  { area: 'config', name: 'email delivery from something not an address', run: (w) => audit(w, demoWith((c) => { c.delivery = { email: { from: 'clerk', to: ['clerk@exampleparish.gov.uk'] } }; })), expect: { code: 2, fix: /delivery\.email\.from "clerk" is not an email address .*write it like/ } },
  { area: 'config', name: 'IT supplier app id not a GUID', run: (w) => audit(w, demoWith((c) => { c.itSupplier.appIds = ['supplier-app']; })), expect: { code: 2, fix: /itSupplier\.appIds\[0\] is not a valid GUID/ } },
  {
    area: 'config', name: 'sign-in country written as a name', run: (w) => audit(w, demoWith((c) => { c.allowedSignInCountries = ['England']; })),
    expect: { code: 2, fix: /allowedSignInCountries\[0\].*(two-letter|ISO 3166|like "?GB)/ },
  },

  // ---- CLI arguments ----
  { area: 'cli', name: 'audit without --config', run: (w) => w.cli(['audit', '--out', w.out]), expect: { code: 2, fix: /required option '--config <file>' not specified[\s\S]*councilguard --help/ } },
  { area: 'cli', name: 'unknown --fail-on severity', run: (w) => audit(w, DEMO_CONFIG, ['--fail-on', 'critical']), expect: { code: 2, fix: /argument 'critical' is invalid\. Allowed choices are high, medium, low/ } },
  { area: 'cli', name: 'misspelt command', run: (w) => w.cli(['audti', '--config', 'x']), expect: { code: 2, fix: /unknown command 'audti'[\s\S]*Did you mean audit\?/ } },
  { area: 'cli', name: 'unknown option', run: (w) => audit(w, DEMO_CONFIG, ['--colour', 'red']), expect: { code: 2, fix: /unknown option '--colour'[\s\S]*run councilguard --help/ } },
  // The supplier's morning (#16): notifications and config push.
  { area: 'config', name: 'Teams webhook over plain http', run: (w) => audit(w, demoWith((c) => { c.delivery = { teams: { webhookUrl: 'http://prod-00.uksouth.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=x' } }; })), expect: { code: 2, fix: /delivery\.teams\.webhookUrl must be an https:\/\/ address .*When a Teams webhook request is received/ } },
  { area: 'config', name: 'Teams webhook on a host that is not Workflows (an old Office 365 connector)', run: (w) => audit(w, demoWith((c) => { c.delivery = { teams: { webhookUrl: 'https://exampleparish.webhook.office.com/webhookb2/abc' } }; })), expect: { code: 2, fix: /points at exampleparish\.webhook\.office\.com, which is not a Power Automate Workflows host.*add it to .*allowedHosts/ } },
  { area: 'cli', name: 'config push of a config that fails validation (nothing uploaded)', run: (w) => w.cli(['config', 'push', '--config', w.file('bad.json', demoWith((c) => { c.tenantId = 'not-a-guid'; }))]), expect: { code: 2, fix: /tenantId/ } },
  { area: 'cli', name: 'config with an unknown action', run: (w) => w.cli(['config', 'pull']), expect: { code: 2, fix: /Unknown config action "pull": use councilguard config push --config councils\.json/ } },
  // The election changeover (#18).
  { area: 'cli', name: 'offboard --all-ended together with --user', run: (w) => offboard(w, ['--all-ended']), expect: { code: 2, fix: /--all-ended surrenders every rostered councillor whose term has ended, each with the roster's term end; leave out --user/ } },
  { area: 'cli', name: 'offboard --all-ended --concurrency 0', run: (w) => w.cli(['offboard', '--config', councilFile(w), '--all-ended', '--concurrency', '0']), expect: { code: 2, fix: /--concurrency must be a whole number from 1 to \d+ \(got "0"\)/ } },
  { area: 'cli', name: '--output with an unknown format', run: (w) => audit(w, DEMO_CONFIG, ['--output', 'xml']), expect: { code: 2, fix: /option '--output <format>' argument 'xml' is invalid\. Allowed choices are text, json, csv, md/ } },
  { area: 'cli', name: '--tenant not in the config', run: (w) => audit(w, DEMO_CONFIG, ['--tenant', '00000000-0000-4000-8000-000000000000']), expect: { code: 2, fix: /has the tenant id "00000000-.*"; the config lists Example Parish Council \(6f1c2b9a/ } },
  { area: 'cli', name: '--term-end not a date', run: (w) => w.cli(['offboard', '--config', councilFile(w), '--user', LEAVER, '--term-end', '07/05/2026', '--yes', '--data-dir', w.data]), expect: { code: 2, fix: /--term-end "07\/05\/2026" is not a date; write it as YYYY-MM-DD/ } },
  { area: 'cli', name: '--term-end an impossible date', run: (w) => w.cli(['offboard', '--config', councilFile(w), '--user', LEAVER, '--term-end', '2026-02-30', '--yes', '--data-dir', w.data]), expect: { code: 2, fix: /"2026-02-30" is not a date; write it as YYYY-MM-DD/ } },
  { area: 'cli', name: '--force without --reason', run: (w) => offboard(w, ['--force']), expect: { code: 2, fix: /--force needs --reason "…": say why the surrender starts before the term end/ } },
  { area: 'cli', name: '--reason without --force', run: (w) => offboard(w, ['--reason', 'resigned']), expect: { code: 2, fix: /--reason goes with --force/ } },
  { area: 'cli', name: 'offboard without --user', run: (w) => w.cli(['offboard', '--config', councilFile(w), '--term-end', TERM_END]), expect: { code: 2, fix: /Say who to surrender: --user UPN --term-end YYYY-MM-DD, or --all-ended/ } },
  { area: 'cli', name: '--council that is not in the config', run: (w) => offboard(w, ['--council', 'Atlantis']), expect: { code: 2, fix: /No council in the config is called or has the tenant id "Atlantis"; the config lists Test Parish Council/ } },
  {
    area: 'cli', name: 'address on no roster, two councils', expect: { code: 2, fix: /on no council's roster .*say which council with --council/ },
    run: (w) => {
      const c = structuredClone(h.council) as unknown as Record<string, unknown>;
      const config = w.file('two.json', { councils: [c, { ...c, name: 'Other Parish Council', tenantId: '11111111-2222-4333-8444-555555555555', domains: ['otherparish.gov.uk'], clerk: 'clerk@otherparish.gov.uk', staff: [], roster: [] }] });
      return offboard(w, [], { config, user: 'someone@elsewhere.example' });
    },
  },
  { area: 'cli', name: 'report from a folder with no findings.json', run: (w) => report(w, undefined), expect: { code: 2, fix: /has no findings\.json; give --from the folder an audit wrote/ } },
  { area: 'cli', name: 'report from findings.json of another schema version', run: (w) => report(w, JSON.stringify({ ...makeDocument(), schemaVersion: 2 })), expect: { code: 2, fix: /schema version 2; .*re-run the audit or use a matching version/ } },
  { area: 'cli', name: 'report from a findings.json cut short', run: (w) => report(w, sameFile({}).slice(0, 200)), expect: { code: 2, fix: /is cut short .*; re-run the audit to write it again/ } },
  { area: 'cli', name: 'report from a findings.json whose policy id climbs out ("../../etc/passwd")', run: (w) => report(w, sameFile({ policy: { id: '../../etc/passwd', version: '1' } })), expect: { code: 2, fix: /There is no policy profile "\.\.\/\.\.\/etc\/passwd"; use one of model-council, wivelsfield-2023/ } },
  { area: 'cli', name: 'report --index without --out', run: (w) => report(w, sameFile({}), ['--index']), expect: { code: 2, fix: /--index needs --out, the folder to write index\.html in/ } },
  { area: 'cli', name: 'report with two --from folders and no --index', run: (w) => w.cli(['report', '--from', w.folder('a'), w.folder('b')]), expect: { code: 2, fix: /use --index to combine several/ } },
  { area: 'cli', name: 'simulate --port not a number', run: (w) => w.cli(['simulate', '--port', 'abc']), expect: { code: 2, fix: /--port abc is not a port number; give a whole number from 1 to 65535/ } },
  { area: 'cli', name: 'simulate --port out of range', run: (w) => w.cli(['simulate', '--port', '70000']), expect: { code: 2, fix: /--port 70000 is not a port number; give a whole number from 1 to 65535/ } },

  // ---- Scenario files (councilguard simulate --scenario) ----
  { area: 'scenario', name: 'unknown built-in scenario', run: (w) => simulate(w, 'atlantis'), expect: { code: 2, fix: /no built-in scenario "atlantis"; choose one of .*basic.*demo.*, or give the path to a scenario JSON file/ } },
  { area: 'scenario', name: 'scenario file missing', run: (w) => simulate(w, `${w.root}/input/absent.json`), expect: { code: 2, fix: /absent\.json does not exist; check the path/ } },
  { area: 'scenario', name: 'scenario not valid JSON', run: (w) => simulate(w, w.file('broken.json', '{ "name": ')), expect: { code: 2, fix: /is not valid JSON .*; fix the syntax/ } },
  { area: 'scenario', name: 'user without userPrincipalName', run: (w) => simulate(w, (s) => { delete s.users[0].userPrincipalName; }), expect: { code: 2, fix: /users\[0\]\.userPrincipalName is required[\s\S]*Fix these fields \(simulator\/scenario\.schema\.json/ } },
  { area: 'scenario', name: 'unknown field deep inside', run: (w) => simulate(w, (s) => { (s.sites as { libraries: Record<string, unknown>[] }[])[0].libraries[0].colour = 'blue'; }), expect: { code: 2, fix: /sites\[0\]\.libraries\[0\] has an unknown field "colour"/ } },
  { area: 'scenario', name: 'mailbox of the wrong type', run: (w) => simulate(w, (s) => { s.users[1].mailbox = 'yes'; }), expect: { code: 2, fix: /users\[1\]\.mailbox must be false or an object/ } },
  { area: 'scenario', name: 'relative time written in words', run: (w) => simulate(w, (s) => { s.users[0].lastPasswordChange = 'last week'; }), expect: { code: 2, fix: /users\[0\]\.lastPasswordChange must be a relative time like "-3d"/ } },
  { area: 'scenario', name: 'inbox rule forwardTo not a list (odd Graph data in a scenario)', run: (w) => simulate(w, (s) => { s.users[1].mailbox = { rules: [{ displayName: 'x', forwardTo: 'someone@example.net' }] }; }), expect: { code: 2, fix: /users\[1\]\.mailbox\.rules\[0\]\.forwardTo must be array/ } },

  // ---- Environment ----
  { area: 'environment', name: 'COUNCILGUARD_STORAGE not a connection string', run: (w) => audit(w, DEMO_CONFIG, [], { COUNCILGUARD_STORAGE: 'not a connection string' }), expect: { code: 2, fix: /COUNCILGUARD_STORAGE is not an Azure Storage connection string.*Access keys/ } },
  { area: 'environment', name: 'COUNCILGUARD_STORAGE without an account key', run: (w) => audit(w, DEMO_CONFIG, [], { COUNCILGUARD_STORAGE: 'AccountName=parishstore' }), expect: { code: 2, fix: /COUNCILGUARD_STORAGE .*no AccountKey/ } },
  { area: 'environment', name: 'no client secret or certificate (offboard)', run: (w) => offboard(w, [], { env: { AZURE_CLIENT_SECRET: undefined } }), expect: { code: 2, fix: /set AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH \(with AZURE_CLIENT_ID\)/ } },
  { area: 'environment', name: 'AZURE_CLIENT_ID unset', run: (w) => offboard(w, [], { env: { AZURE_CLIENT_ID: undefined } }), expect: { code: 2, fix: /AZURE_CLIENT_ID is not set: set it to the app registration's Application \(client\) ID/ } },
  {
    area: 'environment', name: 'managed identity used for a council outside its tenant (token for the wrong tenant)',
    expect: { code: 2, fix: /gave a token for tenant 0b7e3c1a-.*, but this council's tenant is .*; nothing was sent\. A managed identity gets tokens only in its own tenant: .*COUNCILGUARD_MANAGED_IDENTITY_CLIENT_ID/ },
    run: async (w) => {
      h.sim.managedIdentity.homeTenantId = OTHER_TENANT;
      try {
        return await offboard(w, [], { env: { ...h.sim.managedIdentityEnv(), COUNCILGUARD_USE_MANAGED_IDENTITY: 'true', AZURE_CLIENT_SECRET: undefined } });
      } finally {
        h.sim.managedIdentity.homeTenantId = h.council.tenantId;
      }
    },
  },
  {
    area: 'environment', name: 'COUNCILGUARD_CERTIFICATE_NAME not in the Key Vault',
    run: (w) => offboard(w, [], { env: { ...h.sim.managedIdentityEnv(), COUNCILGUARD_USE_MANAGED_IDENTITY: 'false', AZURE_CLIENT_SECRET: undefined, KEY_VAULT_URI: h.sim.keyVaultUri, COUNCILGUARD_CERTIFICATE_NAME: 'councilguard-missing' } }),
    expect: { code: 2, fix: /Key Vault has no COUNCILGUARD_CERTIFICATE_NAME "councilguard-missing" in KEY_VAULT_URI .* \(SecretNotFound\); set COUNCILGUARD_CERTIFICATE_NAME to the certificate's name in that vault, or KEY_VAULT_URI/ },
  },
  {
    area: 'environment', name: 'the Key Vault certificate is PKCS#12, not PEM',
    expect: { code: 2, fix: /COUNCILGUARD_CERTIFICATE_NAME "councilguard-pfx" in KEY_VAULT_URI .* is not a PEM certificate \(content type application\/x-pkcs12\); create the certificate in Key Vault with the content type application\/x-pem-file/ },
    run: async (w) => {
      h.sim.keyVault.secrets.set('councilguard-pfx', { value: Buffer.from('pfx bytes').toString('base64'), contentType: 'application/x-pkcs12' });
      try {
        return await offboard(w, [], { env: { ...h.sim.managedIdentityEnv(), COUNCILGUARD_USE_MANAGED_IDENTITY: 'false', AZURE_CLIENT_SECRET: undefined, KEY_VAULT_URI: h.sim.keyVaultUri, COUNCILGUARD_CERTIFICATE_NAME: 'councilguard-pfx' } });
      } finally {
        h.sim.keyVault.secrets.delete('councilguard-pfx');
      }
    },
  },
  { area: 'environment', name: 'COUNCILGUARD_USE_MANAGED_IDENTITY neither true nor false', run: (w) => offboard(w, [], { env: { COUNCILGUARD_USE_MANAGED_IDENTITY: 'yes' } }), expect: { code: 2, fix: /COUNCILGUARD_USE_MANAGED_IDENTITY "yes" must be true or false/ } },
  {
    area: 'environment', name: 'app registration in Azure with no credential for it', run: (w) => offboard(w, [], { env: { IDENTITY_ENDPOINT: 'http://localhost:42356/msi/token', AZURE_CLIENT_SECRET: undefined, COUNCILGUARD_USE_MANAGED_IDENTITY: 'false' } }),
    expect: { code: 2, fix: /No credential is configured for the app registration .*COUNCILGUARD_MANAGED_IDENTITY_CLIENT_ID .*infra\/setup-federated-credential\.sh/ },
  },
  { area: 'environment', name: 'GRAPH_BASE_URL over plain http', run: (w) => offboard(w, [], { env: { GRAPH_BASE_URL: 'http://graph.example' } }), expect: { code: 2, fix: /GRAPH_BASE_URL "http:\/\/graph\.example" must use https .*set it to an https address/ } },
  { area: 'environment', name: 'GRAPH_BASE_URL not a URL', run: (w) => offboard(w, [], { env: { GRAPH_BASE_URL: 'graph' } }), expect: { code: 2, fix: /GRAPH_BASE_URL "graph" is not a URL; set it to an https address/ } },
  { area: 'environment', name: 'AZURE_AUTHORITY_HOST over plain http', run: (w) => offboard(w, [], { env: { AZURE_AUTHORITY_HOST: 'http://login.example' } }), expect: { code: 2, fix: /AZURE_AUTHORITY_HOST "http:\/\/login\.example" must use https/ } },
  { area: 'environment', name: 'upload fragment size not a multiple of 320 KiB', run: (w) => offboard(w, [], { env: { COUNCILGUARD_UPLOAD_FRAGMENT_KIB: '1000' } }), expect: { code: 2, fix: /must be a multiple of 320 .*e\.g\. 3200/ } },
  { area: 'environment', name: 'AUDIT_SCHEDULE with five fields', run: (w) => w.call(() => validateSchedule('0 2 * * *')), expect: { code: 'ConfigError', fix: /AUDIT_SCHEDULE "0 2 \* \* \*" is not a six-field NCRONTAB schedule.*use for example "0 0 1,2 \* \* \*"/ } },
  { area: 'environment', name: 'AUDIT_SCHEDULE in words', run: (w) => w.call(() => validateSchedule('every night at 2')), expect: { code: 'ConfigError', fix: /AUDIT_SCHEDULE "every night at 2" is not a six-field NCRONTAB schedule.*use for example/ } },
  { area: 'environment', name: 'COUNCILGUARD_CONFIG unset for the nightly timer', run: (w) => w.call(() => nightlyAudit({ env: { AzureWebJobsStorage: 'UseDevelopmentStorage=true' }, log: silentLogger, clock: fixedClock('2026-01-15T02:00:00.000Z') })), expect: { code: 'ConfigError', fix: /COUNCILGUARD_CONFIG is not set: point it at the council config JSON file/ } },
  { area: 'environment', name: 'AZURE_TENANT_ID unset and no tenant given', run: (w) => w.call(() => readEnvironment({ AZURE_CLIENT_ID: 'x', AZURE_CLIENT_SECRET: 'y' })), expect: { code: 'ConfigError', fix: /AZURE_TENANT_ID is not set: set it to the council tenant's id \(a GUID\), or give tenantId in the council config/ } },
  {
    area: 'environment', name: 'no client secret or certificate (audit)', run: (w) => audit(w, demoWith((c) => { c.tenantId = h.council.tenantId; }), [], { AZURE_CLIENT_SECRET: undefined }),
    expect: { code: 2, fix: /set AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH/ },
  },

  // ---- POST /api/offboarding (the clerk's page) ----
  { area: 'http', name: 'body not JSON', run: () => post('{not json'), expect: { code: 400, fix: /the body must be a JSON object/ } },
  { area: 'http', name: 'body a JSON list', run: () => post([LEAVER, TERM_END]), expect: { code: 400, fix: /the body must be a JSON object/ } },
  { area: 'http', name: 'termEnd missing', run: () => post({ userPrincipalName: LEAVER }), expect: { code: 400, fix: /termEnd is required/ } },
  { area: 'http', name: 'userPrincipalName not an address', run: () => post({ userPrincipalName: 'Cllr Leaving', termEnd: TERM_END }), expect: { code: 400, fix: /userPrincipalName must be the councillor's sign-in address, e\.g\. cllr\.name@/ } },
  { area: 'http', name: 'termEnd written in words', run: () => post({ userPrincipalName: LEAVER, termEnd: '7 May 2026' }), expect: { code: 400, fix: /termEnd must be a date written YYYY-MM-DD, e\.g\. 2026-05-07/ } },
  { area: 'http', name: 'termEnd an impossible date', run: () => post({ userPrincipalName: LEAVER, termEnd: '2026-02-30' }), expect: { code: 400, fix: /"2026-02-30" is not a date; write it as YYYY-MM-DD/ } },
  { area: 'http', name: 'a field the request does not take', run: () => post({ userPrincipalName: LEAVER, termEnd: TERM_END, colour: 'red' }), expect: { code: 400, fix: /"colour" is not a field this request takes/ } },
  { area: 'http', name: 'force without a reason', run: () => post({ userPrincipalName: LEAVER, termEnd: '2099-05-07', force: {} }), expect: { code: 400, fix: /reason is required/ } },
  { area: 'http', name: 'force reason of one letter', run: () => post({ userPrincipalName: LEAVER, termEnd: '2099-05-07', force: { reason: 'x' } }), expect: { code: 400, fix: /force\.reason must say, in a few words, why the surrender starts before the term end/ } },
  {
    area: 'http', name: 'term end in the future, no force', run: () => post({ userPrincipalName: LEAVER, termEnd: '2099-05-07' }),
    expect: { code: 400, fix: /2099-05-07 is in the future.*force\.reason|2099-05-07 is in the future.*(tick|check|confirm).*(page|form)/ },
  },
  { area: 'http', name: 'councillor not on the roster', run: () => post({ userPrincipalName: `cllr.nobody@${DOMAIN}`, termEnd: TERM_END }), expect: { code: 400, fix: /not on the roster of Test Parish Council.*Add them to "roster" in the council config/ } },
  { area: 'http', name: 'the clerk', run: () => post({ userPrincipalName: CLERK, termEnd: TERM_END }), expect: { code: 400, fix: /is the clerk .*never surrendered\. Check the address/ } },
  { area: 'http', name: 'licence grace days negative', run: () => post({ userPrincipalName: LEAVER, termEnd: TERM_END, options: { licenceGraceDays: -1 } }), expect: { code: 400, fix: /settings come from the council config only \(enforce\.offboarding\); a request cannot set "licenceGraceDays"/ } },
  { area: 'http', name: 'unknown surrender option', run: () => post({ userPrincipalName: LEAVER, termEnd: TERM_END, options: { deleteAccount: true } }), expect: { code: 400, fix: /a request cannot set "deleteAccount"\. Leave options out of the request/ } },
  // Misuse: a request may not weaken a safety setting, nor pick a sitting councillor by a made-up date.
  { area: 'http', name: 'request removes licences at once (licenceGraceDays 0)', run: () => post({ userPrincipalName: LEAVER, termEnd: TERM_END, options: { licenceGraceDays: 0 } }), expect: { code: 400, fix: /a request cannot set "licenceGraceDays".*the IT supplier changes the council config/ } },
  { area: 'http', name: 'request re-reads one item only (verifySample 1)', run: () => post({ userPrincipalName: LEAVER, termEnd: TERM_END, options: { verifySample: 1 } }), expect: { code: 400, fix: /a request cannot set "verifySample"/ } },
  { area: 'http', name: 'request sends as another mailbox (notifyFrom)', run: () => post({ userPrincipalName: LEAVER, termEnd: TERM_END, options: { notifyFrom: `cllr.staying@${DOMAIN}` } }), expect: { code: 400, fix: /a request cannot set "notifyFrom"/ } },
  { area: 'http', name: 'request options not an object', run: () => post({ userPrincipalName: LEAVER, termEnd: TERM_END, options: [] }), expect: { code: 400, fix: /options|a request cannot set/ } },
  { area: 'http', name: 'sitting councillor by a past date that is not the roster\'s', run: () => post({ userPrincipalName: `cllr.staying@${DOMAIN}`, termEnd: '2025-05-08' }), expect: { code: 400, fix: /is not cllr\.staying@.*term end on the roster .*\(2027-05-06\)\. Use the roster's date.*force\.reason/ } },
  { area: 'http', name: 'leaver by a past date that is not the roster\'s', run: () => post({ userPrincipalName: LEAVER, termEnd: '2025-05-08' }), expect: { code: 400, fix: /The term end 2025-05-08 is not cllr\.leaving@.*\(2026-05-07\)/ } },
  { area: 'http', name: 'council not in the config', run: () => post({ userPrincipalName: LEAVER, termEnd: TERM_END, council: 'Atlantis' }), expect: { code: 400, fix: /No council in the config is called or has the tenant id "Atlantis"; the config lists Test Parish Council/ } },
  { area: 'http', name: 'no signed-in principal', run: () => post({ userPrincipalName: LEAVER, termEnd: TERM_END }, null), expect: { code: 401, fix: /Sign in first: this endpoint needs App Service authentication/ } },
  // Sign-in (issue 15): the principal is proved by an Entra token, the tenant and sign-in name decide, and
  // a state-changing request must be a same-origin JSON request.
  { area: 'http', name: 'forged x-ms-client-principal with no token', run: () => post({ userPrincipalName: LEAVER, termEnd: TERM_END }, { name: CLERK, roles: ['Offboarding.Request'] }, { as: 'forged-header' }), expect: { code: 401, fix: /Sign in first: .*forwards your Entra token/ } },
  { area: 'http', name: 'token signed with a key Entra does not publish', run: () => post({ userPrincipalName: LEAVER, termEnd: TERM_END }, { name: CLERK, roles: ['Offboarding.Request'] }, { as: 'unpublished-key' }), expect: { code: 401, fix: /Sign in again: the token failed validation/ } },
  { area: 'http', name: 'token for another app (audience)', run: () => post({ userPrincipalName: LEAVER, termEnd: TERM_END }, { name: CLERK, roles: ['Offboarding.Request'] }, { override: { aud: '00000003-0000-0000-c000-000000000000' } }), expect: { code: 401, fix: /Sign in again: the token failed validation .*aud/ } },
  { area: 'http', name: 'expired token', run: () => post({ userPrincipalName: LEAVER, termEnd: TERM_END }, { name: CLERK, roles: ['Offboarding.Request'] }, { override: { iat: 1_700_000_000, nbf: 1_700_000_000, exp: 1_700_003_600 } }), expect: { code: 401, fix: /Sign in again: the token failed validation \(ERR_JWT_EXPIRED/ } },
  { area: 'http', name: 'token from a tenant no council lists (wrong tenant)', run: () => post({ userPrincipalName: LEAVER, termEnd: TERM_END }, { name: CLERK, roles: ['Offboarding.Request'], tenantId: OTHER_TENANT }), expect: { code: 401, fix: /Sign in again: the token is from a tenant no council in the config lists/ } },
  { area: 'http', name: 'display name equal to the clerk\'s address', run: () => post({ userPrincipalName: LEAVER, termEnd: TERM_END }, { name: 'someone@elsewhere.example', displayName: CLERK, roles: ['Offboarding.Request'] }), expect: { code: 403, fix: /Your account \(someone@elsewhere\.example\) is not an account of Test Parish Council or of its IT supplier/ } },
  { area: 'http', name: 'another council\'s clerk (cross-council)', run: () => post({ userPrincipalName: LEAVER, termEnd: TERM_END }, { name: 'clerk@otherparish.gov.uk', roles: ['Offboarding.Request'], tenantId: OTHER_TENANT }, { councils: 'two' }), expect: { code: 403, fix: /Your account \(clerk@otherparish\.gov\.uk\) is not an account of Test Parish Council/ } },
  { area: 'http', name: 'the council\'s address signed in from another council\'s tenant', run: () => post({ userPrincipalName: LEAVER, termEnd: TERM_END }, { name: CLERK, roles: ['Offboarding.Request'], tenantId: OTHER_TENANT }, { councils: 'two' }), expect: { code: 403, fix: /is not an account of Test Parish Council or of its IT supplier/ } },
  { area: 'http', name: 'cross-site form post, text/plain (CSRF)', run: () => post(JSON.stringify({ userPrincipalName: LEAVER, termEnd: TERM_END }), { name: CLERK, roles: ['Offboarding.Request'] }, { headers: { 'content-type': 'text/plain', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } }), expect: { code: 403, fix: /must send Content-Type: application\/json/ } },
  { area: 'http', name: 'JSON from another origin (CSRF)', run: () => post({ userPrincipalName: LEAVER, termEnd: TERM_END }, { name: CLERK, roles: ['Offboarding.Request'] }, { headers: { 'content-type': 'application/json', origin: 'https://evil.example' } }), expect: { code: 403, fix: /must come from the CouncilGuard page itself \(same Origin\)/ } },
  {
    area: 'http', name: 'another council\'s latest report (cross-council)', expect: { code: 404, fix: /There is no report for that council that you may read; name your own council/ },
    run: () => other((councils) => latestReportHandlerFor(async () => councils, signIn.signIn)(new HttpRequest({
      method: 'GET', url: `https://councilguard.example/api/reports/latest?council=${encodeURIComponent(h.council.name)}`,
      headers: signIn.headers({ upn: 'clerk@otherparish.gov.uk', tenantId: OTHER_TENANT, roles: ['Reports.Read'] }),
    }), new InvocationContext({ functionName: 'latestReport', logHandler: () => {} }))),
  },
  {
    area: 'http', name: 'plan approval from a cross-site form (CSRF)', expect: { code: 403, fix: /must send Content-Type: application\/json/ },
    run: () => other((councils) => plansHttpHandlers({ councils: async () => councils, signIn: signIn.signIn }).approve(new HttpRequest({
      method: 'POST', url: 'https://councilguard.example/api/plans/P20261125T020000Z-abcdef/approve', params: { id: 'P20261125T020000Z-abcdef' },
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', ...signIn.headers({ upn: `itadmin@${DOMAIN}`, tenantId: h.council.tenantId, roles: ['Enforcement.Approve'] }) },
      body: { string: 'confirm=yes' },
    }), new InvocationContext({ functionName: 'planApprove', logHandler: () => {} }))),
  },
  { area: 'http', name: 'principal without the Offboarding.Request role', run: () => post({ userPrincipalName: LEAVER, termEnd: TERM_END }, { name: DEPUTY, roles: ['Reports.Read'] }), expect: { code: 403, fix: /lacks the app role Offboarding\.Request; ask the administrator .* to assign it/ } },

  // ---- Tenants that answer so that a surrender cannot start (odd Graph responses) ----
  { area: 'graph', name: 'rostered councillor with no account in the tenant (404)', run: (w) => offboard(w, [], { user: `cllr.ghost@${DOMAIN}` }), expect: { code: 2, fix: /There is no account cllr\.ghost@.*check the spelling, or whether it was renamed or deleted/ } },
  { area: 'graph', name: 'councillor holding an administrator role', run: (w) => offboard(w, [], { user: `cllr.admin@${DOMAIN}` }), expect: { code: 2, fix: /holds the administrator role\(s\) Global Administrator; remove the role\(s\) first \(Entra ID → Roles and administrators\)/ } },
  { area: 'graph', name: 'token endpoint refuses the client secret (AADSTS7000215)', run: (w) => offboard(w, [], { env: { AZURE_CLIENT_SECRET: 'wrong-secret-value' } }), expect: { code: 2, fix: /AADSTS7000215.*check AZURE_CLIENT_SECRET/ } },
  { area: 'graph', name: 'SharePoint site not found (404)', run: (w) => offboard(w, [], { config: councilFile(w, (c) => { c.sharePoint = { siteUrl: 'https://testparish.sharepoint.com/sites/nosuchsite', library: 'Documents' }; }) }), expect: { code: 2, fix: /SharePoint site .* was not found; correct sharePoint\.siteUrl or siteId in the council config/ } },
  {
    // Every permission Graph accepts for reading a OneDrive is withheld ("Get drive": Files.Read.All or a higher one).
    area: 'graph', name: 'app lacks Files.Read.All and every higher file permission (403)', expect: { code: 2, fix: /lacks application permission\(s\) the surrender needs: Files\.Read\.All \(to export the OneDrive\), Sites\.ReadWrite\.All \(to write the archive library\)\. An administrator grants them in Entra ID/ },
    run: async (w) => {
      const g = await harness({ name: 'resilience-bad-no-files', inbox: 1, withhold: ['Files.Read.All', 'Files.ReadWrite.All', 'Sites.Read.All', 'Sites.ReadWrite.All'] });
      try {
        return await offboard(w, [], { env: g.env, config: w.file('g.json', { councils: [g.council as CouncilConfig] }), on: g });
      } finally {
        await g.close();
      }
    },
  },
  {
    area: 'graph', name: 'archive library missing', expect: { code: 2, fix: /The archive library "Councillor archives" does not exist .*create a document library with that name .*sharePoint\.archiveLibrary/ },
    run: async (w) => {
      const g = await harness({ name: 'resilience-bad-no-archive', inbox: 1, noArchiveLibrary: true });
      try {
        return await offboard(w, [], { env: g.env, config: w.file('g.json', { councils: [g.council as CouncilConfig] }), on: g });
      } finally {
        await g.close();
      }
    },
  },
];

// ---- Enforcement plans (issue #7): the lead adds their bad inputs here, in the same shape. ----
// Each row: { area: 'enforcement-plan', name, run: (w) => w.cli([...]) or w.call(...), expect: { code, fix } }.
// (Plans that need an audit first: hand-edited, another tenant's, expired, remediation switched off,
// a 403 on one action, undo of an action with no effect are in test/enforce/bad-input.test.ts.)
const plan = (w: Workspace, change: (c: Record<string, unknown>) => void = () => {}) =>
  w.cli(['plan', '--config', councilFile(w, change), '--out', join(w.out, 'plan.json'), '--data-dir', w.data]);
const apply = (w: Workspace, file: string, extra: string[] = ['--yes']) => w.cli(['apply', file, '--config', councilFile(w), '--data-dir', w.data, ...extra]);
const ENFORCEMENT_PLAN_ROWS: BadInputRow[] = [
  { area: 'enforcement-plan', name: 'plan with no remediation enabled', run: (w) => plan(w), expect: { code: 2, fix: /has no remediation enabled: set one or more of enforce\.forwarding/ } },
  { area: 'enforcement-plan', name: 'plan with an unknown enforcement feature', run: (w) => plan(w, (c) => { c.enforce = { autofix: true }; }), expect: { code: 2, fix: /enforce has an unknown field "autofix"; known fields are forwarding, mfa/ } },
  { area: 'enforcement-plan', name: 'plan without --out', run: (w) => w.cli(['plan', '--config', councilFile(w)]), expect: { code: 2, fix: /required option '--out <file>' not specified/ } },
  { area: 'enforcement-plan', name: 'apply a plan file that does not exist', run: (w) => apply(w, join(w.root, 'input', 'missing.json')), expect: { code: 2, fix: /does not exist; make one with councilguard plan/ } },
  { area: 'enforcement-plan', name: 'apply a damaged plan file', run: (w) => apply(w, w.file('plan.json', '{"schemaVersion": 1, "id": ')), expect: { code: 2, fix: /is not valid JSON; .*Make a new plan with councilguard plan/ } },
  { area: 'enforcement-plan', name: 'apply a JSON file that is not a plan', run: (w) => apply(w, w.file('plan.json', { hello: 'world' })), expect: { code: 2, fix: /not a CouncilGuard plan file .*give the file councilguard plan --out wrote/ } },
  { area: 'enforcement-plan', name: 'apply without --yes', run: (w) => apply(w, w.file('plan.json', { schemaVersion: 1, id: 'P20261125T020000Z-abcdef', actions: [], notes: [] }), []), expect: { code: 2, fix: /Nothing applied: add --yes to approve/ } },
  { area: 'enforcement-plan', name: 'undo with a malformed action id', run: (w) => w.cli(['undo', '--config', councilFile(w), '--action', '../../etc/passwd', '--data-dir', w.data]), expect: { code: 2, fix: /is not a plan id \(they look like P20261125T020000Z-1a2b3c\)/ } },
];

// ---- The year's evidence for Assertion 10 (issue 17): councilguard evidence, GET /api/evidence ----
const evidence = (w: Workspace, args: string[]) => w.cli(['evidence', '--config', councilFile(w), '--data-dir', w.data, ...args]);
/** A folder outside the row's own, for a pack that is meant to be written (the row's folder must stay as it was). */
const outside = () => mkdtempSync(join(tmpdir(), 'cg-bad-input-evidence-'));
const EVIDENCE_NOW = new Date('2027-04-01T02:00:00.000Z');
/** The IT policy component of a pack built from a year of records (no tenant needed): its answer and reasons. */
const policyComponent = (change: (c: CouncilConfig) => CouncilConfig, version: (night: string) => string): Outcome => {
  const council = change(structuredClone(h.council));
  const fy = financialYear('2026-27', EVIDENCE_NOW);
  const pack = buildEvidencePack({ council, fy, stored: stored(days(fy.firstNight, fy.lastNight).map((n) => runRecord(council, n, { policy: { id: council.profile, version: version(n) } }))), generatedAt: EVIDENCE_NOW.toISOString() });
  const s = pack.sections.find((x) => x.id === 'it-policy')!;
  return { code: s.answer, message: s.reasons.join(' '), changes: [] };
};
const getEvidence = async (query: string): Promise<Outcome> => {
  const handler = evidenceHandlerFor(async () => testCouncils({ councils: [h.council], store: h.store, graph: h.graph }), signIn.signIn);
  const res = await handler(new HttpRequest({ method: 'GET', url: `https://councilguard.example/api/evidence?${query}`, headers: signIn.headers({ upn: CLERK, tenantId: h.council.tenantId, roles: ['Reports.Read'] }) }), new InvocationContext({ functionName: 'evidence', logHandler: () => {} }));
  return { code: res.status ?? 200, message: String((res.jsonBody as { error?: string } | undefined)?.error ?? ''), changes: [] };
};
const EVIDENCE_ROWS: BadInputRow[] = [
  { area: 'cli', name: 'evidence --year written with a slash', run: (w) => evidence(w, ['--year', '2026/27', '--out', w.out]), expect: { code: 2, fix: /--year "2026\/27" is not a financial year; write it as YYYY-YY with consecutive years, e\.g\. 2026-27/ } },
  { area: 'cli', name: 'evidence --year of years not consecutive', run: (w) => evidence(w, ['--year', '2026-28', '--out', w.out]), expect: { code: 2, fix: /"2026-28" is not a financial year; write it as YYYY-YY with consecutive years/ } },
  { area: 'cli', name: 'evidence --year in full (2026-2027)', run: (w) => evidence(w, ['--year', '2026-2027', '--out', w.out]), expect: { code: 2, fix: /"2026-2027" is not a financial year; write it as YYYY-YY/ } },
  { area: 'cli', name: 'evidence --year not yet begun', run: (w) => evidence(w, ['--year', '2098-99', '--out', w.out]), expect: { code: 2, fix: /The financial year 2098-99 has not begun \(it starts on 1 April 2098\); give a year that has/ } },
  { area: 'cli', name: 'evidence without --year', run: (w) => evidence(w, ['--out', w.out]), expect: { code: 2, fix: /Say which financial year with --year YYYY-YY/ } },
  { area: 'cli', name: 'evidence for a council not in the config', run: (w) => evidence(w, ['--council', 'Atlantis', '--year', '2025-26', '--out', w.out]), expect: { code: 2, fix: /No council in the config is called or has the tenant id "Atlantis"; the config lists Test Parish Council/ } },
  {
    area: 'cli', name: 'evidence for a year with no run records (the pack says so; exit 1)',
    expect: { code: 1, fix: /there are no run records for 2015-16; the pack in .* says so and suggests no answer/ },
    run: async (w) => {
      const out = outside();
      try {
        const outcome = await evidence(w, ['--year', '2015-16', '--out', out]);
        const html = readFileSync(join(out, 'evidence.html'), 'utf8');
        // Nothing misleading: no answer but "Cannot tell", and the page says there are no records.
        if (!html.includes('No run records for 2015-16') || /answer a-(yes|no)"/.test(html)) outcome.changes.push('the pack suggests an answer without records');
        return outcome;
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    },
  },
  {
    area: 'cli', name: 'evidence --verify on a pack whose evidence.csv was edited', expect: { code: 1, fix: /does not match the store: evidence\.csv was changed/ },
    run: async (w) => {
      const out = outside();
      try {
        await evidence(w, ['--year', '2016-17', '--out', out]);
        writeFileSync(join(out, 'evidence.csv'), readFileSync(join(out, 'evidence.csv'), 'utf8').replace('nights audited,0', 'nights audited,365'));
        return await w.cli(['evidence', '--config', councilFile(w), '--data-dir', w.data, '--verify', out]);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    },
  },
  { area: 'cli', name: 'evidence --verify on a folder without a pack', run: (w) => w.cli(['evidence', '--config', councilFile(w), '--verify', w.folder('empty')]), expect: { code: 2, fix: /has no evidence\.json; give --verify the folder councilguard evidence --out wrote/ } },
  { area: 'cli', name: 'evidence --verify with --year', run: (w) => w.cli(['evidence', '--config', councilFile(w), '--verify', w.folder('empty'), '--year', '2026-27']), expect: { code: 2, fix: /--verify takes only the pack's folder .*leave out --year and --out/ } },
  {
    area: 'cli', name: 'run records whose profile version changed mid-year (both versions with their dates)',
    run: async () => policyComponent((c) => ({ ...c, policy: { adopted: '2023-05-10', reviewed: '2026-05-12' } }), (n) => (n < '2026-10-01' ? '2023' : '2026')),
    expect: { code: 'Yes', fix: /profile changed during the year: wivelsfield-2023 version 2023 from 1 Apr 2026 to 30 Sept? 2026; wivelsfield-2023 version 2026 from 1 Oct 2026 to 31 Mar 2027/ },
  },
  {
    area: 'config', name: 'policy.adopted and policy.reviewed missing (the component cannot tell and names the fields)',
    run: async () => policyComponent((c) => ({ ...c, policy: undefined }), () => '1'),
    expect: { code: 'Cannot tell from the tenant', fix: /does not record policy\.adopted or policy\.reviewed; add "policy": \{ "adopted": "YYYY-MM-DD", "reviewed": "YYYY-MM-DD" \} to this council's entry/ },
  },
  { area: 'config', name: 'policy.reviewed before policy.adopted', run: (w) => audit(w, demoWith((c) => { c.policy = { adopted: '2025-05-01', reviewed: '2024-01-01' }; })), expect: { code: 2, fix: /policy\.reviewed \(2024-01-01\) is before policy\.adopted \(2025-05-01\); correct one of them/ } },
  { area: 'config', name: 'policy.adopted written in words', run: (w) => audit(w, demoWith((c) => { c.policy = { adopted: 'May 2025' }; })), expect: { code: 2, fix: /policy\.adopted is not a valid date \(YYYY-MM-DD\)/ } },
  { area: 'config', name: 'ICO registration number with spaces', run: (w) => audit(w, demoWith((c) => { c.declarations = { icoRegistration: 'ZA 123 456' }; })), expect: { code: 2, fix: /declarations\.icoRegistration must be the ICO registration number .*such as ZA123456/ } },
  { area: 'config', name: 'accessibility statement over plain http', run: (w) => audit(w, demoWith((c) => { c.declarations = { accessibilityStatementUrl: 'http://exampleparish.gov.uk/accessibility' }; })), expect: { code: 2, fix: /declarations\.accessibilityStatementUrl must be an https:\/\/ address/ } },
  { area: 'http', name: 'GET /api/evidence without a year', run: () => getEvidence(`council=${encodeURIComponent(h.council.name)}`), expect: { code: 400, fix: /Say which financial year: &year=YYYY-YY, e\.g\. 2026-27/ } },
  { area: 'http', name: 'GET /api/evidence with a year in words', run: () => getEvidence(`council=${encodeURIComponent(h.council.name)}&year=last%20year`), expect: { code: 400, fix: /"last year" is not a financial year; write it as YYYY-YY/ } },
  { area: 'http', name: 'GET /api/evidence for a council not in the config (404, without listing the others)', run: () => getEvidence('council=Atlantis&year=2025-26'), expect: { code: 404, fix: /^No council "Atlantis" for your account\.$/ } },
];

const ALL = [...ROWS, ...ENFORCEMENT_PLAN_ROWS, ...EVIDENCE_ROWS];

describe('bad input: refused with the fix, nothing half-written', () => {
  beforeAll(async () => {
    h = await harness({ name: 'resilience-bad-input', inbox: 3 });
    const deps = h.deps();
    signIn = signInWith(h.sim);
    http = offboardingHttpHandlers({ councils: async () => testCouncils({ councils: [h.council], store: h.store, graph: h.graph }), starter: () => inProcessStarter(async () => deps), signIn: signIn.signIn });
    const other = { ...structuredClone(h.council), name: 'Other Parish Council', tenantId: OTHER_TENANT, domains: ['otherparish.gov.uk'], clerk: 'clerk@otherparish.gov.uk', staff: [], roster: [] };
    twoCouncils = offboardingHttpHandlers({ councils: async () => testCouncils({ councils: [h.council, other], store: h.store, graph: h.graph }), starter: () => inProcessStarter(async () => deps), signIn: signIn.signIn });
  });
  afterAll(() => h?.close());

  it('the table holds at least 40 distinct inputs from every area', () => {
    expect(ALL.length).toBeGreaterThanOrEqual(40);
    expect(new Set(ALL.map((r) => r.name)).size).toBe(ALL.length);
    expect(new Set(ALL.map((r) => r.area))).toEqual(new Set(['config', 'cli', 'scenario', 'environment', 'http', 'graph', ...ENFORCEMENT_PLAN_ROWS.map((r) => r.area)]));
  });

  const check = async (row: BadInputRow) => {
    const w = new Workspace(baseEnv);
    try {
      const outcome = await row.run(w);
      // One object, so a failure shows the code, the whole message and what changed together.
      expect({ code: outcome.code, fixNamed: row.expect.fix.test(outcome.message), changes: outcome.changes, message: outcome.message })
        .toEqual({ code: row.expect.code, fixNamed: true, changes: [], message: outcome.message });
    } finally {
      rmSync(w.root, { recursive: true, force: true });
    }
  };

  for (const row of ALL) {
    if (row.bug) it.failing(`${row.area}: ${row.name} [BUG: ${row.bug}]`, () => check(row));
    else it(`${row.area}: ${row.name}`, () => check(row));
  }
});
