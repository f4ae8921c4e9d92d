// Reads the MIME a sendMail request carries in its MIME form ("user: sendMail": Content-Type text/plain,
// the message base64-encoded). Only what the simulator checks and tests read: headers, the parts of a
// multipart body (recursively), and each part's decoded content. Written by hand: no MIME library in the
// project, and this is test infrastructure reading messages the product built.

export interface MimePart {
  headers: Map<string, string>;
  contentType: string;
  /** Parameters of Content-Type (boundary, charset, name). */
  params: Map<string, string>;
  /** Decoded content of a leaf part; empty for a multipart. */
  content: Buffer;
  parts: MimePart[];
  filename?: string;
}

function parseHeaders(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  const unfolded = block.replace(/\r?\n[ \t]+/g, ' ');
  for (const line of unfolded.split(/\r?\n/)) {
    if (!line) continue;
    const i = line.indexOf(':');
    if (i <= 0) throw new Error(`header line without a name: "${line.slice(0, 40)}"`);
    headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  return headers;
}

function params(value: string): { value: string; params: Map<string, string> } {
  const [first, ...rest] = value.split(';');
  const out = new Map<string, string>();
  for (const p of rest) {
    const i = p.indexOf('=');
    if (i > 0) out.set(p.slice(0, i).trim().toLowerCase(), p.slice(i + 1).trim().replace(/^"(.*)"$/, '$1'));
  }
  return { value: first.trim().toLowerCase(), params: out };
}

function decode(body: string, encoding: string): Buffer {
  switch (encoding) {
    case 'base64': return Buffer.from(body.replace(/\s+/g, ''), 'base64');
    case 'quoted-printable': return Buffer.from(body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
    case '7bit': case '8bit': case 'binary': case '': return Buffer.from(body, 'utf8');
    default: throw new Error(`unknown Content-Transfer-Encoding "${encoding}"`);
  }
}

/** Parses a MIME entity; throws on malformed structure (no header/body separator, a missing boundary). */
export function parseMime(text: string): MimePart {
  const split = /\r?\n\r?\n/.exec(text);
  if (!split) throw new Error('no blank line between the headers and the body');
  const headers = parseHeaders(text.slice(0, split.index));
  const body = text.slice(split.index + split[0].length);
  const ct = params(headers.get('content-type') ?? 'text/plain');
  const disposition = params(headers.get('content-disposition') ?? '');
  const part: MimePart = { headers, contentType: ct.value, params: ct.params, content: Buffer.alloc(0), parts: [], filename: disposition.params.get('filename') ?? ct.params.get('name') };
  if (ct.value.startsWith('multipart/')) {
    const boundary = ct.params.get('boundary');
    if (!boundary) throw new Error(`${ct.value} without a boundary`);
    const marker = `--${boundary}`;
    const end = body.indexOf(`${marker}--`);
    if (end < 0) throw new Error(`the closing boundary of ${ct.value} is missing`);
    const chunks = body.slice(0, end).split(marker).slice(1);
    if (!chunks.length) throw new Error(`${ct.value} has no parts`);
    part.parts = chunks.map((c) => parseMime(c.replace(/^\r?\n/, '').replace(/\r?\n$/, '')));
  } else {
    part.content = decode(body, (headers.get('content-transfer-encoding') ?? '').toLowerCase());
  }
  return part;
}

/** Every leaf part, depth first. */
export function leafParts(p: MimePart): MimePart[] {
  return p.parts.length ? p.parts.flatMap(leafParts) : [p];
}

/** Addresses in an address header: "Name <a@b>, c@d" -> [a@b, c@d]. */
export function addresses(value: string | undefined): string[] {
  if (!value) return [];
  return value.split(',').map((a) => (/<([^>]+)>/.exec(a)?.[1] ?? a).trim()).filter(Boolean);
}

/** An RFC 2047 encoded-word header (=?UTF-8?B?...?= or ?Q?) as text. */
export function decodeWords(value: string): string {
  return value.replace(/=\?([^?]+)\?([BQ])\?([^?]*)\?=/gi, (_, _cs: string, enc: string, data: string) =>
    enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : Buffer.from(data.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (__, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'));
}
