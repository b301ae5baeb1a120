import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { WORKLOAD_SERVICE_ACCOUNTS } from '../cluster/eks-cluster';
import { HelmChart } from '../shared/helm-chart';
import { PlanSecretReader } from '../shared/plan-secret-reader';
import { SLO, renderRuleGroups } from './alert-rules';
import { alertmanagerSecretFile, renderAlertmanagerYaml } from './alertmanager-config';
import { renderDashboards } from './dashboards';
import type { MonitoringTargets } from './targets';
import type {
  AlloyValues,
  BlackboxExporterValues,
  ChartRef,
  CloudwatchExporterValues,
  KubePrometheusStackValues,
  LokiValues,
  MonitoringSize,
  PrometheusOperatorCrdsValues,
  VolumeClaimTemplate,
} from './monitoring-values';
import { MONITORING_CHARTS, MONITORING_SIZES, alloyLogsConfig, yaceConfig } from './monitoring-values';
import { propError } from '../shared/errors';
import { AWS_REGION } from '../../shared/region';

/** The namespaces the monitoring releases go to (created by `ClusterServices`, with their Pod Security levels). */
export interface MonitoringNamespaces {
  /**
   * Prometheus, Alertmanager, Grafana, the operator, kube-state-metrics, the blackbox exporter and YACE:
   * `monitoring`. It must be the namespace of YACE's Pod Identity association
   * (`WORKLOAD_SERVICE_ACCOUNTS.cloudwatchExporter`).
   */
  readonly monitoring: string;
  /** Loki: `logging`. It must be the namespace of Loki's Pod Identity association (`WORKLOAD_SERVICE_ACCOUNTS.loki`). */
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
  /** AWS region of the bucket, and of the database whose CloudWatch metrics YACE exports. */
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
   * Slack channel of the chat receiver, e.g. `#wms-alerts`.
   * @default - the channel the incoming webhook was created for
   */
  readonly chatChannel?: string;
}

/** Secret names and keys the construct creates, for runbooks and for stacks that refer to them. */
export const MONITORING_SECRETS = {
  /** Grafana's admin login, synced from Secrets Manager. */
  grafanaAdmin: { name: 'grafana-admin', userKey: 'admin-user', passwordKey: 'admin-password' },
  /** The receivers' keys, synced from Secrets Manager and mounted into Alertmanager. */
  receivers: {
    name: 'alertmanager-wms-receivers',
    pagerKey: 'pager-routing-key',
    chatKey: 'chat-webhook-url',
    heartbeatKey: 'heartbeat-url',
  },
  /** Alertmanager's configuration (`alertmanager.yaml`): no secret in it, only the receivers' file paths. */
  alertmanagerConfig: { name: 'alertmanager-wms', key: 'alertmanager.yaml' },
} as const;

/** Label and value the Grafana sidecar selects dashboard ConfigMaps by. */
export const DASHBOARD_LABEL = { key: 'grafana_dashboard', value: '1' } as const;

/** Blackbox exporter module of the external probe. */
export const PROBE_MODULE = 'http_2xx';

/** Blackbox exporter module of the database probe: a TCP connect, without TLS. */
export const DATABASE_PROBE_MODULE = 'tcp_connect';

/** Port of the RDS Proxy for PostgreSQL: an RDS Proxy listens on its engine's default port only. */
export const DATABASE_PROXY_PORT = 5432;

const RELEASE = {
  crds: 'prometheus-operator-crds',
  kps: 'kube-prometheus-stack',
  blackbox: 'blackbox-exporter',
  loki: 'loki',
  alloy: 'alloy',
  yace: 'yace',
} as const;
const KPS_FULLNAME = 'kps';
/**
 * Prometheus inside the cluster (the kube-prometheus-stack Service `<fullname>-prometheus`): Argo Rollouts'
 * analysis queries it. Issue #15.
 */
export const PROMETHEUS_URL = `http://${KPS_FULLNAME}-prometheus.monitoring.svc:9090`;
const LOKI_PORT = 3100;
const BLACKBOX_PORT = 9115;
/** The YACE chart's Service port (80, to the container's 5000). */
const YACE_SERVICE_PORT = 80;
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const PATH = /^\/[A-Za-z0-9._~\-/]*$/;

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

