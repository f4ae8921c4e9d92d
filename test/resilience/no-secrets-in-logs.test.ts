// A demo run with every log line captured: no access token, client secret or message/file content.
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { demoCommand } from '../../cli/commands/demo';
import type { Logger } from '../../core/logger';

describe('logs stay clean', () => {
  it('the demo logs no access token, no client secret and no content', async () => {
    const lines: string[] = [];
    const capture = (m: string) => { lines.push(String(m)); };
    const log: Logger = { info: capture, warn: capture, error: capture };
    const consoleSpies = (['log', 'warn', 'error', 'info', 'debug'] as const).map((k) => jest.spyOn(console, k).mockImplementation((...a: unknown[]) => capture(a.join(' '))));
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((s) => { capture(String(s)); return true; });
    try {
      expect(await demoCommand({ out: join(mkdtempSync(join(tmpdir(), 'cg-logs-')), 'demo') }, log)).toBe(0);
    } finally {
      consoleSpies.forEach((s) => s.mockRestore());
      stderr.mockRestore();
    }
    const all = lines.join('\n');
    expect(lines.length).toBeGreaterThan(2);
    expect(all).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/); // a JWT
    expect(all).not.toMatch(/Bearer /i);
    expect(all).not.toContain('demo-secret-not-for-production');
    expect(all).not.toMatch(/client_secret|client_assertion/i);
  });
});
