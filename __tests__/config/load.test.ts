import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import {
  ConfigError,
  loadEnvironments,
  MAX_ENVIRONMENT_FILE_BYTES,
  parseEnvironmentFile,
} from '../../config/load';
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
      expect.stringMatching(
        /dup\.yaml: name: the key "name" is repeated at line \d+, column 1 \(allowed: each key once/,
      ),
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
      `${missing}: does not exist (expected a .yaml, .yml or .json file)`,
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

  describe('hard edges: bounded, strict, never a stack trace', () => {
    const load = (file: string, maxFileBytes?: number) =>
      problemsOf(() => loadEnvironments({ configDir: CONFIG_DIR, extraFile: file, maxFileBytes }));
    /** An environment file with `keys` extra keys under one unknown key, as a oversized preview file would be. */
    const bigEnvironment = (keys: number) => {
      const lines = [stringify(rawEnvironment()), 'padding:'];
      for (let i = 0; i < keys; i += 1) lines.push(`  key${i}: value-${i}`);
      return `${lines.join('\n')}\n`;
    };

    it('reads at most 1 MiB by default (an environment is about 3 KB)', () => {
      expect(MAX_ENVIRONMENT_FILE_BYTES).toBe(1024 * 1024);
      const file = write('big.yaml', bigEnvironment(60_000)); // about 1.4 MB
      const started = Date.now();
      expect(load(file)).toEqual([
        expect.stringMatching(
          /big\.yaml: is too large: \d+ bytes or more \(allowed: at most 1048576 bytes; an environment is about 3 KB\)$/,
        ),
      ]);
      // Refused from its size alone, before parsing: the quadratic parser took 177 s on 1.6 MB.
      expect(Date.now() - started).toBeLessThan(1000);
    });

    it('GIVEN a 20 MB file THEN it is refused from its size in well under a second (it ran for 590+ s)', () => {
      const file = write('huge.yaml', `padding:\n${'  k0000000: vvvvvvv\n'.repeat(1_000_000)}`);
      const started = Date.now();
      expect(load(file)).toEqual([
        expect.stringContaining('huge.yaml: is too large: 20000009 bytes or more'),
      ]);
      expect(Date.now() - started).toBeLessThan(1000);
    });

    it('honours a smaller maxFileBytes', () => {
      const file = write('small.yaml', stringify(rawEnvironment()));
      expect(parseEnvironmentFile(file, 100)).toEqual({
        problems: [expect.stringMatching(/^is too large: \d+ bytes or more \(allowed: at most 100 bytes/)],
      });
    });

    it('GIVEN a 0.8 MB map of 40k keys THEN it is parsed in linear time and the unknown key is reported', () => {
      // The quadratic uniqueKeys check took 42.9 s here; linear parsing takes well under a second.
      const file = write('wide.yaml', bigEnvironment(40_000));
      const started = Date.now();
      const problems = load(file);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(problems).toEqual([
        expect.stringMatching(/wide\.yaml: padding: unknown field \(allowed here: name, /),
      ]);
    });

    it('GIVEN 40k unknown top-level keys THEN 20 are named and the rest counted', () => {
      const lines = [stringify(rawEnvironment())];
      for (let i = 0; i < 40_000; i += 1) lines.push(`key${i}: ${i}`);
      const problems = load(write('flat.yaml', `${lines.join('\n')}\n`));
      expect(problems).toHaveLength(21);
      expect(problems[0]).toMatch(/flat\.yaml: key0: unknown field/);
      expect(problems[20]).toMatch(/flat\.yaml: \(file\): \.\.\. and 39980 more unknown fields$/);
    });

    it('GIVEN a repeated key among 40k keys THEN the key and its position are named', () => {
      const file = write('wide-dup.yaml', `${bigEnvironment(40_000)}  key17: again\n`);
      expect(load(file)).toEqual([
        expect.stringMatching(
          /wide-dup\.yaml: padding\.key17: the key "key17" is repeated at line \d+, column 3/,
        ),
      ]);
    });

    it('GIVEN a repeated key in JSON THEN it is refused too (JSON.parse would keep the last one silently)', () => {
      const json = JSON.stringify(rawEnvironment());
      const file = write('dup.json', `${json.slice(0, -1)},"tags":{"owner":"x","costCentre":"y"}}`);
      expect(load(file)).toEqual([
        expect.stringMatching(/dup\.json: tags: the key "tags" is repeated at line 1/),
      ]);
    });

    it('GIVEN invalid UTF-8 bytes THEN the file and the byte position are named (they used to become U+FFFD)', () => {
      const text = stringify(rawEnvironment({ tags: { owner: 'platform-team', costCentre: 'cc-1' } }));
      const at = text.indexOf('platform-') + 'platform-'.length;
      const bytes = Buffer.concat([
        Buffer.from(text.slice(0, at)),
        Buffer.from([0xc3, 0x28]),
        Buffer.from(text.slice(at)),
      ]);
      const line = text.slice(0, at).split('\n').length;
      const column = at - text.lastIndexOf('\n', at - 1);
      const file = join(dir, 'latin1.yaml');
      writeFileSync(file, bytes);
      expect(load(file)).toEqual([
        `${file}: is not valid UTF-8: byte 0x28 at offset ${at + 1} (line ${line}, column ${column + 1}) ` +
          '(allowed: UTF-8 text only; re-save the file as UTF-8)',
      ]);
      const lone = join(dir, 'lone.json');
      writeFileSync(lone, Buffer.from([0x7b, 0xff, 0x7d]));
      expect(load(lone)).toEqual([
        expect.stringContaining('lone.json: is not valid UTF-8: byte 0xff at offset 1 (line 1, column 2)'),
      ]);
    });

    it('GIVEN a UTF-8 byte order mark THEN the file still loads', () => {
      const file = write('bom.yaml', `\uFEFF${stringify(rawEnvironment())}`);
      expect(loadEnvironments({ configDir: CONFIG_DIR, extraFile: file }).map((c) => c.name)).toContain(
        'sandbox',
      );
    });

    it('GIVEN an alias bomb THEN it is a config error naming the file and the first alias, not a stack trace', () => {
      const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
      for (let i = 1; i < 9; i += 1) {
        const previous = String.fromCharCode(96 + i);
        const name = String.fromCharCode(97 + i);
        levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]`);
      }
      const file = write('bomb.yaml', `${levels.join('\n')}\n`);
      const started = Date.now();
      expect(load(file)).toEqual([
        expect.stringMatching(
          /bomb\.yaml: is not valid YAML: Excessive alias count .* \(first alias: \*a at line 2, column \d+\) \(allowed: at most 100 alias expansions/,
        ),
      ]);
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it('GIVEN nesting deeper than 32 levels THEN it is refused before parsing (the parsers would exhaust their stack)', () => {
      const flow = write('deep.json', `{"a": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
      const indented = write(
        'deep.yaml',
        `${Array.from({ length: 40 }, (_, depth) => `${' '.repeat(depth * 2)}k${depth}:`).join('\n')} 1\n`,
      );
      for (const [file, line] of [
        [flow, 1],
        [indented, 33],
      ] as const) {
        expect(load(file)).toEqual([
          `${file}: nests deeper than 32 levels at line ${line} (allowed: at most 32; an environment is about 5 levels deep)`,
        ]);
      }
    });

    it('GIVEN a missing path without extension, a folder or an empty file THEN each says what it is', () => {
      const missing = join(dir, 'no-such-env');
      expect(load(missing)).toEqual([`${missing}: does not exist (expected a .yaml, .yml or .json file)`]);
      const folder = join(dir, 'folder.yaml');
      mkdirSync(folder);
      expect(load(folder)).toEqual([`${folder}: is a folder (expected a .yaml, .yml or .json file)`]);
      const bare = write('env', 'name: x\n');
      expect(load(bare)).toEqual([`${bare}: has no file extension (allowed: .yaml, .yml, .json)`]);
      const emptyProblem =
        'is empty (expected one environment: a YAML mapping or a JSON object, see docs/examples/sandbox.yaml)';
      for (const [name, content] of [
        ['empty.yaml', ''],
        ['comments.yaml', '# nothing yet\n\n'],
        ['null.yaml', '~\n'],
        ['empty.json', '  \n'],
      ]) {
        const file = write(name, content);
        expect(load(file)).toEqual([`${file}: ${emptyProblem}`]);
      }
    });

    it('never throws for a bad file: every failure is a problem', () => {
      expect(parseEnvironmentFile(join(dir, 'x.yaml'))).toEqual({ problems: [expect.any(String)] });
      expect(parseEnvironmentFile('/dev/null')).toEqual({
        problems: [expect.stringContaining('not a regular file')],
      });
    });
  });
});
