// Command-line conventions a supplier's scripts rely on: --output text|json|csv|md prints the same result
// in each format (progress goes to stderr when stdout is machine-readable), every command's --help ends
// with an example, and the list commands show what the store holds.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { randomUUID } from 'node:crypto';
import { main } from '../../cli/main';
import { loadScenario, startSimulator, type RunningSimulator } from '../../simulator';

async function run(argv: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation((c: unknown) => { stdout += String(c); return true; }),
    jest.spyOn(process.stderr, 'write').mockImplementation((c: unknown) => { stderr += String(c); return true; }),
    jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => { stdout += `${a.join(' ')}\n`; }),
    jest.spyOn(console, 'error').mockImplementation((...a: unknown[]) => { stderr += `${a.join(' ')}\n`; }),
    jest.spyOn(console, 'warn').mockImplementation((...a: unknown[]) => { stderr += `${a.join(' ')}\n`; }),
  ];
  const saved = process.env;
  process.env = env;
  try {
    return { code: await main(argv), stdout, stderr };
  } finally {
    process.env = saved;
    spies.forEach((s) => s.mockRestore());
  }
}

describe('command-line conventions', () => {
  let sim: RunningSimulator;
  let config: string;
  let env: NodeJS.ProcessEnv;
  let tenantId: string;
  beforeAll(async () => {
    const scenario = structuredClone(loadScenario('demo'));
    scenario.tenantId = tenantId = randomUUID();
    sim = await startSimulator({ scenarios: [scenario] });
    const file = JSON.parse(readFileSync(join(__dirname, '../../simulator/scenarios/demo.councils.json'), 'utf8'));
    file.councils[0].tenantId = scenario.tenantId;
    file.councils[0].delivery = {};
    file.councils[0].enforce = { forwarding: true };
    config = join(mkdtempSync(join(tmpdir(), 'cg-conv-')), 'councils.json');
    writeFileSync(config, JSON.stringify(file));
    env = { ...process.env, ...sim.env(), COUNCILGUARD_STORAGE: process.env.COUNCILGUARD_TEST_STORAGE, COUNCILGUARD_ACTOR: 'itadmin@exampleparish.gov.uk' };
  });
  afterAll(() => sim?.close());

  it('audit --output json prints one parseable row per council on stdout, progress on stderr; csv and md print the same figures', async () => {
    const out = mkdtempSync(join(tmpdir(), 'cg-conv-out-'));
    const json = await run(['audit', '--config', config, '--out', out, '--output', 'json'], env);
    expect(json.code).toBe(0);
    const rows = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(rows).toEqual([expect.objectContaining({ council: 'Example Parish Council', tenantId, result: 'completed', report: join(out, 'report.html') })]);
    const findings = JSON.parse(readFileSync(join(out, 'findings.json'), 'utf8')) as { findings: { severity: string }[] };
    expect(rows[0].high).toBe(findings.findings.filter((f) => f.severity === 'high').length);
    expect(json.stderr).toMatch(/Report: /);

    const csv = await run(['audit', '--config', config, '--out', out, '--output', 'csv'], env);
    const [header, row] = csv.stdout.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(header).toBe('council,tenantId,result,high,medium,low,new,resolved,report');
    expect(row.split(',').slice(0, 4)).toEqual(['Example Parish Council', tenantId, 'completed', String(rows[0].high)]);
    const md = await run(['audit', '--config', config, '--out', out, '--output', 'md'], env);
    expect(md.stdout.split('\n')[0]).toBe('| council | tenantId | result | high | medium | low | new | resolved | report |');
  });

  it('permissions --check-tenant exits 0 when the tenant has everything, and --output csv lists each permission with granted', async () => {
    const text = await run(['permissions', '--config', config, '--check-tenant'], env);
    expect(text.stdout).toMatch(/every permission above is granted/);
    expect(text.code).toBe(0);
    const csv = await run(['permissions', '--config', config, '--check-tenant', '--output', 'csv'], env);
    expect(csv.stdout).toMatch(/^\uFEFFcouncil,permission,resource,optional,neededBy,why,granted\r\n/);
    expect(csv.stdout).toMatch(/Example Parish Council,User\.Read\.All,Microsoft Graph,false,.*,true\r\n/);
  });

  it('plans lists the plan the nightly-style planning left, by state; surrenders lists the roster with its status', async () => {
    const planFile = join(mkdtempSync(join(tmpdir(), 'cg-conv-plan-')), 'plan.json');
    await run(['audit', '--config', config, '--out', mkdtempSync(join(tmpdir(), 'cg-conv-out-'))], env);
    expect((await run(['plan', '--config', config, '--out', planFile], env)).code).toBe(0);
    const planId = (JSON.parse(readFileSync(planFile, 'utf8')) as { id: string }).id;
    const plans = JSON.parse((await run(['plans', '--config', config, '--state', 'awaiting-approval', '--output', 'json'], env)).stdout) as { plan: string; state: string }[];
    expect(plans[0]).toMatchObject({ plan: planId, state: 'awaiting-approval' });
    expect(JSON.parse((await run(['plans', '--config', config, '--state', 'applied', '--output', 'json'], env)).stdout)).toEqual([]);
    const surrenders = await run(['surrenders', '--config', config], env);
    expect(surrenders.code).toBe(0);
    expect(surrenders.stdout.split('\n')[0]).toMatch(/^council\s+councillor\s+termEnd\s+surrender\s+reference$/);
    expect(surrenders.stdout).toMatch(/cllr\.leaving@exampleparish\.gov\.uk\s+\d{4}-\d{2}-\d{2}\s+none/);
  });

  it('every command\'s --help ends with an example to copy', async () => {
    for (const command of ['audit', 'demo', 'simulate', 'report', 'permissions', 'offboard', 'plan', 'apply', 'undo', 'actions', 'plans', 'surrenders']) {
      const help = await run([command, '--help'], env);
      expect([command, help.code, /\nExamples?:\n {2}\$ councilguard /.test(help.stdout)]).toEqual([command, 0, true]);
    }
  });
});
