import { DataAwsEc2ManagedPrefixList } from '@cdktf/provider-aws/lib/data-aws-ec2-managed-prefix-list';
import { DbClusterSnapshot } from '@cdktf/provider-aws/lib/db-cluster-snapshot';
import type { Construct } from 'constructs';
import { PROJECT } from '../config/project';
import { cdnOriginHostName } from '../shared/cdn';
import type { WmsCdnOrigin } from '../constructs/app/wms-application';
import { physicalName } from '../constructs/shared/naming';
import type { WmsImage } from '../constructs/app/workload';
import { WmsApplication } from '../constructs/app/wms-application';
import { PROMETHEUS_URL, TRACE_COLLECTOR } from '../constructs/observability/monitoring-values';
import { ClusterStack } from './cluster-stack';
import type { ClusterConfigStack } from './cluster-config-stack';
import type { EnvironmentStackProps } from './environment-stack';
import type { PlatformStack } from './platform-stack';

/** Properties of an {@link AppStack}. */
export interface AppStackProps extends EnvironmentStackProps {
  /** The environment's platform stack (database, network, certificate, web ACL). */
  readonly platform: PlatformStack;
  /** The stack with the secret store and node pools the app runs on. */
  readonly clusterConfig: ClusterConfigStack;
}

/**
 * `wms-<env>-app`: the WMS itself (namespace, Argo Rollouts and their analysis, Services, Ingress, autoscaling,
 * NetworkPolicies) and, per release, a manual snapshot of the database followed by the migration Job.
 */
export class AppStack extends ClusterStack {
  /** The application. */
  readonly app: WmsApplication;
  /** The snapshot taken before this release's migration. */
  readonly preMigrationSnapshot: DbClusterSnapshot;

  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, props, { helm: false });
    const { config, platform } = props;
    this.addDependency(props.clusterConfig);
    const { app } = config;

    // Named after the release, so a new migration version takes a new snapshot before its Job runs. It replaces
    // the previous release's snapshot (created first, then the old one deleted); older recovery points stay in
    // AWS Backup.
    this.preMigrationSnapshot = new DbClusterSnapshot(this, 'PreMigrationSnapshot', {
      dbClusterIdentifier: platform.database.clusterIdentifier,
      dbClusterSnapshotIdentifier: physicalName(
        platform.database.clusterIdentifier,
        'pre',
        app.version.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
      ),
      lifecycle: { createBeforeDestroy: true },
    });

    const image = (repository: string, tag: string): WmsImage => ({ repository, tag });

    const network = platform.network;
    this.app = new WmsApplication(this, 'Wms', {
      domain: config.dnsDomain,
      region: config.region,
      release: {
        version: app.version,
        apiImage: image(app.images.api, app.version),
        webImage: image(app.images.web, app.version),
      },
      delivery: app.delivery,
      prometheusUrl: PROMETHEUS_URL,
      migration: {
        version: app.version,
        image: image(app.images.api, app.version),
        command: app.migration.command,
        databaseUser: PROJECT.migrationDatabaseUser,
      },
      migrationDependsOn: [this.preMigrationSnapshot],
      api: app.api,
      web: app.web,
      database: platform.database,
      databaseName: PROJECT.databaseName,
      databaseUser: PROJECT.apiDatabaseUser,
      corsAllowedOrigins: app.corsOrigins,
      logLevel: app.logLevel,
      tracing: {
        otlpEndpoint: TRACE_COLLECTOR.otlpHttpEndpoint,
        collectorNamespace: TRACE_COLLECTOR.namespace,
        collectorPodLabels: TRACE_COLLECTOR.podLabels,
        environment: config.name,
      },
      certificateArn: platform.publicEndpoint.certificateArn,
      // Behind CloudFront, the load balancer's own web ACL inspects requests only (decision 0007).
      wafAclArn: platform.publicEndpoint.originWebAclArn ?? platform.publicEndpoint.webAclArn,
      cdn: this.cdnOrigin(props),
      accessLogsBucket: platform.publicEndpoint.accessLogsBucketName,
      accessLogsPrefix: platform.publicEndpoint.accessLogsPrefix,
      deletionProtection: app.loadBalancerDeletionProtection,
      publicSubnetCidrs: network.publicSubnetCidrs,
      databaseCidrs: network.privateSubnetCidrs,
      partnerEgress: app.partners,
      // With interface endpoints the AWS APIs answer inside the private subnets; without, through NAT.
      awsEndpointCidrs: network.interfaceEndpoints ? network.privateSubnetCidrs : ['0.0.0.0/0'],
    });
  }

  /**
   * With a CDN: the origin host and its certificate, and CloudFront's origin-facing prefix list. Its id differs by
   * region and AWS documents no fixed value, so it is looked up here, in a stack that calls AWS APIs at plan time
   * anyway, not in the platform stack (which plans offline).
   * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/LocationsOfEdgeServers.html
   */
  private cdnOrigin(props: AppStackProps): WmsCdnOrigin | undefined {
    const { config, platform } = props;
    if (!config.cdn?.enabled || platform.originCertificateArn === undefined) return undefined;
    const prefixList = new DataAwsEc2ManagedPrefixList(this, 'CloudfrontOriginFacing', {
      name: 'com.amazonaws.global.cloudfront.origin-facing',
    });
    return {
      originHost: cdnOriginHostName(config.dnsDomain),
      certificateArn: platform.originCertificateArn,
      cloudfrontOnly: config.cdn.cloudfrontOnly ?? false,
      originFacingPrefixListId: prefixList.id,
    };
  }
}
