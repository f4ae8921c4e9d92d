// The council context: everything a use case needs to act for one council, made in one place.
// See docs/ARCHITECTURE.md, "The council context".
import { CHECK_IDS } from '../checks';
import { loadCouncilConfig, parseCouncilConfig } from '../policy/load';
import type { CouncilConfigFile } from '../policy/council-config';

/** Reads and validates a council config file (with the check catalogue's ids); the message names each fix. */
export function loadCouncilFile(path: string): CouncilConfigFile {
  return loadCouncilConfig(path, CHECK_IDS);
}

/** Validates a council config already parsed from JSON (an upload, a test fixture). */
export function parseCouncilFile(json: unknown, source: string): CouncilConfigFile {
  return parseCouncilConfig(json, source, CHECK_IDS);
}
