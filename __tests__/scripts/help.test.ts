import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

const ROOT = join(__dirname, '..', '..');
const scripts = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

/**
 * npm scripts that are not commands of ours: third-party tools (each has its own --help) or chains of other
 * scripts. Every other script must answer --help.
 */
const NOT_OUR_COMMANDS: Readonly<Record<string, string>> = {
  typecheck: 'tsc (npx tsc --help)',
  lint: 'eslint and prettier (npx eslint --help, npx prettier --help)',
  format: 'prettier (npx prettier --help)',
  'test:unit': 'jest without the real-tool tests (npx jest --help)',
  'test:jest': 'jest (npx jest --help)',
  test: 'a chain of typecheck and lint side by side, verify and mock-apply side by side, and test:jest',
};

/** The file an npm script runs: `node dist/x.js` (after the build), `node scripts/x.mjs` or `bash scripts/x.sh`. */
function entryOf(command: string): { source: string; run: string[] } | undefined {
  const node = /node dist\/([\w/.-]+)\.js$/.exec(command);
  if (node) return { source: `${node[1]}.ts`, run: [`${node[1]}.js`] };
  const plain = /^(node|bash) (scripts\/[\w.-]+\.(mjs|sh))$/.exec(command);
  return plain ? { source: plain[2], run: [plain[2]] } : undefined;
}

describe('--help of every command', () => {
  let dist: string;
  beforeAll(() => {
    dist = mkdtempSync(join(tmpdir(), 'wms-help-'));
    const entryPoints = Object.values(scripts)
      .map(entryOf)
      .filter((entry) => entry?.source.endsWith('.ts'))
      .map((entry) => join(ROOT, entry?.source as string));
    buildSync({
      entryPoints,
      outdir: dist,
      outbase: ROOT,
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'cjs',
      logLevel: 'silent',
    });
  });
  afterAll(() => rmSync(dist, { recursive: true, force: true }));

  const run = (name: string, args: string[]) => {
    const entry = entryOf(scripts[name]) as NonNullable<ReturnType<typeof entryOf>>;
    const [program, file] = entry.source.endsWith('.sh')
      ? ['bash', join(ROOT, entry.source)]
      : [
          process.execPath,
          entry.source.endsWith('.ts') ? join(dist, entry.run[0]) : join(ROOT, entry.source),
        ];
    return spawnSync(program, [file, ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 10_000,
      env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') },
    });
  };

  it('classifies every npm script: a command of ours or a third-party tool', () => {
    for (const [name, command] of Object.entries(scripts)) {
      expect({ name, classified: name in NOT_OUR_COMMANDS || entryOf(command) !== undefined }).toEqual({
        name,
        classified: true,
      });
    }
  });

  const commands = Object.keys(scripts).filter((name) => !(name in NOT_OUR_COMMANDS));

  it.each(commands)('npm run %s -- --help prints the usage and exits 0 at once', (name) => {
    const result = run(name, ['--help']);
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    expect(result.stdout).toMatch(/^Usage: /);
  });

  it.each(commands)(
    'npm run %s -- --no-such-option is refused with exit code 2, naming the option',
    (name) => {
      const result = run(name, ['--no-such-option']);
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/unknown option '?--no-such-option/i);
    },
  );

  it('runs through npm as documented: npm run synth -- --help', () => {
    const result = spawnSync('npm', ['run', '--silent', 'synth', '--', '--help'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: npm run synth/);
  }, 30_000);
});
