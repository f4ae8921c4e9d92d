// A whole surrender, in-process, against the simulated tenant: every folder's messages arrive as .eml
// files whose bytes are the mailbox's MIME, contacts/calendar/OneDrive arrive, the account is frozen and
// then closed (never deleted), the clerk gets the certificate link, and every step is in the action log.
import { parseCsv } from '../support/csv-parse';
import { runOffboarding, startOffboarding } from '../../jobs/offboarding';
import { cliOwner, surrenderId } from '../../offboarding/state';
import { loadAllRows, renderManifestCsv } from '../../offboarding/manifest';
import { archiveDrive, CLERK, contentOf, filesIn, harness, itemByPath, leaver, LEAVER, mailboxDigests, sha256, TERM_END, type Harness } from './support';

describe('surrender of a councillor (in-process runner)', () => {
  let h: Harness;
  beforeAll(async () => { h = await harness({ name: 'surrender-main', inbox: 60, largeMessages: [5 * 1024 * 1024] }); });
  afterAll(() => h.close());

  it('archives every message, contact, event and file, verifies them, hands over and closes the account', async () => {
    const deps = h.deps();
    const owner = cliOwner(surrenderId(h.council.tenantId, LEAVER, TERM_END));
    const started = await startOffboarding(deps, { userPrincipalName: LEAVER, termEnd: TERM_END, requestedBy: CLERK, via: 'cli' }, owner);
    expect(started.created).toBe(true);
    const steps: string[] = [];
    const record = await runOffboarding(deps, started.record.id, { owner, hooks: { onStepStart: (s) => { steps.push(s); } } });
    expect(record.steps.verify.message).toBeUndefined();
    expect(record.status).toBe('done');
    expect(steps).toEqual(['preflight', 'freeze', 'export-mail', 'export-contacts', 'export-calendar', 'export-files', 'verify', 'hand-over', 'close']);

    const t = h.tenant();
    const drive = archiveDrive(t);
    const root = itemByPath(drive, 'Cllr Lee Leaving (cllr.leaving) – term ended 2026-05-07')!;
    expect(root).toBeDefined();

    // Per folder: the archive holds exactly the mailbox's messages, byte for byte.
    const digests = mailboxDigests(t);
    const u = leaver(t);
    const expectFolder = (archivePath: string, folderName: string, parentName?: string) => {
      const folder = [...u.mailFolders.values()].find((f) => f.displayName === folderName && (!parentName || u.mailFolders.get(f.parentFolderId)?.displayName === parentName))!;
      const archived = filesIn(drive, itemByPath(drive, `${root.name}/${archivePath}`)!);
      expect({ archivePath, count: archived.length }).toEqual({ archivePath, count: folder.messages.length });
      const hashes = archived.map((i) => sha256(contentOf(i))).sort();
      expect(hashes).toEqual(folder.messages.map((m) => digests.get(m.id)!.sha256).sort());
    };
    expectFolder('Mail/Inbox', 'Inbox');
    expectFolder('Mail/Inbox/Planning', 'Planning');
    // Two sibling folders named only with illegal characters: both kept, apart.
    const unnamed = ['Unnamed folder', 'Unnamed folder (2)'].map((n) => filesIn(drive, itemByPath(drive, `${root.name}/Mail/Inbox/Planning/${n}`)!).length).sort();
    expect(unnamed).toEqual([2, 3]);
    expectFolder('Mail/Inbox/Empty folder', 'Empty folder');
    expectFolder('Mail/Sent Items', 'Sent Items');
    expectFolder('Mail/Deleted Items', 'Deleted Items');
    expectFolder('Mail/Archive/2023 ▸ Résumé', '2023 ▸ Résumé');
    expect(itemByPath(drive, `${root.name}/Mail/Unread mail (search)`)).toBeUndefined();
    const inboxNames = filesIn(drive, itemByPath(drive, `${root.name}/Mail/Inbox`)!).map((i) => i.name);
    expect(inboxNames.filter((n) => / Re_ Budget_ _urgent_ _draft_ [0-9a-f]{8}\.eml$/.test(n))).toHaveLength(2);
    expect(inboxNames.some((n) => / no subject [0-9a-f]{8}\.eml$/.test(n))).toBe(true);
    expect(inboxNames.some((n) => / _CON [0-9a-f]{8}\.eml$/.test(n))).toBe(true);
    expect(inboxNames.every((n) => !/["*:<>?/\\|#%]/.test(n))).toBe(true);

    // Contacts, calendar, OneDrive.
    const vcf = contentOf(itemByPath(drive, `${root.name}/Contacts/contacts.vcf`)!).toString('utf8');
    expect(vcf.match(/BEGIN:VCARD/g)).toHaveLength(2);
    expect(vcf).toContain('FN:Ms Zoë O\'Neill\\, Esq.');
    expect(vcf).toContain('TEL;TYPE=WORK,VOICE:01234 567890');
    const csv = parseCsv(contentOf(itemByPath(drive, `${root.name}/Contacts/contacts.csv`)!).toString('utf8'));
    expect(csv.map((r) => r[0])).toEqual(['Display name', 'Parish Tree Warden', "Ms Zoë O'Neill, Esq."]);
    const ics = contentOf(itemByPath(drive, `${root.name}/Calendar/calendar.ics`)!).toString('utf8');
    expect(ics.match(/BEGIN:VEVENT/g)).toHaveLength(2);
    expect(ics).toContain('SUMMARY:Full council\\; budget\\, precept');
    expect(ics.split('\r\n').every((l) => Buffer.byteLength(l) <= 75)).toBe(true);
    const oneDrive = [...t.drives.values()].find((d) => d.id === u.driveId)!;
    for (const [path, archived] of [['Council/Handover notes.docx', 'Files/Council/Handover notes.docx'], ['Council/Photos/fete #1.jpg', 'Files/Council/Photos/fete _1.jpg'], ['Notes.txt', 'Files/Notes.txt']]) {
      const copy = itemByPath(drive, `${root.name}/${archived}`);
      expect({ archived, found: !!copy }).toEqual({ archived, found: true });
      expect(sha256(contentOf(copy!))).toBe(sha256(contentOf(itemByPath(oneDrive, path)!)));
    }

    // The manifest lists every message once, with the SHA-256 of the archived bytes; the certificate is there.
    const manifest = parseCsv(contentOf(itemByPath(drive, `${root.name}/manifest.csv`)!).toString('utf8'));
    const header = manifest[0];
    const messageRows = manifest.slice(1).filter((r) => r[header.indexOf('kind')] === 'message');
    expect(messageRows).toHaveLength(digests.size);
    expect(new Set(messageRows.map((r) => r[header.indexOf('messageId')])).size).toBe(digests.size);
    for (const r of messageRows) expect(r[header.indexOf('sha256')]).toBe(digests.get(r[header.indexOf('messageId')])!.sha256);
    // Written folder by folder to a file, it is byte for byte the manifest of every row sorted at once.
    expect(contentOf(itemByPath(drive, `${root.name}/manifest.csv`)!).toString('utf8')).toBe(renderManifestCsv(await loadAllRows(h.store, record.id)));
    const certificate = contentOf(itemByPath(drive, `${root.name}/certificate.html`)!).toString('utf8');
    expect(certificate).toContain('clause 19');
    expect(certificate).toContain(sha256(contentOf(itemByPath(drive, `${root.name}/manifest.csv`)!)));
    expect(certificate).toMatch(/7 May 2026/);

    // Freeze and close: blocked, signed out, auto-reply to the clerk, out of groups, device retired, licences gone, user kept.
    expect(u.accountEnabled).toBe(false);
    expect(u.sessionsRevokedAt).toBeDefined();
    expect(u.automaticRepliesSetting).toMatchObject({ status: 'alwaysEnabled' });
    expect(String(u.automaticRepliesSetting.externalReplyMessage)).toContain(CLERK);
    expect(t.groups.every((g) => !g.members.includes(u.id))).toBe(true);
    expect(t.managedDevices.find((d) => d.userId === u.id)?.managementState).toBe('retirePending');
    expect(u.assignedLicenses).toEqual([]);
    expect(t.users.some((x) => x.id === u.id)).toBe(true);
    expect(t.sentMail.some((m) => m.mailbox === t.users.find((x) => x.userPrincipalName === CLERK)!.id && /verified archive ready/.test(m.subject))).toBe(true);

    // The action log: who did what, content access named as such, before/after for changes.
    const actions = await h.store.listActions(h.council.tenantId);
    const names = actions.map((a) => a.action);
    for (const a of ['surrender.start', 'account.block-sign-in', 'account.revoke-sessions', 'mailbox.automatic-reply', 'content.read', 'surrender.verify', 'surrender.hand-over', 'group.remove-member', 'device.retire', 'licence.remove']) expect(names).toContain(a);
    expect(actions.every((a) => a.actor === CLERK)).toBe(true);
    expect(actions.find((a) => a.action === 'account.block-sign-in')).toMatchObject({ before: { accountEnabled: true }, after: { accountEnabled: false } });
    expect(actions.filter((a) => a.action === 'content.read').map((a) => a.detail).join(' ')).toMatch(/Read the full content \(MIME\) of \d+ message/);
    const status = await h.store.getCheckpoint<{ status: string }>('surrender-status', `${h.council.tenantId}|${LEAVER}`);
    expect(status?.value.status).toBe('done');
  });
});
