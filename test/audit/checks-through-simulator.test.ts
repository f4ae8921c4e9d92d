// Every check through collect -> evaluate against the simulator: a clean tenant passes each one, and
// the skip reasons arise from the tenant (licence, permission, Exchange connection).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runAudit } from '../../jobs/run-audit';
import { createGraphContext } from '../../graph';
import { readEnvironment } from '../../config/env';
import { parseCouncilFile } from '../../jobs/council-context';
import { openStore } from '../../store';
import { silentLogger } from '../../core/logger';
import { loadScenario, startSimulator, type Scenario } from '../../simulator';
import { CHECK_IDS } from '../../checks';
import { councilContext } from '../../context/council-context';

/** The demo tenant with every planted breach put right. */
function cleanTenant(change: (s: Scenario) => void = () => {}): Scenario {
  const s = structuredClone(loadScenario('demo'));
  s.tenantId = randomUUID();
  for (const u of s.users) {
    if (u.mailbox) u.mailbox.rules = (u.mailbox.rules ?? []).filter((r) => (r.forwardTo ?? r.redirectTo ?? []).every((a) => a.endsWith('@exampleparish.gov.uk')));
    if (u.drive) u.drive.files = u.drive.files.filter((f) => !f.path.startsWith('/Council/') || f.path.endsWith('notes.txt'));
    if (!u.mfa?.methods?.length && u.userPrincipalName.startsWith('cllr.')) u.mfa = { methods: ['microsoftAuthenticator'] };
    if (u.passwordPolicies === 'DisableStrongPassword') u.passwordPolicies = null;
  }
  for (const site of s.sites ?? []) for (const lib of site.libraries) for (const f of lib.files ?? []) f.sharing = (f.sharing ?? []).filter((x) => x.type !== 'anonymous');
  s.conditionalAccessPolicies![0].excludeUsers = ['breakglass@exampleparish.onmicrosoft.com'];
  s.managedDevices = s.managedDevices!.map((d) => ({ ...d, isEncrypted: true }));
  s.auditRecords = s.auditRecords!.filter((r) => !r.user.startsWith('rfo@'));
  change(s);
  return s;
}

async function auditOnce(s: Scenario, configChange: (c: ReturnType<typeof demoCouncil>) => void = () => {}) {
  const council = demoCouncil();
  council.tenantId = s.tenantId;
  council.roster = council.roster.map((r) => ({ ...r, termEnd: '2027-05-06' }));
  configChange(council);
  // Outlook's documented concurrency (4 per app) on: the audit's inbox-rule $batch reads stay within it.
  const sim = await startSimulator({ scenarios: [s], faults: { outlookConcurrency: 4 } });
  try {
    const graph = createGraphContext(readEnvironment(sim.env(), s.tenantId));
    const store = await openStore(process.env.COUNCILGUARD_TEST_STORAGE!);
    const parsed = parseCouncilFile({ councils: [council] }, 'test').councils[0];
    const result = await runAudit(councilContext(parsed, { graph, store, log: silentLogger }));
    expect(sim.stats.throttled).toBe(0);
    expect(sim.stats.maxOutlookInFlight[sim.clientId] ?? 0).toBeLessThanOrEqual(4);
    return result;
  } finally {
    await sim.close();
  }
}

function demoCouncil() {
  return JSON.parse(readFileSync(join(__dirname, '../../simulator/scenarios/demo.councils.json'), 'utf8')).councils[0] as import('../../policy/council-config').CouncilConfig;
}

