// The simulated mailbox the surrender will export: folders to any depth, generated messages, MIME.
import { createGraphContext } from '../../graph';
import { readEnvironment } from '../../config/env';
import { loadScenario, startSimulator, type RunningSimulator } from '../../simulator';

describe('simulated mailbox contents', () => {
  let sim: RunningSimulator;
  const UPN = 'cllr.leaving@exampleparish.gov.uk';
  beforeAll(async () => {
    const s = structuredClone(loadScenario('demo'));
    s.grantedPermissions.push('Mail.Read', 'Contacts.Read', 'Calendars.Read');
    sim = await startSimulator({ scenarios: [s] });
  });
  afterAll(() => sim.close());

  it('lists folders recursively with counts, marks search folders, and serves each message\'s MIME', async () => {
    const g = createGraphContext(readEnvironment(sim.env()));
    const top = await g.pageAll<{ id: string; displayName: string; childFolderCount: number; totalItemCount: number; '@odata.type'?: string }>(`/users/${UPN}/mailFolders`, ['id', 'displayName', 'childFolderCount', 'totalItemCount']);
    expect(top.map((f) => f.displayName)).toEqual(['Inbox', 'Sent Items', 'Deleted Items', 'Archive', 'Unread mail (search)']);
    expect(top.find((f) => f.displayName === 'Unread mail (search)')?.['@odata.type']).toBe('#microsoft.graph.mailSearchFolder');
    const inbox = top[0];
    expect(inbox.totalItemCount).toBe(1802);
    const children = await g.pageAll<{ id: string; displayName: string }>(`/users/${UPN}/mailFolders/${inbox.id}/childFolders`, ['id', 'displayName']);
    expect(children.map((c) => c.displayName)).toEqual(['Planning', 'Empty folder']);
    const grandchildren = await g.pageAll<{ displayName: string }>(`/users/${UPN}/mailFolders/${children[0].id}/childFolders`, ['displayName']);
    expect(grandchildren.map((c) => c.displayName)).toEqual(['2024', 'Objections: "North Field"?']);

    const messages = await g.pageAll<{ id: string; subject: string }>(`/users/${UPN}/mailFolders/inbox/messages`, ['id', 'subject'], { top: 1000 });
    expect(messages).toHaveLength(1802);
    expect(messages.slice(0, 3).map((m) => m.subject)).toEqual(['Café opening – “Grand Opening” 🎉', 'Re: Budget? *urgent* <draft>', 'Re: Budget? *urgent* <draft>']);
    const big = messages[1801];
    const res = await fetch(`${sim.url}/v1.0/users/${UPN}/messages/${big.id}/$value`, { headers: { Authorization: `Bearer ${(await g.credential.getToken(`${sim.url}/.default`))!.token}` } });
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.length).toBeGreaterThan(60 * 1024 * 1024);
    expect(bytes.subarray(0, 200).toString()).toMatch(/^Message-ID: </);
    expect((await g.pageAll(`/users/${UPN}/contacts`, ['displayName'])).length).toBe(2);
    expect((await g.pageAll(`/users/${UPN}/events`, ['subject'])).length).toBe(2);
  });
});
