import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchLogMetricFilter } from '@cdktf/provider-aws/lib/cloudwatch-log-metric-filter';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { DbParameterGroup } from '@cdktf/provider-aws/lib/db-parameter-group';
import { DbProxy } from '@cdktf/provider-aws/lib/db-proxy';
import { DbProxyDefaultTargetGroup } from '@cdktf/provider-aws/lib/db-proxy-default-target-group';
import { DbProxyEndpoint } from '@cdktf/provider-aws/lib/db-proxy-endpoint';
import { DbProxyTarget } from '@cdktf/provider-aws/lib/db-proxy-target';
import { DbSubnetGroup } from '@cdktf/provider-aws/lib/db-subnet-group';
import type { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { RdsCluster } from '@cdktf/provider-aws/lib/rds-cluster';
import { RdsClusterInstance } from '@cdktf/provider-aws/lib/rds-cluster-instance';
import { RdsClusterParameterGroup } from '@cdktf/provider-aws/lib/rds-cluster-parameter-group';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { SLOW_QUERY_METRIC } from '../observability/cloudwatch-metrics';
import type { INetwork } from '../network/network';
import { propError } from '../shared/errors';
import { serviceRole } from '../shared/iam';
import { customerKey, logGroupKeyStatement } from '../shared/kms';
import type { LogRetentionDays } from '../../shared/log-retention';
import { LOG_RETENTION_DAYS } from '../../shared/log-retention';
import { physicalName } from '../shared/naming';
import type { DatabaseAlarmThresholds, ServerlessCapacity } from '../../shared/aurora';
import { SUPPORTED_MAJOR_VERSIONS } from '../../shared/aurora';

/** The PostgreSQL port. */
export const POSTGRES_PORT = 5432;

/** One CloudWatch alarm on an AWS/RDS metric. */
interface AlarmDefinition {
  readonly id: string;
  readonly metricName: string;
  readonly description: string;
  readonly threshold: number;
  readonly below?: boolean;
  readonly statistic?: string;
  readonly periods?: number;
  readonly dimensions?: Record<string, string>;
  readonly missingData?: string;
}

/** What other constructs need to know about the database. */
export interface IDatabase {
  /** Cluster identifier, e.g. `wms-prod-db`. */
  readonly clusterIdentifier: string;
  /** ARN of the cluster. */
  readonly clusterArn: string;
  /** Name of the cluster's DB subnet group (its database subnets). */
  readonly subnetGroupName: string;
  /** Writer endpoint (direct; applications use the proxy). */
  readonly writerEndpoint: string;
  /** Reader endpoint (direct, load-balanced over the readers). */
  readonly readerEndpoint: string;
  /** Proxy endpoint for reads and writes. */
  readonly proxyEndpoint: string;
  /** Proxy endpoint for reads only (the readers; the writer when there are none). */
  readonly proxyReadOnlyEndpoint: string;
  /** PostgreSQL port. */
  readonly port: number;
  /** ARN of the RDS-managed master user secret (rotated by RDS). */
  readonly masterSecretArn: string;
  /** ARNs of the proxy users' secrets, by user name. */
  readonly userSecretArns: Readonly<Record<string, string>>;
  /** Resource id of the proxy (`prx-...`), for `rds-db:connect` permissions through the proxy. */
  readonly proxyResourceId: string;
  /** Security group of the proxy: the one clients must be admitted to. */
  readonly securityGroupId: string;
  /** Security group of the cluster itself (PostgreSQL from the proxy and from admitted automation). */
  readonly clusterSecurityGroupId: string;
  /** ARN of the customer-managed key encrypting storage, Performance Insights, logs and secrets. */
  readonly kmsKeyArn: string;
  /** Admits PostgreSQL connections to the proxy from a security group. */
  allowConnectionsFrom(securityGroupId: string, description: string): void;
  /**
   * Admits PostgreSQL connections to the cluster itself, bypassing the proxy: for the database automation only,
   * which logs in with passwords (the proxy requires IAM authentication).
   */
  allowDirectConnectionsFrom(securityGroupId: string, description: string): void;
}

/** Properties of a {@link PostgresDatabase}. */
export interface PostgresDatabaseProps {
  /** Prefix of physical names, e.g. `wms-prod`. */
  readonly namePrefix: string;
  /** AWS account id: scopes key and role policies. */
  readonly accountId: string;
  /** AWS region. */
  readonly region: string;
  /** The network: the cluster goes into its database subnets, the proxy into its private subnets. */
  readonly network: INetwork;
  /** Aurora PostgreSQL major version, e.g. `16`; minor versions are upgraded automatically. */
  readonly engineMajorVersion: string;
  /** Instance class of every instance, e.g. `db.r6g.large`; `db.serverless` needs `serverless`. */
  readonly instanceClass: string;
  /**
   * Serverless v2 capacity, required when `instanceClass` is `db.serverless`.
   * @default - provisioned instances
   */
  readonly serverless?: ServerlessCapacity;
  /**
   * Reader replicas. The writer goes to the first AZ and reader n to AZ n+1, so each is in its own AZ.
   * @default 2
   */
  readonly readers?: number;
  /** Name of the database created in the cluster. */
  readonly databaseName: string;
  /**
   * Database users that connect through the proxy with IAM authentication. Each gets a Secrets Manager secret,
   * encrypted with the database key, that the proxy uses to log in; its value is set when the user is created.
   * @default - none: only the master user
   */
  readonly proxyUsers?: readonly string[];
  /**
   * Days of point-in-time recovery (1-35).
   * @default 14
   */
  readonly backupRetentionDays?: number;
  /**
   * Daily backup window, UTC, `hh:mm-hh:mm`, at least 30 minutes.
   * @default '02:00-03:00'
   */
  readonly preferredBackupWindow?: string;
  /**
   * Weekly maintenance window, UTC, `ddd:hh:mm-ddd:hh:mm`; must not overlap the backup window.
   * @default 'sun:04:00-sun:05:00'
   */
  readonly preferredMaintenanceWindow?: string;
  /**
   * Refuses deletion of the cluster.
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * Statements slower than this are logged, in milliseconds.
   * @default 1000
   */
  readonly slowQueryMs?: number;
  /**
   * Retention of the PostgreSQL log group.
   * @default 365
   */
  readonly logRetentionDays?: LogRetentionDays;
  /** CloudWatch alarm thresholds. */
  readonly alarms: DatabaseAlarmThresholds;
  /** SNS topic the alarms notify. */
  readonly alarmTopicArn: string;
}

const BACKUP_WINDOW = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/;
const MAINTENANCE_WINDOW =
  /^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)$/;
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const MINUTES_PER_DAY = 24 * 60;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;