describe('each check through the simulator', () => {
  it('a clean tenant passes every check (no findings above info)', async () => {
    const { document } = await auditOnce(cleanTenant());
    expect(document.findings.filter((f) => f.severity !== 'info').map((f) => `${f.checkId} ${f.summary}`)).toEqual([]);
    for (const id of CHECK_IDS) expect([id, document.checks.find((c) => c.id === id)?.status]).toEqual([id, 'pass']);
  });

  it('without Exchange.ManageAsApp the mailbox-forwarding parts are skipped as not-connected; inbox rules still run', async () => {
    const { document } = await auditOnce(cleanTenant((s) => { s.exchangeManageAsApp = false; s.users[2].mailbox = { rules: [{ displayName: 'fwd', forwardTo: ['x@gmail.com'] }] }; }));
    const check = document.checks.find((c) => c.id === 'mail.external-forwarding')!;
    expect(check.status).toBe('fail');
    expect(check.partialSkips?.map((p) => p.reason.code)).toEqual(expect.arrayContaining(['not-connected']));
  });

  // The higher permissions Graph also accepts are withheld too, or they would stand in (graph/permissions.ts alsoAccepted).
  it.each([
    ['identity.mfa-enforcement', 'Policy.Read.All', ['Policy.ReadWrite.ConditionalAccess']],
    ['files.external-sharing', 'Files.Read.All', ['Files.ReadWrite.All', 'Sites.Read.All', 'Sites.ReadWrite.All']],
    ['mailbox.access-audit', 'AuditLogsQuery-Exchange.Read.All', []],
  ])('%s is skipped naming %s when that permission (and every higher one) is withheld', async (id, permission, higher) => {
    const withheld = new Set([permission, ...higher]);
    const { document, missingPermissions } = await auditOnce(cleanTenant((s) => { s.grantedPermissions = s.grantedPermissions.filter((p) => !withheld.has(p)); }));
    expect(missingPermissions).toContain(permission);
    expect(document.checks.find((c) => c.id === id)).toMatchObject({ status: 'skipped', skipReason: { code: 'missing-permission', detail: expect.stringContaining(permission) } });
  });

  it('disabling a check in the config skips it as disabled-by-policy', async () => {
    const { document } = await auditOnce(cleanTenant(), (c) => { c.checks = { disabled: ['devices.compliance'] }; });
    expect(document.checks.find((c) => c.id === 'devices.compliance')).toMatchObject({ status: 'skipped', skipReason: { code: 'disabled-by-policy' } });
  });

  it('an audit query that has not finished is a warning, not an error, and the next run resumes the same query', async () => {
    const s = cleanTenant((x) => { x.auditQuery = { pollsUntilDone: 50 }; });
    const council = demoCouncil();
    council.tenantId = s.tenantId;
    council.roster = council.roster.map((r) => ({ ...r, termEnd: '2027-05-06' }));
    const sim = await startSimulator({ scenarios: [s] });
    try {
      const graph = createGraphContext(readEnvironment(sim.env(), s.tenantId));
      const store = await openStore(process.env.COUNCILGUARD_TEST_STORAGE!);
      const parsed = parseCouncilFile({ councils: [council] }, 'test').councils[0];
      const first = await runAudit({ ...councilContext(parsed, { graph, store, log: silentLogger }), auditQueryBudgetMs: 1000 });
      expect(first.document.checks.find((c) => c.id === 'mailbox.access-audit')?.status).toBe('warn');
      const pending = await store.getCheckpoint<{ queryId: string }>('audit-query', s.tenantId);
      expect(pending?.value.queryId).toBeTruthy();
      sim.tenant().scenario.auditQuery = { pollsUntilDone: 0 };
      const second = await runAudit(councilContext(parsed, { graph, store, log: silentLogger }));
      expect(second.document.checks.find((c) => c.id === 'mailbox.access-audit')?.status).toBe('pass');
      // The earlier query is resumed, not started again; then the window since it is asked too.
      // The mailbox audit's queries (the sharing audit asks for its own, SharePoint, records).
      const mailboxQueries = [...sim.tenant().auditQueries.values()].filter((q) => !(q.recordTypeFilters ?? []).includes('sharePointSharingOperation'));
      expect(mailboxQueries.map((q) => q.polls > 0)).toEqual([true, true]);
      const [earlier, since] = mailboxQueries;
      expect(since.filterStartDateTime).toBe(earlier.filterEndDateTime);
      expect(await store.getCheckpoint('audit-query', s.tenantId)).toBeUndefined();
    } finally {
      await sim.close();
    }
  });
});

describe('drives are read through delta', () => {
  it('the second night reads only what changed, and a file shared since then is found', async () => {
    const s = cleanTenant();
    const council = demoCouncil();
    council.tenantId = s.tenantId;
    council.roster = council.roster.map((r) => ({ ...r, termEnd: '2027-05-06' }));
    const sim = await startSimulator({ scenarios: [s] });
    try {
      const store = await openStore(process.env.COUNCILGUARD_TEST_STORAGE!);
      const parsed = parseCouncilFile({ councils: [council] }, 'test').councils[0];
      const night = async () => {
        const graph = createGraphContext(readEnvironment(sim.env(), s.tenantId));
        sim.stats.reset();
        const res = await runAudit(councilContext(parsed, { graph, store, log: silentLogger }));
        return res.document;
      };
      await night();
      const firstDeltaItems = Object.entries(sim.stats.byRoute).filter(([k]) => k.includes('/root/delta')).reduce((n, [, v]) => n + v, 0);
      expect(firstDeltaItems).toBeGreaterThan(0);

      // One library file gains an anyone-link overnight.
      const library = [...sim.tenant().drives.values()].find((d) => d.name === 'Documents')!;
      const file = [...library.items.values()].find((i) => i.name === 'Applications log.xlsx')!;
      file.permissions.push({ id: 'p-new', roles: ['read'], link: { scope: 'anonymous', type: 'view', webUrl: 'https://x/s/p-new' } });
      file.seq = sim.tenant().seq++;

      const graph = createGraphContext(readEnvironment(sim.env(), s.tenantId));
      const before = await store.getCheckpoint<{ deltaLink: string }>('drive-index', `${s.tenantId}|${library.id}`);
      const changes = await graph.delta<{ id: string }>(before!.value.deltaLink, []);
      expect(changes.values.map((v) => v.id)).toEqual([file.id]); // only the change, not the whole library

      const second = await night();
      expect(second.findings.map((f) => `${f.checkId} ${f.subject.name}`)).toContain('files.external-sharing /Planning/Applications log.xlsx');
    } finally {
      await sim.close();
    }
  });
});
