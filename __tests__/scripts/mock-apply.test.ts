import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MOCK_DEFAULTS,
  applyTestFile,
  configuredResources,
  countResources,
  errorDiagnostics,
  hclValue,
  mockProviderBlock,
  placeholderOutput,
  providerConfigurations,
  rehearsalOverride,
  rehearseStack,
  remoteStateOverrides,
  resourcesOfRun,
  testEvents,
  testFile,
  typesOf,
} from '../../terraform/mock-apply';
import { discoverMirrors } from '../../terraform/terraform';

const AWS = { aws: { source: 'aws', version: '5.100.0' } };

/** A small stack: a topic, an alarm notifying it, and a queue in a second region (aliased provider). */
const SMALL = {
  terraform: { required_providers: AWS, backend: { s3: { bucket: 'b', key: 'k', region: 'eu-west-1' } } },
  provider: {
    aws: [
      { region: 'eu-west-1', allowed_account_ids: ['111111111111'] },
      { alias: 'backup_region', region: 'eu-central-1' },
    ],
  },
  resource: {
    aws_sns_topic: { Topic: { name: 'alarms' } },
    aws_cloudwatch_metric_alarm: {
      Alarm: {
        alarm_name: 'cpu',
        comparison_operator: 'GreaterThanThreshold',
        evaluation_periods: 1,
        metric_name: 'CPUUtilization',
        namespace: 'AWS/RDS',
        period: 60,
        statistic: 'Average',
        threshold: 80,
        alarm_actions: ['${aws_sns_topic.Topic.arn}'],
      },
    },
    aws_sqs_queue: {
      Queue: { provider: 'aws.backup_region', name: 'copy', lifecycle: { prevent_destroy: true } },
    },
  },
  output: { TopicArn: { value: '${aws_sns_topic.Topic.arn}', sensitive: true } },
};

describe('hclValue', () => {
  it('renders scalars, escaping quotes and template sequences', () => {
    expect(hclValue('a "b" \\ c')).toBe('"a \\"b\\" \\\\ c"');
    expect(hclValue('${var.x} and %{ if }')).toBe('"$${var.x} and %%{ if }"');
    expect(hclValue('line\nbreak')).toBe('"line\\nbreak"');
    expect([hclValue(3), hclValue(true), hclValue(null)]).toEqual(['3', 'true', 'null']);
  });

  it('renders lists and objects, quoting keys that are not identifiers', () => {
    expect(hclValue([])).toBe('[]');
    expect(hclValue({})).toBe('{}');
    expect(hclValue({ arn: 'x', 'a.b': [1, { c: false }] })).toBe(
      ['{', '  arn = "x"', '  "a.b" = [', '    1,', '    {', '      c = false', '    },', '  ]', '}'].join(
        '\n',
      ),
    );
  });

  it('GIVEN something that is not a Terraform value THEN refuses', () => {
    expect(() => hclValue(undefined)).toThrow(/cannot render undefined as HCL/);
  });
});

describe('providerConfigurations and typesOf', () => {
  it('lists the default and every aliased configuration', () => {
    expect(providerConfigurations(SMALL)).toEqual([{ name: 'aws' }, { name: 'aws', alias: 'backup_region' }]);
  });

  it('GIVEN a required provider without a block THEN its default configuration', () => {
    const stack = {
      terraform: { required_providers: { ...AWS, random: { source: 'hashicorp/random', version: '3.6.0' } } },
    };
    expect(providerConfigurations(stack)).toEqual([{ name: 'aws' }, { name: 'random' }]);
  });

  it('lists resource and data source types', () => {
    expect(typesOf({ resource: { aws_vpc: {} }, data: { aws_region: {} } })).toEqual([
      'aws_vpc',
      'data.aws_region',
    ]);
    expect(typesOf({})).toEqual([]);
  });
});

