import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

/**
 * Docs that run: every shell command in README.md and docs/ is either run here, or checked here as far as it can
 * be without AWS / a cluster / GitHub (stack names, folders, scripts exist) and listed with what it needs. A
 * command that matches no entry of COMMANDS fails the test, so a new or changed command must be classified.
 */
const ROOT = join(__dirname, '..');

/** How a documented command is treated. */
type Treatment =
  | { readonly kind: 'run' }
  | { readonly kind: 'run-beside-output' }
  | { readonly kind: 'shell' }
  | { readonly kind: 'elsewhere'; readonly where: string }
  | { readonly kind: 'needs'; readonly what: string; readonly check?: (command: string) => void };

/** Placeholders of the docs, bound to the committed staging environment for the offline checks. */
const PLACEHOLDERS: Readonly<Record<string, string>> = {
  'wms-<env>-<stack>': 'wms-staging-platform',
  'path/to/cdk.tf.json': 'cdktf.out/stacks/wms-dev-platform/cdk.tf.json',
  '<env>': 'staging',
  '<accountId>': '222222222222',
  '<stack>': 'wms-staging-platform',
};
const bind = (command: string) =>
  Object.entries(PLACEHOLDERS).reduce(
    (text, [placeholder, value]) => text.split(placeholder).join(value),
    command,
  );

let outdir: string;
let sandboxOutdir: string;
const stacksIn = (dir: string) => readdirSync(join(dir, 'stacks')).sort();

function checkCdktfStacks(command: string): void {
  const [, verb, ...args] = bind(command)
    .replace(/^npx cdktf /, 'cdktf ')
    .split(/\s+/);
  const stacks = args.filter((arg) => !arg.startsWith('-')).map((arg) => arg.replace(/^'(.*)'$/, '$1'));
  if (verb === 'diff') {
    // cdktf diff plans exactly one stack: a glob fails with "Could not find stack".
    expect({ command, stacks: stacks.length, glob: stacks.some((s) => s.includes('*')) }).toEqual({
      command,
      stacks: 1,
      glob: false,
    });
  }
  for (const stack of stacks) {
    const pattern = new RegExp(`^${stack.replace(/[.]/g, '\\.').replace(/\*/g, '.*')}$`);
    expect({ command, stack, found: stacksIn(outdir).some((name) => pattern.test(name)) }).toEqual({
      command,
      stack,
      found: true,
    });
  }
}

const AWS = 'AWS credentials of the environment account (and its applied bootstrap stack)';
const CLUSTER =
  'a running cluster (kubectl configured by aws eks update-kubeconfig, inside the VPC or allowed CIDRs)';

