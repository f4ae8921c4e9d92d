// What the service does to a long copy: a message deleted between listing and copying (404), an
// upload session that expires half-way through a large message, message downloads cut off mid-body,
// gzip-compressed downloads, and throttling (10 % 429s with Outlook's limit of 4 requests at once per app).
import { runOffboarding, startOffboarding } from '../../jobs/offboarding';
import { loadAllRows } from '../../offboarding/manifest';
import { readVerifySummary } from '../../offboarding/steps/verify';
import { cliOwner, surrenderId } from '../../offboarding/state';
import type { ProgressEvent } from '../../offboarding/types';
import { archiveDrive, CLERK, contentOf, filesIn, harness, itemByPath, leaver, LEAVER, mailboxDigests, sha256, TERM_END, type Harness } from './support';

async function surrender(h: Harness, onProgress?: (e: ProgressEvent) => void, tuning = {}) {
  const deps = h.deps(tuning);
  const owner = cliOwner(surrenderId(h.council.tenantId, LEAVER, TERM_END));
  const started = await startOffboarding(deps, { userPrincipalName: LEAVER, termEnd: TERM_END, requestedBy: CLERK, via: 'cli' }, owner);
  return runOffboarding(deps, started.record.id, { owner, hooks: { onProgress } });
}

/** Every Inbox message is in the archive's Inbox once with the mailbox's bytes, and every message row has its SHA-256 and size. */
async function expectMessagesByteIdentical(h: Harness, id: string): Promise<void> {
  const drive = archiveDrive(h.tenant());
  const inbox = filesIn(drive, itemByPath(drive, 'Cllr Lee Leaving (cllr.leaving) – term ended 2026-05-07/Mail/Inbox')!);
  const digests = mailboxDigests(h.tenant());
  const expected = [...digests.values()].filter((d) => d.folder === 'Inbox').map((d) => d.sha256).sort();
  expect(expected).toHaveLength(12);
  expect(inbox.map((i) => sha256(contentOf(i))).sort()).toEqual(expected);
  const rows = (await loadAllRows(h.store, id)).filter((r) => r.kind === 'message');
  expect(rows).toHaveLength(digests.size);
  for (const r of rows) expect({ sha256: r.sha256, size: r.size }).toEqual({ sha256: digests.get(r.sourceId)!.sha256, size: digests.get(r.sourceId)!.size });
}

