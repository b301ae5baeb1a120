import { Testing } from 'cdktf';
import type { EnvironmentConfig } from '../../config/environment';
import { checkStacks } from '../../guardrails/engine';
import type { BootstrapAccount, BootstrapSource } from '../../stacks/bootstrap-stack';
import {
  BootstrapStack,
  IMAGE_REPOSITORIES,
  bootstrapAccounts,
  bootstrapStackName,
  githubApplyRoleArn,
  imagePullRoleArns,
  registryAccountOf,
  stateKey,
} from '../../stacks/bootstrap-stack';
import { stackNames } from '../../assembly/synthesize';
import { committedEnvironments } from '../support/environments';
import type { SynthesizedStack } from '../support/synth';
import { resourcesOfType } from '../support/synth';

const stackNamesOf = (environment: string) => Object.values(stackNames(environment));

function source(name: string, overrides: Partial<BootstrapSource> = {}): BootstrapSource {
  return {
    name,
    production: false,
    awsAccountId: '444444444444',
    tags: { owner: 'platform-team', costCentre: `wms-${name}` },
    region: 'eu-west-1',
    state: { bucket: 'wms-tfstate-444444444444-eu-west-1', region: 'eu-west-1' },
    alerting: { alarmTopic: {} },
    app: {
      images: {
        api: '444444444444.dkr.ecr.eu-west-1.amazonaws.com/wms-api',
        web: '444444444444.dkr.ecr.eu-west-1.amazonaws.com/wms-web',
      },
    },
    ...overrides,
  };
}

function synth(account: BootstrapAccount) {
  const stack = new BootstrapStack(Testing.app(), bootstrapStackName(account.accountId), { account });
  const json = JSON.parse(Testing.synth(stack, true)) as SynthesizedStack;
  // Testing.synth drops the "//" metadata; the guardrails read it from the full JSON.
  const metadata = (stack.toTerraform() as { '//'?: { wms?: unknown } })['//']?.wms;
  return { stack, json, metadata };
}

describe('names', () => {
  it('one bootstrap stack per account, named after the account id', () => {
    expect(bootstrapStackName('111111111111')).toBe('wms-bootstrap-111111111111');
  });

  it("state keys are EnvironmentStack's backend keys", () => {
    expect(stateKey('wms-dev-platform')).toBe('wms-dev-platform/terraform.tfstate');
  });

  it.each(committedEnvironments().map((config) => [config.name, config] as const))(
    'GIVEN committed %s THEN eks.accessRoles.deployRoleArn is the apply role the bootstrap creates',
    (_name, config: EnvironmentConfig) => {
      expect(config.eks.accessRoles.deployRoleArn).toBe(githubApplyRoleArn(config.awsAccountId, config.name));
      expect(githubApplyRoleArn('111111111111', 'dev')).toBe(
        'arn:aws:iam::111111111111:role/wms-dev-github-apply',
      );
    },
  );
});

describe('bootstrapAccounts', () => {
  it('GIVEN the committed environments THEN one account each, with every stack key of the environment', () => {
    const accounts = bootstrapAccounts(committedEnvironments(), stackNamesOf);
    expect(accounts[0].environments[0].stateKeys).toContain('wms-dev-platform/terraform.tfstate');
    expect(accounts.map((a) => [a.accountId, a.environments.map((e) => e.name)])).toEqual([
      ['111111111111', ['dev']],
      ['222222222222', ['staging']],
      ['333333333333', ['prod']],
    ]);
    expect(accounts[0]).toEqual({
      accountId: '111111111111',
      region: 'eu-west-1',
      stateBucket: 'wms-tfstate-111111111111-eu-west-1',
      environments: [
        {
          name: 'dev',
          production: false,
          stateKeys: Object.values(stackNames('dev')).map((name) => `${name}/terraform.tfstate`),
        },
      ],
      owner: 'platform-team',
      costCentre: 'wms-dev',
      backend: 'local',
    });
  });

  it('GIVEN two environments in one account THEN one account hosting both, tags joined, sorted by name', () => {
    const [account] = bootstrapAccounts(
      [source('live', { production: true }), source('sandbox')],
      stackNamesOf,
    );
    expect(account.environments.map((e) => [e.name, e.production])).toEqual([
      ['live', true],
      ['sandbox', false],
    ]);
    expect(account.owner).toBe('platform-team');
    expect(account.costCentre).toBe('wms-live+wms-sandbox');
  });

  it("GIVEN a PagerDuty URL parameter THEN the environment's plan role is given exactly its ARN (a plan needs it)", () => {
    const accounts = bootstrapAccounts(committedEnvironments(), stackNamesOf);
    expect(accounts.map((account) => account.environments[0].planParameterArns)).toEqual([
      undefined,
      undefined,
      ['arn:aws:ssm:eu-west-1:333333333333:parameter/wms/prod/alerting/pagerduty-cloudwatch-url'],
    ]);
  });

  it('GIVEN state.bootstrapBackend s3 THEN the bootstrap keeps its state in the bucket', () => {
    const state = {
      bucket: 'wms-tfstate-444444444444-eu-west-1',
      region: 'eu-west-1',
      bootstrapBackend: 's3' as const,
    };
    expect(bootstrapAccounts([source('sandbox', { state })], stackNamesOf)[0].backend).toBe('s3');
  });
});