/** First match wins. */
const COMMANDS: readonly (readonly [RegExp, Treatment])[] = [
  [/^npm ci$/, { kind: 'elsewhere', where: 'CI: .ci/run runs npm ci on a fresh clone' }],
  [/^npm test$/, { kind: 'elsewhere', where: 'CI: .ci/run runs npm test' }],
  [/^npm run (verify|mock-apply)$/, { kind: 'elsewhere', where: 'npm test runs it' }],
  [/^npm run update-docs\b/, { kind: 'elsewhere', where: 'its outputs are checked by the doc-table tests' }],
  [/^npm run synth$/, { kind: 'run' }],
  [/^WMS_ENV_FILE=docs\/examples\/sandbox\.yaml npm run synth$/, { kind: 'run' }],
  [/^npm run diff -- before\/cdktf\.out after\/cdktf\.out$/, { kind: 'run' }],
  [/^npm run guardrails( -- .*)?$/, { kind: 'run-beside-output' }],
  [/^node scripts\/build\.mjs$/, { kind: 'run' }],
  [/^npm run diff -- --help$/, { kind: 'run' }],
  [
    /^npm run cost( -- .*)?$/,
    {
      kind: 'elsewhere',
      where:
        '__tests__/scripts/cost.test.ts runs the command on synthesized trees (one, --details, --base, errors); ' +
        '__tests__/cost/estimate.test.ts estimates the whole app',
    },
  ],
  [
    /^helm pull /,
    {
      kind: 'needs',
      what: 'Helm and the chart registry (network): by hand or in CI, when a chart version is bumped',
    },
  ],
  [
    /^node dist\/scripts\/generate-chart-catalogue\.js /,
    {
      kind: 'elsewhere',
      where:
        'hand, when a chart or CRD version is bumped (needs the upstream chart folder or archive; the generator ' +
        'itself runs on a fixture chart in __tests__/scripts/chart-interface.test.ts)',
    },
  ],
  [
    /^node dist\/scripts\/generate-taggable\.js /,
    {
      kind: 'elsewhere',
      where: 'hand, when @cdktf/provider-aws is bumped (it rewrites guardrails/aws-taggable-resources.json)',
    },
  ],
  [
    /^npm run diff -- HEAD$/,
    { kind: 'elsewhere', where: '__tests__/scripts/diff.test.ts compares against HEAD' },
  ],
  [
    /^npm run diff -- "?origin\//,
    { kind: 'needs', what: "a clone with the origin remote (CI's checkout); diff itself is tested offline" },
  ],
  [/^export CHECKPOINT_DISABLE=1$|^live=\w+$/, { kind: 'shell' }],
  [
    /^npx cdktf (diff|deploy) /,
    { kind: 'needs', what: `${AWS} (terraform plan/apply)`, check: checkCdktfStacks },
  ],
  [
    /^cd cdktf\.out\/stacks\/\S+$/,
    {
      kind: 'needs',
      what: 'a synthesized cdktf.out (checked: the folder exists after npm run synth)',
      check: (command) => {
        const folder = join(outdir, relative('cdktf.out', bind(command).slice('cd '.length)));
        expect({ command, exists: existsSync(folder) && statSync(folder).isDirectory() }).toEqual({
          command,
          exists: true,
        });
      },
    },
  ],
  [/^terraform /, { kind: 'needs', what: `${AWS}: the S3 backend and the AWS APIs` }],
  [
    /^bash scripts\/ci\/(plan|apply|smoke|with-variables)\.sh /,
    {
      kind: 'needs',
      what: `${AWS}, in CI through the GitHub OIDC roles (the scripts' offline logic: __tests__/workflows)`,
      check: (command) => expect(existsSync(join(ROOT, command.split(' ')[1]))).toBe(true),
    },
  ],
  [/^aws /, { kind: 'needs', what: `the AWS CLI and ${AWS}` }],
  [/^kubectl /, { kind: 'needs', what: CLUSTER }],
  [
    /^bash scripts\/ci\/helm-release-records\.sh (copy|verify|delete-secrets)$/,
    {
      kind: 'needs',
      what: `${CLUSTER}, as a cluster administrator (the script's logic: __tests__/workflows/ci-scripts.test.ts)`,
      check: (command) => expect(existsSync(join(ROOT, command.split(' ')[1]))).toBe(true),
    },
  ],
  [
    /^curl /,
    { kind: 'needs', what: 'the deployed environment (its DNS name or a port-forward to the cluster)' },
  ],
  [/^gh /, { kind: 'needs', what: 'the GitHub CLI, logged in to the repository' }],
];

interface DocCommand {
  readonly where: string;
  readonly command: string;
}

