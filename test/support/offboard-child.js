// Runs `councilguard offboard` from the TypeScript sources in a child process that a test kills with
// SIGKILL and starts again (test/offboarding/resume and test/resilience/crash-resume). There is no
// compiled dist/ in tests and ts-jest works only inside jest, so .ts files are transpiled on require with
// the installed TypeScript compiler (types were checked by tsc); the output is cached on disk by a hash
// of the source, so each restart costs well under a second instead of two.
// Usage: node offboard-child.js '<OffboardOptions as JSON>'; exit code as the CLI's (2 = bad input).
require('./ts-register');

const { offboardCommand } = require('../../cli/commands/offboard.ts');

offboardCommand(JSON.parse(process.argv[2])).then(
  (code) => { process.exitCode = code; },
  (err) => {
    process.stderr.write(`councilguard: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = err && err.name === 'UsageError' ? 2 : 1;
  },
);
