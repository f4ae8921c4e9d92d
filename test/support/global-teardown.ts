// Stops the suite's Azurite: through the handle global-setup left on globalThis (waits until it has
// exited), else by the pid it recorded.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import type { RunningAzurite } from '../../store/azurite';

const SUITE_AZURITE = Symbol.for('councilguard.jest.azurite');

export default async function globalTeardown(): Promise<void> {
  const slot = globalThis as Record<symbol, RunningAzurite | undefined>;
  const running = slot[SUITE_AZURITE];
  const file = process.env.COUNCILGUARD_TEST_AZURITE_PID_FILE;
  if (running) {
    await running.stop();
    slot[SUITE_AZURITE] = undefined;
  } else if (file && existsSync(file)) {
    const pid = Number(readFileSync(file, 'utf8'));
    try { if (pid > 0) process.kill(pid, 'SIGTERM'); } catch { /* already stopped */ }
  }
  if (file) rmSync(file, { force: true });
}
