import { TerraformOutput } from 'cdktf';
import type { PostgresDatabaseProps } from '../../../constructs/database/postgres-database';
import { PostgresDatabase } from '../../../constructs/database/postgres-database';
import { fakeNetwork } from '../../support/network';
import { awsTestStack, listOfType, synthJson } from '../../support/synth';

const ALARMS = {
  cpuPercent: 80,
  freeableMemoryMiB: 1024,
  freeLocalStorageGiB: 10,
  replicaLagMs: 2000,
  connections: 800,
  proxyClientConnections: 1000,
};

const BASE: PostgresDatabaseProps = {
  namePrefix: 'wms-test',
  accountId: '123456789012',
  region: 'eu-west-1',
  network: fakeNetwork(3),
  engineMajorVersion: '16',
  instanceClass: 'db.r6g.large',
  databaseName: 'wms',
  alarms: ALARMS,
  alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:alarms',
};

type Row = Record<string, unknown>;

function build(overrides: Partial<PostgresDatabaseProps> = {}, configure?: (db: PostgresDatabase) => void) {
  const stack = awsTestStack();
  const database = new PostgresDatabase(stack, 'Database', { ...BASE, ...overrides });
  configure?.(database);
  return {
    database,
    json: synthJson(stack),
    raw: stack.toTerraform() as { resource: Record<string, Record<string, Row>> },
  };
}

const one = (json: ReturnType<typeof synthJson>, type: string) => {
  const rows = listOfType(json, type);
  expect(rows).toHaveLength(1);
  return rows[0];
};
const parameters = (group: Row) =>
  Object.fromEntries((group.parameter as Row[]).map((p) => [p.name as string, p.value as string]));

