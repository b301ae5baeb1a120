import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Route53Zone } from '@cdktf/provider-aws/lib/route53-zone';
import { TerraformOutput } from 'cdktf';
import { cdnOriginHostName } from '../shared/cdn';
import type { Construct } from 'constructs';
import { grafanaHostName, subnetPrefixLengths } from '../config/environment';
import { PROJECT } from '../config/project';
import { AlarmTopic } from '../constructs/observability/alarm-topic';
import { DatabaseAutomation } from '../constructs/database/database-automation';
import { DatabaseBackup, restoreTestingPlanName } from '../constructs/database/database-backup';
import {
  API_SERVICE_ACCOUNT,
  MIGRATION_SERVICE_ACCOUNT,
  WMS_NAMESPACE,
} from '../constructs/app/wms-application';
import { CLUSTER_SERVICES_IDENTITIES } from '../constructs/cluster/cluster-services';
import { EksCluster, eksClusterName } from '../constructs/cluster/eks-cluster';
import { MetricsWorkspace } from '../constructs/observability/metrics-workspace';
import { MONITORING_IDENTITIES } from '../constructs/observability/monitoring';
import type { EksWorkloadIdentityOptions } from '../constructs/cluster/eks-workload-identity';
import {
  IMAGE_ADMISSION_IDENTITY,
  imageSignatureReaderStatements,
} from '../constructs/cluster/image-admission';
import {
  cloudwatchMetricsReaderPolicy,
  databaseConnectPolicy,
  externalDnsPolicy,
  objectStorePolicy,
  secretReaderPolicy,
} from '../constructs/cluster/workload-policies';
import { CodebuildRunner } from '../constructs/delivery/codebuild-runner';
import { EnvironmentAlarms } from '../constructs/observability/environment-alarms';
import { Network } from '../constructs/network/network';
import { PostgresDatabase } from '../constructs/database/postgres-database';
import { ContentDelivery } from '../constructs/network/content-delivery';
import { PublicEndpoint } from '../constructs/network/public-endpoint';
import { physicalName } from '../constructs/shared/naming';
import { SecureBucket } from '../constructs/shared/secure-bucket';
import { WorkingHoursSchedule } from '../constructs/shared/working-hours-schedule';
import type { CdnConfig, EnvironmentConfig } from '../config/environment';
import type { EnvironmentStackProps } from './environment-stack';
import { alarmTopicSubscriptions, defaultTags, EnvironmentStack } from './environment-stack';

/**
 * `wms-<env>-platform`: the environment's AWS resources (network, database, EKS). AWS provider only, and no
 * data source that calls AWS at plan time, so it plans offline with placeholder credentials.
 */
export class PlatformStack extends EnvironmentStack {
  /** The VPC and its subnets. */
  readonly network: Network;
  /** The Aurora PostgreSQL cluster and its proxy. */
  readonly database: PostgresDatabase;
  /** The function that creates, grants and rotates the database users and checks restore tests. */
  readonly databaseAutomation: DatabaseAutomation;
  /** The SNS topic of the environment's CloudWatch alarms. */
  readonly alarmTopic: AlarmTopic;
  /** The EKS cluster, its nodes, add-ons and workload identities. */
  readonly eks: EksCluster;
  /** The environment's public DNS zone. */
  readonly zone: Route53Zone;
  /** Loki's chunk and index storage. */
  readonly lokiBucket: SecureBucket;
  /** Tempo's trace blocks. */
  readonly tempoBucket: SecureBucket;
  /** The long-term, deduplicated metrics store (Amazon Managed Service for Prometheus) Prometheus writes to. */
  readonly metricsWorkspace: MetricsWorkspace;
  /** Certificate, web ACL and access-log bucket of the internet-facing load balancer. */
  readonly publicEndpoint: PublicEndpoint;
  /** ARN of the validated certificate of `grafana.<dnsDomain>` (Grafana's own load balancer). */
  readonly grafanaCertificateArn: string;
  /** The CI runner in the private subnets that plans and applies the Kubernetes stacks. */
  readonly runner: CodebuildRunner;
  /** CloudFront in front of the load balancer, when `cdn.enabled`. */
  readonly contentDelivery?: ContentDelivery;
  /** ARN of the validated certificate of `origin.<dnsDomain>` (the load balancer's name for CloudFront), with a CDN. */
  readonly originCertificateArn?: string;

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

