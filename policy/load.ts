// Loads policy profiles and council configs. Every problem in a config is reported at once, each naming
// the council, the JSON path and the fix, so an IT supplier fixes the file in one pass.
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { packageRoot } from '../config/paths';
import { CouncilConfigError } from '../core/errors';
import type { CouncilConfig, CouncilConfigFile } from './council-config';
import type { Clause, PolicyProfile } from './profile';
import profileSchema from './profile.schema.json';
import configSchema from './config-schema.json';

// verbose: an unknown field's message lists the known ones from the schema.
const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true, verbose: true });
addFormats(ajv);
const validateProfile = ajv.compile<PolicyProfile>(profileSchema);
const validateConfig = ajv.compile<CouncilConfigFile>(configSchema);

const PROFILE_DIR = () => join(packageRoot(), 'policy', 'profiles');

export function listProfiles(): string[] {
  return readdirSync(PROFILE_DIR()).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort();
}

const profiles = new Map<string, PolicyProfile>();

export function loadProfile(id: string): PolicyProfile {
  const cached = profiles.get(id);
  if (cached) return cached;
  const file = join(PROFILE_DIR(), `${id}.json`);
  if (!/^[a-z0-9-]+$/.test(id) || !existsSync(file)) throw new CouncilConfigError(`There is no policy profile "${id}"; use one of ${listProfiles().join(', ')}.`);
  const json: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!validateProfile(json)) throw new Error(`Policy profile ${id} is invalid: ${describe(validateProfile.errors).join('; ')}`);
  profiles.set(id, json);
  return json;
}

/** Every clause key the checks may cite (the union of the shipped profiles' catalogues). */
export function clauseKeys(): string[] {
  return [...new Set(listProfiles().flatMap((id) => Object.keys(loadProfile(id).clauses)))].sort();
}

/** The policy's clause for a key, with the council's own numbering when the config overrides it. */
export function resolveClause(profile: PolicyProfile, council: Pick<CouncilConfig, 'checks'> | undefined, key: string): { key: string } & Clause {
  const clause = profile.clauses[key] ?? { number: '—', summary: 'No clause of this policy covers this directly.' };
  const override = council?.checks?.clauses?.[key];
  return { key, number: override ?? clause.number, summary: clause.summary };
}

