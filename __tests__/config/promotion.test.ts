import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { checkPromotion, liveVersion, promotionProblems, withRelease } from '../../config/promotion';

const env = (live: 'blue' | 'green', blue: string, green: string, migration = blue) => ({
  app: {
    liveColor: live,
    releases: { blue: { version: blue }, green: { version: green } },
    migration: { version: migration },
  },
});

describe('promotionProblems', () => {
  it('reads the live version from app.liveColor', () => {
    expect(liveVersion(env('green', '1.0.0', '1.1.0'))).toBe('1.1.0');
    expect(liveVersion({})).toBeUndefined();
  });

  it('GIVEN the version the previous environment runs live THEN allows it (idle colour and migration)', () => {
    const before = env('blue', '1.0.0', '0.9.0', '1.0.0');
    const after = env('blue', '1.0.0', '1.1.0', '1.1.0');
    expect(
      promotionProblems('config/prod.yaml', before, after, 'staging', env('green', '1.0.0', '1.1.0')),
    ).toEqual([]);
  });

  it('GIVEN a version that only sits idle (or nowhere) in the previous environment THEN refuses every field', () => {
    const before = env('blue', '1.0.0', '0.9.0', '1.0.0');
    const after = env('blue', '1.0.0', '1.2.0', '1.2.0');
    expect(
      promotionProblems('config/prod.yaml', before, after, 'staging', env('blue', '1.1.0', '1.2.0')),
    ).toEqual([
      'config/prod.yaml: app.releases.green.version: "1.2.0" is not allowed (only the version staging runs live on the base commit: "1.1.0")',
      'config/prod.yaml: app.migration.version: "1.2.0" is not allowed (only the version staging runs live on the base commit: "1.1.0")',
    ]);
  });

  it('GIVEN an unchanged file THEN nothing to check (a flip of app.liveColor is a rollback, always allowed)', () => {
    const before = env('blue', '1.0.0', '0.9.0');
    expect(promotionProblems('f', before, { ...env('green', '1.0.0', '0.9.0') }, 'dev', {})).toEqual([]);
  });
});

describe('checkPromotion (a git repository with a base commit)', () => {
  const root = mkdtempSync(join(tmpdir(), 'wms-promotion-'));
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
      cwd: root,
      encoding: 'utf8',
    });
  const write = (name: string, config: unknown) =>
    writeFileSync(join(root, 'config', `${name}.yaml`), JSON.stringify(config)); // JSON is YAML
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  beforeAll(() => {
    mkdirSync(join(root, 'config'));
    write('dev', env('green', '1.0.0', '1.1.0'));
    write('staging', env('blue', '1.0.0', '0.9.0', '1.0.0'));
    write('prod', env('blue', '0.9.0', '0.8.0', '0.9.0'));
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'base');
  });

  it('GIVEN staging promoted to the version dev runs live THEN allowed', () => {
    write('staging', env('blue', '1.0.0', '1.1.0', '1.1.0'));
    expect(checkPromotion(root, 'HEAD')).toEqual([]);
  });

  it('GIVEN prod promoted to what staging has only idle on the base THEN refused, naming file, field and value', () => {
    write('prod', env('blue', '0.9.0', '1.1.0', '0.9.0'));
    expect(checkPromotion(root, 'HEAD')).toEqual([
      'config/prod.yaml: app.releases.green.version: "1.1.0" is not allowed (only the version staging runs live on the base commit: "1.0.0")',
    ]);
    expect(readFileSync(join(root, 'config', 'prod.yaml'), 'utf8')).toContain('1.1.0');
  });
});

describe('withRelease', () => {
  const text = `# dev\napp:\n  liveColor: blue # live\n  releases:\n    blue: { version: '1.0.0' }\n    green: { version: '0.9.0' }\n  migration: { version: '1.0.0', command: [node] }\n`;

  it('puts the version on the idle colour and the migration, keeping comments and the live colour', () => {
    const after = withRelease(text, '1.1.0');
    expect(after).toContain('# live');
    expect(liveVersion(parse(after))).toBe('1.0.0');
    expect(parse(after).app.releases.green.version).toBe('1.1.0');
    expect(parse(after).app.migration).toEqual({ version: '1.1.0', command: ['node'] });
  });

  it('GIVEN "latest" or no live colour THEN refuses, naming the field', () => {
    expect(() => withRelease(text, 'latest')).toThrow(/version: "latest" is not allowed/);
    expect(() => withRelease('app: {}\n', '1.1.0')).toThrow(
      /app.liveColor: undefined is not allowed \(one of "blue", "green"\)/,
    );
  });
});
