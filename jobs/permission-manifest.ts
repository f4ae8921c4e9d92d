// The permission manifest: for the checks and features a council enables, each application permission
// with why it is needed, and the licences each check depends on. The grant script and the start-of-run
// self-check both use it.
import { ALL_CHECKS, OPTIONAL_PERMISSIONS } from '../checks';
import { EXCHANGE_PERMISSION, KNOWN_PERMISSIONS, PERMISSION_RULES } from '../graph/permissions';
import type { CouncilConfig } from '../policy/council-config';
import type { DeliveryConfig } from '../reports/delivery';
import { permissionsNeeded } from '../offboarding/validate';
import { resolveOptions } from '../offboarding/options';
import { enabledRemediations } from '../enforce/plan';
import { remediation } from '../enforce/remediations';

export interface ManifestPermission {
  permission: string;
  resource: 'Microsoft Graph' | 'Office 365 Exchange Online';
  neededBy: string[];
  why: string[];
  /** Without it only part of a check is skipped. */
  optional: boolean;
}

export interface Manifest {
  council: string;
  permissions: ManifestPermission[];
  licences: { check: string; licences: string[] }[];
}

const REASONS = new Map<string, string[]>();
for (const rule of PERMISSION_RULES) REASONS.set(rule.permission, [...new Set([...(REASONS.get(rule.permission) ?? []), rule.reason])]);
REASONS.set(EXCHANGE_PERMISSION, ['mailbox-level forwarding and the organisation forwarding policy (Exchange admin API)']);

export function buildManifest(council: CouncilConfig): Manifest {
  const disabled = new Set(council.checks?.disabled ?? []);
  const checks = ALL_CHECKS.filter((c) => !disabled.has(c.id));
  const byPermission = new Map<string, { neededBy: Set<string>; optional: boolean }>();
  const need = (permission: string, by: string, optional: boolean) => {
    const entry = byPermission.get(permission) ?? { neededBy: new Set<string>(), optional: true };
    entry.neededBy.add(by);
    entry.optional &&= optional;
    byPermission.set(permission, entry);
  };
  need('Organization.Read.All', 'licence detection (every run)', false);
  for (const c of checks) for (const p of c.permissions) need(p, c.id, (OPTIONAL_PERMISSIONS[c.id] ?? []).includes(p));
  const delivery = (council.delivery ?? {}) as DeliveryConfig;
  if (delivery.sharePoint) need('Sites.ReadWrite.All', 'delivery.sharePoint', false);
  if (delivery.email) need('Mail.Send', 'delivery.email', false);
  // The clerk can ask for a surrender at any time, so its permissions are always listed.
  for (const n of permissionsNeeded(resolveOptions(council))) need(n.permission, 'surrender (clerk)', n.optional === true);
  for (const name of enabledRemediations(council)) for (const p of remediation(name).permissions) need(p, `enforce.${name}`, false);
  const permissions = [...byPermission.entries()].map(([permission, e]) => ({
    permission,
    resource: permission === EXCHANGE_PERMISSION ? 'Office 365 Exchange Online' as const : 'Microsoft Graph' as const,
    neededBy: [...e.neededBy].sort(),
    why: REASONS.get(permission) ?? [],
    optional: e.optional,
  })).sort((a, b) => a.permission.localeCompare(b.permission));
  const unknown = permissions.filter((p) => !KNOWN_PERMISSIONS.has(p.permission));
  if (unknown.length) throw new Error(`the manifest names permissions missing from graph/permissions.ts: ${unknown.map((u) => u.permission).join(', ')}`);
  return { council: council.name, permissions, licences: checks.filter((c) => c.licences.length).map((c) => ({ check: c.id, licences: c.licences })) };
}

export function formatManifest(m: Manifest): string {
  const lines = [`Application permissions for ${m.council}:`, ''];
  for (const p of m.permissions) {
    lines.push(`  ${p.permission}  (${p.resource}${p.optional ? '; optional: without it only part of a check is skipped' : ''})`);
    lines.push(`      needed by: ${p.neededBy.join(', ')}`);
    if (p.why.length) lines.push(`      to: ${p.why.join('; ')}`);
  }
  lines.push('', 'Licences (a check whose licence the tenant lacks is skipped, not failed):');
  for (const l of m.licences) lines.push(`  ${l.check}: ${l.licences.join(' or ')}`);
  lines.push('', 'Exchange.ManageAsApp also needs an Exchange role assigned to the app\'s service principal; scope mail access',
    '(Mail.Send, mailbox settings) to the councillor and service mailboxes with Exchange RBAC for Applications.');
  return `${lines.join('\n')}\n`;
}
