import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED_APP_DIR } from './shared-app';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tempFolders = require('./temp-folders') as { setup: () => Promise<void> };

/**
 * Jest global setup: first the run's own temporary root (temp-folders.js: TMPDIR points into it, and the teardown
 * fails the run when a test leaves anything there), then a fresh folder in it for the one synthesis of the whole
 * app that the test files of this run share (support/synth.ts `synthesizedAppStacks`). Nothing is synthesized
 * here: the first test file that needs the app does it, so a run without stack tests pays nothing. Workers inherit
 * both variables; global-teardown.ts removes both folders.
 */
export default async function globalSetup(): Promise<void> {
  await tempFolders.setup();
  process.env[SHARED_APP_DIR] = mkdtempSync(join(process.env.TMPDIR as string, 'wms-jest-app-'));
}
