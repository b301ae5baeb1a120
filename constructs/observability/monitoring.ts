import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import type { ITerraformDependable } from 'cdktf';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import type { ClusterNamespace } from '../cluster/cluster-services';
import { HelmChart } from '../shared/helm-chart';
import { PlanSecretReader } from '../shared/plan-secret-reader';
import { SLO, renderRuleGroups } from './alert-rules';
import { alertmanagerSecretFile, renderAlertmanagerYaml } from './alertmanager-config';
import { renderDashboards } from './dashboards';
import { renderLogRuleFileYaml } from './log-alert-rules';
import type { MonitoringTargets } from './targets';
import type {
  AlloyValues,
  BlackboxExporterValues,
  ChartRef,
  CloudwatchExporterValues,
  GrafanaAccess,
  KubePrometheusStackValues,
  LokiValues,
  LongTermMetrics,
  MonitoringSize,
  PrometheusAdapterValues,
  PrometheusOperatorCrdsValues,
  AlloyTracesValues,
  TempoValues,
  TraceSampling,
} from './monitoring-values';
import {
  DASHBOARD_LABEL,
  LOKI_RULES,
  MONITORING_CHARTS,
  MONITORING_RELEASES,
  MONITORING_SECRETS,
  MONITORING_SIZES,
  TRACE_COLLECTOR,
  alloyValues,
  alloyTracesValues,
  blackboxExporterValues,
  cloudwatchExporterValues,
  kubePrometheusStackValues,
  lokiValues,
  monitoringEndpoints,
  prometheusAdapterValues,
  prometheusOperatorCrdsValues,
  tempoValues,
} from './monitoring-values';
import { propError } from '../shared/errors';
import { AWS_REGION } from '../../shared/region';

/**
 * Namespace and service account of the monitoring workloads that have an IAM role: the platform stack adds their
 * roles through the cluster's `addWorkloadIdentity` (EKS Pod Identity associations name them), before this
 * construct installs them. Their namespaces are `ClusterServices`' (its Pod Security levels).
 */
export const MONITORING_IDENTITIES = {
  /** Loki, which reads and writes its S3 bucket. */
  loki: { namespace: 'logging', serviceAccount: 'loki' },
  /** YACE, the CloudWatch exporter. */
  cloudwatchExporter: { namespace: 'monitoring', serviceAccount: 'yace' },
  /** Tempo (traces), which reads and writes its S3 bucket; beside Grafana. */
  tempo: { namespace: 'monitoring', serviceAccount: 'tempo' },
  /** Prometheus, which remote-writes to the long-term metrics workspace (SigV4). */
  prometheus: { namespace: 'monitoring', serviceAccount: 'kps-prometheus' },
  /** Grafana, which queries the long-term metrics workspace (SigV4). */
  grafana: { namespace: 'monitoring', serviceAccount: 'kube-prometheus-stack-grafana' },
} as const satisfies Record<string, { namespace: ClusterNamespace; serviceAccount: string }>;

/** The namespaces the monitoring releases go to (created by `ClusterServices`, with their Pod Security levels). */
export interface MonitoringNamespaces {
  /**
   * Prometheus, Alertmanager, Grafana, the operator, kube-state-metrics, the blackbox exporter, YACE, Tempo and
   * the trace collectors: `monitoring`. It must be the namespace of YACE's and Tempo's Pod Identity associations
   * (`MONITORING_IDENTITIES.cloudwatchExporter`, `.tempo`).
   */
  readonly monitoring: string;
  /** Loki: `logging`. It must be the namespace of Loki's Pod Identity association (`MONITORING_IDENTITIES.loki`). */
  readonly logging: string;
  /** The node agents that need host access, node-exporter and Alloy: `monitoring-agents` (privileged). */
  readonly agents: string;
}

