// Verification catches loss: a file deleted from the archive before verify stops the surrender, the
// failure names the file, and nothing has been closed. Running again copies it back and finishes.
import { createHash } from 'node:crypto';
import { runOffboarding, startOffboarding } from '../../jobs/offboarding';
import { getJson, loadAllRows, type ManifestRow } from '../../offboarding/manifest';
import { cliOwner, surrenderId } from '../../offboarding/state';
import { writeFile } from '../../simulator/drives';
import { archiveDrive, CLERK, contentOf, filesIn, harness, itemByPath, leaver, LEAVER, mailboxDigests, sha256, TERM_END } from './support';

describe('verify', () => {
  it('a deleted archive file stops the surrender before close, named; the next run restores it and closes', async () => {
    const h = await harness({ name: 'surrender-verify-loss', inbox: 20 });
    try {
      const deps = h.deps();
      const owner = cliOwner(surrenderId(h.council.tenantId, LEAVER, TERM_END));
      const started = await startOffboarding(deps, { userPrincipalName: LEAVER, termEnd: TERM_END, requestedBy: CLERK, via: 'cli' }, owner);
      const drive = archiveDrive(h.tenant());
      let victimName = '';
      const record = await runOffboarding(deps, started.record.id, {
        owner,
        hooks: {
          onStepStart: (step) => {
            if (step !== 'verify') return;
            // Someone tidies the archive while the surrender runs.
            const sent = itemByPath(drive, 'Cllr Lee Leaving (cllr.leaving) – term ended 2026-05-07/Mail/Sent Items')!;
            const victim = filesIn(drive, sent)[3];
            victim.deleted = true;
            victimName = victim.name;
          },
        },
      });
      expect(record.status).toBe('failed');
      expect(record.steps.verify.status).toBe('failed');
      expect(record.steps.verify.message).toContain(`Mail/Sent Items/${victimName} is missing from the archive`);
      expect(record.steps.verify.message).toMatch(/nothing has been closed/);
      expect(record.steps.close.status).toBe('pending');
      expect(record.steps['hand-over'].status).toBe('pending');
      const u = leaver(h.tenant());
      expect(u.assignedLicenses).toHaveLength(1);
      expect(h.tenant().groups.find((g) => g.displayName === 'Councillors')!.members).toContain(u.id);
      expect(h.tenant().managedDevices[0].managementState).toBe('managed');
      expect(itemByPath(drive, 'Cllr Lee Leaving (cllr.leaving) – term ended 2026-05-07/certificate.html')).toBeUndefined();
      const status = await h.store.getCheckpoint<{ status: string; failedStep: string }>('surrender-status', `${h.council.tenantId}|${LEAVER}`);
      expect(status?.value).toMatchObject({ status: 'failed', failedStep: 'verify' });

      // Run again: the missing message is copied again, verification passes, the account is closed.
      const again = await startOffboarding(deps, { userPrincipalName: LEAVER, termEnd: TERM_END, requestedBy: CLERK, via: 'cli' }, owner);
      expect(again.created).toBe(false);
      const second = await runOffboarding(deps, again.record.id, { owner });
      expect(second.status).toBe('done');
      const sent = filesIn(drive, itemByPath(drive, 'Cllr Lee Leaving (cllr.leaving) – term ended 2026-05-07/Mail/Sent Items')!);
      const folder = [...u.mailFolders.values()].find((f) => f.displayName === 'Sent Items')!;
      const digests = mailboxDigests(h.tenant());
      expect(sent.map((i) => sha256(contentOf(i))).sort()).toEqual(folder.messages.map((m) => digests.get(m.id)!.sha256).sort());
      expect(sent.map((i) => i.name)).toContain(victimName);
      expect(u.assignedLicenses).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('a file put into an archive folder by someone else, and a copy whose size changed, are each named; nothing is closed', async () => {
    const h = await harness({ name: 'surrender-verify-extra', inbox: 6 });
    try {
      const deps = h.deps();
      const owner = cliOwner(surrenderId(h.council.tenantId, LEAVER, TERM_END));
      const started = await startOffboarding(deps, { userPrincipalName: LEAVER, termEnd: TERM_END, requestedBy: CLERK, via: 'cli' }, owner);
      const drive = archiveDrive(h.tenant());
      let resized = '';
      const record = await runOffboarding(deps, started.record.id, {
        owner,
        hooks: {
          onStepStart: (step) => {
            if (step !== 'verify') return;
            const inbox = itemByPath(drive, 'Cllr Lee Leaving (cllr.leaving) – term ended 2026-05-07/Mail/Inbox')!;
            writeFile(h.tenant(), drive, inbox, 'notes from the clerk.txt', Buffer.from('not from the mailbox'));
            const victim = filesIn(drive, inbox).find((i) => i.name.endsWith('.eml'))!;
            victim.content = Buffer.concat([contentOf(victim), Buffer.from('appended')]);
            victim.size = victim.content.length;
            victim.hashes = undefined;
            resized = victim.name;
          },
        },
      });
      expect(record.steps.verify.status).toBe('failed');
      expect(record.steps.verify.message).toContain('Mail/Inbox holds 1 file(s) the export did not write: notes from the clerk.txt');
      expect(record.steps.verify.message).toMatch(new RegExp(`Mail/Inbox/${resized.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is \\d+ bytes in the archive, not the \\d+ exported`));
      expect(record.steps.close.status).toBe('pending');
      expect(leaver(h.tenant()).assignedLicenses).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});

describe('verify with a sample', () => {
  it('re-reads exactly the sample ranked by a hash of the surrender id and item, plus OneDrive copies without a quickXorHash, and says so on the certificate', async () => {
    // 10 in the Inbox: 43 messages and the OneDrive files, many more than the sample of 5.
    const h = await harness({ name: 'surrender-verify-sample', inbox: 10 }, {}, (c) => { (c.enforce as { offboarding: Record<string, unknown> }).offboarding.verifySample = 5; });
    try {
      const deps = h.deps();
      const owner = cliOwner(surrenderId(h.council.tenantId, LEAVER, TERM_END));
      const started = await startOffboarding(deps, { userPrincipalName: LEAVER, termEnd: TERM_END, requestedBy: CLERK, via: 'cli' }, owner);
      const record = await runOffboarding(deps, started.record.id, { owner });
      expect(record.status).toBe('done');

      const rows = await loadAllRows(h.store, record.id);
      const archived = rows.filter((r) => r.status === 'archived');
      const rank = (r: ManifestRow) => createHash('sha256').update(`${record.id}|${r.kind}|${r.sourceId}`).digest('hex');
      const sample = [...archived].sort((a, b) => rank(a).localeCompare(rank(b))).slice(0, 5).map((r) => `${r.kind}:${r.sourceId}`);
      const noXor = archived.filter((r) => r.kind === 'file' && (!r.quickXorHash?.source || !r.quickXorHash.copy)).map((r) => `${r.kind}:${r.sourceId}`);
      const expected = new Set([...sample, ...noXor]);
      const hashed = await getJson<string[]>(h.store, record.id, 'verify/hashed.json');
      expect(new Set(hashed)).toEqual(expected);
      expect(record.steps.verify.counts).toMatchObject({ hashChecked: expected.size, rows: rows.length });
      expect(archived.length).toBeGreaterThan(expected.size);

      const certificate = contentOf(itemByPath(archiveDrive(h.tenant()), 'Cllr Lee Leaving (cllr.leaving) – term ended 2026-05-07/certificate.html')!).toString('utf8');
      expect(certificate).toContain(`a random sample of <strong>${expected.size}</strong> of ${archived.length} archived items`);
    } finally {
      await h.close();
    }
  });
});
