// Offline checks of infra/: every .bicep parses with tree-sitter-bicep (no ERROR nodes), and every app
// setting the code reads from process.env is set by the Bicep.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execSync } from 'node:child_process';
import Parser from 'tree-sitter';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Bicep = require('tree-sitter-bicep');

const root = join(__dirname, '../..');
const parser = new Parser();
parser.setLanguage(Bicep);

function syntaxErrors(source: string): string[] {
  const tree = parser.parse(source, undefined, { bufferSize: source.length * 2 + 1024 });
  const out: string[] = [];
  const walk = (n: Parser.SyntaxNode) => {
    if (n.type === 'ERROR' || n.isMissing) out.push(`${n.type} at line ${n.startPosition.row + 1}`);
    n.children.forEach(walk);
  };
  walk(tree.rootNode);
  return out;
}

describe('infra/', () => {
  const files = readdirSync(join(root, 'infra')).filter((f) => f.endsWith('.bicep'));

  it.each(files)('%s parses without syntax errors', (file) => {
    expect(syntaxErrors(readFileSync(join(root, 'infra', file), 'utf8'))).toEqual([]);
  });

  it('a deliberately broken Bicep file is caught', () => {
    const broken = readFileSync(join(root, 'infra', 'main.bicep'), 'utf8').replace("kind: 'functionapp,linux'", "kind: 'functionapp,linux' ]]");
    expect(syntaxErrors(broken).length).toBeGreaterThan(0);
  });

  it('every app setting the code reads is set in main.bicep', () => {
    const read = execSync(`git grep -h -o -E "env\\.[A-Z][A-Z0-9_]+" -- functions jobs graph config store cli`, { cwd: root }).toString();
    const names = [...new Set(read.split('\n').filter(Boolean).map((l) => l.replace(/^env\./, '')))];
    // Read only outside Azure (local runs, tests) or set by the platform itself.
    const localOnly = new Set(['COUNCILGUARD_STORAGE', 'COUNCILGUARD_TEST_STORAGE', 'NODE_EXTRA_CA_CERTS', 'AZURE_CLIENT_SECRET', 'AZURE_AUTHORITY_HOST', 'IDENTITY_ENDPOINT', 'MSI_ENDPOINT',
      // The command line's own: who ran it, and the upload fragment size on a slow link.
      'COUNCILGUARD_ACTOR', 'COUNCILGUARD_UPLOAD_FRAGMENT_KIB']);
    const bicep = readFileSync(join(root, 'infra', 'main.bicep'), 'utf8');
    const missing = names.filter((n) => !localOnly.has(n) && !bicep.includes(`name: '${n}'`));
    expect(missing).toEqual([]);
    expect(names.length).toBeGreaterThan(5);
  });
});