/** Properties of {@link Monitoring}. */
export interface MonitoringProps {
  /** Where each release goes. */
  readonly namespaces: MonitoringNamespaces;
  /** The namespace, jobs and sizes the WMS rules and dashboards select on; the deployed scrape jobs match them. */
  readonly targets: MonitoringTargets;
  /**
   * Base URL of the runbooks each WMS alert links to, e.g.
   * `https://github.com/acme/wms-platform/blob/main/docs/runbooks`.
   */
  readonly runbookBaseUrl: string;
  /** The environment's public domain, e.g. `wms.example.com`: the blackbox exporter probes `https://<domain><probePath>`. */
  readonly domain: string;
  /**
   * Secrets Manager secret (name) holding Grafana's admin login as JSON `{"admin-user": ..., "admin-password": ...}`,
   * e.g. `wms/prod/grafana/admin`. External Secrets' IAM role must be allowed to read it.
   */
  readonly grafanaAdminSecretName: string;
  /**
   * Secrets Manager secret (name) whose value is the PagerDuty Events API v2 routing key (a plain string): the
   * environment's `alerting.pagerSecret`.
   */
  readonly pagerSecretName: string;
  /**
   * Secrets Manager secret (name) whose value is the Slack incoming-webhook URL (a plain string): the environment's
   * `alerting.chatSecret`.
   */
  readonly chatSecretName: string;
  /**
   * Secrets Manager secret (name) whose value is the URL of the dead-man's-switch heartbeat the always-firing
   * `Watchdog` alert pings every minute: the environment's `alerting.heartbeatSecret`.
   * @default - no heartbeat: the Watchdog goes to the log-only receiver
   */
  readonly heartbeatSecretName?: string;
  /**
   * Critical alerts page; when false they go to chat (the environment's `alerting.pageCritical`).
   * @default true
   */
  readonly pageCritical?: boolean;
  /**
   * Labels Prometheus adds to every alert it sends (and every series it federates or writes remotely), so a
   * notification names its environment and cluster: `prometheus.prometheusSpec.externalLabels`.
   */
  readonly externalLabels: { readonly environment: string; readonly cluster: string };
  /** Loki's S3 bucket (name); the `loki` service account's Pod Identity role may read, write and delete in it. */
  readonly lokiBucketName: string;
  /** Tempo's S3 bucket (name); the `tempo` service account's Pod Identity role may read, write and delete in it. */
  readonly tempoBucketName: string;
  /**
   * The long-term metrics store (Amazon Managed Service for Prometheus workspace): both Prometheus replicas
   * remote-write to `remoteWriteUrl` with SigV4 as the `prometheus` service account's Pod Identity, and Grafana
   * queries `prometheusEndpoint` (data source "Long-term metrics") as the `grafana` one. Usually references to
   * the platform stack's outputs, resolved at apply time.
   */
  readonly longTermMetrics: LongTermMetrics;
  /** AWS region of the buckets and the metrics workspace, and of the database whose CloudWatch metrics YACE exports. */
  readonly region: string;
  /**
   * Host name of the database's RDS Proxy (read-write endpoint), e.g.
   * `wms-prod-db.proxy-c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com`: the blackbox exporter connects to it on 5432 as
   * `targets.databaseProbeJob`. Usually a reference to another stack's output, resolved at apply time.
   */
  readonly databaseProxyEndpoint: string;
  /**
   * Replicas of Prometheus and Alertmanager (and of the blackbox exporter): at least 2 in production, each on its
   * own node, with a disruption budget.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Resources and volume sizes ({@link MONITORING_SIZES}); `small` for development.
   * @default 'large'
   */
  readonly size?: MonitoringSize;
  /**
   * StorageClass of every volume (Prometheus, Alertmanager, Grafana, Loki): the cluster's encrypted gp3 class.
   * @default 'gp3-encrypted'
   */
  readonly storageClassName?: string;
  /**
   * Days Prometheus keeps samples: at least the 30-day SLO window, whose budget-remaining series needs them.
   * @default 35
   */
  readonly prometheusRetentionDays?: number;
  /**
   * Days Loki keeps logs; the compactor deletes older chunks from the bucket.
   * @default 30
   */
  readonly lokiRetentionDays?: number;
  /**
   * Days Tempo keeps traces; its compactor deletes older blocks from the bucket.
   * @default 14
   */
  readonly traceRetentionDays?: number;
  /**
   * What the trace collectors keep: traces with an error span always, traces with a span of at least
   * `slowTraceMs`, and `baselinePercent` of the others, decided `decisionWaitSeconds` after a trace's first span.
   * @default { slowTraceMs: 1000, baselinePercent: 5, decisionWaitSeconds: 10 }
   */
  readonly traceSampling?: TraceSampling;
  /**
   * ClusterSecretStore (AWS Secrets Manager) the ExternalSecrets read from.
   * @default 'aws-secrets-manager'
   */
  readonly secretStoreName?: string;
  /**
   * Path of the API's health endpoint behind the public load balancer.
   * @default '/api/health'
   */
  readonly probePath?: string;
  /**
   * Labels of the API's Services the ServiceMonitor selects, in `targets.namespace` (the per-colour Services carry
   * them; the live Service does not, so no pod is scraped twice).
   * @default { 'app.kubernetes.io/name': 'wms-api' }
   */
  readonly apiServiceLabels?: Readonly<Record<string, string>>;
  /**
   * Name of the API Services' port that serves `/metrics`.
   * @default 'http'
   */
  readonly apiPortName?: string;
  /**
   * `app.kubernetes.io/name` of the API pods, which Alloy copies to the log stream label `app`: the log alerts
   * select the API's logs by it.
   * @default 'wms-api'
   */
  readonly apiApp?: string;
  /**
   * `app.kubernetes.io/name` of the web front end's pods (log stream label `app`), for its log alerts.
   * @default 'wms-web'
   */
  readonly webApp?: string;
  /**
   * Grafana's public address (its own load balancer, certificate and web ACL) and single sign-on.
   * @default - not published: Grafana is reached through a port-forward
   */
  readonly grafanaAccess?: GrafanaAccess;
  /**
   * Slack channel of the chat receiver, e.g. `#wms-alerts`.
   * @default - the channel the incoming webhook was created for
   */
  readonly chatChannel?: string;
}

