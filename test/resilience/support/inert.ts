// Assertions that a renderer's output is inert: HTML that runs and loads nothing from data, CSV cells no
// spreadsheet reads as a formula, vCard/iCalendar text in which data cannot start a property line.
import { parseCsv } from '../../support/csv-parse';
import { BIDI_CONTROL, FORMULA_START, HOSTILE_TEXTS } from './hostile';

/** Every start tag in a page. Escaped data has no '<', so each of these was written by the renderer. */
export const startTags = (html: string): string[] => html.match(/<[a-zA-Z][^>]*>/g) ?? [];

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", colon: ':', tab: '\t', newline: '\n' };

/** An attribute value as the browser reads it: character references decoded. */
export function decodeAttribute(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);?/gi, (all, ref: string) => {
    if (ref[0] === '#') return String.fromCodePoint(ref[1].toLowerCase() === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10));
    return ENTITIES[ref.toLowerCase()] ?? all;
  });
}

/**
 * A URL attribute the renderer may legitimately write: https:, an in-page fragment, the empty data: icon,
 * or a relative path (no scheme, not absolute, no backslash). Whitespace, controls and zero-width
 * characters are dropped first, as browsers do before reading a scheme.
 */
export function isSafeUrlAttribute(raw: string): boolean {
  // eslint-disable-next-line no-control-regex -- browsers strip these before reading the scheme
  const v = decodeAttribute(raw).replace(/[\u0000-\u0020\u200B-\u200D\uFEFF]/g, '');
  if (/^https:\/\/[^/\\]/i.test(v)) return true;
  if (/^#[A-Za-z0-9_-]+$/.test(v) || v === 'data:,') return true;
  return !/^[a-z][a-z0-9+.-]*:/i.test(v) && !/^[/\\]/.test(v) && !v.includes('\\');
}

/**
 * Asserts an HTML page holds nothing from data that could run, load or restyle: no script or other
 * active element, no event-handler attribute, only safe URLs, exactly the renderer's own style blocks,
 * no raw bidi control, and no hostile markup unescaped.
 */
export function expectInertHtml(html: string, styleBlocks = 1): void {
  const tags = startTags(html);
  const active = /^<(script|img|iframe|frame|object|embed|base|form|input|button|textarea|audio|video|source|math)\b/i;
  expect(tags.filter((t) => active.test(t))).toEqual([]);
  // The renderer's charts are the only svg: role="img", no script inside (checked above).
  expect(tags.filter((t) => /^<svg\b/i.test(t) && !/\srole="img"/.test(t))).toEqual([]);
  expect(tags.filter((t) => /^<link\b/i.test(t) && t !== '<link rel="icon" href="data:,">')).toEqual([]);
  expect(tags.filter((t) => /\son[a-z]+\s*=/i.test(t))).toEqual([]);
  expect(tags.filter((t) => /^<meta/i.test(t) && /http-equiv="refresh"/i.test(t))).toEqual([]);
  const urls = [...html.matchAll(/\s(?:href|src|action|formaction|xlink:href)\s*=\s*"([^"]*)"/gi)].map((m) => m[1]);
  expect(urls.filter((u) => !isSafeUrlAttribute(u))).toEqual([]);
  expect(html).not.toMatch(/<script/i);
  expect(html.match(/<style[\s>]/gi) ?? []).toHaveLength(styleBlocks);
  expect(html.match(/<\/style>/gi) ?? []).toHaveLength(styleBlocks);
  expect(html).not.toMatch(BIDI_CONTROL);
  for (const text of HOSTILE_TEXTS.filter((t) => /[<>"]/.test(t))) expect({ raw: text, found: html.includes(text) }).toEqual({ raw: text, found: false });
}

/**
 * Asserts a CSV file is strict RFC 4180 (CRLF rows, so data cannot add a row), has the expected number of
 * rows, and that no cell starts with a formula character. Returns the parsed rows.
 */
export function expectNeutralCsv(text: string, rows: number): string[][] {
  expect(text.startsWith('\uFEFF')).toBe(true);
  const parsed = parseCsv(text);
  expect(parsed).toHaveLength(rows);
  const width = parsed[0].length;
  expect(parsed.filter((r) => r.length !== width)).toEqual([]);
  const formulas = parsed.flat().filter((cell) => FORMULA_START.test(cell));
  expect(formulas).toEqual([]);
  return parsed;
}

/**
 * Asserts vCard / iCalendar text is a sequence of CRLF content lines (folded lines continue with a space)
 * whose every property name is one the renderer writes, and counts each. Data that smuggled in a line
 * break would show as an unknown or extra property here.
 */
export function contentLineNames(text: string, allowed: readonly string[]): Record<string, number> {
  expect(text).not.toMatch(/\r(?!\n)|(?<!\r)\n/);
  const unfolded = text.replace(/\r\n[ \t]/g, '');
  const counts: Record<string, number> = {};
  for (const line of unfolded.split('\r\n').filter(Boolean)) {
    const name = /^[A-Za-z0-9-]+/.exec(line)?.[0] ?? `(no name) ${line.slice(0, 40)}`;
    counts[name] = (counts[name] ?? 0) + 1;
  }
  expect(Object.keys(counts).filter((n) => !allowed.includes(n))).toEqual([]);
  return counts;
}