    // The network tags its subnets for this cluster before the cluster exists: one name, decided here.
    const clusterName = eksClusterName(this.namePrefix);
    this.network = new Network(this, 'Network', {
      namePrefix: this.namePrefix,
      accountId: config.awsAccountId,
      region: config.region,
      vpcCidr: config.network.vpcCidr,
      availabilityZones: config.availabilityZones,
      clusterName,
      subnetPrefixLengths: subnetPrefixLengths(config.network),
      natGateways: config.network.natGateways,
      interfaceEndpoints: config.network.interfaceEndpoints,
      organizationId: config.network.organizationId,
      flowLogRetentionDays: config.network.flowLogRetentionDays,
    });

    this.alarmTopic = new AlarmTopic(this, 'Alarms', {
      namePrefix: this.namePrefix,
      accountId: config.awsAccountId,
      subscriptions: alarmTopicSubscriptions(this, config.alerting.alarmTopic, config.region),
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
      proxyUsers: [PROJECT.apiDatabaseUser, PROJECT.migrationDatabaseUser],
      backupRetentionDays: database.backupRetentionDays,
      deletionProtection: database.deletionProtection,
      slowQueryMs: database.slowQueryMs,
      alarms: database.alarms,
      alarmTopicArn: this.alarmTopic.topicArn,
    });
    this.databaseAutomation = this.createDatabaseAutomation(config);
    this.createDatabaseBackup(config, backupRegion);

    this.zone = new Route53Zone(this, 'Zone', {
      name: config.dnsDomain,
      comment: `${this.namePrefix}: records managed by external-dns; delegate it from the parent zone`,
    });
    this.publicEndpoint = new PublicEndpoint(this, 'PublicEndpoint', {
      namePrefix: this.namePrefix,
      accountId: config.awsAccountId,
      region: config.region,
      domainName: config.dnsDomain,
      zoneId: this.zone.zoneId,
      rateLimitPer5Minutes: config.app.rateLimitPer5Minutes,
      warehouses: config.app.warehouses,
      logRetentionDays: config.network.wafLogRetentionDays,
      originWebAcl: config.cdn?.servesDomain,
      admitCdnLogs: config.cdn?.enabled,
    });
    // Its own certificate: adding the name to the app's certificate would replace that one.
    this.grafanaCertificateArn = this.publicEndpoint.addCertificate(
      'GrafanaCertificate',
      grafanaHostName(config.dnsDomain),
    );
    if (config.cdn?.enabled) {
      // Its own certificate too, for the same reason: the live one stays untouched.
      this.originCertificateArn = this.publicEndpoint.addCertificate(
        'OriginCertificate',
        cdnOriginHostName(config.dnsDomain),
      );
      this.contentDelivery = this.createContentDelivery(config, config.cdn, tags);
    }
    this.lokiBucket = new SecureBucket(this, 'LokiBucket', {
      bucketName: physicalName(this.namePrefix, 'loki', config.awsAccountId, config.region),
      purpose: 'Loki log chunks and index',
      accountId: config.awsAccountId,
      // Loki's compactor applies the log retention; versions only guard against a bad deploy.
      noncurrentVersionExpirationDays: 7,
    });
    this.tempoBucket = new SecureBucket(this, 'TempoBucket', {
      bucketName: physicalName(this.namePrefix, 'tempo', config.awsAccountId, config.region),
      purpose: 'Tempo trace blocks',
      accountId: config.awsAccountId,
      // Tempo's compactor applies the trace retention; versions only guard against a bad deploy.
      noncurrentVersionExpirationDays: 7,
    });
    this.metricsWorkspace = new MetricsWorkspace(this, 'MetricsWorkspace', {
      namePrefix: this.namePrefix,
      accountId: config.awsAccountId,
      retentionPeriodInDays: config.monitoring.metricsRetentionDays,
    });

    this.eks = new EksCluster(this, 'Eks', {
      clusterName,
      accountId: config.awsAccountId,
      region: config.region,
      network: this.network,
      kubernetesVersion: config.eks.kubernetesVersion,
      addonVersions: config.eks.addonVersions,
      endpointPublicAccessCidrs: config.eks.endpointPublicAccessCidrs,
      accessRoles: config.eks.accessRoles,
      nodeGroups: config.eks.nodeGroups,
      nodeAmiReleaseVersion: config.eks.nodeAmiReleaseVersion,
      resourceTags: defaultTags(config),
      logRetentionDays: config.eks.logRetentionDays,
      deletionProtection: config.eks.deletionProtection,
    });
    this.grantWorkloadAccess(config);
    this.runner = this.createRunner(config);
    this.database.allowConnectionsFrom(
      this.eks.nodeSecurityGroupId,
      'PostgreSQL from the EKS nodes and pods',
    );

