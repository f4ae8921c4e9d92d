// QuickXorHash, the hash OneDrive for Business and SharePoint report as file.hashes.quickXorHash.
// Written here because no maintained npm package implements it; the algorithm is Microsoft's
// published one: each input byte is XORed into a 160-bit ring at a position that advances 11 bits
// per byte, then the 64-bit little-endian input length is XORed into the last 8 bytes; the result
// is the base64 of the 20 bytes.

const WIDTH_BYTES = 20;
const WIDTH_BITS = WIDTH_BYTES * 8;
const SHIFT = 11;

export class QuickXorHash {
  private readonly state = new Uint8Array(WIDTH_BYTES);
  private length = 0;
  /** Bit position (0..159) at which the next input byte is XORed. */
  private position = 0;

  update(data: Uint8Array): this {
    const state = this.state;
    let pos = this.position;
    for (let i = 0; i < data.length; i++) {
      const byte = data[i];
      const index = pos >>> 3;
      const offset = pos & 7;
      state[index] ^= (byte << offset) & 0xff;
      // A byte that straddles a byte boundary spills its high bits into the next byte (the ring wraps).
      if (offset) state[(index + 1) % WIDTH_BYTES] ^= byte >>> (8 - offset);
      pos += SHIFT;
      if (pos >= WIDTH_BITS) pos -= WIDTH_BITS;
    }
    this.position = pos;
    this.length += data.length;
    return this;
  }

  /** The hash as OneDrive reports it: base64 of 20 bytes. Does not change the state. */
  digest(): string {
    const out = Buffer.from(this.state);
    let length = BigInt(this.length);
    for (let i = 0; i < 8; i++) {
      out[WIDTH_BYTES - 8 + i] ^= Number(length & 0xffn);
      length >>= 8n;
    }
    return out.toString('base64');
  }
}

/** The quickXorHash of a whole buffer. */
export function quickXorHash(data: Uint8Array): string {
  return new QuickXorHash().update(data).digest();
}
