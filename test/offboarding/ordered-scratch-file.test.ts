// Pieces set aside in a scratch file and read back in key order: ties keep the order added, pieces
// read together in one run come back whole (multi-byte text included), and discard leaves nothing.
import { existsSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { OrderedScratchFile } from '../../offboarding/ordered-scratch-file';

async function readAll(file: OrderedScratchFile<number>): Promise<string[]> {
  const out: string[] = [];
  for await (const piece of file.inOrder((a, b) => a - b)) out.push(piece);
  return out;
}

describe('OrderedScratchFile', () => {
  it('gives the pieces back ordered by key, equal keys in the order added', async () => {
    const file = await OrderedScratchFile.create<number>();
    try {
      for (const [key, text] of [[3, 'c'], [1, 'a1'], [2, 'b'], [1, 'a2'], [0, '']] as const) await file.add(key, text);
      expect(file.count).toBe(5);
      expect(await readAll(file)).toEqual(['', 'a1', 'a2', 'b', 'c']);
    } finally {
      await file.discard();
    }
  });

  it('reads long runs of neighbouring pieces in several reads without splitting a character', async () => {
    const file = await OrderedScratchFile.create<number>();
    try {
      // 20,000 pieces of 40-odd bytes with 2- and 3-byte characters: several 64 KiB writes and 256 KiB reads.
      const texts = Array.from({ length: 20_000 }, (_, i) => `café – ${i} ${'é'.repeat(i % 7)}\n`);
      for (let i = 0; i < texts.length; i++) await file.add(i, texts[i]);
      expect(await readAll(file)).toEqual(texts);
    } finally {
      await file.discard();
    }
  });

  it('says so when the file holds less than was written', async () => {
    const file = await OrderedScratchFile.create<number>();
    try {
      await file.add(1, 'x'.repeat(100_000));
      await readAll(file);
      writeFileSync(file.path, 'short');
      await expect(readAll(file)).rejects.toThrow(/ended at 5 bytes, before the 100000 written/);
    } finally {
      await file.discard();
    }
  });

  it('discard removes the file and its directory, and may be called again', async () => {
    const file = await OrderedScratchFile.create<number>();
    await file.add(1, 'x');
    expect(existsSync(file.path)).toBe(true);
    await file.discard();
    await file.discard();
    expect(existsSync(dirname(file.path))).toBe(false);
  });
});
