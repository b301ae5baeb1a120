import { Testing } from 'cdktf';
import type { DatabaseAutomationProps } from '../../../constructs/database/database-automation';
import { DatabaseAutomation } from '../../../constructs/database/database-automation';
import { PostgresDatabase } from '../../../constructs/database/postgres-database';
import { fakeNetwork } from '../../support/network';
import { awsTestStack, listOfType, synthJson } from '../../support/synth';

type Row = Record<string, unknown>;

function build(overrides: Partial<DatabaseAutomationProps> = {}) {
  const stack = awsTestStack();
  const network = fakeNetwork(3);
  const database = new PostgresDatabase(stack, 'Database', {
    namePrefix: 'wms-test',
    accountId: '123456789012',
    region: 'eu-west-1',
    network,
    engineMajorVersion: '16',
    instanceClass: 'db.r6g.large',
    databaseName: 'wms',
    proxyUsers: ['wms_api', 'wms_migrator'],
    alarms: {
      cpuPercent: 80,
      freeableMemoryMiB: 1024,
      freeLocalStorageGiB: 10,
      replicaLagMs: 2000,
      connections: 800,
      proxyClientConnections: 1000,
    },
    alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:alarms',
  });
  const automation = new DatabaseAutomation(stack, 'Automation', {
    namePrefix: 'wms-test',
    accountId: '123456789012',
    region: 'eu-west-1',
    network,
    database,
    databaseReady: [database.instances[0]],
    databaseName: 'wms',
    schema: 'wms',
    runtimeUser: 'wms_api',
    migrationUser: 'wms_migrator',
    alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:alarms',
    ...overrides,
  });
  return { stack, automation, json: synthJson(stack) };
}

const one = (json: ReturnType<typeof synthJson>, type: string) => {
  const rows = listOfType(json, type);
  expect(rows).toHaveLength(1);
  return rows[0];
};
const lambdaLogs = (json: ReturnType<typeof synthJson>) =>
  listOfType(json, 'aws_cloudwatch_log_group').find((g) => String(g.name).startsWith('/aws/lambda/')) as Row;
const variables = (fn: Row) => (fn.environment as { variables: Record<string, string> }).variables;

