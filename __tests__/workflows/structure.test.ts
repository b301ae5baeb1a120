import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const ROOT = join(__dirname, '..', '..');
const WORKFLOWS = join(ROOT, '.github', 'workflows');

interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, unknown>;
}

interface Job {
  readonly name?: string;
  readonly needs?: string | string[];
  readonly if?: string;
  readonly uses?: string;
  readonly with?: Record<string, unknown>;
  readonly environment?: string | { name: string };
  readonly concurrency?: { group: string; 'cancel-in-progress': boolean };
  readonly permissions?: Record<string, string>;
  readonly strategy?: { matrix?: { include?: Record<string, string>[] } };
  readonly 'timeout-minutes'?: number;
  readonly 'runs-on'?: string | string[];
  readonly steps?: Step[];
}

interface Workflow {
  readonly on: Record<string, unknown>;
  readonly permissions?: Record<string, string>;
  readonly concurrency?: { group: string; 'cancel-in-progress': boolean };
  readonly jobs: Record<string, Job>;
}

const sources: Record<string, string> = Object.fromEntries(
  readdirSync(WORKFLOWS)
    .filter((file) => file.endsWith('.yml'))
    .sort()
    .map((file) => [file, readFileSync(join(WORKFLOWS, file), 'utf8')]),
);
const workflows: Record<string, Workflow> = Object.fromEntries(
  Object.entries(sources).map(([file, source]) => [file, parse(source) as Workflow]),
);
const allJobs = Object.entries(workflows).flatMap(([file, wf]) =>
  Object.entries(wf.jobs).map(([id, job]) => ({ file, id, job })),
);
const steps = (job: Job): Step[] => job.steps ?? [];
const needs = (job: Job): string[] => (job.needs === undefined ? [] : [job.needs].flat());
const runs = (job: Job): string =>
  steps(job)
    .map((step) => step.run ?? '')
    .join('\n');
const usesOf = (job: Job, action: string): Step[] =>
  steps(job).filter((s) => s.uses?.startsWith(`${action}@`));
const indexOf = (job: Job, predicate: (step: Step) => boolean): number => steps(job).findIndex(predicate);

/** The environments of config/*.yaml: name, account and region. */
const environments = readdirSync(join(ROOT, 'config'))
  .filter((file) => file.endsWith('.yaml'))
  .map((file) => parse(readFileSync(join(ROOT, 'config', file), 'utf8')) as Record<string, string>)
  .map((config) => ({ name: config.name, account: config.awsAccountId, region: config.region }))
  .sort((a, b) => a.name.localeCompare(b.name));

const ACTIONS_WITH_AWS_ROLES = 'aws-actions/configure-aws-credentials';

/**
 * The runs-on label of a CodeBuild-hosted runner of project `project` (the platform stack's `wms-<env>-gha-runner`):
 * CodeBuild starts one build of that project for each queued job carrying it.
 * @see https://docs.aws.amazon.com/codebuild/latest/userguide/sample-github-action-runners-update-labels.html
 */
const codebuildLabel = (project: string) =>
  `codebuild-${project}-\${{ github.run_id }}-\${{ github.run_attempt }}`;

