import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gunzipSync, gzipSync } from 'node:zlib';
import { join } from 'node:path';

const CI = join(__dirname, '..', '..', 'scripts', 'ci');

interface Result {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a scripts/ci tool with bash, outside GitHub Actions unless `env` says otherwise. */
function run(script: string, args: string[], env: Record<string, string> = {}, input?: string): Result {
  const base = { ...process.env };
  for (const key of Object.keys(base)) if (key.startsWith('GITHUB_')) delete base[key];
  const result = spawnSync('bash', [join(CI, script), ...args], {
    env: { ...base, ...env },
    encoding: 'utf8',
    input,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface FixtureStack {
  readonly name: string;
  readonly environment: string;
  readonly providers: string[];
  readonly dependencies?: string[];
  readonly body?: Record<string, unknown>;
}

/** A synthesized tree as cdktf writes it: manifest.json and stacks/<name>/cdk.tf.json with our metadata. */
function writeTree(dir: string, stacks: FixtureStack[]): void {
  const manifest: Record<string, unknown> = {};
  for (const stack of stacks) {
    mkdirSync(join(dir, 'stacks', stack.name), { recursive: true });
    const provider = Object.fromEntries(stack.providers.map((p) => [p, [{}]]));
    writeFileSync(
      join(dir, 'stacks', stack.name, 'cdk.tf.json'),
      JSON.stringify({ '//': { wms: { environment: stack.environment } }, provider, ...stack.body }),
    );
    manifest[stack.name] = {
      name: stack.name,
      dependencies: stack.dependencies ?? [],
      synthesizedStackPath: `stacks/${stack.name}/cdk.tf.json`,
      workingDirectory: `stacks/${stack.name}`,
    };
  }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ version: '0.21.0', stacks: manifest }));
}

/** Executables on PATH that record their arguments (one call a line) and print what `script` prints. */
function stub(bin: string, name: string, script: string): void {
  const file = join(bin, name);
  writeFileSync(file, `#!/usr/bin/env bash\necho "${name} $*" >> "${bin}/calls"\n${script}\n`);
  chmodSync(file, 0o755);
}
const calls = (bin: string): string[] =>
  existsSync(join(bin, 'calls')) ? readFileSync(join(bin, 'calls'), 'utf8').trim().split('\n') : [];

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'wms-ci-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

const ENVIRONMENT_STACKS: FixtureStack[] = [
  {
    name: 'wms-qa-app',
    environment: 'qa',
    providers: ['aws', 'kubernetes'],
    dependencies: ['wms-qa-platform', 'wms-qa-cluster-config'],
  },
  {
    name: 'wms-qa-cluster-config',
    environment: 'qa',
    providers: ['aws', 'kubernetes'],
    dependencies: ['wms-qa-cluster-services', 'wms-qa-platform'],
  },
  {
    name: 'wms-qa-cluster-services',
    environment: 'qa',
    providers: ['aws', 'helm', 'kubernetes'],
    dependencies: ['wms-qa-platform'],
  },
  { name: 'wms-qa-platform', environment: 'qa', providers: ['aws'] },
  { name: 'wms-qa-zz-budget', environment: 'qa', providers: ['aws'] },
  { name: 'wms-other-platform', environment: 'other', providers: ['aws'] },
];

describe('stacks.sh', () => {
  beforeEach(() => writeTree(work, ENVIRONMENT_STACKS));

  it('GIVEN an environment THEN its stacks in dependency order, of no other environment', () => {
    const result = run('stacks.sh', [work, 'qa']);
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual([
      'wms-qa-platform',
      'wms-qa-cluster-services',
      'wms-qa-cluster-config',
      'wms-qa-app',
      'wms-qa-zz-budget',
    ]);
  });

  it('GIVEN the aws and cluster groups THEN they split by provider: kubernetes or helm need the cluster network', () => {
    expect(run('stacks.sh', [work, 'qa', 'aws']).stdout.trim().split('\n')).toEqual([
      'wms-qa-platform',
      'wms-qa-zz-budget',
    ]);
    expect(run('stacks.sh', [work, 'qa', 'cluster']).stdout.trim().split('\n')).toEqual([
      'wms-qa-cluster-services',
      'wms-qa-cluster-config',
      'wms-qa-app',
    ]);
  });

  it('GIVEN --with-deps THEN each line names the dependencies of the stack', () => {
    const lines = run('stacks.sh', [work, 'qa', 'cluster', '--with-deps']).stdout.trim().split('\n');
    expect(lines[0]).toBe('wms-qa-cluster-services wms-qa-platform');
    expect(lines[2]).toBe('wms-qa-app wms-qa-cluster-config,wms-qa-platform');
  });

  it('GIVEN an environment without stacks, or a bad group THEN it fails and says why', () => {
    const unknown = run('stacks.sh', [work, 'nope']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/no stack of environment "nope"/);
    expect(run('stacks.sh', [work, 'qa', 'k8s']).stderr).toMatch(/group "k8s" is not aws, cluster or all/);
  });

  it('GIVEN no manifest THEN it asks for a synth', () => {
    expect(run('stacks.sh', [join(work, 'missing'), 'qa']).stderr).toMatch(
      /manifest\.json not found .*npm run synth/,
    );
  });
});

describe('plan-summary.sh', () => {
  const plan = {
    resource_changes: [
      { address: 'aws_vpc.a', change: { actions: ['create'], after: { secret: 'hunter2' } } },
      { address: 'aws_db.b', change: { actions: ['delete', 'create'] } },
      { address: 'aws_sg.c', change: { actions: ['update'] } },
      { address: 'aws_s3.d', change: { actions: ['delete'] } },
      { address: 'aws_kms.e', change: { actions: ['no-op'] } },
      { address: 'data.aws_eks.f', change: { actions: ['read'] } },
    ],
    resource_drift: [{ address: 'aws_sg.c' }],
  };

  it('GIVEN a plan THEN counts as Terraform does (a replacement adds and destroys) and lists each change', () => {
    const result = run('plan-summary.sh', ['wms-qa-platform'], {}, JSON.stringify(plan));
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(
      '- **wms-qa-platform**: 2 to add, 1 to change, 2 to destroy (1 replaced), 1 drifted outside Terraform',
    );
    expect(result.stdout).toContain('  - `aws_db.b`: replace');
    expect(result.stdout).not.toMatch(/aws_kms\.e|data\.aws_eks\.f/);
  });

  it('GIVEN values in the plan THEN none is printed, only addresses and actions', () => {
    expect(run('plan-summary.sh', ['s'], {}, JSON.stringify(plan)).stdout).not.toContain('hunter2');
  });

  it('GIVEN more changes than the limit THEN the list is cut with a count', () => {
    const result = run('plan-summary.sh', ['s', '2'], {}, JSON.stringify(plan));
    expect(result.stdout).toContain('... and 2 more (see the plan artifact)');
  });

  it('GIVEN no change THEN it says so', () => {
    expect(run('plan-summary.sh', ['s'], {}, '{}').stdout.trim()).toBe(
      '- **s**: 0 to add, 0 to change, 0 to destroy: no changes',
    );
  });
});

describe('change-window.sh', () => {
  const FRIDAY = '2026-08-21 12:00 UTC';
  const window = (env: Record<string, string>): Result => {
    const summary = join(work, 'summary.md');
    writeFileSync(summary, '');
    return run('change-window.sh', [], {
      FREEZE_FRIDAYS: 'true',
      EVENT_NAME: 'push',
      GITHUB_STEP_SUMMARY: summary,
      ...env,
    });
  };

  it('GIVEN a Thursday THEN the window is open', () => {
    const result = window({ NOW: '2026-08-20 12:00 UTC' });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/change window: open \(Thursday/);
  });

  it('GIVEN a Friday THEN the apply is refused, with how to force it', () => {
    const result = window({ NOW: FRIDAY });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/no production apply on Fridays .*force=true and a reason/);
  });

  it('GIVEN Thursday 23:30 UTC in summer THEN it is Friday in Dublin, the team time zone, and refused', () => {
    expect(window({ NOW: '2026-08-20 23:30 UTC' }).status).toBe(1);
    expect(window({ NOW: '2026-08-20 23:30 UTC', CHANGE_WINDOW_TZ: 'UTC' }).status).toBe(0);
  });

  it('GIVEN a manual run forced with a reason on a Friday THEN it goes ahead and the reason is in the job summary', () => {
    const result = window({
      NOW: FRIDAY,
      EVENT_NAME: 'workflow_dispatch',
      FORCE: 'true',
      REASON: ' CVE-2026-1234 fix\n cannot wait ',
      ACTOR: 'octocat',
    });
    expect(result.status).toBe(0);
    const summary = readFileSync(join(work, 'summary.md'), 'utf8');
    expect(summary).toContain('Forced by **octocat**');
    expect(summary).toContain('Reason: CVE-2026-1234 fix cannot wait');
  });

  it.each([
    ['force without a reason', { EVENT_NAME: 'workflow_dispatch', FORCE: 'true', REASON: '   ' }],
    ['a reason without force', { EVENT_NAME: 'workflow_dispatch', FORCE: 'false', REASON: 'urgent' }],
    ['force on a push', { EVENT_NAME: 'push', FORCE: 'true', REASON: 'urgent' }],
  ])('GIVEN %s on a Friday THEN it is refused', (_case, env) => {
    expect(window({ NOW: FRIDAY, ...env }).status).toBe(1);
  });

  it('GIVEN an environment without the freeze (staging) THEN Friday is open', () => {
    expect(window({ NOW: FRIDAY, FREEZE_FRIDAYS: 'false' }).status).toBe(0);
  });
});

