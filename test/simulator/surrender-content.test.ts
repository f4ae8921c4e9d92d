// Simulator behaviours the surrender relies on to lose nothing (issue 14, part B), each from Microsoft's
// documentation: Outlook ids change when a message moves unless the request asks for immutable ids, and
// mail is still delivered to the mailbox while the surrender runs; Recoverable Items / Deletions is
// reached only by its well-known name; Get-Mailbox reports an online archive.
import { buildScenario, startSimulator, type RunningSimulator } from '../../simulator';
import { deliverMessage, moveMessage } from '../../simulator/mailbox';
import { addFile, addNotebook, addShortcut } from '../../simulator/state';
import { editFile } from '../../simulator/drives';
import { call, tokenFor } from './raw';

describe('simulator: mailbox content that changes during a surrender', () => {
  let sim: RunningSimulator;
  let token: string;
  const ann = 'ann@testparish.gov.uk';
  const scenario = buildScenario({ name: 'surrender-content', people: [{ userPrincipalName: ann, displayName: 'ann', mailbox: { folders: [{ name: 'Inbox', count: 3, seed: 1 }, { name: 'Archive', count: 1, seed: 2 }] } }] });
  beforeAll(async () => {
    sim = await startSimulator({ scenarios: [scenario] });
    token = await tokenFor(sim);
  });
  afterAll(() => sim.close());
  const user = () => sim.tenant().users.find((u) => u.userPrincipalName === ann)!;
  const folder = (name: string) => [...user().mailFolders.values()].find((f) => f.displayName === name)!;
  const immutable = { Prefer: 'IdType="ImmutableId"' };
  type List = { value: { id: string; subject: string }[] };

  it('a moved message keeps its immutable id; its default id changes, so the old one answers 404', async () => {
    const listed = (await call<List>(sim, 'GET', `/users/${ann}/mailFolders/inbox/messages?$select=id`, { token })).body.value;
    const listedImmutable = (await call<List>(sim, 'GET', `/users/${ann}/mailFolders/inbox/messages?$select=id`, { token, headers: immutable })).body.value;
    moveMessage(user().mailFolders, listedImmutable[0].id, folder('Archive').id);
    expect((await call(sim, 'GET', `/users/${ann}/messages/${listed[0].id}/$value`, { token })).status).toBe(404);
    expect((await call(sim, 'GET', `/users/${ann}/messages/${listedImmutable[0].id}/$value`, { token, headers: immutable })).status).toBe(200);
    const archive = (await call<List>(sim, 'GET', `/users/${ann}/mailFolders/${folder('Archive').id}/messages?$select=id`, { token })).body.value.map((m) => m.id);
    expect(archive).not.toContain(listed[0].id);
    const archiveImmutable = (await call<List>(sim, 'GET', `/users/${ann}/mailFolders/${folder('Archive').id}/messages?$select=id`, { token, headers: immutable })).body.value.map((m) => m.id);
    expect(archiveImmutable).toContain(listedImmutable[0].id);
  });

  it('mail delivered after listing appears in the folder and its totalItemCount', async () => {
    const before = (await call<{ totalItemCount: number }>(sim, 'GET', `/users/${ann}/mailFolders/inbox?$select=totalItemCount`, { token })).body.totalItemCount;
    deliverMessage(folder('Inbox'), { id: 'late-1', subject: 'Arrived late', receivedDateTime: new Date().toISOString(), from: 'x@example.net' });
    expect((await call<{ totalItemCount: number }>(sim, 'GET', `/users/${ann}/mailFolders/inbox?$select=totalItemCount`, { token })).body.totalItemCount).toBe(before + 1);
    const list = (await call<List>(sim, 'GET', `/users/${ann}/mailFolders/inbox/messages?$select=id,subject`, { token, headers: immutable })).body.value;
    expect(list.map((m) => m.subject)).toContain('Arrived late');
  });

  it('Recoverable Items / Deletions answers by its well-known name and is in no folder listing', async () => {
    const f = (await call<{ id: string; totalItemCount: number }>(sim, 'GET', `/users/${ann}/mailFolders/recoverableitemsdeletions?$select=id,totalItemCount`, { token })).body;
    expect(f.totalItemCount).toBe(0);
    const top = (await call<{ value: { id: string }[] }>(sim, 'GET', `/users/${ann}/mailFolders?includeHiddenFolders=true&$select=id`, { token })).body.value.map((x) => x.id);
    expect(top).not.toContain(f.id);
  });

  it('Get-Mailbox reports ArchiveStatus and ArchiveGuid: Active with its guid when there is an online archive, None and the zero guid otherwise', async () => {
    const exchangeToken = await tokenFor(sim, { resource: `${sim.url}/exchange` });
    const getMailbox = async () => (await call<{ value: { ArchiveStatus: string; ArchiveGuid: string }[] }>(sim, 'POST', `/exchange/adminapi/beta/${sim.tenantIds[0]}/InvokeCommand`, {
      token: exchangeToken, body: { CmdletInput: { CmdletName: 'Get-Mailbox', Parameters: { Identity: ann } } },
    })).body.value[0];
    expect(await getMailbox()).toMatchObject({ ArchiveStatus: 'None', ArchiveGuid: '00000000-0000-0000-0000-000000000000' });
    user().onlineArchive = { guid: '11111111-2222-3333-4444-555555555555', items: 10 };
    expect(await getMailbox()).toMatchObject({ ArchiveStatus: 'Active', ArchiveGuid: '11111111-2222-3333-4444-555555555555' });
  });

  it('a OneNote notebook is a package item (no folder or file facet) whose files are its children; a shortcut has only remoteItem', async () => {
    const t = sim.tenant();
    const drive = t.drives.get(user().driveId!)!;
    const nb = addNotebook(t, drive, '/Notes/Parish', [{ name: 'Meetings' }]);
    const sc = addShortcut(t, drive, '/Shared thing', { id: 'x', driveId: 'y', name: 'Shared thing' });
    const item = (await call<Record<string, unknown>>(sim, 'GET', `/drives/${drive.id}/items/${nb.id}`, { token })).body;
    expect(item.package).toEqual({ type: 'oneNote' });
    expect(item.folder).toBeUndefined();
    expect(item.file).toBeUndefined();
    const kids = (await call<{ value: { name: string; file?: object }[] }>(sim, 'GET', `/drives/${drive.id}/items/${nb.id}/children`, { token })).body.value;
    expect(kids.map((k) => k.name).sort()).toEqual(['Meetings.one', 'Open Notebook.onetoc2']);
    expect(kids.every((k) => k.file)).toBe(true);
    const shortcut = (await call<Record<string, unknown>>(sim, 'GET', `/drives/${drive.id}/items/${sc.id}`, { token })).body;
    expect(shortcut.remoteItem).toMatchObject({ id: 'x', name: 'Shared thing' });
    expect([shortcut.file, shortcut.folder, shortcut.package]).toEqual([undefined, undefined, undefined]);
    const delta = (await call<{ value: { id: string; package?: object; folder?: object }[] }>(sim, 'GET', `/drives/${drive.id}/root/delta`, { token })).body.value;
    expect(delta.find((x) => x.id === nb.id)).toMatchObject({ package: { type: 'oneNote' } });
    expect(delta.find((x) => x.id === nb.id)?.folder).toBeUndefined();
  });

  it('a file saved again gets new bytes and a new quickXorHash; one being edited serves a version and is saved again after the read', async () => {
    const t = sim.tenant();
    const drive = t.drives.get(user().driveId!)!;
    const file = addFile(t, drive, { path: '/Draft minutes.docx', size: 5000 });
    type Item = { file: { hashes: { quickXorHash: string } }; size: number };
    const hashOf = async () => (await call<Item>(sim, 'GET', `/drives/${drive.id}/items/${file.id}`, { token })).body.file.hashes.quickXorHash;
    const h1 = await hashOf();
    editFile(t, drive, file);
    const h2 = await hashOf();
    expect(h2).not.toBe(h1);
    file.editsAfterRead = 1;
    const read = await call(sim, 'GET', `/drives/${drive.id}/items/${file.id}/content`, { token });
    expect(read.status).toBe(200);
    const h3 = await hashOf();
    expect(h3).not.toBe(h2);
    expect(file.editsAfterRead).toBe(0);
    await call(sim, 'GET', `/drives/${drive.id}/items/${file.id}/content`, { token });
    expect(await hashOf()).toBe(h3);
  });

  it('calendars: /calendars lists the default and the others, /events is the default calendar only, /instances needs a window', async () => {
    const u = user();
    const t = (d: string) => ({ dateTime: d, timeZone: 'UTC' });
    u.calendars = [{ id: 'cal-2', name: 'Planning' }];
    u.events.push(
      { id: 'e-other', subject: 'Other calendar', start: t('2026-02-01T10:00:00'), end: t('2026-02-01T11:00:00'), location: { displayName: '' }, calendarId: 'cal-2' },
      { id: 'e-series', subject: 'Series', type: 'seriesMaster', start: t('2026-01-05T10:00:00'), end: t('2026-01-05T11:00:00'), location: { displayName: '' }, recurrence: { pattern: { type: 'daily', interval: 1 }, range: { type: 'numbered', startDate: '2026-01-05', numberOfOccurrences: 3 } },
        instances: [{ id: 'x1', type: 'exception', subject: 'Moved', start: t('2026-01-06T12:00:00'), end: t('2026-01-06T13:00:00'), originalStart: '2026-01-06T10:00:00Z' }] },
    );
    const calendars = (await call<{ value: { id: string; name: string; isDefaultCalendar: boolean }[] }>(sim, 'GET', `/users/${ann}/calendars`, { token })).body.value;
    expect(calendars.map((c) => [c.name, c.isDefaultCalendar])).toEqual([['Calendar', true], ['Planning', false]]);
    const defaults = (await call<{ value: { id: string; type: string }[] }>(sim, 'GET', `/users/${ann}/events`, { token })).body.value;
    expect(defaults.map((e) => e.id)).not.toContain('e-other');
    expect(defaults.find((e) => e.id === 'e-series')?.type).toBe('seriesMaster');
    expect(defaults.map((e) => e.id)).not.toContain('x1');
    const other = (await call<{ value: { id: string }[] }>(sim, 'GET', `/users/${ann}/calendars/cal-2/events`, { token })).body.value;
    expect(other.map((e) => e.id)).toEqual(['e-other']);
    expect((await call(sim, 'GET', `/users/${ann}/events/e-series/instances`, { token })).status).toBe(400);
    const inst = (await call<{ value: { id: string; type: string; seriesMasterId: string }[] }>(sim, 'GET', `/users/${ann}/events/e-series/instances?startDateTime=2026-01-01T00:00:00Z&endDateTime=2026-02-01T00:00:00Z`, { token })).body.value;
    expect(inst).toMatchObject([{ id: 'x1', type: 'exception', seriesMasterId: 'e-series' }]);
  });

  it('event attachments: listed with their derived type; $value gives a file\'s bytes and an item\'s MIME, 405 for a reference attachment', async () => {
    const u = user();
    const t = (d: string) => ({ dateTime: d, timeZone: 'UTC' });
    u.calendars = [...(u.calendars ?? []), { id: 'cal-papers', name: 'Papers' }];
    u.events.push({
      id: 'e-papers', subject: 'Full council', start: t('2026-04-01T19:00:00'), end: t('2026-04-01T21:00:00'), location: { displayName: '' }, calendarId: 'cal-papers',
      attachments: [
        { id: 'a-file', kind: 'file', name: 'Agenda.pdf', contentType: 'application/pdf', bytes: Buffer.from('agenda bytes') },
        { id: 'a-item', kind: 'item', name: 'Invitation', item: 'event', mime: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n' },
        { id: 'a-link', kind: 'reference', name: 'Budget.xlsx' },
      ],
    });
    const base = `/users/${ann}/calendars/cal-papers/events/e-papers/attachments`;
    const events = (await call<{ value: { id: string; hasAttachments: boolean }[] }>(sim, 'GET', `/users/${ann}/calendars/cal-papers/events`, { token })).body.value;
    expect(events.find((e) => e.id === 'e-papers')?.hasAttachments).toBe(true);
    const listed = (await call<{ value: Record<string, unknown>[] }>(sim, 'GET', `${base}?$select=id,name,contentType,size`, { token })).body.value;
    expect(listed.map((a) => [a['@odata.type'], a.name, a.contentType])).toEqual([
      ['#microsoft.graph.fileAttachment', 'Agenda.pdf', 'application/pdf'],
      ['#microsoft.graph.itemAttachment', 'Invitation', null],
      ['#microsoft.graph.referenceAttachment', 'Budget.xlsx', null],
    ]);
    const file = await call(sim, 'GET', `${base}/a-file/$value`, { token });
    expect([file.status, file.headers.get('content-type'), file.bytes.toString('utf8')]).toEqual([200, 'application/pdf', 'agenda bytes']);
    const item = await call(sim, 'GET', `${base}/a-item/$value`, { token });
    expect([item.status, item.bytes.toString('utf8')]).toEqual([200, 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n']);
    expect((await call(sim, 'GET', `${base}/a-link/$value`, { token })).status).toBe(405);
    // The event is found only in its own calendar, as the route names it.
    expect((await call(sim, 'GET', `/users/${ann}/calendars/${u.id}-calendar/events/e-papers/attachments`, { token })).status).toBe(404);
  });

  it('contacts: /contacts is the default folder only; folders below it come through /contactFolders and childFolders', async () => {
    const u = user();
    u.contactFolders = [{ id: 'f1', displayName: 'Parish' }, { id: 'f2', displayName: 'Nested', parentFolderId: 'f1' }];
    u.contacts.push({ id: 'in-f2', displayName: 'Nested person', emailAddresses: [], businessPhones: [], folderId: 'f2' });
    const names = async (path: string) => (await call<{ value: { displayName: string }[] }>(sim, 'GET', path, { token })).body.value.map((x) => x.displayName);
    expect(await names(`/users/${ann}/contacts`)).not.toContain('Nested person');
    expect(await names(`/users/${ann}/contactFolders`)).toEqual(['Parish']);
    expect(await names(`/users/${ann}/contactFolders/f1/childFolders`)).toEqual(['Nested']);
    expect(await names(`/users/${ann}/contactFolders/f2/contacts`)).toEqual(['Nested person']);
    expect((await call(sim, 'GET', `/users/${ann}/contactFolders/nope/contacts`, { token })).status).toBe(404);
  });
});
