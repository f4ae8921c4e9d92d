// Finds files shipped with the package (simulator certificates and scenarios, policy profiles) whether
// the code runs from TypeScript sources (tests) or from dist/ (the installed command, Azure).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'councilguard' && existsSync(join(dir, 'node_modules'))) {
      return (cached = dir);
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the councilguard package folder above ' + __dirname);
    dir = parent;
  }
}

export const testCaPath = (): string => join(packageRoot(), 'simulator', 'certs', 'ca.pem');