describe.each(bootstrapAccounts(committedEnvironments(), stackNamesOf).map((a) => [a.accountId, a] as const))(
  'BootstrapStack %s',
  (accountId, account) => {
    const { stack, json, metadata } = synth(account);
    const [environment] = account.environments;

    it('matches the reviewed snapshot (terraform block removed: it carries tool versions)', () => {
      const { terraform: _volatile, ...stable } = json;
      expect(stable).toMatchSnapshot();
    });

    it('keeps its own state locally by default (it creates the bucket the others use)', () => {
      expect((json.terraform as { backend: unknown }).backend).toEqual({
        local: { path: `../../../terraform-state/wms-bootstrap-${accountId}.tfstate` },
      });
    });

    it('carries the environment metadata, default tags and the account pin', () => {
      expect(metadata).toEqual({ environment: environment.name, production: environment.production });
      const [aws] = (json.provider as { aws: Record<string, unknown>[] }).aws;
      expect(aws.allowed_account_ids).toEqual([accountId]);
      expect(aws.region).toBe('eu-west-1');
      expect(aws.default_tags).toEqual([
        {
          tags: {
            Project: 'wms',
            Environment: environment.name,
            Owner: 'platform-team',
            CostCentre: `wms-${environment.name}`,
            ManagedBy: 'cdktf',
            Repository: 'acme/wms-platform',
          },
        },
      ]);
    });

    it('holds AWS resources only and no data source, so it plans offline', () => {
      expect(Object.keys(json.resource ?? {}).filter((type) => !type.startsWith('aws_'))).toEqual([]);
      expect(json.data).toBeUndefined();
    });

    it('pins the addresses of its stateful resources', () => {
      const ids = (type: string) =>
        Object.keys(resourcesOfType(json, type)).map((id) => id.replace(/_[0-9A-F]{8}$/, ''));
      expect(ids('aws_s3_bucket')).toEqual(['State_AccessLogs_Bucket', 'State_Bucket']);
      const registry = account.registry !== undefined;
      expect(ids('aws_kms_key')).toEqual(registry ? ['Images_Key', 'State_Key'] : ['State_Key']);
      expect(ids('aws_ecr_repository')).toEqual(registry ? ['Images_WmsApi', 'Images_WmsWeb'] : []);
      expect(ids('aws_iam_openid_connect_provider')).toEqual(['GithubOidc_Provider']);
      const names = Object.values(resourcesOfType(json, 'aws_iam_role')).map((role) => role.name);
      expect(names.sort()).toEqual([
        ...(registry ? ['wms-github-push-wms-api', 'wms-github-push-wms-web'] : []),
        `wms-${environment.name}-github-apply`,
        `wms-${environment.name}-github-plan`,
      ]);
      const buckets = Object.values(resourcesOfType(json, 'aws_s3_bucket')).map((b) => b.bucket);
      expect(buckets).toEqual([`${account.stateBucket}-access-logs`, account.stateBucket]);
    });

    it('passes the guardrails; suppressions only for the log bucket SSE-S3 and the boundary ceiling', () => {
      const report = checkStacks([{ stackName: stack.node.id, json: stack.toTerraform() }]);
      const [result] = report.stacks;
      expect(result.findings).toEqual([]);
      expect(result.stale).toEqual([]);
      expect(report.passed).toBe(true);
      expect(result.suppressed.map((s) => s.ruleId).sort()).toEqual([
        'CKV_AWS_145',
        'CKV_AWS_62',
        'CKV_AWS_63',
      ]);
    });

    it('outputs what the environments and the workflows need', () => {
      expect(Object.keys(json.output as object).sort()).toEqual(
        [
          'AccessLogBucketName',
          'GithubOidcProviderArn',
          'StateBucketName',
          'StateKeyAlias',
          ...(account.registry
            ? ['WmsApiRepositoryUrl', 'WmsWebRepositoryUrl', 'WmsApiPushRoleArn', 'WmsWebPushRoleArn']
            : []),
          `${environment.name.charAt(0).toUpperCase()}${environment.name.slice(1)}ApplyRoleArn`,
          `${environment.name.charAt(0).toUpperCase()}${environment.name.slice(1)}PlanRoleArn`,
        ].sort(),
      );
    });
  },
);

