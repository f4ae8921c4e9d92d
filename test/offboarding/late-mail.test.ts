// Mail that arrives or moves while the surrender copies the mailbox (mail is still delivered after
// sign-in is blocked; Outlook's default ids change when a message moves): immutable ids keep a moved
// message copyable, catch-up passes copy what arrived after listing until a pass finds nothing, and
// verify re-reads each folder's totalItemCount so a message that arrives even later is never accepted
// as "done" without its copy.
import { randomUUID } from 'node:crypto';
import { runOffboarding, startOffboarding } from '../../jobs/offboarding';
import { cliOwner, surrenderId } from '../../offboarding/state';
import { deliverMessage, moveMessage, type SimMailFolder } from '../../simulator/mailbox';
import { loadAllRows } from '../../offboarding/manifest';
import { parseCsv } from '../support/csv-parse';
import { createHash } from 'node:crypto';
import { archiveDrive, CLERK, contentOf, filesIn, harness, itemByPath, leaver, LEAVER, mailboxDigests, sha256, TERM_END } from './support';

const ROOT = 'Cllr Lee Leaving (cllr.leaving) – term ended 2026-05-07';

describe('mail that arrives or moves during the surrender', () => {
  it('copies late and moved mail exactly once, and verify reconciles each folder with the mailbox', async () => {
    const h = await harness({ name: 'surrender-late-mail', inbox: 24 });
    try {
      const deps = h.deps();
      const owner = cliOwner(surrenderId(h.council.tenantId, LEAVER, TERM_END));
      const started = await startOffboarding(deps, { userPrincipalName: LEAVER, termEnd: TERM_END, requestedBy: CLERK, via: 'cli' }, owner);
      const u = leaver(h.tenant());
      const folder = (name: string): SimMailFolder => [...u.mailFolders.values()].find((f) => f.displayName === name)!;
      const listedAtStart = mailboxDigests(h.tenant()).size;
      const inbox = folder('Inbox');
      const moved = inbox.messages.at(-1)!.id; // listed in the Inbox, copied last
      const late: string[] = [];
      const arrive = (name: string) => {
        const id = randomUUID();
        deliverMessage(folder(name), { id, subject: `Late ${late.length + 1}`, receivedDateTime: new Date().toISOString(), from: 'resident@example.net' });
        late.push(id);
      };
      let verifyRuns = 0;
      const record = await runOffboarding(deps, started.record.id, {
        owner,
        hooks: {
          onProgress: (e) => {
            if (e.step !== 'export-mail') return;
            // After the Inbox was listed: one message moves out of it before its copy, one arrives.
            if (e.done === 1 && !late.length) { moveMessage(u.mailFolders, moved, folder('Deleted Items').id); arrive('Inbox'); }
            // While the first catch-up pass copies that message, another arrives: a second pass is needed.
            if (e.done === listedAtStart + 1 && late.length === 1) arrive('Inbox');
          },
          onStepStart: (step) => {
            // After export-mail finished, one more arrives in a nested folder: verify must not accept it.
            if (step === 'verify' && verifyRuns++ === 0) arrive('Planning');
          },
        },
      });
      expect(record.status).toBe('failed');
      expect(record.steps.verify.message).toMatch(/1 message\(s\) in "Inbox \/ Planning" is in the mailbox but not in the archive/);
      expect(record.steps.close.status).toBe('pending');
      expect(u.assignedLicenses).toHaveLength(1);

      const again = await runOffboarding(deps, (await startOffboarding(deps, { userPrincipalName: LEAVER, termEnd: TERM_END, requestedBy: CLERK, via: 'cli' }, owner)).record.id, { owner });
      expect(again.steps.verify.message).toBeUndefined();
      expect(again.status).toBe('done');

      // Every message in the mailbox now has exactly one archived copy, byte for byte; none is "gone".
      const rows = (await loadAllRows(h.store, started.record.id)).filter((r) => r.kind === 'message');
      const digests = mailboxDigests(h.tenant());
      expect(rows.filter((r) => r.status === 'gone')).toEqual([]);
      expect(rows.map((r) => r.sourceId).sort()).toEqual([...digests.keys()].sort());
      for (const r of rows) expect(r.sha256).toBe(digests.get(r.sourceId)!.sha256);
      const drive = archiveDrive(h.tenant());
      const archivedInbox = filesIn(drive, itemByPath(drive, `${ROOT}/Mail/Inbox`)!).map((i) => sha256(contentOf(i)));
      for (const id of late.slice(0, 2)) expect(archivedInbox).toContain(digests.get(id)!.sha256);
      // The moved message was copied once, where it was listed; the certificate explains the difference.
      expect(archivedInbox).toContain(digests.get(moved)!.sha256);
      const certificate = contentOf(itemByPath(drive, `${ROOT}/certificate.html`)!).toString('utf8');
      expect(certificate).toMatch(/moved or deleted after its copy/i);

      // The hand-over is browsable: manifest.csv carries From/To/Subject/HasAttachments from the listing,
      // and each mail folder has an index.html linking to every .eml in it, under the report's CSP.
      const manifest = parseCsv(contentOf(itemByPath(drive, `${ROOT}/manifest.csv`)!).toString('utf8'));
      const col = (name: string) => manifest[0].indexOf(name);
      const lateRow = manifest.find((r) => r[col('messageId')] === late[0])!;
      expect([lateRow[col('from')], lateRow[col('subject')], lateRow[col('hasAttachments')]]).toEqual(['resident@example.net', 'Late 1', 'no']);
      expect(lateRow[col('received')]).not.toBe('');
      const inboxFolder = itemByPath(drive, `${ROOT}/Mail/Inbox`)!;
      const index = contentOf(itemByPath(drive, `${ROOT}/Mail/Inbox/index.html`)!).toString('utf8');
      const emls = filesIn(drive, inboxFolder).map((i) => i.name).filter((n) => n.endsWith('.eml'));
      const links = [...index.matchAll(/<a href="([^"]+)">/g)].map((m) => decodeURIComponent(m[1]));
      expect(links.sort()).toEqual(emls.sort());
      expect(index).toContain('>Late 1</a>');
      const script = index.match(/<script>([\s\S]*)<\/script>/)![1];
      const csp = index.match(/Content-Security-Policy" content="([^"]+)"/)![1];
      expect(csp).toContain(`script-src 'sha256-${createHash('sha256').update(script).digest('base64')}'`);
      expect(csp).toMatch(/default-src 'none'/);
      expect(itemByPath(drive, `${ROOT}/Mail/Inbox/Empty folder/index.html`)).toBeDefined();
    } finally {
      await h.close();
    }
  });

  it('items that are not email messages (counted by totalItemCount, not in the listing) are named on the certificate, never silently accepted', async () => {
    const h = await harness({ name: 'surrender-other-items', inbox: 4 });
    try {
      const inbox = [...leaver(h.tenant()).mailFolders.values()].find((f) => f.displayName === 'Inbox')!;
      inbox.otherItems = 2;
      const deps = h.deps();
      const owner = cliOwner(surrenderId(h.council.tenantId, LEAVER, TERM_END));
      const started = await startOffboarding(deps, { userPrincipalName: LEAVER, termEnd: TERM_END, requestedBy: CLERK, via: 'cli' }, owner);
      const record = await runOffboarding(deps, started.record.id, { owner });
      expect(record.steps.verify.status).toBe('done');
      const drive = archiveDrive(h.tenant());
      const certificate = contentOf(itemByPath(drive, `${ROOT}/certificate.html`)!).toString('utf8');
      expect(certificate).toContain('Not email messages (stay in the mailbox)');
      expect(certificate).toMatch(/<td>Inbox<\/td><td class="num">6<\/td><td class="num">4<\/td><td class="num">0<\/td><td class="num">0<\/td><td class="num">2<\/td>/);
    } finally {
      await h.close();
    }
  });
});
