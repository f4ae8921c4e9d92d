// The Teams card through a Power Automate Workflows webhook, and the alert-once rule for failing deliveries.
// The webhook is a small local HTTPS receiver (the simulator's test certificate) that records each call.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { readEnvironment } from '../../config/env';
import { createGraphContext } from '../../graph';
import { auditCouncils } from '../../jobs/audit';
import { listPlans } from '../../jobs/enforcement';
import { parseCouncilFile } from '../../jobs/council-context';
import { loadScenario, startSimulator } from '../../simulator';
import { openStore } from '../../store';
import { testCouncils } from '../support/councils';

type Mode = 202 | 400 | 500 | 'hang';

async function startReceiver(): Promise<{ url: string; calls: { body: Record<string, unknown>; contentType?: string }[]; mode: { value: Mode }; close(): Promise<void> }> {
  const certs = join(__dirname, '../../simulator/certs');
  const calls: { body: Record<string, unknown>; contentType?: string }[] = [];
  const mode = { value: 202 as Mode };
  const server: Server = createServer({ cert: readFileSync(join(certs, 'server.pem')), key: readFileSync(join(certs, 'server-key.pem')) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      calls.push({ body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>, contentType: req.headers['content-type'] });
      if (mode.value === 'hang') return; // never answers
      res.writeHead(mode.value, { 'Content-Type': 'application/json' }).end(mode.value === 202 ? '' : '{"error":{"code":"x"}}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://localhost:${port}/workflows/abc/triggers/manual/paths/invoke?api-version=1&sig=SECRET-SIGNATURE`,
    calls, mode,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

const baseCouncil = () => JSON.parse(readFileSync(join(__dirname, '../../simulator/scenarios/demo.councils.json'), 'utf8')).councils[0];

async function withNight(fn: (h: {
  night: (at: string, opts?: { webhookTimeoutMs?: number }) => Promise<{ logs: string[]; outcome: Awaited<ReturnType<typeof auditCouncils>>[number] }>;
  receiver: Awaited<ReturnType<typeof startReceiver>>; sentMail: () => { subject: string; mailbox: string }[]; tenantId: string; store: Awaited<ReturnType<typeof openStore>>; council: ReturnType<typeof parseCouncilFile>['councils'][number];
}) => Promise<void>): Promise<void> {
  const s = structuredClone(loadScenario('demo'));
  s.tenantId = randomUUID();
  s.grantedPermissions.push('Sites.ReadWrite.All', 'Mail.Send', 'Mail.Read');
  const receiver = await startReceiver();
  const council = parseCouncilFile({ councils: [{
    ...baseCouncil(), tenantId: s.tenantId, enforce: { forwarding: true },
    delivery: { sharePoint: true, email: { from: 'clerk@exampleparish.gov.uk', to: ['clerk@exampleparish.gov.uk'] }, teams: { webhookUrl: receiver.url, allowedHosts: ['localhost'] } },
  }] }, 'test').councils[0];
  const sim = await startSimulator({ scenarios: [s] });
  try {
    const store = await openStore(process.env.COUNCILGUARD_TEST_STORAGE!);
    const graph = createGraphContext(readEnvironment(sim.env(), s.tenantId));
    const night = async (at: string, opts: { webhookTimeoutMs?: number } = {}) => {
      const logs: string[] = [];
      const log = { info: (m: string) => logs.push(`info ${m}`), warn: (m: string) => logs.push(`warn ${m}`), error: (m: string) => logs.push(`error ${m}`) };
      const [outcome] = await auditCouncils(testCouncils({ councils: [council], store, graph, clock: () => new Date(at), log }), { writePlans: true, ...opts });
      return { logs, outcome };
    };
    await fn({ night, receiver, sentMail: () => sim.tenant().sentMail, tenantId: s.tenantId, store, council });
  } finally {
    await sim.close();
    await receiver.close();
  }
}

const markers = (logs: string[], marker: string) => logs.filter((l) => l.includes(marker));

describe('Teams card through a Workflows webhook', () => {
  it('posts one Adaptive Card message: counts by severity, new high findings, the plans awaiting approval and a link to the report', async () => {
    await withNight(async ({ night, receiver, store, council, tenantId }) => {
      const { outcome, logs } = await night('2026-11-25T02:00:00.000Z');
      expect(outcome.failure).toBeUndefined();
      expect(outcome.result!.deliveries.find((d) => d.channel === 'teams')).toMatchObject({ status: 'done', detail: 'posted the card to the Teams workflow at localhost' });
      expect(receiver.calls).toHaveLength(1);
      const { body, contentType } = receiver.calls[0];
      expect(contentType).toBe('application/json');
      expect(body).toMatchObject({ type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: { type: 'AdaptiveCard', version: '1.4' } }] });
      const card = (body.attachments as { content: { body: Record<string, unknown>[]; actions?: { type: string; url: string }[] } }[])[0].content;
      const doc = outcome.result!.document;
      const facts = Object.fromEntries((card.body.find((b) => b.type === 'FactSet')!.facts as { title: string; value: string }[]).map((f) => [f.title, f.value]));
      expect(facts).toMatchObject({
        High: String(doc.findings.filter((f) => f.severity === 'high').length),
        Medium: String(doc.findings.filter((f) => f.severity === 'medium').length),
        Low: String(doc.findings.filter((f) => f.severity === 'low').length),
        'New since last night': String(doc.findings.length),
      });
      const texts = card.body.filter((b) => b.type === 'TextBlock').map((b) => String(b.text));
      const newHigh = texts[texts.indexOf('New high findings') + 1];
      const highChecks = new Set(doc.findings.filter((f) => f.severity === 'high').map((f) => doc.checks.find((c) => c.id === f.checkId)!.title));
      expect(highChecks.size).toBeGreaterThan(0);
      for (const title of highChecks) expect(newHigh).toContain(title);
      const plans = await listPlans(store, council, { state: 'awaiting-approval' });
      expect(plans.length).toBeGreaterThan(0);
      const planText = texts[texts.indexOf('Plans awaiting approval') + 1];
      for (const p of plans) expect(planText).toContain(p.id);
      expect(card.actions).toEqual([{ type: 'Action.OpenUrl', title: 'Open the report', url: expect.stringMatching(/^https:\/\/.*report\.html$/) }]);
      expect(markers(logs, 'councilguard.audit.succeeded')).toEqual([`info councilguard.audit.succeeded tenantId=${tenantId}: Example Parish Council: audited, ${doc.findings.length} finding(s).`]);
      // The webhook's signature is a secret: never logged.
      expect(logs.join('\n')).not.toContain('SECRET-SIGNATURE');
    });
  });

  it('a 500 then a 500 alerts once (marker and supplier email); a success clears it; a later 400 alerts again; each night completes', async () => {
    await withNight(async ({ night, receiver, sentMail, tenantId, store }) => {
      const alerts = () => sentMail().filter((m) => m.subject.includes('could not deliver the nightly Teams card'));
      receiver.mode.value = 500;
      const first = await night('2026-11-25T02:00:00.000Z');
      expect(first.outcome.failure).toBeUndefined();
      expect(first.outcome.result!.deliveries.find((d) => d.channel === 'teams')).toMatchObject({ status: 'failed', detail: expect.stringMatching(/answered 500: Power Automate failed; it will be tried again next night/) });
      expect(markers(first.logs, 'councilguard.delivery.alert')).toEqual([expect.stringMatching(new RegExp(`^error councilguard\\.delivery\\.alert tenantId=${tenantId} channel=teams: `))]);
      expect(alerts().map((m) => m.mailbox)).toHaveLength(1);
      expect(await store.latestRun(tenantId)).toMatchObject({ generatedAt: '2026-11-25T02:00:00.000Z' });

      const second = await night('2026-11-26T02:00:00.000Z');
      expect(second.outcome.result!.deliveries.find((d) => d.channel === 'teams')).toMatchObject({ status: 'failed' });
      expect(markers(second.logs, 'councilguard.delivery.alert')).toEqual([]);
      expect(alerts()).toHaveLength(1);
      expect(second.logs.join('\n')).not.toContain('SECRET-SIGNATURE');

      receiver.mode.value = 202;
      const third = await night('2026-11-27T02:00:00.000Z');
      expect(markers(third.logs, 'councilguard.delivery.recovered')).toHaveLength(1);

      receiver.mode.value = 400;
      const fourth = await night('2026-11-28T02:00:00.000Z');
      expect(fourth.outcome.result!.deliveries.find((d) => d.channel === 'teams')).toMatchObject({ status: 'failed', detail: expect.stringMatching(/answered 400: the workflow refused the card/) });
      expect(markers(fourth.logs, 'councilguard.delivery.alert')).toHaveLength(1);
      expect(alerts()).toHaveLength(2);
      expect(receiver.calls).toHaveLength(4);
    });
  });

  it('a webhook that never answers times out: the failure is recorded and the night completes', async () => {
    await withNight(async ({ night, receiver, tenantId }) => {
      receiver.mode.value = 'hang';
      const { outcome, logs } = await night('2026-11-25T02:00:00.000Z', { webhookTimeoutMs: 300 });
      expect(outcome.failure).toBeUndefined();
      expect(outcome.result!.deliveries.map((d) => `${d.channel} ${d.status}`)).toEqual(['retention done', 'sharePoint done', 'email done', 'teams failed']);
      expect(outcome.result!.deliveries[3].detail).toMatch(/the Workflows webhook at localhost did not answer within 300 ms; it will be tried again next night/);
      expect(markers(logs, 'councilguard.delivery.alert')).toHaveLength(1);
      expect(markers(logs, `councilguard.audit.succeeded tenantId=${tenantId}`)).toHaveLength(1);
    });
  });
});

describe('a night that could not run', () => {
  it('is posted to Teams the same night (the reason with its fix), marked failed for the 26-hour alert, and nothing is stored as a run', async () => {
    const s = structuredClone(loadScenario('demo'));
    s.tenantId = randomUUID();
    const receiver = await startReceiver();
    const council = parseCouncilFile({ councils: [{ ...baseCouncil(), tenantId: s.tenantId, delivery: { teams: { webhookUrl: receiver.url, allowedHosts: ['localhost'] } } }] }, 'test').councils[0];
    const sim = await startSimulator({ scenarios: [s] });
    try {
      const store = await openStore(process.env.COUNCILGUARD_TEST_STORAGE!);
      // Signed in to a tenant the simulated Entra does not know: the whole audit fails before any check.
      const graph = createGraphContext(readEnvironment(sim.env(), randomUUID()));
      const logs: string[] = [];
      const log = { info: (m: string) => logs.push(`info ${m}`), warn: (m: string) => logs.push(`warn ${m}`), error: (m: string) => logs.push(`error ${m}`) };
      const [outcome] = await auditCouncils(testCouncils({ councils: [council], store, graph, clock: () => new Date('2026-11-25T02:00:00.000Z'), log }), { writePlans: true });
      expect(outcome.failure).toMatch(/AZURE_TENANT_ID|tenant/i);
      expect(receiver.calls).toHaveLength(1);
      const card = JSON.stringify(receiver.calls[0].body);
      expect(card).toContain('application/vnd.microsoft.card.adaptive');
      expect(card).toContain('the nightly audit could not run');
      // The reason as CouncilGuard wrote it (Markdown-escaped in the card), so the supplier sees the fix.
      const texts = JSON.stringify((receiver.calls[0].body as { attachments: { content: { body: { text: string }[] } }[] }).attachments[0].content.body.map((b) => b.text.replace(/\\(.)/g, '$1')));
      expect(texts).toContain(JSON.stringify(outcome.failure!.slice(0, 60)).slice(1, -1));
      expect(markers(logs, `councilguard.audit.failed tenantId=${s.tenantId}`)).toHaveLength(1);
      expect(markers(logs, 'councilguard.audit.succeeded')).toEqual([]);
      expect(await store.latestRun(s.tenantId)).toBeUndefined();
      expect(logs.join('\n')).not.toContain('SECRET-SIGNATURE');
    } finally {
      await sim.close();
      await receiver.close();
    }
  });
});

describe('delivery.teams in the council config', () => {
  const withTeams = (teams: Record<string, unknown>) => () => parseCouncilFile({ councils: [{ ...baseCouncil(), tenantId: randomUUID(), delivery: { teams } }] }, 'test');

  it('accepts a Workflows URL on the default hosts', () => {
    expect(withTeams({ webhookUrl: 'https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=x' })).not.toThrow();
    expect(withTeams({ webhookUrl: 'https://default1234.ab.environment.api.powerplatform.com:443/powerautomate/automations/direct/workflows/abc?sig=x' })).not.toThrow();
  });

  it('refuses a URL that is not https, naming the fix and not the signature', () => {
    expect(withTeams({ webhookUrl: 'http://prod-12.westeurope.logic.azure.com/workflows/abc?sig=SECRET' })).toThrow(/delivery\.teams\.webhookUrl must be an https:\/\/ address \(it is http\); paste the URL that the Workflows trigger "When a Teams webhook request is received" shows/);
    expect(withTeams({ webhookUrl: 'http://prod-12.westeurope.logic.azure.com/workflows/abc?sig=SECRET' })).not.toThrow(/SECRET/);
  });

  it('refuses a host that is not a Workflows host or one the council allowed, naming allowedHosts', () => {
    expect(withTeams({ webhookUrl: 'https://exampleparish.webhook.office.com/webhookb2/abc' })).toThrow(/points at exampleparish\.webhook\.office\.com, which is not a Power Automate Workflows host \(\*\.logic\.azure\.com, \*\.environment\.api\.powerplatform\.com\).*add it to councils\[0\] \(Example Parish Council\)\.delivery\.teams\.allowedHosts/);
    expect(withTeams({ webhookUrl: 'https://logic.azure.com.evil.example/workflows' })).toThrow(/not a Power Automate Workflows host/);
    expect(withTeams({ webhookUrl: 'https://flows.example.gov.uk/x', allowedHosts: ['flows.example.gov.uk'] })).not.toThrow();
    expect(withTeams({ webhookUrl: 'https://a.flows.example.gov.uk/x', allowedHosts: ['*.example.gov.uk'] })).not.toThrow();
  });

  it('refuses an allowedHosts entry that is not a host name, and a URL that is not a URL', () => {
    expect(withTeams({ webhookUrl: 'https://x.logic.azure.com/', allowedHosts: ['*'] })).toThrow(/allowedHosts\[0\] "\*" is not a host name/);
    expect(withTeams({ webhookUrl: 'https://x.logic.azure.com/', allowedHosts: ['*.com'] })).toThrow(/allowedHosts\[0\] "\*\.com" is not a host name/);
    expect(withTeams({ webhookUrl: 'https://x.logic.azure.com/', allowedHosts: ['https://flows.example.gov.uk'] })).toThrow(/is not a host name/);
    expect(withTeams({ webhookUrl: 'not a url' })).toThrow(/delivery\.teams\.webhookUrl is not a URL/);
    expect(withTeams({})).toThrow(/webhookUrl is required/);
  });
});