/**
 * An Aurora PostgreSQL cluster: one writer and N readers spread over the AZs with automatic failover, behind an
 * RDS Proxy, encrypted with a customer-managed key, with an RDS-managed master secret that never appears in code,
 * configuration, synthesized JSON or Terraform state. See docs/decisions/0001-aurora-postgresql.md.
 */
export class PostgresDatabase extends Construct implements IDatabase {
  readonly clusterIdentifier: string;
  readonly clusterArn: string;
  readonly subnetGroupName: string;
  readonly writerEndpoint: string;
  readonly readerEndpoint: string;
  readonly proxyEndpoint: string;
  readonly proxyReadOnlyEndpoint: string;
  readonly port = POSTGRES_PORT;
  readonly masterSecretArn: string;
  readonly userSecretArns: Readonly<Record<string, string>>;
  readonly proxyResourceId: string;
  readonly securityGroupId: string;
  readonly clusterSecurityGroupId: string;
  readonly kmsKeyArn: string;
  /** The cluster (escape hatch). */
  readonly cluster: RdsCluster;
  /** The instances; the first is created first and becomes the writer. */
  readonly instances: RdsClusterInstance[];
  /** The proxy. */
  readonly proxy: DbProxy;
  /** The customer-managed key. */
  readonly key: KmsKey;

