// `councilguard offboard --all-ended`: the plan changes nothing; everyone whose term has ended is
// surrendered across councils; the surrendered and the in-progress are skipped and listed; a council
// whose sign-in fails is reported with the fix while the others go on; nobody left says so.
import { hostname } from 'node:os';
import { InputError } from '../../core/errors';
import { parseCouncilFile } from '../../jobs/council-context';
import { releaseLease, surrenderId, acquireLease, loadRecord } from '../../offboarding/state';
import type { CouncilConfig } from '../../policy/council-config';
import { allEnded, changeoverHarness, UNKNOWN_TENANT, type Changeover } from './changeover-support';
import { firstDifference, LEAVER, serialiseTenant, TERM_END } from './support';
import { parseCsv } from '../support/csv-parse';

const leaverOf = (h: Changeover, c: CouncilConfig) => h.tenant(c).users.find((u) => u.userPrincipalName === LEAVER)!;

describe('offboard --all-ended', () => {
  let h: Changeover;
  let a: CouncilConfig;
  let b: CouncilConfig;
  beforeAll(async () => {
    h = await changeoverHarness('changeover', 2);
    [a, b] = h.councils;
  });
  afterAll(() => h.close());

  it('without --yes prints the plan per council and changes nothing', async () => {
    const before = h.councils.map((c) => serialiseTenant(h.tenant(c)));
    const run = await allEnded(h, [a, b]);
    expect(run.error).toBeUndefined();
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('2 surrender(s) would start or continue. Nothing has been changed; add --yes');
    for (const c of [a, b]) expect(run.stdout).toContain(`${c.name} (${c.tenantId})`);
    expect(run.stdout.match(/cllr\.leaving@testparish\.gov\.uk\s+2026-05-07\s+would start/g)).toHaveLength(2);
    expect(run.stdout).not.toContain('cllr.staying');
    h.councils.forEach((c, i) => expect(firstDifference(before[i], serialiseTenant(h.tenant(c)))).toBeUndefined());
    expect(await loadRecord(h.store, surrenderId(a.tenantId, LEAVER, TERM_END))).toBeUndefined();
  });

  it('bad usage is refused with the fix: --user with --all-ended, a concurrency that is not a number', async () => {
    const both = await allEnded(h, [a], { user: LEAVER, yes: true });
    expect(both.error).toBeInstanceOf(InputError);
    expect(both.error!.message).toMatch(/--all-ended surrenders every rostered councillor .*leave out --user/);
    const conc = await allEnded(h, [a], { concurrency: 'lots', yes: true });
    expect(conc.error!.message).toMatch(/--concurrency must be a whole number from 1 to 64 \(got "lots"\)/);
  });

  it('one council\'s sign-in fails: that council is reported with the fix, the other is surrendered, exit 1', async () => {
    const lost = parseCouncilFile({ councils: [{ ...a, name: 'Lost Parish Council', tenantId: UNKNOWN_TENANT }] }, '(test)').councils[0];
    const run = await allEnded(h, [lost, a], { yes: true, output: 'csv' });
    expect(run.error).toBeUndefined();
    expect(run.code).toBe(1);
    const rows = parseCsv(run.stdout);
    const [header, ...data] = rows;
    const byCouncil = Object.fromEntries(data.map((r) => [r[header.indexOf('council')], Object.fromEntries(header.map((k, i) => [k, r[i]]))]));
    expect(byCouncil['Lost Parish Council']).toMatchObject({ councillor: LEAVER, outcome: 'FAILED (council)' });
    expect(byCouncil['Lost Parish Council'].detail).toMatch(/AADSTS90002.*check AZURE_TENANT_ID \(or the council's tenantId\)/);
    expect(byCouncil[a.name]).toMatchObject({ councillor: LEAVER, outcome: 'done', reference: surrenderId(a.tenantId, LEAVER, TERM_END) });
    expect(leaverOf(h, a).accountEnabled).toBe(false);
    expect(run.stderr).toMatch(/1 surrender\(s\) did not complete; each row says why/);
  });

  it('the surrendered and the in-progress are skipped and listed with their state; the rest are surrendered', async () => {
    // Another live process on this host is surrendering council B's leaver (this test process stands in for it).
    const id = surrenderId(b.tenantId, LEAVER, TERM_END);
    const owner = `${id}#cli:${hostname()}:${process.pid}:other`;
    expect((await acquireLease(h.store, b.tenantId, LEAVER, owner)).acquired).toBe(true);
    try {
      const run = await allEnded(h, [a, b], { yes: true, output: 'json' });
      expect(run.error).toBeUndefined();
      expect(run.code).toBe(0);
      const rows = JSON.parse(run.stdout) as Record<string, string>[];
      expect(rows.map((r) => [r.council, r.councillor, r.outcome, r.state])).toEqual([
        [a.name, LEAVER, 'skipped: already surrendered', 'done'],
        [b.name, LEAVER, 'skipped: in progress', 'running'],
      ]);
      expect(rows[1].detail).toContain(`already running (reference ${id})`);
      expect(leaverOf(h, b).accountEnabled).toBe(true);
    } finally {
      await releaseLease(h.store, b.tenantId, LEAVER, owner);
    }
    const run = await allEnded(h, [a, b], { yes: true });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`${LEAVER.replace(/\./g, '\\.')}\\s+2026-05-07\\s+done`));
    expect(run.stdout).toMatch(/skipped: already surrendered/);
    expect((await loadRecord(h.store, id))!.status).toBe('done');
    expect(leaverOf(h, b).accountEnabled).toBe(false);
  });

  it('nobody left to surrender: says so, exit 0', async () => {
    const run = await allEnded(h, [a, b], { yes: true });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Nobody to surrender: no rostered councillor without a completed surrender has a term that has ended \(2 council\(s\) checked\)/);
    const none = await allEnded(h, [{ ...a, roster: a.roster.filter((r) => r.termEnd > '2030-01-01') }], { yes: true });
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('Nobody to surrender: no rostered councillor has a term that has ended (1 council(s) checked).\n');
  });
});
