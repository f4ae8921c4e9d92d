// Content lines for vCard (RFC 6350/2426) and iCalendar (RFC 5545): TEXT escaping and folding at 75
// octets without splitting a UTF-8 character. Written by hand: both formats are small and no vCard or
// iCalendar library is among the project's dependencies.

/** Escapes a TEXT value: backslash, semicolon, comma and line breaks. */
export function escapeText(value: unknown): string {
  return String(value ?? '').replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r\n|\r|\n/g, '\\n');
}

/** Escapes a parameter value (CN=…): quoted, with the characters a quoted parameter cannot hold removed. */
export function paramValue(value: unknown): string {
  // eslint-disable-next-line no-control-regex -- control characters cannot appear in a parameter
  return `"${String(value ?? '').replace(/["\u0000-\u001f]/g, '')}"`;
}

/** One content line, folded: lines longer than 75 octets continue on the next line after a space. */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const size = Buffer.byteLength(ch, 'utf8');
    const limit = out.length ? 74 : 75; // a continuation line starts with one space
    if (octets + size > limit) {
      out.push(current);
      current = '';
      octets = 0;
    }
    current += ch;
    octets += size;
  }
  out.push(current);
  return out.join('\r\n ');
}

export function contentLines(lines: string[]): string {
  return lines.map(foldLine).join('\r\n') + '\r\n';
}