  private readonly proxySecurityGroupId: string;
  private allowedSources = 0;
  private directSources = 0;

  constructor(scope: Construct, id: string, props: PostgresDatabaseProps) {
    super(scope, id);
    const readers = props.readers ?? 2;
    const azs = props.network.availabilityZones;
    const backupWindow = props.preferredBackupWindow ?? '02:00-03:00';
    const maintenanceWindow = props.preferredMaintenanceWindow ?? 'sun:04:00-sun:05:00';
    const backupRetentionDays = props.backupRetentionDays ?? 14;
    const logRetentionDays = props.logRetentionDays ?? 365;
    this.validate(
      props,
      readers,
      azs.length,
      backupRetentionDays,
      backupWindow,
      maintenanceWindow,
      logRetentionDays,
    );

    const name = (...parts: string[]) => physicalName(props.namePrefix, ...parts);
    const identifier = name('db');
    const family = `aurora-postgresql${props.engineMajorVersion}`;
    const logGroupName = `/aws/rds/cluster/${identifier}/postgresql`;

    this.key = customerKey(this, 'Key', {
      description: `Encrypts the ${identifier} cluster: storage, Performance Insights, logs, secrets`,
      alias: identifier,
      accountId: props.accountId,
      serviceStatements: [
        logGroupKeyStatement('DatabaseLogGroupUses', props.region, props.accountId, logGroupName),
      ],
    });
    const keyArn = this.key.arn;

    const subnetGroup = new DbSubnetGroup(this, 'SubnetGroup', {
      name: identifier,
      description: `Database subnets of ${identifier}`,
      subnetIds: props.network.databaseSubnetIds,
    });

    const { databaseSg, proxySg } = this.createSecurityGroups(props, identifier, name);

    const { clusterParameters, instanceParameters } = this.createParameterGroups(props, identifier, family);

    const logGroup = this.createLogGroup(identifier, logGroupName, logRetentionDays, keyArn);

    const monitoringRole = serviceRole(this, 'MonitoringRole', {
      name: name('db-monitoring'),
      description: `Enhanced monitoring of ${identifier}`,
      service: 'monitoring.rds.amazonaws.com',
      accountId: props.accountId,
      managedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole'],
    });

    this.cluster = new RdsCluster(this, 'Cluster', {
      clusterIdentifier: identifier,
      engine: 'aurora-postgresql',
      // Major only: AWS applies minor upgrades, and a pinned minor would then plan a downgrade
      // (terraform-aws-modules/terraform-aws-rds#271).
      engineVersion: props.engineMajorVersion,
      databaseName: props.databaseName,
      masterUsername: 'wms_admin',
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: keyArn,
      iamDatabaseAuthenticationEnabled: true,
      storageEncrypted: true,
      kmsKeyId: keyArn,
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: [databaseSg.id],
      port: POSTGRES_PORT,
      dbClusterParameterGroupName: clusterParameters.name,
      backupRetentionPeriod: backupRetentionDays,
      preferredBackupWindow: backupWindow,
      preferredMaintenanceWindow: maintenanceWindow,
      copyTagsToSnapshot: true,
      deletionProtection: props.deletionProtection ?? true,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: `${identifier}-final`,
      enabledCloudwatchLogsExports: ['postgresql'],
      ...(props.serverless ? { serverlessv2ScalingConfiguration: props.serverless } : {}),
      dependsOn: [logGroup],
    });

    this.instances = this.createInstances(props, {
      readers,
      maintenanceWindow,
      keyArn,
      instanceParameters,
      monitoringRole,
    });

    this.masterSecretArn = this.cluster.masterUserSecret.get(0).secretArn;
    const proxy = this.createProxy(props, identifier, keyArn, proxySg);
    this.proxy = proxy.proxy;
    const { userSecrets, readOnly } = proxy;

    this.createAlarms(identifier, props);

    this.clusterIdentifier = identifier;
    this.clusterArn = this.cluster.arn;
    this.subnetGroupName = subnetGroup.name;
    this.writerEndpoint = this.cluster.endpoint;
    this.readerEndpoint = this.cluster.readerEndpoint;
    this.proxyEndpoint = this.proxy.endpoint;
    this.proxyReadOnlyEndpoint = readOnly.endpoint;
    this.userSecretArns = Object.fromEntries(Object.entries(userSecrets).map(([user, s]) => [user, s.arn]));
    // The proxy ARN ends with its resource id: arn:aws:rds:<region>:<account>:db-proxy:prx-0123456789abcdef.
    this.proxyResourceId = Fn.element(Fn.split(':', this.proxy.arn), 6);
    this.securityGroupId = proxySg.id;
    this.clusterSecurityGroupId = databaseSg.id;
    this.proxySecurityGroupId = proxySg.id;
    this.kmsKeyArn = keyArn;
  }