function volume(storageClassName: string, gib: number): VolumeClaimTemplate {
  return {
    spec: {
      storageClassName,
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: `${gib}Gi` } },
    },
  };
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
 *   account's EKS Pod Identity (no keys), retention by the compactor, single tenant.
 * - **Grafana Alloy** (DaemonSet in `agents`): every node's pod logs to Loki.
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
  /** The YACE (CloudWatch exporter) release. */
  readonly cloudwatchExporter: HelmChart<CloudwatchExporterValues>;
  /** The `host:port` the database probe connects to. */
  readonly databaseProbeTarget: string;
  /** The dashboard ConfigMaps, by dashboard file name. */
  readonly dashboards: Readonly<Record<string, ConfigMapV1>>;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const replicas = props.replicas ?? 2;
    const size = props.size ?? 'large';
    const storageClassName = props.storageClassName ?? 'gp3-encrypted';
    const prometheusRetentionDays = props.prometheusRetentionDays ?? 35;
    const lokiRetentionDays = props.lokiRetentionDays ?? 30;
    const secretStoreName = props.secretStoreName ?? 'aws-secrets-manager';
    const probePath = props.probePath ?? '/api/health';
    const apiServiceLabels = props.apiServiceLabels ?? { 'app.kubernetes.io/name': 'wms-api' };
    const apiPortName = props.apiPortName ?? 'http';
    this.validate(props, {
      replicas,
      size,
      storageClassName,
      prometheusRetentionDays,
      lokiRetentionDays,
      secretStoreName,
      probePath,
      apiServiceLabels,
      apiPortName,
    });

    // Content errors (targets, runbook URL, chat channel) come from the library, prefixed with our path.
    // The content goes into Terraform strings: escaped there, it reaches the cluster as rendered.
    const rules = terraformLiteral(
      this.library(() => renderRuleGroups({ ...props.targets, runbookBaseUrl: props.runbookBaseUrl })),
    );
    const dashboards = terraformLiteral(this.library(() => renderDashboards(props.targets)));
    const secrets = MONITORING_SECRETS;
    const alertmanagerYaml = terraformLiteral(
      this.library(() =>
        renderAlertmanagerYaml({
          pagerKeyFile: alertmanagerSecretFile(secrets.receivers.name, secrets.receivers.pagerKey),
          chatUrlFile: alertmanagerSecretFile(secrets.receivers.name, secrets.receivers.chatKey),
          chatChannel: props.chatChannel,
          pageCritical: props.pageCritical,
          heartbeatUrlFile:
            props.heartbeatSecretName === undefined
              ? undefined
              : alertmanagerSecretFile(secrets.receivers.name, secrets.receivers.heartbeatKey),
        }),
      ),
    );

    const sizing = MONITORING_SIZES[size];
    const ns = props.namespaces;
    const lokiService = `${RELEASE.loki}.${ns.logging}.svc.cluster.local:${LOKI_PORT}`;
    this.lokiUrl = `http://${lokiService}`;
    this.lokiPushUrl = `http://${lokiService}/loki/api/v1/push`;
    this.probeUrl = `https://${props.domain}${probePath}`;
    this.databaseProbeTarget = `${props.databaseProxyEndpoint}:${DATABASE_PROXY_PORT}`;
    const blackboxAddress = `${RELEASE.blackbox}.${ns.monitoring}.svc:${BLACKBOX_PORT}`;
    // Blackbox exporter: the probed target goes into ?target=, the instance label keeps it, the scrape goes to
    // the exporter.
    const throughBlackbox = [
      { source_labels: ['__address__'], target_label: '__param_target' },
      { source_labels: ['__param_target'], target_label: 'instance' },
      { target_label: '__address__', replacement: blackboxAddress },
    ];
    const chart = (ref: ChartRef) => ({ repository: ref.repository, chart: ref.chart, version: ref.version });

    this.crds = new HelmChart<PrometheusOperatorCrdsValues>(this, 'PrometheusOperatorCrds', {
      releaseName: RELEASE.crds,
      namespace: ns.monitoring,
      ...chart(MONITORING_CHARTS.prometheusOperatorCrds),
      // Deleting the release would delete the CRDs and with them every Prometheus, Alertmanager and rule object.
      values: { crds: { annotations: { 'helm.sh/resource-policy': 'keep' } } },
    });

    const grafanaAdmin = this.externalSecret('GrafanaAdminExternalSecret', {
      namespace: ns.monitoring,
      storeName: secretStoreName,
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
      namespace: ns.monitoring,
      storeName: secretStoreName,
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
      metadata: { name: secrets.alertmanagerConfig.name, namespace: ns.monitoring },
      data: { [secrets.alertmanagerConfig.key]: alertmanagerYaml },
    });
    // Pull-request plans refresh this Secret: the plan role may read it, by name, and no other Secret.
    new PlanSecretReader(this, 'PlanSecretReader', {
      namespace: ns.monitoring,
      secretNames: [secrets.alertmanagerConfig.name],
    });

    const dashboardMaps: Record<string, ConfigMapV1> = {};
    for (const [file, json] of Object.entries(dashboards)) {
      const uid = file.replace(/\.json$/, '');
      // The id comes from the dashboard uid, a constant of the library, never from configuration.
      dashboardMaps[file] = new ConfigMapV1(this, `Dashboard-${uid}`, {
        metadata: {
          name: `grafana-dashboard-${uid}`,
          namespace: ns.monitoring,
          labels: { [DASHBOARD_LABEL.key]: DASHBOARD_LABEL.value },
        },
        data: { [file]: json },
      });
    }
    this.dashboards = dashboardMaps;

    const highlyAvailable = replicas > 1;
    const budget = { enabled: highlyAvailable, minAvailable: 1 };
    this.kubePrometheusStack = new HelmChart<KubePrometheusStackValues>(this, 'KubePrometheusStack', {
      releaseName: RELEASE.kps,
      namespace: ns.monitoring,
      ...chart(MONITORING_CHARTS.kubePrometheusStack),
      // First install creates volumes and runs the admission webhook's certificate jobs: slow.
      timeoutSeconds: 900,
      dependsOn: [this.crds.release, grafanaAdmin, receivers, alertmanagerConfig],
      values: {
        fullnameOverride: KPS_FULLNAME,
        crds: { enabled: false },
        defaultRules: {
          create: true,
          rules: {
            etcd: false,
            kubeControllerManager: false,
            kubeSchedulerAlerting: false,
            kubeSchedulerRecording: false,
            kubeProxy: false,
          },
        },
        // EKS runs these out of reach (managed control plane; kube-proxy's metrics bind to 127.0.0.1), so their
        // targets and "Down" alerts would fire forever: prometheus-community/helm-charts#1966, #3368, #4106.
        kubeControllerManager: { enabled: false },
        kubeScheduler: { enabled: false },
        kubeEtcd: { enabled: false },
        kubeProxy: { enabled: false },
        additionalPrometheusRulesMap: { wms: rules },
        prometheusOperator: {
          resources: sizing.operator,
          prometheusConfigReloader: { resources: sizing.configReloader },
        },
        // WmsApiDown reads kube_endpoint_address (the live Service's ready addresses), which only the `endpoints`
        // collector exports; the bundled chart (8.4.0) lists `endpointslices` instead, whose series do not name
        // their Service.
        'kube-state-metrics': { collectorsExtra: ['endpoints'], resources: sizing.kubeStateMetrics },
        'prometheus-node-exporter': {
          namespaceOverride: ns.agents,
          hostNetwork: true,
          hostPID: true,
          hostRootFsMount: { enabled: true, mountPropagation: 'HostToContainer' },
          resources: sizing.nodeExporter,
        },
        alertmanager: {
          podDisruptionBudget: budget,
          alertmanagerSpec: {
            replicas,
            podAntiAffinity: 'hard',
            useExistingSecret: true,
            configSecret: secrets.alertmanagerConfig.name,
            secrets: [secrets.receivers.name],
            storage: { volumeClaimTemplate: volume(storageClassName, sizing.alertmanagerVolumeGiB) },
            resources: sizing.alertmanager,
          },
        },
        grafana: {
          // SQLite on a ReadWriteOnce volume: one replica, replaced (not rolled) on upgrade.
          replicas: 1,
          admin: {
            existingSecret: secrets.grafanaAdmin.name,
            userKey: secrets.grafanaAdmin.userKey,
            passwordKey: secrets.grafanaAdmin.passwordKey,
          },
          deploymentStrategy: { type: 'Recreate' },
          persistence: {
            enabled: true,
            type: 'pvc',
            storageClassName,
            size: `${sizing.grafanaVolumeGiB}Gi`,
          },
          // The pod's fsGroup already owns the volume; the chown init container would run as root.
          initChownData: { enabled: false },
          resources: sizing.grafana,
          sidecar: {
            resources: sizing.grafanaSidecar,
            dashboards: {
              enabled: true,
              label: DASHBOARD_LABEL.key,
              labelValue: DASHBOARD_LABEL.value,
              searchNamespace: ns.monitoring,
            },
          },
          additionalDataSources: [
            { name: 'Loki', type: 'loki', uid: 'loki', access: 'proxy', url: this.lokiUrl, isDefault: false },
          ],
          'grafana.ini': { analytics: { reporting_enabled: false, check_for_updates: false } },
        },
        prometheus: {
          podDisruptionBudget: budget,
          additionalServiceMonitors: [
            {
              name: props.targets.apiJob.toLowerCase().replace(/[^a-z0-9-]/g, '-'),
              namespaceSelector: { matchNames: [props.targets.namespace] },
              selector: { matchLabels: apiServiceLabels },
              endpoints: [
                {
                  port: apiPortName,
                  path: '/metrics',
                  scheme: 'http',
                  interval: '30s',
                  // The job would be the Service name (wms-api-metrics): the rules select the job by its own name.
                  relabelings: [{ targetLabel: 'job', replacement: props.targets.apiJob, action: 'replace' }],
                },
              ],
            },
            // Issue #15: the Argo Rollouts controller (cluster-services installs it with its metrics Service only:
            // the ServiceMonitor CRD comes with this stack). Delivery dashboard and alerts read it.
            {
              name: 'argo-rollouts',
              namespaceSelector: { matchNames: ['argo-rollouts'] },
              selector: {
                matchLabels: {
                  'app.kubernetes.io/name': 'argo-rollouts',
                  'app.kubernetes.io/component': 'rollouts-controller',
                },
              },
              endpoints: [
                { port: 'metrics', path: '/metrics', scheme: 'http', interval: '30s', relabelings: [] },
              ],
            },
          ],
          prometheusSpec: {
            externalLabels: { ...props.externalLabels },
            replicas,
            podAntiAffinity: 'hard',
            retention: `${prometheusRetentionDays}d`,
            retentionSize: `${Math.floor(sizing.prometheusVolumeGiB * 0.85)}GiB`,
            storageSpec: { volumeClaimTemplate: volume(storageClassName, sizing.prometheusVolumeGiB) },
            resources: sizing.prometheus,
            ruleSelectorNilUsesHelmValues: false,
            serviceMonitorSelectorNilUsesHelmValues: false,
            podMonitorSelectorNilUsesHelmValues: false,
            probeSelectorNilUsesHelmValues: false,
            scrapeConfigSelectorNilUsesHelmValues: false,
            additionalScrapeConfigs: [
              {
                job_name: props.targets.probeJob,
                metrics_path: '/probe',
                params: { module: [PROBE_MODULE] },
                scrape_interval: '30s',
                scrape_timeout: '10s',
                static_configs: [{ targets: [this.probeUrl] }],
                relabel_configs: throughBlackbox,
              },
              {
                job_name: props.targets.databaseProbeJob,
                metrics_path: '/probe',
                params: { module: [DATABASE_PROBE_MODULE] },
                scrape_interval: '30s',
                scrape_timeout: '10s',
                static_configs: [{ targets: [this.databaseProbeTarget] }],
                relabel_configs: throughBlackbox,
              },
              {
                // A static job rather than the chart's ServiceMonitor: the job label is then exactly the one the
                // rules select, with no relabelling. YACE refreshes CloudWatch every 300 s and serves the cached
                // values in between.
                job_name: props.targets.cloudwatchExporterJob,
                metrics_path: '/metrics',
                scrape_interval: '60s',
                scrape_timeout: '30s',
                static_configs: [{ targets: [`${RELEASE.yace}.${ns.monitoring}.svc:${YACE_SERVICE_PORT}`] }],
              },
            ],
          },
        },
      },
    });

    this.blackboxExporter = new HelmChart<BlackboxExporterValues>(this, 'BlackboxExporter', {
      releaseName: RELEASE.blackbox,
      namespace: ns.monitoring,
      ...chart(MONITORING_CHARTS.blackboxExporter),
      timeoutSeconds: 300,
      values: {
        fullnameOverride: RELEASE.blackbox,
        replicas,
        podDisruptionBudget: highlyAvailable ? { maxUnavailable: 1 } : {},
        podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        resources: sizing.blackboxExporter,
        config: {
          modules: {
            [PROBE_MODULE]: {
              prober: 'http',
              timeout: '5s',
              http: {
                valid_http_versions: ['HTTP/1.1', 'HTTP/2.0'],
                valid_status_codes: [],
                method: 'GET',
                follow_redirects: true,
                fail_if_not_ssl: true,
                preferred_ip_protocol: 'ip4',
              },
            },
            // The RDS Proxy negotiates TLS inside the PostgreSQL protocol (SSLRequest after the TCP connect),
            // which the blackbox tcp prober cannot speak, and logins need IAM tokens: a plain connect is the
            // honest reachability check. The nodes' security group, which the pods use, is admitted on 5432.
            [DATABASE_PROBE_MODULE]: {
              prober: 'tcp',
              timeout: '5s',
              tcp: { tls: false, preferred_ip_protocol: 'ip4' },
            },
          },
        },
      },
    });

    this.cloudwatchExporter = new HelmChart<CloudwatchExporterValues>(this, 'CloudwatchExporter', {
      releaseName: RELEASE.yace,
      namespace: ns.monitoring,
      ...chart(MONITORING_CHARTS.cloudwatchExporter),
      timeoutSeconds: 300,
      values: {
        fullnameOverride: RELEASE.yace,
        replicaCount: 1,
        // The Pod Identity association names this service account; no IRSA annotation.
        serviceAccount: {
          create: true,
          name: WORKLOAD_SERVICE_ACCOUNTS.cloudwatchExporter.serviceAccount,
          annotations: {},
        },
        podSecurityContext: {
          runAsNonRoot: true,
          // The image's user is `nobody` by name; runAsNonRoot needs a number to check.
          runAsUser: 65534,
          runAsGroup: 65534,
          seccompProfile: { type: 'RuntimeDefault' },
        },
        securityContext: {
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        },
        resources: sizing.cloudwatchExporter,
        serviceMonitor: { enabled: false },
        prometheusRule: { enabled: false },
        testConnection: false,
        config: yaceConfig(props.region),
      },
    });

    const cache = (megabytes: number) =>
      megabytes > 0 ? { enabled: true, allocatedMemory: megabytes } : { enabled: false };
    this.loki = new HelmChart<LokiValues>(this, 'Loki', {
      releaseName: RELEASE.loki,
      namespace: ns.logging,
      ...chart(MONITORING_CHARTS.loki),
      timeoutSeconds: 900,
      // Its ServiceMonitor needs the CRD.
      dependsOn: [this.crds.release],
      values: {
        // One replica: the chart has no clean HA-monolithic mode (no compactor scaling settings), and the data
        // is in S3; while Loki restarts, Alloy retries its pushes (see docs/monitoring.md).
        deploymentMode: 'Monolithic',
        fullnameOverride: RELEASE.loki,
        loki: {
          auth_enabled: false,
          commonConfig: { replication_factor: 1 },
          schemaConfig: {
            // Never edit a period once logs are written with it: add a new one with a future `from`.
            configs: [
              {
                from: '2024-04-01',
                store: 'tsdb',
                object_store: 's3',
                schema: 'v13',
                index: { prefix: 'loki_index_', period: '24h' },
              },
            ],
          },
          storage: {
            type: 's3',
            bucketNames: { chunks: props.lokiBucketName },
            s3: { region: props.region },
          },
          limits_config: { retention_period: `${lokiRetentionDays * 24}h`, allow_structured_metadata: true },
          compactor: {
            working_directory: '/var/loki/compactor',
            compaction_interval: '10m',
            retention_enabled: true,
            retention_delete_delay: '2h',
            delete_request_store: 's3',
          },
          analytics: { reporting_enabled: false },
        },
        // The Pod Identity association names this service account; no IRSA annotation.
        serviceAccount: {
          create: true,
          name: WORKLOAD_SERVICE_ACCOUNTS.loki.serviceAccount,
          annotations: {},
        },
        singleBinary: {
          replicas: 1,
          resources: sizing.loki,
          persistence: { enabled: true, storageClass: storageClassName, size: `${sizing.lokiVolumeGiB}Gi` },
        },
        backend: { replicas: 0 },
        read: { replicas: 0 },
        write: { replicas: 0 },
        // Single tenant, inside the cluster only: clients talk to Loki directly.
        gateway: { enabled: false },
        // No log-based alert rules: the ruler would also need a bucket of its own.
        ruler: { enabled: false },
        sidecar: { rules: { enabled: false } },
        lokiCanary: { enabled: false },
        test: { enabled: false },
        minio: { enabled: false },
        chunksCache: cache(sizing.lokiChunksCacheMB),
        resultsCache: cache(sizing.lokiResultsCacheMB),
        monitoring: { serviceMonitor: { enabled: true } },
      },
    });

    this.alloy = new HelmChart<AlloyValues>(this, 'Alloy', {
      releaseName: RELEASE.alloy,
      namespace: ns.agents,
      ...chart(MONITORING_CHARTS.alloy),
      dependsOn: [this.crds.release, this.loki.release],
      values: {
        crds: { create: false },
        controller: {
          type: 'daemonset',
          // Every node, Spot ones (tainted) included.
          tolerations: [{ operator: 'Exists', effect: 'NoSchedule' }],
          volumes: { extra: [{ name: 'tmp', emptyDir: {} }] },
        },
        global: {
          podSecurityContext: {
            runAsNonRoot: true,
            runAsUser: 473,
            runAsGroup: 473,
            fsGroup: 473,
            seccompProfile: { type: 'RuntimeDefault' },
          },
        },
        alloy: {
          configMap: { create: true, content: terraformLiteral(alloyLogsConfig(this.lokiPushUrl)) },
          enableReporting: false,
          mounts: { varlog: false, dockercontainers: false, extra: [{ name: 'tmp', mountPath: '/tmp' }] },
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          },
          resources: sizing.alloy,
        },
        serviceMonitor: { enabled: true },
      },
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

  private validate(
    props: MonitoringProps,
    resolved: {
      replicas: number;
      size: string;
      storageClassName: string;
      prometheusRetentionDays: number;
      lokiRetentionDays: number;
      secretStoreName: string;
      probePath: string;
      apiServiceLabels: Readonly<Record<string, string>>;
      apiPortName: string;
    },
  ): void {
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
      props.namespaces.logging === WORKLOAD_SERVICE_ACCOUNTS.loki.namespace,
      'namespaces.logging',
      props.namespaces.logging,
      `"${WORKLOAD_SERVICE_ACCOUNTS.loki.namespace}", the namespace of Loki's Pod Identity association`,
    );
    check(
      props.namespaces.monitoring === WORKLOAD_SERVICE_ACCOUNTS.cloudwatchExporter.namespace,
      'namespaces.monitoring',
      props.namespaces.monitoring,
      `"${WORKLOAD_SERVICE_ACCOUNTS.cloudwatchExporter.namespace}", the namespace of YACE's Pod Identity association`,
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
