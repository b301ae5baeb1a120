import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SHARED_APP_DIR } from './shared-app';

/**
 * Jest global setup: a fresh folder for the one synthesis of the whole app that the test files of this run share
 * (support/synth.ts `synthesizedAppStacks`). Nothing is synthesized here: the first test file that needs the app
 * does it, so a run without stack tests pays nothing. Workers inherit the variable; global-teardown.ts removes it.
 */
export default function globalSetup(): void {
  process.env[SHARED_APP_DIR] = mkdtempSync(join(tmpdir(), 'wms-jest-app-'));
}
