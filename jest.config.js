// Tests talk to real servers (the HTTPS tenant simulator, Azurite), so they run in Node with a shared
// Azurite started once for the whole suite. NODE_EXTRA_CA_CERTS is set by the npm script, not here:
// Node reads it only at start-up.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60000,
  maxWorkers: 2,
};
