// councilguard permissions --config FILE [--json] [--check-tenant]: what to grant, and why, for each
// council; with --check-tenant also what the tenant itself lacks (permissions not granted to the app,
// licences a check needs that the tenant does not have), read with the app's own credentials.
import { loadCouncilFile, selectCouncils } from '../../jobs/council-context';
import { councilSelector, type CouncilOption } from '../council-option';
import { buildManifest, compareWithTenant, formatManifest, type TenantComparison } from '../../jobs/permission-manifest';

function formatComparison(c: TenantComparison): string {
  const lines = ['', 'In the tenant now:'];
  if (!c.missingPermissions.length && !c.unlicensedChecks.length) lines.push('  every permission above is granted and every licence a check needs is there.');
  for (const p of c.missingPermissions) lines.push(`  NOT GRANTED: ${p.permission} (needed by ${p.neededBy.join(', ')}${p.optional ? '; optional' : ''}) — grant it with infra/grant-graph-permissions.sh`);
  for (const l of c.unlicensedChecks) lines.push(`  NOT LICENSED: ${l.check} needs ${l.licences.join(' or ')}, which the tenant lacks; it will be skipped (not-licensed) until the licence is bought, or disable it in checks.disabled`);
  // Advice only: Graph accepts the broader grant, so nothing is skipped because of it.
  for (const b of c.broaderThanNeeded) {
    lines.push(b.insteadOf.length
      ? `  BROADER THAN NEEDED: ${b.granted} is granted; CouncilGuard needs only ${b.insteadOf.join(', ')} for what it does with it. It works as granted; for least privilege grant ${b.insteadOf.join(', ')} and remove ${b.granted} if nothing else uses it.`
      : `  BROADER THAN NEEDED: ${b.granted} is granted but CouncilGuard does not need it (the narrower permissions it needs are granted); remove it if nothing else uses it.`);
  }
  return `${lines.join('\n')}\n`;
}

export async function permissionsCommand(opts: CouncilOption & { config: string; json?: boolean; checkTenant?: boolean }, out: (s: string) => void = (s) => process.stdout.write(s), env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const councils = selectCouncils(loadCouncilFile(opts.config).councils, councilSelector(opts));
  const manifests = councils.map(buildManifest);
  const comparisons = opts.checkTenant ? await Promise.all(councils.map((c, i) => compareWithTenant(c, manifests[i], env))) : undefined;
  if (opts.json) {
    out(`${JSON.stringify(manifests.map((m, i) => (comparisons ? { ...m, tenant: comparisons[i] } : m)), null, 2)}\n`);
  } else {
    out(manifests.map((m, i) => formatManifest(m) + (comparisons ? formatComparison(comparisons[i]) : '')).join('\n'));
  }
  return 0;
}