  allowConnectionsFrom(securityGroupId: string, description: string): void {
    this.allowedSources += 1;
    new VpcSecurityGroupIngressRule(this, `ProxyFrom${this.allowedSources}`, {
      securityGroupId: this.proxySecurityGroupId,
      description,
      ipProtocol: 'tcp',
      fromPort: POSTGRES_PORT,
      toPort: POSTGRES_PORT,
      referencedSecurityGroupId: securityGroupId,
    });
  }

  allowDirectConnectionsFrom(securityGroupId: string, description: string): void {
    this.directSources += 1;
    new VpcSecurityGroupIngressRule(this, `DatabaseFrom${this.directSources}`, {
      securityGroupId: this.clusterSecurityGroupId,
      description,
      ipProtocol: 'tcp',
      fromPort: POSTGRES_PORT,
      toPort: POSTGRES_PORT,
      referencedSecurityGroupId: securityGroupId,
    });
  }

  /** The cluster's security group (PostgreSQL from the proxy only) and the proxy's (clients are admitted later). */
  private createSecurityGroups(
    props: PostgresDatabaseProps,
    identifier: string,
    name: (...parts: string[]) => string,
  ): { databaseSg: SecurityGroup; proxySg: SecurityGroup } {
    const databaseSg = new SecurityGroup(this, 'SecurityGroup', {
      name: identifier,
      description: `Aurora cluster ${identifier}: PostgreSQL from its proxy only`,
      vpcId: props.network.vpcId,
      tags: { Name: identifier },
    });
    const proxySg = new SecurityGroup(this, 'ProxySecurityGroup', {
      name: name('db-proxy'),
      description: `RDS Proxy of ${identifier}: PostgreSQL from admitted clients only`,
      vpcId: props.network.vpcId,
      tags: { Name: name('db-proxy') },
    });
    new VpcSecurityGroupIngressRule(this, 'DatabaseFromProxy', {
      securityGroupId: databaseSg.id,
      description: 'PostgreSQL from the RDS Proxy',
      ipProtocol: 'tcp',
      fromPort: POSTGRES_PORT,
      toPort: POSTGRES_PORT,
      referencedSecurityGroupId: proxySg.id,
    });
    new VpcSecurityGroupEgressRule(this, 'ProxyToDatabase', {
      securityGroupId: proxySg.id,
      description: 'PostgreSQL to the Aurora cluster',
      ipProtocol: 'tcp',
      fromPort: POSTGRES_PORT,
      toPort: POSTGRES_PORT,
      referencedSecurityGroupId: databaseSg.id,
    });
    new VpcSecurityGroupEgressRule(this, 'ProxyToAwsApis', {
      securityGroupId: proxySg.id,
      description: 'HTTPS to Secrets Manager and KMS (interface endpoints or NAT)',
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      cidrIpv4: '0.0.0.0/0',
    });
    return { databaseSg, proxySg };
  }

