// One in-memory Azurite for the whole suite. Workers find it through COUNCILGUARD_TEST_STORAGE (the
// process.env set here is inherited by the jest workers); global-teardown stops it, through globalThis
// when jest runs both in this process, else by the pid in the temp file.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startAzurite, type RunningAzurite } from '../../store/azurite';

export const AZURITE_PID_FILE = join(tmpdir(), `councilguard-jest-azurite-${process.pid}.pid`);

export const SUITE_AZURITE = Symbol.for('councilguard.jest.azurite');

export default async function globalSetup(): Promise<void> {
  // If jest is killed, Azurite notices its parent is gone and stops itself (see store/azurite.ts).
  const azurite = await startAzurite({ inMemory: true });
  process.env.COUNCILGUARD_TEST_STORAGE = azurite.connectionString;
  process.env.COUNCILGUARD_TEST_AZURITE_PID_FILE = AZURITE_PID_FILE;
  writeFileSync(AZURITE_PID_FILE, String(azurite.pid));
  (globalThis as Record<symbol, RunningAzurite | undefined>)[SUITE_AZURITE] = azurite;
}
