// A mailbox holds more than its folder tree: Recoverable Items / Deletions is copied through Graph's
// well-known folder name; an active online archive mailbox cannot be read by any available API, so it
// is listed (certificate and the clerk's page) with where it remains and the record tells close to keep
// the mailbox. Without the Exchange connection the archive cannot be checked: the mailbox is kept too.
import { randomUUID } from 'node:crypto';
import { runOffboarding, startOffboarding } from '../../jobs/offboarding';
import { cliOwner, surrenderId } from '../../offboarding/state';
import { surrenderView } from '../../offboarding/status';
import { deliverMessage } from '../../simulator/mailbox';
import { archiveDrive, CLERK, contentOf, filesIn, harness, itemByPath, leaver, LEAVER, mailboxDigests, sha256, TERM_END } from './support';

const ROOT = 'Cllr Lee Leaving (cllr.leaving) – term ended 2026-05-07';

describe('the online archive and Recoverable Items', () => {
  it('copies Recoverable Items / Deletions, and keeps the mailbox for an active online archive, saying where it is', async () => {
    const h = await harness({ name: 'surrender-online-archive', inbox: 6 });
    try {
      const u = leaver(h.tenant());
      u.onlineArchive = { guid: '5d0b1c0e-8a3f-4d7e-9a55-0c2f1b7e9a11', items: 1200 };
      const deletions = [...u.mailFolders.values()].find((f) => f.wellKnownName === 'recoverableitemsdeletions')!;
      const shiftDeleted = randomUUID();
      deliverMessage(deletions, { id: shiftDeleted, subject: 'Shift-deleted planning objection', receivedDateTime: '2025-01-02T10:00:00Z', from: 'objector@example.net' });
      const deps = h.deps();
      const owner = cliOwner(surrenderId(h.council.tenantId, LEAVER, TERM_END));
      const started = await startOffboarding(deps, { userPrincipalName: LEAVER, termEnd: TERM_END, requestedBy: CLERK, via: 'cli' }, owner);
      const record = await runOffboarding(deps, started.record.id, { owner });
      expect(record.steps.verify.message).toBeUndefined();

      const drive = archiveDrive(h.tenant());
      const copied = filesIn(drive, itemByPath(drive, `${ROOT}/Mail/Recoverable Items (deleted)`)!).map((i) => sha256(contentOf(i)));
      expect(copied).toEqual([mailboxDigests(h.tenant()).get(shiftDeleted)!.sha256]);

      expect(record.keepMailbox?.reason).toMatch(/online archive mailbox/);
      expect(record.notCopied?.find((x) => x.keepsMailbox)?.where).toContain('5d0b1c0e-8a3f-4d7e-9a55-0c2f1b7e9a11');
      const certificate = contentOf(itemByPath(drive, `${ROOT}/certificate.html`)!).toString('utf8');
      expect(certificate).toContain('Not copied, and where it remains');
      expect(certificate).toContain('the mailbox is kept and its licence is not removed');
      expect(certificate).toContain('the online archive mailbox (In-Place Archive)');
      const view = surrenderView(record);
      expect(view.keepMailbox).toMatch(/online archive/);
      expect(view.notCopied?.map((x) => x.what)).toContain('the online archive mailbox (In-Place Archive)');
      // Nothing is closed that was not copied: close completes but keeps the licence, and says so.
      expect(record.steps.close.status).toBe('done');
      expect(leaver(h.tenant()).assignedLicenses).toHaveLength(1);
      expect(record.leftForItSupplier).toContainEqual(expect.objectContaining({ kind: 'mailbox', reason: expect.stringMatching(/online archive mailbox.*licence was not removed/) }));
    } finally {
      await h.close();
    }
  });

  it('without the Exchange connection the archive cannot be checked, so the mailbox is kept', async () => {
    const h = await harness({ name: 'surrender-archive-unknown', inbox: 3 });
    try {
      h.tenant().scenario.exchangeManageAsApp = false;
      const deps = h.deps();
      const owner = cliOwner(surrenderId(h.council.tenantId, LEAVER, TERM_END));
      const started = await startOffboarding(deps, { userPrincipalName: LEAVER, termEnd: TERM_END, requestedBy: CLERK, via: 'cli' }, owner);
      const record = await runOffboarding(deps, started.record.id, { owner });
      expect(record.steps['export-mail'].status).toBe('done');
      expect(record.keepMailbox?.reason).toMatch(/could not check|online archive/);
      expect(record.notCopied?.find((x) => x.keepsMailbox)?.why).toMatch(/could not check whether one exists/);
    } finally {
      await h.close();
    }
  });
});
