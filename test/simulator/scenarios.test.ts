// Scenario files: the built-ins load, bad ones are refused with the JSON path of the bad field and the
// fix; the simulator refuses a busy port; `councilguard simulate` prints what to export.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { createServer } from 'node:net';
import { buildScenario, builtInScenarios, loadScenario, runSimulateCommand, ScenarioError, startSimulator, type Scenario } from '../../simulator';
import { call, tokenFor } from './raw';

const dir = mkdtempSync(join(tmpdir(), 'cg-scenarios-'));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const errorOf = (fn: () => unknown): ScenarioError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ScenarioError) return err;
    throw err;
  }
  throw new Error('expected a ScenarioError');
};

describe('scenarios', () => {
  it('ships demo and basic, both valid, with their own tenants', () => {
    expect(builtInScenarios()).toEqual(expect.arrayContaining(['basic', 'demo']));
    const [demo, basic] = [loadScenario('demo'), loadScenario('basic')];
    expect(demo.organization).toBe('Example Parish Council');
    expect(demo.tenantId).not.toBe(basic.tenantId);
    expect(basic.skus.flatMap((s) => s.servicePlans)).not.toContain('AAD_PREMIUM');
  });

  it('a missing userPrincipalName is named by its JSON path', () => {
    const s = structuredClone(loadScenario('basic')) as unknown as { users: Record<string, unknown>[] };
    delete s.users[3].userPrincipalName;
    const err = errorOf(() => loadScenario(file('noupn.json', JSON.stringify(s))));
    expect(err.message).toContain('users[3].userPrincipalName is required');
    expect(err.message).toMatch(/scenario\.schema\.json/);
  });

  it('wrong types and unknown fields deep inside are named by path, without noise from alternatives', () => {
    const s = structuredClone(loadScenario('basic')) as unknown as { users: Record<string, unknown>[]; sites: { libraries: Record<string, unknown>[] }[] };
    s.users[1].mailbox = { rules: [{ displayName: 'x', forwardTo: 'not-a-list' }] };
    s.sites[0].libraries[0].colour = 'blue';
    const err = errorOf(() => loadScenario(file('types.json', JSON.stringify(s))));
    expect(err.message).toContain('users[1].mailbox.rules[0].forwardTo must be array');
    expect(err.message).toContain('sites[0].libraries[0] has an unknown field "colour"');
    expect(err.message).not.toMatch(/must be equal to constant|must match exactly one schema/);
    expect(() => buildScenario({ users: [{ userPrincipalName: 'a@testparish.gov.uk', mailbox: 'yes' as never, lastPasswordChange: 'last week' }] }))
      .toThrow(/(?=.*users\[0\]\.mailbox must be false or an object)(?=.*users\[0\]\.lastPasswordChange must be a relative time like "-3d")/s);
  });

  it('invalid JSON, a missing file and an unknown built-in name each say what to do', () => {
    expect(errorOf(() => loadScenario(file('broken.json', '{ "name": '))).message).toMatch(/is not valid JSON .*fix the syntax/);
    expect(errorOf(() => loadScenario(join(dir, 'absent.json'))).message).toMatch(/absent\.json does not exist; check the path/);
    const unknown = errorOf(() => loadScenario('demoo'));
    expect(unknown.message).toMatch(/no built-in scenario "demoo"; choose one of basic, business-premium, demo/);
  });

  it('buildScenario makes a valid small tenant and validates what a test adds', () => {
    const s = buildScenario({ name: 'tiny', people: ['ann', { userPrincipalName: 'bob@testparish.gov.uk', accountEnabled: false }] });
    expect(s.users.map((u) => u.userPrincipalName)).toEqual(['ann@testparish.gov.uk', 'bob@testparish.gov.uk']);
    expect(buildScenario({ name: 'tiny' }).tenantId).toBe(s.tenantId);
    expect(() => buildScenario({ name: 'bad', users: [{ displayName: 'no upn' } as unknown as Scenario['users'][number]] })).toThrow(/users\[0\]\.userPrincipalName is required/);
  });

  it('refuses two scenarios with one tenant id, and relative dates resolve against the start time', async () => {
    const a = buildScenario({ name: 'same' });
    await expect(startSimulator({ scenarios: [a, { ...a, name: 'again' }] })).rejects.toThrow(/give each its own tenantId/);
    const sim = await startSimulator({ scenarios: [buildScenario({ name: 'dates', users: [{ userPrincipalName: 'ann@testparish.gov.uk', lastPasswordChange: '-400d' }] })] });
    try {
      const res = await call<{ lastPasswordChangeDateTime: string }>(sim, 'GET', '/users/ann@testparish.gov.uk?$select=lastPasswordChangeDateTime', { token: await tokenFor(sim) });
      const days = (Date.now() - Date.parse(res.body.lastPasswordChangeDateTime)) / 86_400_000;
      expect(Math.round(days)).toBe(400);
    } finally {
      await sim.close();
    }
  });

  it('a port in use is refused with a message naming the port and --port', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(startSimulator({ scenarios: ['basic'], port })).rejects.toThrow(new RegExp(`Port ${port} is already in use; choose another with --port`));
    } finally {
      blocker.close();
    }
  });

  it('simulate prints the environment to export, NODE_EXTRA_CA_CERTS as an absolute path to the test CA', async () => {
    const written: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { written.push(String(chunk)); return true; });
    let sim;
    try {
      sim = await runSimulateCommand({ scenario: 'basic' });
    } finally {
      spy.mockRestore();
    }
    try {
      const text = written.join('');
      const vars = Object.fromEntries([...text.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1], m[2]]));
      expect(vars).toMatchObject({ ...sim.env(), AZURE_AUTHORITY_HOST: sim.url, GRAPH_BASE_URL: sim.url, EXCHANGE_BASE_URL: `${sim.url}/exchange` });
      expect(isAbsolute(vars.NODE_EXTRA_CA_CERTS)).toBe(true);
      expect(vars.NODE_EXTRA_CA_CERTS).toMatch(/simulator[\\/]certs[\\/]ca\.pem$/);
      expect((await call(sim, 'GET', '/organization?$select=displayName', { token: await tokenFor(sim) })).body).toMatchObject({ value: [{ displayName: 'Little Snoring Parish Council' }] });
    } finally {
      await sim.close();
    }
  });
});
