// Lets a plain Node child process require the TypeScript sources (test/support/offboard-child.js,
// cli-child.js): .ts files are transpiled on require with the installed TypeScript compiler (types were
// checked by tsc), and the output is cached on disk by a hash of the source.
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

