// The error classes every layer shares. An InputError means "what was asked was wrong, and the message
// says how to fix it": the CLI exits 2 and an HTTP handler answers 4xx. Anything else is a failure of the
// program or of a service. Callers decide with instanceof, never by comparing names; each class keeps its
// own name so messages and the bad-input table can say which kind of input was wrong.

/** Bad input (configuration, command line, request body, scenario, plan file): exit 2, HTTP 400. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The council asked for (by name or tenant id, or through a councillor's address) is not in the config. */
export class CouncilNotFoundError extends InputError {}

/** A command-line option or argument that cannot work. */
export class UsageError extends InputError {}

/** An app setting or environment variable that is missing or unusable. */
export class ConfigError extends InputError {}

/** The council config file (or a policy profile it names) has problems. */
export class CouncilConfigError extends InputError {}

/** A simulator scenario file has problems. */
export class ScenarioError extends InputError {}

/** A findings.json that is damaged, edited or from an incompatible version. */
export class FindingsFormatError extends InputError {}

/** The credential was refused or its authority could not be reached. */
export class CredentialError extends InputError {}

/** A plan, approval or undo that cannot be carried out as asked. */
export class EnforcementInputError extends InputError {}

/** A surrender request that cannot start: bad fields, another one running, an unknown reference. */
export class SurrenderInputError extends InputError {
  constructor(message: string, readonly code: 'bad-request' | 'conflict' | 'not-found' = 'bad-request', readonly runningId?: string) {
    super(message);
  }
}

export function isInputError(err: unknown): err is InputError {
  return err instanceof InputError;
}

/** The message of anything thrown, for a log line or an HTTP body. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
