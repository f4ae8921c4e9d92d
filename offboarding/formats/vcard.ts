// Contacts as vCard 3.0 (what Outlook, iOS and Android import) and as a CSV for Excel.
import { neutralise } from '../../reports/csv';
import { contentLines, escapeText } from './fold';

export interface Contact {
  id?: string;
  displayName?: string | null;
  givenName?: string | null;
  surname?: string | null;
  emailAddresses?: { name?: string | null; address?: string | null }[];
  businessPhones?: string[];
  homePhones?: string[];
  mobilePhone?: string | null;
  companyName?: string | null;
  jobTitle?: string | null;
  businessAddress?: { street?: string | null; city?: string | null; state?: string | null; postalCode?: string | null; countryOrRegion?: string | null } | null;
  personalNotes?: string | null;
}

const emails = (c: Contact) => (c.emailAddresses ?? []).map((e) => e.address ?? '').filter(Boolean);

export function renderVCard(c: Contact): string {
  const name = c.displayName || [c.givenName, c.surname].filter(Boolean).join(' ') || emails(c)[0] || 'Unnamed contact';
  const lines = ['BEGIN:VCARD', 'VERSION:3.0', `FN:${escapeText(name)}`, `N:${escapeText(c.surname ?? '')};${escapeText(c.givenName ?? '')};;;`];
  for (const address of emails(c)) lines.push(`EMAIL;TYPE=INTERNET:${escapeText(address)}`);
  for (const p of c.businessPhones ?? []) if (p) lines.push(`TEL;TYPE=WORK,VOICE:${escapeText(p)}`);
  for (const p of c.homePhones ?? []) if (p) lines.push(`TEL;TYPE=HOME,VOICE:${escapeText(p)}`);
  if (c.mobilePhone) lines.push(`TEL;TYPE=CELL:${escapeText(c.mobilePhone)}`);
  if (c.companyName) lines.push(`ORG:${escapeText(c.companyName)}`);
  if (c.jobTitle) lines.push(`TITLE:${escapeText(c.jobTitle)}`);
  const a = c.businessAddress;
  if (a && (a.street || a.city || a.postalCode)) {
    lines.push(`ADR;TYPE=WORK:;;${[a.street, a.city, a.state, a.postalCode, a.countryOrRegion].map((v) => escapeText(v ?? '')).join(';')}`);
  }
  if (c.personalNotes) lines.push(`NOTE:${escapeText(c.personalNotes)}`);
  lines.push('END:VCARD');
  return contentLines(lines);
}

export function renderVCards(contacts: Contact[]): string {
  return contacts.map(renderVCard).join('');
}

const CSV_COLUMNS = ['Display name', 'Given name', 'Surname', 'Email addresses', 'Business phones', 'Mobile phone', 'Home phones', 'Company', 'Job title', 'Business address', 'Notes'];

function cell(value: unknown): string {
  const s = neutralise(String(value ?? ''));
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** contacts.csv: UTF-8 with a BOM, CRLF, RFC 4180 quoting, formula-looking cells neutralised. */
export function renderContactsCsv(contacts: Contact[]): string {
  const rows = contacts.map((c) => {
    const a = c.businessAddress;
    return [c.displayName, c.givenName, c.surname, emails(c).join('; '), (c.businessPhones ?? []).join('; '), c.mobilePhone, (c.homePhones ?? []).join('; '),
      c.companyName, c.jobTitle, a ? [a.street, a.city, a.state, a.postalCode, a.countryOrRegion].filter(Boolean).join(', ') : '', c.personalNotes];
  });
  return `\uFEFF${[CSV_COLUMNS, ...rows].map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}