describe('surrender under faults', () => {
  it('a message deleted from the mailbox mid-export (404 on $value) is recorded, re-checked by verify and named on the certificate', async () => {
    const h = await harness({ name: 'surrender-404', inbox: 30 });
    try {
      const inbox = [...leaver(h.tenant()).mailFolders.values()].find((f) => f.displayName === 'Inbox')!;
      const victim = inbox.messages[inbox.messages.length - 1];
      let deleted = false;
      const record = await surrender(h, (e) => {
        // Once the Inbox has been listed and copying has begun, a retention policy removes its last message.
        if (!deleted && e.step === 'export-mail' && e.done >= 1) {
          inbox.messages.splice(inbox.messages.indexOf(victim), 1);
          deleted = true;
        }
      });
      expect(deleted).toBe(true);
      expect(record.status).toBe('done');
      const rows = await loadAllRows(h.store, record.id);
      expect(rows.find((r) => r.sourceId === victim.id)).toMatchObject({ status: 'gone', sourceFolder: 'Inbox', internetMessageId: victim.internetMessageId });
      const summary = await readVerifySummary({ store: h.store, record });
      expect(summary!.gone.map((g) => g.internetMessageId)).toEqual([victim.internetMessageId]);
      expect(summary!.folders.find((f) => f.sourcePath === 'Inbox')).toMatchObject({ listed: 30, archived: 29, gone: 1, inArchive: 29 });
      const drive = archiveDrive(h.tenant());
      const certificate = contentOf(itemByPath(drive, 'Cllr Lee Leaving (cllr.leaving) – term ended 2026-05-07/certificate.html')!).toString('utf8');
      expect(certificate).toContain('Deleted from the mailbox during the copy');
    } finally {
      await h.close();
    }
  });

  it('an upload session that expires mid-file is started again and the message arrives whole, once', async () => {
    const big = 6 * 1024 * 1024;
    const h = await harness({ name: 'surrender-expiry', inbox: 8, largeMessages: [big] });
    const expired = new Set<string>();
    // When a session has taken some fragments but not all, it expires (as Graph's do after inactivity).
    const poll = setInterval(() => {
      for (const s of h.tenant().uploadSessions.values()) {
        if (s.next > 0 && !expired.has(s.name)) { expired.add(s.name); s.expires = 0; }
      }
    }, 1);
    try {
      const record = await surrender(h, undefined, { uploadChunkBytes: 320 * 1024 });
      clearInterval(poll);
      expect(expired.size).toBeGreaterThan(0);
      expect(record.status).toBe('done');
      expect(h.graph.meter.byRoute.get('archive copy restarted')).toBeGreaterThan(0);
      const drive = archiveDrive(h.tenant());
      const inbox = filesIn(drive, itemByPath(drive, 'Cllr Lee Leaving (cllr.leaving) – term ended 2026-05-07/Mail/Inbox')!);
      const digests = mailboxDigests(h.tenant());
      const large = [...digests.values()].find((d) => d.size > big)!;
      const copies = inbox.filter((i) => i.size === large.size);
      expect(copies).toHaveLength(1);
      expect(sha256(contentOf(copies[0]))).toBe(large.sha256);
      expect(inbox).toHaveLength(9);
    } finally {
      clearInterval(poll);
      await h.close();
    }
  });

  it('message downloads cut off mid-body are fetched again: every Inbox message arrives once, byte-identical', async () => {
    // A third of the message downloads (seeded) announce their length, send half and drop the connection.
    const h = await harness({ name: 'surrender-cut-body', inbox: 12 }, { faults: { seed: 5, cutBodyRate: 0.3 } });
    try {
      const record = await surrender(h);
      expect(record.status).toBe('done');
      expect(h.graph.meter.byRoute.get('message download restarted')).toBeGreaterThan(0);
      await expectMessagesByteIdentical(h, record.id);
    } finally {
      await h.close();
    }
  });

  it('with gzip-compressed downloads offered, messages are asked for unencoded and files decoded whole: every copy byte-identical', async () => {
    // Every file download comes gzip-encoded (message downloads ask for no encoding, and the simulator
    // honours that); fetch decodes it, so its Content-Length is no size for the bytes the export reads.
    const h = await harness({ name: 'surrender-gzip', inbox: 12 }, { faults: { gzipDownloads: true } });
    try {
      const record = await surrender(h);
      expect(record.status).toBe('done');
      // Message downloads ask for no encoding (so each keeps its length and is held in memory); the
      // OneDrive files' downloads came encoded, and each copy has the source's bytes.
      expect(h.sim.stats.encodedDownloads.message).toBe(0);
      expect(h.sim.stats.encodedDownloads.file).toBeGreaterThanOrEqual(3);
      await expectMessagesByteIdentical(h, record.id);
      const t = h.tenant();
      const drive = archiveDrive(t);
      const oneDrive = t.drives.get(leaver(t).driveId!)!;
      for (const [path, archived] of [['Council/Handover notes.docx', 'Files/Council/Handover notes.docx'], ['Council/Photos/fete #1.jpg', 'Files/Council/Photos/fete _1.jpg'], ['Notes.txt', 'Files/Notes.txt']]) {
        const copy = itemByPath(drive, `Cllr Lee Leaving (cllr.leaving) – term ended 2026-05-07/${archived}`);
        expect({ archived, found: !!copy }).toEqual({ archived, found: true });
        expect(sha256(contentOf(copy!))).toBe(sha256(contentOf(itemByPath(oneDrive, path)!)));
      }
    } finally {
      await h.close();
    }
  });

  it('with 10 % 429s and Outlook\'s per-app concurrency limit the export completes with at most 4 Outlook requests at once', async () => {
    // 70 in the Inbox (about 140 messages, some 700 requests) draws dozens of 429s and keeps 4 reads in flight;
    // the Inbox is larger than the 64 copies export-mail keeps under way in a folder, so the copy also has
    // to wait for places to free as copies finish (and retries hold them longer).
    const h = await harness({ name: 'surrender-throttled', inbox: 70 }, { mailboxWorkMs: 25, faults: { seed: 7, throttleRate: 0.1, retryAfterSeconds: 0, outlookConcurrency: 4 } });
    try {
      const record = await surrender(h);
      expect(record.status).toBe('done');
      const id = leaver(h.tenant()).id;
      expect(h.sim.stats.throttled).toBeGreaterThan(10);
      expect(h.sim.stats.maxInFlightPerMailbox[id]).toBeLessThanOrEqual(4);
      expect(h.sim.stats.maxInFlightPerMailbox[id]).toBeGreaterThanOrEqual(2);
      expect(h.sim.stats.maxOutlookInFlight[h.sim.clientId]).toBeLessThanOrEqual(4);
      const digests = mailboxDigests(h.tenant());
      const rows = (await loadAllRows(h.store, record.id)).filter((r) => r.kind === 'message');
      expect(rows).toHaveLength(digests.size);
      for (const r of rows) expect(r.sha256).toBe(digests.get(r.sourceId)!.sha256);
    } finally {
      await h.close();
    }
  });
});