describe('mockProviderBlock', () => {
  const table = {
    aws_sns_topic: {
      defaults: { arn: 'arn:aws:sns:eu-west-1:123456789012:t' },
      why: 'alarm actions are ARNs',
    },
    'data.aws_region': { defaults: { name: 'eu-west-1' }, why: 'a region name' },
    random_id: { defaults: { hex: 'ab' }, why: 'another provider' },
  };

  it('GIVEN the default configuration THEN defaults for the types the stack uses, with why', () => {
    expect(mockProviderBlock({ name: 'aws' }, ['aws_sns_topic', 'aws_vpc', 'data.aws_region'], table)).toBe(
      [
        'mock_provider "aws" {',
        '  # alarm actions are ARNs',
        '  mock_resource "aws_sns_topic" {',
        '    defaults = {',
        '      arn = "arn:aws:sns:eu-west-1:123456789012:t"',
        '    }',
        '  }',
        '',
        '  # a region name',
        '  mock_data "aws_region" {',
        '    defaults = {',
        '      name = "eu-west-1"',
        '    }',
        '  }',
        '}',
      ].join('\n'),
    );
  });

  it('GIVEN an alias THEN names it; GIVEN no type with defaults THEN an empty mock', () => {
    expect(mockProviderBlock({ name: 'aws', alias: 'backup_region' }, ['aws_vpc'], table)).toBe(
      'mock_provider "aws" {\n  alias = "backup_region"\n}',
    );
  });

  it("never puts another provider's types in the block", () => {
    expect(mockProviderBlock({ name: 'aws' }, ['random_id'], table)).not.toContain('random_id');
    expect(mockProviderBlock({ name: 'random' }, ['random_id'], table)).toContain(
      'mock_resource "random_id"',
    );
  });
});

