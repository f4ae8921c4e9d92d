#!/usr/bin/env node
// `npm run package`: the deployment zip for the function app (Flex Consumption deploys a ready-to-run
// package; nothing is built remotely). Built code, host.json, the policy profiles and the clerk's page,
// and the production dependencies only (`npm ci --omit=dev`, so Azurite, jsonwebtoken and the test tools
// stay out). Writes dist-package/councilguard.zip and prints its size.
//   node infra/package.js [--config councils.json] [--skip-build] [--skip-install]
// --config copies the council config to config/councils.json in the package (COUNCILGUARD_CONFIG's default).
'use strict';
const { execFileSync } = require('node:child_process');
const { cpSync, existsSync, mkdirSync, rmSync, statSync } = require('node:fs');
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
if (!flag('--skip-build')) run('npx', ['tsc', '-p', 'tsconfig.build.json'], root);
if (!existsSync(join(root, 'dist', 'functions', 'index.js'))) fail('dist/functions/index.js is missing; build first (npm run build) or drop --skip-build.');

rmSync(out, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
// What the function app reads at run time: the entry in package.json ("main"), the built code (the JSON
// schemas are emitted beside it), host.json, the profiles and the clerk's page (config/paths.ts finds them
// from the package root), and the command's entry for running the same package by hand.
for (const file of ['package.json', 'package-lock.json', 'host.json']) cpSync(join(root, file), join(stage, file));
cpSync(join(root, 'dist'), join(stage, 'dist'), { recursive: true, filter: (src) => !src.endsWith('.tsbuildinfo') });
cpSync(join(root, 'bin'), join(stage, 'bin'), { recursive: true });
cpSync(join(root, 'policy', 'profiles'), join(stage, 'policy', 'profiles'), { recursive: true });
cpSync(join(root, 'offboarding', 'web'), join(stage, 'offboarding', 'web'), { recursive: true });
if (config) cpSync(resolve(config), join(stage, 'config', 'councils.json'));

if (flag('--skip-install')) mkdirSync(join(stage, 'node_modules'), { recursive: true });
else run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], stage);

try {
  execFileSync('zip', ['-q', '-r', '-X', zipFile, '.'], { cwd: stage, stdio: 'inherit' });
} catch (err) {
  fail(`could not run zip (${err.message.split('\n')[0]}); install it (apt-get install zip) and run again. The staged package is in ${stage}.`);
}
const mb = statSync(zipFile).size / 1024 / 1024;
process.stdout.write(`${zipFile}: ${mb.toFixed(1)} MB${mb > 60 ? ' — over the 60 MB target: check that no dev dependency is in "dependencies"' : ''}\n`);
