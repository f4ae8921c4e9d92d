import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { runAudit } from '../../jobs/run-audit';
import { createGraphContext } from '../../graph';
import { readEnvironment } from '../../config/env';
import { parseCouncilFile } from '../../jobs/council-context';
import { openStore } from '../../store';
import { silentLogger } from '../../core/logger';
import { loadScenario, startSimulator, type Scenario } from '../../simulator';
import { deliverRun, MAX_ATTACHED_REPORT_BYTES, uploadFile } from '../../reports/delivery';
import { councilContext } from '../../context/council-context';
import { fixedClock } from '../../core/clock';

const council = (tenantId: string, delivery: Record<string, unknown>) => {
  const c = JSON.parse(readFileSync(join(__dirname, '../../simulator/scenarios/demo.councils.json'), 'utf8')).councils[0];
  return parseCouncilFile({ councils: [{ ...c, tenantId, delivery }] }, 'test').councils[0];
};
const tenant = (change: (s: Scenario) => void = () => {}) => {
  const s = structuredClone(loadScenario('demo'));
  s.tenantId = randomUUID();
  s.grantedPermissions.push('Sites.ReadWrite.All', 'Mail.Send', 'Mail.Read');
  change(s);
  return s;
};
const EMAIL = { from: 'clerk@exampleparish.gov.uk', to: ['clerk@exampleparish.gov.uk', 'itadmin@exampleparish.gov.uk'] };

describe('delivery', () => {
  it('files appear in the SharePoint library and the summary in the recipients\' mailboxes (read back from the tenant)', async () => {
    const s = tenant();
    const sim = await startSimulator({ scenarios: [s] });
    try {
      const graph = createGraphContext(readEnvironment(sim.env(), s.tenantId));
      const c = council(s.tenantId, { sharePoint: true, email: EMAIL });
      const now = '2026-11-25T02:00:00.000Z';
      const result = await runAudit(councilContext(c, { graph, store: await openStore(process.env.COUNCILGUARD_TEST_STORAGE!), log: silentLogger, clock: fixedClock(now) }));
      expect(result.deliveries.map((d) => `${d.channel} ${d.status}`)).toEqual(['retention done', 'sharePoint done', 'email done']);
      const item = await graph.get<{ size: number }>(`/drives/${[...sim.tenant().drives.values()].find((d) => d.name === 'IT governance reports')!.id}/root:/2026/11/2026-11-25 report.html`);
      expect(item.size).toBe(Buffer.byteLength(result.files['report.html']));
      const itInbox = await graph.pageAll<{ subject: string; hasAttachments: boolean }>('/users/itadmin@exampleparish.gov.uk/messages', ['subject', 'hasAttachments']);
      expect(itInbox).toEqual([expect.objectContaining({ subject: 'Example Parish Council: IT policy audit, 25 Nov 2026', hasAttachments: true })]);
    } finally {
      await sim.close();
    }
  });

  it('a large file goes through an upload session in chunks and arrives whole', async () => {
    const s = tenant();
    const sim = await startSimulator({ scenarios: [s] });
    try {
      const graph = createGraphContext(readEnvironment(sim.env(), s.tenantId));
      const driveId = [...sim.tenant().drives.values()].find((d) => d.name === 'IT governance reports')!.id;
      const big = Buffer.alloc(9 * 1024 * 1024 + 123, 7);
      await uploadFile(graph, driveId, '2026/11/big report.html', big);
      const stored = [...sim.tenant().drives.get(driveId)!.items.values()].find((i) => i.name === 'big report.html')!;
      expect(stored.content?.equals(big)).toBe(true);
    } finally {
      await sim.close();
    }
  });

  it('a report too large to attach (over 2.5 MB) is linked to its SharePoint copy, and Graph refuses a 3 MB inline attachment', async () => {
    const s = tenant();
    const sim = await startSimulator({ scenarios: [s] });
    try {
      const graph = createGraphContext(readEnvironment(sim.env(), s.tenantId));
      const store = await openStore(process.env.COUNCILGUARD_TEST_STORAGE!);
      const big = `<p>${'x'.repeat(MAX_ATTACHED_REPORT_BYTES)}</p>`;
      const files = { 'report.html': big, 'findings.csv': 'id\r\n', 'summary.md': '# Summary\n' };
      const deliveries = await deliverRun({ graph, store, council: council(s.tenantId, { sharePoint: true, email: EMAIL }), files, generatedAt: '2026-11-25T02:00:00.000Z' });
      expect(deliveries.find((d) => d.channel === 'email')).toMatchObject({ status: 'done', detail: expect.stringMatching(/linked, not attached/) });
      const mail = sim.tenant().sentMail.filter((m) => m.subject.startsWith('Example Parish Council: IT policy audit'));
      expect(mail.length).toBeGreaterThan(0);
      expect(mail.every((m) => m.attachments.length === 0)).toBe(true);
      const inbox = await graph.pageAll<{ subject: string; hasAttachments: boolean }>('/users/itadmin@exampleparish.gov.uk/messages', ['subject', 'hasAttachments']);
      expect(inbox).toEqual([expect.objectContaining({ hasAttachments: false })]);

      // What the guard avoids: Graph takes an inline file attachment only under 3 MB.
      const refused = await graph.send('POST', '/users/clerk@exampleparish.gov.uk/sendMail', {
        message: { subject: 'x', body: { contentType: 'Text', content: 'x' }, toRecipients: [{ emailAddress: { address: 'itadmin@exampleparish.gov.uk' } }],
          attachments: [{ '@odata.type': '#microsoft.graph.fileAttachment', name: 'big.html', contentType: 'text/html', contentBytes: Buffer.alloc(3 * 1024 * 1024).toString('base64') }] },
      }).catch((e: unknown) => e);
      expect(refused).toMatchObject({ status: 413 });
    } finally {
      await sim.close();
    }
  });

  it('sendMail 403 and a missing report library are reported as failed deliveries naming the fix, and the run is still stored', async () => {
    const s = tenant((x) => {
      x.grantedPermissions = x.grantedPermissions.filter((p) => p !== 'Mail.Send');
      x.sites![0].libraries = x.sites![0].libraries.filter((l) => l.name !== 'IT governance reports');
    });
    const sim = await startSimulator({ scenarios: [s] });
    try {
      const graph = createGraphContext(readEnvironment(sim.env(), s.tenantId));
      const store = await openStore(process.env.COUNCILGUARD_TEST_STORAGE!);
      const c = council(s.tenantId, { sharePoint: true, email: EMAIL });
      const errors: string[] = [];
      const result = await runAudit(councilContext(c, { graph, store, log: { ...silentLogger, error: (m) => errors.push(m) } }));
      expect(result.deliveries.find((d) => d.channel === 'email')).toMatchObject({ status: 'failed', detail: expect.stringMatching(/grant the application permission Mail\.Send/) });
      expect(result.deliveries.find((d) => d.channel === 'sharePoint')).toMatchObject({ status: 'failed', detail: expect.stringMatching(/library "IT governance reports" does not exist/) });
      expect(errors).toHaveLength(2);
      expect(await store.latestRun(s.tenantId)).toBeDefined();
    } finally {
      await sim.close();
    }
  });

  it('a malformed recipient address is a config error naming the field', () => {
    expect(() => council(randomUUID(), { email: { from: 'clerk@exampleparish.gov.uk', to: ['supplier at example'] } })).toThrow(/delivery\.email\.to\[0\] "supplier at example" is not an email address/);
  });
});
