// Runs `councilguard offboard` from the TypeScript sources in a child process that a test kills with
// SIGKILL and starts again (test/offboarding/resume and test/resilience/crash-resume). There is no
// compiled dist/ in tests and ts-jest works only inside jest, so .ts files are transpiled on require with
// the installed TypeScript compiler (types were checked by tsc); the output is cached on disk by a hash
// of the source, so each restart costs well under a second instead of two.
// Usage: node offboard-child.js '<OffboardOptions as JSON>'; exit code as the CLI's (2 = bad input).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');

// The compiler is loaded only on a cache miss (loading it alone takes a third of a second).
let ts;
const compiler = () => (ts ??= require('typescript'));
const CACHE = path.join(os.tmpdir(), `councilguard-test-ts-${require('typescript/package.json').version}`);
fs.mkdirSync(CACHE, { recursive: true });

require.extensions['.ts'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8');
  const key = crypto.createHash('sha256').update(filename).update('\0').update(source).digest('hex');
  const cached = path.join(CACHE, `${key}.js`);
  let output;
  try {
    output = fs.readFileSync(cached, 'utf8');
  } catch {
    const { transpileModule, ModuleKind, ScriptTarget } = compiler();
    output = transpileModule(source, { fileName: filename, compilerOptions: { module: ModuleKind.CommonJS, target: ScriptTarget.ES2022, esModuleInterop: true, resolveJsonModule: true } }).outputText;
    // Written aside and renamed, so a child killed mid-write never leaves half a module in the cache.
    const temp = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(temp, output);
    fs.renameSync(temp, cached);
  }
  module._compile(output, filename);
};

const { offboardCommand } = require('../../cli/commands/offboard.ts');

offboardCommand(JSON.parse(process.argv[2])).then(
  (code) => { process.exitCode = code; },
  (err) => {
    process.stderr.write(`councilguard: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = err && err.name === 'UsageError' ? 2 : 1;
  },
);
