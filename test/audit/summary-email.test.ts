// The summary email in sendMail's MIME form: a text part (summary.md) and an HTML part from the same data,
// the report attached or linked, and an email too large for Graph reported, never thrown.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createGraphContext } from '../../graph';
import { readEnvironment } from '../../config/env';
import { parseCouncilFile } from '../../jobs/council-context';
import { openStore, type Store } from '../../store';
import { loadScenario, startSimulator, type Scenario } from '../../simulator';
import { deliverRun, MAX_ATTACHED_REPORT_BYTES } from '../../reports/delivery';
import { renderSummaryMarkdown } from '../../reports/summary';
import { HOSTILE, makeDocument, makeFinding } from '../support/findings-factory';

const council = (tenantId: string, delivery: Record<string, unknown>, namesInSummary = true) => {
  const c = JSON.parse(readFileSync(join(__dirname, '../../simulator/scenarios/demo.councils.json'), 'utf8')).councils[0];
  return parseCouncilFile({ councils: [{ ...c, tenantId, delivery, namesInSummary }] }, 'test').councils[0];
};
const EMAIL = { from: 'clerk@exampleparish.gov.uk', to: ['itadmin@exampleparish.gov.uk'] };
const NOW = '2026-11-25T02:00:00.000Z';

async function withTenant(fn: (ctx: { sim: Awaited<ReturnType<typeof startSimulator>>; s: Scenario; store: Store }) => Promise<void>): Promise<void> {
  const s = structuredClone(loadScenario('demo'));
  s.tenantId = randomUUID();
  s.grantedPermissions.push('Sites.ReadWrite.All', 'Mail.Send', 'Mail.Read');
  const sim = await startSimulator({ scenarios: [s] });
  try {
    await fn({ sim, s, store: await openStore(process.env.COUNCILGUARD_TEST_STORAGE!) });
  } finally {
    await sim.close();
  }
}

const files = (doc: ReturnType<typeof makeDocument>, report = '<p>report</p>') => ({
  'report.html': report, 'findings.csv': 'id\r\n', 'findings.json': JSON.stringify(doc), 'summary.md': renderSummaryMarkdown(doc, { namesAllowed: true }),
});

