// Tests talk to real servers (the HTTPS tenant simulator, Azurite), so they run in Node with a shared
// Azurite started once for the whole suite. NODE_EXTRA_CA_CERTS is set by the npm script, not here:
// Node reads it only at start-up.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
    // jose (token validation) ships only as ES modules; Node 22 requires them natively, Jest's module
    // system does not, so its files are compiled to CommonJS for the tests.
    '/node_modules/jose/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', moduleResolution: 'node10', target: 'ES2022', isolatedModules: true } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60000,
  maxWorkers: 2,
};
