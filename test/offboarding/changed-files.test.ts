// A OneDrive file saved again during the surrender: the copy no longer matches the hash captured at
// listing, so the source is read again and its new version copied and checked against the new hash; a
// file saved again after every copy is kept at its latest version and listed on the certificate.
import { runOffboarding, startOffboarding } from '../../jobs/offboarding';
import { cliOwner, surrenderId } from '../../offboarding/state';
import { loadAllRows } from '../../offboarding/manifest';
import { editFile } from '../../simulator/drives';
import { archiveDrive, CLERK, contentOf, harness, itemByPath, leaver, LEAVER, sha256, TERM_END } from './support';

const ROOT = 'Cllr Lee Leaving (cllr.leaving) – term ended 2026-05-07';

describe('OneDrive files changed during the surrender', () => {
  it('copies the new version of a file edited after listing, and lists a file that keeps changing', async () => {
    const h = await harness({ name: 'surrender-changed-files', inbox: 3 });
    try {
      const t = h.tenant();
      const oneDrive = t.drives.get(leaver(t).driveId!)!;
      const notes = itemByPath(oneDrive, 'Council/Handover notes.docx')!;
      const photo = itemByPath(oneDrive, 'Council/Photos/fete #1.jpg')!;
      const deps = h.deps();
      const owner = cliOwner(surrenderId(h.council.tenantId, LEAVER, TERM_END));
      const started = await startOffboarding(deps, { userPrincipalName: LEAVER, termEnd: TERM_END, requestedBy: CLERK, via: 'cli' }, owner);
      let edited = false;
      const record = await runOffboarding(deps, started.record.id, {
        owner,
        hooks: {
          onProgress: (e) => {
            // After the OneDrive was listed, before any copy: one file is saved once, the other keeps being saved.
            if (e.step !== 'export-files' || edited) return;
            edited = true;
            editFile(t, oneDrive, notes);
            editFile(t, oneDrive, photo);
            photo.editsAfterRead = 10;
          },
        },
      });
      expect(edited).toBe(true);
      expect(record.steps.verify.message).toBeUndefined();
      expect(record.status).toBe('done');

      const drive = archiveDrive(t);
      // The edited file arrives at its new version, byte for byte.
      expect(sha256(contentOf(itemByPath(drive, `${ROOT}/Files/Council/Handover notes.docx`)!))).toBe(sha256(contentOf(notes)));
      const rows = (await loadAllRows(h.store, started.record.id)).filter((r) => r.kind === 'file');
      const notesRow = rows.find((r) => r.sourceId === notes.id)!;
      expect(notesRow).toMatchObject({ changedDuringCopy: true, status: 'archived' });
      expect(notesRow.quickXorHash!.source).toBe(notesRow.quickXorHash!.copy);
      expect(notesRow.keptChanging).toBeUndefined();
      const photoRow = rows.find((r) => r.sourceId === photo.id)!;
      expect(photoRow).toMatchObject({ changedDuringCopy: true, keptChanging: true });
      const certificate = contentOf(itemByPath(drive, `${ROOT}/certificate.html`)!).toString('utf8');
      expect(certificate).toContain('OneDrive files saved again during the copy');
      expect(certificate).toMatch(/fete #1\.jpg \(still changing\)/);
    } finally {
      await h.close();
    }
  });
});
