// councilguard permissions --config FILE [--json]: what to grant, and why, for each council.
import { loadCouncilConfig } from '../../policy/load';
import { buildManifest, formatManifest } from '../../jobs/permission-manifest';

export async function permissionsCommand(opts: { config: string; json?: boolean }, out: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const manifests = loadCouncilConfig(opts.config).councils.map(buildManifest);
  out(opts.json ? `${JSON.stringify(manifests, null, 2)}\n` : manifests.map(formatManifest).join('\n'));
  return 0;
}
