import { rmSync } from 'node:fs';
import { SHARED_APP_DIR } from './shared-app';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tempFolders = require('./temp-folders') as { teardown: () => Promise<void> };

/**
 * Jest global teardown: removes the folder of the shared synthesis (global-setup.ts), then checks that no test
 * left anything else in the run's temporary root (temp-folders.js), failing the run if one did.
 */
export default async function globalTeardown(): Promise<void> {
  const dir = process.env[SHARED_APP_DIR];
  if (dir) rmSync(dir, { recursive: true, force: true });
  await tempFolders.teardown();
}
