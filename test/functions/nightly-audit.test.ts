import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { randomUUID } from 'node:crypto';
import { InvocationContext, type Timer } from '@azure/functions';
import { nightlyAuditHandler } from '../../functions/handlers/nightly-audit';
import { loadScenario, startSimulator } from '../../simulator';
import { openStore } from '../../store';

const timer: Timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: '', next: '', lastUpdated: '' } };

describe('nightly audit timer', () => {
  const saved = { ...process.env };
  afterEach(() => { process.env = { ...saved }; });

  it('runs on the 02:00 UK firing, audits every configured council and keeps the run in storage', async () => {
    const scenario = structuredClone(loadScenario('demo'));
    scenario.tenantId = randomUUID();
    const sim = await startSimulator({ scenarios: [scenario] });
    try {
      const config = JSON.parse(readFileSync(join(__dirname, '../../simulator/scenarios/demo.councils.json'), 'utf8'));
      config.councils[0].tenantId = scenario.tenantId;
      config.councils[0].enforce = { forwarding: true }; // a plan is written for approval, nothing applied
      const file = join(mkdtempSync(join(tmpdir(), 'cg-fn-')), 'councils.json');
      writeFileSync(file, JSON.stringify(config));
      Object.assign(process.env, sim.env(), { COUNCILGUARD_CONFIG: file, COUNCILGUARD_STORAGE: process.env.COUNCILGUARD_TEST_STORAGE, WEBSITE_HOSTNAME: 'councilguard-test.azurewebsites.net' });
      const logs: string[] = [];
      const context = new InvocationContext({ functionName: 'nightlyAudit', logHandler: (_level, ...args) => logs.push(args.join(' ')) });

      await nightlyAuditHandler(timer, context, '2026-07-15T02:00:00.000Z'); // 03:00 BST: not the audit hour
      expect(logs.join('\n')).toMatch(/Not 2:00 in the UK/);
      expect(await (await openStore(process.env.COUNCILGUARD_TEST_STORAGE!)).latestRun(scenario.tenantId)).toBeUndefined();

      await nightlyAuditHandler(timer, context, '2026-07-15T01:00:00.000Z'); // 02:00 BST
      const logged = /Audited 1 council\(s\)\. Example Parish Council: (\d+) findings/.exec(logs.join('\n'));
      expect(logged).not.toBeNull();
      const latest = await (await openStore(process.env.COUNCILGUARD_TEST_STORAGE!)).latestRun(scenario.tenantId);
      expect(latest?.generatedAt).toBe('2026-07-15T01:00:00.000Z');
      expect(latest?.findings.length).toBe(Number(logged![1]));
      expect(latest?.findings.length).toBeGreaterThan(0);
      expect(logs.join('\n')).toMatch(/Example Parish Council: plan P\d{8}T\d{6}Z-[0-9a-f]{6} with 1 action\(s\) awaits approval \(POST \/api\/plans\/P.*\/approve\)/);
      expect(sim.tenant().users.find((u) => u.userPrincipalName === 'cllr.ahmed@exampleparish.gov.uk')!.rules[0].isEnabled).not.toBe(false);
      // The report and the summary link tonight's plan page on the app's public address (WEBSITE_HOSTNAME).
      const planId = /plan (P\d{8}T\d{6}Z-[0-9a-f]{6}) with/.exec(logs.join('\n'))![1];
      const store = await openStore(process.env.COUNCILGUARD_TEST_STORAGE!);
      const link = `https://councilguard-test.azurewebsites.net/api/plans/${planId}/page`;
      expect((await store.readRunFile(scenario.tenantId, 'latest', 'report.html'))!.toString()).toContain(`<a href="${link}">open the plan page to read and approve it</a>`);
      expect((await store.readRunFile(scenario.tenantId, 'latest', 'summary.md'))!.toString()).toContain(`**Awaiting approval:** enforcement plan ${planId} (1 action, valid until`);
      expect((await store.readRunFile(scenario.tenantId, 'latest', 'summary.md'))!.toString()).toContain(`<${link}>`);
    } finally {
      await sim.close();
    }
  });

  it('without COUNCILGUARD_CONFIG the failure names the setting', async () => {
    delete process.env.COUNCILGUARD_CONFIG;
    process.env.COUNCILGUARD_STORAGE = process.env.COUNCILGUARD_TEST_STORAGE;
    const context = new InvocationContext({ functionName: 'nightlyAudit', logHandler: () => {} });
    await expect(nightlyAuditHandler(timer, context, '2026-01-15T02:00:00.000Z')).rejects.toThrow(/COUNCILGUARD_CONFIG is not set/);
  });

  it('without AzureWebJobsStorage (and no CouncilGuard storage setting) the failure names the setting and how to set it', async () => {
    const saved = { ...process.env };
    for (const k of ['COUNCILGUARD_STORAGE', 'COUNCILGUARD_STORAGE_ACCOUNT', 'AzureWebJobsStorage', 'AzureWebJobsStorage__accountName']) delete process.env[k];
    try {
      const context = new InvocationContext({ functionName: 'nightlyAudit', logHandler: () => {} });
      await expect(nightlyAuditHandler(timer, context, '2026-01-15T02:00:00.000Z')).rejects.toThrow(/AzureWebJobsStorage is not set: .*Set AzureWebJobsStorage__accountName/);
    } finally {
      process.env = saved;
    }
  });
});
