import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The environment variable naming the folder of the run's shared synthesis (set by global-setup.ts). */
export const SHARED_APP_DIR = 'WMS_JEST_APP_DIR';

const WAIT_MS = 50;
const TIMEOUT_MS = 300_000;

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Runs `synthesize(outdir)` once per jest run across all workers and returns the synthesized output folder: the
 * first caller takes a lock (an atomic mkdir) and synthesizes; the others wait for its result (or its error).
 * Without the global setup (a single file run another way) it synthesizes into a folder of the caller's choice.
 */
export function synthesizeOnce(synthesize: (outdir: string) => string[], fallbackDir: () => string): string {
  const root = process.env[SHARED_APP_DIR];
  if (!root) {
    const outdir = fallbackDir();
    synthesize(outdir);
    return outdir;
  }
  const outdir = join(root, 'cdktf.out');
  const done = join(root, 'done');
  const failed = join(root, 'failed');
  let owner = false;
  try {
    mkdirSync(join(root, 'lock'));
    owner = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if (owner) {
    try {
      synthesize(outdir);
      writeFileSync(`${done}.tmp`, '');
      renameSync(`${done}.tmp`, done);
    } catch (error) {
      writeFileSync(failed, error instanceof Error ? (error.stack ?? error.message) : String(error));
      throw error;
    }
  }
  for (let waited = 0; !existsSync(done); waited += WAIT_MS) {
    if (existsSync(failed)) throw new Error(`the shared synthesis failed:\n${readFileSync(failed, 'utf8')}`);
    if (waited > TIMEOUT_MS)
      throw new Error(`the shared synthesis in ${root} did not finish in ${TIMEOUT_MS} ms`);
    sleep(WAIT_MS);
  }
  return outdir;
}