describe('BootstrapStack of an account hosting two environments', () => {
  const [account] = bootstrapAccounts(
    [source('sandbox'), source('live', { production: true })],
    stackNamesOf,
  );
  const { stack, json, metadata } = synth(account);

  it('creates a plan and an apply role per environment, one provider, bucket and repositories', () => {
    const names = Object.values(resourcesOfType(json, 'aws_iam_role')).map((role) => role.name);
    expect(names.sort()).toEqual([
      'wms-github-push-wms-api',
      'wms-github-push-wms-web',
      'wms-live-github-apply',
      'wms-live-github-plan',
      'wms-sandbox-github-apply',
      'wms-sandbox-github-plan',
    ]);
    expect(Object.keys(resourcesOfType(json, 'aws_iam_openid_connect_provider'))).toHaveLength(1);
    expect(Object.keys(resourcesOfType(json, 'aws_s3_bucket'))).toHaveLength(2);
    expect(Object.keys(resourcesOfType(json, 'aws_ecr_repository'))).toHaveLength(2);
  });

  it('is production when any of its environments is, and names them all', () => {
    expect(metadata).toEqual({ environment: 'live+sandbox', production: true });
  });

  it("confines each environment's roles to that environment's keys in the bucket policy", () => {
    const [policy] = Object.values(resourcesOfType(json, 'aws_s3_bucket_policy')).filter((p) =>
      (p.policy as string).includes('CiRolesOwnKeysOnly'),
    );
    const statements = JSON.parse(policy.policy as string).Statement as Record<string, unknown>[];
    const own = statements.filter((s) => String(s.Sid).startsWith('CiRolesOwnKeysOnly'));
    expect(
      own.map((s) => (s.Condition as { ArnEquals: Record<string, string[]> }).ArnEquals['aws:PrincipalArn']),
    ).toEqual([
      [
        'arn:aws:iam::444444444444:role/wms-live-github-plan',
        'arn:aws:iam::444444444444:role/wms-live-github-apply',
      ],
      [
        'arn:aws:iam::444444444444:role/wms-sandbox-github-plan',
        'arn:aws:iam::444444444444:role/wms-sandbox-github-apply',
      ],
    ]);
    expect((own[0].NotResource as string[]).every((arn) => arn.includes('/wms-live-'))).toBe(true);
    expect((own[1].NotResource as string[]).every((arn) => arn.includes('/wms-sandbox-'))).toBe(true);
  });

  it('passes the guardrails', () => {
    expect(checkStacks([{ stackName: stack.node.id, json: stack.toTerraform() }]).passed).toBe(true);
  });
});