describe('smoke.sh', () => {
  let bin: string;
  const ROLE = 'arn:aws:iam::222222222222:role/wms-qa-github-apply';
  const app: FixtureStack = {
    name: 'wms-qa-app',
    environment: 'qa',
    providers: [],
    body: {
      provider: {
        aws: [{}],
        kubernetes: [
          {
            exec: [
              {
                args: [
                  'eks',
                  'get-token',
                  '--cluster-name',
                  'wms-qa-eks',
                  '--region',
                  'eu-west-1',
                  '--role-arn',
                  ROLE,
                ],
              },
            ],
          },
        ],
      },
      resource: { kubernetes_ingress_v1: { Wms: { spec: { rule: [{ host: 'qa.wms.example.com' }] } } } },
    },
  };
  const smoke = (status: string, caller: string): Result => {
    stub(
      bin,
      'aws',
      `case "$*" in *describe-cluster*) echo ${status};; *get-caller-identity*) echo ${caller};; esac`,
    );
    stub(bin, 'kubectl', 'true');
    stub(bin, 'curl', 'true');
    return run('smoke.sh', [join(work, 'out'), 'qa'], {
      PATH: `${bin}:${process.env.PATH}`,
      SMOKE_ATTEMPTS: '2',
      SMOKE_DELAY_SECONDS: '0',
    });
  };

  beforeEach(() => {
    bin = join(work, 'bin');
    mkdirSync(bin);
    writeTree(join(work, 'out'), [app, { name: 'wms-qa-platform', environment: 'qa', providers: ['aws'] }]);
  });

  it('GIVEN an active cluster THEN it checks /readyz with kubectl and /api/health through the load balancer', () => {
    const result = smoke('ACTIVE', `arn:aws:sts::222222222222:assumed-role/wms-qa-github-apply/s`);
    expect(result.status).toBe(0);
    const log = calls(bin);
    expect(log).toContain(
      'aws eks describe-cluster --name wms-qa-eks --region eu-west-1 --query cluster.status --output text',
    );
    expect(log.find((c) => c.startsWith('kubectl'))).toMatch(/^kubectl --kubeconfig \S+ get --raw \/readyz$/);
    expect(log.find((c) => c.startsWith('curl'))).toBe(
      'curl -fsS --max-time 10 https://qa.wms.example.com/api/health',
    );
  });

  it('GIVEN the job is the deploy role already THEN the kubeconfig does not assume it again', () => {
    smoke('ACTIVE', `arn:aws:sts::222222222222:assumed-role/wms-qa-github-apply/s`);
    expect(calls(bin).find((c) => c.includes('update-kubeconfig'))).not.toContain('--role-arn');
  });

  it('GIVEN another identity THEN the kubeconfig goes through the deploy role', () => {
    smoke('ACTIVE', 'arn:aws:sts::222222222222:assumed-role/wms-platform-admin/s');
    expect(calls(bin).find((c) => c.includes('update-kubeconfig'))).toContain(`--role-arn ${ROLE}`);
  });

  it('GIVEN a cluster that stays UPDATING THEN it fails after the retries, before touching the API', () => {
    const result = smoke('UPDATING', 'x');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/smoke check failed after 2 attempts: EKS cluster wms-qa-eks is ACTIVE/);
    expect(calls(bin).filter((c) => c.includes('describe-cluster'))).toHaveLength(2);
    expect(calls(bin).some((c) => c.startsWith('kubectl') || c.startsWith('curl'))).toBe(false);
  });

  it('GIVEN an unhealthy application THEN it fails naming the URL', () => {
    stub(bin, 'aws', `case "$*" in *describe-cluster*) echo ACTIVE;; *get-caller-identity*) echo x;; esac`);
    stub(bin, 'kubectl', 'true');
    stub(bin, 'curl', 'exit 22');
    const result = run('smoke.sh', [join(work, 'out'), 'qa'], {
      PATH: `${bin}:${process.env.PATH}`,
      SMOKE_ATTEMPTS: '3',
      SMOKE_DELAY_SECONDS: '0',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/after 3 attempts: https:\/\/qa\.wms\.example\.com\/api\/health/);
  });
});