describe('PostgresDatabase', () => {
  describe('defaults', () => {
    const { database, json } = build();
    const cluster = one(json, 'aws_rds_cluster');
    const instances = listOfType(json, 'aws_rds_cluster_instance');

    it('runs a writer and 2 readers, each in its own AZ, failing over to reader 1 first', () => {
      const byTier = [...instances].sort(
        (a, b) => (a.promotion_tier as number) - (b.promotion_tier as number),
      );
      expect(byTier.map((i) => [i.identifier, i.availability_zone, i.promotion_tier])).toEqual([
        ['wms-test-db-writer', 'eu-west-1a', 0],
        ['wms-test-db-reader-1', 'eu-west-1b', 1],
        ['wms-test-db-reader-2', 'eu-west-1c', 2],
      ]);
      const writerAddress = expect.stringMatching(/^aws_rds_cluster_instance\.Database_Writer_/);
      expect(byTier[0].depends_on).toBeUndefined();
      expect(byTier[1].depends_on).toEqual([writerAddress]);
      expect(byTier[2].depends_on).toEqual([writerAddress]);
    });

    it('pins the major version only and lets AWS apply minor upgrades', () => {
      expect(cluster).toMatchObject({ engine: 'aurora-postgresql', engine_version: '16' });
      expect(instances.every((i) => i.auto_minor_version_upgrade === true)).toBe(true);
    });

    it('encrypts storage and the RDS-managed master secret with its own rotating key', () => {
      const key = one(json, 'aws_kms_key');
      expect(key.enable_key_rotation).toBe(true);
      const keyArn = expect.stringMatching(/^\$\{aws_kms_key\.Database_Key_.*\.arn\}$/);
      expect(cluster).toMatchObject({
        storage_encrypted: true,
        kms_key_id: keyArn,
        manage_master_user_password: true,
        master_user_secret_kms_key_id: keyArn,
        iam_database_authentication_enabled: true,
      });
      expect(cluster.master_password).toBeUndefined();
    });

    it('keeps 14 days of backups in non-overlapping windows, protects the cluster and snapshots it on delete', () => {
      expect(cluster).toMatchObject({
        backup_retention_period: 14,
        preferred_backup_window: '02:00-03:00',
        preferred_maintenance_window: 'sun:04:00-sun:05:00',
        deletion_protection: true,
        skip_final_snapshot: false,
        final_snapshot_identifier: 'wms-test-db-final',
        copy_tags_to_snapshot: true,
      });
    });

    it('exports PostgreSQL logs into a log group kept 365 days and encrypted, created before the cluster', () => {
      const logGroup = one(json, 'aws_cloudwatch_log_group');
      expect(logGroup).toMatchObject({
        name: '/aws/rds/cluster/wms-test-db/postgresql',
        retention_in_days: 365,
      });
      expect(logGroup.kms_key_id).toMatch(/aws_kms_key/);
      expect(cluster.enabled_cloudwatch_logs_exports).toEqual(['postgresql']);
      expect(cluster.depends_on).toEqual([expect.stringMatching(/^aws_cloudwatch_log_group\./)]);
    });

    it('counts slow statements from the PostgreSQL log as WMS/Database SlowQueries, without dimensions', () => {
      const filter = one(json, 'aws_cloudwatch_log_metric_filter');
      const logGroup = Object.keys(json.resource?.aws_cloudwatch_log_group ?? {})[0];
      expect(filter).toEqual({
        name: 'wms-test-db-slow-queries',
        log_group_name: `\${aws_cloudwatch_log_group.${logGroup}.name}`,
        pattern: '"duration:"',
        metric_transformation: {
          namespace: 'WMS/Database',
          name: 'SlowQueries',
          value: '1',
          default_value: '0',
          unit: 'Count',
        },
      });
      expect(one(json, 'aws_cloudwatch_log_group').name).toBe('/aws/rds/cluster/wms-test-db/postgresql');
    });

    it('logs slow statements (1 s) and DDL, loads pg_stat_statements and requires TLS, in name-prefixed groups', () => {
      const group = one(json, 'aws_rds_cluster_parameter_group');
      expect(group).toMatchObject({
        family: 'aurora-postgresql16',
        name_prefix: 'wms-test-db-',
        lifecycle: { create_before_destroy: true },
      });
      expect(parameters(group)).toMatchObject({
        'rds.force_ssl': '1',
        log_min_duration_statement: '1000',
        log_statement: 'ddl',
        shared_preload_libraries: 'pg_stat_statements',
      });
      expect(one(json, 'aws_db_parameter_group')).toMatchObject({
        name_prefix: 'wms-test-db-instance-',
        lifecycle: { create_before_destroy: true },
      });
    });

    it('keeps instances private with enhanced monitoring and encrypted Performance Insights', () => {
      for (const instance of instances) {
        expect(instance).toMatchObject({
          publicly_accessible: false,
          monitoring_interval: 30,
          performance_insights_enabled: true,
          performance_insights_kms_key_id: expect.stringMatching(/aws_kms_key/),
        });
      }
      const roles = listOfType(json, 'aws_iam_role');
      const monitoring = roles.find((r) => r.name === 'wms-test-db-monitoring');
      expect(JSON.parse(monitoring?.assume_role_policy as string).Statement[0].Principal).toEqual({
        Service: 'monitoring.rds.amazonaws.com',
      });
      expect(listOfType(json, 'aws_iam_role_policy_attachment').map((a) => a.policy_arn)).toEqual([
        'arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole',
      ]);
    });

    it('places the cluster in the database subnets and the proxy in the private subnets', () => {
      expect(one(json, 'aws_db_subnet_group').subnet_ids).toEqual(BASE.network.databaseSubnetIds);
      expect(one(json, 'aws_db_proxy').vpc_subnet_ids).toEqual(BASE.network.privateSubnetIds);
    });

    it('puts an RDS Proxy in front: TLS required, IAM auth required for every login, a read-only endpoint', () => {
      const proxy = one(json, 'aws_db_proxy');
      expect(proxy).toMatchObject({ engine_family: 'POSTGRESQL', require_tls: true });
      expect(proxy.auth).toEqual([
        expect.objectContaining({
          iam_auth: 'REQUIRED',
          auth_scheme: 'SECRETS',
          secret_arn: expect.stringMatching(/master_user_secret\[0\]\.secret_arn/),
        }),
      ]);
      expect(one(json, 'aws_db_proxy_endpoint')).toMatchObject({ target_role: 'READ_ONLY' });
      expect(one(json, 'aws_db_proxy_default_target_group').connection_pool_config).toMatchObject({
        max_connections_percent: 90,
      });
    });

    it('lets the proxy read only its logins, and decrypt only through Secrets Manager', () => {
      const policy = listOfType(json, 'aws_iam_role_policy').find((p) =>
        (p.role as string).includes('ProxyRole'),
      );
      const statements = JSON.parse(policy?.policy as string).Statement;
      expect(statements[0]).toEqual({
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: [expect.stringMatching(/master_user_secret/)],
      });
      expect(statements[1].Condition).toEqual({
        StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' },
      });
    });

    it('admits PostgreSQL to the cluster from the proxy only, and to the proxy from nobody yet', () => {
      const ingress = listOfType(json, 'aws_vpc_security_group_ingress_rule');
      expect(ingress).toEqual([
        expect.objectContaining({
          from_port: 5432,
          to_port: 5432,
          description: 'PostgreSQL from the RDS Proxy',
          referenced_security_group_id: expect.stringMatching(/ProxySecurityGroup/),
        }),
      ]);
      const egressPorts = listOfType(json, 'aws_vpc_security_group_egress_rule').map((r) => r.to_port);
      expect(egressPorts.sort()).toEqual([443, 5432]);
    });

    it('raises seven alarms to the topic, for missing data too except the idle-able proxy', () => {
      const alarms = listOfType(json, 'aws_cloudwatch_metric_alarm');
      expect(alarms.map((a) => a.alarm_name).sort()).toEqual([
        'wms-test-db-connections',
        'wms-test-db-deadlocks',
        'wms-test-db-free-local-storage',
        'wms-test-db-freeable-memory',
        'wms-test-db-proxy-client-connections',
        'wms-test-db-replica-lag',
        'wms-test-db-writer-cpu',
      ]);
      expect(alarms.every((a) => (a.alarm_actions as string[])[0] === BASE.alarmTopicArn)).toBe(true);
      const missingData = Object.fromEntries(alarms.map((a) => [a.metric_name, a.treat_missing_data]));
      expect(missingData).toEqual({
        CPUUtilization: 'breaching',
        FreeableMemory: 'breaching',
        FreeLocalStorage: 'breaching',
        AuroraReplicaLagMaximum: 'breaching',
        DatabaseConnections: 'breaching',
        Deadlocks: 'breaching',
        ClientConnections: 'notBreaching',
      });
      const memory = alarms.find((a) => a.metric_name === 'FreeableMemory');
      expect(memory).toMatchObject({ threshold: 1024 * 1024 ** 2, comparison_operator: 'LessThanThreshold' });
    });

    it('creates no user secrets without proxy users', () => {
      expect(listOfType(json, 'aws_secretsmanager_secret')).toEqual([]);
      expect(database.userSecretArns).toEqual({});
    });

    it('exposes the proxy resource id from the proxy ARN, and the port', () => {
      const { json } = build(
        {},
        (db) => new TerraformOutput(db, 'ProxyResourceId', { value: db.proxyResourceId }),
      );
      expect(Object.values(json.output as object)).toEqual([
        { value: expect.stringMatching(/^\$\{element\(split\(":", aws_db_proxy\..*\.arn\), 6\)\}$/) },
      ]);
      expect(database.port).toBe(5432);
    });
  });

  describe('options', () => {
    it('GIVEN allowConnectionsFrom THEN the proxy admits that security group on 5432 with the description', () => {
      const { json } = build({}, (db) => db.allowConnectionsFrom('sg-nodes', 'EKS nodes and pods'));
      expect(listOfType(json, 'aws_vpc_security_group_ingress_rule')).toContainEqual(
        expect.objectContaining({
          referenced_security_group_id: 'sg-nodes',
          description: 'EKS nodes and pods',
          from_port: 5432,
          security_group_id: expect.stringMatching(/ProxySecurityGroup/),
        }),
      );
    });

    it('GIVEN allowDirectConnectionsFrom THEN the cluster itself admits that security group on 5432', () => {
      const { json } = build({}, (db) => db.allowDirectConnectionsFrom('sg-automation', 'automation'));
      expect(listOfType(json, 'aws_vpc_security_group_ingress_rule')).toContainEqual(
        expect.objectContaining({
          referenced_security_group_id: 'sg-automation',
          description: 'automation',
          from_port: 5432,
          security_group_id: expect.stringMatching(/Database_SecurityGroup_/),
        }),
      );
    });

    it('GIVEN proxy users THEN each gets a key-encrypted secret the proxy logs in with, no suppression', () => {
      const { database, json, raw } = build({ proxyUsers: ['wms_api'] });
      expect(one(json, 'aws_secretsmanager_secret')).toMatchObject({
        name: 'wms-test/database/wms_api',
        kms_key_id: expect.stringMatching(/aws_kms_key/),
      });
      expect((one(json, 'aws_db_proxy').auth as Row[]).map((a) => a.iam_auth)).toEqual([
        'REQUIRED',
        'REQUIRED',
      ]);
      expect(Object.keys(database.userSecretArns)).toEqual(['wms_api']);
      // Rotated by the database automation (DatabaseAutomation): no rotation finding is suppressed any more.
      const [secret] = Object.values(raw.resource.aws_secretsmanager_secret);
      expect((secret['//'] as Row | undefined)?.suppressions).toBeUndefined();
    });

    it('GIVEN serverless capacity THEN instances are db.serverless within it', () => {
      const { json } = build({
        instanceClass: 'db.serverless',
        serverless: { minCapacity: 0.5, maxCapacity: 4 },
      });
      expect(one(json, 'aws_rds_cluster').serverlessv2_scaling_configuration).toEqual({
        min_capacity: 0.5,
        max_capacity: 4,
      });
      expect(listOfType(json, 'aws_rds_cluster_instance')[0].instance_class).toBe('db.serverless');
    });

    it('GIVEN no readers THEN a single writer and no replica-lag alarm', () => {
      const { json } = build({ readers: 0 });
      expect(listOfType(json, 'aws_rds_cluster_instance')).toHaveLength(1);
      expect(listOfType(json, 'aws_cloudwatch_metric_alarm').map((a) => a.metric_name)).not.toContain(
        'AuroraReplicaLagMaximum',
      );
    });

    it('GIVEN explicit retention, windows, protection and logging THEN they are used', () => {
      const { json } = build({
        backupRetentionDays: 35,
        preferredBackupWindow: '23:30-00:30',
        preferredMaintenanceWindow: 'mon:02:00-mon:03:00',
        deletionProtection: false,
        slowQueryMs: 250,
        logRetentionDays: 30,
      });
      expect(one(json, 'aws_rds_cluster')).toMatchObject({
        backup_retention_period: 35,
        preferred_backup_window: '23:30-00:30',
        preferred_maintenance_window: 'mon:02:00-mon:03:00',
        deletion_protection: false,
      });
      expect(parameters(one(json, 'aws_rds_cluster_parameter_group')).log_min_duration_statement).toBe('250');
      expect(one(json, 'aws_cloudwatch_log_group').retention_in_days).toBe(30);
    });
  });

  describe('validation', () => {
    it.each([
      [{ engineMajorVersion: '15' }, /test\/Database: engineMajorVersion: "15" is not allowed \(one of 16\)/],
      [{ readers: 3 }, /readers: 3 is not allowed \(0 to 2: one AZ each, apart from the writer's\)/],
      [
        { instanceClass: 'db.serverless' },
        /serverless: null is not allowed \(set exactly when instanceClass is "db.serverless"\)/,
      ],
      [
        { serverless: { minCapacity: 1, maxCapacity: 2 } },
        /serverless: .* is not allowed \(set exactly when/,
      ],
      [
        { instanceClass: 'db.serverless', serverless: { minCapacity: 4, maxCapacity: 2 } },
        /serverless: \{"minCapacity":4,"maxCapacity":2\} is not allowed \(0 <= minCapacity <= maxCapacity <= 256\)/,
      ],
      [{ backupRetentionDays: 36 }, /backupRetentionDays: 36 is not allowed \(1 to 35\)/],
      [{ logRetentionDays: 42 as 30 }, /logRetentionDays: 42 is not allowed/],
      [
        { preferredBackupWindow: '02:00-02:15' },
        /preferredBackupWindow: "02:00-02:15" is not allowed \(hh:mm-hh:mm in UTC, at least 30 minutes\)/,
      ],
      [{ preferredBackupWindow: '2am' }, /preferredBackupWindow: "2am" is not allowed/],
      [
        { preferredMaintenanceWindow: 'sunday' },
        /preferredMaintenanceWindow: "sunday" is not allowed \(ddd:hh:mm-ddd:hh:mm in UTC\)/,
      ],
      [
        { preferredMaintenanceWindow: 'wed:02:30-wed:03:30' },
        /preferredMaintenanceWindow: "wed:02:30-wed:03:30" is not allowed \(a window that does not overlap the backup window 02:00-03:00\)/,
      ],
      [
        { preferredBackupWindow: '23:30-00:30', preferredMaintenanceWindow: 'sat:23:50-sun:00:10' },
        /does not overlap the backup window 23:30-00:30/,
      ],
      [{ proxyUsers: ['WmsApi'] }, /proxyUsers: "WmsApi" is not allowed \(PostgreSQL role names/],
      [{ proxyUsers: ['wms_admin'] }, /proxyUsers: "wms_admin" is not allowed/],
    ])('GIVEN %j THEN it throws naming the prop and what is allowed', (overrides, message) => {
      expect(() => build(overrides as Partial<PostgresDatabaseProps>)).toThrow(message);
    });
  });
});
