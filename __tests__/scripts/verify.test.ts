import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { rehearseStack } from '../../terraform/mock-apply';
import { terraformPlatform } from '../../terraform/terraform';
import { verifyStack } from '../../scripts/lib/verify';
import { bundleScript } from '../support/bundle';

const REPO = resolve(__dirname, '..', '..');
const STANDIN = join(__dirname, 'fixtures', 'standin');
const AWS = { aws: { source: 'aws', version: '5.100.0' } };

/** An AWS-only stack that needs no credentials beyond placeholders (as the platform stacks). */
const PLATFORM = {
  terraform: { required_providers: AWS },
  resource: { aws_sns_topic: { Topic: { name: 't' } }, aws_sqs_queue: { Queue: { name: 'q' } } },
};

/** A Kubernetes stack: remote state, the EKS cluster, the kubernetes and helm providers (as cluster-services). */
const CLUSTER = {
  terraform: {
    required_providers: {
      ...AWS,
      helm: { source: 'helm', version: '3.1.1' },
      kubernetes: { source: 'kubernetes', version: '2.38.0' },
    },
  },
  data: {
    terraform_remote_state: {
      platform: { backend: 's3', config: { bucket: 'b', key: 'k', region: 'eu-west-1' } },
    },
    aws_eks_cluster: { Cluster: { name: '${data.terraform_remote_state.platform.outputs.cluster-name}' } },
  },
  resource: {
    kubernetes_namespace_v1: { Ns: { metadata: { name: 'x' } } },
    helm_release: { Chart: { name: 'c', chart: 'c', version: '1.0.0' } },
  },
};

