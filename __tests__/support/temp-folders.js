/**
 * Jest leaves no temporary folders behind, and fails when a test does.
 *
 * - globalSetup: every run gets its own temporary root, and TMPDIR points at it before the workers start, so
 *   os.tmpdir() (mkdtemp in tests, the outdirs of cdktf's Testing helpers, child processes) stays inside it and
 *   what a run leaves can be told apart from other runs and other programs.
 * - setupFilesAfterEnv (in each test file): the `cdktf.outdir.*` folders that cdktf's Testing helpers create (and
 *   never remove) in this worker are recorded, and removed after the file's tests.
 * - globalTeardown: anything else left in the root is a test that did not clean up: the run fails, naming it, and
 *   the root is removed.
 */
const { mkdtempSync, readdirSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

/** globalSetup */
async function setup() {
  const root = mkdtempSync(join(tmpdir(), 'wms-jest-'));
  process.env.WMS_JEST_TMP = root;
  process.env.TMPDIR = root;
}

/** setupFilesAfterEnv: runs in every test file's environment, before its tests. */
function useWorkerTemp() {
  // Core modules are shared by the worker, so this sees cdktf's own calls (Testing.app, Testing.synth...).
  const fs = require('node:fs');
  const created = [];
  const original = fs.mkdtempSync;
  fs.mkdtempSync = function mkdtempSync(prefix, ...rest) {
    const dir = original.call(this, prefix, ...rest);
    if (String(prefix).endsWith('cdktf.outdir.')) created.push(dir);
    return dir;
  };
  afterAll(() => {
    fs.mkdtempSync = original;
    for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
}

/** globalTeardown */
async function teardown() {
  const root = process.env.WMS_JEST_TMP;
  if (!root) return;
  const left = readdirSync(root);
  rmSync(root, { recursive: true, force: true });
  if (left.length > 0) {
    throw new Error(
      `tests left ${left.length} temporary folders or files behind (removed now; remove them in the test): ` +
        left.slice(0, 20).join(', '),
    );
  }
}

module.exports = { setup, teardown, useWorkerTemp };
