// The demo tenant's leaving councillor, end to end through `councilguard offboard --yes`: a few thousand
// messages in nested folders with hostile names, a 5 MB and a 60 MB message, contacts, calendar and
// OneDrive. Per folder the archive holds exactly the mailbox's messages, and every SHA-256 matches.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { offboardCommand } from '../../cli/commands/offboard';
import { silentLogger } from '../../core/logger';
import { loadScenario, startSimulator } from '../../simulator';
import { parseCouncilFile } from '../../jobs/council-context';
import { loadAllRows } from '../../offboarding/manifest';
import { loadRecord, surrenderId } from '../../offboarding/state';
import { openStore } from '../../store';
import { mimeOf } from '../../simulator/mailbox';
import { writeConfig } from './cli-support';
import { sha256 } from './support';

const UPN = 'cllr.leaving@exampleparish.gov.uk';

describe('the demo surrender', () => {
  it('`councilguard offboard --user cllr.leaving… --yes` archives and verifies the whole mailbox', async () => {
    const scenario = structuredClone(loadScenario('demo'));
    // As shipped: the demo grants what the audit and the surrender need, nothing more. No Outlook limit is
    // checked here, so mailbox requests need not take Exchange's moment (thousands of them, ~20 s of waiting).
    const sim = await startSimulator({ scenarios: [scenario], mailboxWorkMs: 0 });
    try {
      const file = join(__dirname, '../../simulator/scenarios/demo.councils.json');
      const council = parseCouncilFile(JSON.parse(readFileSync(file, 'utf8')), file).councils[0];
      const stderr = new PassThrough();
      const stdout = new PassThrough();
      let out = '';
      stdout.on('data', (d: Buffer) => { out += d.toString(); });
      stderr.resume();
      const code = await offboardCommand(
        { config: writeConfig(council), user: UPN, termEnd: '2026-05-07', yes: true, dataDir: '/tmp/cg-unused' },
        { ...process.env, ...sim.env(), COUNCILGUARD_STORAGE: process.env.COUNCILGUARD_TEST_STORAGE, COUNCILGUARD_ACTOR: 'clerk@exampleparish.gov.uk' },
        { stdout, stderr, stdin: Object.assign(new PassThrough(), { isTTY: false }), log: silentLogger },
      );
      expect({ code, out }).toEqual({ code: 0, out: expect.stringContaining('is complete and verified') });
      expect(out).toMatch(/Licences will be removed after the grace period/);

      const store = await openStore(process.env.COUNCILGUARD_TEST_STORAGE!);
      const id = surrenderId(council.tenantId, UPN, '2026-05-07');
      const record = (await loadRecord(store, id))!;
      expect(record.status).toBe('done');
      const t = sim.tenant();
      const u = t.users.find((x) => x.userPrincipalName === UPN)!;
      const rows = (await loadAllRows(store, id)).filter((r) => r.kind === 'message');
      const total = [...u.mailFolders.values()].filter((f) => !f.search).reduce((n, f) => n + f.messages.length, 0);
      expect(total).toBeGreaterThan(3000);
      expect(rows).toHaveLength(total);
      const drive = [...t.drives.values()].find((d) => d.name === 'Councillor archives')!;
      for (const f of [...u.mailFolders.values()].filter((x) => !x.search && x.wellKnownName !== 'msgfolderroot')) {
        const inFolder = rows.filter((r) => r.sourceFolder === f.displayName || r.sourceFolder.endsWith(` / ${f.displayName}`));
        expect({ folder: f.displayName, archived: inFolder.length }).toEqual({ folder: f.displayName, archived: f.messages.length });
        const byId = new Map(f.messages.map((m) => [m.id, m]));
        for (const r of inFolder) {
          const item = drive.items.get(r.archiveItemId)!;
          expect(item.size).toBe(r.size);
          const m = byId.get(r.sourceId)!;
          // The big one is hashed from the archive copy, the rest from the MIME the mailbox serves.
          if (r.size < 4 * 1024 * 1024) expect(r.sha256).toBe(sha256(mimeOf(m, u.userPrincipalName)));
          expect(r.sha256).toBe(sha256(item.content!));
        }
      }
      expect(rows.some((r) => r.size > 60 * 1024 * 1024)).toBe(true);
      // Every message, the contacts (2 files), the calendar, the OneDrive files (2) and each mail folder's index.html.
      expect(record.steps.verify.counts).toMatchObject({ hashChecked: rows.length + 2 + 1 + 2 + record.steps['export-mail'].counts!.folders });
    } finally {
      await sim.close();
    }
  }, 240_000);
});
