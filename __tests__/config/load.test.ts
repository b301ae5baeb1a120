import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ConfigError, loadEnvironments } from '../../config/load';
import { CONFIG_DIR, rawEnvironment } from '../support/environments';

describe('loadEnvironments', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wms-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, content: string) => {
    const file = join(dir, name);
    writeFileSync(file, content);
    return file;
  };
  const problemsOf = (fn: () => unknown): readonly string[] => {
    try {
      fn();
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    throw new Error('expected a ConfigError');
  };

  it('GIVEN the committed config folder THEN dev, prod and staging load, sorted by file name', () => {
    const configs = loadEnvironments({ configDir: CONFIG_DIR });
    expect(configs.map((c) => c.name)).toEqual(['dev', 'prod', 'staging']);
    expect(configs.find((c) => c.name === 'prod')?.availabilityZones).toHaveLength(3);
  });

  it('GIVEN an extra YAML file THEN it is added after the built-in environments', () => {
    const file = write('sandbox.yaml', stringify(rawEnvironment()));
    const configs = loadEnvironments({ configDir: CONFIG_DIR, extraFile: file });
    expect(configs.map((c) => c.name)).toEqual(['dev', 'prod', 'staging', 'sandbox']);
  });

  it('GIVEN an extra JSON file THEN it is read as JSON', () => {
    const file = write('preview.json', JSON.stringify(rawEnvironment({ name: 'pr-42' })));
    expect(loadEnvironments({ configDir: CONFIG_DIR, extraFile: file }).map((c) => c.name)).toContain(
      'pr-42',
    );
  });

  it('GIVEN the shipped example file THEN it is valid', () => {
    const example = join(CONFIG_DIR, '..', 'docs', 'examples', 'sandbox.yaml');
    expect(loadEnvironments({ configDir: CONFIG_DIR, extraFile: example }).map((c) => c.name)).toContain(
      'sandbox',
    );
  });

  it('GIVEN broken YAML THEN the parser position is reported with the file', () => {
    const file = write('broken.yaml', 'name: sandbox\nnetwork: [unclosed\n');
    expect(problemsOf(() => loadEnvironments({ configDir: CONFIG_DIR, extraFile: file }))).toEqual([
      expect.stringMatching(/^.*broken\.yaml: is not valid YAML: .*line \d+/),
    ]);
  });

  it('GIVEN a repeated YAML key THEN it is an error, not a silent override', () => {
    const file = write('dup.yaml', `${stringify(rawEnvironment())}name: other\n`);
    expect(problemsOf(() => loadEnvironments({ configDir: CONFIG_DIR, extraFile: file }))).toEqual([
      expect.stringContaining('dup.yaml: is not valid YAML: Map keys must be unique'),
    ]);
  });

  it('GIVEN broken JSON THEN it says so', () => {
    const file = write('broken.json', '{"name": ');
    expect(problemsOf(() => loadEnvironments({ configDir: CONFIG_DIR, extraFile: file }))).toEqual([
      expect.stringContaining('broken.json: is not valid JSON'),
    ]);
  });

  it('GIVEN an unsupported extension or a missing file THEN it says so', () => {
    const toml = write('env.toml', 'name = "x"');
    expect(problemsOf(() => loadEnvironments({ configDir: CONFIG_DIR, extraFile: toml }))).toEqual([
      `${toml}: ".toml" files are not supported (allowed: .yaml, .yml, .json)`,
    ]);
    const missing = join(dir, 'missing.yaml');
    expect(problemsOf(() => loadEnvironments({ configDir: CONFIG_DIR, extraFile: missing }))).toEqual([
      expect.stringContaining(`${missing}: cannot be read`),
    ]);
  });

  it('GIVEN an extra environment that clashes with a built-in one THEN every problem is reported together', () => {
    const raw = rawEnvironment({ name: 'dev', region: 'mars' });
    (raw.network as Record<string, unknown>).vpcCidr = '10.10.0.0/16';
    const file = write('clash.yaml', stringify(raw));
    const problems = problemsOf(() => loadEnvironments({ configDir: CONFIG_DIR, extraFile: file }));
    expect(problems).toEqual([`${file}: region: "mars" is not valid (an AWS region such as eu-west-1)`]);

    const valid = rawEnvironment({ name: 'dev' });
    (valid.network as Record<string, unknown>).vpcCidr = '10.10.0.0/16';
    const second = write('clash2.yaml', stringify(valid));
    expect(problemsOf(() => loadEnvironments({ configDir: CONFIG_DIR, extraFile: second }))).toEqual([
      `${second}: name: "dev" is already used by dev.yaml`,
      `${second}: network.vpcCidr: "10.10.0.0/16" overlaps dev.yaml (10.10.0.0/16); environments need disjoint CIDRs`,
    ]);
  });

  it('GIVEN a config folder with a bad file THEN the message names the file and field', () => {
    write('qa.yaml', stringify(rawEnvironment({ name: 'qa', production: 'no' })));
    const error = (() => {
      try {
        loadEnvironments({ configDir: dir });
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(error?.message).toBe(
      'invalid environment configuration (1 problems):\n  qa.yaml: production: "no" is a string, expected true or false',
    );
  });
});