describe('one registry every environment pulls from', () => {
  const accounts = bootstrapAccounts(committedEnvironments(), stackNamesOf);
  const registry = accounts.find((account) => account.registry);
  const { json } = synth(registry as BootstrapAccount);
  const policies = Object.values(resourcesOfType(json, 'aws_ecr_repository_policy')).map(
    (p) => JSON.parse(p.policy as string).Statement as Record<string, unknown>[],
  );
  const roles = resourcesOfType(json, 'aws_iam_role');
  const rolePolicies = Object.values(resourcesOfType(json, 'aws_iam_role_policy'));
  const pushRole = (name: string) => Object.entries(roles).find(([, role]) => role.name === name) ?? [];

  it('GIVEN the committed environments THEN exactly one account, the one in app.images, holds the registry', () => {
    expect(accounts.filter((account) => account.registry).map((account) => account.accountId)).toEqual([
      registryAccountOf(committedEnvironments()[0].app.images.api),
    ]);
    expect(registryAccountOf('ghcr.io/acme/wms-api')).toBeUndefined();
  });

  it("lets exactly every environment's node roles pull, across accounts, by role ARN", () => {
    const expected = committedEnvironments()
      .flatMap((config) => imagePullRoleArns(config.awsAccountId, config.name))
      .sort();
    expect(expected).toContain('arn:aws:iam::111111111111:role/wms-dev-eks-node');
    expect(expected).toContain('arn:aws:iam::111111111111:role/wms-dev-eks-karpenter-node');
    expect(policies).toHaveLength(IMAGE_REPOSITORIES.length);
    for (const [statement] of policies) {
      expect(statement.Action).toEqual([
        'ecr:BatchCheckLayerAvailability',
        'ecr:BatchGetImage',
        'ecr:GetDownloadUrlForLayer',
      ]);
      expect((statement.Principal as { AWS: string[] }).AWS).toEqual([
        'arn:aws:iam::111111111111:root',
        'arn:aws:iam::222222222222:root',
        'arn:aws:iam::333333333333:root',
      ]);
      expect(statement.Condition).toEqual({ ArnEquals: { 'aws:PrincipalArn': expected } });
    }
  });

  it.each([
    ['acme/wms-api', 'wms-github-push-wms-api', 'WmsApi'],
    ['acme/wms-web', 'wms-github-push-wms-web', 'WmsWeb'],
  ])(
    '%s gets a push role trusted on its own refs only, pushing only to its own repository',
    (repo, name, id) => {
      const [roleId, role] = pushRole(name);
      expect(roleId).toBeDefined();
      const [trust] = JSON.parse(role?.assume_role_policy as string).Statement;
      expect(trust.Condition).toEqual({
        StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
        StringLike: {
          'token.actions.githubusercontent.com:sub': [
            `repo:${repo}:ref:refs/heads/main`,
            `repo:${repo}:ref:refs/tags/v*`,
          ],
        },
      });
      const permissions = rolePolicies.find((p) => String(p.role).includes(`${roleId}.id`));
      const statements = JSON.parse(permissions?.policy as string).Statement as Record<string, unknown>[];
      const resources = statements.flatMap((statement) => [statement.Resource].flat());
      expect(resources.filter((r) => r !== '*')).toEqual([
        expect.stringContaining(`aws_ecr_repository.Images_${id}`),
        expect.stringContaining(`aws_ecr_repository.Images_${id}`),
      ]);
      const actions = statements.flatMap((statement) => [statement.Action].flat()) as string[];
      expect(actions.filter((a) => /Delete|SetRepositoryPolicy|PutImageTagMutability|\*/.test(a))).toEqual(
        [],
      );
    },
  );

  it('turns on continuous enhanced scanning for the WMS repositories', () => {
    expect(Object.values(resourcesOfType(json, 'aws_ecr_registry_scanning_configuration'))).toEqual([
      {
        scan_type: 'ENHANCED',
        rule: [
          {
            scan_frequency: 'CONTINUOUS_SCAN',
            repository_filter: IMAGE_REPOSITORIES.map((filter) => ({ filter, filter_type: 'WILDCARD' })),
          },
        ],
      },
    ]);
  });

  it("GIVEN another account THEN no repositories, but its apply boundary still denies writes to the images' names", () => {
    const other = accounts.find((account) => !account.registry) as BootstrapAccount;
    const { json: otherJson } = synth(other);
    expect(resourcesOfType(otherJson, 'aws_ecr_repository')).toEqual({});
    const boundary = Object.values(resourcesOfType(otherJson, 'aws_iam_policy'))
      .map((p) => JSON.parse(p.policy as string).Statement as Record<string, unknown>[])
      .flat()
      .find((statement) => statement.Sid === 'DenyBootstrapRepositoryChanges');
    expect(boundary?.Resource).toEqual(
      IMAGE_REPOSITORIES.map((name) => `arn:aws:ecr:eu-west-1:${other.accountId}:repository/${name}`),
    );
  });
});

describe('BootstrapStack backend', () => {
  it('GIVEN backend s3 THEN its own key in the bucket, native locking, and the bucket key named explicitly', () => {
    const [account] = bootstrapAccounts([source('sandbox')], stackNamesOf);
    const { json } = synth({ ...account, backend: 's3' });
    expect((json.terraform as { backend: unknown }).backend).toEqual({
      s3: {
        bucket: 'wms-tfstate-444444444444-eu-west-1',
        key: 'wms-bootstrap-444444444444/terraform.tfstate',
        region: 'eu-west-1',
        encrypt: true,
        kms_key_id: 'arn:aws:kms:eu-west-1:444444444444:alias/wms-tfstate-444444444444-eu-west-1',
        use_lockfile: true,
      },
    });
  });

  it('GIVEN an account without environments THEN refuses', () => {
    const [account] = bootstrapAccounts([source('sandbox')], stackNamesOf);
    expect(() => synth({ ...account, environments: [] })).toThrow(
      /wms-bootstrap-444444444444: account.environments: \[\] is not allowed \(at least one environment\)/,
    );
  });
});