  /** Cluster and instance parameter groups: TLS required, slow and DDL statements logged, pg_stat_statements. */
  private createParameterGroups(
    props: PostgresDatabaseProps,
    identifier: string,
    family: string,
  ): { clusterParameters: RdsClusterParameterGroup; instanceParameters: DbParameterGroup } {
    const clusterParameters = new RdsClusterParameterGroup(this, 'ClusterParameterGroup', {
      namePrefix: `${identifier}-`,
      family,
      description: `${identifier} cluster parameters`,
      parameter: [
        // Aurora PostgreSQL 16 defaults rds.force_ssl to 0, so setting 1 is a real change, not a permanent diff
        // (hashicorp/terraform-provider-aws#23335 is about setting a value equal to the family default).
        { name: 'rds.force_ssl', value: '1' },
        { name: 'log_min_duration_statement', value: String(props.slowQueryMs ?? 1000) },
        { name: 'log_statement', value: 'ddl' },
        { name: 'log_lock_waits', value: '1' },
        { name: 'shared_preload_libraries', value: 'pg_stat_statements', applyMethod: 'pending-reboot' },
        { name: 'pg_stat_statements.track', value: 'all' },
      ],
      // With a name prefix the replacement group exists before the old one goes: a major upgrade no longer fails
      // with "parameter group in use" (terraform-aws-modules/terraform-aws-rds#601).
      lifecycle: { createBeforeDestroy: true },
    });
    const instanceParameters = new DbParameterGroup(this, 'InstanceParameterGroup', {
      namePrefix: `${identifier}-instance-`,
      family,
      description: `${identifier} instance parameters`,
      parameter: [{ name: 'log_temp_files', value: '0' }],
      lifecycle: { createBeforeDestroy: true },
    });
    return { clusterParameters, instanceParameters };
  }

  /** The PostgreSQL log group (created before the cluster exports to it) and its slow-statement count. */
  private createLogGroup(
    identifier: string,
    logGroupName: string,
    logRetentionDays: number,
    keyArn: string,
  ): CloudwatchLogGroup {
    const logGroup = new CloudwatchLogGroup(this, 'LogGroup', {
      name: logGroupName,
      retentionInDays: logRetentionDays,
      kmsKeyId: keyArn,
    });
    // One count per slow statement: log_min_duration_statement writes `LOG:  duration: 1503.211 ms  statement: ...`
    // (or `... ms  execute <name>: ...` for prepared statements), and with log_duration off and no auto_explain
    // nothing else PostgreSQL logs here contains the term `duration:` (a DDL statement logged by log_statement
    // whose text contains it would count too). The monitoring reads the 5-minute Sum through YACE
    // (WmsDatabaseSlowQueries). No dimensions: CloudWatch Logs refuses them on a term pattern and together with a
    // default value (hashicorp/terraform-provider-aws#28881). Every environment here has its own account, so the
    // namespace holds one database's statements; two databases in one account and region would share the count.
    new CloudwatchLogMetricFilter(this, 'SlowQueryMetricFilter', {
      name: `${identifier}-slow-queries`,
      logGroupName: logGroup.name,
      pattern: '"duration:"',
      metricTransformation: {
        namespace: SLOW_QUERY_METRIC.namespace,
        name: SLOW_QUERY_METRIC.name,
        value: '1',
        // 0 for every other log line, so a period with logs but no slow statement reads 0, not missing.
        defaultValue: '0',
        unit: 'Count',
      },
    });
    return logGroup;
  }