describe('drift-issue.sh', () => {
  let bin: string;
  const TITLE = 'Infrastructure drift detected';
  const report = (lines: string[], openIssues: object[]): Result => {
    const results = join(work, 'drift');
    mkdirSync(results, { recursive: true });
    writeFileSync(join(results, 'results-aws.tsv'), lines.map((l) => `${l}\n`).join(''));
    writeFileSync(
      join(results, 'summary-aws.md'),
      '- **wms-qa-platform**: 0 to add, 1 to change, 0 to destroy\n',
    );
    writeFileSync(join(work, 'issues.json'), JSON.stringify(openIssues));
    stub(
      bin,
      'gh',
      `case "$1 $2" in "issue list") cat "${join(work, 'issues.json')}";; "issue create") echo https://x/issues/9;; esac
       for a in "$@"; do if [ -f "$a" ]; then cp "$a" "${join(work, 'body.md')}"; fi; done`,
    );
    return run(
      'drift-issue.sh',
      ['--results', results, '--repo', 'acme/wms-platform', '--run-url', 'https://run/1'],
      {
        PATH: `${bin}:${process.env.PATH}`,
      },
    );
  };

  beforeEach(() => {
    bin = join(work, 'bin');
    mkdirSync(bin);
  });

  it('GIVEN a drifted stack and no open issue THEN it opens one listing the stack', () => {
    const result = report(['qa\twms-qa-platform\tchanges', 'qa\twms-qa-app\tno-changes'], []);
    expect(result.status).toBe(0);
    const create = calls(bin).find((c) => c.startsWith('gh issue create'));
    expect(create).toContain(`--title ${TITLE}`);
    const body = readFileSync(join(work, 'body.md'), 'utf8');
    expect(body).toContain('- `qa` **wms-qa-platform**: differs from main');
    expect(body).not.toContain('wms-qa-app');
    expect(body).toContain('0 to add, 1 to change');
  });

  it('GIVEN a drifted stack and the issue open THEN it updates that issue (found by its exact title), no duplicate', () => {
    report(
      ['qa\twms-qa-platform\tchanges'],
      [
        { number: 3, title: `${TITLE} (old format)` },
        { number: 7, title: TITLE },
      ],
    );
    const log = calls(bin);
    expect(log.find((c) => c.startsWith('gh issue edit'))).toMatch(
      /^gh issue edit 7 --repo acme\/wms-platform --body-file /,
    );
    expect(log.find((c) => c.startsWith('gh issue comment'))).toMatch(
      /^gh issue comment 7 .*https:\/\/run\/1/,
    );
    expect(log.some((c) => c.startsWith('gh issue create'))).toBe(false);
  });

  it('GIVEN a stack that could not be planned THEN the issue says so', () => {
    report(['qa\twms-qa-app\terror'], []);
    expect(readFileSync(join(work, 'body.md'), 'utf8')).toContain(
      '- `qa` **wms-qa-app**: could not be planned',
    );
  });

  it('GIVEN no drift and the issue open THEN it closes it with a comment', () => {
    report(['qa\twms-qa-platform\tno-changes'], [{ number: 7, title: TITLE }]);
    expect(calls(bin).find((c) => c.startsWith('gh issue close'))).toMatch(
      /^gh issue close 7 .*--comment No drift/,
    );
  });

  it('GIVEN no drift and no issue THEN it only lists the open issues', () => {
    report(['qa\twms-qa-platform\tno-changes'], []);
    expect(calls(bin).map((c) => c.split(' ').slice(0, 3).join(' '))).toEqual(['gh issue list']);
  });
});

