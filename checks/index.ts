// The check catalogue: every module in checks/catalogue/ that exports a Check, in `order`. A new check is
// one file there (with its test and its clause text in the profiles); nothing else lists the checks.
// Found by reading the folder because TypeScript has no compile-time glob import; the folder holds only
// check modules, and a module exporting no Check is an error rather than silently ignored.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Check } from './types';

function isCheck(value: unknown): value is Check {
  const c = value as Partial<Check> | undefined;
  return !!c && typeof c === 'object' && typeof c.id === 'string' && typeof c.order === 'number' && typeof c.evaluate === 'function';
}

/** Every check exported by the modules in `dir`, in `order`; a module with no check, or a repeated id, is refused. */
export function loadCatalogue(dir: string): Check[] {
  const modules = readdirSync(dir).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts')).sort();
  const checks: Check[] = [];
  for (const file of modules) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the catalogue is found at run time (see above)
    const found = Object.values(require(join(dir, file)) as Record<string, unknown>).filter(isCheck);
    if (!found.length) throw new Error(`${join(dir, file)} exports no check; the catalogue folder holds one check per file`);
    checks.push(...found);
  }
  const ids = new Set<string>();
  for (const c of checks) {
    if (ids.has(c.id)) throw new Error(`two checks in ${dir} share the id ${c.id}`);
    ids.add(c.id);
  }
  return checks.sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
}

export const ALL_CHECKS: readonly Check[] = loadCatalogue(join(__dirname, 'catalogue'));

/** Every check id, in catalogue order (the config's checks.disabled is validated against it). */
export const CHECK_IDS: readonly string[] = ALL_CHECKS.map((c) => c.id);

export function checkById(id: string): Check | undefined {
  return ALL_CHECKS.find((c) => c.id === id);
}

export type { Check, EvaluationInput } from './types';
