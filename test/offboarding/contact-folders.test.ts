// Contacts in full: /contacts is the default folder only, so every folder below it (/contactFolders,
// then childFolders at any depth) is exported too, each as vCard and CSV, with counts per folder.
import { runOffboarding, startOffboarding } from '../../jobs/offboarding';
import { cliOwner, surrenderId } from '../../offboarding/state';
import { parseCsv } from '../support/csv-parse';
import { archiveDrive, CLERK, contentOf, harness, itemByPath, leaver, LEAVER, TERM_END } from './support';

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
});
