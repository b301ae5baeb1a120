import type { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { PrometheusWorkspace } from '@cdktf/provider-aws/lib/prometheus-workspace';
import { PrometheusWorkspaceConfiguration } from '@cdktf/provider-aws/lib/prometheus-workspace-configuration';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { propError } from '../shared/errors';
import type { PolicyStatement } from '../shared/kms';
import { customerKey } from '../shared/kms';

/** Properties of a {@link MetricsWorkspace}. */
export interface MetricsWorkspaceProps {
  /** The environment's name prefix, e.g. `wms-prod`: the workspace alias and the key alias `<prefix>-metrics`. */
  readonly namePrefix: string;
  /** The account that administers the workspace's KMS key. */
  readonly accountId: string;
  /**
   * Days the workspace keeps samples (`retention_period_in_days`), 1-1095. Longer than Prometheus' own 35 days:
   * this is the store of capacity trends and year-on-year traffic.
   * @default 400
   * @see https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs/resources/prometheus_workspace_configuration
   */
  readonly retentionPeriodInDays?: number;
}

/** Actions Grafana needs to query a workspace (the AmazonPrometheusQueryAccess managed policy's, on one workspace). */
const QUERY_ACTIONS = ['aps:QueryMetrics', 'aps:GetSeries', 'aps:GetLabels', 'aps:GetMetricMetadata'];

/**
 * The long-term, deduplicated metrics store (decision record 0005): an Amazon Managed Service for Prometheus
 * workspace, encrypted with its own customer-managed key, keeping samples `retentionPeriodInDays`. Both
 * Prometheus replicas remote-write to it with SigV4; it keeps one copy of each series by the `cluster` and
 * `__replica__` labels. Grants are statements for workload identities: {@link remoteWriteStatements} and
 * {@link queryStatements}, each on this workspace only.
 * @see https://docs.aws.amazon.com/prometheus/latest/userguide/AMP-ingest-dedupe.html
 */
export class MetricsWorkspace extends Construct {
  /** The workspace (escape hatch). */
  readonly workspace: PrometheusWorkspace;
  /** The key encrypting the workspace's data. */
  readonly key: KmsKey;
  /** The workspace ARN. */
  readonly workspaceArn: string;
  /** Prometheus-compatible endpoint, ending in `/`: Grafana's data source URL. */
  readonly prometheusEndpoint: string;
  /** The remote-write URL (`<prometheusEndpoint>api/v1/remote_write`). */
  readonly remoteWriteUrl: string;

  constructor(scope: Construct, id: string, props: MetricsWorkspaceProps) {
    super(scope, id);
    const retentionPeriodInDays = props.retentionPeriodInDays ?? 400;
    this.validate(retentionPeriodInDays);
    this.key = customerKey(this, 'Key', {
      description: `${props.namePrefix}: long-term metrics (Amazon Managed Service for Prometheus)`,
      alias: `${props.namePrefix}-metrics`,
      accountId: props.accountId,
    });
    // No logging_configuration: it reports only ingestion errors and throttling, which the remote-write queue's
    // own metrics (prometheus_remote_storage_*) already show in-cluster.
    this.workspace = new PrometheusWorkspace(this, 'Workspace', {
      alias: props.namePrefix,
      kmsKeyArn: this.key.arn,
    });
    new PrometheusWorkspaceConfiguration(this, 'Configuration', {
      workspaceId: this.workspace.id,
      retentionPeriodInDays,
    });
    this.workspaceArn = this.workspace.arn;
    this.prometheusEndpoint = this.workspace.prometheusEndpoint;
    this.remoteWriteUrl = `${this.workspace.prometheusEndpoint}api/v1/remote_write`;
  }

  /** Remote write (`aps:RemoteWrite`) to this workspace only: Prometheus' role. */
  remoteWriteStatements(): PolicyStatement[] {
    return [
      { Sid: 'RemoteWrite', Effect: 'Allow', Action: ['aps:RemoteWrite'], Resource: this.workspaceArn },
    ];
  }

  /** PromQL queries of this workspace only: Grafana's role. */
  queryStatements(): PolicyStatement[] {
    return [{ Sid: 'QueryMetrics', Effect: 'Allow', Action: QUERY_ACTIONS, Resource: this.workspaceArn }];
  }

  private validate(retentionPeriodInDays: number): void {
    const ok =
      Number.isInteger(retentionPeriodInDays) && retentionPeriodInDays >= 1 && retentionPeriodInDays <= 1095;
    if (!ok && !Token.isUnresolved(retentionPeriodInDays)) {
      throw propError(this, 'retentionPeriodInDays', retentionPeriodInDays, 'a whole number of days, 1-1095');
    }
  }
}
