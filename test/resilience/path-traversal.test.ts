// Path traversal in names: mail folders, subjects and OneDrive files and folders named "..", "../../etc",
// "/abs", "C:\x", "CON", "aux.txt", ".", "  .hidden. ", "a/b", "%2e%2e" (and more) never leave the
// councillor's archive folder, are never used raw, and every message and file still arrives.
import { posix } from 'node:path';
import { runOffboarding, startOffboarding } from '../../jobs/offboarding';
import { cliOwner, surrenderId } from '../../offboarding/state';
import { archiveFolderName, MAX_SEGMENT, messageFileName, safeRelativePath, safeSegment, uniqueSegments } from '../../offboarding/names';
import { buildScenario, startSimulator } from '../../simulator';
import { stableId, type SimDrive, type SimItem, type TenantState } from '../../simulator/state';
import { openStore } from '../../store';
import { readEnvironment } from '../../config/env';
import { createGraphContext } from '../../graph';
import { silentLogger } from '../../core/logger';
import { archiveDrive, CLERK, contentOf, councilConfig, DOMAIN, leaver, LEAVER, mailboxDigests, sha256, TERM_END } from '../offboarding/support';
import { systemClock } from '../../core/clock';

const HOSTILE_NAMES = ['..', '../../etc', '/abs', 'C:\\x', 'CON', 'aux.txt', '.', '  .hidden. ', 'a/b', '%2e%2e',
  '..\\..\\win.ini', '\\\\server\\share', 'nul', 'COM1.log', 'lpt9', '~$lock.docx', '....', '.. ', 'x\u0000y', '%2F..%2F'];

