// Deterministic filler bytes for content the scenario only sizes (files, large message attachments):
// AES-256-CTR keystream keyed by a seed string, so any byte range can be produced on demand without
// storing it, and the same seed always gives the same bytes (hashes stay stable across runs).
import { createCipheriv, createHash } from 'node:crypto';
import { QuickXorHash } from './quickxor';

const CHUNK = 1024 * 1024;

/** Yields `length` bytes for `seed`, in chunks of `chunk` bytes (the last may be shorter). */
export function* generatedBytes(seed: string, length: number, chunk = CHUNK): Generator<Buffer> {
  const key = createHash('sha256').update(seed).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(Math.min(chunk, Math.max(length, 0)));
  for (let done = 0; done < length; done += chunk) {
    const n = Math.min(chunk, length - done);
    yield cipher.update(n === zeros.length ? zeros : zeros.subarray(0, n));
  }
}

export interface ContentHashes {
  quickXorHash: string;
  sha1Hash: string;
  sha256Hash: string;
}

/** The hashes OneDrive for Business reports (quickXorHash) plus SHA-1/SHA-256, over chunks. */
export function hashesOf(chunks: Iterable<Buffer>): ContentHashes {
  const qx = new QuickXorHash();
  const sha1 = createHash('sha1');
  const sha256 = createHash('sha256');
  for (const c of chunks) {
    qx.update(c);
    sha1.update(c);
    sha256.update(c);
  }
  return { quickXorHash: qx.digest(), sha1Hash: sha1.digest('hex').toUpperCase(), sha256Hash: sha256.digest('hex').toUpperCase() };
}
