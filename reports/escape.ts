// Every string from tenant data goes through here before it meets HTML: names, subjects and rule names
// are attacker-controlled (anyone can email a councillor a subject line).
const MAP: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`]/g, (c) => MAP[c]);
}

/** Only https links built from data are ever emitted; anything else becomes plain text. */
export function safeHref(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}