  /** The writer in the first AZ and reader n in AZ n+1, failing over in order. */
  private createInstances(
    props: PostgresDatabaseProps,
    options: {
      readonly readers: number;
      readonly maintenanceWindow: string;
      readonly keyArn: string;
      readonly instanceParameters: DbParameterGroup;
      readonly monitoringRole: { readonly arn: string };
    },
  ): RdsClusterInstance[] {
    const { readers, maintenanceWindow, keyArn, instanceParameters, monitoringRole } = options;
    const azs = props.network.availabilityZones;
    const name = (...parts: string[]) => physicalName(props.namePrefix, ...parts);
    const instances: RdsClusterInstance[] = [];
    for (let index = 0; index <= readers; index++) {
      const role = index === 0 ? 'writer' : `reader-${index}`;
      const instance = new RdsClusterInstance(this, index === 0 ? 'Writer' : `Reader${index}`, {
        identifier: name('db', role),
        clusterIdentifier: this.cluster.id,
        engine: 'aurora-postgresql',
        instanceClass: props.instanceClass,
        availabilityZone: azs[index],
        // Failover goes to reader 1 (tier 1), then reader 2...; the writer keeps tier 0.
        promotionTier: index,
        dbParameterGroupName: instanceParameters.name,
        autoMinorVersionUpgrade: true,
        publiclyAccessible: false,
        monitoringInterval: 30,
        monitoringRoleArn: monitoringRole.arn,
        performanceInsightsEnabled: true,
        performanceInsightsKmsKeyId: keyArn,
        performanceInsightsRetentionPeriod: 7,
        copyTagsToSnapshot: true,
        preferredMaintenanceWindow: maintenanceWindow,
        // Readers are created after the writer, so the first instance is the one that becomes the writer.
        dependsOn: index === 0 ? undefined : [instances[0]],
      });
      instances.push(instance);
    }
    return instances;
  }