describe('applyTestFile', () => {
  const file = applyTestFile(SMALL);

  it('mocks every provider configuration, aliases included, and applies the whole stack once', () => {
    expect(file.match(/^mock_provider "aws" \{/gm)).toHaveLength(2);
    expect(file).toContain('  alias = "backup_region"');
    expect(file).toMatch(/run "apply" \{\n {2}command = apply\n\}\n$/);
    expect(file.match(/^run /gm)).toHaveLength(1);
  });

  it('gives each configuration the defaults of the types the stack uses', () => {
    expect(file.match(/mock_resource "aws_sns_topic"/g)).toHaveLength(2);
    expect(file.match(/mock_resource "aws_sqs_queue"/g)).toHaveLength(2);
    expect(file).not.toContain('aws_kms_key');
  });
});

describe('MOCK_DEFAULTS', () => {
  it.each(Object.entries(MOCK_DEFAULTS))(
    '%s: says why, and every mocked ARN is well formed',
    (_type, entry) => {
      expect(entry.why.length).toBeGreaterThan(10);
      const strings = JSON.stringify(entry.defaults).match(/"arn:[^"]*"/g) ?? [];
      // S3 bucket ARNs name neither region nor account (arn:aws:s3:::<bucket>).
      for (const arn of strings)
        expect(JSON.parse(arn)).toMatch(
          /^arn:aws:[a-z0-9-]+:([a-z]{2}-[a-z]+-\d)?:\d{12}:.+|^arn:aws:s3:::[a-z0-9][a-z0-9.-]+$/,
        );
    },
  );
});

/** A stack reading another stack's outputs and the EKS cluster, as the Kubernetes stacks do. */
const REMOTE = {
  terraform: { required_providers: AWS },
  provider: { aws: [{ region: 'eu-west-1', allowed_account_ids: ['111111111111'] }] },
  data: {
    terraform_remote_state: {
      'cross-stack-reference-input-wms-dev-platform': {
        backend: 's3',
        config: { bucket: 'b', key: 'k', region: 'eu-west-1' },
      },
    },
    aws_eks_cluster: {
      Cluster: {
        name: '${data.terraform_remote_state.cross-stack-reference-input-wms-dev-platform.outputs.cross-stack-output-aws_eks_clusterEks_Cluster_9EEA9CA8name}',
      },
    },
  },
  resource: {
    aws_sns_topic: {
      Topic: {
        name: '${data.aws_eks_cluster.Cluster.name}',
        kms_master_key_id:
          '${data.terraform_remote_state.cross-stack-reference-input-wms-dev-platform.outputs.cross-stack-output-aws_kms_keyEks_Key_4214F243arn}',
      },
    },
  },
};

describe('remote state placeholders', () => {
  it("gives an ARN output the mock ARN of its resource type, a generic ARN otherwise, and other outputs 'mock'", () => {
    expect(placeholderOutput('cross-stack-output-aws_kms_keyEks_Key_4214F243arn')).toBe(
      MOCK_DEFAULTS.aws_kms_key.defaults.arn,
    );
    // The longest table type the output names wins: a certificate validation's ARN is a certificate's.
    expect(placeholderOutput('cross-stack-output-aws_acm_certificate_validationX_1certificate_arn')).toBe(
      MOCK_DEFAULTS.aws_acm_certificate.defaults.arn,
    );
    expect(placeholderOutput('cross-stack-output-aws_db_proxyDatabase_Proxy_1arn')).toMatch(
      /^arn:aws:mock:eu-west-1:123456789012:mock$/,
    );
    expect(placeholderOutput('cross-stack-output-aws_vpcNetwork_Vpc_FAC8F4A5id')).toBe('mock');
  });

  it('overrides each remote state with exactly the outputs the stack reads', () => {
    expect(remoteStateOverrides(REMOTE)).toEqual([
      [
        "# Another stack's outputs, as placeholders: the real backend is not read.",
        'override_data {',
        '  target = data.terraform_remote_state.cross-stack-reference-input-wms-dev-platform',
        '  values = {',
        '    outputs = {',
        '      cross-stack-output-aws_eks_clusterEks_Cluster_9EEA9CA8name = "mock"',
        `      cross-stack-output-aws_kms_keyEks_Key_4214F243arn = "${MOCK_DEFAULTS.aws_kms_key.defaults.arn as string}"`,
        '    }',
        '  }',
        '}',
      ].join('\n'),
    ]);
    expect(remoteStateOverrides(SMALL)).toEqual([]);
  });

  it('puts the overrides and the EKS cluster mock in the test file, with a plan or an apply run', () => {
    const plan = testFile(REMOTE, 'plan');
    expect(plan).toContain('override_data {');
    expect(plan).toContain('mock_data "aws_eks_cluster"');
    expect(plan).toMatch(/run "plan" \{\n {2}command = plan\n\}\n$/);
    expect(testFile(REMOTE, 'apply')).toMatch(/run "apply" \{\n {2}command = apply\n\}\n$/);
  });

  it('counts what a plan run creates and what an apply run leaves in the state', () => {
    const events = [
      {
        type: 'test_plan',
        test_plan: {
          resource_changes: [{ change: { actions: ['create'] } }, { change: { actions: ['no-op'] } }],
        },
      },
      { type: 'test_state', test_state: { root_module: { resources: [{ mode: 'managed' }] } } },
    ];
    expect(resourcesOfRun(events, 'plan')).toBe(1);
    expect(resourcesOfRun(events, 'apply')).toBe(1);
    expect(resourcesOfRun([], 'plan')).toBe(0);
  });
});

describe('rehearsalOverride', () => {
  it('swaps the backend, neutralises credentials per alias, and lifts prevent_destroy for the clean-up', () => {
    const override = rehearsalOverride(SMALL) as Record<string, Record<string, unknown>>;
    expect(override.terraform).toEqual({ backend: { local: { path: 'terraform.tfstate' } } });
    expect((override.provider.aws as Record<string, unknown>[]).map((p) => p.alias ?? null)).toEqual([
      null,
      'backup_region',
    ]);
    expect(override.resource).toEqual({
      aws_sqs_queue: { Queue: { lifecycle: { prevent_destroy: false } } },
    });
  });

  it('GIVEN nothing protected THEN no resource overrides', () => {
    const { resource: _resource, ...unprotected } = SMALL;
    expect(rehearsalOverride(unprotected)).not.toHaveProperty('resource');
  });
});

describe('reading terraform test -json', () => {
  const diagnostic = (summary: string) => ({
    type: 'diagnostic',
    '@level': 'error',
    diagnostic: {
      summary,
      detail: 'more',
      address: 'aws_x.y',
      range: { filename: 'cdk.tf.json', start: { line: 7 } },
    },
  });

  it('keeps JSON lines only', () => {
    expect(testEvents('Terraform\n{"type":"version"}\n\n{"type":"test_run"}\n')).toEqual([
      { type: 'version' },
      { type: 'test_run' },
    ]);
  });

  it('lists each error diagnostic once, with address and line', () => {
    const warning = { ...diagnostic('w'), '@level': 'warn' };
    expect(errorDiagnostics([diagnostic('bad ARN'), diagnostic('bad ARN'), warning])).toEqual([
      'bad ARN (aws_x.y, cdk.tf.json:7): more',
    ]);
  });

  it('counts managed resource instances, in child modules too, not data sources', () => {
    const module = {
      resources: [{ mode: 'managed' }, { mode: 'data' }, { mode: 'managed' }],
      child_modules: [{ resources: [{ mode: 'managed' }] }],
    };
    expect(countResources(module)).toBe(3);
    expect(countResources(undefined)).toBe(0);
  });

  it('counts the resources a stack declares, or none when count or for_each leaves it to Terraform', () => {
    expect(configuredResources(SMALL)).toBe(3);
    expect(configuredResources({ terraform: {} })).toBe(0);
    const counted = { resource: { aws_sns_topic: { Topic: { name: 'a', count: 2 } } } };
    expect(configuredResources(counted)).toBeUndefined();
    const each = { resource: { aws_sns_topic: { Topic: { name: 'a', for_each: '${toset(["x"])}' } } } };
    expect(configuredResources(each)).toBeUndefined();
  });
});

describe('rehearseStack (real terraform test)', () => {
  let workdir: string;
  beforeAll(() => {
    const probe = spawnSync('terraform', ['version'], { encoding: 'utf8' });
    if (probe.error) {
      throw new Error(
        `terraform is not installed or not on PATH (${probe.error.message}): it is part of npm test`,
      );
    }
    workdir = mkdtempSync(join(tmpdir(), 'wms-mock-apply-test-'));
  });
  afterAll(() => rmSync(workdir, { recursive: true, force: true }));

  it('GIVEN a small stack with an aliased provider and a protected resource THEN applies it against the mocks', async () => {
    const result = await rehearseStack('small', SMALL, workdir, discoverMirrors(process.env));
    expect(result).toMatchObject({ stack: 'small', result: 'pass', resources: 3 });
    expect(readFileSync(join(workdir, 'small', 'tests', 'apply.tftest.hcl'), 'utf8')).toBe(
      applyTestFile(SMALL),
    );
  }, 120_000);

  it('GIVEN an ARN the provider validates and no mock default for it THEN fails, naming the resource', async () => {
    const broken = {
      terraform: { required_providers: AWS },
      resource: {
        aws_cloudwatch_log_group: { Logs: { name: 'l' } },
        aws_flow_log: {
          Flow: {
            log_destination: '${aws_cloudwatch_log_group.Logs.id}',
            traffic_type: 'ALL',
            vpc_id: 'vpc-1',
          },
        },
      },
    };
    const result = await rehearseStack('broken', broken, workdir, discoverMirrors(process.env));
    expect(result.result).toBe('fail');
    expect(result.note).toMatch(/"log_destination" \(\w+\) is an invalid ARN.*aws_flow_log\.Flow/);
  }, 120_000);

  it('GIVEN a resource with count THEN counts its instances in the applied state (-verbose)', async () => {
    const counted = structuredClone(SMALL);
    Object.assign(counted.resource.aws_sns_topic.Topic, { name: 'alarms-${count.index}', count: 3 });
    counted.resource.aws_cloudwatch_metric_alarm.Alarm.alarm_actions = ['${aws_sns_topic.Topic[0].arn}'];
    counted.output.TopicArn.value = '${aws_sns_topic.Topic[0].arn}';
    const result = await rehearseStack('counted', counted, workdir, discoverMirrors(process.env));
    expect(result).toMatchObject({ stack: 'counted', result: 'pass', resources: 5 });
  }, 120_000);

  it("GIVEN a stack reading another stack's state and the cluster THEN applies it with both mocked", async () => {
    const result = await rehearseStack('remote', REMOTE, workdir, discoverMirrors(process.env));
    expect(result).toMatchObject({ stack: 'remote', result: 'pass', resources: 1 });
  }, 120_000);
});
