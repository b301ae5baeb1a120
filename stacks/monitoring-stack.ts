import type { Construct } from 'constructs';
import { grafanaHostName } from '../config/environment';
import { PROJECT } from '../config/project';
import type { GrafanaAccess } from '../constructs/observability/monitoring-values';
import type { ClusterNamespace } from '../constructs/cluster/cluster-services';
import { MONITORING_IDENTITIES, Monitoring } from '../constructs/observability/monitoring';
import { auroraLocalStorageGiB } from '../shared/aurora';
import { ClusterStack } from './cluster-stack';
import type { ClusterConfigStack } from './cluster-config-stack';
import type { EnvironmentStackProps } from './environment-stack';
import { eksClusterName } from '../constructs/cluster/eks-cluster';
import type { PlatformStack } from './platform-stack';

/** Properties of a {@link MonitoringStack}. */
export interface MonitoringStackProps extends EnvironmentStackProps {
  /** The environment's platform stack (Loki bucket, metrics workspace, database proxy endpoint). */
  readonly platform: PlatformStack;
  /** The stack with the secret store the monitoring's ExternalSecrets read through. */
  readonly clusterConfig: ClusterConfigStack;
}

/**
 * `wms-<env>-monitoring`: kube-prometheus-stack (its CRDs as their own release), Grafana dashboards, the WMS
 * alert rules and Alertmanager routing, Loki, Alloy and the exporters. It comes after cluster-config because its
 * ExternalSecrets (Grafana's admin login, the receivers' keys) need External Secrets' CRDs and secret store; rules
 * and monitors go in as chart values, so no Prometheus custom resource is planned in the stack that installs the
 * Prometheus CRDs.
 */
export class MonitoringStack extends ClusterStack {
  /** The monitoring releases. */
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props, { helm: true });
    const { config, platform } = props;
    this.addDependency(props.clusterConfig);
    const { database } = config;
    const localStorage = auroraLocalStorageGiB(database.instanceClass, database.serverless?.maxCapacity);
    if (localStorage === undefined) {
      throw new Error(
        `${this.node.path}: database.instanceClass: "${database.instanceClass}" has no known size`,
      );
    }

    this.monitoring = new Monitoring(this, 'Monitoring', {
      namespaces: {
        monitoring: MONITORING_IDENTITIES.cloudwatchExporter.namespace,
        logging: MONITORING_IDENTITIES.loki.namespace,
        agents: 'monitoring-agents' satisfies ClusterNamespace,
      },
      targets: {
        namespace: 'wms',
        apiJob: 'wms-api',
        apiService: 'wms-api',
        probeJob: 'wms-api-probe',
        webProbeJob: 'wms-web-probe',
        databaseProbeJob: 'wms-database-probe',
        cloudwatchExporterJob: 'yace',
        databaseLocalStorageGiB: localStorage,
      },
      runbookBaseUrl: `https://github.com/${PROJECT.repository}/blob/main/docs/runbooks`,
      domain: config.dnsDomain,
      grafanaAdminSecretName: config.monitoring.grafanaAdminSecret,
      pagerSecretName: config.alerting.pagerSecret,
      chatSecretName: config.alerting.chatSecret,
      heartbeatSecretName: config.alerting.heartbeatSecret,
      pageCritical: config.alerting.pageCritical,
      externalLabels: { environment: config.name, cluster: eksClusterName(this.namePrefix) },
      lokiBucketName: platform.lokiBucket.bucketName,
      tempoBucketName: platform.tempoBucket.bucketName,
      longTermMetrics: {
        remoteWriteUrl: platform.metricsWorkspace.remoteWriteUrl,
        prometheusEndpoint: platform.metricsWorkspace.prometheusEndpoint,
      },
      traceRetentionDays: config.monitoring.traceRetentionDays,
      region: config.region,
      databaseProxyEndpoint: platform.database.proxyEndpoint,
      replicas: config.monitoring.replicas,
      size: config.monitoring.size,
      grafanaAccess: this.grafanaAccess(props),
    });
  }

  /** Grafana at `grafana.<dnsDomain>`: the platform's certificate for it, web ACL and access-log bucket. */
  private grafanaAccess({ config, platform }: MonitoringStackProps): GrafanaAccess {
    const sso = config.monitoring.grafana?.sso;
    return {
      hostName: grafanaHostName(config.dnsDomain),
      certificateArn: platform.grafanaCertificateArn,
      wafAclArn: platform.publicEndpoint.webAclArn,
      accessLogsBucket: platform.publicEndpoint.accessLogsBucketName,
      accessLogsPrefix: platform.publicEndpoint.accessLogsPrefix,
      sso: sso && {
        issuerUrl: sso.issuerUrl,
        clientId: sso.clientId,
        clientSecretName: sso.clientSecretRef,
        allowedGroups: sso.allowedGroups,
        roleAttributePath: sso.roleAttributePath,
        authUrl: sso.authUrl,
        tokenUrl: sso.tokenUrl,
        userInfoUrl: sso.userInfoUrl,
      },
    };
  }
}
