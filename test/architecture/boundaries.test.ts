// The layer rules of docs/ARCHITECTURE.md hold: the boundary lint refuses an import that runs up a layer
// (proved on fixtures, so a rule that stopped working would fail here), the tree has no such import, and
// the only import cycles are type-only ones.
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import ts from 'typescript';

const ROOT = join(__dirname, '../..');

/**
 * Lints each fixture as if it were the file at its path, with the project's own eslint.config.js. In a
 * child process: ESLint loads its config by dynamic import, which Jest's module system does not allow.
 */
function lintAll(fixtures: [string, string][]): string[][] {
  const script = `
    const { ESLint } = require('eslint');
    const fixtures = JSON.parse(require('fs').readFileSync(0, 'utf8'));
    (async () => {
      const eslint = new ESLint({ cwd: process.cwd() });
      const out = [];
      for (const [file, code] of fixtures) {
        const [r] = await eslint.lintText(code, { filePath: require('path').join(process.cwd(), file) });
        out.push(r.messages.map((m) => m.ruleId + ': ' + m.message));
      }
      process.stdout.write(JSON.stringify(out));
    })().catch((e) => { console.error(e); process.exit(1); });`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, input: JSON.stringify(fixtures), encoding: 'utf8' })) as string[][];
}

const REFUSED: [string, string, RegExp][] = [
    ['checks/fixture.ts', "import type { CouncilAuditOutcome } from '../jobs/audit';\nexport type X = CouncilAuditOutcome;\n", /checks\/ may import only from core, policy/],
    ['checks/catalogue/fixture.ts', "import { createGraphContext } from '../../graph';\nexport const x = createGraphContext;\n", /checks\/ may import only from core, policy/],
    ['core/fixture.ts', "import type { Store } from '../store';\nexport type X = Store;\n", /core\/ may import only from npm packages/],
    ['graph/readers/fixture.ts', "import type { TenantSnapshot } from '../../checks/types';\nexport type X = TenantSnapshot;\n", /graph\/ may import only from core, config/],
    ['cli/commands/fixture.ts', "import { STEPS } from '../../offboarding/steps';\nexport const x = STEPS;\n", /cli\/ may import only from core, config, jobs/],
    ['functions/handlers/fixture.ts', "import { openStore } from '../../store';\nexport const x = openStore;\n", /functions\/ may import only from core, config, jobs/],
    ['jobs/fixture.ts', "import { startSimulator } from '../simulator';\nexport const x = startSimulator;\n", /jobs\/ may import only from/],
    ['offboarding/fixture.ts', "import { runAudit } from '../jobs/run-audit';\nexport const x = runAudit;\n", /offboarding\/ may import only from/],
    ['reports/fixture.ts', "export async function f(g: { client: { api(p: string): unknown } }) { return g.client.api('/users'); }\n", /not graph\.client\.api/],
];
const ALLOWED: [string, string][] = [
  ['jobs/demo.ts', "import { startSimulator } from '../simulator';\nexport const x = startSimulator;\n"],
  ['cli/commands/fixture.ts', "import { auditVerdict } from '../../jobs/audit';\nexport const x = auditVerdict;\n"],
  ['checks/catalogue/fixture.ts', "import type { FindingDraft } from '../../core/findings';\nexport type X = FindingDraft;\n"],
];

describe('layer boundaries', () => {
  let results: string[][];
  beforeAll(() => { results = lintAll([...REFUSED.map(([f, c]) => [f, c] as [string, string]), ...ALLOWED]); });

  it.each(REFUSED.map(([file, , message], i) => [file, message, i] as const))('the lint refuses %s importing up a layer', (_file, message, i) => {
    expect(results[i].join('\n')).toMatch(message);
  });

  it('the lint allows what the table allows (jobs/demo.ts may start the simulator; cli/ may call jobs/; a check may read core/)', () => {
    expect(results.slice(REFUSED.length)).toEqual(ALLOWED.map(() => []));
  });

  it('the source tree has no import cycle other than type-only ones', () => {
    const files = execFileSync('git', ['ls-files', '*.ts'], { cwd: ROOT, encoding: 'utf8' }).split('\n')
      .filter((f) => f && !f.startsWith('test/') && !f.startsWith('bench/'));
    const known = new Set(files.map((f) => resolve(ROOT, f)));
    const edges = new Map<string, string[]>();
    for (const file of files) {
      const path = resolve(ROOT, file);
      const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022);
      const targets: string[] = [];
      for (const node of source.statements) {
        if (!(ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) || !node.moduleSpecifier || !ts.isStringLiteral(node.moduleSpecifier)) continue;
        const typeOnly = ts.isImportDeclaration(node)
          ? !!node.importClause?.isTypeOnly || (!!node.importClause?.namedBindings && ts.isNamedImports(node.importClause.namedBindings) && !node.importClause.name && node.importClause.namedBindings.elements.every((e) => e.isTypeOnly))
          : node.isTypeOnly;
        const spec = node.moduleSpecifier.text;
        if (typeOnly || !spec.startsWith('.')) continue;
        const base = resolve(dirname(path), spec);
        const target = [`${base}.ts`, join(base, 'index.ts')].find((c) => known.has(c));
        if (target) targets.push(target);
      }
      edges.set(path, targets);
    }
    // Depth-first search; a back edge is a cycle of value imports.
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (node: string) => {
      state.set(node, 'open');
      stack.push(node);
      for (const next of edges.get(node) ?? []) {
        if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].map((f) => relative(ROOT, f)).join(' -> '));
        else if (!state.has(next)) visit(next);
      }
      stack.pop();
      state.set(node, 'done');
    };
    for (const node of edges.keys()) if (!state.has(node)) visit(node);
    expect(cycles).toEqual([]);
  });
});
