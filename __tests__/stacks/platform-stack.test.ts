import { Testing } from 'cdktf';
import { PlatformStack } from '../../stacks/platform-stack';
import { committedEnvironment } from '../support/environments';
import { listOfType } from '../support/synth';
import type { SynthesizedStack } from '../support/synth';

function synthPlatform(environment: string, backend?: 's3' | 'local'): SynthesizedStack {
  const config = committedEnvironment(environment);
  const stack = new PlatformStack(Testing.app(), `wms-${environment}-platform`, { config, backend });
  return JSON.parse(Testing.synth(stack, true)) as SynthesizedStack;
}

const tier = (resource: Record<string, unknown>) => (resource.tags as Record<string, string>)['wms:tier'];

describe.each(['dev', 'staging', 'prod'])('PlatformStack %s', (environment) => {
  const json = synthPlatform(environment);

  it('matches the reviewed snapshot (terraform block removed: it carries tool versions)', () => {
    const { terraform: _volatile, ...stable } = json;
    expect(stable).toMatchSnapshot();
  });

  it('holds AWS resources only, so it plans offline', () => {
    const types = Object.keys(json.resource ?? {});
    expect(types.filter((type) => !type.startsWith('aws_'))).toEqual([]);
    expect(Object.keys(json.provider as object)).toEqual(['aws']);
    expect(json.data).toBeUndefined();
  });

  it('keeps state in the environment bucket, one key per stack, with native S3 locking', () => {
    const config = committedEnvironment(environment);
    expect((json.terraform as { backend: unknown }).backend).toEqual({
      s3: {
        bucket: config.state.bucket,
        key: `wms-${environment}-platform/terraform.tfstate`,
        region: config.state.region,
        encrypt: true,
        kms_key_id: `arn:aws:kms:${config.state.region}:${config.awsAccountId}:alias/${config.state.bucket}`,
        use_lockfile: true,
      },
    });
  });

  it('tags every resource through default_tags and pins the account', () => {
    const config = committedEnvironment(environment);
    const [aws] = (json.provider as { aws: Record<string, unknown>[] }).aws;
    expect(aws.allowed_account_ids).toEqual([config.awsAccountId]);
    expect(aws.default_tags).toEqual([
      {
        tags: {
          Project: 'wms',
          Environment: environment,
          Owner: config.tags.owner,
          CostCentre: config.tags.costCentre,
          ManagedBy: 'cdktf',
          Repository: 'acme/wms-platform',
        },
      },
    ]);
  });

  it('gives database subnets no route to the internet', () => {
    const databaseSubnets = new Set(
      Object.entries(json.resource?.aws_subnet ?? {})
        .filter(([, subnet]) => tier(subnet) === 'database')
        .map(([id]) => `\${aws_subnet.${id}.id}`),
    );
    const tables = listOfType(json, 'aws_route_table_association')
      .filter((a) => databaseSubnets.has(a.subnet_id as string))
      .map((a) => a.route_table_id);
    expect(tables.length).toBe(databaseSubnets.size);
    const routesFromThoseTables = listOfType(json, 'aws_route').filter((r) =>
      tables.includes(r.route_table_id),
    );
    expect(routesFromThoseTables).toEqual([]);
  });
});

describe('alarm delivery', () => {
  it('prod pages through PagerDuty with the URL from a sensitive variable, and every environment chats to Slack', () => {
    const prod = synthPlatform('prod');
    expect(listOfType(prod, 'aws_sns_topic_subscription').map((s) => [s.protocol, s.endpoint])).toEqual([
      ['email', 'platform-team@example.com'],
      ['https', '${var.pagerduty_cloudwatch_url}'],
    ]);
    expect(prod.variable).toEqual({ pagerduty_cloudwatch_url: expect.objectContaining({ sensitive: true }) });
    for (const environment of ['dev', 'staging', 'prod']) {
      expect(listOfType(synthPlatform(environment), 'aws_chatbot_slack_channel_configuration')).toHaveLength(
        1,
      );
    }
  });

  it('dev has no pager and no variable to supply: it plans with nothing exported', () => {
    const dev = synthPlatform('dev');
    expect(listOfType(dev, 'aws_sns_topic_subscription')).toEqual([]);
    expect(dev.variable).toBeUndefined();
  });
});

