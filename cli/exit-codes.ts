// Exit codes are a contract (docs/ARCHITECTURE.md, "Exit codes"): pipelines branch on them.
export const EXIT = {
  completed: 0,
  checkErrored: 1,
  badInput: 2,
  findingsAtThreshold: 3,
} as const;

