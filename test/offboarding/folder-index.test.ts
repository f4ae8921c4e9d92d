// A mail folder's index.html, written a row at a time to a temporary file: newest first, hostile text
// inert, the same bytes for the same rows (so a rerun skips the upload), and a failed write leaves no file.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { buildFolderIndex } from '../../offboarding/folder-index';
import { TempTextFile } from '../../offboarding/temp-text-file';
import type { ManifestRow } from '../../offboarding/manifest';

const row = (name: string, received: string | undefined, extra: Partial<ManifestRow> = {}): ManifestRow => ({
  kind: 'message', sourceId: name, sourceFolder: 'Inbox', folder: 'Mail/Inbox', name, size: 1234, sha256: 'x', archiveItemId: `item-${name}`, status: 'archived', at: '2026-05-08T00:00:00Z', received, ...extra,
});

async function page(rows: ManifestRow[]): Promise<{ html: string; size: number; sha256: string }> {
  const file = await buildFolderIndex({ sourcePath: 'Inbox' }, 'Cllr <Ann>', async (add) => { for (const r of rows) await add(r); });
  try {
    return { html: readFileSync(file.path, 'utf8'), size: file.size, sha256: file.sha256 };
  } finally {
    await file.cleanup();
  }
}

describe('mail folder index.html', () => {
  const rows = [
    row('b.eml', '2026-03-01T10:00:00Z', { subject: 'Older', from: 'a@x.gov.uk' }),
    row('c.eml', '2026-04-01T10:00:00Z', { subject: '<img src=x onerror=alert(1)>', to: ['b@x.gov.uk', 'c@x.gov.uk'], hasAttachments: true }),
    row('a.eml', '2026-04-01T10:00:00Z', { subject: 'Same time, first by name' }),
    row('d e.eml', undefined),
  ];

  it('lists the messages newest first (ties by file name, undated last), each linking to its .eml, with the count', async () => {
    const { html } = await page(rows);
    const links = [...html.matchAll(/<a href="([^"]+)">/g)].map((m) => decodeURIComponent(m[1]));
    expect(links).toEqual(['a.eml', 'c.eml', 'b.eml', 'd e.eml']);
    expect(html).toContain('>4 message(s) from the mailbox of Cllr &lt;Ann&gt;');
    expect(html).toContain('>(no subject)</a>');
    expect(html).toContain('b@x.gov.uk, c@x.gov.uk');
  });

  it('keeps a hostile subject as text', async () => {
    const { html } = await page(rows);
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('gives the same bytes, size and SHA-256 for the same rows in any order, and they are the file\'s', async () => {
    const first = await page(rows);
    const second = await page([...rows].reverse());
    expect(second).toEqual(first);
    expect(first.size).toBe(Buffer.byteLength(first.html, 'utf8'));
    expect(first.sha256).toBe(createHash('sha256').update(first.html, 'utf8').digest('hex'));
  });

  it('an empty folder still gets a page saying it has no messages', async () => {
    const { html } = await page([]);
    expect(html).toContain('>0 message(s) from the mailbox');
    expect(html).not.toContain('<a href=');
  });

  it('a write that fails part way leaves no temporary file behind', async () => {
    let path = '';
    await expect(TempTextFile.build('index.html', async (out) => {
      path = out.path;
      await out.write('<!doctype html>');
      throw new Error('the store went away');
    })).rejects.toThrow('the store went away');
    expect(path).not.toBe('');
    expect(existsSync(dirname(path))).toBe(false);
  });

  it('a page larger than one read of its scratch rows keeps every row, in order', async () => {
    // 3,000 rows of about 400 bytes: several 256 KiB reads, with multi-byte text crossing none of them wrongly.
    const many = Array.from({ length: 3000 }, (_, i) => row(`m${String(i).padStart(4, '0')}.eml`, `2026-01-01T00:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z`, { subject: `Précis ${i} – café` }));
    const { html } = await page([...many].reverse());
    const subjects = [...html.matchAll(/>(Précis \d+ – café)<\/a>/g)].map((m) => m[1]);
    expect(subjects).toHaveLength(3000);
    expect(subjects[0]).toBe('Précis 2999 – café');
    expect(subjects.at(-1)).toBe('Précis 0 – café');
  });
});
