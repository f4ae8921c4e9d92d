// The archive folder is the leaver's own (another surrender's folder of the same name is never reused or
// written into), and the clerk's email goes once even when hand-over is interrupted after the send.
import { runOffboarding, startOffboarding } from '../../jobs/offboarding';
import { cliOwner, loadRecord, saveRecord, surrenderId } from '../../offboarding/state';
import { getJson, putJson } from '../../offboarding/manifest';
import { archiveFolderName } from '../../offboarding/names';
import { ArchiveWriter } from '../../offboarding/archive';
import { DEFAULT_TUNING } from '../../offboarding/types';
import { archiveDrive, CLERK, contentOf, filesIn, harness, itemByPath, LEAVER, sha256, TERM_END, type Harness } from './support';

describe('the leaver\'s own archive folder, and one clerk email', () => {
  let h: Harness;
  beforeAll(async () => { h = await harness({ name: 'own-folder', inbox: 4 }); });
  afterAll(() => h.close());

  const clerkEmails = () => h.tenant().sentMail.filter((m) => m.mailbox === h.tenant().users.find((u) => u.userPrincipalName === CLERK)!.id && /verified archive ready/.test(m.subject));

  it('never reuses a folder of the same name that holds another surrender\'s files; its files are untouched', async () => {
    // Another councillor of the same name, local part and term end (another domain) was surrendered first.
    const plain = archiveFolderName('Cllr Lee Leaving', TERM_END, LEAVER);
    const drive = archiveDrive(h.tenant());
    const other = await h.graph.send<{ id: string }>('POST', `/drives/${drive.id}/items/root/children`, { name: plain, folder: {}, '@microsoft.graph.conflictBehavior': 'fail' });
    const writer = new ArchiveWriter(h.graph, drive.id, 'Councillor archives', DEFAULT_TUNING);
    for (const name of ['contacts.vcf', 'certificate.html']) await writer.writeBuffer(other.id, name, Buffer.from(`another surrender's ${name}`));
    const otherBefore = filesIn(drive, itemByPath(drive, plain)!).map((i) => `${i.name}:${sha256(contentOf(i))}`).sort();

    const deps = h.deps();
    const owner = cliOwner(surrenderId(h.council.tenantId, LEAVER, TERM_END));
    const started = await startOffboarding(deps, { userPrincipalName: LEAVER, termEnd: TERM_END, requestedBy: CLERK, via: 'cli' }, owner);
    const record = await runOffboarding(deps, started.record.id, { owner });
    expect(record.status).toBe('done');
    expect(record.archive!.folderName).toBe(`${plain} – ref ${record.id.slice(0, 8)}`);
    expect(record.archive!.folderId).not.toBe(other.id);
    expect(filesIn(drive, itemByPath(drive, plain)!).map((i) => `${i.name}:${sha256(contentOf(i))}`).sort()).toEqual(otherBefore);
    expect([...drive.items.values()].filter((i) => i.parentId === other.id && !i.deleted)).toHaveLength(2);
    expect(itemByPath(drive, `${record.archive!.folderName}/certificate.html`)).toBeDefined();
    expect(clerkEmails()).toHaveLength(1);
  });

  it('a hand-over interrupted after the send does not email the clerk again (the Sent Items are checked)', async () => {
    const id = surrenderId(h.council.tenantId, LEAVER, TERM_END);
    // The state a crash leaves between the send and saving that it was sent: the intent, no "emailed".
    const handOver = (await getJson<Record<string, unknown>>(h.store, id, 'hand-over.json'))!;
    expect(handOver.emailIntent).toBeDefined();
    delete handOver.emailed;
    await putJson(h.store, id, 'hand-over.json', handOver);
    const record = (await loadRecord(h.store, id))!;
    record.status = 'running';
    record.steps['hand-over'] = { status: 'pending' };
    await saveRecord(h.store, record, new Date().toISOString());

    const owner = cliOwner(id);
    const again = await runOffboarding(h.deps(), id, { owner });
    expect(again.steps['hand-over'].status).toBe('done');
    expect(clerkEmails()).toHaveLength(1);
    expect((await getJson<Record<string, unknown>>(h.store, id, 'hand-over.json'))!.emailed).toBe(true);

    // The control: with no such message in the sender's Sent Items, the email is sent (once).
    const clerk = h.tenant().users.find((u) => u.userPrincipalName === CLERK)!;
    for (const f of clerk.mailFolders.values()) if (f.wellKnownName === 'sentitems') f.messages = f.messages.filter((m) => !/verified archive ready/.test(m.subject));
    const again2 = (await getJson<Record<string, unknown>>(h.store, id, 'hand-over.json'))!;
    delete again2.emailed;
    await putJson(h.store, id, 'hand-over.json', again2);
    const r2 = (await loadRecord(h.store, id))!;
    r2.status = 'running';
    r2.steps['hand-over'] = { status: 'pending' };
    await saveRecord(h.store, r2, new Date().toISOString());
    await runOffboarding(h.deps(), id, { owner });
    expect(clerkEmails()).toHaveLength(2);
  });
});
