// Progress of `councilguard audit` over several councils, as a pipeline sees it (the real command in a
// child process, stderr a pipe): a plain line as each council finishes, none of them on stdout.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { randomUUID } from 'node:crypto';
import { auditProgress } from '../../cli/audit-progress';
import { loadScenario, startSimulator } from '../../simulator';
import type { CouncilAuditOutcome } from '../../jobs/audit';

const CHILD = join(__dirname, '../support/cli-child.js');

describe('audit progress', () => {
  it('prints a plain line per finished council when stderr is not a terminal', async () => {
    const scenarios = [0, 1, 2].map((i) => {
      const s = structuredClone(loadScenario('demo'));
      s.tenantId = randomUUID();
      s.organization = `Parish ${i + 1}`;
      return s;
    });
    const sim = await startSimulator({ scenarios });
    try {
      const base = JSON.parse(readFileSync(join(__dirname, '../../simulator/scenarios/demo.councils.json'), 'utf8')).councils[0];
      const dir = mkdtempSync(join(tmpdir(), 'cg-progress-'));
      const config = join(dir, 'councils.json');
      writeFileSync(config, JSON.stringify({ councils: scenarios.map((s, i) => ({ ...base, name: `Parish ${i + 1} Council`, tenantId: s.tenantId })) }));
      const env = { ...process.env, ...sim.env(), COUNCILGUARD_STORAGE: process.env.COUNCILGUARD_TEST_STORAGE };
      const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [CHILD, 'audit', '--config', config, '--out', join(dir, 'out'), '--output', 'json'], { env, timeout: 120_000 }, (err, stdout, stderr) => {
          resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
        });
      });
      expect(code).toBe(0);
      const lines = stderr.split('\n').filter((l) => l.startsWith('Progress: '));
      expect(lines.map((l) => l.replace(/ \(.*$/, ''))).toEqual(['Progress: 1/3 councils finished', 'Progress: 2/3 councils finished', 'Progress: 3/3 councils finished']);
      for (const l of lines) expect(l).toMatch(/\(Parish \d Council: audited; \d+s so far\)$/);
      expect(stderr).not.toContain('\r');
      // stdout is the machine-readable result only.
      expect(JSON.parse(stdout)).toHaveLength(3);
    } finally {
      await sim.close();
    }
  }, 150_000);

  it('on a terminal draws one line that updates in place and ends with a newline', () => {
    let written = '';
    const tty = Object.assign({ write: (s: string) => { written += s; return true; } }, { isTTY: true }) as unknown as NodeJS.WritableStream & { isTTY: boolean };
    const p = auditProgress(tty);
    const outcome = (name: string, failure?: string) => ({ council: { name }, failure }) as unknown as CouncilAuditOutcome;
    p.onCouncilDone(outcome('A'), 1, 2);
    p.onCouncilDone(outcome('B', 'tenant unreachable'), 2, 2);
    p.end();
    expect(written.split('\r').filter(Boolean).map((s) => s.replace(/; \d+s so far\)/, ')'))).toEqual([
      'Progress: 1/2 councils finished (A: audited)\x1b[K',
      'Progress: 2/2 councils finished (B: could not be audited)\x1b[K\n',
    ]);
  });
});
