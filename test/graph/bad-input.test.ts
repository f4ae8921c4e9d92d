// Issue #2's bad inputs: each gives a clear message naming the fix.
import { createServer } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { execSync } from 'node:child_process';
import { readEnvironment } from '../../config/env';
import { createGraphContext } from '../../graph';
import { loadScenario, startSimulator, type RunningSimulator } from '../../simulator';
import { main } from '../../cli/main';

const base = { AZURE_TENANT_ID: '6f1c2b9a-4d3e-4a5b-8c7d-9e0f1a2b3c4d', AZURE_CLIENT_ID: 'x', AZURE_CLIENT_SECRET: 'y' };

describe('foundation: bad input', () => {
  let sim: RunningSimulator;
  beforeAll(async () => { sim = await startSimulator({ scenarios: ['demo'] }); });
  afterAll(() => sim.close());

  it('no credential variables: names AZURE_CLIENT_SECRET / AZURE_CLIENT_CERTIFICATE_PATH', () => {
    expect(() => readEnvironment({ AZURE_TENANT_ID: base.AZURE_TENANT_ID })).toThrow(/set AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH/);
    expect(() => readEnvironment({})).toThrow(/AZURE_TENANT_ID is not set/);
  });

  it('GRAPH_BASE_URL not https, or not a URL', () => {
    expect(() => readEnvironment({ ...base, GRAPH_BASE_URL: 'http://graph.example' })).toThrow(/GRAPH_BASE_URL "http:\/\/graph.example" must use https/);
    expect(() => readEnvironment({ ...base, GRAPH_BASE_URL: 'graph' })).toThrow(/GRAPH_BASE_URL "graph" is not a URL/);
  });

  it('wrong client secret: the AADSTS message is relayed with the fix, the secret is not printed', async () => {
    const g = createGraphContext(readEnvironment({ ...sim.env(), AZURE_CLIENT_SECRET: 'wrong-secret-value' }));
    const err = (await g.grantedRoles().catch((e: unknown) => e)) as Error;
    expect(err.name).toBe('CredentialError');
    expect(err.message).toMatch(/AADSTS7000215: Invalid client secret provided.*check AZURE_CLIENT_SECRET/);
    expect(err.message).not.toContain('wrong-secret-value');
  });

  it('a client certificate (client assertion) gets a token too', async () => {
    const env = { ...sim.env(), AZURE_CLIENT_SECRET: '', AZURE_CLIENT_CERTIFICATE_PATH: join(__dirname, '../../simulator/certs/client-cert-and-key.pem') };
    expect(await createGraphContext(readEnvironment(env)).grantedRoles()).toContain('User.Read.All');
  });

  it('unreachable authority: a bounded wait and a message naming the host', async () => {
    const port = await new Promise<number>((resolve) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); }); });
    const started = Date.now();
    const g = createGraphContext(readEnvironment({ ...sim.env(), AZURE_AUTHORITY_HOST: `https://127.0.0.1:${port}`, GRAPH_BASE_URL: `https://127.0.0.1:${port}` }));
    const err = (await g.grantedRoles().catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(new RegExp(`Could not reach the sign-in authority https://127.0.0.1:${port}`));
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 30_000);

  it('scenario file missing, invalid JSON, a user without userPrincipalName (path named), unknown name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cg-scen-'));
    expect(() => loadScenario(join(dir, 'nope.json'))).toThrow(/Scenario file .*nope\.json does not exist/);
    writeFileSync(join(dir, 'bad.json'), '{ "name": ');
    expect(() => loadScenario(join(dir, 'bad.json'))).toThrow(/is not valid JSON/);
    const scenario = JSON.parse(JSON.stringify(loadScenario('demo')));
    delete scenario.users[3].userPrincipalName;
    writeFileSync(join(dir, 'noupn.json'), JSON.stringify(scenario));
    expect(() => loadScenario(join(dir, 'noupn.json'))).toThrow(/users\[3\]\.userPrincipalName is required/);
    expect(() => loadScenario('atlantis')).toThrow(/no built-in scenario "atlantis"; choose one of .*demo/);
  });

  it('port in use: the message names the port and --port; the CLI exits 2', async () => {
    await expect(startSimulator({ scenarios: ['demo'], port: sim.port })).rejects.toThrow(new RegExp(`Port ${sim.port} is already in use; choose another with --port`));
    const errors: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((s) => { errors.push(String(s)); return true; });
    try {
      expect(await main(['simulate', '--scenario', 'demo', '--port', String(sim.port)])).toBe(2);
      expect(await main(['simulate', '--scenario', 'atlantis'])).toBe(2);
      expect(await main(['simulate', '--port', 'abc'])).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(errors.join('')).toMatch(/already in use[\s\S]*no built-in scenario "atlantis"[\s\S]*--port abc is not a port number/);
  });

  it('TLS verification is never turned off anywhere in the project', () => {
    const hits = execSync('git grep -n -I -E "REJECT_UNAUTHORIZED|rejectUnauthorized: *false" -- . ":!*.md" ":!test/graph/bad-input.test.ts" || true', { cwd: join(__dirname, '../..') }).toString();
    expect(hits).toBe('');
  });
});
