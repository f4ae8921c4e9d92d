// Generated mailboxes on the wire: hidden folders, message listing, MIME built from the seed (the same
// bytes every time, padded to the message's size, large ones with an attachment) and QuickXorHash.
import { buildScenario, QuickXorHash, quickXorHash, startSimulator, type RunningSimulator } from '../../simulator';
import { call, tokenFor } from './raw';

describe('generated mailbox on the wire', () => {
  let sim: RunningSimulator;
  let token: string;
  const UPN = 'leaver@testparish.gov.uk';
  const scenario = buildScenario({
    name: 'mailbox-raw',
    users: [{
      userPrincipalName: UPN,
      mailbox: { folders: [
        { name: 'Inbox', count: 25, seed: 5, subjects: ['Café – “quotes” 🎉'], largeMessages: [5 * 1024 * 1024] },
        { name: 'Sent Items', count: 3, seed: 6 },
        { name: 'Conversation History', hidden: true, count: 1 },
      ] },
    }],
  });
  beforeAll(async () => {
    sim = await startSimulator({ scenarios: [scenario] });
    token = await tokenFor(sim);
  });
  afterAll(() => sim.close());

  it('hides hidden folders unless includeHiddenFolders=true, with counts', async () => {
    const names = async (q: string) => (await call<{ value: { displayName: string; totalItemCount: number }[] }>(sim, 'GET', `/users/${UPN}/mailFolders${q}`, { token })).body.value.map((f) => `${f.displayName}:${f.totalItemCount}`);
    expect(await names('')).toEqual(['Inbox:26', 'Sent Items:3']);
    expect(await names('?includeHiddenFolders=true')).toEqual(['Inbox:26', 'Sent Items:3', 'Conversation History:1']);
  });

  it('lists messages 10 to a page by default, and the mailbox-wide list holds every folder\'s messages', async () => {
    const first = await call<{ value: unknown[]; '@odata.nextLink': string }>(sim, 'GET', `/users/${UPN}/mailFolders/inbox/messages?$select=subject`, { token });
    expect(first.body.value).toHaveLength(10);
    expect(first.body['@odata.nextLink']).toContain('$skiptoken=');
    const all = await call<{ value: { receivedDateTime: string }[] }>(sim, 'GET', `/users/${UPN}/messages?$top=100&$select=receivedDateTime`, { token });
    expect(all.body.value).toHaveLength(30);
    const times = all.body.value.map((m) => m.receivedDateTime);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('serves each message\'s MIME: the same bytes each time, headers first, at least its size; the big one with an attachment', async () => {
    const messages = (await call<{ value: { id: string; subject: string; hasAttachments: boolean }[] }>(sim, 'GET', `/users/${UPN}/mailFolders/inbox/messages?$top=50&$select=subject,hasAttachments`, { token })).body.value;
    const small = messages[0];
    expect(small.subject).toBe('Café – “quotes” 🎉');
    const a = await call(sim, 'GET', `/users/${UPN}/messages/${small.id}/$value`, { token });
    const b = await call(sim, 'GET', `/users/${UPN}/messages/${small.id}/$value`, { token });
    expect(a.headers.get('content-type')).toBe('message/rfc822');
    expect(a.bytes.equals(b.bytes)).toBe(true);
    const text = a.bytes.toString('utf8');
    expect(text).toMatch(/^Message-ID: <.+>\r\nDate: .+\r\nFrom: .+\r\nTo: leaver@testparish\.gov\.uk\r\nSubject: =\?UTF-8\?B\?/);
    const subject = /^Subject: =\?UTF-8\?B\?([^?]+)\?=/m.exec(text)![1];
    expect(Buffer.from(subject, 'base64').toString('utf8')).toBe(small.subject);

    const big = messages.find((m) => m.hasAttachments)!;
    const bytes = (await call(sim, 'GET', `/users/${UPN}/messages/${big.id}/$value`, { token })).bytes;
    expect(bytes.length).toBeGreaterThanOrEqual(5 * 1024 * 1024);
    expect(bytes.length).toBeLessThan(5 * 1024 * 1024 + 8);
    expect(bytes.toString('latin1')).toMatch(/Content-Disposition: attachment; filename="attachment\.bin"\r\n\r\n[A-Za-z0-9+/]{76}\r\n/);
    expect(bytes.subarray(-17).toString()).toBe('--cg-boundary--\r\n');
  });

  it('an unknown message or folder is 404 ErrorItemNotFound', async () => {
    const res = await call<{ error: { code: string } }>(sim, 'GET', `/users/${UPN}/messages/AAMk-nothing/$value`, { token });
    expect([res.status, res.body.error.code]).toEqual([404, 'ErrorItemNotFound']);
    expect((await call(sim, 'GET', `/users/${UPN}/mailFolders/nofolder/messages`, { token })).status).toBe(404);
  });
});

describe('quickXorHash', () => {
  // Published test vectors for the algorithm (input and hash, both base64).
  const vectors: [string, string][] = [
    ['', 'AAAAAAAAAAAAAAAAAAAAAAAAAAA='],
    ['Sg==', 'SgAAAAAAAAAAAAAAAQAAAAAAAAA='],
    ['n6Neh7p6fFgm', 'nxiFFw6hCz3wAQsmCQAAAAAAAAA='],
    ['2fuxhBJXtpWFe8dOfdGeHw==', 'O9tHLAghgSvYohKFyMMxnNCHaHg='],
    ['jyibxJSzO6ZiZ0O1qe3tG/bvIAYssvukh9suIT5wEy1JBINVgPiqdsTW0cOpP0aUfP7mgqLfADkzI/m/GgCuVhr8oFLrOCoTx1/psBOWwhltCbhUx51Icm9aH8tY4Z3ccU+6BKpYQkLCy0B/A9Zc', 'hZfLIilSITC6N3e3tQ/iSgEzkto='],
  ];

  it.each(vectors)('hashes %s to %s, whole or in 7-byte pieces', (input, expected) => {
    const bytes = Buffer.from(input, 'base64');
    expect(quickXorHash(bytes)).toBe(expected);
    const pieces = new QuickXorHash();
    for (let i = 0; i < bytes.length; i += 7) pieces.update(bytes.subarray(i, i + 7));
    expect(pieces.digest()).toBe(expected);
  });
});
