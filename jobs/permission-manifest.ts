// The permission manifest: for the checks and features a council enables, each application permission
// with why it is needed, and the licences each check depends on; what a check cannot run without (the
// start-of-run self-check); and the manifest against the tenant itself (permissions --check-tenant).
// All of it is read from the one table in graph/permissions.ts.
import { ALL_CHECKS } from '../checks';
import type { Check } from '../checks/types';
import {
  EVERY_RUN_ENDPOINTS, KNOWN_PERMISSIONS, WRITE_FEATURE_ENDPOINTS, accessForParts, broaderGrantsFor, permissionSatisfied, permissionsOf,
  reasonsFor, resourceOf, unmetPermissions, type PermissionResource,
} from '../graph/permissions';
import { licencesFromSkus, type Licence, type Licences } from '../graph/licences';
import { createGraphContext } from '../graph';
import { readSubscribedSkus } from '../graph/readers/directory';
import { readEnvironment } from '../config/env';
import type { CouncilConfig } from '../policy/council-config';
import type { DeliveryConfig } from '../reports/delivery';
import { permissionsNeeded } from '../offboarding/validate';
import { resolveOptions } from '../offboarding/options';
import { enabledRemediations } from '../enforce/plan';
import { remediation } from '../enforce/remediations';

export interface ManifestPermission {
  permission: string;
  resource: PermissionResource;
  neededBy: string[];
  why: string[];
  /** Without it only part of a check is skipped. */
  optional: boolean;
}

export interface Manifest {
  council: string;
  permissions: ManifestPermission[];
  licences: { check: string; licences: Licence[] }[];
}

/**
 * Per check, the permissions it cannot run without that the token lacks (checks missing none are left
 * out). A higher-privileged permission Graph accepts for a call (Directory.Read.All for the directory
 * reads, Group.Read.All for the group reads) counts as granted for it. An optional permission (Exchange, the P1 registration report, risky users, sign-in logs) costs
 * only its part, which collect reports as a partial skip, so it is not counted here.
 */
export function missingRequiredPermissions(checks: readonly Check[], granted: ReadonlySet<string>): Map<string, string[]> {
  const missingByCheck = new Map<string, string[]>();
  for (const check of checks) {
    const missing = unmetPermissions(accessForParts(check.reads).requiredEndpoints, granted);
    if (missing.length) missingByCheck.set(check.id, missing);
  }
  return missingByCheck;
}

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
  for (const p of permissionsOf(EVERY_RUN_ENDPOINTS)) need(p, 'licence detection (every run)', false);
  for (const c of checks) {
    const access = accessForParts(c.reads);
    for (const p of access.required) need(p, c.id, false);
    for (const p of access.optional) need(p, c.id, true);
  }
  const delivery = (council.delivery ?? {}) as DeliveryConfig;
  if (delivery.sharePoint) for (const p of permissionsOf(WRITE_FEATURE_ENDPOINTS['delivery.sharePoint'])) need(p, 'delivery.sharePoint', false);
  if (delivery.email) for (const p of permissionsOf(WRITE_FEATURE_ENDPOINTS['delivery.email'])) need(p, 'delivery.email', false);
  // The clerk can ask for a surrender at any time, so its permissions are always listed.
  for (const n of permissionsNeeded(resolveOptions(council))) need(n.permission, 'surrender (clerk)', n.optional === true);
  for (const name of enabledRemediations(council)) for (const p of remediation(name).permissions) need(p, `enforce.${name}`, false);
  const permissions = [...byPermission.entries()].map(([permission, e]) => ({
    permission,
    resource: resourceOf(permission),
    neededBy: [...e.neededBy].sort(),
    why: reasonsFor(permission),
    optional: e.optional,
  })).sort((a, b) => a.permission.localeCompare(b.permission));
  const unknown = permissions.filter((p) => !KNOWN_PERMISSIONS.has(p.permission));
  if (unknown.length) throw new Error(`the manifest names permissions missing from graph/permissions.ts: ${unknown.map((u) => u.permission).join(', ')}`);
  const licences = checks.map((c) => ({ check: c.id, licences: accessForParts(c.reads).licences })).filter((l) => l.licences.length);
  return { council: council.name, permissions, licences };
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

export interface TenantComparison {
  missingPermissions: { permission: string; neededBy: string[]; optional: boolean }[];
  unlicensedChecks: { check: string; licences: Licence[] }[];
  /**
   * Least-privilege advice, not an error: a granted permission broader than one the manifest needs (Graph
   * accepts it, so nothing is missing), with the narrower ones it stands in for (not granted themselves;
   * empty when every one it covers is granted anyway, so it is not needed at all).
   */
  broaderThanNeeded: { granted: string; insteadOf: string[] }[];
}

// The licence words of the table, and the service-plan facts that grant them.
const LICENCE_FLAGS: Record<Licence, keyof Licences> = { 'Intune': 'intune', 'Entra ID P1': 'entraP1', 'Entra ID P2': 'entraP2', 'Exchange Online': 'exchange' };

/** The manifest against the tenant, read with the app's own credentials: what is not granted, not licensed. */
export async function compareWithTenant(council: CouncilConfig, manifest: Manifest, env: NodeJS.ProcessEnv): Promise<TenantComparison> {
  const graph = createGraphContext(readEnvironment(env, council.tenantId));
  const granted = new Set(await graph.grantedRoles());
  const licences = licencesFromSkus(await readSubscribedSkus(graph));
  return { ...comparePermissions(manifest, granted), unlicensedChecks: manifest.licences.filter((l) => !l.licences.some((word) => LICENCE_FLAGS[word] && licences[LICENCE_FLAGS[word]])) };
}

/** The manifest's Graph permissions against the token's roles: what is missing, and what is broader than needed. */
export function comparePermissions(manifest: Manifest, granted: ReadonlySet<string>): Pick<TenantComparison, 'missingPermissions' | 'broaderThanNeeded'> {
  // Exchange.ManageAsApp is granted on another resource, so it is not in the Graph token's roles.
  const graphPermissions = manifest.permissions.filter((p) => p.resource === 'Microsoft Graph');
  const needed = new Set(graphPermissions.map((p) => p.permission));
  const broader = new Map<string, string[]>();
  for (const p of graphPermissions) {
    for (const wider of broaderGrantsFor(p.permission, granted)) {
      // A permission the manifest itself needs (Files.ReadWrite.All for enforcement) is not "broader".
      if (needed.has(wider)) continue;
      broader.set(wider, [...(broader.get(wider) ?? []), ...(granted.has(p.permission) ? [] : [p.permission])]);
    }
  }
  return {
    missingPermissions: graphPermissions.filter((p) => !permissionSatisfied(p.permission, granted))
      .map((p) => ({ permission: p.permission, neededBy: p.neededBy, optional: p.optional })),
    broaderThanNeeded: [...broader].map(([wider, insteadOf]) => ({ granted: wider, insteadOf })).sort((a, b) => a.granted.localeCompare(b.granted)),
  };
}
