// Offline checks of infra/: every .bicep parses with tree-sitter-bicep (no ERROR nodes), and every app
// setting the code reads from process.env is set by the Bicep.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execSync } from 'node:child_process';
import { OFFBOARDING_ROLE } from '../../functions/handlers/offboarding-http';
import { APPROVE_ROLE } from '../../functions/handlers/plans-http';
import { REPORTS_ROLE } from '../../functions/handlers/reports-latest';
import { MARKERS } from '../../jobs/notify';
import { SURRENDER_MARKERS } from '../../jobs/offboarding';
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

/** A Bicep value as data: objects and arrays as such, plain strings and booleans as values, anything else as `{ expr }`. */
type Value = string | boolean | number | Value[] | { [k: string]: Value } | { expr: string };
function valueOf(n: Parser.SyntaxNode): Value {
  switch (n.type) {
    case 'object': return Object.fromEntries(n.namedChildren.filter((c) => c.type === 'object_property').map((c) => [c.namedChildren[0].text.replace(/^'|'$/g, ''), valueOf(c.namedChildren[1])]));
    case 'array': return n.namedChildren.map(valueOf);
    case 'boolean': return n.text === 'true';
    case 'number': return Number(n.text);
    case 'string': return n.namedChildren.some((c) => c.type === 'interpolation') ? { expr: n.text } : n.text.slice(1, -1);
    default: return { expr: n.text };
  }
}

/** Every resource in a Bicep file: its symbol, type (without the API version) and body. */
function resources(source: string): { symbol: string; type: string; body: Record<string, Value> }[] {
  const tree = parser.parse(source, undefined, { bufferSize: source.length * 2 + 1024 });
  return tree.rootNode.namedChildren.filter((n) => n.type === 'resource_declaration').map((n) => ({
    symbol: n.namedChildren[0].text,
    type: n.namedChildren[1].text.slice(1, -1).split('@')[0],
    // A conditional resource (`= if (cond) { … }`) holds its body inside the if_statement.
    body: valueOf((n.namedChildren.find((c) => c.type === 'object') ?? n.namedChildren.find((c) => c.type === 'if_statement')!.namedChildren.find((c) => c.type === 'object'))!) as Record<string, Value>,
  }));
}

const at = (v: Value | undefined, path: string): Value | undefined => path.split('.').reduce<Value | undefined>((o, k) => (o && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, Value>)[k] : undefined), v);

