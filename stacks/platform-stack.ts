import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { subnetPrefixLengths } from '../config/environment';
import { PROJECT } from '../config/project';
import { AlarmTopic } from '../constructs/alarm-topic';
import { DatabaseBackup } from '../constructs/database-backup';
import { Network } from '../constructs/network';
import { PostgresDatabase } from '../constructs/postgres-database';
import { physicalName } from '../constructs/private/naming';
import type { EnvironmentStackProps } from './environment-stack';
import { defaultTags, EnvironmentStack } from './environment-stack';

/**
 * `wms-<env>-platform`: the environment's AWS resources (network, database, EKS). AWS provider only, and no
 * data source that calls AWS at plan time, so it plans offline with placeholder credentials.
 */
export class PlatformStack extends EnvironmentStack {
  /** The VPC and its subnets. */
  readonly network: Network;
  /** The Aurora PostgreSQL cluster and its proxy. */
  readonly database: PostgresDatabase;
  /** The SNS topic of the environment's CloudWatch alarms. */
  readonly alarmTopic: AlarmTopic;

  constructor(scope: Construct, id: string, props: EnvironmentStackProps) {
    super(scope, id, props);
    const { config } = props;
    const tags = { tags: defaultTags(config) };
    new AwsProvider(this, 'Aws', {
      region: config.region,
      allowedAccountIds: [config.awsAccountId],
      defaultTags: [tags],
    });
    const { copyRegion } = config.database.backup;
    const backupRegion = copyRegion
      ? new AwsProvider(this, 'AwsBackupRegion', {
          alias: 'backup_region',
          region: copyRegion,
          allowedAccountIds: [config.awsAccountId],
          defaultTags: [tags],
        })
      : undefined;

    this.network = new Network(this, 'Network', {
      namePrefix: this.namePrefix,
      accountId: config.awsAccountId,
      region: config.region,
      vpcCidr: config.network.vpcCidr,
      availabilityZones: config.availabilityZones,
      clusterName: physicalName(this.namePrefix, 'eks'),
      subnetPrefixLengths: subnetPrefixLengths(config.network),
      natGateways: config.network.natGateways,
      interfaceEndpoints: config.network.interfaceEndpoints,
      flowLogRetentionDays: config.network.flowLogRetentionDays,
    });

    this.alarmTopic = new AlarmTopic(this, 'Alarms', {
      namePrefix: this.namePrefix,
      accountId: config.awsAccountId,
    });

    const { database } = config;
    this.database = new PostgresDatabase(this, 'Database', {
      namePrefix: this.namePrefix,
      accountId: config.awsAccountId,
      region: config.region,
      network: this.network,
      engineMajorVersion: database.engineMajorVersion,
      instanceClass: database.instanceClass,
      serverless: database.serverless,
      readers: database.readers,
      databaseName: PROJECT.databaseName,
      proxyUsers: [PROJECT.apiDatabaseUser],
      backupRetentionDays: database.backupRetentionDays,
      deletionProtection: database.deletionProtection,
      slowQueryMs: database.slowQueryMs,
      alarms: database.alarms,
      alarmTopicArn: this.alarmTopic.topicArn,
    });
    new DatabaseBackup(this, 'DatabaseBackup', {
      namePrefix: this.namePrefix,
      accountId: config.awsAccountId,
      region: config.region,
      clusterArn: this.database.clusterArn,
      subnetGroupName: this.database.subnetGroupName,
      retentionDays: database.backup.retentionDays,
      restoreTesting: database.backup.restoreTesting,
      copy:
        backupRegion && copyRegion
          ? {
              provider: backupRegion,
              region: copyRegion,
              retentionDays: database.backup.copyRetentionDays ?? database.backup.retentionDays,
            }
          : undefined,
    });

    const output = (name: string, value: string | string[], description: string) =>
      new TerraformOutput(this, name, { value, description });
    output('VpcId', this.network.vpcId, 'VPC id');
    output('PrivateSubnetIds', this.network.privateSubnetIds, 'Private subnet ids, one per AZ');
    output('DatabaseProxyEndpoint', this.database.proxyEndpoint, 'Read/write endpoint of the RDS Proxy');
    output(
      'DatabaseProxyReadOnlyEndpoint',
      this.database.proxyReadOnlyEndpoint,
      'Read-only endpoint of the RDS Proxy',
    );
    output(
      'DatabaseMasterSecretArn',
      this.database.masterSecretArn,
      'RDS-managed master secret (rotated by RDS)',
    );
    output('AlarmTopicArn', this.alarmTopic.topicArn, 'SNS topic of the CloudWatch alarms');
  }
}
