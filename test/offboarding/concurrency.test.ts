// One surrender at a time, really: two starts at once create one surrender; two runners at once, one
// runs and the other is refused; a runner whose lease is taken stops at its next write, and the new
// holder finishes. Each time the archive holds every message once and the clerk gets one email.
import { runOffboarding, startOffboarding } from '../../jobs/offboarding';
import { acquireLease, asRunner, cliOwner, durableOwner, LeaseLostError, loadRecord, loadStepData, releaseLease, saveStepData, surrenderId } from '../../offboarding/state';
import { openStore } from '../../store';
import { randomUUID } from 'node:crypto';
import { SurrenderInputError } from '../../core/errors';
import type { SimDrive, TenantState } from '../../simulator/state';
import { archiveDrive, CLERK, harness, LEAVER, mailboxDigests, TERM_END, type Harness } from './support';

const input = { userPrincipalName: LEAVER, termEnd: TERM_END, requestedBy: CLERK, via: 'cli' as const };

function emlFiles(drive: SimDrive): string[] {
  return [...drive.items.values()].filter((i) => !i.deleted && !i.folder && i.name.endsWith('.eml')).map((i) => `${i.parentId}/${i.name}`);
}

function clerkEmails(t: TenantState): number {
  const clerk = t.users.find((u) => u.userPrincipalName === CLERK)!;
  return t.sentMail.filter((m) => m.mailbox === clerk.id && /verified archive ready/.test(m.subject)).length;
}

async function expectOneCleanSurrender(h: Harness, id: string): Promise<void> {
  const t = h.tenant();
  const record = (await loadRecord(h.store, id))!;
  expect(record.status).toBe('done');
  const files = emlFiles(archiveDrive(t));
  expect(new Set(files).size).toBe(files.length);
  expect(files).toHaveLength(mailboxDigests(t).size);
  expect(clerkEmails(t)).toBe(1);
  const actions = await h.store.listActions(h.council.tenantId);
  for (const once of ['surrender.start', 'surrender.hand-over', 'surrender.notify-clerk', 'device.retire', 'licence.remove', 'mailbox.automatic-reply']) {
    expect({ once, n: actions.filter((a) => a.action === once).length }).toEqual({ once, n: 1 });
  }
}

describe('one surrender of a councillor at a time', () => {
  it('two starts at once: one creates the surrender, the other is refused naming it; two runners at once: one runs, the other is refused', async () => {
    // Exchange's 25 ms per mailbox request keeps the first runner going while the second tries.
    const h = await harness({ name: 'concurrent-starts', inbox: 12 }, { mailboxWorkMs: 25 });
    try {
      const deps = h.deps();
      const id = surrenderId(h.council.tenantId, LEAVER, TERM_END);
      // Two clerks press Start at once (each HTTP start is its own owner, so the lease decides).
      const starts = await Promise.allSettled([startOffboarding(deps, { ...input, via: 'http' }), startOffboarding(deps, { ...input, via: 'http' })]);
      const won = starts.filter((s) => s.status === 'fulfilled');
      const lost = starts.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0].reason).toBeInstanceOf(SurrenderInputError);
      expect((lost[0].reason as SurrenderInputError).code).toBe('conflict');
      expect((lost[0].reason as Error).message).toMatch(new RegExp(`already running \\(reference ${id}\\)`));
      const winner = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof startOffboarding>>>).value;
      expect(winner.created).toBe(true);

      const runs = await Promise.allSettled([runOffboarding(deps, id, { owner: winner.owner }), runOffboarding(deps, id, { owner: cliOwner(id) })]);
      expect(runs[0].status).toBe('fulfilled');
      expect(runs[1].status).toBe('rejected');
      expect(((runs[1] as PromiseRejectedResult).reason as SurrenderInputError).code).toBe('conflict');
      await expectOneCleanSurrender(h, id);
    } finally {
      await h.close();
    }
  });

  it('a runner whose lease is taken stops at its next write; the new holder finishes, copying nothing twice', async () => {
    const h = await harness({ name: 'lease-taken', inbox: 12 });
    try {
      const deps = h.deps();
      const id = surrenderId(h.council.tenantId, LEAVER, TERM_END);
      const first = await startOffboarding(deps, input, cliOwner(id));
      const second = durableOwner(id, 'act');
      let writesAfterLoss = 0;
      const stopped = await runOffboarding(deps, id, {
        owner: first.owner,
        hooks: {
          // As if the first runner stalled past its lease: another takes the councillor over.
          onStepStart: async (step) => {
            if (step !== 'export-contacts') return;
            await releaseLease(h.store, h.council.tenantId, LEAVER, first.owner);
            expect((await acquireLease(h.store, h.council.tenantId, LEAVER, second)).acquired).toBe(true);
          },
          onStepEnd: (step) => { if (step !== 'preflight' && step !== 'freeze' && step !== 'export-mail') writesAfterLoss++; },
        },
      }).then(() => undefined, (err: unknown) => err);
      expect(stopped).toBeInstanceOf(LeaseLostError);
      expect(writesAfterLoss).toBe(0);
      const record = (await loadRecord(h.store, id))!;
      expect(record.steps['export-contacts'].status).not.toBe('done');

      await runOffboarding(deps, id, { owner: second });
      await expectOneCleanSurrender(h, id);
    } finally {
      await h.close();
    }
  });
});

describe('step data written with etags from the first write', () => {
  it('two runners that both found a step\'s data absent: the first save creates it, the second is refused and overwrites nothing', async () => {
    const store = await openStore(process.env.COUNCILGUARD_TEST_STORAGE!);
    const id = randomUUID().replace(/-/g, '').slice(0, 24);
    const runner = () => ({ etags: new Map<string, string>(), checkLease: async () => {} });
    const a = runner();
    const b = runner();
    await asRunner(a, () => loadStepData(store, id, 'freeze'));
    await asRunner(b, () => loadStepData(store, id, 'freeze'));
    await asRunner(a, () => saveStepData(store, id, 'freeze', { by: 'a' }));
    await expect(asRunner(b, () => saveStepData(store, id, 'freeze', { by: 'b' }))).rejects.toBeInstanceOf(LeaseLostError);
    expect(await loadStepData(store, id, 'freeze')).toEqual({ by: 'a' });
    // The winner goes on writing over the version it wrote.
    await asRunner(a, () => saveStepData(store, id, 'freeze', { by: 'a', again: true }));
    expect(await loadStepData(store, id, 'freeze')).toEqual({ by: 'a', again: true });
  });
});

