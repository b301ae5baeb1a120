import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// scripts/ci/plan.sh and apply.sh with the real Terraform CLI, on stacks of `terraform_data` resources (built into
// Terraform: no provider, no network) with local state, laid out as cdktf synthesizes them: what the deploy
// workflow's plan and apply jobs run, minus the credentials.
const CI = join(__dirname, '..', '..', 'scripts', 'ci');
const COMMIT = 'c'.repeat(40);
const OTHER_COMMIT = 'd'.repeat(40);

interface Result {
  readonly status: number | null;
  readonly output: string;
}

let work: string;
let outdir: string;

function run(script: string, args: string[], extra: NodeJS.ProcessEnv = {}): Result {
  const env: NodeJS.ProcessEnv = { ...process.env, TF_CLI_CONFIG_FILE: join(work, 'terraformrc') };
  for (const key of Object.keys(env)) if (key.startsWith('GITHUB_')) delete env[key];
  Object.assign(env, extra);
  const result = spawnSync('bash', [join(CI, script), ...args], { env, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Two stacks of environment `qa`: `wms-qa-b` depends on `wms-qa-a`; `input` is what each resource holds. */
function synth(inputs: { a: string; b: string }): void {
  const stacks: Record<string, unknown> = {};
  for (const [name, input, dependencies] of [
    ['wms-qa-a', inputs.a, []],
    ['wms-qa-b', inputs.b, ['wms-qa-a']],
  ] as const) {
    mkdirSync(join(outdir, 'stacks', name), { recursive: true });
    const stack = {
      '//': { wms: { environment: 'qa' } },
      terraform: { backend: { local: { path: join(work, 'state', `${name}.tfstate`) } } },
      resource: { terraform_data: { Value: { input } } },
      output: { value: { value: '${terraform_data.Value.output}' } },
    };
    writeFileSync(join(outdir, 'stacks', name, 'cdk.tf.json'), JSON.stringify(stack));
    stacks[name] = { name, dependencies, synthesizedStackPath: `stacks/${name}/cdk.tf.json` };
  }
  writeFileSync(join(outdir, 'manifest.json'), JSON.stringify({ version: '0.21.0', stacks }));
}

const plan = (out = 'plans', mode = 'plan', extra: NodeJS.ProcessEnv = {}): Result =>
  run(
    'plan.sh',
    [
      '--outdir',
      outdir,
      '--environment',
      'qa',
      '--group',
      'all',
      '--commit',
      COMMIT,
      '--out',
      join(work, out),
      '--mode',
      mode,
    ],
    extra,
  );
const apply = (commit = COMMIT, plans = 'plans', extra: NodeJS.ProcessEnv = {}): Result =>
  run(
    'apply.sh',
    ['--outdir', outdir, '--environment', 'qa', '--commit', commit, '--plans', join(work, plans)],
    extra,
  );
const state = (stack: string): string | undefined => {
  const file = join(work, 'state', `${stack}.tfstate`);
  if (!existsSync(file)) return undefined;
  const json = JSON.parse(readFileSync(file, 'utf8')) as { outputs?: { value?: { value: string } } };
  return json.outputs?.value?.value;
};
const meta = (stack: string): string => readFileSync(join(work, 'plans', stack, 'meta'), 'utf8');

function newWorkFolder(): void {
  work = mkdtempSync(join(tmpdir(), 'wms-plan-apply-'));
  outdir = join(work, 'cdktf.out');
  mkdirSync(join(work, 'state'));
  writeFileSync(join(work, 'terraformrc'), '');
}
const removeWorkFolder = (): void => rmSync(work, { recursive: true, force: true });

describe('plan.sh', () => {
  beforeEach(newWorkFolder);
  afterEach(removeWorkFolder);

  it('GIVEN a stack that does not plan THEN the others are planned and it fails, naming the stack', () => {
    synth({ a: 'v1', b: 'v1' });
    const broken = {
      '//': { wms: { environment: 'qa' } },
      resource: { terraform_data: { Value: { nope: 1 } } },
    };
    writeFileSync(join(outdir, 'stacks', 'wms-qa-b', 'cdk.tf.json'), JSON.stringify(broken));
    const result = plan();
    expect(result.status).toBe(1);
    expect(result.output).toMatch(/plan of wms-qa-b failed/);
    expect(readFileSync(join(work, 'plans', 'results-all.tsv'), 'utf8')).toBe(
      'qa\twms-qa-a\tchanges\nqa\twms-qa-b\terror\n',
    );
    expect(existsSync(join(work, 'plans', 'wms-qa-b'))).toBe(false);
  });

  it('GIVEN a commit that is not a full SHA THEN it refuses', () => {
    const result = run('plan.sh', [
      '--outdir',
      outdir,
      '--environment',
      'qa',
      '--group',
      'all',
      '--commit',
      'HEAD',
      '--out',
      work,
    ]);
    expect(result.output).toMatch(/not a 40-character commit SHA/);
  });
});

// One plan of a new environment, shared: each case works on a fresh copy of the plans, and nothing is applied.
describe('apply.sh refuses before applying anything', () => {
  beforeAll(() => {
    newWorkFolder();
    synth({ a: 'v1', b: 'v1' });
    expect(plan('planned').status).toBe(0);
  });
  afterAll(removeWorkFolder);
  beforeEach(() => {
    rmSync(join(work, 'plans'), { recursive: true, force: true });
    cpSync(join(work, 'planned'), join(work, 'plans'), { recursive: true });
  });

  it('GIVEN a plan THEN each stack has a saved plan, its show, and meta tying it to the commit and its inputs', () => {
    expect(readdirSync(join(work, 'plans', 'wms-qa-b')).sort()).toEqual(['meta', 'plan.txt', 'tfplan']);
    expect(meta('wms-qa-b')).toMatch(
      new RegExp(
        `^commit=${COMMIT}\nenvironment=qa\nstack=wms-qa-b\nchanges=yes\ntfplan_sha256=[0-9a-f]{64}\nupstream\\.wms-qa-a=[0-9a-f]{64}\n$`,
      ),
    );
    expect(readFileSync(join(work, 'plans', 'wms-qa-a', 'plan.txt'), 'utf8')).toContain(
      'terraform_data.Value will be created',
    );
    expect(readFileSync(join(work, 'plans', 'results-all.tsv'), 'utf8')).toBe(
      'qa\twms-qa-a\tchanges\nqa\twms-qa-b\tchanges\n',
    );
    expect(readFileSync(join(work, 'plans', 'summary-all.md'), 'utf8')).toContain(
      '- **wms-qa-a**: 1 to add, 0 to change',
    );
  });

  it('GIVEN plans of another commit THEN it refuses', () => {
    const result = apply(OTHER_COMMIT);
    expect(result.status).toBe(1);
    expect(result.output).toMatch(
      new RegExp(`plan of wms-qa-a was made for commit ${COMMIT}, not ${OTHER_COMMIT}`),
    );
  });

  it('GIVEN a plan file changed after planning THEN it refuses', () => {
    writeFileSync(join(work, 'plans', 'wms-qa-b', 'tfplan'), 'tampered');
    expect(apply().output).toMatch(/plan file of wms-qa-b does not match the sha256 recorded/);
  });

  it('GIVEN a missing plan THEN it refuses to apply the environment partly', () => {
    rmSync(join(work, 'plans', 'wms-qa-b'), { recursive: true });
    expect(apply().output).toMatch(/no saved plan for wms-qa-b/);
  });

  it('GIVEN a plan of a stack the synth does not have THEN it refuses', () => {
    mkdirSync(join(work, 'plans', 'wms-qa-z'));
    writeFileSync(join(work, 'plans', 'wms-qa-z', 'meta'), `commit=${COMMIT}\n`);
    expect(apply().output).toMatch(/plan for wms-qa-z, which is not a stack of qa/);
  });

  it('GIVEN a reviewed plan.txt that differs from the plan THEN it refuses', () => {
    writeFileSync(join(work, 'plans', 'wms-qa-a', 'plan.txt'), 'No changes.\n');
    expect(apply().output).toMatch(
      /terraform show of the plan of wms-qa-a differs from the reviewed plan\.txt/,
    );
  });

  afterEach(() => expect(state('wms-qa-a')).toBeUndefined());
});

describe('plan, apply, stale plans and drift', () => {
  beforeEach(newWorkFolder);
  afterEach(removeWorkFolder);

  it('GIVEN a new environment THEN two runs deploy it, a stale plan is refused, and drift is detected', () => {
    synth({ a: 'v1', b: 'v1' });
    expect(plan().status).toBe(0);

    // Run 1: a is applied; its outputs change, and b's plan read the old ones (none): b must be planned again.
    const first = apply();
    expect(first.status).toBe(1);
    expect(first.output).toMatch(
      /outputs of wms-qa-a changed since wms-qa-b was planned .*plan of wms-qa-b is stale/,
    );
    expect([state('wms-qa-a'), state('wms-qa-b')]).toEqual(['v1', undefined]);

    // The same plans again (a re-run of the failed job only): Terraform refuses a's plan, the state moved on.
    const again = apply();
    expect(again.status).toBe(1);
    expect(again.output).toMatch(/Saved plan is stale/);

    // Run 2 plans again: a has no changes and is not applied; b is planned with a's outputs and applied.
    rmSync(join(work, 'plans'), { recursive: true });
    expect(plan().status).toBe(0);
    expect(meta('wms-qa-a')).toContain('changes=no');
    const second = apply();
    expect(second.status).toBe(0);
    expect(second.output).toMatch(/wms-qa-a: no changes, nothing to apply/);
    expect(state('wms-qa-b')).toBe('v1');

    // Drift: b differs from the code, a does not; the drift check keeps no plan file.
    synth({ a: 'v1', b: 'v2' });
    expect(plan('drift', 'drift').status).toBe(0);
    expect(readFileSync(join(work, 'drift', 'results-all.tsv'), 'utf8')).toBe(
      'qa\twms-qa-a\tno-changes\nqa\twms-qa-b\tchanges\n',
    );
    expect(readdirSync(join(work, 'drift')).sort()).toEqual(['results-all.tsv', 'summary-all.md']);
    expect(existsSync(join(outdir, 'stacks', 'wms-qa-b', 'tfplan'))).toBe(false);
  });
});

describe('sensitive variables from SSM (the PagerDuty URL of the prod platform stack)', () => {
  const PARAMETER = '/wms/qa/alerting/pagerduty-cloudwatch-url';
  const URL = 'https://events.pagerduty.com/integration/0123456789abcdef/enqueue';
  beforeEach(newWorkFolder);
  afterEach(removeWorkFolder);

  /** Gives stack b the sensitive variable, recorded as synth records it unless `recorded` is false. */
  function declareVariable(recorded = true): void {
    const file = join(outdir, 'stacks', 'wms-qa-b', 'cdk.tf.json');
    const stack = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, unknown>>;
    stack.variable = { pagerduty_cloudwatch_url: { type: 'string', sensitive: true, nullable: false } };
    (stack.resource.terraform_data as Record<string, unknown>).Url = {
      input: '${var.pagerduty_cloudwatch_url}',
    };
    if (recorded) {
      stack['//'] = {
        wms: {
          environment: 'qa',
          ssmVariables: { pagerduty_cloudwatch_url: { parameter: PARAMETER, region: 'eu-west-1' } },
        },
      };
    }
    writeFileSync(file, JSON.stringify(stack));
  }

  /** A stand-in `aws` first on PATH: records its arguments, prints `value`, or fails as the CLI does without access. */
  function standInAws(value: string | undefined): NodeJS.ProcessEnv {
    const bin = join(work, 'bin');
    mkdirSync(bin, { recursive: true });
    const answer =
      value === undefined
        ? 'echo "An error occurred (AccessDeniedException) when calling the GetParameter operation" >&2; exit 254'
        : `echo '${value}'`;
    writeFileSync(
      join(bin, 'aws'),
      `#!/usr/bin/env bash\necho "$*" >> "${join(work, 'aws-calls')}"\n${answer}\n`,
      {
        mode: 0o755,
      },
    );
    return { PATH: `${bin}:${process.env.PATH ?? ''}` };
  }
  const awsCalls = (): string[] =>
    existsSync(join(work, 'aws-calls'))
      ? readFileSync(join(work, 'aws-calls'), 'utf8').trim().split('\n')
      : [];

  it('GIVEN no recorded source (before this fix) THEN the plan stops at the missing variable, as CI did', () => {
    synth({ a: 'v1', b: 'v1' });
    declareVariable(false);
    const result = plan('plans', 'plan', standInAws(URL));
    expect(result.status).toBe(1);
    expect(result.output).toMatch(/No value for required variable/);
    expect(awsCalls()).toEqual([]);
  });

  it('GIVEN a stack with the variable and one without THEN only the first reads its parameter, masked, never printed', () => {
    synth({ a: 'v1', b: 'v1' });
    declareVariable();
    const result = plan('plans', 'plan', { ...standInAws(URL), GITHUB_ACTIONS: 'true' });
    expect(result.status).toBe(0);
    // One call, for stack b: stack a declares no variable, so it reads nothing.
    expect(awsCalls()).toEqual([
      `ssm get-parameter --name ${PARAMETER} --with-decryption --region eu-west-1 --query Parameter.Value --output text`,
    ]);
    // The value shows once, in the mask command the runner consumes before printing anything.
    expect(result.output.split('\n').filter((line) => line.includes(URL))).toEqual([`::add-mask::${URL}`]);
    for (const file of ['plan.txt', 'meta']) {
      expect(readFileSync(join(work, 'plans', 'wms-qa-b', file), 'utf8')).not.toContain(URL);
    }
    expect(readFileSync(join(work, 'plans', 'wms-qa-b', 'plan.txt'), 'utf8')).toContain('(sensitive value)');
    expect(readFileSync(join(work, 'plans', 'summary-all.md'), 'utf8')).not.toContain(URL);

    // The apply reads no parameter (an `aws` that fails is first on PATH): the saved plan carries the value.
    const applied = apply(COMMIT, 'plans', standInAws(undefined));
    expect(applied.output).toMatch(/plan of wms-qa-b is stale/); // a's outputs changed: the usual second run
    rmSync(join(work, 'plans'), { recursive: true });
    rmSync(join(work, 'aws-calls'));
    expect(plan('plans', 'plan', standInAws(URL)).status).toBe(0);
    expect(awsCalls()).toHaveLength(1);
    const second = apply(COMMIT, 'plans', standInAws(undefined));
    expect(second.status).toBe(0);
    expect(awsCalls()).toHaveLength(1);
    expect(second.output).not.toContain(URL);
    const tfstate = readFileSync(join(work, 'state', 'wms-qa-b.tfstate'), 'utf8');
    expect(tfstate).toContain(URL); // the value the plan was made with reached the resource
  });

  it('GIVEN the drift check THEN it reads the parameter too (a plan without it would stop)', () => {
    synth({ a: 'v1', b: 'v1' });
    declareVariable();
    expect(plan('drift', 'drift', standInAws(URL)).status).toBe(0);
    expect(awsCalls()).toHaveLength(1);
  });

  it('GIVEN a parameter the role cannot read THEN that stack is not planned, naming the parameter; the others are', () => {
    synth({ a: 'v1', b: 'v1' });
    declareVariable();
    const result = plan('plans', 'plan', standInAws(undefined));
    expect(result.status).toBe(1);
    expect(result.output).toMatch(
      new RegExp(
        `cannot read SSM parameter ${PARAMETER} \\(eu-west-1\\) for variable pagerduty_cloudwatch_url`,
      ),
    );
    expect(readFileSync(join(work, 'plans', 'results-all.tsv'), 'utf8')).toBe(
      'qa\twms-qa-a\tchanges\nqa\twms-qa-b\terror\n',
    );
  });
});
