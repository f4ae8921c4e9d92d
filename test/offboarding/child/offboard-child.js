// Runs `councilguard offboard` from the TypeScript sources in a child process, so a test can kill it
// with SIGKILL and start it again. There is no compiled dist/ in tests and ts-jest only works inside
// jest, so .ts files are transpiled on require with the installed TypeScript compiler (transpile only:
// types were checked by tsc; this is what ts-node --transpile-only does, without the dependency).
// Usage: node offboard-child.js '<OffboardOptions as JSON>'; exit code as the CLI's (2 = bad input).
const fs = require('node:fs');
const ts = require('typescript');

require.extensions['.ts'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8');
  const { outputText } = ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, resolveJsonModule: true },
  });
  module._compile(outputText, filename);
};

const { offboardCommand } = require('../../../cli/commands/offboard.ts');

offboardCommand(JSON.parse(process.argv[2])).then(
  (code) => { process.exitCode = code; },
  (err) => {
    process.stderr.write(`councilguard: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = err && err.name === 'UsageError' ? 2 : 1;
  },
);
