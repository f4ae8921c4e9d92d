// Every string from tenant data goes through here before it meets HTML: names, subjects, rule names and
// file names are attacker-controlled (anyone can email a councillor or share a file with any name).
const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

// Bidirectional overrides and isolates let a name like "invoice\u202Efdp.exe" display as "invoiceexe.pdf";
// they are shown as their code point instead. Marks (U+200E/F), which real right-to-left names use, stay.
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;
// C0 controls other than tab and newline have no business in a report and some break XML (inline SVG).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/** HTML-escapes any value for element content and for double- or single-quoted attribute values. */
export function esc(value: unknown): string {
  return String(value ?? '')
    .replace(CONTROL_CHARS, '\uFFFD')
    .replace(BIDI_CONTROLS, (c) => `[U+${c.charCodeAt(0).toString(16).toUpperCase()}]`)
    .replace(/[&<>"'`]/g, (c) => HTML_ESCAPES[c]);
}

/** The one kind of absolute link ever built from data: a well-formed https: URL, else undefined. */
export function safeHttpsUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || !/^https:\/\//i.test(value.trim())) return undefined;
  try {
    const url = new URL(value.trim());
    return url.protocol === 'https:' && url.hostname ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A relative file path (e.g. '../runs/busy/report.html', as given, not URL-encoded) as an href, each
 * segment percent-encoded; undefined for anything with a scheme, a host or an absolute path, so
 * 'javascript:…', '//evil.example' and 'C:\…' never become links.
 */
export function relativeHref(path: unknown): string | undefined {
  if (typeof path !== 'string' || !path || path.length > 2000) return undefined;
  // eslint-disable-next-line no-control-regex -- control characters in a path are refused on purpose
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) || /^[/\\]/.test(path) || /[\u0000-\u001F\u007F\\]/.test(path)) return undefined;
  return path.split('/').map((seg) => (seg === '.' || seg === '..' ? seg : encodeURIComponent(seg))).join('/');
}

/** A fragment id safe in an attribute and a CSS selector, derived from data (ids, check ids). */
export function anchorId(prefix: string, value: string): string {
  return `${prefix}-${value.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 80)}`;
}