describe('actions are pinned', () => {
  const usesLines = Object.entries(sources).flatMap(([file, source]) =>
    source
      .split('\n')
      .map((line, index) => ({ file, line: index + 1, text: line.trim() }))
      .filter(({ text }) => /^(- )?uses:/.test(text)),
  );

  it('GIVEN every workflow THEN it uses actions', () => {
    expect(usesLines.length).toBeGreaterThan(20);
  });

  it('GIVEN every `uses:` THEN a remote action is pinned by a 40-hex commit SHA with its version in a comment', () => {
    const unpinned = usesLines
      .filter(({ text }) => !/uses: \.\//.test(text))
      .filter(({ text }) => !/^(- )?uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/.test(text));
    expect(unpinned).toEqual([]);
  });

  it('GIVEN one action used in several places THEN every place pins the same commit and version', () => {
    const pins = new Map<string, Set<string>>();
    for (const { text } of usesLines) {
      const match = /uses: ([^@\s]+)@(\S+ # \S+)/.exec(text);
      if (!match) continue;
      pins.set(match[1], (pins.get(match[1]) ?? new Set()).add(match[2]));
    }
    const inconsistent = [...pins].filter(([, versions]) => versions.size > 1);
    expect(inconsistent).toEqual([]);
  });
});

describe('permissions', () => {
  it.each(Object.keys(workflows))('GIVEN %s THEN the workflow grants nothing by default', (file) => {
    expect(workflows[file].permissions).toEqual({});
  });

  it('GIVEN every job THEN it declares its permissions and a timeout (reusable-workflow calls: permissions only)', () => {
    const missing = allJobs
      .filter(
        ({ job }) => job.permissions === undefined || (!job.uses && job['timeout-minutes'] === undefined),
      )
      .map(({ file, id }) => `${file}:${id}`);
    expect(missing).toEqual([]);
  });

  it('GIVEN id-token: write THEN only jobs that assume an AWS role (or call the workflow that does) have it', () => {
    const holders = allJobs.filter(({ job }) => job.permissions?.['id-token'] === 'write');
    const assumers = allJobs.filter(({ job }) => usesOf(job, ACTIONS_WITH_AWS_ROLES).length > 0);
    expect(assumers.length).toBeGreaterThan(0);
    for (const { file, id, job } of holders) {
      const callsAssumer = job.uses === './.github/workflows/deploy-environment.yml';
      expect(`${file}:${id}:${usesOf(job, ACTIONS_WITH_AWS_ROLES).length > 0 || callsAssumer}`).toBe(
        `${file}:${id}:true`,
      );
    }
    for (const { file, id, job } of assumers)
      expect(`${file}:${id}:${job.permissions?.['id-token']}`).toBe(`${file}:${id}:write`);
  });

  it('GIVEN the write scopes THEN each is held only by the job that needs it', () => {
    const writers = (scope: string): string[] =>
      allJobs
        .filter(({ job }) => job.permissions?.[scope] === 'write')
        .map(({ file, id }) => `${file}:${id}`);
    expect(writers('security-events')).toEqual(['pull-request.yml:code-scanning']);
    expect(writers('pull-requests')).toEqual(['pull-request.yml:diff-comment']);
    expect(writers('issues')).toEqual(['drift.yml:report']);
    expect(writers('contents')).toEqual([]);
    expect(writers('actions')).toEqual([]);
    expect(Object.values(sources).join('\n')).not.toMatch(/write-all|read-all/);
  });

  it('GIVEN the jobs with a write scope THEN none of them runs code of the pull request (npm, scripts)', () => {
    const privileged = ['code-scanning', 'diff-comment'].map((id) => workflows['pull-request.yml'].jobs[id]);
    for (const job of privileged) expect(runs(job)).not.toMatch(/npm|scripts\//);
  });
});

describe('credentials', () => {
  it('GIVEN every workflow THEN it holds no stored AWS key and uses no repository secret', () => {
    const all = Object.values(sources).join('\n');
    expect(all).not.toMatch(
      /AWS_ACCESS_KEY|AWS_SECRET|aws-access-key-id|aws-secret-access-key|aws-session-token/i,
    );
    // One exception: the GitHub App key that opens release pull requests here, passed by the calling repository.
    expect(all.match(/secrets\.[\w-]+/g)).toEqual(['secrets.release-app-private-key']);
    expect(all).not.toMatch(/pull_request_target|workflow_run/);
  });

  it('GIVEN every checkout THEN the token is not left in the git config', () => {
    const checkouts = allJobs.flatMap(({ job }) => usesOf(job, 'actions/checkout'));
    expect(checkouts.length).toBeGreaterThan(5);
    for (const step of checkouts) expect(step.with?.['persist-credentials']).toBe(false);
  });

  it('GIVEN an AWS role THEN the apply role only in a job of its GitHub environment, the plan role only outside one', () => {
    for (const { file, id, job } of allJobs) {
      for (const step of usesOf(job, ACTIONS_WITH_AWS_ROLES)) {
        const role = String(step.with?.['role-to-assume']);
        const where = `${file}:${id}`;
        if (file === 'build-image.yml') {
          // The calling repository's push role, outside any environment (its trust names refs, not environments).
          expect(`${where} ${role} ${job.environment}`).toBe(
            `${where} arn:aws:iam::\${{ inputs.account }}:role/wms-github-push-\${{ github.event.repository.name }} undefined`,
          );
          continue;
        }
        expect(`${where} ${role}`).toMatch(
          /:role\/wms-\$\{\{ (matrix|inputs)\.environment \}\}-github-(plan|apply)$/,
        );
        if (role.endsWith('-github-apply'))
          expect(`${where} ${JSON.stringify(job.environment)}`).toBe(`${where} "\${{ inputs.environment }}"`);
        else expect(`${where} ${job.environment}`).toBe(`${where} undefined`);
        // rollback.yml reads the account from config/<environment>.yaml (a dispatch input names only the environment).
        expect(step.with?.['allowed-account-ids']).toMatch(
          /^\$\{\{ ((matrix|inputs)\.account|steps\.account\.outputs\.id) \}\}$/,
        );
        expect(role).toContain(String(step.with?.['allowed-account-ids']));
      }
    }
  });
});

describe('environments', () => {
  const matrixOf = (file: string, job: string): Record<string, string>[] =>
    workflows[file].jobs[job].strategy?.matrix?.include ?? [];

  it.each([
    ['pull-request.yml', 'plan'],
    ['drift.yml', 'drift'],
  ])(
    'GIVEN %s job %s THEN it covers both groups of every environment of config/, with its account',
    (file, job) => {
      const expected = environments.flatMap(({ name, account }) =>
        ['aws', 'cluster'].map((group) => `${name} ${account} ${group}`),
      );
      const actual = matrixOf(file, job)
        .map((m) => `${m.environment} ${m.account} ${m.group}`)
        .sort();
      expect(actual).toEqual(expected.sort());
    },
  );

  it.each([
    ['pull-request.yml', 'plan'],
    ['drift.yml', 'drift'],
  ])(
    'GIVEN %s job %s THEN AWS-only stacks use GitHub-hosted runners, cluster stacks the VPC runner',
    (file, job) => {
      for (const m of matrixOf(file, job)) {
        const runsOn = JSON.parse(m['runs-on']) as string | string[];
        expect(runsOn).toEqual(
          m.group === 'aws'
            ? 'ubuntu-latest'
            : [codebuildLabel(`wms-${m.environment}-gha-runner`), `${job}-${m.environment}`],
        );
      }
      expect(workflows[file].jobs[job]).toHaveProperty('runs-on', '${{ fromJSON(matrix.runs-on) }}');
    },
  );

  it('GIVEN deploy.yml THEN dev and staging deploy first, prod after staging, each with its account and VPC runner', () => {
    const { dev, staging, prod } = workflows['deploy.yml'].jobs;
    const byName = Object.fromEntries(environments.map((e) => [e.name, e]));
    expect([needs(dev), needs(staging), needs(prod)]).toEqual([['synth'], ['synth'], ['staging']]);
    for (const [name, job] of [
      ['dev', dev],
      ['staging', staging],
      ['prod', prod],
    ] as const) {
      expect(job.uses).toBe('./.github/workflows/deploy-environment.yml');
      expect(job.concurrency).toEqual({ group: `deploy-${name}`, 'cancel-in-progress': false });
      expect(job.with).toMatchObject({
        environment: name,
        account: byName[name].account,
        'freeze-fridays': name === 'prod',
        'cluster-runner': `wms-${name}-gha-runner`,
      });
    }
    expect(Object.keys(workflows['deploy.yml'].jobs).sort()).toEqual(['dev', 'prod', 'staging', 'synth']);
  });

  it('GIVEN deploy-environment.yml THEN the Kubernetes plan and the apply run on the CodeBuild runner, one label per job', () => {
    const { plan, apply } = workflows['deploy-environment.yml'].jobs;
    const cluster = plan.strategy?.matrix?.include?.find((m) => m.group === 'cluster');
    const aws = plan.strategy?.matrix?.include?.find((m) => m.group === 'aws');
    expect(JSON.parse(cluster?.['runs-on'] ?? 'null')).toEqual([
      codebuildLabel('${{ inputs.cluster-runner }}'),
      'plan-${{ inputs.environment }}',
    ]);
    expect(aws?.['runs-on']).toBe('${{ inputs.aws-runs-on }}');
    expect(apply['runs-on']).toEqual([
      codebuildLabel('${{ inputs.cluster-runner }}'),
      'apply-${{ inputs.environment }}',
    ]);
    const call = workflows['deploy-environment.yml'].on.workflow_call as { inputs: Record<string, unknown> };
    expect(Object.keys(call.inputs)).toContain('cluster-runner');
  });

  it('GIVEN every workflow THEN no job asks for a self-hosted runner other than the CodeBuild ones', () => {
    const labels = allJobs.flatMap(({ job }) => [job['runs-on']].flat()).map(String);
    expect(labels.filter((label) => /self-hosted/.test(label))).toEqual([]);
  });

  it('GIVEN the region of every config THEN the workflows assume roles in it', () => {
    const regions = [...new Set(environments.map((e) => e.region))];
    expect(regions).toEqual(['eu-west-1']);
    expect(parse(sources['deploy-environment.yml']).env.AWS_REGION).toBe('eu-west-1');
  });
});

describe('rollback', () => {
  const wf = workflows['rollback.yml'];
  const job = wf.jobs.rollback;

  it('GIVEN rollback.yml THEN it is started by hand for one environment of config/, with a reason', () => {
    const dispatch = wf.on.workflow_dispatch as {
      inputs: Record<string, { options?: string[]; required?: boolean }>;
    };
    expect(Object.keys(wf.on)).toEqual(['workflow_dispatch']);
    expect([...(dispatch.inputs.environment.options ?? [])].sort()).toEqual(
      environments.map((e) => e.name).sort(),
    );
    expect(dispatch.inputs.reason.required).toBe(true);
  });

  it('GIVEN rollback.yml THEN it waits for the environment approval and acts as its apply role, on its VPC runner', () => {
    expect(job.environment).toBe('${{ inputs.environment }}');
    expect(job['runs-on']).toEqual([
      codebuildLabel('wms-${{ inputs.environment }}-gha-runner'),
      'rollback-${{ inputs.environment }}',
    ]);
    expect(job.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    const [credentials] = usesOf(job, ACTIONS_WITH_AWS_ROLES);
    expect(credentials.with?.['role-to-assume']).toBe(
      'arn:aws:iam::${{ steps.account.outputs.id }}:role/wms-${{ inputs.environment }}-github-apply',
    );
  });

  it('GIVEN rollback.yml THEN it acts in the controller only: no Terraform, no plan of any stack', () => {
    const script = runs(job);
    expect(script).toContain('bash scripts/ci/rollback.sh');
    expect(script).not.toMatch(/terraform|cdktf|plan\.sh|apply\.sh|npm /);
    expect(usesOf(job, 'hashicorp/setup-terraform')).toEqual([]);
  });

  it('GIVEN the account lookup of rollback.yml THEN it reads the awsAccountId of every config/ environment', () => {
    const lookup = steps(job).find((s) => s.name === 'account of the environment')?.run ?? '';
    const pattern = /sed -n "(s\/.*\/p)"/.exec(lookup)?.[1];
    expect(pattern).toBeDefined();
    for (const { name, account } of environments) {
      const result = spawnSync('sed', ['-n', String(pattern), join(ROOT, 'config', `${name}.yaml`)], {
        encoding: 'utf8',
      });
      expect(result.stdout.trim()).toBe(account);
    }
  });
});

describe('pull request', () => {
  const wf = workflows['pull-request.yml'];

  it('GIVEN a new push to the pull request THEN the run of the older commit is cancelled', () => {
    expect(wf.on).toHaveProperty('pull_request');
    expect(wf.concurrency).toEqual({
      group: 'pull-request-${{ github.event.pull_request.number }}',
      'cancel-in-progress': true,
    });
  });

  it('GIVEN `npm test` THEN the check job runs each of its parts (and its pretest), with the npm cache', () => {
    const scripts = (
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    // `node scripts/lib/run-parallel.mjs a b` runs `npm run a` and `npm run b` side by side: CI runs each.
    const parts = scripts.test
      .split('&&')
      .map((part) => part.trim())
      .flatMap((part) => {
        const parallel = /^node scripts\/lib\/run-parallel\.mjs (.+)$/.exec(part);
        return parallel ? parallel[1].split(/\s+/).map((name) => `npm run ${name}`) : [part];
      })
      // The build is a step of each script that needs it (npm run verify builds first).
      .filter((part) => part !== 'npm run build');
    expect(parts).toEqual(
      expect.arrayContaining(['npm run typecheck', 'npm run lint', 'npm run verify', 'npm run mock-apply']),
    );
    const check = runs(wf.jobs.check);
    for (const part of [...parts, scripts.pretest]) expect(check).toContain(part);
    expect(check).toContain('npm ci');
    expect(usesOf(wf.jobs.check, 'actions/setup-node')[0].with).toMatchObject({ cache: 'npm' });
  });

  it('GIVEN the synth job THEN it synthesizes, writes guardrails SARIF and the Markdown diff, and uploads them', () => {
    const synth = runs(wf.jobs.synth);
    expect(synth).toContain('npm run synth');
    expect(synth).toMatch(/npm run guardrails -- cdktf\.out --format sarif --output guardrails\.sarif/);
    expect(synth).toMatch(/npm run diff -- "\$BASE_SHA" .*--format markdown --output diff\.md/);
    expect(synth).toMatch(/npm run cost -- cdktf\.out --base-ref "\$BASE_SHA" --output cost\.md/);
    expect(synth).toMatch(/pr-comment\.sh diff\.md "\$HEAD_SHA" "\$RUN_URL" cost\.md/);
    // The exact mode: terraform installed, base states cached per base commit in the folder the diff uses.
    expect(synth).toMatch(/npm run diff -- "\$BASE_SHA" .*--plan --plan-cache \.wms-diff-cache/);
    expect(usesOf(wf.jobs.synth, 'hashicorp/setup-terraform')[0].with).toMatchObject({
      terraform_version: '${{ env.TERRAFORM_VERSION }}',
    });
    expect(usesOf(wf.jobs.synth, 'actions/cache')[0].with).toMatchObject({
      path: '.wms-diff-cache',
      key: 'wms-diff-plan-${{ github.event.pull_request.base.sha }}',
    });
    const uploads = usesOf(wf.jobs.synth, 'actions/upload-artifact').map((s) => s.with?.name);
    expect(uploads).toEqual([
      'cdktf-out-${{ env.HEAD_SHA }}',
      'guardrails-sarif-${{ env.HEAD_SHA }}',
      'diff-${{ env.HEAD_SHA }}',
    ]);
    expect(parse(sources['pull-request.yml']).env.HEAD_SHA).toBe('${{ github.event.pull_request.head.sha }}');
  });

  it('GIVEN the SARIF and the diff THEN they go to code scanning and to one sticky comment', () => {
    const sarif = usesOf(wf.jobs['code-scanning'], 'github/codeql-action/upload-sarif');
    expect(sarif[0].with).toMatchObject({ sarif_file: 'sarif/guardrails.sarif', category: 'guardrails' });
    const comment = usesOf(wf.jobs['diff-comment'], 'marocchino/sticky-pull-request-comment');
    expect(comment[0].with).toMatchObject({ header: 'infrastructure-diff', path: 'diff/comment.md' });
  });

  it('GIVEN the plan job THEN it plans with the plan role and uploads the plans named with the head SHA', () => {
    const plan = wf.jobs.plan;
    expect(needs(plan)).toEqual(['synth']);
    expect(runs(plan)).toMatch(/scripts\/ci\/plan\.sh .*--commit "\$HEAD_SHA" --out plans/s);
    expect(usesOf(plan, 'actions/upload-artifact')[0].with?.name).toBe(
      'plan-${{ matrix.environment }}-${{ matrix.group }}-${{ env.HEAD_SHA }}',
    );
  });
});

describe('deploy', () => {
  const deploy = workflows['deploy.yml'];
  const env = workflows['deploy-environment.yml'];
  const { plan, apply } = env.jobs;

  /** An artifact name or pattern with the expressions a job of `environment` and `group` would give it. */
  const resolve = (template: string, group: string): string =>
    template
      .replace(/\$\{\{ inputs\.environment \}\}/g, 'prod')
      .replace(/\$\{\{ matrix\.group \}\}/g, group)
      .replace(/\$\{\{ github\.sha \}\}/g, 'c0ffee');
  const glob = (pattern: string): RegExp =>
    new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);

  it('GIVEN a push to main or a manual run THEN it deploys, and the manual run has force and reason inputs', () => {
    expect(deploy.on).toHaveProperty('push.branches', ['main']);
    expect(deploy.on).toHaveProperty('workflow_dispatch.inputs.force.type', 'boolean');
    expect(deploy.on).toHaveProperty('workflow_dispatch.inputs.reason.type', 'string');
    expect(deploy.jobs.synth.if).toBe("${{ github.ref == 'refs/heads/main' }}");
  });

  it('GIVEN the apply job THEN it needs the plan job and downloads the plans of this run, named with github.sha', () => {
    expect(needs(apply)).toEqual(['plan']);
    const downloads = usesOf(apply, 'actions/download-artifact').map((s) => s.with ?? {});
    const plans = downloads.find((d) => String(d.pattern ?? d.name).startsWith('plan-'));
    expect(plans).toEqual({
      pattern: 'plan-${{ inputs.environment }}-*-${{ github.sha }}',
      'merge-multiple': true,
      path: 'plans',
    });
    expect(plans).not.toHaveProperty('run-id');
    const uploaded = usesOf(plan, 'actions/upload-artifact')[0].with?.name as string;
    expect(uploaded).toBe('plan-${{ inputs.environment }}-${{ matrix.group }}-${{ github.sha }}');
    for (const group of ['aws', 'cluster']) {
      expect(resolve(uploaded, group)).toMatch(glob(resolve(String(plans?.pattern), group)));
    }
    expect(resolve(uploaded, 'aws')).not.toMatch(
      glob(resolve(String(plans?.pattern), 'aws').replace('c0ffee', 'beef')),
    );
  });

  it('GIVEN plan and apply THEN both use the synthesized tree of this commit, uploaded once by deploy.yml', () => {
    const uploaded = usesOf(deploy.jobs.synth, 'actions/upload-artifact')[0].with?.name;
    expect(uploaded).toBe('cdktf-out-${{ github.sha }}');
    for (const job of [plan, apply]) {
      expect(usesOf(job, 'actions/download-artifact').map((s) => s.with?.name)).toContain(uploaded);
    }
    expect(needs(deploy.jobs.staging)).toEqual(['synth']);
  });

  it('GIVEN the apply step THEN it applies only the saved plans of this commit, never with -auto-approve', () => {
    expect(runs(apply)).toMatch(/bash scripts\/ci\/apply\.sh .*--commit "\$GITHUB_SHA" --plans plans/);
    expect(runs(plan)).toMatch(/bash scripts\/ci\/plan\.sh .*--commit "\$GITHUB_SHA" --out plans/s);
    const everything = [
      ...Object.values(sources),
      ...readdirSync(join(ROOT, 'scripts', 'ci')).map((f) =>
        readFileSync(join(ROOT, 'scripts', 'ci', f), 'utf8'),
      ),
    ].join('\n');
    expect(everything).not.toMatch(/auto-approve/);
    expect(allJobs.map(({ job }) => runs(job)).join('\n')).not.toMatch(/terraform (-chdir=\S+ )?apply/);
  });

  it('GIVEN two applies to one environment THEN they never overlap, and a queued one is never cancelled midway', () => {
    expect(apply.concurrency).toEqual({
      group: 'apply-${{ inputs.environment }}',
      'cancel-in-progress': false,
    });
  });

  it('GIVEN the apply job THEN it runs in the GitHub environment, whose reviewers approve the plan first', () => {
    expect(apply.environment).toBe('${{ inputs.environment }}');
    expect(plan.environment).toBeUndefined();
  });

  it('GIVEN the apply job THEN the Friday guard runs first, with the manual inputs, and prod enforces it', () => {
    const guard = indexOf(apply, (s) => /change-window\.sh/.test(s.run ?? ''));
    const credentials = indexOf(apply, (s) => s.uses?.startsWith(ACTIONS_WITH_AWS_ROLES) === true);
    const applyStep = indexOf(apply, (s) => /apply\.sh/.test(s.run ?? ''));
    expect(guard).toBeGreaterThan(-1);
    expect(guard).toBeLessThan(credentials);
    expect(credentials).toBeLessThan(applyStep);
    expect(steps(apply)[guard].env).toEqual({
      FREEZE_FRIDAYS: '${{ inputs.freeze-fridays }}',
      EVENT_NAME: '${{ github.event_name }}',
      FORCE: '${{ inputs.force }}',
      REASON: '${{ inputs.reason }}',
      ACTOR: '${{ github.triggering_actor }}',
    });
    expect(deploy.jobs.prod.with).toMatchObject({
      'freeze-fridays': true,
      force: "${{ github.event_name == 'workflow_dispatch' && inputs.force }}",
    });
  });

  it('GIVEN a successful apply THEN the smoke checks run after it', () => {
    const applyStep = indexOf(apply, (s) => /apply\.sh/.test(s.run ?? ''));
    const smoke = indexOf(apply, (s) => /smoke\.sh/.test(s.run ?? ''));
    expect(smoke).toBeGreaterThan(applyStep);
  });
});

describe('drift', () => {
  const wf = workflows['drift.yml'];

  it('GIVEN the schedule THEN drift detection runs nightly', () => {
    expect(wf.on).toHaveProperty('schedule', [{ cron: expect.stringMatching(/^\d+ \d+ \* \* \*$/) }]);
  });

  it('GIVEN the drift job THEN it plans with -detailed-exitcode and uploads its results', () => {
    expect(runs(wf.jobs.drift)).toMatch(/plan\.sh --mode drift/);
    expect(readFileSync(join(ROOT, 'scripts', 'ci', 'plan.sh'), 'utf8')).toContain('-detailed-exitcode');
    expect(usesOf(wf.jobs.drift, 'actions/upload-artifact')[0].if).toBe('${{ !cancelled() }}');
  });

  it('GIVEN drift results THEN the report job opens or updates the issue, even when a drift job failed', () => {
    const report = wf.jobs.report;
    expect(needs(report)).toEqual(['drift']);
    expect(report.if).toBe('${{ !cancelled() }}');
    expect(runs(report)).toContain('bash scripts/ci/drift-issue.sh');
    expect(steps(report).find((s) => s.run?.includes('drift-issue'))?.env).toHaveProperty(
      'GH_TOKEN',
      '${{ github.token }}',
    );
  });
});

describe('dependabot', () => {
  const config = parse(readFileSync(join(ROOT, '.github', 'dependabot.yml'), 'utf8')) as {
    version: number;
    updates: {
      'package-ecosystem': string;
      directory: string;
      schedule: { interval: string };
      groups?: object;
    }[];
  };

  it('GIVEN dependabot.yml THEN npm and github-actions are updated weekly, in groups', () => {
    expect(config.version).toBe(2);
    expect(config.updates.map((u) => [u['package-ecosystem'], u.directory, u.schedule.interval])).toEqual([
      ['npm', '/', 'weekly'],
      ['github-actions', '/', 'weekly'],
    ]);
    for (const update of config.updates) expect(Object.keys(update.groups ?? {}).length).toBeGreaterThan(0);
  });
});

describe('build-image (reusable)', () => {
  const wf = workflows['build-image.yml'];
  const build = wf.jobs.build;
  const at = (predicate: (step: Step) => boolean) => indexOf(build, predicate);
  const named = (text: string) => (step: Step) => (step.name ?? '').includes(text);

  it('GIVEN the trigger THEN only workflow_call, with the image, the registry account and the optional App key', () => {
    const call = wf.on.workflow_call as {
      inputs: Record<string, unknown>;
      secrets: Record<string, { required: boolean }>;
    };
    expect(Object.keys(wf.on)).toEqual(['workflow_call']);
    expect(Object.keys(call.inputs)).toEqual(expect.arrayContaining(['image', 'account', 'region']));
    expect(call.secrets['release-app-private-key'].required).toBe(false);
  });

  it('GIVEN the build THEN scan (trivy, critical, fixable) and SBOM before the push, ECR gate before the signature', () => {
    const trivy = usesOf(build, 'aquasecurity/trivy-action');
    const gate = trivy.find((step) => step.with?.severity === 'CRITICAL');
    expect(gate?.with).toMatchObject({ 'exit-code': '1', 'ignore-unfixed': true });
    expect(trivy.find((step) => step.with?.format === 'cyclonedx')).toBeDefined();
    const firstBuild = at((step) => step.uses?.startsWith('docker/build-push-action@') === true);
    const scan = at((step) => step.with?.severity === 'CRITICAL');
    const push = at((step) => step.with?.push === true);
    const ecrGate = at(named('ECR enhanced scanning'));
    const sign = at(named('keyless signature'));
    const attest = at(named('provenance attestation'));
    expect(firstBuild).toBeGreaterThanOrEqual(0);
    expect([firstBuild < scan, scan < push, push < ecrGate, ecrGate < sign, sign < attest]).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(steps(build)[firstBuild].with).toMatchObject({ push: false, load: true });
    expect(String(steps(build)[firstBuild].with?.['cache-to'])).toMatch(/^type=gha,mode=max/);
  });

  it('GIVEN the push THEN one immutable tag (release tag or SHA, never latest) and a signature by digest', () => {
    const push = steps(build).find((step) => step.with?.push === true);
    expect(String(push?.with?.tags)).toMatch(/:\$\{\{ steps\.tag\.outputs\.tag \}\}$/);
    expect(sources['build-image.yml']).not.toMatch(/:latest\b/);
    expect(runs(build)).toMatch(/cosign sign --yes "\$IMAGE@\$DIGEST"/);
    expect(runs(build)).toMatch(
      /if \[ "\$REF_TYPE" = tag \]; then tag="\$\{REF_NAME#v\}"; else tag="\$GITHUB_SHA"; fi/,
    );
  });

  it('GIVEN a release tag THEN the release job opens the dev pull request with set-release, holding no token scope', () => {
    const release = wf.jobs['release-pr'];
    expect(release.needs).toBe('build');
    expect(release.if).toContain("github.ref_type == 'tag'");
    expect(release.permissions).toEqual({});
    expect(runs(release)).toContain('npm run set-release -- --environment dev --version "$VERSION"');
    expect(runs(release)).toContain('gh pr create');
  });
});

describe('promotion', () => {
  const job = workflows['promotion.yml'].jobs['check-promotion'];

  it('GIVEN a pull request touching staging or prod THEN check-promotion compares with the base commit', () => {
    expect((workflows['promotion.yml'].on.pull_request as { paths: string[] }).paths).toEqual([
      'config/staging.yaml',
      'config/prod.yaml',
    ]);
    expect(runs(job)).toContain('npm run check-promotion -- --base "$BASE"');
    expect(usesOf(job, 'actions/checkout')[0].with?.['fetch-depth']).toBe(0);
    expect(job.permissions).toEqual({ contents: 'read' });
  });
});