describe('the summary email', () => {
  const doc = makeDocument({ findings: HOSTILE.slice(0, 4).map((name, i) => makeFinding(i + 1, { subject: { name, userPrincipalName: `u${i}@exampleparish.gov.uk` }, summary: `${name} forwards mail_to_x` })) });

  it('carries summary.md as its text part and the same summary as escaped HTML with inline styles and no images', async () => {
    await withTenant(async ({ sim, s, store }) => {
      const graph = createGraphContext(readEnvironment(sim.env(), s.tenantId));
      const f = files({ ...doc, tenantId: s.tenantId });
      const results = await deliverRun({ graph, store, council: council(s.tenantId, { email: EMAIL }), files: f, generatedAt: NOW });
      expect(results.find((r) => r.channel === 'email')).toMatchObject({ status: 'done' });
      const [mail] = sim.tenant().sentMail;
      expect(mail.subject).toBe('Example Parish Council: IT policy audit, 25 Nov 2026');
      expect(mail.attachments).toEqual(['report.html']);
      const text = mail.parts!.find((p) => p.contentType === 'text/plain')!.content;
      const html = mail.parts!.find((p) => p.contentType === 'text/html')!.content;
      expect(text).toBe(f['summary.md']);
      // The HTML says what the Markdown says: bold counts, the hostile names as text, no Markdown marks.
      expect(html).toContain('<strong>4</strong> high, <strong>0</strong> medium');
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
      expect(html).not.toMatch(/<script|<img|<svg|<style|<link|\*\*|\\_/i);
      expect(html).toMatch(/<h1 style="[^"]+">Example Parish Council: IT policy audit<\/h1>/);
      expect(html).toContain('forwards mail_to_x');
      expect(text).toContain('forwards mail\\_to\\_x');
    });
  });

  it('links a report over 2.5 MB with a Blob link that expires when there is no SharePoint delivery, and the link serves the report', async () => {
    await withTenant(async ({ sim, s, store }) => {
      const graph = createGraphContext(readEnvironment(sim.env(), s.tenantId));
      const report = `<p>${'x'.repeat(MAX_ATTACHED_REPORT_BYTES)}</p>`;
      const runId = 'run-blob-link';
      await store.saveRun(s.tenantId, runId, NOW, { ...files(doc, report) });
      const results = await deliverRun({ graph, store, council: council(s.tenantId, { email: EMAIL }), files: files(doc, report), generatedAt: NOW, runId });
      expect(results.find((r) => r.channel === 'email')).toMatchObject({ status: 'done', detail: expect.stringMatching(/linked, not attached \(it is over 2\.5 MB\)/) });
      const [mail] = sim.tenant().sentMail;
      expect(mail.attachments).toEqual([]);
      const text = mail.parts!.find((p) => p.contentType === 'text/plain')!.content;
      const url = /The full report is here \(the link works for 7 days\): (\S+)/.exec(text)?.[1];
      expect(url).toMatch(/[?&]se=2026-12-02/);
      const res = await fetch(url!);
      expect(res.status).toBe(200);
      expect((await res.text()).length).toBe(report.length);
    });
  });

  it('a report under 2.5 MB that would take the request past Graph\'s 4 MB is linked instead of attached', async () => {
    await withTenant(async ({ sim, s, store }) => {
      const graph = createGraphContext(readEnvironment(sim.env(), s.tenantId));
      const report = `<p>${'y'.repeat(2.4 * 1024 * 1024)}</p>`;
      const results = await deliverRun({ graph, store, council: council(s.tenantId, { email: EMAIL }), files: files(doc, report), generatedAt: NOW });
      expect(results.find((r) => r.channel === 'email')).toMatchObject({ status: 'done', detail: expect.stringMatching(/linked, not attached \(with it the email would pass Graph's 4 MB limit\)/) });
      expect(sim.tenant().sentMail[0].attachments).toEqual([]);
    });
  });

  it('an email over Graph\'s limit even with the report linked is a failed delivery naming the fix; the other channels still run', async () => {
    await withTenant(async ({ sim, s, store }) => {
      const graph = createGraphContext(readEnvironment(sim.env(), s.tenantId));
      const huge = makeDocument({ notice: 'n'.repeat(3 * 1024 * 1024) });
      const results = await deliverRun({ graph, store, council: council(s.tenantId, { email: EMAIL }), files: files(huge), generatedAt: NOW });
      expect(results.map((r) => `${r.channel} ${r.status}`)).toEqual(['retention done', 'email failed']);
      expect(results[1].detail).toMatch(/over Graph's 4 MB limit for one sendMail request, so it was not sent; .*delivery\.sharePoint/);
      expect(sim.tenant().sentMail).toEqual([]);
    });
  });

  it('the simulator refuses what Graph refuses in the MIME form: not base64, malformed MIME, over 4 MB', async () => {
    await withTenant(async ({ sim, s }) => {
      const graph = createGraphContext(readEnvironment(sim.env(), s.tenantId));
      const post = (body: string) => graph.send('POST', '/users/clerk@exampleparish.gov.uk/sendMail', body, 'v1.0', { 'Content-Type': 'text/plain' }).catch((e: unknown) => e);
      expect(await post('From: a@b.example\r\nSubject: plain text, not base64\r\n\r\nhi')).toMatchObject({ status: 400, code: 'ErrorMimeContentInvalidBase64String' });
      expect(await post(Buffer.from('no headers and no blank line').toString('base64'))).toMatchObject({ status: 400, code: 'ErrorMimeContentInvalid' });
      const unclosed = 'To: itadmin@exampleparish.gov.uk\r\nSubject: x\r\nContent-Type: multipart/alternative; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n';
      expect(await post(Buffer.from(unclosed).toString('base64'))).toMatchObject({ status: 400, code: 'ErrorMimeContentInvalid' });
      expect(await post('A'.repeat(4 * 1024 * 1024 + 4))).toMatchObject({ status: 413 });
      expect(sim.tenant().sentMail).toEqual([]);
    });
  });
});
