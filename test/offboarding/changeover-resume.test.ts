// An interrupted changeover: `councilguard offboard --all-ended --yes` runs as a child process over two
// councils and is killed with SIGKILL while both mailboxes are being copied; run again, each surrender
// continues on its own and completes, and each archive holds every message exactly once.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { testCaPath } from '../../config/paths';
import { loadAllRows } from '../../offboarding/manifest';
import { loadRecord, surrenderId } from '../../offboarding/state';
import type { SimDrive, SimItem } from '../../simulator/state';
import { changeoverHarness, writeConfigFile, type Changeover } from './changeover-support';
import { archiveDrive, contentOf, itemByPath, leaver, LEAVER, mailboxDigests, sha256, TERM_END } from './support';

const CHILD = join(__dirname, '..', 'support', 'offboard-child.js');
const ROOT = 'Cllr Lee Leaving (cllr.leaving) – term ended 2026-05-07';

function runChild(h: Changeover, config: string, killWhen?: () => boolean): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; killed: boolean }> {
  const child = spawn(process.execPath, [CHILD, JSON.stringify({ config, allEnded: true, yes: true, dataDir: '/tmp/cg-unused' })], {
    env: { ...h.env, NODE_EXTRA_CA_CERTS: testCaPath(), COUNCILGUARD_ACTOR: 'itadmin@testparish.gov.uk', COUNCILGUARD_UPLOAD_FRAGMENT_KIB: '320' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  let killed = false;
  const timer = killWhen ? setInterval(() => {
    if (!killed && killWhen()) { killed = true; child.kill('SIGKILL'); }
  }, 2) : undefined;
  return new Promise((resolve) => child.on('exit', (code, signal) => { if (timer) clearInterval(timer); resolve({ code, signal, stdout, stderr, killed }); }));
}

const messageFiles = (drive: SimDrive, folder: SimItem | undefined) => (folder ? [...drive.items.values()].filter((i) => i.parentId === folder.id && !i.deleted && !i.folder && i.name !== 'index.html') : []);

describe('offboard --all-ended resumes after SIGKILL', () => {
  let h: Changeover;
  beforeAll(async () => { h = await changeoverHarness('changeover-resume', 2, 16); });
  afterAll(() => h.close());

  it('killed while both councils\' mailboxes are being copied, the rerun completes each surrender with nothing missing and nothing twice', async () => {
    const config = writeConfigFile(h.councils);
    const inbox = (i: number) => messageFiles(archiveDrive(h.tenant(h.councils[i])), itemByPath(archiveDrive(h.tenant(h.councils[i])), `${ROOT}/Mail/Inbox`));

    const first = await runChild(h, config, () => inbox(0).length >= 3 && inbox(1).length >= 3);
    expect(first).toMatchObject({ killed: true, signal: 'SIGKILL' });
    for (const c of h.councils) expect((await loadRecord(h.store, surrenderId(c.tenantId, LEAVER, TERM_END)))!.status).toBe('running');

    h.sim.stats.reset();
    const second = await runChild(h, config);
    expect({ code: second.code, stderr: second.code === 0 ? '' : second.stderr }).toEqual({ code: 0, stderr: '' });
    // Both councils' surrenders at once, one app: never more than Outlook's 4 in flight, none refused.
    expect(h.sim.stats.maxOutlookInFlight[h.sim.clientId]).toBeLessThanOrEqual(4);
    expect(h.sim.stats.throttled).toBe(0);
    // Each surrender continued (the stored record, not a new one), and completed.
    expect(second.stderr.match(/continuing the surrender of cllr\.leaving@testparish\.gov\.uk/g)).toHaveLength(2);
    expect(second.stdout.match(/cllr\.leaving@testparish\.gov\.uk\s+2026-05-07\s+done/g)).toHaveLength(2);

    for (const c of h.councils) {
      const id = surrenderId(c.tenantId, LEAVER, TERM_END);
      expect((await loadRecord(h.store, id))!.status).toBe('done');
      const t = h.tenant(c);
      const drive = archiveDrive(t);
      const digests = mailboxDigests(t);
      const rows = (await loadAllRows(h.store, id)).filter((r) => r.kind === 'message');
      expect(rows).toHaveLength(digests.size);
      expect(new Set(rows.map((r) => r.sourceId)).size).toBe(digests.size);
      const inboxFolder = [...leaver(t).mailFolders.values()].find((f) => f.displayName === 'Inbox')!;
      const archived = messageFiles(drive, itemByPath(drive, `${ROOT}/Mail/Inbox`));
      expect(archived.map((i) => sha256(contentOf(i))).sort()).toEqual(inboxFolder.messages.map((m) => digests.get(m.id)!.sha256).sort());
      // No half-written copies left behind.
      expect([...drive.items.values()].filter((i) => !i.deleted && /[0-9a-f]{8} \d+\.eml$/.test(i.name))).toEqual([]);
      expect(leaver(t).accountEnabled).toBe(false);
    }

    // A third run finds nobody left.
    const third = await runChild(h, config);
    expect(third.code).toBe(0);
    expect(third.stdout).toMatch(/^Nobody to surrender/);
  });
});