describe('verify and mock-apply decisions (stand-in terraform on PATH)', () => {
  const saved = { ...process.env };
  let workdir: string;
  let log: string;
  /** A provider mirror holding hashicorp/aws 5.100.0 only, as on this project's build machines. */
  let mirror: string;
  const calls = () =>
    readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(' ').slice(0, 2).join(' '));
  const machine = (
    kind: 'providers-available' | 'providers-unavailable',
    broken?: 'init' | 'test' | 'plan' | 'config',
  ) => {
    workdir = mkdtempSync(join(tmpdir(), 'wms-verify-test-'));
    log = join(workdir, 'calls.log');
    mirror = join(workdir, 'mirror');
    mkdirSync(join(mirror, 'registry.terraform.io', 'hashicorp', 'aws', '5.100.0', terraformPlatform()), {
      recursive: true,
    });
    writeFileSync(log, '');
    process.env.PATH = `${STANDIN}${delimiter}${saved.PATH ?? ''}`;
    process.env.WMS_STANDIN_LOG = log;
    process.env.WMS_STANDIN_REGISTRY = kind === 'providers-available' ? 'reachable' : 'unreachable';
    if (broken) process.env.WMS_STANDIN_BREAK = broken;
    else delete process.env.WMS_STANDIN_BREAK;
  };
  afterEach(() => {
    process.env = { ...saved };
    rmSync(workdir, { recursive: true, force: true });
  });

  describe('GIVEN a machine where only the aws provider is available (this one: mirror, no registry)', () => {
    beforeEach(() => machine('providers-unavailable'));

    it('plans an AWS-only stack for real', async () => {
      const result = await verifyStack('platform', PLATFORM, workdir, [mirror]);
      expect(result).toMatchObject({
        validated: 'yes',
        planned: 'yes',
        resources: '2 to add',
        failed: false,
      });
      // plan validates first: a separate validate (another provider schema load) runs only to explain a failure.
      expect(calls()).toEqual(['platform init', 'platform plan']);
    });

    it('reports a Kubernetes stack "not verifiable here" with the missing providers, not as a failure', async () => {
      const result = await verifyStack('cluster', CLUSTER, workdir, [mirror]);
      expect(result).toMatchObject({ validated: '-', planned: '-', failed: false });
      expect(result.note).toBe(
        'not verifiable here: registry.terraform.io/hashicorp/helm 3.1.1, registry.terraform.io/hashicorp/kubernetes 2.38.0 not in a local mirror and the registry is unreachable',
      );
    });

    it('skips the rehearsal of a Kubernetes stack with the same reason, and rehearses an AWS-only one', async () => {
      expect(await rehearseStack('cluster', CLUSTER, workdir, [mirror])).toMatchObject({
        result: 'skipped',
        note: expect.stringMatching(
          /^not rehearsed: .*hashicorp\/helm 3\.1\.1.* the registry is unreachable$/,
        ),
      });
      expect(await rehearseStack('platform', PLATFORM, workdir, [mirror])).toMatchObject({
        result: 'pass',
        resources: 2,
      });
    });
  });

  describe('GIVEN a machine where every provider downloads (a GitHub-hosted runner)', () => {
    beforeEach(() => machine('providers-available'));

    it('validates a Kubernetes stack and plans it against mocks, never with the placeholder credentials', async () => {
      const result = await verifyStack('cluster', CLUSTER, workdir, [mirror]);
      expect(result).toMatchObject({
        validated: 'yes',
        planned: 'mocked',
        resources: '2 to add',
        failed: false,
      });
      expect(result.note).toBe(
        "planned against mocked providers and remote state, because it reads other stacks' state (terraform_remote_state); reads the EKS cluster (aws_eks_cluster); connects to the cluster (helm, kubernetes provider)",
      );
      expect(calls()).toEqual(['cluster init', 'cluster test']);
      const testFile = readFileSync(join(workdir, 'cluster', 'tests', 'plan.tftest.hcl'), 'utf8');
      expect(testFile).toContain('target = data.terraform_remote_state.platform');
      expect(testFile).toContain('cluster-name = "mock"');
    });

    it('still plans an AWS-only stack for real', async () => {
      expect(await verifyStack('platform', PLATFORM, workdir, [mirror])).toMatchObject({
        planned: 'yes',
        failed: false,
      });
    });

    it('rehearses the apply of a Kubernetes stack, remote state mocked', async () => {
      expect(await rehearseStack('cluster', CLUSTER, workdir, [mirror])).toMatchObject({
        result: 'pass',
        resources: 2,
      });
      expect(calls()).toEqual(['cluster init', 'cluster test']);
    });
  });

  describe('GIVEN a stack that is broken', () => {
    it('fails when init fails for a reason other than an unreachable registry, even with providers missing', async () => {
      machine('providers-unavailable', 'init');
      const result = await verifyStack('cluster', CLUSTER, workdir, [mirror]);
      expect(result).toMatchObject({ validated: 'no', failed: true });
      expect(result.note).toMatch(/^terraform init failed:\n[\s\S]*Invalid provider configuration/);
      expect(await rehearseStack('cluster', CLUSTER, workdir, [mirror])).toMatchObject({ result: 'fail' });
    });

    it('fails when the mocked plan fails, with its diagnostics', async () => {
      machine('providers-available', 'test');
      const result = await verifyStack('cluster', CLUSTER, workdir, [mirror]);
      expect(result).toMatchObject({ validated: 'yes', planned: 'no', failed: true });
      expect(result.note).toMatch(/^mocked plan failed:\nterraform test failed/);
      expect(calls()).toEqual(['cluster init', 'cluster test', 'cluster validate']);
    });

    it.each([
      ['platform', 'plan', PLATFORM],
      ['cluster', 'test', CLUSTER],
    ])(
      'reports an invalid configuration of the %s stack as not validated (validate runs after the failed %s)',
      async (name, planCommand, stack) => {
        machine('providers-available', 'config');
        const result = await verifyStack(name, stack, workdir, [mirror]);
        expect(result).toMatchObject({ validated: 'no', planned: '-', failed: true });
        expect(result.note).toMatch(/^terraform validate failed:\n[\s\S]*Reference to undeclared resource/);
        expect(calls()).toEqual([`${name} init`, `${name} ${planCommand}`, `${name} validate`]);
      },
    );

    it('fails when the real plan fails, with its error', async () => {
      machine('providers-available', 'plan');
      const result = await verifyStack('platform', PLATFORM, workdir, [mirror]);
      expect(result).toMatchObject({ validated: 'yes', planned: 'no', failed: true });
      expect(result.note).toMatch(/^terraform plan failed \(exit 1, no change summary\):\n[\s\S]*plan broke/);
    });
  });
});

describe.each(['verify', 'mock-apply'])('%s command line', (script) => {
  // Bundled like scripts/build.mjs does, inside node_modules so the external packages resolve.
  const dir = mkdtempSync(join(REPO, 'node_modules', `.${script}-cli-test-`));
  const bundle = join(dir, `${script}.js`);
  const run = (args: string[]) => spawnSync('node', [bundle, ...args], { cwd: REPO, encoding: 'utf8' });
  beforeAll(async () => {
    await bundleScript(join(REPO, 'scripts', `${script}.ts`), bundle);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--help prints the usage and exits 0 at once (no synth)', () => {
    const result = run(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Usage: npm run ${script} -- \\[options\\]`));
    expect(result.stdout).not.toMatch(/provider mirrors/);
  });

  it('rejects an unknown option with the usage and exit 2', () => {
    const result = run(['--kep']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/Unknown option '--kep'/);
    expect(result.stderr).toMatch(/Usage: npm run/);
  });
});