/** What is wrong with the sign-in of the function app in a Bicep file; empty when it is required for every request. */
function signInProblems(source: string): string[] {
  const all = resources(source);
  const app = all.find((r) => r.type === 'Microsoft.Web/sites');
  const auth = all.filter((r) => r.type === 'Microsoft.Web/sites/config' && r.body.name === 'authsettingsV2' && at(r.body, 'parent.expr') === app?.symbol);
  if (auth.length !== 1) return [`expected one authsettingsV2 for the function app, found ${auth.length}`];
  const p = auth[0].body.properties as Value;
  const out: string[] = [];
  if (at(p, 'platform.enabled') !== true) out.push('platform.enabled is not true');
  if (at(p, 'globalValidation.requireAuthentication') !== true) out.push('globalValidation.requireAuthentication is not true');
  const action = at(p, 'globalValidation.unauthenticatedClientAction');
  if (action !== 'Return401' && action !== 'Return403') out.push(`unauthenticatedClientAction is ${JSON.stringify(action)}, not Return401`);
  const excluded = (at(p, 'globalValidation.excludedPaths') as Value[] | undefined) ?? [];
  if (excluded.length) out.push(`paths excluded from sign-in: ${JSON.stringify(excluded)}`);
  if (at(p, 'identityProviders.azureActiveDirectory.enabled') !== true) out.push('the Entra provider is not enabled');
  if (JSON.stringify(at(p, 'identityProviders.azureActiveDirectory.registration.clientId')) !== JSON.stringify({ expr: 'signInClientId' })) out.push('the Entra provider\'s clientId is not the signInClientId parameter');
  if (!at(p, 'identityProviders.azureActiveDirectory.registration.openIdIssuer')) out.push('no openIdIssuer');
  if (!((at(p, 'identityProviders.azureActiveDirectory.validation.allowedAudiences') as Value[] | undefined) ?? []).length) out.push('no allowedAudiences');
  if (at(p, 'login.tokenStore.enabled') !== true) out.push('the token store is off (the app needs X-MS-TOKEN-AAD-ID-TOKEN)');
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

  const main = () => readFileSync(join(root, 'infra', 'main.bicep'), 'utf8');

  it('main.bicep requires Entra sign-in for every request and answers 401 to anyone else', () => {
    expect(signInProblems(main())).toEqual([]);
  });

  it.each<[string, (s: string) => string, RegExp]>([
    ['authentication switched off', (s) => s.replace('platform: { enabled: true }', 'platform: { enabled: false }'), /platform\.enabled is not true/],
    ['anonymous callers allowed', (s) => s.replace("unauthenticatedClientAction: 'Return401'", "unauthenticatedClientAction: 'AllowAnonymous'"), /unauthenticatedClientAction is "AllowAnonymous"/],
    ['sign-in not required', (s) => s.replace('requireAuthentication: true', 'requireAuthentication: false'), /requireAuthentication is not true/],
    ['/api excluded from sign-in', (s) => s.replace("unauthenticatedClientAction: 'Return401'", "unauthenticatedClientAction: 'Return401'\n      excludedPaths: [ '/api/*' ]"), /paths excluded from sign-in/],
    ['no authsettingsV2 at all', (s) => s.replace("name: 'authsettingsV2'", "name: 'web'"), /expected one authsettingsV2/],
    ['the provider for another app', (s) => s.replace('clientId: signInClientId', "clientId: '00000000-0000-0000-0000-000000000000'"), /clientId is not the signInClientId parameter/],
  ])('the sign-in check fails when %s', (_name, change, problem) => {
    const changed = change(main());
    expect(changed).not.toBe(main());
    expect(signInProblems(changed).join('; ')).toMatch(problem);
  });

  it('is hardened: basic publishing off, blob Contributor not Owner, one user-assigned identity, logs to Log Analytics', () => {
    const all = resources(main());
    const policies = all.filter((r) => r.type === 'Microsoft.Web/sites/basicPublishingCredentialsPolicies');
    expect(policies.map((r) => [r.body.name, at(r.body, 'properties.allow')]).sort()).toEqual([['ftp', false], ['scm', false]]);
    expect(main()).not.toContain('b7e6dc6d-f1e8-4753-8033-0f276bb0955b'); // Storage Blob Data Owner
    expect(main()).toContain('ba92f5b4-2d11-453d-a403-e96b0029c9fe'); // Storage Blob Data Contributor
    expect(all.filter((r) => r.type === 'Microsoft.ManagedIdentity/userAssignedIdentities')).toHaveLength(1);
    const app = all.find((r) => r.type === 'Microsoft.Web/sites')!;
    expect(at(app.body, 'identity.type')).toBe('UserAssigned');
    const diagnosed = all.filter((r) => r.type === 'Microsoft.Insights/diagnosticSettings' && JSON.stringify(at(r.body, 'properties.workspaceId')) === JSON.stringify({ expr: 'logs.id' })).map((r) => (at(r.body, 'scope') as { expr: string }).expr);
    expect(diagnosed.sort()).toEqual(['app', 'blobService', 'vault']);
  });

  it('the app registration manifest defines exactly the app roles the endpoints check, and the documented script applies it', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'infra', 'app-registration.json'), 'utf8')) as { signInAudience: string; api: { requestedAccessTokenVersion: number }; appRoles: { id: string; value: string; allowedMemberTypes: string[]; isEnabled: boolean }[] };
    expect(manifest.appRoles.map((r) => r.value).sort()).toEqual([APPROVE_ROLE, OFFBOARDING_ROLE, REPORTS_ROLE].sort());
    expect(new Set(manifest.appRoles.map((r) => r.id)).size).toBe(3);
    expect(manifest.appRoles.every((r) => r.isEnabled && r.allowedMemberTypes.join() === 'User')).toBe(true);
    // v2.0 access tokens: the issuer and audience the app checks (functions/auth.ts).
    expect(manifest.api.requestedAccessTokenVersion).toBe(2);
    expect(readFileSync(join(root, 'infra', 'register-app.sh'), 'utf8')).toContain('app-registration.json');
    expect(readFileSync(join(root, 'infra', 'README.md'), 'utf8')).toMatch(/infra\/register-app\.sh/);
  });

  it('alerts by email on the markers the code logs: no successful audit in 26 h, a surrender failed or stuck, a delivery alert', () => {
    const all = resources(main());
    const groups = all.filter((r) => r.type === 'Microsoft.Insights/actionGroups');
    expect(groups).toHaveLength(1);
    expect(at(groups[0].body, 'properties.emailReceivers')).toEqual([expect.objectContaining({ emailAddress: { expr: 'alertEmail' } })]);
    const rules = all.filter((r) => r.type === 'Microsoft.Insights/scheduledQueryRules');
    expect(rules.map((r) => r.symbol).sort()).toEqual(['auditSilentAlert', 'deliveryAlert', 'surrenderAlert']);
    for (const r of rules) {
      expect(at(r.body, 'kind')).toBe('LogAlert');
      expect(at(r.body, 'properties.scopes')).toEqual([{ expr: 'insights.id' }]);
      expect(at(r.body, 'properties.actions.actionGroups')).toEqual([{ expr: `${groups[0].symbol}.id` }]);
      // Every rule reads the tenant id the code writes beside each marker.
      expect(JSON.stringify(at(r.body, 'properties.criteria.allOf'))).toContain('${tenantOf}');
    }
    // The KQL as written in the Bicep (an interpolated string, so held as its source text).
    const queryOf = (symbol: string) => ((at(rules.find((r) => r.symbol === symbol)!.body, 'properties.criteria.allOf') as Value[])[0] as { query: { expr: string } }).query.expr;
    expect(main()).toMatch(/var tenantOf = 'extend tenantId = extract\(@"tenantId=\(\[0-9a-fA-F-\]\{36\}\)", 1, message\)'/);
    expect(queryOf('auditSilentAlert')).toContain(`"${MARKERS.auditSucceeded}"`);
    expect(queryOf('auditSilentAlert')).toContain('ago(26h)');
    for (const m of Object.values(SURRENDER_MARKERS)) expect(queryOf('surrenderAlert')).toContain(`"${m}"`);
    expect(queryOf('surrenderAlert')).toContain('ago(24h)');
    expect(queryOf('deliveryAlert')).toContain(`"${MARKERS.deliveryAlert}"`);
  });

  it('the alert rules are not deployed without an address to send them to', () => {
    const src = main();
    for (const symbol of ['alertGroup', 'auditSilentAlert', 'surrenderAlert', 'deliveryAlert']) expect(src).toMatch(new RegExp(`resource ${symbol} '[^']+' = if \\(alerting\\)`));
  });

  it('every app setting the code reads is set in main.bicep', () => {
    const read = execSync(`git grep -h -o -E "env\\.[A-Z][A-Z0-9_]+" -- functions jobs graph config store cli`, { cwd: root }).toString();
    const names = [...new Set(read.split('\n').filter(Boolean).map((l) => l.replace(/^env\./, '')))];
    // Read only outside Azure (local runs, tests) or set by the platform itself.
    const localOnly = new Set(['COUNCILGUARD_STORAGE', 'COUNCILGUARD_TEST_STORAGE', 'NODE_EXTRA_CA_CERTS', 'AZURE_CLIENT_SECRET', 'AZURE_AUTHORITY_HOST', 'IDENTITY_ENDPOINT', 'MSI_ENDPOINT', 'PATH',
      // The command line's own: who ran it, and the upload fragment size on a slow link.
      'COUNCILGUARD_ACTOR', 'COUNCILGUARD_UPLOAD_FRAGMENT_KIB',
      // Set by App Service on every site: the default host name.
      'WEBSITE_HOSTNAME']);
    const bicep = readFileSync(join(root, 'infra', 'main.bicep'), 'utf8');
    const missing = names.filter((n) => !localOnly.has(n) && !bicep.includes(`name: '${n}'`));
    expect(missing).toEqual([]);
    expect(names.length).toBeGreaterThan(5);
  });
});
