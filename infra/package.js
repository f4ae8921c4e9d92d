#!/usr/bin/env node
// `npm run package`: the deployment zip for the function app (Flex Consumption deploys a ready-to-run
// package; nothing is built remotely). Built code, host.json, the policy profiles and the clerk's page,
// and the production dependencies only (`npm ci --omit=dev`, so Azurite, jsonwebtoken and the test tools
// stay out). Writes dist-package/councilguard.zip and prints its size.
//   node infra/package.js [--config councils.json] [--skip-build] [--skip-install]
// The code is compiled afresh into the package (not copied from dist/, where files of deleted sources
// linger and the check catalogue, read from its folder, would load them); --skip-build copies dist/ as is.
// Before zipping, the staged folder is checked: what the function app reads is there, and no package the
// lockfile marks as dev-only is.
// --config copies the council config to config/councils.json in the package (COUNCILGUARD_CONFIG's default).
'use strict';
const { execFileSync } = require('node:child_process');
const { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } = require('node:fs');
const { join, resolve } = require('node:path');

const root = resolve(__dirname, '..');
const out = join(root, 'dist-package');
const stage = join(out, 'app');
const zipFile = join(out, 'councilguard.zip');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };

function fail(message) {
  process.stderr.write(`package: ${message}\n`);
  process.exit(2);
}

function run(command, commandArgs, cwd) {
  process.stdout.write(`$ ${command} ${commandArgs.join(' ')}\n`);
  execFileSync(command, commandArgs, { cwd, stdio: 'inherit' });
}

const config = option('--config');
if (config !== undefined && !existsSync(resolve(config))) fail(`--config ${config} does not exist; give the council config JSON file to ship in the package.`);
if (flag('--skip-build') && !existsSync(join(root, 'dist', 'functions', 'index.js'))) fail('dist/functions/index.js is missing; build first (npm run build) or drop --skip-build.');

rmSync(out, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
if (flag('--skip-build')) cpSync(join(root, 'dist'), join(stage, 'dist'), { recursive: true, filter: (src) => !/\.tsbuildinfo/.test(src) });
else run('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', join(stage, 'dist'), '--tsBuildInfoFile', join(out, 'build.tsbuildinfo')], root);
// What the function app reads at run time: the entry in package.json ("main"), the built code (the JSON
// schemas are emitted beside it), host.json, the profiles and the clerk's page (config/paths.ts finds them
// from the package root), and the command's entry for running the same package by hand.
for (const file of ['package.json', 'package-lock.json', 'host.json']) cpSync(join(root, file), join(stage, file));
cpSync(join(root, 'bin'), join(stage, 'bin'), { recursive: true });
cpSync(join(root, 'policy', 'profiles'), join(stage, 'policy', 'profiles'), { recursive: true });
cpSync(join(root, 'offboarding', 'web'), join(stage, 'offboarding', 'web'), { recursive: true });
if (config) cpSync(resolve(config), join(stage, 'config', 'councils.json'));

if (flag('--skip-install')) mkdirSync(join(stage, 'node_modules'), { recursive: true });
else run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], stage);

checkStage();

try {
  execFileSync('zip', ['-q', '-r', '-X', zipFile, '.'], { cwd: stage, stdio: 'inherit' });
} catch (err) {
  fail(`could not run zip (${err.message.split('\n')[0]}); install it (apt-get install zip) and run again. The staged package is in ${stage}.`);
}
const mb = statSync(zipFile).size / 1024 / 1024;
process.stdout.write(`${zipFile}: ${mb.toFixed(1)} MB${mb > 60 ? ' — over the 60 MB target: check that no dev dependency is in "dependencies"' : ''}\n`);

/** Fails before zipping when the function app would miss a file, or a dev-only package got in. */
function checkStage() {
  const needed = ['package.json', 'host.json', 'dist/functions/index.js', 'dist/cli/main.js', 'dist/schemas/findings.schema.json', 'dist/schemas/evidence.schema.json', 'dist/checks/catalogue', 'policy/profiles', 'offboarding/web/index.html', 'bin/councilguard.js'];
  const missing = needed.filter((p) => !existsSync(join(stage, p)));
  if (missing.length) fail(`the staged package lacks ${missing.join(', ')}; check tsconfig.build.json and the copy list in infra/package.js. The staged package is in ${stage}.`);
  if (flag('--skip-install')) return;
  const lock = JSON.parse(readFileSync(join(stage, 'package-lock.json'), 'utf8'));
  const devOnly = new Set(Object.entries(lock.packages).filter(([path, p]) => path && p.dev).map(([path]) => path));
  const installed = [];
  const walk = (dir) => {
    for (const name of readdirSync(join(stage, dir))) {
      if (name.startsWith('.')) continue;
      const path = `${dir}/${name}`;
      if (name.startsWith('@')) walk(path);
      else {
        installed.push(path);
        if (existsSync(join(stage, path, 'node_modules'))) walk(`${path}/node_modules`);
      }
    }
  };
  walk('node_modules');
  const leaked = installed.filter((p) => devOnly.has(p));
  if (leaked.length) fail(`dev-only packages are in the package: ${leaked.slice(0, 10).join(', ')}; move what the app needs at run time to "dependencies" and run npm ci --omit=dev again.`);
  const expected = Object.entries(lock.packages).filter(([path, p]) => path.startsWith('node_modules/') && !p.dev && !p.optional && !p.devOptional).map(([path]) => path);
  const absent = expected.filter((p) => !installed.includes(p));
  if (absent.length) fail(`production dependencies from the lockfile are not installed: ${absent.slice(0, 10).join(', ')}. The staged package is in ${stage}.`);
  process.stdout.write(`package: ${installed.length} production packages, none dev-only\n`);
}
