// Stops the suite's Azurite by the pid global-setup recorded.
import { existsSync, readFileSync, rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const file = process.env.COUNCILGUARD_TEST_AZURITE_PID_FILE;
  if (!file || !existsSync(file)) return;
  const pid = Number(readFileSync(file, 'utf8'));
  try { process.kill(pid, 'SIGTERM'); } catch { /* already stopped */ }
  rmSync(file, { force: true });
}
