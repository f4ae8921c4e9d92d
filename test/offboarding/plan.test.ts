// --plan reads and reports; the tenant (every user, folder, message, drive item, group, device) and the
// store are exactly as they were.
import { loadRecord, surrenderId } from '../../offboarding/state';
import { offboard } from './cli-support';
import { firstDifference, harness, LEAVER, serialiseTenant, TERM_END } from './support';

describe('offboard --plan', () => {
  it('prints every step with counts and an estimate, and changes nothing', async () => {
    const h = await harness({ name: 'surrender-plan', inbox: 40, largeMessages: [5 * 1024 * 1024] });
    try {
      const before = serialiseTenant(h.tenant());
      const actionsBefore = (await h.store.listActions(h.council.tenantId)).length;
      const run = await offboard(h, { user: LEAVER, termEnd: TERM_END, plan: true });
      expect(run.error).toBeUndefined();
      expect(run.code).toBe(0);
      expect(firstDifference(before, serialiseTenant(h.tenant()))).toBeUndefined();
      expect((await h.store.listActions(h.council.tenantId)).length).toBe(actionsBefore);
      expect(await loadRecord(h.store, surrenderId(h.council.tenantId, LEAVER, TERM_END))).toBeUndefined();
      const messages = [...h.tenant().users.find((u) => u.userPrincipalName === LEAVER)!.mailFolders.values()].filter((f) => !f.search).reduce((n, f) => n + f.messages.length, 0);
      expect(run.stdout).toContain('Nothing has been changed.');
      expect(run.stdout).toContain(`${messages} message(s) in 9 folder(s), 2 contact(s), 2 event(s), 3 OneDrive file(s)`);
      expect(run.stdout).toMatch(/About \d+ minute\(s\)/);
      expect(run.stdout).toMatch(/Archive: Councillor archives\/Cllr Lee Leaving \(cllr\.leaving\) – term ended 2026-05-07/);
      for (const title of ['Check before starting', 'Block sign-in', 'Copy the mailbox', 'Copy the contacts', 'Copy the calendar', 'Copy the OneDrive', 'Verify the archive', 'Hand over to the clerk', 'Close the account']) expect(run.stdout).toContain(title);
      expect(run.stdout).toContain('The account is never deleted.');
    } finally {
      await h.close();
    }
  });
});
