// Runs the councilguard command from the TypeScript sources in a child process (its stdout and stderr
// are pipes, not a terminal), for tests of what a pipeline sees. Usage: node cli-child.js <args...>
require('./ts-register');

require('../../cli/main.ts').main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`councilguard: ${err instanceof Error ? err.message : String(err)}\n`); process.exitCode = 1; },
);
