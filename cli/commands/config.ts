// councilguard config push --config FILE | councilguard config show
// push: validate the file as the loader does (every problem with its fix; exit 2, nothing uploaded) and
// upload it as a new version the function app reads with COUNCILGUARD_CONFIG_SOURCE=blob.
// show: which pushed version is live, and any newer one skipped as invalid.
import { UsageError } from '../../core/errors';
import { readCommandLineActor } from '../../config/env';
import { pushCouncilConfig, showCouncilConfig } from '../../jobs/config-source';
import { EXIT } from '../exit-codes';

export interface ConfigCommandOptions {
  config?: string;
  dataDir: string;
}

const ACTIONS = 'councilguard config push --config councils.json (upload a validated config) or councilguard config show (which version is live)';

export async function configCommand(action: string, opts: ConfigCommandOptions, env: NodeJS.ProcessEnv = process.env, print: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  if (action === 'push') {
    if (!opts.config) throw new UsageError('councilguard config push needs the file to upload: add --config councils.json.');
    const pushed = await pushCouncilConfig({ configPath: opts.config, env, dataDir: opts.dataDir, actor: readCommandLineActor(env) });
    print(`Pushed ${opts.config} as ${pushed.version} (${pushed.councils} council(s), sha256 ${pushed.sha256}); the function app uses it from its next run.\n`);
    return EXIT.completed;
  }
  if (action === 'show') {
    const found = await showCouncilConfig({ env, dataDir: opts.dataDir });
    for (const bad of found.invalid) print(`Skipped (not valid): ${bad.version}\n${bad.problem}\n`);
    if (!found.live) {
      print('No valid council config has been pushed; run councilguard config push --config councils.json.\n');
      return EXIT.badInput;
    }
    const l = found.live;
    print(`Live: ${l.version} (${l.councils} council(s), sha256 ${l.sha256})${l.pushedAt ? `, pushed ${l.pushedAt} by ${l.pushedBy}` : `, ${l.pushedBy}`}\n`);
    return found.invalid.length ? EXIT.checkErrored : EXIT.completed;
  }
  throw new UsageError(`Unknown config action "${action}": use ${ACTIONS}.`);
}
