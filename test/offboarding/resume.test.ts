// Resume after SIGKILL: the CLI surrender runs as a child process and is killed outright during
// preflight, mid-export, mid-upload of a large message and during verify; each restart continues, and
// the finished archive holds every message exactly once, byte for byte.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { testCaPath } from '../../config/paths';
import { loadAllRows } from '../../offboarding/manifest';
import { loadRecord, surrenderId } from '../../offboarding/state';
import { writeConfig } from './cli-support';
import { archiveDrive, contentOf, harness, itemByPath, leaver, LEAVER, mailboxDigests, sha256, TERM_END, type Harness } from './support';
import type { SimDrive, SimItem } from '../../simulator/state';

const CHILD = join(__dirname, '..', 'support', 'offboard-child.js');
const ROOT = 'Cllr Lee Leaving (cllr.leaving) – term ended 2026-05-07';

interface Exit { code: number | null; signal: NodeJS.Signals | null; stderr: string }

/** Starts the CLI; when `killWhen` becomes true (polled every 2 ms) the child is killed with SIGKILL. */
function runChild(h: Harness, config: string, killWhen?: () => boolean): Promise<Exit & { killed: boolean }> {
  const child: ChildProcess = spawn(process.execPath, [CHILD, JSON.stringify({ config, user: LEAVER, termEnd: TERM_END, yes: true, dataDir: '/tmp/cg-unused' })], {
    env: { ...h.env, NODE_EXTRA_CA_CERTS: testCaPath(), COUNCILGUARD_ACTOR: `clerk@testparish.gov.uk`, COUNCILGUARD_UPLOAD_FRAGMENT_KIB: '320' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  let killed = false;
  const timer = killWhen ? setInterval(() => {
    if (!killed && killWhen()) { killed = true; child.kill('SIGKILL'); }
  }, 2) : undefined;
  return new Promise((resolve) => child.on('exit', (code, signal) => { if (timer) clearInterval(timer); resolve({ code, signal, stderr, killed }); }));
}

// Message files only: each mail folder's index.html is checked by late-mail.test.ts.
const liveFiles = (drive: SimDrive, folder: SimItem | undefined) => (folder ? [...drive.items.values()].filter((i) => i.parentId === folder.id && !i.deleted && !i.folder && i.name !== 'index.html') : []);
const routeCount = (h: Harness, pattern: RegExp) => Object.entries(h.sim.stats.byRoute).filter(([k]) => pattern.test(k)).reduce((n, [, v]) => n + v, 0);

describe('offboard resumes after SIGKILL', () => {
  let h: Harness;
  beforeAll(async () => { h = await harness({ name: 'surrender-resume', inbox: 60, largeMessages: [6 * 1024 * 1024] }); });
  afterAll(() => h.close());

  it('killed during preflight, mid-export, mid-upload and during verify, it finishes with nothing missing and nothing twice', async () => {
    const config = writeConfig(h.council);
    const drive = archiveDrive(h.tenant());
    const inboxFolder = () => itemByPath(drive, `${ROOT}/Mail/Inbox`);

    // 1. During preflight: the mailbox is being surveyed, nothing written yet.
    h.sim.stats.reset();
    const first = await runChild(h, config, () => routeCount(h, /mailFolders/) > 0);
    expect(first).toMatchObject({ killed: true, signal: 'SIGKILL' });
    expect(leaver(h.tenant()).accountEnabled).toBe(true);

    // 2. Mid-export: some of the Inbox is in the archive.
    const second = await runChild(h, config, () => liveFiles(drive, inboxFolder()).length >= 10);
    expect(second).toMatchObject({ killed: true, signal: 'SIGKILL' });
    expect(leaver(h.tenant()).accountEnabled).toBe(false);

    // 3. Mid-upload of the large message: its upload session has taken some fragments.
    const third = await runChild(h, config, () => [...h.tenant().uploadSessions.values()].some((s) => s.next > 0 && s.name.endsWith('.eml')));
    expect(third).toMatchObject({ killed: true, signal: 'SIGKILL' });

    // 4. During verify: archived bytes are being read back (export-files reads only its 3 sources).
    h.sim.stats.reset();
    const fourth = await runChild(h, config, () => routeCount(h, /^GET \/drives\/\{id\}\/items\/\{id\}\/content$/) > 3 + 5);
    expect(fourth).toMatchObject({ killed: true, signal: 'SIGKILL' });
    const id = surrenderId(h.council.tenantId, LEAVER, TERM_END);
    expect((await loadRecord(h.store, id))!.steps['export-files'].status).toBe('done');
    expect((await loadRecord(h.store, id))!.steps['hand-over'].status).toBe('pending');

    // 5. Runs to the end.
    const last = await runChild(h, config);
    expect({ code: last.code, stderr: last.code === 0 ? '' : last.stderr }).toEqual({ code: 0, stderr: '' });

    const record = (await loadRecord(h.store, id))!;
    expect(record.status).toBe('done');
    const digests = mailboxDigests(h.tenant());
    const u = leaver(h.tenant());
    for (const folder of [...u.mailFolders.values()].filter((f) => !f.search && f.wellKnownName !== 'msgfolderroot')) {
      const rows = (await loadAllRows(h.store, id)).filter((r) => r.kind === 'message' && r.sourceFolder.endsWith(folder.displayName));
      const archived = liveFiles(drive, itemByPath(drive, `${ROOT}/${rows[0]?.folder ?? ''}`));
      if (!folder.messages.length) continue;
      expect({ folder: folder.displayName, files: archived.length }).toEqual({ folder: folder.displayName, files: folder.messages.length });
      expect(archived.map((i) => sha256(contentOf(i))).sort()).toEqual(folder.messages.map((m) => digests.get(m.id)!.sha256).sort());
    }
    const rows = (await loadAllRows(h.store, id)).filter((r) => r.kind === 'message');
    expect(rows).toHaveLength(digests.size);
    expect(new Set(rows.map((r) => r.sourceId)).size).toBe(digests.size);
    expect([...drive.items.values()].filter((i) => !i.deleted && /[0-9a-f]{8} \d+\.eml$/.test(i.name))).toEqual([]);
    expect(u.assignedLicenses).toEqual([]);
  });
});
