import { rmSync } from 'node:fs';
import { SHARED_APP_DIR } from './shared-app';

/** Jest global teardown: removes the folder of the shared synthesis (global-setup.ts). */
export default function globalTeardown(): void {
  const dir = process.env[SHARED_APP_DIR];
  if (dir) rmSync(dir, { recursive: true, force: true });
}