describe('pr-comment.sh', () => {
  it('GIVEN a diff THEN the comment holds it, the commit and the run', () => {
    writeFileSync(join(work, 'diff.md'), '### Risky changes\n- replace aws_db_cluster\n');
    const result = run('pr-comment.sh', [join(work, 'diff.md'), 'a'.repeat(40), 'https://run/1']);
    expect(result.stdout).toContain('### Risky changes\n- replace aws_db_cluster');
    expect(result.stdout).toContain('`aaaaaaaaaaaa`');
    expect(result.stdout).toContain('[the run](https://run/1)');
  });

  it('GIVEN a diff longer than a comment may be THEN it is cut with a note', () => {
    writeFileSync(join(work, 'diff.md'), 'x'.repeat(500));
    const result = run('pr-comment.sh', [join(work, 'diff.md'), 'a'.repeat(40), 'u'], {
      COMMENT_LIMIT_CHARS: '100',
    });
    expect(result.stdout).toContain('The diff is cut here (500 characters)');
    expect(result.stdout).not.toContain('x'.repeat(101));
  });

  it('GIVEN a cost estimate THEN it follows the diff; GIVEN none THEN the comment says so', () => {
    writeFileSync(join(work, 'diff.md'), 'the diff\n');
    writeFileSync(join(work, 'cost.md'), '## Estimated monthly cost\n| prod | 1.00 | 2.00 | +1.00 |\n');
    const args = [join(work, 'diff.md'), 'a'.repeat(40), 'u'];
    const withCost = run('pr-comment.sh', [...args, join(work, 'cost.md')]).stdout;
    expect(withCost.indexOf('| prod | 1.00 | 2.00 | +1.00 |')).toBeGreaterThan(withCost.indexOf('the diff'));
    expect(run('pr-comment.sh', [...args, join(work, 'missing.md')]).stdout).toContain(
      '**The cost estimate could not be produced**',
    );
    expect(run('pr-comment.sh', args).stdout).not.toContain('cost estimate');
  });

  it('GIVEN no diff (the synth failed) THEN the comment says it could not be produced', () => {
    expect(run('pr-comment.sh', [join(work, 'missing.md'), 'a'.repeat(40), 'u']).stdout).toContain(
      '**The diff could not be produced**',
    );
  });
});

