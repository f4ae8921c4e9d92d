// Every refusal names the fix, exits non-zero, and changes nothing in the tenant.
import { hostname } from 'node:os';
import { InputError } from '../../core/errors';
import { startOffboarding } from '../../jobs/offboarding';
import { releaseLease, surrenderId } from '../../offboarding/state';
import { offboard } from './cli-support';
import { CLERK, DOMAIN, firstDifference, harness, leaver, LEAVER, serialiseTenant, TERM_END, type Harness } from './support';

describe('offboard: bad input is refused with the fix, and nothing changes', () => {
  let h: Harness;
  let before: string;
  beforeAll(async () => { h = await harness({ name: 'surrender-bad-input', inbox: 5 }); before = serialiseTenant(h.tenant()); });
  afterAll(() => h.close());
  afterEach(() => { expect(firstDifference(before, serialiseTenant(h.tenant()))).toBeUndefined(); });

  const refused = async (args: { user: string; termEnd: string; force?: boolean; reason?: string }, message: RegExp, env: NodeJS.ProcessEnv = {}) => {
    const run = await offboard(h, { yes: true, ...args }, env);
    expect(run.error).toBeInstanceOf(InputError);
    expect(run.error!.message).toMatch(message);
  };

  it('an unknown UPN', () => refused({ user: `cllr.ghost@${DOMAIN}`, termEnd: TERM_END }, /There is no account cllr\.ghost@testparish\.gov\.uk .*check the spelling/));
  it('a UPN that is not on the roster', () => refused({ user: `cllr.nobody@${DOMAIN}`, termEnd: TERM_END }, /not on the roster of Test Parish Council.*Add them to "roster"/));
  it('the clerk', () => refused({ user: CLERK, termEnd: TERM_END }, /is the clerk .*never surrendered/));
  it('an administrator named in the config', () => refused({ user: `itadmin@${DOMAIN}`, termEnd: TERM_END }, /is an administrator account .*never surrendered/));
  it('a councillor holding an administrator role', () => refused({ user: `cllr.admin@${DOMAIN}`, termEnd: TERM_END }, /holds the administrator role\(s\) Global Administrator; remove the role/));
  it('the caller', () => refused({ user: LEAVER, termEnd: TERM_END }, /cannot surrender your own account/, { COUNCILGUARD_ACTOR: LEAVER }));
  it('a term end that is not a date', () => refused({ user: LEAVER, termEnd: '07/05/2026' }, /--term-end "07\/05\/2026" is not a date; write it as YYYY-MM-DD/));
  it('a term end in the future, without --force', () => refused({ user: LEAVER, termEnd: '2099-05-07' }, /2099-05-07 is in the future.*--force.*--reason/));
  it('--force without --reason', () => refused({ user: LEAVER, termEnd: '2099-05-07', force: true }, /--force needs --reason/));

  it('a term end in the future with --force and a reason is planned, the reason stated', async () => {
    const run = await offboard(h, { user: LEAVER, termEnd: '2099-05-07', force: true, reason: 'Resigned at the May meeting', plan: true });
    expect(run.error).toBeUndefined();
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('started anyway because: Resigned at the May meeting');
  });

  it('a second surrender of the same councillor while one runs points to the running one', async () => {
    const deps = h.deps();
    // Another live process on this host holds the councillor (this test process stands in for it).
    const owner = `${surrenderId(h.council.tenantId, LEAVER, '2026-04-30')}#cli:${hostname()}:${process.pid}:other`;
    // A date apart from the roster's needs a reason (it is recorded).
    const first = await startOffboarding(deps, { userPrincipalName: LEAVER, termEnd: '2026-04-30', requestedBy: CLERK, via: 'cli', force: { reason: 'Resigned on 30 April' } }, owner);
    try {
      const run = await offboard(h, { user: LEAVER, termEnd: TERM_END, yes: true });
      expect(run.error).toBeInstanceOf(InputError);
      expect(run.error!.message).toMatch(new RegExp(`already running \\(reference ${first.record.id}\\).*GET /api/offboarding/${first.record.id}`));
    } finally {
      await releaseLease(h.store, h.council.tenantId, LEAVER, owner);
    }
  });

  it('a permission the surrender needs is missing: named, with what it is for', async () => {
    const g = await harness({ name: 'surrender-no-mail-read', inbox: 2, withhold: ['Mail.Read', 'User.RevokeSessions.All', 'User.ReadWrite.All'] });
    // User.ReadWrite.All is withheld too: Graph accepts it for revokeSignInSessions, so it would stand in.
    try {
      const run = await offboard(g, { user: LEAVER, termEnd: TERM_END, yes: true });
      expect(run.error).toBeInstanceOf(InputError);
      expect(run.error!.message).toMatch(/lacks application permission\(s\) the surrender needs: Mail\.Read \(to export the mailbox\), User\.RevokeSessions\.All/);
      expect(leaver(g.tenant()).accountEnabled).toBe(true);
    } finally {
      await g.close();
    }
  });
});

describe('offboard: the archive library', () => {
  it('missing: refused before anything starts, naming the library and how to create it', async () => {
    const h = await harness({ name: 'surrender-no-archive', inbox: 2, noArchiveLibrary: true });
    try {
      const run = await offboard(h, { user: LEAVER, termEnd: TERM_END, yes: true });
      expect(run.error).toBeInstanceOf(InputError);
      expect(run.error!.message).toMatch(/The archive library "Councillor archives" does not exist .*create a document library with that name.*sharePoint\.archiveLibrary/);
    } finally {
      await h.close();
    }
  });

  it('read-only: the surrender stops at preflight (exit 1) with the fix; sign-in is not blocked', async () => {
    const h = await harness({ name: 'surrender-read-only', inbox: 2, readOnlyArchive: true });
    try {
      const run = await offboard(h, { user: LEAVER, termEnd: TERM_END, yes: true });
      expect(run.error).toBeUndefined();
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/The archive library "Councillor archives" refused the write \(403\): it is read-only for CouncilGuard\. Give the app write access/);
      expect(leaver(h.tenant()).accountEnabled).toBe(true);
      const status = await h.store.getCheckpoint<{ status: string; failedStep: string }>('surrender-status', `${h.council.tenantId}|${LEAVER}`);
      expect(status?.value).toMatchObject({ status: 'failed', failedStep: 'preflight' });
    } finally {
      await h.close();
    }
  });
});
