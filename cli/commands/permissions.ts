// councilguard permissions --config FILE [--council X] [--output FORMAT] [--check-tenant]: what to grant,
// and why, for each council; with --check-tenant also what the tenant itself lacks (permissions not granted
// to the app, licences a check needs that the tenant does not have), read with the app's own credentials,
// and exit 1 when it lacks anything.
import { loadCouncilFile, selectCouncils } from '../../jobs/council-context';
import { councilSelector, type CouncilOption } from '../council-option';
import { renderTable } from '../../jobs/reports';
import { EXIT } from '../exit-codes';
import type { OutputFormat } from '../output';
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

export async function permissionsCommand(opts: CouncilOption & { config: string; json?: boolean; output?: OutputFormat; checkTenant?: boolean }, out: (s: string) => void = (s) => process.stdout.write(s), env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const format: OutputFormat = opts.json ? 'json' : opts.output ?? 'text';
  const councils = selectCouncils(loadCouncilFile(opts.config).councils, councilSelector(opts));
  const manifests = councils.map(buildManifest);
  const comparisons = opts.checkTenant ? await Promise.all(councils.map((c, i) => compareWithTenant(c, manifests[i], env))) : undefined;
  if (format === 'json') {
    // The grant script reads this shape: one manifest per council, with what the tenant lacks when asked.
    out(`${JSON.stringify(manifests.map((m, i) => (comparisons ? { ...m, tenant: comparisons[i] } : m)), null, 2)}\n`);
  } else if (format === 'text') {
    out(manifests.map((m, i) => formatManifest(m) + (comparisons ? formatComparison(comparisons[i]) : '')).join('\n'));
  } else {
    const rows = manifests.flatMap((m, i) => m.permissions.map((p) => ({ council: m.council, ...p, granted: comparisons ? !comparisons[i].missingPermissions.some((x) => x.permission === p.permission) : undefined })));
    out(renderTable(format, [
      { name: 'council', value: (r) => r.council }, { name: 'permission', value: (r) => r.permission }, { name: 'resource', value: (r) => r.resource },
      { name: 'optional', value: (r) => r.optional }, { name: 'neededBy', value: (r) => r.neededBy.join('; ') }, { name: 'why', value: (r) => r.why.join('; ') },
      ...(comparisons ? [{ name: 'granted', value: (r: (typeof rows)[number]) => r.granted }] : []),
    ], rows));
  }
  // A supplier's onboarding script must notice a tenant that is not ready: a permission a check or the
  // surrender cannot do without, or a licence an enabled check needs. An optional permission not granted
  // is reported but costs only part of a check, so it does not fail the command.
  const lacking = comparisons?.some((c) => c.missingPermissions.some((p) => !p.optional) || c.unlicensedChecks.length);
  return lacking ? EXIT.checkErrored : EXIT.completed;
}