describe('DatabaseAutomation', () => {
  describe('defaults', () => {
    const { json, automation } = build();
    const fn = one(json, 'aws_lambda_function');

    it('runs the bundled code in the private subnets, with its own security group, on Node.js 20', () => {
      expect(fn).toMatchObject({
        function_name: 'wms-test-db-automation',
        runtime: 'nodejs20.x',
        handler: 'index.handler',
        filename: expect.stringMatching(
          /^assets\/Automation_Code_[0-9A-F]+\/[0-9a-f]{64}\/[0-9a-f]{64}\.zip$/,
        ),
        source_code_hash: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/),
        vpc_config: {
          subnet_ids: ['subnet-private-a', 'subnet-private-b', 'subnet-private-c'],
          security_group_ids: [expect.stringMatching(/Automation_SecurityGroup/)],
        },
        tracing_config: { mode: 'Active' },
        reserved_concurrent_executions: 2,
        dead_letter_config: { target_arn: 'arn:aws:sns:eu-west-1:123456789012:alarms' },
      });
      expect(automation.restoreSecurityGroupId).toBeUndefined();
    });

    it('logs in to the writer directly (the proxy requires IAM auth), with TLS verified against the RDS CAs', () => {
      expect(variables(fn)).toMatchObject({
        DATABASE_HOST: expect.stringMatching(/aws_rds_cluster\.Database_Cluster_.*\.endpoint/),
        DATABASE_PORT: '5432',
        RUNTIME_USER: 'wms_api',
        MIGRATION_USER: 'wms_migrator',
        NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
      });
      expect(listOfType(json, 'aws_vpc_security_group_ingress_rule')).toContainEqual(
        expect.objectContaining({
          security_group_id: expect.stringMatching(/Database_SecurityGroup_/),
          referenced_security_group_id: expect.stringMatching(/Automation_SecurityGroup_/),
          from_port: 5432,
        }),
      );
    });

    it('rotates both users every 30 days, starting after ensure-users has set the first passwords', () => {
      const rotations = listOfType(json, 'aws_secretsmanager_secret_rotation');
      expect(rotations).toHaveLength(2);
      for (const rotation of rotations) {
        expect(rotation).toMatchObject({
          rotation_rules: { automatically_after_days: 30 },
          rotate_immediately: false,
          depends_on: [expect.stringMatching(/aws_lambda_invocation\.Automation_EnsureUsers/)],
        });
      }
    });

    it('runs ensure-users once the writer exists, again when the code or the users change', () => {
      const invocation = one(json, 'aws_lambda_invocation');
      expect(JSON.parse(invocation.input as string)).toEqual({ action: 'ensure-users' });
      expect(invocation.triggers).toMatchObject({ users: 'wms_api,wms_migrator' });
      expect(invocation.depends_on).toEqual([expect.stringMatching(/Database_Writer/)]);
    });

    it('keeps its logs 365 days, encrypted with its own key', () => {
      expect(lambdaLogs(json)).toMatchObject({
        name: '/aws/lambda/wms-test-db-automation',
        retention_in_days: 365,
        kms_key_id: expect.stringMatching(/Automation_Key/),
      });
    });

    it('has no restore check: no trigger, no restore alarms, a restore-check class of db.t4g.medium', () => {
      expect(listOfType(json, 'aws_cloudwatch_event_rule')).toHaveLength(0);
      expect(listOfType(json, 'aws_cloudwatch_metric_alarm').map((a) => a.alarm_name)).toContain(
        'wms-test-db-automation-errors',
      );
      expect(listOfType(json, 'aws_cloudwatch_metric_alarm').map((a) => a.alarm_name)).not.toContain(
        'wms-test-db-automation-restore-check-failed',
      );
      expect(variables(fn).RESTORE_CHECK_INSTANCE_CLASS).toBe('db.t4g.medium');
    });
  });

  it('GIVEN a restore check THEN AWS Backup and RDS events invoke it, and failures and silence alarm', () => {
    const { json, automation } = build({
      restoreCheck: {
        restoreTestingPlanName: 'wms_test_db_restore_test',
        tables: [{ table: 'wms.orders', minRows: 1 }],
      },
    });
    expect(automation.restoreSecurityGroupId).toBeDefined();
    expect(listOfType(json, 'aws_security_group').map((g) => g.name)).toContain('wms-test-db-restore-test');
    const patterns = listOfType(json, 'aws_cloudwatch_event_rule').map((rule) =>
      JSON.parse(rule.event_pattern as string),
    );
    expect(patterns).toEqual(
      expect.arrayContaining([
        {
          source: ['aws.backup'],
          'detail-type': ['Restore Job State Change'],
          detail: { status: ['COMPLETED'] },
        },
        {
          source: ['aws.rds'],
          'detail-type': ['RDS DB Instance Event'],
          detail: { SourceIdentifier: ['wms-test-db-restore-check'], EventID: ['RDS-EVENT-0005'] },
        },
      ]),
    );
    expect(variables(one(json, 'aws_lambda_function')).RESTORE_CHECK_TABLES).toBe(
      '[{"table":"wms.orders","minRows":1}]',
    );
    const alarms = listOfType(json, 'aws_cloudwatch_metric_alarm');
    expect(
      alarms.find((a) => a.alarm_name === 'wms-test-db-automation-no-recent-restore-check'),
    ).toMatchObject({
      namespace: 'WMS/Backup',
      metric_name: 'RestoreValidationSucceeded',
      evaluation_periods: 8,
      treat_missing_data: 'breaching',
    });
    expect(alarms.find((a) => a.alarm_name === 'wms-test-db-automation-restore-check-failed')).toMatchObject({
      metric_name: 'RestoreValidationFailed',
      comparison_operator: 'GreaterThanThreshold',
    });
  });

  it("GIVEN a restore check THEN the role may change restored clusters but never the environment's own", () => {
    const { json } = build({ restoreCheck: { restoreTestingPlanName: 'p' } });
    const policy = listOfType(json, 'aws_iam_role_policy').find((p) =>
      String(p.role).includes('Automation_Role'),
    ) as Row;
    const statements = (JSON.parse(policy.policy as string) as { Statement: Row[] }).Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Allow', Action: 'rds:ModifyDBCluster' }),
    );
    expect(statements).toContainEqual({
      Effect: 'Deny',
      Action: 'rds:ModifyDBCluster',
      Resource: expect.stringMatching(/aws_rds_cluster\.Database_Cluster_.*\.arn/),
    });
  });

  it.each([
    [{ rotationDays: 91 }, /rotationDays.*91.*1 to 90/],
    [{ rotationDays: 0 }, /rotationDays.*0.*1 to 90/],
    [
      { runtimeUser: 'wms_other' },
      /runtimeUser.*wms_other.*a proxy user of the database \(wms_api, wms_migrator\)/,
    ],
    [{ migrationUser: 'wms_api' }, /migrationUser.*wms_api.*a user other than the runtime user/],
    [
      { restoreCheck: { restoreTestingPlanName: 'p', tables: [{ table: 'Orders; DROP', minRows: 1 }] } },
      /restoreCheck\.tables\[0\]\.table.*Orders; DROP.*table or schema\.table/,
    ],
    [
      { restoreCheck: { restoreTestingPlanName: 'p', tables: [{ table: 'orders', minRows: -1 }] } },
      /restoreCheck\.tables\[0\]\.minRows.*-1.*an integer >= 0/,
    ],
  ])('GIVEN %j THEN refuses it, naming field, value and what is allowed', (overrides, message) => {
    expect(() => build(overrides as Partial<DatabaseAutomationProps>)).toThrow(message);
  });

  it('GIVEN rotationDays THEN uses it', () => {
    const { json } = build({ rotationDays: 90, logRetentionDays: 30 });
    expect(listOfType(json, 'aws_secretsmanager_secret_rotation')[0]).toMatchObject({
      rotation_rules: { automatically_after_days: 90 },
    });
    expect(lambdaLogs(json).retention_in_days).toBe(30);
  });

  it('synthesizes valid Terraform', () => {
    const { stack } = build({ restoreCheck: { restoreTestingPlanName: 'p' } });
    expect(Testing.synth(stack, true)).toBeTruthy();
  });
});
