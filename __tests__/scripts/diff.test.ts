import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { loadEnvironments } from '../../config/load';
import { EXIT_OK, EXIT_RISK, EXIT_USAGE, runCli } from '../../scripts/diff';
import { DiffInputError } from '../../diff/compare';
import { synthesizeTree } from '../../diff/synth';
import { stackNames } from '../../assembly/synthesize';
import { baselineStackName } from '../../stacks/baseline-stack';
import { bootstrapStackName } from '../../stacks/bootstrap-stack';
import type { Editable } from '../diff/fixtures/trees';
import { editable, FIXTURES } from '../diff/fixtures/trees';

const REPO = join(__dirname, '..', '..');
const BASE = join(FIXTURES, 'base');
const NOOP = join(FIXTURES, 'noop');
const AFTER = join(FIXTURES, 'after');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const { WMS_ENV_FILE: _extra, ...env } = process.env;
  const code = await runCli(args, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env: { ...env, ...extraEnv },
    cwd: REPO,
  });
  return { code, stdout, stderr };
}

/** Writes a tree as cdktf does: manifest.json and stacks/<name>/cdk.tf.json. */
function writeTree(dir: string, edit: Editable): void {
  const stacks: Record<string, object> = {};
  for (const [name, json] of edit.after.stacks) {
    mkdirSync(join(dir, 'stacks', name), { recursive: true });
    writeFileSync(join(dir, 'stacks', name, 'cdk.tf.json'), JSON.stringify(json));
    stacks[name] = { name, synthesizedStackPath: `stacks/${name}/cdk.tf.json` };
  }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ stacks }));
}

function worktrees(): string {
  return spawnSync('git', ['worktree', 'list', '--porcelain'], { cwd: REPO, encoding: 'utf8' }).stdout;
}

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'wms-diff-test-'));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

describe('exit codes (two folders)', () => {
  it('GIVEN identical trees and --fail-on-risk THEN 0 and "no changes"', async () => {
    const result = await run([BASE, NOOP, '--fail-on-risk']);
    expect(result).toEqual({
      code: EXIT_OK,
      stdout: `wms diff: no changes (3 stacks compared)\ncompared: ${BASE} -> ${NOOP}\n`,
      stderr: '',
    });
  });

  it('GIVEN risky changes and --fail-on-risk THEN 3', async () => {
    const result = await run([BASE, AFTER, '--fail-on-risk']);
    expect(result.code).toBe(EXIT_RISK);
    expect(result.stdout).toMatch(/^wms diff: 25 risky changes \(7 critical, 15 high, 3 medium\)/);
  });

  it('GIVEN risky changes without --fail-on-risk THEN 0 with the report', async () => {
    const result = await run([BASE, AFTER]);
    expect(result.code).toBe(EXIT_OK);
    expect(result.stdout).toContain('Stateful replacements and deletions\n');
  });

  it('GIVEN --fail-on-risk=critical and only high findings THEN 0; with a critical one THEN 3', async () => {
    const edit = editable();
    edit.resources().aws_subnet.Network_PublicSubnet0_AB12CD34.map_public_ip_on_launch = true;
    const highOnly = join(scratch, 'high');
    writeTree(highOnly, edit);
    expect((await run([BASE, highOnly, '--fail-on-risk=critical'])).code).toBe(EXIT_OK);
    expect((await run([BASE, highOnly, '--fail-on-risk=high'])).code).toBe(EXIT_RISK);
    expect((await run([BASE, AFTER, '--fail-on-risk=critical'])).code).toBe(EXIT_RISK);
  });

  it('GIVEN only a non-risky change and --fail-on-risk THEN 0, and the change is listed', async () => {
    const edit = editable();
    (edit.resources().aws_vpc.Network_Vpc_1A2B3C4D.tags as Record<string, string>).Team = 'infrastructure';
    const tagged = join(scratch, 'tagged');
    writeTree(tagged, edit);
    const result = await run([BASE, tagged, '--fail-on-risk']);
    expect(result.code).toBe(EXIT_OK);
    expect(result.stdout).toContain('No risky changes.');
    expect(result.stdout).toContain('tags.Team: "platform" -> "infrastructure"');
  });

  it.each([
    [[], /expected a base ref, or two cdktf.out folders/],
    [['--bogus', BASE, AFTER], /unknown option --bogus \(see --help\)/],
    [[BASE, AFTER, '-x'], /unknown option -x/],
    [[BASE, AFTER, '--plan=yes'], /--plan takes no value/],
    [[BASE, AFTER, '--plan-cache', '/tmp/x'], /--plan-cache goes with --plan/],
    [[BASE, AFTER, '--output'], /--output needs a value/],
    [[BASE, AFTER, '--format', 'html'], /--format: "html" is not one of text, markdown, json/],
    [[BASE, AFTER, '--format'], /--format needs a value/],
    [
      [BASE, AFTER, '--fail-on-risk=severe'],
      /--fail-on-risk: "severe" is not one of critical, high, medium, low/,
    ],
    [[BASE, AFTER, NOOP], /expected at most two arguments, got 3/],
    [[BASE, AFTER, '--after', NOOP], /--after goes with a base ref, not with two folders/],
    [[BASE, join(FIXTURES, 'missing')], /missing: no such file or directory/],
    [['no-such-ref-anywhere'], /"no-such-ref-anywhere" is not a commit in/],
  ])('GIVEN %j THEN 2 with the reason', async (args, message) => {
    const result = await run(args as string[]);
    expect(result.code).toBe(EXIT_USAGE);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message as RegExp);
  });

  it('GIVEN --help THEN 0 with the usage', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(EXIT_OK);
    expect(result.stdout).toContain('Usage: npm run diff -- <base-ref> [options]');
    expect(result.stdout).toContain('--plan ');
  });

  it('GIVEN --help among other arguments, even bad ones THEN 0 with the usage at once, nothing compared', async () => {
    for (const args of [
      ['--bogus', '--help'],
      ['no-such-ref-anywhere', '-h', '--format', 'yaml'],
    ]) {
      const result = await run(args);
      expect(result).toEqual({ code: EXIT_OK, stdout: expect.stringContaining('Usage:'), stderr: '' });
    }
  });
});