/** The optional props, with their defaults applied. */
type MonitoringSettings = Required<
  Pick<
    MonitoringProps,
    | 'replicas'
    | 'size'
    | 'storageClassName'
    | 'prometheusRetentionDays'
    | 'lokiRetentionDays'
    | 'traceRetentionDays'
    | 'traceSampling'
    | 'secretStoreName'
    | 'probePath'
    | 'apiServiceLabels'
    | 'apiPortName'
  >
>;

const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const PATH = /^\/[A-Za-z0-9._~\-/]*$/;
const HTTPS_URL = /^https:\/\/[a-z0-9.-]+(:\d+)?(\/[^\s/?#]+)*$/;

/**
 * A literal for Terraform: every string value with `${` and `%{` doubled, so Terraform does not read Grafana's
 * `${datasource}` (or any other template-looking text) as its own interpolation. cdktf token references are left
 * alone.
 * @see https://developer.hashicorp.com/terraform/language/expressions/strings#escape-sequences
 */
function terraformLiteral<T>(value: T): T {
  if (typeof value === 'string') {
    return value.replace(/\$\{(?!TfToken\[)/g, '$$${').replace(/%\{/g, '%%{') as T;
  }
  if (Array.isArray(value)) return value.map(terraformLiteral) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, terraformLiteral(v)])) as T;
  }
  return value;
}

/**
 * The WMS monitoring and logging stack, each part a pinned, atomic Helm release with typed values.
 *
 * - **kube-prometheus-stack** (namespace `monitoring`; node-exporter in `agents`): its CRDs come first, from their
 *   own `prometheus-operator-crds` release (so they upgrade with it, and are kept if the release is deleted).
 *   Prometheus keeps samples for `prometheusRetentionDays` (>= the 30-day SLO window) on an encrypted gp3 volume,
 *   with a size cap below the volume; Prometheus and Alertmanager run `replicas` copies on separate nodes; every
 *   PrometheusRule, ServiceMonitor, PodMonitor, Probe and ScrapeConfig is selected without the release label; the
 *   control-plane targets EKS hides (controller manager, scheduler, etcd, kube-proxy) and their rules are off.
 * - **WMS content from `constructs/monitoring/`**: the rules (`additionalPrometheusRulesMap`), the API's
 *   ServiceMonitor (job relabelled to `targets.apiJob`), the external probe job `targets.probeJob` through the
 *   **blackbox exporter**, the Alertmanager configuration (a Secret of ours, so it is exactly what `amtool`
 *   checked, not a Helm merge with the chart's default) and the dashboards (one ConfigMap each, for the sidecar).
 * - **Secrets** from AWS Secrets Manager through External Secrets: Grafana's admin login, and the receivers' keys
 *   mounted into Alertmanager where the configuration's `*_file` paths point. Terraform waits until each
 *   ExternalSecret is Ready, so a missing secret fails the apply, by name, instead of a pod.
 * - **Loki** (namespace `logging`): Monolithic, one replica, TSDB schema v13 on S3 through the `loki` service
 *   account's EKS Pod Identity (no keys), retention by the compactor, single tenant; its ruler evaluates the log
 *   alerts (`log-alert-rules.ts`, a ConfigMap its sidecar loads) and sends them to Alertmanager.
 * - **Grafana Alloy** (DaemonSet in `agents`): every node's pod logs to Loki.
 * - **Traces** (`monitoring`): applications send OTLP to the trace collectors (an Alloy Deployment, `replicas`
 *   copies), which route each trace's spans to one replica by trace id, tail-sample there (errors, slow traces, a
 *   baseline) and export to **Tempo** (single binary, S3 through the `tempo` service account's Pod Identity,
 *   retention by its compactor). Grafana links metrics (exemplars), traces and logs (derived fields) both ways.
 * - **prometheus-adapter** (`monitoring`): serves the API pods' request rate (`http_requests_per_second`, a
 *   custom metric) from Prometheus, for the API's HorizontalPodAutoscaler.
 * - **The database** from outside: a blackbox TCP probe of the RDS Proxy (`targets.databaseProbeJob`), and
 *   **YACE** (`monitoring`) exporting the Aurora instances' CloudWatch metrics and the slow-statement count of the
 *   database's log metric filter, with the `yace` service account's EKS Pod Identity (read-only CloudWatch), scraped
 *   as `targets.cloudwatchExporterJob`. No postgres_exporter: the database admits only IAM-authenticated logins
 *   through the proxy, which it cannot make.
 * @see docs/monitoring.md
 */
export class Monitoring extends Construct {
  /** Loki's query URL inside the cluster (Grafana's data source). */
  readonly lokiUrl: string;
  /** Loki's push URL inside the cluster (Alloy's endpoint). */
  readonly lokiPushUrl: string;
  /** The URL the blackbox exporter probes. */
  readonly probeUrl: string;
  /** The web front end's URL the blackbox exporter probes (`targets.webProbeJob`). */
  readonly webProbeUrl: string;
  /** The prometheus-operator CRDs release: stacks that create monitoring CRs come after it. */
  readonly crds: HelmChart<PrometheusOperatorCrdsValues>;
  /** The kube-prometheus-stack release. */
  readonly kubePrometheusStack: HelmChart<KubePrometheusStackValues>;
  /** The blackbox exporter release. */
  readonly blackboxExporter: HelmChart<BlackboxExporterValues>;
  /** The Loki release. */
  readonly loki: HelmChart<LokiValues>;
  /** The Alloy release. */
  readonly alloy: HelmChart<AlloyValues>;
  /** The prometheus-adapter release: the API's request rate per pod for its HPA. */
  readonly prometheusAdapter: HelmChart<PrometheusAdapterValues>;
  /** The YACE (CloudWatch exporter) release. */
  readonly cloudwatchExporter: HelmChart<CloudwatchExporterValues>;
  /** The `host:port` the database probe connects to. */
  readonly databaseProbeTarget: string;
  /** The dashboard ConfigMaps, by dashboard file name. */
  readonly dashboards: Readonly<Record<string, ConfigMapV1>>;
  /** The ConfigMap of the log alert rules, which Loki's rules sidecar loads into its ruler. */
  readonly logRules: ConfigMapV1;
  /** The Tempo release (traces, in S3). */
  readonly tempo: HelmChart<TempoValues>;
  /** The trace collectors' release (Alloy Deployment: OTLP in, tail sampling, Tempo out). */
  readonly traceCollector: HelmChart<AlloyTracesValues>;
  /** The OTLP/HTTP endpoint applications send their spans to (`OTEL_EXPORTER_OTLP_ENDPOINT`). */
  readonly otlpEndpoint: string;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const settings = this.resolve(props);
    const content = this.renderContent(props);
    const ns = props.namespaces;
    const endpoints = monitoringEndpoints({
      loggingNamespace: ns.logging,
      monitoringNamespace: ns.monitoring,
      domain: props.domain,
      probePath: settings.probePath,
      databaseProxyEndpoint: props.databaseProxyEndpoint,
    });
    this.lokiUrl = endpoints.lokiUrl;
    this.lokiPushUrl = endpoints.lokiPushUrl;
    this.probeUrl = endpoints.probeUrl;
    this.webProbeUrl = endpoints.webProbeUrl;
    this.databaseProbeTarget = endpoints.databaseProbeTarget;
    this.otlpEndpoint = endpoints.otlpEndpoint;

    this.crds = this.release('PrometheusOperatorCrds', {
      releaseName: MONITORING_RELEASES.crds,
      namespace: ns.monitoring,
      chart: MONITORING_CHARTS.prometheusOperatorCrds,
      values: prometheusOperatorCrdsValues(),
    });
    const secrets = this.addSecrets(props, settings.secretStoreName, content.alertmanagerYaml);
    this.dashboards = this.addDashboards(ns.monitoring, content.dashboards);

    this.kubePrometheusStack = this.release('KubePrometheusStack', {
      releaseName: MONITORING_RELEASES.kps,
      namespace: ns.monitoring,
      chart: MONITORING_CHARTS.kubePrometheusStack,
      // First install creates volumes and runs the admission webhook's certificate jobs: slow.
      timeoutSeconds: 900,
      dependsOn: [this.crds.release, ...secrets],
      values: kubePrometheusStackValues({
        namespaces: ns,
        targets: props.targets,
        rules: content.rules,
        externalLabels: props.externalLabels,
        replicas: settings.replicas,
        size: settings.size,
        storageClassName: settings.storageClassName,
        prometheusRetentionDays: settings.prometheusRetentionDays,
        apiServiceLabels: settings.apiServiceLabels,
        apiPortName: settings.apiPortName,
        endpoints,
        longTermMetrics: props.longTermMetrics,
        region: props.region,
        grafanaAccess: props.grafanaAccess,
      }),
    });
    this.blackboxExporter = this.release('BlackboxExporter', {
      releaseName: MONITORING_RELEASES.blackbox,
      namespace: ns.monitoring,
      chart: MONITORING_CHARTS.blackboxExporter,
      timeoutSeconds: 300,
      values: blackboxExporterValues(settings),
    });
    this.cloudwatchExporter = this.release('CloudwatchExporter', {
      releaseName: MONITORING_RELEASES.yace,
      namespace: ns.monitoring,
      chart: MONITORING_CHARTS.cloudwatchExporter,
      timeoutSeconds: 300,
      values: cloudwatchExporterValues({
        region: props.region,
        serviceAccount: MONITORING_IDENTITIES.cloudwatchExporter.serviceAccount,
        size: settings.size,
      }),
    });
    this.prometheusAdapter = this.release('PrometheusAdapter', {
      releaseName: MONITORING_RELEASES.adapter,
      namespace: ns.monitoring,
      chart: MONITORING_CHARTS.prometheusAdapter,
      timeoutSeconds: 300,
      values: prometheusAdapterValues({
        monitoringNamespace: ns.monitoring,
        replicas: settings.replicas,
        size: settings.size,
        targets: props.targets,
      }),
    });
    this.logRules = this.addLogRules(props);
    this.loki = this.release('Loki', {
      releaseName: MONITORING_RELEASES.loki,
      namespace: ns.logging,
      chart: MONITORING_CHARTS.loki,
      timeoutSeconds: 900,
      // Its ServiceMonitor needs the CRD.
      dependsOn: [this.crds.release],
      values: lokiValues({
        alertmanagerNamespace: ns.monitoring,
        bucketName: props.lokiBucketName,
        region: props.region,
        retentionDays: settings.lokiRetentionDays,
        serviceAccount: MONITORING_IDENTITIES.loki.serviceAccount,
        size: settings.size,
        storageClassName: settings.storageClassName,
      }),
    });
    this.alloy = this.release('Alloy', {
      releaseName: MONITORING_RELEASES.alloy,
      namespace: ns.agents,
      chart: MONITORING_CHARTS.alloy,
      dependsOn: [this.crds.release, this.loki.release],
      values: alloyValues({ lokiPushUrl: this.lokiPushUrl, size: settings.size }),
    });
    this.tempo = this.release('Tempo', {
      releaseName: MONITORING_RELEASES.tempo,
      namespace: ns.monitoring,
      chart: MONITORING_CHARTS.tempo,
      timeoutSeconds: 600,
      // Its ServiceMonitor needs the CRD.
      dependsOn: [this.crds.release],
      values: tempoValues({
        namespace: ns.monitoring,
        bucketName: props.tempoBucketName,
        region: props.region,
        retentionDays: settings.traceRetentionDays,
        serviceAccount: MONITORING_IDENTITIES.tempo.serviceAccount,
        size: settings.size,
        storageClassName: settings.storageClassName,
      }),
    });
    this.traceCollector = this.release('TraceCollector', {
      releaseName: MONITORING_RELEASES.traceCollector,
      namespace: ns.monitoring,
      chart: MONITORING_CHARTS.alloy,
      timeoutSeconds: 300,
      dependsOn: [this.crds.release, this.tempo.release],
      values: alloyTracesValues({
        namespace: ns.monitoring,
        replicas: settings.replicas,
        size: settings.size,
        tempoOtlpTarget: endpoints.tempoOtlpTarget,
        sampling: settings.traceSampling,
      }),
    });
  }

  /** The props with their defaults, validated: every problem reported at once. */
  private resolve(props: MonitoringProps): MonitoringSettings {
    const settings: MonitoringSettings = {
      replicas: props.replicas ?? 2,
      size: props.size ?? 'large',
      storageClassName: props.storageClassName ?? 'gp3-encrypted',
      prometheusRetentionDays: props.prometheusRetentionDays ?? 35,
      lokiRetentionDays: props.lokiRetentionDays ?? 30,
      traceRetentionDays: props.traceRetentionDays ?? 14,
      traceSampling: props.traceSampling ?? {
        slowTraceMs: 1000,
        baselinePercent: 5,
        decisionWaitSeconds: 10,
      },
      secretStoreName: props.secretStoreName ?? 'aws-secrets-manager',
      probePath: props.probePath ?? '/api/health',
      apiServiceLabels: props.apiServiceLabels ?? { 'app.kubernetes.io/name': 'wms-api' },
      apiPortName: props.apiPortName ?? 'http',
    };
    this.validate(props, settings);
    return settings;
  }

  /**
   * The WMS content from the monitoring library: rules, dashboards and the Alertmanager configuration. Content
   * errors (targets, runbook URL, chat channel) come from the library, prefixed with our path. Dashboards and the
   * Alertmanager configuration go into Terraform strings here: escaped, they reach the cluster as rendered (the
   * rules are escaped with the release values).
   */
  private renderContent(props: MonitoringProps) {
    const rules = this.library(() =>
      renderRuleGroups({ ...props.targets, runbookBaseUrl: props.runbookBaseUrl }),
    );
    const dashboards = terraformLiteral(this.library(() => renderDashboards(props.targets)));
    const receivers = MONITORING_SECRETS.receivers;
    const alertmanagerYaml = terraformLiteral(
      this.library(() =>
        renderAlertmanagerYaml({
          pagerKeyFile: alertmanagerSecretFile(receivers.name, receivers.pagerKey),
          chatUrlFile: alertmanagerSecretFile(receivers.name, receivers.chatKey),
          chatChannel: props.chatChannel,
          pageCritical: props.pageCritical,
          heartbeatUrlFile:
            props.heartbeatSecretName === undefined
              ? undefined
              : alertmanagerSecretFile(receivers.name, receivers.heartbeatKey),
        }),
      ),
    );
    return { rules, dashboards, alertmanagerYaml };
  }

  /**
   * Grafana's admin login, its single sign-on client secret (with `grafanaAccess.sso`) and the receivers' keys
   * (ExternalSecrets from Secrets Manager), and Alertmanager's configuration (a Secret of ours, so it is exactly
   * what `amtool` checked): kube-prometheus-stack needs them all.
   */
  private addSecrets(
    props: MonitoringProps,
    storeName: string,
    alertmanagerYaml: string,
  ): Array<Manifest | SecretV1> {
    const secrets = MONITORING_SECRETS;
    const namespace = props.namespaces.monitoring;
    const grafanaAdmin = this.externalSecret('GrafanaAdminExternalSecret', {
      namespace,
      storeName,
      name: secrets.grafanaAdmin.name,
      data: [
        {
          secretKey: secrets.grafanaAdmin.userKey,
          key: props.grafanaAdminSecretName,
          property: 'admin-user',
        },
        {
          secretKey: secrets.grafanaAdmin.passwordKey,
          key: props.grafanaAdminSecretName,
          property: 'admin-password',
        },
      ],
    });
    const receivers = this.externalSecret('AlertmanagerReceiversExternalSecret', {
      namespace,
      storeName,
      name: secrets.receivers.name,
      data: [
        { secretKey: secrets.receivers.pagerKey, key: props.pagerSecretName },
        { secretKey: secrets.receivers.chatKey, key: props.chatSecretName },
        ...(props.heartbeatSecretName === undefined
          ? []
          : [{ secretKey: secrets.receivers.heartbeatKey, key: props.heartbeatSecretName }]),
      ],
    });
    const alertmanagerConfig = new SecretV1(this, 'AlertmanagerConfig', {
      metadata: { name: secrets.alertmanagerConfig.name, namespace },
      data: { [secrets.alertmanagerConfig.key]: alertmanagerYaml },
    });
    // Pull-request plans refresh this Secret: the plan role may read it, by name, and no other Secret.
    new PlanSecretReader(this, 'PlanSecretReader', {
      namespace,
      secretNames: [secrets.alertmanagerConfig.name],
    });
    const sso = props.grafanaAccess?.sso;
    const grafanaOidc =
      sso === undefined
        ? []
        : [
            this.externalSecret('GrafanaOidcExternalSecret', {
              namespace,
              storeName,
              name: secrets.grafanaOidc.name,
              data: [{ secretKey: secrets.grafanaOidc.key, key: sso.clientSecretName }],
            }),
          ];
    return [grafanaAdmin, receivers, alertmanagerConfig, ...grafanaOidc];
  }

  /** One ConfigMap per dashboard, labelled for Grafana's sidecar. */
  private addDashboards(namespace: string, dashboards: Record<string, string>): Record<string, ConfigMapV1> {
    const maps: Record<string, ConfigMapV1> = {};
    for (const [file, json] of Object.entries(dashboards)) {
      const uid = file.replace(/\.json$/, '');
      // The id comes from the dashboard uid, a constant of the library, never from configuration.
      maps[file] = new ConfigMapV1(this, `Dashboard-${uid}`, {
        metadata: {
          name: `grafana-dashboard-${uid}`,
          namespace,
          labels: { [DASHBOARD_LABEL.key]: DASHBOARD_LABEL.value },
        },
        data: { [file]: json },
      });
    }
    return maps;
  }

  /**
   * The log alert rules (LogQL) as a ConfigMap in Loki's namespace, labelled for its rules sidecar; the rules carry
   * the external labels, which the Loki ruler does not add itself.
   */
  private addLogRules(props: MonitoringProps): ConfigMapV1 {
    const yaml = terraformLiteral(
      this.library(() =>
        renderLogRuleFileYaml({
          namespace: props.targets.namespace,
          apiApp: props.apiApp ?? 'wms-api',
          webApp: props.webApp ?? 'wms-web',
          runbookBaseUrl: props.runbookBaseUrl,
          externalLabels: props.externalLabels,
        }),
      ),
    );
    return new ConfigMapV1(this, 'LokiRules', {
      metadata: {
        name: 'loki-rules-wms',
        namespace: props.namespaces.logging,
        labels: { [LOKI_RULES.label.key]: LOKI_RULES.label.value },
      },
      data: { 'wms-logs.yaml': yaml },
    });
  }

  /** A pinned, atomic release of `chart` whose values are escaped for Terraform (they reach the chart as built). */
  private release<Values extends object>(
    id: string,
    spec: {
      releaseName: string;
      namespace: string;
      chart: ChartRef;
      values: Values;
      timeoutSeconds?: number;
      dependsOn?: ITerraformDependable[];
    },
  ): HelmChart<Values> {
    return new HelmChart<Values>(this, id, {
      releaseName: spec.releaseName,
      namespace: spec.namespace,
      repository: spec.chart.repository,
      chart: spec.chart.chart,
      version: spec.chart.version,
      timeoutSeconds: spec.timeoutSeconds,
      dependsOn: spec.dependsOn,
      values: terraformLiteral(spec.values),
    });
  }

  /** Runs a monitoring-library renderer, prefixing its error with this construct's path. */
  private library<T>(render: () => T): T {
    try {
      return render();
    } catch (error) {
      throw new Error(`${this.node.path}: ${(error as Error).message}`, { cause: error });
    }
  }

  private externalSecret(
    id: string,
    spec: {
      namespace: string;
      storeName: string;
      name: string;
      data: readonly { secretKey: string; key: string; property?: string }[];
    },
  ): Manifest {
    return new Manifest(this, id, {
      manifest: {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: { name: spec.name, namespace: spec.namespace },
        spec: {
          refreshInterval: '1h',
          secretStoreRef: { kind: 'ClusterSecretStore', name: spec.storeName },
          target: { name: spec.name, creationPolicy: 'Owner', deletionPolicy: 'Retain' },
          data: spec.data.map(({ secretKey, key, property }) => ({
            secretKey,
            remoteRef: property === undefined ? { key } : { key, property },
          })),
        },
      },
      // Wait until the Secret is synced: a missing or unreadable Secrets Manager secret fails here, by name.
      wait: { condition: [{ type: 'Ready', status: 'True' }] },
      timeouts: { create: '5m', update: '5m' },
    });
  }

  private validate(props: MonitoringProps, resolved: MonitoringSettings): void {
    const problems: Error[] = [];
    const check = (ok: boolean, prop: string, value: unknown, allowed: string) => {
      if (!ok && !Token.isUnresolved(value)) problems.push(propError(this, prop, value, allowed));
    };
    const wholeNumber = (value: number, min: number, max: number) =>
      Number.isInteger(value) && value >= min && value <= max;
    const secretName =
      'the name of a Secrets Manager secret such as wms/prod/grafana/admin, never the value itself';

    for (const key of ['monitoring', 'logging', 'agents'] as const) {
      const value = props.namespaces[key];
      check(DNS_LABEL.test(value), `namespaces.${key}`, value, 'a Kubernetes namespace name');
    }
    check(
      props.namespaces.logging === MONITORING_IDENTITIES.loki.namespace,
      'namespaces.logging',
      props.namespaces.logging,
      `"${MONITORING_IDENTITIES.loki.namespace}", the namespace of Loki's Pod Identity association`,
    );
    // YACE's and Tempo's Pod Identity associations, and the OTLP endpoint the applications are given, name it.
    check(
      [MONITORING_IDENTITIES.tempo.namespace, TRACE_COLLECTOR.namespace].every(
        (namespace) => namespace === MONITORING_IDENTITIES.cloudwatchExporter.namespace,
      ) && props.namespaces.monitoring === MONITORING_IDENTITIES.cloudwatchExporter.namespace,
      'namespaces.monitoring',
      props.namespaces.monitoring,
      `"${MONITORING_IDENTITIES.cloudwatchExporter.namespace}", the namespace of YACE's Pod Identity association`,
    );
    check(
      HOSTNAME.test(props.databaseProxyEndpoint),
      'databaseProxyEndpoint',
      props.databaseProxyEndpoint,
      'the host name of the RDS Proxy, without port or scheme',
    );
    check(
      HOSTNAME.test(props.domain),
      'domain',
      props.domain,
      'a lowercase DNS name such as wms.example.com',
    );
    for (const prop of ['grafanaAdminSecretName', 'pagerSecretName', 'chatSecretName'] as const) {
      check(SECRET_NAME.test(props[prop]) && !props[prop].includes('://'), prop, props[prop], secretName);
    }
    const access = props.grafanaAccess;
    if (access !== undefined) {
      check(
        HOSTNAME.test(access.hostName),
        'grafanaAccess.hostName',
        access.hostName,
        'a lowercase DNS name',
      );
      check(
        BUCKET.test(access.accessLogsBucket),
        'grafanaAccess.accessLogsBucket',
        access.accessLogsBucket,
        'an S3 bucket name',
      );
      const sso = access.sso;
      if (sso !== undefined) {
        check(
          SECRET_NAME.test(sso.clientSecretName) && !sso.clientSecretName.includes('://'),
          'grafanaAccess.sso.clientSecretName',
          sso.clientSecretName,
          secretName,
        );
        for (const prop of ['issuerUrl', 'authUrl', 'tokenUrl', 'userInfoUrl'] as const) {
          const url = sso[prop];
          if (url !== undefined) {
            check(
              HTTPS_URL.test(url),
              `grafanaAccess.sso.${prop}`,
              url,
              'an https URL without trailing slash',
            );
          }
        }
        check(
          sso.allowedGroups.length > 0,
          'grafanaAccess.sso.allowedGroups',
          sso.allowedGroups,
          'at least one group (nobody else may sign in)',
        );
      }
    }
    const heartbeat = props.heartbeatSecretName;
    if (heartbeat !== undefined) {
      check(
        SECRET_NAME.test(heartbeat) && !heartbeat.includes('://'),
        'heartbeatSecretName',
        heartbeat,
        secretName,
      );
    }
    for (const [label, value] of Object.entries(props.externalLabels ?? {})) {
      check(/^[a-z0-9][a-z0-9-]{0,62}$/.test(value), `externalLabels.${label}`, value, 'a lowercase name');
    }
    check(BUCKET.test(props.lokiBucketName), 'lokiBucketName', props.lokiBucketName, 'an S3 bucket name');
    check(AWS_REGION.test(props.region), 'region', props.region, 'an AWS region such as eu-west-1');
    check(wholeNumber(resolved.replicas, 1, 5), 'replicas', resolved.replicas, 'a whole number from 1 to 5');
    check(
      resolved.size in MONITORING_SIZES,
      'size',
      resolved.size,
      Object.keys(MONITORING_SIZES)
        .map((s) => `"${s}"`)
        .join(' or '),
    );
    check(
      DNS_SUBDOMAIN.test(resolved.storageClassName),
      'storageClassName',
      resolved.storageClassName,
      'a StorageClass name',
    );
    check(
      wholeNumber(resolved.prometheusRetentionDays, SLO.periodDays, 365),
      'prometheusRetentionDays',
      resolved.prometheusRetentionDays,
      `a whole number of days from ${SLO.periodDays} (the SLO window) to 365`,
    );
    check(
      wholeNumber(resolved.lokiRetentionDays, 1, 365),
      'lokiRetentionDays',
      resolved.lokiRetentionDays,
      'a whole number of days from 1 to 365',
    );
    check(
      wholeNumber(resolved.traceRetentionDays, 1, 90),
      'traceRetentionDays',
      resolved.traceRetentionDays,
      'a whole number of days from 1 to 90',
    );
    check(BUCKET.test(props.tempoBucketName), 'tempoBucketName', props.tempoBucketName, 'an S3 bucket name');
    const sampling = resolved.traceSampling;
    check(
      wholeNumber(sampling.slowTraceMs, 1, 600000),
      'traceSampling.slowTraceMs',
      sampling.slowTraceMs,
      'a whole number of milliseconds from 1 to 600000',
    );
    check(
      Number.isFinite(sampling.baselinePercent) &&
        sampling.baselinePercent >= 0 &&
        sampling.baselinePercent <= 100,
      'traceSampling.baselinePercent',
      sampling.baselinePercent,
      'a percentage from 0 to 100',
    );
    check(
      wholeNumber(sampling.decisionWaitSeconds, 1, 120),
      'traceSampling.decisionWaitSeconds',
      sampling.decisionWaitSeconds,
      'a whole number of seconds from 1 to 120',
    );
    check(
      DNS_SUBDOMAIN.test(resolved.secretStoreName),
      'secretStoreName',
      resolved.secretStoreName,
      'a ClusterSecretStore name',
    );
    check(
      DNS_LABEL.test(resolved.apiPortName) && /[a-z]/.test(resolved.apiPortName),
      'apiPortName',
      resolved.apiPortName,
      'a Service port name: lowercase letters, digits and dashes, at most 63 characters',
    );
    const labels = Object.entries(resolved.apiServiceLabels);
    check(
      labels.length > 0 && labels.every(([key, value]) => LABEL_KEY.test(key) && LABEL_VALUE.test(value)),
      'apiServiceLabels',
      resolved.apiServiceLabels,
      'at least one Kubernetes label (key: value)',
    );
    check(
      PATH.test(resolved.probePath),
      'probePath',
      resolved.probePath,
      'an absolute path such as /api/health: letters, digits and . _ ~ - /',
    );
    if (problems.length > 0) throw new Error(problems.map((p) => p.message).join('\n'));
  }
}