  /** The proxy: one secret per application user, TLS and IAM auth required, a read-only endpoint. */
  private createProxy(
    props: PostgresDatabaseProps,
    identifier: string,
    keyArn: string,
    proxySg: SecurityGroup,
  ): { proxy: DbProxy; userSecrets: Record<string, SecretsmanagerSecret>; readOnly: DbProxyEndpoint } {
    const name = (...parts: string[]) => physicalName(props.namePrefix, ...parts);
    const userSecrets: Record<string, SecretsmanagerSecret> = {};
    for (const user of props.proxyUsers ?? []) {
      userSecrets[user] = new SecretsmanagerSecret(this, `UserSecret${pascal(user)}`, {
        name: `${props.namePrefix}/database/${user}`,
        description: `Login of database user ${user} for the RDS Proxy; set and rotated by the database automation`,
        kmsKeyId: keyArn,
        recoveryWindowInDays: 30,
      });
    }
    const secretArns = [this.masterSecretArn, ...Object.values(userSecrets).map((secret) => secret.arn)];

    const proxyRole = serviceRole(this, 'ProxyRole', {
      name: name('db-proxy'),
      description: `RDS Proxy of ${identifier}: reads the database logins`,
      service: 'rds.amazonaws.com',
      accountId: props.accountId,
      statements: [
        { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secretArns },
        {
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: keyArn,
          Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${props.region}.amazonaws.com` } },
        },
      ],
    });
    const proxy = new DbProxy(this, 'Proxy', {
      name: identifier,
      engineFamily: 'POSTGRESQL',
      requireTls: true,
      idleClientTimeout: 1800,
      roleArn: proxyRole.arn,
      vpcSubnetIds: props.network.privateSubnetIds,
      vpcSecurityGroupIds: [proxySg.id],
      auth: secretArns.map((secretArn) => ({
        authScheme: 'SECRETS',
        iamAuth: 'REQUIRED',
        clientPasswordAuthType: 'POSTGRES_SCRAM_SHA_256',
        secretArn,
      })),
    });
    new DbProxyDefaultTargetGroup(this, 'ProxyTargetGroup', {
      dbProxyName: proxy.name,
      connectionPoolConfig: {
        maxConnectionsPercent: 90,
        maxIdleConnectionsPercent: 30,
        connectionBorrowTimeout: 120,
      },
    });
    new DbProxyTarget(this, 'ProxyTarget', {
      dbProxyName: proxy.name,
      targetGroupName: 'default',
      dbClusterIdentifier: this.cluster.clusterIdentifier,
      // The proxy can only register a cluster that has an available instance.
      dependsOn: [this.instances[0]],
    });
    const readOnly = new DbProxyEndpoint(this, 'ProxyReadOnlyEndpoint', {
      dbProxyName: proxy.name,
      dbProxyEndpointName: name('db-ro'),
      targetRole: 'READ_ONLY',
      vpcSubnetIds: props.network.privateSubnetIds,
      vpcSecurityGroupIds: [proxySg.id],
    });
    return { proxy, userSecrets, readOnly };
  }

  private createAlarms(identifier: string, props: PostgresDatabaseProps): void {
    const { alarms } = props;
    const cluster = { DBClusterIdentifier: identifier };
    const definitions: AlarmDefinition[] = [
      {
        id: 'WriterCpu',
        metricName: 'CPUUtilization',
        description: `Writer CPU above ${alarms.cpuPercent}%`,
        threshold: alarms.cpuPercent,
        dimensions: { ...cluster, Role: 'WRITER' },
      },
      {
        id: 'FreeableMemory',
        metricName: 'FreeableMemory',
        description: `Freeable memory of an instance below ${alarms.freeableMemoryMiB} MiB`,
        threshold: alarms.freeableMemoryMiB * 1024 ** 2,
        below: true,
        statistic: 'Minimum',
      },
      {
        id: 'FreeLocalStorage',
        metricName: 'FreeLocalStorage',
        description: `Free local storage of an instance below ${alarms.freeLocalStorageGiB} GiB`,
        threshold: alarms.freeLocalStorageGiB * 1024 ** 3,
        below: true,
        statistic: 'Minimum',
      },
      ...((props.readers ?? 2) > 0
        ? [
            {
              id: 'ReplicaLag',
              metricName: 'AuroraReplicaLagMaximum',
              description: `Replica lag above ${alarms.replicaLagMs} ms`,
              threshold: alarms.replicaLagMs,
              statistic: 'Maximum',
            },
          ]
        : []),
      {
        id: 'Connections',
        metricName: 'DatabaseConnections',
        description: `Connections above ${alarms.connections}, near max_connections`,
        threshold: alarms.connections,
        statistic: 'Maximum',
      },
      {
        id: 'Deadlocks',
        metricName: 'Deadlocks',
        description: 'Deadlocks detected',
        threshold: 0,
        statistic: 'Sum',
        periods: 1,
      },
      {
        id: 'ProxyClientConnections',
        metricName: 'ClientConnections',
        description: `Proxy client connections above ${alarms.proxyClientConnections}`,
        threshold: alarms.proxyClientConnections,
        statistic: 'Maximum',
        dimensions: { ProxyName: identifier },
        // An idle proxy publishes no datapoints: missing data is normal there, not a breach.
        missingData: 'notBreaching',
      },
    ];
    for (const alarm of definitions) {
      new CloudwatchMetricAlarm(this, `${alarm.id}Alarm`, {
        alarmName: `${identifier}-${alarm.id.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}`,
        alarmDescription: `${alarm.description}. Runbook: docs/runbooks/database-alarms.md`,
        namespace: 'AWS/RDS',
        metricName: alarm.metricName,
        dimensions: alarm.dimensions ?? cluster,
        statistic: alarm.statistic ?? 'Average',
        period: 300,
        evaluationPeriods: alarm.periods ?? 3,
        threshold: alarm.threshold,
        comparisonOperator: alarm.below ? 'LessThanThreshold' : 'GreaterThanThreshold',
        // A cluster that stops reporting is down: that must alarm too.
        treatMissingData: alarm.missingData ?? 'breaching',
        alarmActions: [props.alarmTopicArn],
        okActions: [props.alarmTopicArn],
      });
    }
  }

  private validate(
    props: PostgresDatabaseProps,
    readers: number,
    azCount: number,
    backupRetentionDays: number,
    backupWindow: string,
    maintenanceWindow: string,
    logRetentionDays: number,
  ): void {
    if (!(SUPPORTED_MAJOR_VERSIONS as readonly string[]).includes(props.engineMajorVersion)) {
      throw propError(
        this,
        'engineMajorVersion',
        props.engineMajorVersion,
        `one of ${SUPPORTED_MAJOR_VERSIONS.join(', ')}`,
      );
    }
    if (!Number.isInteger(readers) || readers < 0 || readers > azCount - 1) {
      throw propError(this, 'readers', readers, `0 to ${azCount - 1}: one AZ each, apart from the writer's`);
    }
    if ((props.instanceClass === 'db.serverless') !== (props.serverless !== undefined)) {
      throw propError(
        this,
        'serverless',
        props.serverless ?? null,
        'set exactly when instanceClass is "db.serverless"',
      );
    }
    const capacity = props.serverless;
    if (
      capacity &&
      !(
        capacity.minCapacity >= 0 &&
        capacity.minCapacity <= capacity.maxCapacity &&
        capacity.maxCapacity <= 256
      )
    ) {
      throw propError(this, 'serverless', capacity, '0 <= minCapacity <= maxCapacity <= 256');
    }
    if (!Number.isInteger(backupRetentionDays) || backupRetentionDays < 1 || backupRetentionDays > 35) {
      throw propError(this, 'backupRetentionDays', backupRetentionDays, '1 to 35');
    }
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)) {
      throw propError(this, 'logRetentionDays', logRetentionDays, `one of ${LOG_RETENTION_DAYS.join(', ')}`);
    }
    const backup = BACKUP_WINDOW.exec(backupWindow);
    if (
      !backup ||
      durationMinutes(minutesOf(backup[1], backup[2]), minutesOf(backup[3], backup[4]), MINUTES_PER_DAY) < 30
    ) {
      throw propError(this, 'preferredBackupWindow', backupWindow, 'hh:mm-hh:mm in UTC, at least 30 minutes');
    }
    const maintenance = MAINTENANCE_WINDOW.exec(maintenanceWindow);
    if (!maintenance) {
      throw propError(this, 'preferredMaintenanceWindow', maintenanceWindow, 'ddd:hh:mm-ddd:hh:mm in UTC');
    }
    const start = DAYS.indexOf(maintenance[1]) * MINUTES_PER_DAY + minutesOf(maintenance[2], maintenance[3]);
    const end = DAYS.indexOf(maintenance[4]) * MINUTES_PER_DAY + minutesOf(maintenance[5], maintenance[6]);
    const backupStart = minutesOf(backup[1], backup[2]);
    const backupLength = durationMinutes(backupStart, minutesOf(backup[3], backup[4]), MINUTES_PER_DAY);
    for (let day = 0; day < 7; day++) {
      if (
        intervalsOverlap(
          day * MINUTES_PER_DAY + backupStart,
          backupLength,
          start,
          durationMinutes(start, end, MINUTES_PER_WEEK),
          MINUTES_PER_WEEK,
        )
      ) {
        throw propError(
          this,
          'preferredMaintenanceWindow',
          maintenanceWindow,
          `a window that does not overlap the backup window ${backupWindow}`,
        );
      }
    }
    for (const user of props.proxyUsers ?? []) {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(user) || user === 'wms_admin') {
        throw propError(
          this,
          'proxyUsers',
          user,
          'PostgreSQL role names: lowercase letters, digits, underscores; not the master user',
        );
      }
    }
  }
}

function minutesOf(hours: string, minutes: string): number {
  return Number(hours) * 60 + Number(minutes);
}

/** Length of a window that may wrap around the end of the cycle (a day or a week). */
function durationMinutes(start: number, end: number, cycle: number): number {
  return (end - start + cycle) % cycle;
}

/** Whether two windows on a cycle overlap, either possibly wrapping around. */
function intervalsOverlap(
  aStart: number,
  aLength: number,
  bStart: number,
  bLength: number,
  cycle: number,
): boolean {
  const offset = (bStart - aStart + cycle) % cycle;
  return offset < aLength || (cycle - offset) % cycle < bLength;
}

function pascal(text: string): string {
  return text.replace(/(^|_)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}
