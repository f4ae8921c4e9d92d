// The council config without a redeploy: `councilguard config push` validates a config file exactly as
// the loader does and uploads it as a new version (store/config-versions.ts); `config show` says which
// version is live; the function app, with COUNCILGUARD_CONFIG_SOURCE=blob, reads the newest valid
// pushed version on each run. A newest version that is not valid (written to storage by hand) is not
// used: the app keeps the last good one and logs one error with the marker councilguard.config.invalid,
// which the alert rule matches. See docs/ARCHITECTURE.md, "Council config in storage".
import { readFileSync } from 'node:fs';
import type { Clock } from '../core/clock';
import { systemClock } from '../core/clock';
import { ConfigError, CouncilConfigError, messageOf } from '../core/errors';
import type { Logger } from '../core/logger';
import { readStorageSettings } from '../config/env';
import type { CouncilConfigFile } from '../policy/council-config';
import { openConfiguredStore, sha256Of, type ConfigPointer, type Store } from '../store';
import { CHECK_IDS } from '../checks';
import { loadCouncilConfig, parseCouncilConfig } from '../policy/load';

/** The marker of the error line an invalid pushed config raises (the alert rule matches it). */
export const CONFIG_INVALID_EVENT = 'councilguard.config.invalid';

const NOTHING_PUSHED = 'COUNCILGUARD_CONFIG_SOURCE is blob, but no council config has been pushed to this storage account: run councilguard config push --config councils.json (with COUNCILGUARD_STORAGE or COUNCILGUARD_STORAGE_ACCOUNT naming the function app\'s storage), or set COUNCILGUARD_CONFIG_SOURCE=file.';

export type PushResult = ConfigPointer;

/**
 * Validates the file (every problem, with its fix, in one CouncilConfigError) before anything is opened,
 * then uploads it as a new version. Nothing is uploaded when it is not valid.
 */
export async function pushCouncilConfig(opts: { configPath: string; env?: NodeJS.ProcessEnv; dataDir?: string; actor: string; clock?: Clock }): Promise<PushResult> {
  // The loader's own validation (the same the app applies), before storage is even opened.
  const file = loadCouncilConfig(opts.configPath, CHECK_IDS);
  const text = readFileSync(opts.configPath, 'utf8');
  const { store, stop } = await openConfiguredStore(readStorageSettings(opts.env ?? process.env), { dataDir: opts.dataDir });
  try {
    return await store.configVersions.push(text, { pushedAt: (opts.clock ?? systemClock)().toISOString(), pushedBy: opts.actor, councils: file.councils.length });
  } finally {
    await stop();
  }
}

export interface LiveConfig {
  /** The version in use: the newest valid one. */
  live?: ConfigPointer & { valid: true };
  /** Newer versions that are not valid (skipped), newest first, with why. */
  invalid: { version: string; problem: string }[];
}

/** Which pushed version is live, as the function app decides it. */
export async function showCouncilConfig(opts: { env?: NodeJS.ProcessEnv; dataDir?: string }): Promise<LiveConfig> {
  const { store, stop } = await openConfiguredStore(readStorageSettings(opts.env ?? process.env), { dataDir: opts.dataDir });
  try {
    const found = await newestValid(store);
    return { live: found.live && { ...found.live.pointer, valid: true }, invalid: found.invalid };
  } finally {
    await stop();
  }
}

interface Found {
  live?: { pointer: ConfigPointer; file: CouncilConfigFile };
  invalid: { version: string; problem: string; sha256: string }[];
}

/** Walks the versions newest first (the one latest.json names counts as newest) to the first valid one. */
async function newestValid(store: Store): Promise<Found> {
  const versions = store.configVersions;
  const pointer = await versions.pointer();
  const names = await versions.versions();
  const order = pointer && names.includes(pointer.version) ? [pointer.version, ...names.filter((n) => n !== pointer.version)] : names;
  const invalid: Found['invalid'] = [];
  for (const version of order) {
    const raw = await versions.read(version);
    if (!raw) continue;
    const sha256 = sha256Of(raw);
    try {
      let json: unknown;
      try {
        json = JSON.parse(raw.toString('utf8'));
      } catch (err) {
        throw new CouncilConfigError(`The council config ${version} is not valid JSON (${messageOf(err)}); fix the syntax.`);
      }
      const file = parseCouncilConfig(json, version, CHECK_IDS);
      const meta = pointer?.version === version && pointer.sha256 === sha256 ? pointer : { version, pushedAt: '', pushedBy: 'unknown (written to storage directly)', sha256, councils: file.councils.length };
      return { live: { pointer: meta, file }, invalid };
    } catch (err) {
      if (!(err instanceof CouncilConfigError)) throw err;
      invalid.push({ version, problem: err.message, sha256 });
    }
  }
  return { invalid };
}

/**
 * The function app's reader: each call returns the newest valid pushed config. An invalid newer version
 * is skipped for the last good one (this host's, else the newest valid in storage) and alerted once
 * (remembered in storage, so two runs or two instances alert once); with no valid version at all, the
 * error names `councilguard config push`.
 */
export function blobConfigReader(store: Store, log: Logger): () => Promise<CouncilConfigFile> {
  let lastGood: { version: string; file: CouncilConfigFile } | undefined;
  return async () => {
    const found = await newestValid(store);
    for (const bad of found.invalid) {
      // Only versions newer than the one in use matter; older broken ones are history.
      if (await store.configVersions.markAlerted(bad.version, bad.sha256)) {
        log.error(`${CONFIG_INVALID_EVENT}: the pushed council config ${bad.version} is not valid, so the function app keeps using ${found.live?.pointer.version ?? lastGood?.version ?? 'no config'}. ${bad.problem} Push a corrected file with councilguard config push.`, { event: CONFIG_INVALID_EVENT });
      }
    }
    if (found.live) {
      // A version this host used that is newer than what storage now offers (it was overwritten with
      // something invalid) stays in use.
      if (!(lastGood && found.invalid.some((b) => b.version === lastGood!.version))) lastGood = { version: found.live.pointer.version, file: found.live.file };
    }
    if (!lastGood) throw new ConfigError(found.invalid.length ? `No valid council config has been pushed (the newest, ${found.invalid[0].version}, is not valid); run councilguard config push --config councils.json with a corrected file.` : NOTHING_PUSHED);
    return lastGood.file;
  };
}