    new EnvironmentAlarms(this, 'EnvironmentAlarms', {
      namePrefix: this.namePrefix,
      alarmTopicArn: this.alarmTopic.topicArn,
      natGatewayIds: this.network.natGateways.map((nat) => nat.id),
      monthlyBudgetUsd: config.monitoring.monthlyBudgetUsd,
    });

    this.createWorkingHours(config);
    this.createOutputs();
  }

  /**
   * CloudFront in front of the load balancer, with its own AWS provider in us-east-1 (viewer certificate,
   * CLOUDFRONT web ACL, log delivery): docs/decisions/0007-cdn-in-front-of-the-load-balancer.md.
   */
  private createContentDelivery(
    config: EnvironmentConfig,
    cdn: CdnConfig,
    tags: { tags: Record<string, string> },
  ): ContentDelivery {
    const usEast1 = new AwsProvider(this, 'AwsUsEast1', {
      alias: 'us_east_1',
      region: 'us-east-1',
      allowedAccountIds: [config.awsAccountId],
      defaultTags: [tags],
    });
    return new ContentDelivery(this, 'ContentDelivery', {
      namePrefix: this.namePrefix,
      accountId: config.awsAccountId,
      usEast1,
      domainName: config.dnsDomain,
      originDomainName: cdnOriginHostName(config.dnsDomain),
      zoneId: this.zone.zoneId,
      servesDomain: cdn.servesDomain,
      priceClass: cdn.priceClass,
      staticMinTtlSeconds: cdn.staticMinTtlSeconds,
      staticDefaultTtlSeconds: cdn.staticDefaultTtlSeconds,
      staticMaxTtlSeconds: cdn.staticMaxTtlSeconds,
      uncachedPathPatterns: cdn.uncachedPathPatterns,
      rateLimitPer5Minutes: config.app.rateLimitPer5Minutes,
      warehouses: config.app.warehouses,
      logRetentionDays: config.network.wafLogRetentionDays,
      accessLogs: {
        bucketArn: this.publicEndpoint.accessLogsBucketArn,
        prefix: this.publicEndpoint.cdnLogsPrefix,
      },
    });
  }

  /** Users as code, password rotation and restore-test row counts (one function in the private subnets). */
  private createDatabaseAutomation(config: EnvironmentConfig): DatabaseAutomation {
    const { backup } = config.database;
    return new DatabaseAutomation(this, 'DatabaseAutomation', {
      namePrefix: this.namePrefix,
      accountId: config.awsAccountId,
      region: config.region,
      network: this.network,
      database: this.database,
      databaseReady: [this.database.instances[0]],
      databaseName: PROJECT.databaseName,
      schema: PROJECT.databaseSchema,
      runtimeUser: PROJECT.apiDatabaseUser,
      migrationUser: PROJECT.migrationDatabaseUser,
      rotationDays: config.database.credentialRotationDays,
      restoreCheck: backup.restoreTesting
        ? {
            restoreTestingPlanName: restoreTestingPlanName(this.namePrefix),
            tables: backup.restoreCheckTables,
          }
        : undefined,
      alarmTopicArn: this.alarmTopic.topicArn,
    });
  }

  /**
   * Outside `schedule` (non-production only): the managed node groups scale to zero and the Aurora cluster stops;
   * both start again before the day. Karpenter's nodes are not targeted: see the README's "Working hours".
   */
  private createWorkingHours(config: EnvironmentConfig): void {
    if (!config.schedule) return;
    const clusterName = this.eks.clusterName;
    const nodeGroupTargets = (['system', 'spot'] as const).flatMap((group) => {
      const nodeGroup = this.eks.nodeGroups[group];
      const sizes = config.eks.nodeGroups[group];
      if (!nodeGroup || !sizes) return [];
      const scaling = (min: number, desired: number) => ({
        service: 'eks',
        action: 'updateNodegroupConfig',
        input: {
          ClusterName: clusterName,
          NodegroupName: nodeGroup.nodeGroupName,
          ScalingConfig: { MinSize: min, DesiredSize: desired, MaxSize: sizes.maxSize },
        },
      });
      return [
        {
          name: `${group}-nodes`,
          stop: scaling(0, 0),
          start: scaling(sizes.minSize, sizes.desiredSize),
          resourceArn: nodeGroup.arn,
        },
      ];
    });
    const database = { DbClusterIdentifier: this.database.clusterIdentifier };
    new WorkingHoursSchedule(this, 'WorkingHours', {
      namePrefix: this.namePrefix,
      accountId: config.awsAccountId,
      hours: config.schedule,
      targets: [
        ...nodeGroupTargets,
        {
          name: 'database',
          stop: { service: 'rds', action: 'stopDBCluster', input: database },
          start: { service: 'rds', action: 'startDBCluster', input: database },
          resourceArn: this.database.clusterArn,
        },
      ],
    });
  }

  /** Daily AWS Backup of the database into its own vault, copied to the backup region when there is one. */
  private createDatabaseBackup(config: EnvironmentConfig, backupRegion: AwsProvider | undefined): void {
    const { database } = config;
    const { copyRegion } = database.backup;
    new DatabaseBackup(this, 'DatabaseBackup', {
      namePrefix: this.namePrefix,
      accountId: config.awsAccountId,
      region: config.region,
      clusterArn: this.database.clusterArn,
      subnetGroupName: this.database.subnetGroupName,
      retentionDays: database.backup.retentionDays,
      restoreTesting: database.backup.restoreTesting,
      restoreSecurityGroupIds: this.databaseAutomation.restoreSecurityGroupId
        ? [this.databaseAutomation.restoreSecurityGroupId]
        : undefined,
      // The row-count check adds an instance to the restored cluster (~10-15 minutes) before it logs in.
      validationWindowHours: 4,
      alarmTopicArn: this.alarmTopic.topicArn,
      vaultLock: database.backup.vaultLock,
      copy:
        backupRegion && copyRegion
          ? {
              provider: backupRegion,
              region: copyRegion,
              retentionDays: database.backup.copyRetentionDays ?? database.backup.retentionDays,
            }
          : undefined,
    });
  }

  /**
   * The CodeBuild-hosted GitHub Actions runner of the jobs that need the private EKS endpoint, admitted to it on
   * 443. Its jobs authenticate to AWS and the cluster as the plan or apply role (OIDC), so no access entry.
   */
  private createRunner(config: EnvironmentConfig): CodebuildRunner {
    const runner = new CodebuildRunner(this, 'CiRunner', {
      projectName: physicalName(this.namePrefix, 'gha-runner'),
      accountId: config.awsAccountId,
      region: config.region,
      network: this.network,
      repository: PROJECT.repository,
      connectionArn: config.ci.runner.connectionArn,
      computeType: config.ci.runner.computeType,
    });
    this.eks.allowEndpointAccessFrom(
      'CiRunner',
      runner.securityGroupId,
      'CI runner (plans and applies of the Kubernetes stacks) to the Kubernetes API',
    );
    return runner;
  }

  /** What operators and the other stacks read from this stack's state. */
  private createOutputs(): void {
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
    output('EksClusterName', this.eks.clusterName, 'EKS cluster name (aws eks update-kubeconfig --name ...)');
    output('ZoneNameServers', this.zone.nameServers, 'Name servers to delegate the DNS domain to');
    output(
      'CiRunnerProject',
      this.runner.projectName,
      'CodeBuild project of the VPC runner: runs-on codebuild-<project>-<run id>-<attempt> (docs/delivery.md)',
    );
    output(
      'NatPublicIps',
      this.network.natGateways.map((nat) => nat.publicIp),
      'Public IPv4 addresses of the NAT gateways: all outbound traffic of the private subnets (the API calling partners) leaves from these; partners allow-list them',
    );
    if (this.contentDelivery) {
      output(
        'CdnDomainName',
        this.contentDelivery.distribution.domainName,
        'CloudFront domain name of the distribution (docs/runbooks/cdn-dns-move.md: test it before the DNS move)',
      );
      output(
        'CdnDistributionId',
        this.contentDelivery.distribution.id,
        'CloudFront distribution id (invalidations)',
      );
    }
  }

  /**
   * The workload identities that reach this stack's resources, each granted with the resource's own attributes
   * (names of service accounts from their owners): external-dns the zone, External Secrets the alerting and
   * Grafana secrets, Loki and Tempo their buckets, Prometheus (write) and Grafana (query) the metrics workspace, YACE
   * CloudWatch metrics, the WMS API its secret and database user.
   */
  private grantWorkloadAccess(config: EnvironmentConfig): void {
    const { region } = config;
    const externalSecretArns = [
      config.alerting.pagerSecret,
      config.alerting.chatSecret,
      ...(config.alerting.heartbeatSecret === undefined ? [] : [config.alerting.heartbeatSecret]),
      config.monitoring.grafanaAdminSecret,
      ...(config.monitoring.grafana?.sso === undefined
        ? []
        : [config.monitoring.grafana.sso.clientSecretRef]),
    ].map(
      // The 6 random characters Secrets Manager appends to a secret's ARN (IAM's `?` matches one each).
      (name) => `arn:aws:secretsmanager:${config.region}:${config.awsAccountId}:secret:${name}-??????`,
    );
    const apiSecretArn = this.database.userSecretArns[PROJECT.apiDatabaseUser];
    const secretKeys = [this.database.kmsKeyArn];
    const identity = (id: string, options: EksWorkloadIdentityOptions) =>
      this.eks.addWorkloadIdentity(id, options);
    identity('ExternalDns', {
      ...CLUSTER_SERVICES_IDENTITIES.externalDns,
      description: 'external-dns',
      statements: externalDnsPolicy(this.zone.arn),
    });
    identity('ExternalSecrets', {
      ...CLUSTER_SERVICES_IDENTITIES.externalSecrets,
      description: 'External Secrets Operator',
      statements: secretReaderPolicy(region, externalSecretArns, secretKeys),
    });
    identity('Loki', {
      ...MONITORING_IDENTITIES.loki,
      description: 'Loki log storage',
      statements: objectStorePolicy(region, this.lokiBucket.bucketArn, this.lokiBucket.key?.arn),
    });
    identity('Tempo', {
      ...MONITORING_IDENTITIES.tempo,
      description: 'Tempo trace storage',
      statements: objectStorePolicy(region, this.tempoBucket.bucketArn, this.tempoBucket.key?.arn),
    });
    identity('Prometheus', {
      ...MONITORING_IDENTITIES.prometheus,
      description: 'Prometheus remote write to the metrics workspace',
      statements: this.metricsWorkspace.remoteWriteStatements(),
    });
    identity('Grafana', {
      ...MONITORING_IDENTITIES.grafana,
      description: 'Grafana queries of the metrics workspace',
      statements: this.metricsWorkspace.queryStatements(),
    });
    identity('CloudwatchExporter', {
      ...MONITORING_IDENTITIES.cloudwatchExporter,
      description: 'YACE CloudWatch exporter',
      statements: cloudwatchMetricsReaderPolicy(),
    });
    const dbUser = `${this.database.proxyResourceId}/${PROJECT.apiDatabaseUser}`;
    identity('Api', {
      namespace: WMS_NAMESPACE,
      serviceAccount: API_SERVICE_ACCOUNT,
      description: 'WMS API',
      statements: [
        ...secretReaderPolicy(region, [apiSecretArn], secretKeys),
        ...databaseConnectPolicy(`arn:aws:rds-db:${region}:${config.awsAccountId}:dbuser:${dbUser}`),
      ],
    });
    // The migration Job logs in as the migration user (DDL); only its own service account may.
    const migrationDbUser = `${this.database.proxyResourceId}/${PROJECT.migrationDatabaseUser}`;
    identity('Migration', {
      namespace: WMS_NAMESPACE,
      serviceAccount: MIGRATION_SERVICE_ACCOUNT,
      description: 'WMS database migration Job',
      statements: databaseConnectPolicy(
        `arn:aws:rds-db:${region}:${config.awsAccountId}:dbuser:${migrationDbUser}`,
      ),
    });
    // Image admission (Kyverno) reads signatures from the one registry; its repository policy admits this role.
    identity('ImageAdmission', {
      ...IMAGE_ADMISSION_IDENTITY,
      description: 'Kyverno admission controller (image signatures)',
      statements: imageSignatureReaderStatements([config.app.images.api, config.app.images.web]),
    });
  }
}
