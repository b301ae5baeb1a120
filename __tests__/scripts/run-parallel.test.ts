import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const RUNNER = resolve(__dirname, '..', '..', 'scripts', 'lib', 'run-parallel.mjs');

describe('scripts/lib/run-parallel.mjs (the npm test chain runs scripts side by side)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wms-run-parallel-'));
    // `slow` ends after `fast` and `broken`; the output still follows the order of the arguments.
    const scripts = {
      slow: 'node -e "setTimeout(() => console.log(\'slow done\'), 800)"',
      fast: 'node -e "console.log(\'fast done\')"',
      broken: 'node -e "console.error(\'broken says why\'); process.exit(3)"',
    };
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'x', private: true, scripts }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (...names: string[]) =>
    spawnSync(process.execPath, [RUNNER, ...names], { cwd: dir, encoding: 'utf8', timeout: 30_000 });

  it('runs every script, prints each output whole in the order given, exits 0 when all pass', () => {
    const result = run('slow', 'fast');
    expect(result.status).toBe(0);
    expect(result.stdout.indexOf('slow done')).toBeGreaterThan(-1);
    expect(result.stdout.indexOf('slow done')).toBeLessThan(result.stdout.indexOf('fast done'));
    expect(result.stdout).toMatch(/npm run slow: exit 0 after [\d.]+ s[\s\S]*npm run fast: exit 0/);
  });

  it('exits 1 naming the failed script, after the others ran to the end', () => {
    const result = run('broken', 'slow');
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('broken says why');
    expect(result.stdout).toContain('slow done');
    expect(result.stderr).toBe('run-parallel: failed: broken\n');
  });

  it('refuses an unknown script or none with exit 2, naming it and the scripts allowed', () => {
    const unknown = run('fast', 'nope');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(
      /^run-parallel: script "nope" is not allowed \(the npm scripts of package\.json: slow, fast, broken\)/,
    );
    expect(run().stderr).toMatch(/^run-parallel: no npm script given/);
    expect(run('--help')).toMatchObject({ status: 0, stdout: expect.stringMatching(/^Usage: /) });
  });
});