describe('formats and output', () => {
  it('GIVEN --format markdown THEN a PR comment starting with the totals', async () => {
    const result = await run([BASE, AFTER, '--format', 'markdown']);
    expect(result.stdout.split('\n')[0]).toMatch(/^### wms diff: 25 risky changes/);
    expect(result.stdout).toContain('#### Stateful replacements and deletions');
    expect(result.stdout).toContain('#### Other risky changes');
  });

  it('GIVEN --format=json THEN one JSON document', async () => {
    const result = await run([BASE, AFTER, '--format=json']);
    const json = JSON.parse(result.stdout);
    expect(json.summary.risky).toBe(25);
    expect(json.stacks.map((s: { stack: string; status: string }) => [s.stack, s.status])).toEqual([
      ['wms-test-app', 'changed'],
      ['wms-test-extra', 'added'],
      ['wms-test-legacy', 'removed'],
      ['wms-test-platform', 'changed'],
    ]);
  });

  it('GIVEN --output THEN the report goes to the file and the totals to stdout', async () => {
    const file = join(scratch, 'diff.md');
    const result = await run([BASE, AFTER, '--format', 'markdown', '--output', file, '--fail-on-risk']);
    expect(result.code).toBe(EXIT_RISK);
    expect(result.stdout).toMatch(
      new RegExp(`^wms diff: 25 risky changes.*\\nreport written to ${file}\\n$`),
    );
    expect(readFileSync(file, 'utf8')).toMatch(/^### wms diff: 25 risky changes/);
  });
});

describe('the compiled CLI (as npm run diff runs it)', () => {
  it('GIVEN risky changes, bad arguments and no changes THEN exit statuses 3, 2 and 0', () => {
    const cli = join(scratch, 'diff.js');
    buildSync({
      entryPoints: [join(REPO, 'scripts', 'diff.ts')],
      outfile: cli,
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'cjs',
      logLevel: 'silent',
    });
    const node = (args: string[]) =>
      spawnSync(process.execPath, [cli, ...args], {
        cwd: REPO,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, NODE_PATH: join(REPO, 'node_modules') },
      });
    expect(node([BASE, AFTER, '--fail-on-risk']).status).toBe(EXIT_RISK);
    const usage = node(['--format', 'yaml']);
    expect(usage.status).toBe(EXIT_USAGE);
    expect(usage.stderr).toContain('diff: --format: "yaml" is not one of text, markdown, json');
    expect(node([BASE, NOOP, '--fail-on-risk']).status).toBe(EXIT_OK);
  });
});

describe('<base-ref> mode', () => {
  it('GIVEN HEAD THEN it synthesizes HEAD in a worktree and the working tree, reports only existing stacks, and leaves no worktree', async () => {
    const before = worktrees();
    const result = await run(['HEAD', '--format', 'json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(EXIT_OK);
    const json = JSON.parse(result.stdout);
    expect(json.before).toMatch(/^HEAD \([0-9a-f]{7}\)$/);
    expect(json.after).toBe('working tree');
    const configs = loadEnvironments({ configDir: join(REPO, 'config') });
    const configured = [
      ...new Set(configs.map((config) => bootstrapStackName(config.awsAccountId))),
      ...new Set(configs.map((config) => baselineStackName(config.awsAccountId))),
      ...configs.flatMap((config) => Object.values(stackNames(config.name))),
    ];
    const reported = json.stacks as { stack: string; status: string }[];
    expect(
      reported
        .filter((s) => s.status !== 'removed')
        .map((s) => s.stack)
        .sort(),
    ).toEqual([...configured].sort());
    for (const stack of reported.filter((s) => s.status === 'removed'))
      expect(configured).not.toContain(stack.stack);
    expect(worktrees()).toBe(before);
  }, 120_000);

  it('GIVEN --after with a folder that does not exist THEN 2 before any synth', async () => {
    const before = worktrees();
    const result = await run(['HEAD', '--after', join(scratch, 'absent')]);
    expect(result.code).toBe(EXIT_USAGE);
    expect(result.stderr).toMatch(/--after .*absent: no such file or directory/);
    expect(worktrees()).toBe(before);
  });

  it('GIVEN --after <dir> and a base whose synth fails THEN 2 with its output, and the worktree is removed all the same', async () => {
    const before = worktrees();
    const broken = join(scratch, 'broken.json');
    writeFileSync(broken, '{"name": ');
    // With --after only the base is synthesized, so the failure is the base's.
    const result = await run(['HEAD', '--after', BASE], { WMS_ENV_FILE: broken });
    expect(result.code).toBe(EXIT_USAGE);
    expect(result.stderr).toMatch(/^diff: HEAD \([0-9a-f]{7}\): synth failed:\n/);
    expect(result.stderr).toContain(`${broken}: is not valid JSON`);
    expect(worktrees()).toBe(before);
  }, 120_000);

  it('GIVEN a tree whose build fails THEN an input error with its output', async () => {
    mkdirSync(join(scratch, 'scripts'));
    writeFileSync(
      join(scratch, 'scripts', 'build.mjs'),
      'console.error("cannot build this"); process.exit(1);\n',
    );
    const attempt = synthesizeTree(scratch, join(scratch, 'out'), 'old (abc1234)', process.env, scratch);
    await expect(attempt).rejects.toThrow(DiffInputError);
    await expect(attempt).rejects.toThrow(/old \(abc1234\): scripts\/build.mjs failed:\ncannot build this/);
    expect(existsSync(join(scratch, 'out'))).toBe(false);
  });
});

describe('--plan (exact mode, real terraform)', () => {
  /** A one-stack tree with an AWS provider and an SNS topic named `name`, and a log group using its ARN. */
  function tinyTree(dir: string, topicName: string): void {
    const stack = {
      terraform: { required_providers: { aws: { source: 'aws', version: '5.100.0' } } },
      provider: { aws: [{ region: 'eu-west-1' }] },
      resource: {
        aws_sns_topic: { Topic: { name: topicName } },
        aws_cloudwatch_metric_alarm: {
          Alarm: {
            alarm_name: 'wms-tiny',
            comparison_operator: 'GreaterThanThreshold',
            evaluation_periods: 1,
            metric_name: 'CPUUtilization',
            namespace: 'AWS/EC2',
            period: 60,
            statistic: 'Average',
            threshold: 80,
            alarm_actions: ['${aws_sns_topic.Topic.arn}'],
          },
        },
      },
    };
    mkdirSync(join(dir, 'stacks', 'wms-tiny'), { recursive: true });
    writeFileSync(join(dir, 'stacks', 'wms-tiny', 'cdk.tf.json'), JSON.stringify(stack));
    writeFileSync(
      join(dir, 'manifest.json'),
      JSON.stringify({
        stacks: { 'wms-tiny': { name: 'wms-tiny', synthesizedStackPath: 'stacks/wms-tiny/cdk.tf.json' } },
      }),
    );
  }

  it('GIVEN a renamed topic THEN Terraform replaces it, the alarm naming its ARN updates, and the diff agrees', async () => {
    tinyTree(join(scratch, 'before'), 'wms-tiny');
    tinyTree(join(scratch, 'after'), 'wms-tiny-v2');
    const cache = join(scratch, 'cache');
    const args = [join(scratch, 'before'), join(scratch, 'after'), '--plan', '--plan-cache', cache];
    const cold = await run([...args, '--format', 'json']);
    expect(cold.code).toBe(EXIT_OK);
    const stack = JSON.parse(cold.stdout).stacks[0];
    if (stack.exact.status === 'unavailable') throw new Error(stack.exact.reason);
    expect(stack.exact).toMatchObject({
      status: 'planned',
      cached: false,
      residue: [],
      counts: { create: 0, update: 1, replace: 1, delete: 0, move: 0 },
    });
    expect(stack.agreement).toMatchObject({ falsePositives: 0, falseNegatives: 0, disagreements: [] });
    expect(cold.stderr).toMatch(/plan wms-tiny: planned, [\d.]+s \(base state built in \d rounds\)/);
    const warm = await run(args);
    expect(warm.stderr).toMatch(/plan wms-tiny: planned, [\d.]+s \(base state from the cache\)/);
    expect(warm.stdout).toContain(
      'wms-tiny: 0 to create, 1 to update, 1 to replace, 0 to delete, 0 to move (terraform plan)',
    );
    expect(warm.stdout).toContain('the semantic diff agrees with the plan on every resource');
  }, 300_000);
});