describe('environment invariants', () => {
  const INSTANCE_IDS = ['Database_Reader1_B843ECF4', 'Database_Reader2_6C3EFF40', 'Database_Writer_2C00925F'];
  const VAULT_IDS = ['DatabaseBackup_CopyVault_35687476', 'DatabaseBackup_Vault_1522849C'];

  it('prod spans 3 AZs with a NAT gateway in each', () => {
    const json = synthPlatform('prod');
    const azs = new Set(listOfType(json, 'aws_subnet').map((s) => s.availability_zone));
    expect(azs.size).toBe(3);
    expect(listOfType(json, 'aws_nat_gateway')).toHaveLength(3);
  });

  it('dev runs the explicit cheap options: 2 AZs, one NAT gateway, no interface endpoints', () => {
    const json = synthPlatform('dev');
    expect(new Set(listOfType(json, 'aws_subnet').map((s) => s.availability_zone)).size).toBe(2);
    expect(listOfType(json, 'aws_nat_gateway')).toHaveLength(1);
    expect(listOfType(json, 'aws_vpc_endpoint').filter((e) => e.vpc_endpoint_type === 'Interface')).toEqual(
      [],
    );
  });

  it('prod runs a writer and 2 readers in 3 different AZs, protected, with backups copied to a second region', () => {
    const json = synthPlatform('prod');
    const instances = listOfType(json, 'aws_rds_cluster_instance');
    expect(instances).toHaveLength(3);
    expect(new Set(instances.map((i) => i.availability_zone)).size).toBe(3);
    expect(listOfType(json, 'aws_rds_cluster')[0]).toMatchObject({
      deletion_protection: true,
      backup_retention_period: 35,
    });
    const [plan] = listOfType(json, 'aws_backup_plan');
    expect((plan.rule as Record<string, unknown>[])[0].copy_action).toHaveLength(1);
    expect(listOfType(json, 'aws_backup_vault').map((v) => v.provider)).toContain('aws.backup_region');
    expect(listOfType(json, 'aws_backup_restore_testing_plan')).toHaveLength(1);
  });

  it('staging keeps deletion protection; dev opts out explicitly and runs one serverless writer', () => {
    expect(listOfType(synthPlatform('staging'), 'aws_rds_cluster')[0].deletion_protection).toBe(true);
    const dev = synthPlatform('dev');
    expect(listOfType(dev, 'aws_rds_cluster')[0]).toMatchObject({
      deletion_protection: false,
      serverlessv2_scaling_configuration: { min_capacity: 0.5, max_capacity: 4 },
    });
    expect(listOfType(dev, 'aws_rds_cluster_instance')).toHaveLength(1);
  });

  it('pins the stateful resources to their addresses, so a refactor cannot silently replace them', () => {
    const json = synthPlatform('prod');
    const ids = (type: string) => Object.keys(json.resource?.[type] ?? {}).sort();
    expect(ids('aws_vpc')).toEqual(['Network_Vpc_FAC8F4A5']);
    expect(ids('aws_rds_cluster')).toEqual(['Database_Cluster_C6094C50']);
    expect(ids('aws_rds_cluster_instance')).toEqual(INSTANCE_IDS);
    expect(ids('aws_kms_key')).toEqual([
      'Alarms_Key_66918E0D',
      'DatabaseBackup_CopyVaultKey_8FBCA9EF',
      'DatabaseBackup_VaultKey_7BF401D2',
      'Database_Key_64F5EF26',
      'Eks_Key_4214F243',
      'LokiBucket_Key_AE7042D1',
      'Network_FlowLogKey_88E74685',
      'PublicEndpoint_WafLogKey_2681D5D9',
      'TempoBucket_Key_0BB34A2C',
    ]);
    expect(ids('aws_backup_vault')).toEqual(VAULT_IDS);
    expect(ids('aws_eks_cluster')).toEqual(['Eks_Cluster_9EEA9CA8']);
    expect(ids('aws_s3_bucket')).toEqual([
      'LokiBucket_3640F0F5',
      'PublicEndpoint_AccessLogs_Bucket_B2E05E09',
      'TempoBucket_CF1D8738',
    ]);
  });

  it('admits the EKS nodes and pods, and only them, to the database proxy', () => {
    const json = synthPlatform('prod');
    const ingress = listOfType(json, 'aws_vpc_security_group_ingress_rule').filter(
      (r) => r.from_port === 5432,
    );
    const sources = ingress.map((r) => [r.security_group_id, r.referenced_security_group_id]);
    expect(sources).toEqual(
      expect.arrayContaining([
        [
          expect.stringMatching(/ProxySecurityGroup/),
          expect.stringMatching(/^\$\{aws_security_group\.Eks_.*NodeSecurityGroup.*\.id\}$/),
        ],
        [expect.stringMatching(/Database_SecurityGroup/), expect.stringMatching(/ProxySecurityGroup/)],
      ]),
    );
    expect(ingress).toHaveLength(2);
  });

  it('lets the WMS API connect as its own database user through the proxy, and read only its own login', () => {
    const json = synthPlatform('prod');
    const policies = listOfType(json, 'aws_iam_role_policy').map((p) => p.policy as string);
    const api = policies.find((p) => p.includes('rds-db:connect'));
    expect(api).toContain('dbuser:${element(split(\":\", aws_db_proxy.Database_Proxy_');
    expect(api).toContain('/wms_api');
    expect(api).toMatch(/aws_secretsmanager_secret\.Database_UserSecretWmsApi_\w+\.arn/);
  });

  it('names the environment zone for external-dns and keeps the prod cluster from being destroyed', () => {
    const json = synthPlatform('prod');
    expect(listOfType(json, 'aws_route53_zone')).toEqual([
      expect.objectContaining({ name: 'wms.example.com' }),
    ]);
    expect(listOfType(json, 'aws_eks_cluster')).toEqual([
      expect.objectContaining({
        name: 'wms-prod-eks',
        version: '1.35',
        lifecycle: { prevent_destroy: true },
      }),
    ]);
    expect(listOfType(synthPlatform('dev'), 'aws_eks_cluster')[0].lifecycle).toBeUndefined();
  });

  it('records the environment for the guardrails in the stack metadata', () => {
    const config = committedEnvironment('prod');
    const app = Testing.app();
    const stack = new PlatformStack(app, 'wms-prod-platform', { config });
    expect(stack.toTerraform()['//'].wms).toEqual({ environment: 'prod', production: true });
  });

  it('GIVEN the local backend THEN state goes to terraform-state/ relative to the stack folder', () => {
    const json = synthPlatform('dev', 'local');
    expect((json.terraform as { backend: unknown }).backend).toEqual({
      local: { path: '../../../terraform-state/wms-dev-platform.tfstate' },
    });
  });
});