describe('with-variables.sh (the stacks an administrator applies by hand: the baseline)', () => {
  const PARAMETER = '/wms/prod/alerting/pagerduty-cloudwatch-url';
  const URL = 'https://events.pagerduty.com/integration/0123456789abcdef/enqueue';
  let bin: string;
  beforeEach(() => {
    bin = join(work, 'bin');
    mkdirSync(bin);
    stub(bin, 'aws', `echo '${URL}'`);
  });
  const stack = (name: string, wms: Record<string, unknown>): string => {
    mkdirSync(join(work, name));
    writeFileSync(join(work, name, 'cdk.tf.json'), JSON.stringify({ '//': { wms } }));
    return join(work, name);
  };
  // The command reports whether it saw the variable, never its value.
  const probe = [
    'bash',
    '-c',
    'test "$TF_VAR_pagerduty_cloudwatch_url" = "$EXPECTED" && echo seen || echo unset',
  ];

  it('GIVEN a stack with the variable THEN the command runs with it, read from the recorded parameter', () => {
    const dir = stack('wms-baseline-333333333333', {
      environment: 'account-333333333333',
      ssmVariables: { pagerduty_cloudwatch_url: { parameter: PARAMETER, region: 'eu-west-1' } },
    });
    const result = run('with-variables.sh', [dir, ...probe], {
      PATH: `${bin}:${process.env.PATH}`,
      EXPECTED: URL,
    });
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe('seen');
    expect(calls(bin)).toEqual([
      `aws ssm get-parameter --name ${PARAMETER} --with-decryption --region eu-west-1 --query Parameter.Value --output text`,
    ]);
    expect(`${result.stdout}${result.stderr}`).not.toContain(URL);
  });

  it('GIVEN a stack without it THEN the command runs as is and nothing is read', () => {
    const dir = stack('wms-baseline-111111111111', { environment: 'account-111111111111' });
    const result = run('with-variables.sh', [dir, ...probe], {
      PATH: `${bin}:${process.env.PATH}`,
      EXPECTED: '',
    });
    expect(result.stdout.trim()).toBe('seen');
    expect(calls(bin)).toEqual([]);
  });

  it('GIVEN a malformed record or no synth THEN it fails before running the command', () => {
    const bad = stack('wms-bad', { ssmVariables: { pagerduty_cloudwatch_url: '/wms/x' } });
    const result = run('with-variables.sh', [bad, 'echo', 'ran'], { PATH: `${bin}:${process.env.PATH}` });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /"\/\/"\.wms\.ssmVariables\.pagerduty_cloudwatch_url: "\/wms\/x" is not \{parameter, region\}/,
    );
    expect(result.stdout).not.toContain('ran');
    expect(run('with-variables.sh', [join(work, 'missing'), 'echo']).stderr).toMatch(
      /run npm run synth first/,
    );
  });
});