/** Every command of the sh/bash/shell blocks: continuations joined, `&&` chains split, comments dropped. */
function documentedCommands(): DocCommand[] {
  const files = ['README.md'];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(ROOT, dir)).sort()) {
      const path = `${dir}/${entry}`;
      if (statSync(join(ROOT, path)).isDirectory()) walk(path);
      else if (entry.endsWith('.md')) files.push(path);
    }
  };
  walk('docs');
  const commands: DocCommand[] = [];
  for (const file of files) {
    const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
    let language: string | undefined;
    let pending = '';
    lines.forEach((line, index) => {
      const fence = /^\s*```(\S*)/.exec(line);
      if (fence) {
        language = language === undefined ? fence[1] : undefined;
        return;
      }
      if (!language || !['sh', 'bash', 'shell'].includes(language)) return;
      const text = line.replace(/(^|\s)#\s.*$/, '').trim();
      if (text.endsWith('\\')) {
        pending += `${text.slice(0, -1).trim()} `;
        return;
      }
      const full = (pending + text).trim();
      // A quoted string that goes on to the next line.
      if ((full.match(/'/g) ?? []).length % 2 === 1) {
        pending = `${full} `;
        return;
      }
      pending = '';
      if (full === '') return;
      for (const part of full.split(' && ')) {
        commands.push({ where: `${file}:${index + 1}`, command: part.replace(/\s*&$/, '').trim() });
      }
    });
  }
  return commands;
}

const treatmentOf = (command: string) => COMMANDS.find(([pattern]) => pattern.test(command))?.[1];

function sh(command: string, env: Record<string, string>) {
  return spawnSync('sh', ['-c', command], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, CHECKPOINT_DISABLE: '1', ...env },
  });
}

describe('docs that run: the commands of README.md and docs/', () => {
  const commands = documentedCommands();
  let work: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'wms-docs-'));
    outdir = join(work, 'committed', 'cdktf.out');
    sandboxOutdir = join(work, 'sandbox', 'cdktf.out');
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('finds the commands (README quick start included)', () => {
    expect(commands.map((c) => c.command)).toEqual(expect.arrayContaining(['npm ci', 'npm run synth']));
    // The quick start is exactly two commands.
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const quickStart = readme.slice(
      readme.indexOf('## Quick start'),
      readme.indexOf('\n## ', readme.indexOf('## Quick start') + 1),
    );
    const block = /```sh\n([\s\S]*?)```/.exec(quickStart)?.[1] ?? '';
    expect(
      block
        .trim()
        .split('\n')
        .map((line) => line.replace(/\s+#.*$/, '')),
    ).toEqual(['npm ci', 'npm run synth']);
  });

  it('classifies every command: run here, run elsewhere, or what it needs', () => {
    const unclassified = commands
      .filter((c) => !treatmentOf(c.command))
      .map((c) => `${c.where}: ${c.command}`);
    expect(unclassified).toEqual([]);
  });

  it('runs npm run synth as documented', () => {
    const result = sh('npm run synth', { CDKTF_OUTDIR: outdir });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    expect(result.stdout).toMatch(/synthesized 21 stacks/);
  }, 120_000);

  it('runs the WMS_ENV_FILE example: it adds the 5 wms-sandbox-* stacks and the account stacks of 444444444444', () => {
    const result = sh('WMS_ENV_FILE=docs/examples/sandbox.yaml npm run synth', {
      CDKTF_OUTDIR: sandboxOutdir,
    });
    expect(result.status).toBe(0);
    const added = stacksIn(sandboxOutdir).filter((stack) => !stacksIn(outdir).includes(stack));
    expect(added).toEqual([
      'wms-baseline-444444444444',
      'wms-bootstrap-444444444444',
      ...['app', 'cluster-config', 'cluster-services', 'monitoring', 'platform'].map(
        (s) => `wms-sandbox-${s}`,
      ),
    ]);
  }, 120_000);

  it('runs npm run diff on two synthesized folders (before/ and after/ bound to the two synths above)', () => {
    const command = 'npm run diff -- before/cdktf.out after/cdktf.out';
    expect(commands.map((c) => c.command)).toContain(command);
    const result = sh(
      command.replace('before/cdktf.out', outdir).replace('after/cdktf.out', sandboxOutdir),
      {},
    );
    expect({ status: result.status, stderr: result.stderr.slice(0, 500) }).toEqual({ status: 0, stderr: '' });
    expect(result.stdout).toContain('wms-sandbox-platform');
  }, 120_000);

  it('runs the guardrails commands as documented, beside a synthesized cdktf.out', () => {
    const documented = commands.filter((c) => treatmentOf(c.command)?.kind === 'run-beside-output');
    expect(documented.length).toBeGreaterThanOrEqual(5);
    for (const { where, command } of documented) {
      const args = bind(command)
        .replace(/^npm run guardrails( -- )?/, '')
        .split(' ')
        .filter(Boolean);
      // npm run always runs in the package root; the compiled command is run here in the output's folder instead.
      const result = spawnSync(process.execPath, [join(ROOT, 'dist', 'scripts', 'guardrails.js'), ...args], {
        cwd: join(outdir, '..'),
        encoding: 'utf8',
      });
      expect({ where, command, status: result.status, stderr: result.stderr }).toEqual({
        where,
        command,
        status: 0,
        stderr: '',
      });
    }
  }, 60_000);

  it('runs node scripts/build.mjs', () => {
    expect(sh('node scripts/build.mjs', {}).status).toBe(0);
  }, 60_000);

  it('checks offline what the other commands rely on, and lists what each needs', () => {
    const report: string[] = [];
    for (const { where, command } of commands) {
      const treatment = treatmentOf(command);
      if (treatment?.kind === 'needs') {
        treatment.check?.(command);
        report.push(`${where}: ${command} -- needs ${treatment.what}`);
      } else if (treatment?.kind === 'elsewhere')
        report.push(`${where}: ${command} -- run by ${treatment.where}`);
    }
    process.stdout.write(`documented commands not run by this test:\n  ${report.join('\n  ')}\n`);
    expect(report.length).toBeGreaterThan(0);
  });

  it('npm ci is quiet: every dependency install script is approved or denied in package.json (allowScripts)', () => {
    const result = spawnSync('npm', ['install-scripts', 'ls'], { cwd: ROOT, encoding: 'utf8' });
    expect(result.stdout.trim()).toBe('No packages with unreviewed install scripts.');
  });
});
