// One in-memory Azurite for the whole suite; workers find it through COUNCILGUARD_TEST_STORAGE
// (process.env set here is inherited by the jest workers).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startAzurite } from '../../store/azurite';

export const AZURITE_PID_FILE = join(tmpdir(), `councilguard-jest-azurite-${process.pid}.pid`);

export default async function globalSetup(): Promise<void> {
  const azurite = await startAzurite({ inMemory: true });
  process.env.COUNCILGUARD_TEST_STORAGE = azurite.connectionString;
  process.env.COUNCILGUARD_TEST_AZURITE_PID_FILE = AZURITE_PID_FILE;
  writeFileSync(AZURITE_PID_FILE, String(azurite.pid));
}
