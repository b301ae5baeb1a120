import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { buildSync } from 'esbuild';
import { bootstrapStackName } from '../stacks/bootstrap-stack';
import { baselineStackName } from '../stacks/baseline-stack';
import { stackNames } from '../assembly/synthesize';

const ROOT = join(__dirname, '..');

describe('main.ts (the cdktf app, run as the CLI runs it)', () => {
  let work: string;
  let app: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'wms-main-'));
    app = join(work, 'main.js');
    buildSync({
      entryPoints: [join(ROOT, 'main.ts')],
      outfile: app,
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'cjs',
      logLevel: 'silent',
    });
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  function run(outdir: string, env: Record<string, string> = {}) {
    return spawnSync(process.execPath, [app], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, NODE_PATH: join(ROOT, 'node_modules'), CDKTF_OUTDIR: outdir, ...env },
    });
  }

  function files(dir: string): Map<string, Buffer> {
    const result = new Map<string, Buffer>();
    const walk = (current: string) => {
      for (const entry of readdirSync(current)) {
        const path = join(current, entry);
        if (statSync(path).isDirectory()) walk(path);
        else result.set(relative(dir, path), readFileSync(path));
      }
    };
    walk(dir);
    return result;
  }

  it('GIVEN the committed config THEN it synthesizes every stack of every environment and account', () => {
    const outdir = join(work, 'out');
    const result = run(outdir);
    const expected = [
      ...['111111111111', '222222222222', '333333333333'].map(bootstrapStackName),
      ...['111111111111', '222222222222', '333333333333'].map(baselineStackName),
      ...['dev', 'prod', 'staging'].flatMap((env) => Object.values(stackNames(env))),
    ].sort();
    expect(result.stdout).toContain(`synthesized ${expected.length} stacks`);
    expect(result.status).toBe(0);
    expect(readdirSync(join(outdir, 'stacks')).sort()).toEqual(expected);
  });

  it('GIVEN two runs into different folders THEN every output file is byte-identical', () => {
    const first = join(work, 'first');
    const second = join(work, 'elsewhere', 'second');
    expect(run(first).status).toBe(0);
    expect(run(second).status).toBe(0);
    const a = files(first);
    const b = files(second);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [path, content] of a) expect(b.get(path)?.equals(content)).toBe(true);
    for (const content of a.values()) expect(content.toString()).not.toContain(work);
  });

  it('GIVEN a broken WMS_ENV_FILE THEN it exits non-zero with field-level messages and writes nothing', () => {
    const envFile = join(work, 'broken.yaml');
    writeFileSync(
      envFile,
      'name: Sandbox\nproduction: true\nawsAccountId: 12345\nregion: eu-west-1\navailabilityZones: [eu-west-1a]\nbogus: 1\n',
    );
    const outdir = join(work, 'never');
    const result = run(outdir, { WMS_ENV_FILE: envFile });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${envFile}: name: "Sandbox" is not valid`);
    expect(result.stderr).toContain(`${envFile}: awsAccountId: 12345 is a number`);
    expect(result.stderr).toContain(`${envFile}: bogus: unknown field`);
    expect(result.stderr).toContain(`${envFile}: network: missing (required)`);
    expect(existsSync(outdir)).toBe(false);
    expect(readdirSync(work).filter((entry) => entry.startsWith('never'))).toEqual([]);
  });

  it('GIVEN an earlier output and then a failing run THEN the earlier output is left exactly as it was', () => {
    const outdir = join(work, 'kept');
    expect(run(outdir).status).toBe(0);
    const before = files(outdir);
    const envFile = join(work, 'bad.json');
    writeFileSync(envFile, '{"name": ');
    expect(run(outdir, { WMS_ENV_FILE: envFile }).status).toBe(1);
    expect(files(outdir)).toEqual(before);
  });

  it('GIVEN a valid WMS_ENV_FILE THEN its stacks are added', () => {
    const outdir = join(work, 'extra');
    const result = run(outdir, { WMS_ENV_FILE: join(ROOT, 'docs', 'examples', 'sandbox.yaml') });
    expect(result.status).toBe(0);
    expect(readdirSync(join(outdir, 'stacks'))).toContain('wms-sandbox-platform');
  });

  it('GIVEN an unknown WMS_BACKEND THEN it names the variable and the allowed values', () => {
    const result = run(join(work, 'backend'), { WMS_BACKEND: 'gcs' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('WMS_BACKEND: "gcs" is not allowed (one of "s3", "local")');
  });
});
