// typescript-eslint's recommended rules over the TypeScript sources, and the layer rules of
// docs/ARCHITECTURE.md: a folder may import only from the folders below it. Generated and vendored
// output ignored.
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

/**
 * The layers, lowest first, and what each folder may import (besides itself and npm packages). One
 * table: docs/ARCHITECTURE.md prints it, and test/architecture/boundaries.test.ts proves a violation fails.
 */
const MAY_IMPORT = {
  core: [],
  config: ['core'],
  policy: ['core', 'config'],
  graph: ['core', 'config'],
  store: ['core', 'config'],
  context: ['core', 'config', 'policy', 'graph', 'store'],
  checks: ['core', 'policy'],
  reports: ['core', 'config', 'policy', 'graph', 'store'],
  offboarding: ['core', 'config', 'policy', 'graph', 'store', 'context', 'reports'],
  enforce: ['core', 'config', 'policy', 'graph', 'store', 'context', 'reports'],
  jobs: ['core', 'config', 'policy', 'graph', 'store', 'context', 'checks', 'reports', 'offboarding', 'enforce'],
  cli: ['core', 'config', 'jobs'],
  functions: ['core', 'config', 'jobs'],
  simulator: ['core', 'config'],
};
/** Single files allowed one more layer: the demo is the only use case that starts the simulator. */
const EXCEPTIONS = { 'jobs/demo.ts': ['simulator'] };
const FOLDERS = Object.keys(MAY_IMPORT);

function layerRule(folder, files = [`${folder}/**/*.ts`], extra = []) {
  const allowed = [...MAY_IMPORT[folder], ...extra];
  const forbidden = FOLDERS.filter((f) => f !== folder && !allowed.includes(f));
  return {
    files,
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          regex: `^(\\.\\./)+(${forbidden.join('|')})(/|$)`,
          message: `${folder}/ may import only from ${allowed.join(', ') || 'npm packages'} (docs/ARCHITECTURE.md, "Layers"); move the shared piece down a layer, or call it through jobs/.`,
        }],
      }],
    },
  };
}

module.exports = tseslint.config(
  { ignores: ['dist/**', 'dist-bench/**', 'dist-package/**', 'node_modules/**', 'coverage/**', 'bench/results/**', '.councilguard/**', 'test-output/**', '.tools/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  ...FOLDERS.map((folder) => layerRule(folder)),
  ...Object.entries(EXCEPTIONS).map(([file, extra]) => layerRule(file.split('/')[0], [file], extra)),
  {
    // Graph transport lives in graph/ only: one retry loop, one upload path (docs/ARCHITECTURE.md).
    files: ['**/*.ts'],
    ignores: ['graph/**'],
    rules: {
      'no-restricted-syntax': ['error', {
        selector: "CallExpression[callee.property.name='api'][callee.object.property.name='client']",
        message: 'Call Graph through GraphContext (get, send, pageAll, delta, batch, download) or graph/drive-upload, not graph.client.api: retries, the meter and errors live in graph/.',
      }],
    },
  },
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);

