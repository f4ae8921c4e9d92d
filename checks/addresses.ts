// Is an email address inside the council? Pure string logic, shared by the forwarding, sharing and audit
// checks.
//
// Decisions (documented here because reviewers will ask):
// - The trusted set is the tenant's VERIFIED domains (an unverified domain can be added by anyone), the
//   council's configured `domains`, and whatever extra list a check passes (the forwarding check passes
//   `allowedForwardingDomains`).
// - A domain is internal when it equals a trusted domain or is a subdomain of one (`mail.council.gov.uk`
//   under `council.gov.uk`): only the parent domain's owner can create its subdomains in DNS. Anything
//   else is external, including look-alikes such as `council.gov.uk.example.net`, `counci1.gov.uk` and
//   Unicode/punycode spoofs.
// - Domains are compared in their ASCII (punycode) form, lower-cased, without a trailing dot, so a
//   Unicode spelling of a trusted domain still matches and a homoglyph (`xn--...`) does not.
// - An address with no usable domain (`bob`, `bob@`, `x@[1.2.3.4]`) is EXTERNAL: we cannot show it stays
//   inside the council. A recipient with NO address at all is 'unknown': the caller reports it as an
//   "unknown recipient" at low severity, because we cannot tell where the mail goes.
import { domainToASCII } from 'node:url';

export type AddressClass = 'internal' | 'external' | 'unknown';

/** A domain in the form we compare: ASCII/punycode, lower-case, no trailing dot; '' when unusable. */
export function normaliseDomain(domain: string | null | undefined): string {
  const trimmed = (domain ?? '').trim().replace(/\.+$/, '').toLowerCase();
  if (!trimmed || trimmed.startsWith('[')) return '';
  // domainToASCII applies IDNA (UTS #46) and returns '' for something that cannot be a domain.
  return domainToASCII(trimmed).toLowerCase();
}

/**
 * The bare address from the forms Graph and Exchange hand us: `smtp:x@y` (Exchange's
 * ForwardingSmtpAddress), `Name <x@y>`, `"Name" [SMTP:x@y]` (Exchange audit parameters), or plain
 * `x@y`. Returns '' for an empty value.
 */
export function bareAddress(raw: string | null | undefined): string {
  let value = (raw ?? '').trim();
  const angled = /<([^<>]*)>\s*$/.exec(value) ?? /\[([^[\]]*@[^[\]]*)\]\s*$/.exec(value);
  if (angled) value = angled[1].trim();
  return value.replace(/^smtp:/i, '').trim();
}

/** The normalised domain of an address, or '' when it has none. */
export function domainOf(address: string | null | undefined): string {
  const bare = bareAddress(address);
  const at = bare.lastIndexOf('@');
  if (at < 1) return '';
  return normaliseDomain(bare.slice(at + 1));
}

export interface TrustedDomains {
  /** Normalised domains; exact or subdomain matches are internal. */
  readonly domains: ReadonlySet<string>;
  /** Whole addresses known to belong to the tenant (member users' UPNs and mail), lower-cased. */
  readonly addresses: ReadonlySet<string>;
}

export function trustedDomains(
  domainLists: (readonly (string | null | undefined)[] | null | undefined)[],
  knownAddresses: readonly (string | null | undefined)[] = [],
): TrustedDomains {
  const domains = new Set<string>();
  for (const list of domainLists) for (const d of list ?? []) {
    const n = normaliseDomain(d);
    if (n) domains.add(n);
  }
  const addresses = new Set<string>();
  for (const a of knownAddresses) {
    const bare = bareAddress(a).toLowerCase();
    if (bare) addresses.add(bare);
  }
  return { domains, addresses };
}

export function isTrustedDomain(domain: string, trusted: TrustedDomains): boolean {
  if (!domain) return false;
  if (trusted.domains.has(domain)) return true;
  for (const d of trusted.domains) if (domain.endsWith(`.${d}`)) return true;
  return false;
}

/** internal / external / unknown (no address at all), per the rules at the top of this file. */
export function classifyAddress(raw: string | null | undefined, trusted: TrustedDomains): AddressClass {
  const bare = bareAddress(raw);
  if (!bare) return 'unknown';
  if (trusted.addresses.has(bare.toLowerCase())) return 'internal';
  return isTrustedDomain(domainOf(bare), trusted) ? 'internal' : 'external';
}
