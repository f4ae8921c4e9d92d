// A small, strict RFC 4180 reader, test-only: no CSV parser is among our dependencies, and the test must
// read the file the way Excel does (quotes, doubled quotes, CRLF inside quoted cells). Anything RFC 4180
// does not allow (a bare CR or LF as a row end, a quote inside an unquoted cell, an unclosed quote)
// throws, so a renderer that emits it fails its test instead of round-tripping by luck.
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let wasQuoted = false;
  const src = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') { quoted = false; } else cell += c;
      continue;
    }
    if (c === '"') {
      if (cell || wasQuoted) throw new Error(`CSV: a quote inside an unquoted cell at offset ${i}`);
      quoted = true;
      wasQuoted = true;
    } else if (c === ',') {
      row.push(cell); cell = ''; wasQuoted = false;
    } else if (c === '\r' && src[i + 1] === '\n') {
      row.push(cell); rows.push(row); row = []; cell = ''; wasQuoted = false; i++;
    } else if (c === '\r' || c === '\n') {
      throw new Error(`CSV: a bare ${c === '\r' ? 'CR' : 'LF'} outside quotes at offset ${i} (rows must end with CRLF)`);
    } else {
      if (wasQuoted) throw new Error(`CSV: text after a closing quote at offset ${i}`);
      cell += c;
    }
  }
  if (quoted) throw new Error('CSV: a quoted cell is never closed');
  if (cell || row.length || wasQuoted) { row.push(cell); rows.push(row); }
  return rows;
}
