// Contacts in full: /contacts is the default folder only, so every folder below it (/contactFolders,
// then childFolders at any depth) is exported too, each as vCard and CSV, with counts per folder. Verify
// asks the mailbox again for each folder's contacts and each calendar's events: one added after the copy
// is copied by a rerun, one deleted after its copy is explained in the certificate, never ignored.
import { runOffboarding, startOffboarding } from '../../jobs/offboarding';
import { cliOwner, surrenderId } from '../../offboarding/state';
import { parseCsv } from '../support/csv-parse';
import { archiveDrive, CLERK, contentOf, harness, itemByPath, leaver, LEAVER, TERM_END } from './support';
import { readVerifySummary } from '../../offboarding/steps/verify';

const ROOT = 'Cllr Lee Leaving (cllr.leaving) – term ended 2026-05-07';

describe('contact folders', () => {
  it('exports every contact folder, nested ones too, as vCard and CSV', async () => {
    const h = await harness({ name: 'surrender-contact-folders', inbox: 3 });
    try {
      const u = leaver(h.tenant());
      u.contactFolders = [{ id: 'cf-parish', displayName: 'Parish' }, { id: 'cf-suppliers', displayName: 'Suppliers', parentFolderId: 'cf-parish' }];
      u.contacts.push(
        { id: 'c-1', displayName: 'Village Hall Trust', emailAddresses: [{ address: 'hall@example.org' }], businessPhones: [], folderId: 'cf-parish' },
        { id: 'c-2', displayName: 'Grass Cutting Ltd', emailAddresses: [{ address: 'mow@example.com' }], businessPhones: ['01234 000111'], folderId: 'cf-suppliers' },
        { id: 'c-3', displayName: 'Street Lights plc', emailAddresses: [], businessPhones: [], folderId: 'cf-suppliers' },
      );
      const deps = h.deps();
      const owner = cliOwner(surrenderId(h.council.tenantId, LEAVER, TERM_END));
      const started = await startOffboarding(deps, { userPrincipalName: LEAVER, termEnd: TERM_END, requestedBy: CLERK, via: 'cli' }, owner);
      const record = await runOffboarding(deps, started.record.id, { owner });
      expect(record.steps.verify.message).toBeUndefined();
      expect(record.steps['export-contacts'].counts).toMatchObject({ contacts: 5, folders: 3, 'contacts in Contacts': 2, 'contacts in Contacts / Parish': 1, 'contacts in Contacts / Parish / Suppliers': 2 });
      const drive = archiveDrive(h.tenant());
      const main = contentOf(itemByPath(drive, `${ROOT}/Contacts/contacts.vcf`)!).toString('utf8');
      expect(main.match(/BEGIN:VCARD/g)).toHaveLength(2);
      const suppliers = contentOf(itemByPath(drive, `${ROOT}/Contacts/Parish - Suppliers.vcf`)!).toString('utf8');
      expect(suppliers).toContain('FN:Grass Cutting Ltd');
      expect(suppliers.match(/BEGIN:VCARD/g)).toHaveLength(2);
      const csv = parseCsv(contentOf(itemByPath(drive, `${ROOT}/Contacts/Parish.csv`)!).toString('utf8'));
      expect(csv.slice(1).map((r) => r[0])).toEqual(['Village Hall Trust']);
    } finally {
      await h.close();
    }
  });

  it('verify reconciles contacts per folder and events per calendar with the mailbox: added since is copied, deleted since is explained', async () => {
    const h = await harness({ name: 'surrender-item-counts', inbox: 2 });
    try {
      const u = leaver(h.tenant());
      u.contactFolders = [{ id: 'cf-parish', displayName: 'Parish' }];
      u.contacts.push({ id: 'c-1', displayName: 'Village Hall Trust', emailAddresses: [], businessPhones: [], folderId: 'cf-parish' });
      u.calendars = [{ id: 'cal-planning', name: 'Planning committee' }];
      const t = (d: string) => ({ dateTime: `${d}.0000000`, timeZone: 'UTC' });
      u.events.push(
        { id: 'ev-1', subject: 'Site visit', start: t('2026-03-03T10:00:00'), end: t('2026-03-03T11:00:00'), location: { displayName: '' }, calendarId: 'cal-planning' },
        { id: 'ev-2', subject: 'Hearing', start: t('2026-03-04T10:00:00'), end: t('2026-03-04T11:00:00'), location: { displayName: '' }, calendarId: 'cal-planning' },
      );
      const deps = h.deps();
      const owner = cliOwner(surrenderId(h.council.tenantId, LEAVER, TERM_END));
      const started = await startOffboarding(deps, { userPrincipalName: LEAVER, termEnd: TERM_END, requestedBy: CLERK, via: 'cli' }, owner);
      let changed = false;
      const first = await runOffboarding(deps, started.record.id, {
        owner,
        hooks: {
          onStepStart: (step) => {
            if (step !== 'verify' || changed) return;
            changed = true;
            // After the copy: a contact added in the Parish folder, a meeting deleted from the planning calendar.
            u.contacts.push({ id: 'c-late', displayName: 'Footpaths Officer', emailAddresses: [], businessPhones: [], folderId: 'cf-parish' });
            // And a folder made below a copied one, with a contact in it.
            u.contactFolders!.push({ id: 'cf-late', displayName: 'Allotments', parentFolderId: 'cf-parish' });
            u.contacts.push({ id: 'c-nested', displayName: 'Allotment Secretary', emailAddresses: [], businessPhones: [], folderId: 'cf-late' });
            u.events = u.events.filter((e) => e.id !== 'ev-2');
          },
        },
      });
      expect(first.steps.verify.status).toBe('failed');
      expect(first.steps.verify.message).toContain('1 contact(s) in "Contacts / Parish" is in the mailbox but not in the archive');
      expect(first.steps.verify.message).toContain('contact folder "Allotments"');
      expect(first.steps.verify.message).not.toContain('Planning committee');
      expect(first.steps.close.status).toBe('pending');
      expect(first.steps['export-contacts'].status).toBe('pending');

      const again = await startOffboarding(deps, { userPrincipalName: LEAVER, termEnd: TERM_END, requestedBy: CLERK, via: 'cli' }, owner);
      const done = await runOffboarding(deps, again.record.id, { owner });
      expect(done.status).toBe('done');
      const drive = archiveDrive(h.tenant());
      expect(contentOf(itemByPath(drive, `${ROOT}/Contacts/Parish.vcf`)!).toString('utf8')).toContain('FN:Footpaths Officer');
      const nestedCard = [...drive.items.values()].find((i) => !i.deleted && i.name.endsWith('.vcf') && i.name.includes('Allotments'))!;
      expect(contentOf(nestedCard).toString('utf8')).toContain('FN:Allotment Secretary');
      const summary = (await readVerifySummary({ store: h.store, record: done }))!;
      expect(summary.folders.find((f) => f.sourcePath === 'Contacts / Parish')).toMatchObject({ archived: 2, inMailboxNow: 2, leftSinceCopy: 0 });
      // The deleted meeting was copied before it went: the .ics keeps it and the certificate says so.
      expect(summary.folders.find((f) => f.sourcePath === 'Calendar / Planning committee')).toMatchObject({ archived: 2, inMailboxNow: 1, leftSinceCopy: 1 });
      expect(contentOf(itemByPath(drive, `${ROOT}/Calendar/Planning committee.ics`)!).toString('utf8')).toContain('SUMMARY:Hearing');
      const certificate = contentOf(itemByPath(drive, `${ROOT}/certificate.html`)!).toString('utf8');
      expect(certificate).toContain('<td>Calendar / Planning committee</td><td class="num">1</td><td class="num">2</td><td class="num">0</td><td class="num">1</td>');
    } finally {
      await h.close();
    }
  });
});
