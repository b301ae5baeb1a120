import { Testing } from 'cdktf';
import { PlatformStack } from '../../stacks/platform-stack';
import { committedEnvironment } from '../support/environments';
import { listOfType, resourcesOfType } from '../support/synth';
import type { SynthesizedStack } from '../support/synth';
import { deepFreeze } from '../support/freeze';

const synthesized = new Map<string, SynthesizedStack>();

/** The platform stack of a committed environment, synthesized once per file and frozen (no test can change it). */
function synthPlatform(environment: string, backend?: 's3' | 'local'): SynthesizedStack {
  const key = `${environment} ${backend ?? 'default'}`;
  let json = synthesized.get(key);
  if (!json) {
    const config = committedEnvironment(environment);
    const stack = new PlatformStack(Testing.app(), `wms-${environment}-platform`, { config, backend });
    json = deepFreeze(JSON.parse(Testing.synth(stack, true)) as SynthesizedStack);
    synthesized.set(key, json);
  }
  return json;
}

const tier = (resource: Record<string, unknown>) => (resource.tags as Record<string, string>)['wms:tier'];

describe.each(['dev', 'staging', 'prod'])('PlatformStack %s', (environment) => {
  const json = synthPlatform(environment);

  it('matches the reviewed snapshot (terraform block removed: it carries tool versions)', () => {
    const { terraform: _volatile, ...stable } = json;
    expect(stable).toMatchSnapshot();
  });

  it("gives Grafana its own certificate, leaving the app's certificate at its address and with its one name", () => {
    const certificates = (json.resource?.aws_acm_certificate ?? {}) as Record<
      string,
      { domain_name: string }
    >;
    const domain = committedEnvironment(environment).dnsDomain;
    const cdn = committedEnvironment(environment).cdn?.enabled
      ? {
          // The CDN's: the origin host on the load balancer (regional), the viewer certificate in us-east-1.
          PublicEndpoint_OriginCertificate_4E6B97EA: `origin.${domain}`,
          ContentDelivery_ViewerCertificate_30072F26: domain,
        }
      : {};
    expect(Object.fromEntries(Object.entries(certificates).map(([id, c]) => [id, c.domain_name]))).toEqual({
      PublicEndpoint_Certificate_17DA15D3: domain,
      PublicEndpoint_GrafanaCertificate_F0531AA5: `grafana.${domain}`,
      ...cdn,
    });
    // External Secrets may read the Grafana single sign-on client secret (and still nothing else new).
    const policies = JSON.stringify(listOfType(json, 'aws_iam_role_policy'));
    expect(policies).toContain(`secret:wms/${environment}/grafana/oidc-client-secret-??????`);
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

  it('dev scales its node group to zero and stops its database outside working hours; staging and prod never', () => {
    const dev = synthPlatform('dev');
    const schedules = listOfType(dev, 'aws_scheduler_schedule');
    const byName = Object.fromEntries(schedules.map((s) => [s.name, s]));
    expect(Object.keys(byName).sort()).toEqual([
      'wms-dev-database-start',
      'wms-dev-database-stop',
      'wms-dev-system-nodes-start',
      'wms-dev-system-nodes-stop',
    ]);
    for (const schedule of schedules) expect(schedule.schedule_expression_timezone).toBe('Europe/Berlin');
    const input = (name: string) =>
      JSON.parse(String((byName[name].target as Record<string, unknown>).input)) as Record<string, unknown>;
    // The node group's own name and its sizes from config/dev.yaml (system: min 1, desired 1, max 2).
    expect(input('wms-dev-system-nodes-stop')).toEqual({
      ClusterName: expect.stringMatching(/^\$\{aws_eks_cluster\./),
      NodegroupName: expect.stringMatching(/^\$\{aws_eks_node_group\..*\.node_group_name\}$/),
      ScalingConfig: { MinSize: 0, DesiredSize: 0, MaxSize: 2 },
    });
    expect(input('wms-dev-system-nodes-start').ScalingConfig).toEqual({
      MinSize: 1,
      DesiredSize: 1,
      MaxSize: 2,
    });
    expect(input('wms-dev-database-stop')).toEqual({
      DbClusterIdentifier: listOfType(dev, 'aws_rds_cluster')[0].cluster_identifier,
    });
    expect(byName['wms-dev-system-nodes-stop'].schedule_expression).toBe('cron(0 19 ? * MON-FRI *)');
    expect(byName['wms-dev-database-start'].schedule_expression).toBe('cron(30 6 ? * MON-FRI *)');
    for (const environment of ['staging', 'prod'])
      expect(listOfType(synthPlatform(environment), 'aws_scheduler_schedule')).toEqual([]);
  });

  it('puts the CDN in staging and prod (its us-east-1 resources on the aliased provider), none in dev', () => {
    expect(listOfType(synthPlatform('dev'), 'aws_cloudfront_distribution')).toEqual([]);
    for (const environment of ['staging', 'prod']) {
      const json = synthPlatform(environment);
      const domain = committedEnvironment(environment).dnsDomain;
      const providers = (json.provider as { aws: { alias?: string; region: string }[] }).aws;
      expect(providers).toContainEqual(expect.objectContaining({ alias: 'us_east_1', region: 'us-east-1' }));
      const [distribution] = listOfType(json, 'aws_cloudfront_distribution');
      expect(distribution).toMatchObject({
        aliases: [domain],
        origin: [expect.objectContaining({ domain_name: `origin.${domain}` })],
      });
      for (const type of [
        'aws_wafv2_web_acl',
        'aws_cloudwatch_log_delivery_source',
        'aws_cloudwatch_log_delivery_destination',
        'aws_cloudwatch_log_delivery',
      ]) {
        const inUsEast1 = listOfType(json, type).filter((r) => r.provider === 'aws.us_east_1');
        expect(inUsEast1.length).toBeGreaterThan(0);
      }
      const acls = listOfType(json, 'aws_wafv2_web_acl').map((acl) => [acl.name, acl.scope, acl.provider]);
      expect(acls).toEqual([
        [`wms-${environment}-cdn`, 'CLOUDFRONT', 'aws.us_east_1'],
        [`wms-${environment}-web`, 'REGIONAL', undefined],
      ]);
      // Runbook step 1: the distribution is ready; the domain still points at the load balancer, whose regional
      // web ACL keeps the client rules.
      expect(listOfType(json, 'aws_route53_record').filter((r) => r.alias !== undefined)).toEqual([]);
      const regional = listOfType(json, 'aws_wafv2_web_acl').find((acl) => acl.scope === 'REGIONAL');
      expect((regional?.rule as { name: string }[]).map((r) => r.name)).toContain('rate-limit-per-ip');
    }
  });

  it('pins the stateful resources to their addresses, so a refactor cannot silently replace them', () => {
    const json = synthPlatform('prod');
    const ids = (type: string) => Object.keys(json.resource?.[type] ?? {}).sort();
    expect(ids('aws_vpc')).toEqual(['Network_Vpc_FAC8F4A5']);
    expect(ids('aws_rds_cluster')).toEqual(['Database_Cluster_C6094C50']);
    expect(ids('aws_rds_cluster_instance')).toEqual(INSTANCE_IDS);
    expect(ids('aws_kms_key')).toEqual([
      'Alarms_Key_66918E0D',
      'CiRunner_LogKey_9DBAE25C',
      'ContentDelivery_Waf_WafLogKey_02D00B9E',
      'DatabaseAutomation_Key_35BCEAE0',
      'DatabaseBackup_CopyVaultKey_8FBCA9EF',
      'DatabaseBackup_VaultKey_7BF401D2',
      'Database_Key_64F5EF26',
      'Eks_Key_4214F243',
      'LokiBucket_Key_AE7042D1',
      'MetricsWorkspace_Key_4F820AD6',
      'Network_FlowLogKey_88E74685',
      'PublicEndpoint_WafLogKey_2681D5D9',
      'TempoBucket_Key_0BB34A2C',
    ]);
    expect(ids('aws_prometheus_workspace')).toEqual(['MetricsWorkspace_69E27845']);
    expect(ids('aws_backup_vault')).toEqual(VAULT_IDS);
    expect(ids('aws_eks_cluster')).toEqual(['Eks_Cluster_9EEA9CA8']);
    expect(ids('aws_s3_bucket')).toEqual([
      'LokiBucket_3640F0F5',
      'PublicEndpoint_AccessLogs_Bucket_B2E05E09',
      'TempoBucket_CF1D8738',
    ]);
  });

  it('admits the CI runner to the private EKS endpoint on 443, and gives its role no cluster access entry', () => {
    const json = synthPlatform('prod');
    const [project] = listOfType(json, 'aws_codebuild_project');
    expect(project).toMatchObject({ name: 'wms-prod-gha-runner' });
    // ci.runner.computeType defaults to BUILD_GENERAL1_MEDIUM (prod); dev opts for SMALL explicitly.
    expect(project.environment).toMatchObject({ compute_type: 'BUILD_GENERAL1_MEDIUM' });
    const [devProject] = listOfType(synthPlatform('dev'), 'aws_codebuild_project');
    expect(devProject.environment).toMatchObject({ compute_type: 'BUILD_GENERAL1_SMALL' });
    const runnerSg = (project.vpc_config as { security_group_ids: string[] }).security_group_ids[0];
    const toEndpoint = listOfType(json, 'aws_vpc_security_group_ingress_rule').filter(
      (r) => r.referenced_security_group_id === runnerSg,
    );
    expect(toEndpoint).toEqual([
      expect.objectContaining({
        security_group_id: '${aws_security_group.Eks_ClusterSecurityGroup_1D6904A3.id}',
        ip_protocol: 'tcp',
        from_port: 443,
        to_port: 443,
      }),
    ]);
    // Jobs on the runner authenticate as the plan or apply role (GitHub OIDC), which have their own entries.
    const principals = listOfType(json, 'aws_eks_access_entry').map((e) => e.principal_arn);
    expect(principals.filter((arn) => String(arn).includes('gha-runner'))).toEqual([]);
    expect((json.output as Record<string, unknown>).CiRunnerProject).toMatchObject({
      value: 'wms-prod-gha-runner',
    });
  });

  it('admits the EKS nodes and pods to the proxy, and only the proxy and the database automation to the cluster', () => {
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
        // The automation logs in with passwords, which the proxy (IAM authentication required) does not take.
        [
          expect.stringMatching(/Database_SecurityGroup/),
          expect.stringMatching(/DatabaseAutomation_SecurityGroup/),
        ],
        // Clusters restored by restore tests admit the automation's row-count check only.
        [
          expect.stringMatching(/DatabaseAutomation_RestoreSecurityGroup/),
          expect.stringMatching(/DatabaseAutomation_SecurityGroup/),
        ],
      ]),
    );
    expect(ingress).toHaveLength(4);
  });

  it("publishes the NAT gateways' public addresses for partners to allow-list, one per NAT gateway", () => {
    for (const [environment, count] of [
      ['prod', 3],
      ['dev', 1],
    ] as const) {
      const output = (synthPlatform(environment).output as Record<string, { value: string[] }>).NatPublicIps;
      expect(output.value).toHaveLength(count);
      expect(output.value.every((ip) => /^\$\{aws_nat_gateway\.Network_Nat\w+\.public_ip\}$/.test(ip))).toBe(
        true,
      );
    }
  });

  it('lets Prometheus, and only it, remote-write to the metrics workspace, and Grafana query it (decision 0005)', () => {
    const json = synthPlatform('prod');
    const workspaceArn = '${aws_prometheus_workspace.MetricsWorkspace_69E27845.arn}';
    const policies = Object.entries(resourcesOfType(json, 'aws_iam_role_policy')).map(([id, p]) => ({
      id,
      policy: p.policy as string,
    }));
    const granting = (action: string) =>
      policies.filter((p) => p.policy.includes(`"${action}"`)).map((p) => p.id);
    expect(granting('aps:RemoteWrite')).toEqual([expect.stringMatching(/^Eks_Prometheus_Policy/)]);
    expect(granting('aps:QueryMetrics')).toEqual([expect.stringMatching(/^Eks_Grafana_Policy/)]);
    for (const p of policies.filter((p) => /^Eks_(Prometheus|Grafana)_/.test(p.id))) {
      const statements = (JSON.parse(p.policy) as { Statement: { Resource: string }[] }).Statement;
      expect(statements.map((s) => s.Resource)).toEqual([workspaceArn]);
    }
    const associations = listOfType(json, 'aws_eks_pod_identity_association').map((a) => [
      a.namespace,
      a.service_account,
    ]);
    expect(associations).toEqual(
      expect.arrayContaining([
        ['monitoring', 'kps-prometheus'],
        ['monitoring', 'kube-prometheus-stack-grafana'],
      ]),
    );
    const retention = (env: string) =>
      listOfType(synthPlatform(env), 'aws_prometheus_workspace_configuration')[0].retention_period_in_days;
    expect([retention('prod'), retention('dev')]).toEqual([400, 30]);
  });

  it('lets the migration Job, and only it, connect as the migration user (DDL)', () => {
    const json = synthPlatform('prod');
    const policies = listOfType(json, 'aws_iam_role_policy').map((p) => p.policy as string);
    const connects = policies.filter((p) => p.includes('rds-db:connect'));
    expect(connects.filter((p) => p.includes('/wms_migrator'))).toHaveLength(1);
    expect(connects.find((p) => p.includes('/wms_api'))).not.toContain('/wms_migrator');
    const associations = listOfType(json, 'aws_eks_pod_identity_association').map((a) => a.service_account);
    expect(associations).toEqual(expect.arrayContaining(['wms-api', 'wms-migrate']));
  });

  it('creates the users and rotates their passwords by the database automation, and checks restore tests in prod', () => {
    const prod = synthPlatform('prod');
    expect(listOfType(prod, 'aws_secretsmanager_secret_rotation')).toHaveLength(2);
    expect(listOfType(prod, 'aws_lambda_invocation')).toHaveLength(1);
    expect(listOfType(prod, 'aws_backup_restore_testing_selection')[0]).toMatchObject({
      validation_window_hours: 4,
      restore_metadata_overrides: {
        vpcsecuritygroupids: expect.stringMatching(
          /jsonencode\(\[aws_security_group\.DatabaseAutomation_Restore/,
        ),
      },
    });
    // dev runs no restore tests: no restore check either.
    expect(listOfType(synthPlatform('dev'), 'aws_cloudwatch_event_rule').map((r) => r.name)).not.toContain(
      'wms-dev-db-automation-restore-completed',
    );
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
    expect(stack.toTerraform()['//'].wms).toEqual({
      environment: 'prod',
      production: true,
      // CI exports TF_VAR_pagerduty_cloudwatch_url from this parameter (scripts/ci/plan.sh): config is the source.
      ssmVariables: {
        pagerduty_cloudwatch_url: {
          parameter: '/wms/prod/alerting/pagerduty-cloudwatch-url',
          region: 'eu-west-1',
        },
      },
    });
    const dev = new PlatformStack(app, 'wms-dev-platform', { config: committedEnvironment('dev') });
    expect(dev.toTerraform()['//'].wms).toEqual({ environment: 'dev', production: false });
  });

  it('GIVEN the local backend THEN state goes to terraform-state/ relative to the stack folder', () => {
    const json = synthPlatform('dev', 'local');
    expect((json.terraform as { backend: unknown }).backend).toEqual({
      local: { path: '../../../terraform-state/wms-dev-platform.tfstate' },
    });
  });
});
