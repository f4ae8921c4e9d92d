// Exit codes are a contract (DESIGN.md, CLI): pipelines branch on them.
export const EXIT = {
  completed: 0,
  checkErrored: 1,
  badInput: 2,
  findingsAtThreshold: 3,
} as const;

/** Bad usage or configuration: the message says what to fix; exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Error classes across the codebase that mean "the input was wrong", not "the program failed". */
const INPUT_ERROR_NAMES = new Set([
  'UsageError',
  'ConfigError',
  'CouncilConfigError',
  'ScenarioError',
  'FindingsFormatError',
  'CredentialError',
  'EnforcementInputError',
  'SurrenderInputError',
]);

export function isInputError(err: unknown): err is Error {
  return err instanceof Error && INPUT_ERROR_NAMES.has(err.name);
}