function describe(errors: ErrorObject[] | null | undefined, prefix = ''): string[] {
  return (errors ?? []).map((e) => {
    const at = `${prefix}${e.instancePath.replace(/\/(\d+)/g, '[$1]').replace(/\//g, '.')}` || '(top level)';
    switch (e.keyword) {
      case 'required': return `${at ? `${at}.` : ''}${(e.params as { missingProperty: string }).missingProperty} is required`;
      case 'format': return `${at} is not a valid ${(e.params as { format: string }).format === 'uuid' ? 'GUID' : (e.params as { format: string }).format === 'date' ? 'date (YYYY-MM-DD)' : (e.params as { format: string }).format}`;
      case 'anyOf': return `${at} needs siteId or siteUrl`;
      case 'additionalProperties': {
        const known = Object.keys((e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
        return `${at} has an unknown field "${(e.params as { additionalProperty: string }).additionalProperty}"${known.length ? `; known fields are ${known.join(', ')}` : ''}`;
      }
      case 'pattern':
        if (/allowedSignInCountries\[\d+\]$/.test(at)) return `${at} must be a two-letter ISO country code in capitals, such as GB or IE`;
        if (/declarations\.icoRegistration$/.test(at)) return `${at} must be the ICO registration number as the register shows it, in capitals without spaces, such as ZA123456`;
        if (/Url$/.test(at)) return `${at} must be an https:// address`;
        return `${at} ${e.message}`;
      default: return `${at} ${e.message}`;
    }
  }).filter((m, i, all) => all.indexOf(m) === i);
}

const DOMAIN = /^(?=.{1,253}$)(?!-)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const EMAIL = /^[^@\s"<>]+@(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

function semanticProblems(c: CouncilConfig, where: string, checkIds: readonly string[]): string[] {
  const out: string[] = [];
  if (!listProfiles().includes(c.profile)) out.push(`${where}.profile "${c.profile}" is not a known policy profile; use one of ${listProfiles().join(', ')}`);
  const keys = new Set(clauseKeys());
  for (const key of Object.keys(c.checks?.clauses ?? {})) {
    if (!keys.has(key)) out.push(`${where}.checks.clauses has an unknown clause key "${key}"; valid keys are ${[...keys].join(', ')}`);
  }
  for (const id of c.checks?.disabled ?? []) {
    if (!checkIds.includes(id)) out.push(`${where}.checks.disabled names an unknown check "${id}"; valid ids are ${checkIds.join(', ')}`);
  }
  c.domains.forEach((d, i) => { if (!DOMAIN.test(d)) out.push(`${where}.domains[${i}] "${d}" is not a domain name; write it like exampleparish.gov.uk (no scheme, no spaces)`); });
  c.allowedForwardingDomains.forEach((d, i) => { if (!DOMAIN.test(d)) out.push(`${where}.allowedForwardingDomains[${i}] "${d}" is not a domain name; write it like partner.gov.uk`); });
  const emails: [string, string][] = [[`${where}.clerk`, c.clerk], ...c.staff.map((s, i): [string, string] => [`${where}.staff[${i}]`, s]),
    ...c.itSupplier.accounts.map((s, i): [string, string] => [`${where}.itSupplier.accounts[${i}]`, s]), ...c.breakGlass.map((s, i): [string, string] => [`${where}.breakGlass[${i}]`, s]),
    ...c.roster.map((r, i): [string, string] => [`${where}.roster[${i}].userPrincipalName`, r.userPrincipalName])];
  const email = (c.delivery as { email?: { from: string; to: string[] } }).email;
  if (email) emails.push([`${where}.delivery.email.from`, email.from], ...email.to.map((t, i): [string, string] => [`${where}.delivery.email.to[${i}]`, t]));
  const clerkDomain = c.clerk.split('@')[1]?.toLowerCase();
  if (clerkDomain && EMAIL.test(c.clerk) && c.domains.every((d) => DOMAIN.test(d)) && !c.domains.some((d) => d.toLowerCase() === clerkDomain) && !clerkDomain.endsWith('.onmicrosoft.com')) {
    out.push(`${where}.clerk ${c.clerk} is not in the council's domains (${c.domains.join(', ')}); give the clerk's council account, or add its domain to domains`);
  }
  for (const [path, value] of emails) if (!EMAIL.test(value)) out.push(`${path} "${value}" is not an email address / UPN; write it like name@exampleparish.gov.uk`);
  const seen = new Set<string>();
  c.roster.forEach((r, i) => {
    const upn = r.userPrincipalName.toLowerCase();
    if (seen.has(upn)) out.push(`${where}.roster[${i}] lists ${r.userPrincipalName} twice; keep one entry per councillor`);
    seen.add(upn);
    const start = DateTime.fromISO(r.termStart);
    const end = DateTime.fromISO(r.termEnd);
    if (start.isValid && end.isValid && end < start) out.push(`${where}.roster[${i}] term for ${r.userPrincipalName} ends (${r.termEnd}) before it starts (${r.termStart}); correct termStart or termEnd`);
  });
  const adopted = c.policy?.adopted ? DateTime.fromISO(c.policy.adopted) : undefined;
  const reviewed = c.policy?.reviewed ? DateTime.fromISO(c.policy.reviewed) : undefined;
  if (adopted?.isValid && reviewed?.isValid && reviewed < adopted) out.push(`${where}.policy.reviewed (${c.policy!.reviewed}) is before policy.adopted (${c.policy!.adopted}); correct one of them`);
  const teams = (c.delivery as { teams?: { webhookUrl: string; allowedHosts?: string[] } }).teams;
  if (teams) out.push(...webhookProblems(teams, `${where}.delivery.teams`));
  if (!c.sharePoint.library?.trim()) out.push(`${where}.sharePoint.library is empty; name the council's document library, e.g. "Documents"`);
  return out;
}

/**
 * Where a Teams webhook may point: the hosts of Power Automate Workflows' "When a Teams webhook request is
 * received" trigger (Office 365 connectors and their incoming webhooks are retired). A council adds others
 * in delivery.teams.allowedHosts.
 */
export const DEFAULT_WEBHOOK_HOSTS = ['*.logic.azure.com', '*.environment.api.powerplatform.com'] as const;

const HOST_LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const HOST_PATTERN = new RegExp(`^(?:\\*\\.${HOST_LABEL}(?:\\.${HOST_LABEL})+|${HOST_LABEL}(?:\\.${HOST_LABEL})*)$`, 'i');

/** Whether a host matches one allowlist entry: exactly, or below a "*." domain (not the domain itself). */
export function hostAllowed(host: string, patterns: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return patterns.some((p) => {
    const q = p.toLowerCase();
    return q.startsWith('*.') ? h.endsWith(q.slice(1)) && h.length > q.length - 1 : h === q;
  });
}

function webhookProblems(teams: { webhookUrl: string; allowedHosts?: string[] }, at: string): string[] {
  const out: string[] = [];
  const extra = teams.allowedHosts ?? [];
  extra.forEach((h, i) => {
    if (!HOST_PATTERN.test(h)) out.push(`${at}.allowedHosts[${i}] "${h}" is not a host name; write it like flows.example.gov.uk, or *.example.gov.uk for every host below that domain (no scheme, port or path)`);
  });
  const fix = 'paste the URL that the Workflows trigger "When a Teams webhook request is received" shows (Teams: the channel\'s ⋯ menu, Workflows)';
  let url: URL;
  try {
    url = new URL(teams.webhookUrl);
  } catch {
    return [...out, `${at}.webhookUrl is not a URL; ${fix}`];
  }
  // The URL carries the flow's signature, a secret: messages name only its host.
  if (url.protocol !== 'https:') out.push(`${at}.webhookUrl must be an https:// address (it is ${url.protocol.replace(/:$/, '')}); ${fix}`);
  else if (!hostAllowed(url.hostname, [...DEFAULT_WEBHOOK_HOSTS, ...extra])) {
    out.push(`${at}.webhookUrl points at ${url.hostname}, which is not a Power Automate Workflows host (${DEFAULT_WEBHOOK_HOSTS.join(', ')}); ${fix}, or, if your Workflows really use that host, add it to ${at}.allowedHosts`);
  }
  if (url.username || url.password) out.push(`${at}.webhookUrl must not carry a user name or password; ${fix}`);
  return out;
}

/**
 * Validates a council config. `checkIds` is the check catalogue (checks/ sits above policy/, so the caller
 * passes it: jobs/council-context.ts does).
 */
export function parseCouncilConfig(json: unknown, source: string, checkIds: readonly string[]): CouncilConfigFile {
  if (!validateConfig(json)) {
    throw new CouncilConfigError(`The council config ${source} has problems:\n  - ${describe(validateConfig.errors).join('\n  - ')}\nFix these and run again.`);
  }
  const problems: string[] = [];
  const tenants = new Map<string, string>();
  json.councils.forEach((c, i) => {
    const where = `councils[${i}] (${c.name})`;
    problems.push(...semanticProblems(c, where, checkIds));
    const t = c.tenantId.toLowerCase();
    if (tenants.has(t)) problems.push(`${where}.tenantId ${c.tenantId} is also used by ${tenants.get(t)}; each council is its own tenant — correct one of them`);
    tenants.set(t, c.name);
  });
  if (problems.length) throw new CouncilConfigError(`The council config ${source} has problems:\n  - ${problems.join('\n  - ')}\nFix these and run again.`);
  return json;
}

export function loadCouncilConfig(path: string, checkIds: readonly string[]): CouncilConfigFile {
  if (!existsSync(path)) throw new CouncilConfigError(`The council config ${path} does not exist; give the path of the JSON file with --config (policy/examples/councils.example.json shows the format).`);
  const text = readFileSync(path, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CouncilConfigError(`The council config ${path} is not valid JSON (${err instanceof Error ? err.message : err}); fix the syntax.`);
  }
  return parseCouncilConfig(json, path, checkIds);
}
