// Every kind of OneDrive item: a OneNote notebook is a package item (neither folder nor file facet) and
// is walked, its files copied byte for byte and counted; a shortcut to someone else's folder (remoteItem
// only) is not the councillor's and is listed on the certificate as not copied, with where it is.
import { runOffboarding, startOffboarding } from '../../jobs/offboarding';
import { cliOwner, surrenderId } from '../../offboarding/state';
import { addNotebook, addShortcut } from '../../simulator/state';
import { archiveDrive, CLERK, contentOf, filesIn, harness, itemByPath, leaver, LEAVER, sha256, TERM_END } from './support';

const ROOT = 'Cllr Lee Leaving (cllr.leaving) – term ended 2026-05-07';

describe('OneNote notebooks and other drive item kinds', () => {
  it('copies a notebook\'s files, counts it, and lists a shortcut as not copied', async () => {
    const h = await harness({ name: 'surrender-drive-kinds', inbox: 3 });
    try {
      const t = h.tenant();
      const oneDrive = t.drives.get(leaver(t).driveId!)!;
      addNotebook(t, oneDrive, '/Notebooks/Council notebook', [{ name: 'Planning' }, { name: 'Finance', size: 50_000 }]);
      const clerkDrive = t.drives.get(t.users.find((u) => u.userPrincipalName === CLERK)!.driveId!)!;
      const agendas = itemByPath(clerkDrive, 'Agendas')!;
      addShortcut(t, oneDrive, '/Agendas (shortcut)', { id: agendas.id, driveId: clerkDrive.id, name: 'Agendas' });
      const deps = h.deps();
      const owner = cliOwner(surrenderId(h.council.tenantId, LEAVER, TERM_END));
      const started = await startOffboarding(deps, { userPrincipalName: LEAVER, termEnd: TERM_END, requestedBy: CLERK, via: 'cli' }, owner);
      const record = await runOffboarding(deps, started.record.id, { owner });
      expect(record.steps.verify.message).toBeUndefined();
      expect(record.steps['export-files'].counts).toMatchObject({ notebooks: 1, notCopied: 1 });

      const drive = archiveDrive(t);
      const notebook = itemByPath(drive, `${ROOT}/Files/Notebooks/Council notebook`)!;
      expect(filesIn(drive, notebook).map((i) => i.name).sort()).toEqual(['Finance.one', 'Open Notebook.onetoc2', 'Planning.one']);
      for (const name of ['Finance.one', 'Planning.one']) {
        expect(sha256(contentOf(itemByPath(drive, `${ROOT}/Files/Notebooks/Council notebook/${name}`)!))).toBe(sha256(contentOf(itemByPath(oneDrive, `Notebooks/Council notebook/${name}`)!)));
      }
      expect(itemByPath(drive, `${ROOT}/Files/Agendas (shortcut)`)).toBeUndefined();
      const certificate = contentOf(itemByPath(drive, `${ROOT}/certificate.html`)!).toString('utf8');
      expect(certificate).toContain('OneNote notebook');
      expect(certificate).toMatch(/OneDrive shortcuts to folders or files in other people&#39;s OneDrives or sites \(1\)|OneDrive shortcuts to folders or files in other people's OneDrives or sites \(1\)/);
      expect(certificate).toContain('/Agendas (shortcut)');
      // The clerk's own folder behind the shortcut is untouched.
      expect(filesIn(clerkDrive, agendas).map((i) => i.name)).toEqual(['agenda.docx']);
    } finally {
      await h.close();
    }
  });
});