// What SharePoint and a Windows sync client would read as something other than one plain name.
// eslint-disable-next-line no-control-regex -- control characters in a name are what this looks for
const RAW_OR_UNSAFE = (name: string) => HOSTILE_NAMES.includes(name) || name === '.' || name === '..' || /["*:<>?/\\|#%\u0000-\u001f]/.test(name)
  || /^[\s.]|[\s.]$/.test(name) || /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/i.test(name) || name.startsWith('~$') || !name.length;

/** Where a name lands when joined below an archive root: it must stay below it. */
const staysBelow = (root: string, relative: string) => posix.normalize(posix.join(root, relative)).startsWith(`${root}/`);

describe('names: every hostile name becomes one safe segment', () => {
  it.each(HOSTILE_NAMES)('%j', (raw) => {
    const seg = safeSegment(raw);
    expect({ raw, seg, unsafe: RAW_OR_UNSAFE(seg) }).toEqual({ raw, seg, unsafe: false });
    expect(seg.length).toBeLessThanOrEqual(MAX_SEGMENT);
    expect(staysBelow('/archive', seg)).toBe(true);
    const file = messageFileName('2026-03-01T09:30:00Z', raw, `id-${raw}`);
    expect(file).not.toMatch(/[/\\]/);
    expect(staysBelow('/archive/Mail/Inbox', file)).toBe(true);
    const folder = archiveFolderName(raw, '2026-05-07', `${raw}@example.org`);
    expect(RAW_OR_UNSAFE(folder)).toBe(false);
    expect(staysBelow('/library', folder)).toBe(true);
  });

  it('a path of hostile segments stays below the archive folder, one safe segment per input segment', () => {
    const path = safeRelativePath(HOSTILE_NAMES);
    expect(path.split('/')).toHaveLength(HOSTILE_NAMES.length);
    expect(path.split('/').filter(RAW_OR_UNSAFE)).toEqual([]);
    expect(staysBelow('/archive', path)).toBe(true);
  });

  it('siblings with hostile names stay apart: unique without case, none raw', () => {
    const names = uniqueSegments(HOSTILE_NAMES, 'untitled');
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(HOSTILE_NAMES.length);
    expect(names.filter(RAW_OR_UNSAFE)).toEqual([]);
  });
});

/** Adds a folder or file straight into the simulated OneDrive (scenario paths cannot hold "/" in a name). */
function addItem(t: TenantState, drive: SimDrive, parent: SimItem, name: string, folder: boolean): SimItem {
  const now = t.now.toUTC().toISO()!;
  const item: SimItem = { id: stableId(drive.id, 'hostile', parent.id, name, String(folder)), name, parentId: parent.id, folder, size: 0, created: now, modified: now, permissions: [], seq: t.seq++ };
  if (!folder) {
    item.content = Buffer.from(`contents of ${JSON.stringify(name)}\n`);
    item.size = item.content.length;
  }
  drive.items.set(item.id, item);
  return item;
}

function ancestors(drive: SimDrive, item: SimItem): SimItem[] {
  const out: SimItem[] = [];
  for (let at = item.parentId ? drive.items.get(item.parentId) : undefined; at; at = at.parentId ? drive.items.get(at.parentId) : undefined) out.push(at);
  return out;
}

const liveFiles = (drive: SimDrive) => [...drive.items.values()].filter((i) => !i.deleted && !i.folder);

describe('a surrender of a councillor whose folders and files have hostile names', () => {
  it('writes only inside the archive folder, never a raw hostile name, and every message and file arrives', async () => {
    const scenario = buildScenario({
      name: 'resilience-traversal',
      domains: [{ id: DOMAIN, isDefault: true }],
      people: [
        { userPrincipalName: CLERK, displayName: 'Pat Clerk', licences: ['SPB'] },
        {
          userPrincipalName: LEAVER, displayName: 'Cllr ../../Lee /Leaving', licences: ['SPB'],
          mailbox: {
            folders: [
              { name: 'Inbox', count: 3, seed: 1, subjects: HOSTILE_NAMES.slice(0, 3), folders: [{ name: '..', count: 2, seed: 2, folders: [{ name: '../../etc', count: 2, seed: 3 }] }] },
              ...HOSTILE_NAMES.map((name, i) => ({ name, count: 2, seed: 10 + i, subjects: [HOSTILE_NAMES[(i + 1) % HOSTILE_NAMES.length]] })),
            ],
          },
          drive: { files: [{ path: '/Council/notes.docx', size: 2_000 }] },
        },
        { userPrincipalName: `itadmin@${DOMAIN}`, displayName: 'Supplier IT Admin', roles: ['Global Administrator'], mailbox: false, drive: false },
      ],
      skus: [{ skuPartNumber: 'SPB', servicePlans: ['EXCHANGE_S_STANDARD', 'SHAREPOINTSTANDARD', 'AAD_PREMIUM', 'INTUNE_A'] }],
      groups: [{ displayName: 'Councillors', members: [LEAVER] }],
      sites: [{ hostname: 'testparish.sharepoint.com', path: '/sites/council', displayName: 'Test Parish Council', libraries: [{ name: 'Documents' }, { name: 'Councillor archives' }] }],
    });
    const sim = await startSimulator({ scenarios: [scenario] });
    try {
      const t = sim.tenant();
      const oneDrive = t.drives.get(leaver(t).driveId!)!;
      const driveRoot = [...oneDrive.items.values()].find((i) => i.root)!;
      for (const name of HOSTILE_NAMES) addItem(t, oneDrive, driveRoot, name, false);
      const dotdot = addItem(t, oneDrive, driveRoot, '..', true);
      for (const name of ['../../etc', '/abs', 'CON']) addItem(t, oneDrive, dotdot, name, false);
      const slashed = addItem(t, oneDrive, addItem(t, oneDrive, driveRoot, 'a/b', true), '%2e%2e', true);
      addItem(t, oneDrive, slashed, 'aux.txt', false);

      const archive = archiveDrive(t);
      const before = new Map([...t.drives.values()].map((d) => [d.id, new Set(d.items.keys())]));
      const sourceFiles = liveFiles(oneDrive).map((i) => sha256(contentOf(i))).sort();

      const store = await openStore(process.env.COUNCILGUARD_TEST_STORAGE!);
      const graph = createGraphContext(readEnvironment({ ...process.env, ...sim.env() }), { retry: { baseDelayMs: 50, maxDelayMs: 2000 } });
      const council = councilConfig(scenario);
      const deps = { council, graph, store, log: silentLogger, clock: systemClock };
      const owner = cliOwner(surrenderId(council.tenantId, LEAVER, TERM_END));
      const started = await startOffboarding(deps, { userPrincipalName: LEAVER, termEnd: TERM_END, requestedBy: CLERK, via: 'cli' }, owner);
      const record = await runOffboarding(deps, started.record.id, { owner });
      expect({ status: record.status, verify: record.steps.verify.message }).toEqual({ status: 'done', verify: undefined });

      // Every item the surrender created sits below one new folder at the library root: the archive folder.
      const created = [...archive.items.values()].filter((i) => !before.get(archive.id)!.has(i.id) && !i.deleted);
      const topLevel = created.filter((i) => archive.items.get(i.parentId ?? '')?.root);
      expect(topLevel.map((i) => i.name)).toEqual([archiveFolderName('Cllr ../../Lee /Leaving', TERM_END, LEAVER)]);
      expect(RAW_OR_UNSAFE(topLevel[0].name)).toBe(false);
      const archiveRoot = topLevel[0];
      expect(created.filter((i) => i !== archiveRoot && !ancestors(archive, i).includes(archiveRoot)).map((i) => i.name)).toEqual([]);
      // Nothing new anywhere else in the tenant (the OneDrive and the other library are only read).
      for (const d of t.drives.values()) {
        if (d.id === archive.id) continue;
        expect({ drive: d.name, added: [...d.items.keys()].filter((id) => !before.get(d.id)!.has(id)) }).toEqual({ drive: d.name, added: [] });
      }

      // No name in the archive is a hostile name used raw, or unsafe in any other way.
      expect(created.map((i) => i.name).filter(RAW_OR_UNSAFE)).toEqual([]);

      // Counts still match: every message (byte for byte) and every OneDrive file arrived.
      const digests = mailboxDigests(t);
      const emls = created.filter((i) => i.name.endsWith('.eml') && ancestors(archive, i).some((a) => a.name === 'Mail' && a.parentId === archiveRoot.id));
      expect(emls.map((i) => sha256(contentOf(i))).sort()).toEqual([...digests.values()].map((d) => d.sha256).sort());
      const filesFolder = created.find((i) => i.name === 'Files' && i.parentId === archiveRoot.id)!;
      const copies = created.filter((i) => !i.folder && ancestors(archive, i).includes(filesFolder));
      expect(copies.map((i) => sha256(contentOf(i))).sort()).toEqual(sourceFiles);
      expect(copies).toHaveLength(HOSTILE_NAMES.length + 3 + 1 + 1);
    } finally {
      await sim.close();
    }
  }, 60_000);
});