describe('helm-release-records.sh (release records from Secrets to ConfigMaps, losing nothing)', () => {
  // A release record as Helm's Secret driver writes it: `release` is base64(gzip(JSON)), and the API returns Secret
  // data base64-encoded once more.
  const releaseJson = (name: string, version: number) =>
    JSON.stringify({ name, version, info: { status: 'deployed' }, manifest: `kind: Deployment # ${name}` });
  const encoded = (json: string) => gzipSync(Buffer.from(json)).toString('base64');
  const record = (namespace: string, name: string, version: number) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'helm.sh/release.v1',
    metadata: {
      namespace,
      name: `sh.helm.release.v1.${name}.v${version}`,
      labels: { name, owner: 'helm', status: 'deployed', version: String(version) },
    },
    data: { release: Buffer.from(encoded(releaseJson(name, version))).toString('base64') },
  });
  let bin: string;
  let state: string;
  const list = (items: unknown[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
  const configMaps = () =>
    (
      JSON.parse(readFileSync(join(state, 'configmaps.json'), 'utf8')) as {
        items: {
          metadata: { namespace: string; name: string; labels: unknown };
          data: { release: string };
        }[];
      }
    ).items;
  const records = (mode: string) =>
    run('helm-release-records.sh', [mode], { PATH: `${bin}:${process.env.PATH}` });

  beforeEach(() => {
    bin = join(work, 'bin');
    state = join(work, 'state');
    mkdirSync(bin);
    mkdirSync(state);
    const other = { ...record('monitoring', 'x', 1), type: 'Opaque' }; // labelled like one, but not Helm's
    writeFileSync(
      join(state, 'secrets.json'),
      list([record('monitoring', 'loki', 3), record('kube-system', 'metrics-server', 1), other]),
    );
    writeFileSync(join(state, 'configmaps.json'), list([]));
    stub(
      bin,
      'kubectl',
      `case "$*" in
  "get secrets "*) cat "${state}/secrets.json" ;;
  "get configmaps "*) cat "${state}/configmaps.json" ;;
  "create -f -") node -e 'const fs = require("node:fs"); const f = process.argv[1]; const s = JSON.parse(fs.readFileSync(f, "utf8")); s.items.push(...JSON.parse(fs.readFileSync(0, "utf8")).items); fs.writeFileSync(f, JSON.stringify(s));' "${state}/configmaps.json" ;;
esac`,
    );
  });

  it('GIVEN release Secrets THEN copy writes ConfigMaps with the same names, labels and release, as the ConfigMap driver reads them', () => {
    const result = records('copy');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('copied 2 release records');
    const copies = configMaps();
    expect(copies.map((c) => `${c.metadata.namespace}/${c.metadata.name}`)).toEqual([
      'kube-system/sh.helm.release.v1.metrics-server.v1',
      'monitoring/sh.helm.release.v1.loki.v3',
    ]);
    // The ConfigMap driver decodes `release` as base64(gzip(JSON)): the release comes back whole.
    expect(gunzipSync(Buffer.from(copies[1].data.release, 'base64')).toString()).toBe(releaseJson('loki', 3));
    expect(copies[1].metadata.labels).toEqual({
      name: 'loki',
      owner: 'helm',
      status: 'deployed',
      version: '3',
    });
    expect(records('verify').stdout).toContain('every release Secret (2) has an identical ConfigMap');
    // Run again: nothing left to create, nothing overwritten.
    expect(records('copy').stdout).toContain('copied 0 release records');
    expect(calls(bin).filter((c) => c.startsWith('kubectl create'))).toHaveLength(1);
  });

  it('GIVEN a ConfigMap that differs or is missing THEN verify and delete-secrets fail naming it, deleting nothing', () => {
    records('copy');
    const copies = configMaps();
    copies[0].data.release = encoded('{}');
    writeFileSync(join(state, 'configmaps.json'), list([copies[0]]));
    const result = records('delete-secrets');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      "kube-system/sh.helm.release.v1.metrics-server.v1: the ConfigMap's release differs from the Secret's",
    );
    expect(result.stderr).toContain('monitoring/sh.helm.release.v1.loki.v3: no ConfigMap');
    expect(calls(bin).filter((c) => c.startsWith('kubectl delete'))).toEqual([]);
  });

  it('GIVEN faithful copies THEN delete-secrets deletes exactly the release Secrets', () => {
    records('copy');
    const result = records('delete-secrets');
    expect(result.status).toBe(0);
    expect(calls(bin).filter((c) => c.startsWith('kubectl delete'))).toEqual([
      'kubectl delete secret --namespace kube-system sh.helm.release.v1.metrics-server.v1',
      'kubectl delete secret --namespace monitoring sh.helm.release.v1.loki.v3',
    ]);
  });

  it('GIVEN no or another mode THEN it shows the usage', () => {
    expect(records('move').stderr).toMatch(/usage: helm-release-records.sh copy\|verify\|delete-secrets/);
  });
});
