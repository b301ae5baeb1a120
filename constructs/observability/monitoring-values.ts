/**
 * Chart versions, sizes, names and typed values of the releases the {@link Monitoring} construct installs
 * (`constructs/observability/monitoring.ts`): the subset of each chart's values we set, checked against the chart
 * sources of the pinned versions. The values are pure functions of typed inputs (one per release), so they are
 * tested without a synth; the construct creates the releases and escapes the values for Terraform.
 */
import { stringify } from 'yaml';
import { ALB_TLS_POLICY } from '../shared/load-balancer';
import { ARGO_ROLLOUTS } from '../cluster/cluster-services';
import type { PrometheusRuleFile } from './alert-rules';
import type { MonitoringTargets } from './targets';
import { REQUEST_RATE_METRIC } from '../../shared/autoscaling';
import type { CloudwatchMetric } from './cloudwatch-metrics';
import {
  CLOUDWATCH_LENGTH_SECONDS,
  CLOUDWATCH_PERIOD_SECONDS,
  RDS_INSTANCE_METRICS,
  SLOW_QUERY_JOB_NAME,
  SLOW_QUERY_METRIC,
} from './cloudwatch-metrics';

/** A chart: repository, name and exact version. */
export interface ChartRef {
  /** Repository URL. */
  readonly repository: string;
  /** Chart name. */
  readonly chart: string;
  /** Exact version; read the chart's upgrade notes before bumping it. */
  readonly version: string;
}

/**
 * The charts, pinned. The CRDs chart's operator version (v0.93.1) is the one kube-prometheus-stack 88.5.3 ships;
 * bump both together. Loki OSS comes from grafana-community since the Grafana Labs chart became enterprise-only
 * (7.x).
 * @see https://github.com/prometheus-community/helm-charts/blob/main/charts/kube-prometheus-stack/UPGRADE.md
 */
export const MONITORING_CHARTS = {
  prometheusOperatorCrds: {
    repository: 'https://prometheus-community.github.io/helm-charts',
    chart: 'prometheus-operator-crds',
    version: '31.0.1',
  },
  kubePrometheusStack: {
    repository: 'https://prometheus-community.github.io/helm-charts',
    chart: 'kube-prometheus-stack',
    version: '88.5.3',
  },
  blackboxExporter: {
    repository: 'https://prometheus-community.github.io/helm-charts',
    chart: 'prometheus-blackbox-exporter',
    version: '11.17.2',
  },
  loki: {
    repository: 'https://grafana-community.github.io/helm-charts',
    chart: 'loki',
    version: '18.11.0',
  },
  alloy: {
    repository: 'https://grafana.github.io/helm-charts',
    chart: 'alloy',
    version: '1.11.1',
  },
  /** prometheus-adapter v0.12.0: the API's request rate as a custom metric for its HPA (issue #18). */
  prometheusAdapter: {
    repository: 'https://prometheus-community.github.io/helm-charts',
    chart: 'prometheus-adapter',
    version: '5.3.0',
  },
  /**
   * Tempo 2.10.8, single binary (issue #18). From grafana-community, where the Grafana Labs chart moved (its
   * last grafana/helm-charts release, 1.24.4, is marked deprecated).
   */
  tempo: {
    repository: 'https://grafana-community.github.io/helm-charts',
    chart: 'tempo',
    version: '2.2.4',
  },
  /** YACE v0.67.0. */
  cloudwatchExporter: {
    repository: 'https://prometheus-community.github.io/helm-charts',
    chart: 'prometheus-yet-another-cloudwatch-exporter',
    version: '0.47.0',
  },
} as const satisfies Record<string, ChartRef>;

/** CPU and memory requests and limits of one container, as Kubernetes quantities. */
export interface ContainerResources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

/** How big the monitoring stack is: `small` for development, `large` for staging and production. */
export type MonitoringSize = 'small' | 'large';

/** Resources and volume sizes of one {@link MonitoringSize}. */
export interface MonitoringSizing {
  readonly prometheus: ContainerResources;
  /** Prometheus' volume; `retentionSize` is set to 85% of it, so the time retention is cut before the disk fills. */
  readonly prometheusVolumeGiB: number;
  readonly alertmanager: ContainerResources;
  readonly alertmanagerVolumeGiB: number;
  readonly operator: ContainerResources;
  readonly configReloader: ContainerResources;
  readonly kubeStateMetrics: ContainerResources;
  readonly nodeExporter: ContainerResources;
  readonly grafana: ContainerResources;
  readonly grafanaSidecar: ContainerResources;
  readonly grafanaVolumeGiB: number;
  readonly loki: ContainerResources;
  /** Loki's volume: the write-ahead log and chunks not yet flushed to S3, the compactor's working files. */
  readonly lokiVolumeGiB: number;
  /** Memory of Loki's chunk cache (memcached), MB; 0 runs without it (the chart's default is 8192). */
  readonly lokiChunksCacheMB: number;
  /** Memory of Loki's query results cache (memcached), MB; 0 runs without it. */
  readonly lokiResultsCacheMB: number;
  readonly alloy: ContainerResources;
  readonly blackboxExporter: ContainerResources;
  readonly cloudwatchExporter: ContainerResources;
  readonly prometheusAdapter: ContainerResources;
  readonly tempo: ContainerResources;
  /** Tempo's volume: the write-ahead log and blocks not yet flushed to S3. */
  readonly tempoVolumeGiB: number;
  /** The trace collectors (Alloy, tail sampling): they hold each trace for the decision wait. */
  readonly traceCollector: ContainerResources;
}

function resources(cpuRequest: string, memoryRequest: string, cpuLimit: string, memoryLimit: string) {
  return {
    requests: { cpu: cpuRequest, memory: memoryRequest },
    limits: { cpu: cpuLimit, memory: memoryLimit },
  };
}

/**
 * The sizes. `large` follows the reference checklist (Prometheus 500m/2Gi, limit 4Gi, 50 GiB for 35 days of one
 * application); `small` fits a two-node development cluster and drops Loki's memcached caches.
 */
export const MONITORING_SIZES: Readonly<Record<MonitoringSize, MonitoringSizing>> = {
  small: {
    prometheus: resources('250m', '1Gi', '1', '2Gi'),
    prometheusVolumeGiB: 20,
    alertmanager: resources('25m', '64Mi', '100m', '128Mi'),
    alertmanagerVolumeGiB: 2,
    operator: resources('50m', '128Mi', '200m', '256Mi'),
    configReloader: resources('10m', '32Mi', '100m', '64Mi'),
    kubeStateMetrics: resources('50m', '128Mi', '200m', '256Mi'),
    nodeExporter: resources('25m', '32Mi', '200m', '64Mi'),
    grafana: resources('100m', '256Mi', '500m', '512Mi'),
    grafanaSidecar: resources('25m', '64Mi', '100m', '128Mi'),
    grafanaVolumeGiB: 2,
    loki: resources('250m', '512Mi', '1', '1Gi'),
    lokiVolumeGiB: 10,
    lokiChunksCacheMB: 0,
    lokiResultsCacheMB: 0,
    alloy: resources('50m', '128Mi', '500m', '256Mi'),
    blackboxExporter: resources('10m', '32Mi', '100m', '64Mi'),
    cloudwatchExporter: resources('10m', '64Mi', '100m', '128Mi'),
    prometheusAdapter: resources('25m', '64Mi', '200m', '128Mi'),
    tempo: resources('100m', '512Mi', '1', '1Gi'),
    tempoVolumeGiB: 5,
    traceCollector: resources('50m', '128Mi', '500m', '256Mi'),
  },
  large: {
    prometheus: resources('500m', '2Gi', '2', '4Gi'),
    prometheusVolumeGiB: 50,
    alertmanager: resources('50m', '128Mi', '200m', '256Mi'),
    alertmanagerVolumeGiB: 5,
    operator: resources('100m', '256Mi', '500m', '512Mi'),
    configReloader: resources('10m', '32Mi', '100m', '64Mi'),
    kubeStateMetrics: resources('100m', '256Mi', '500m', '512Mi'),
    nodeExporter: resources('50m', '64Mi', '250m', '128Mi'),
    grafana: resources('200m', '512Mi', '1', '1Gi'),
    grafanaSidecar: resources('50m', '128Mi', '200m', '256Mi'),
    grafanaVolumeGiB: 5,
    loki: resources('500m', '2Gi', '2', '4Gi'),
    lokiVolumeGiB: 20,
    lokiChunksCacheMB: 1024,
    lokiResultsCacheMB: 256,
    alloy: resources('100m', '256Mi', '1', '512Mi'),
    blackboxExporter: resources('25m', '64Mi', '200m', '128Mi'),
    cloudwatchExporter: resources('25m', '64Mi', '200m', '256Mi'),
    prometheusAdapter: resources('50m', '128Mi', '500m', '256Mi'),
    tempo: resources('500m', '2Gi', '2', '4Gi'),
    tempoVolumeGiB: 20,
    traceCollector: resources('100m', '512Mi', '1', '1Gi'),
  },
};

/** A ReadWriteOnce volume claim template. */
export interface VolumeClaimTemplate {
  readonly spec: {
    readonly storageClassName: string;
    readonly accessModes: readonly ['ReadWriteOnce'];
    readonly resources: { readonly requests: { readonly storage: string } };
  };
}

/** A PodDisruptionBudget as kube-prometheus-stack takes it for Prometheus and Alertmanager. */
export interface KpsDisruptionBudget {
  readonly enabled: boolean;
  readonly minAvailable: number;
}

/** A relabeling of a ServiceMonitor endpoint (prometheus-operator `RelabelConfig`, camelCase). */
export interface ServiceMonitorRelabeling {
  readonly sourceLabels?: readonly string[];
  readonly targetLabel: string;
  readonly replacement?: string;
  readonly action?: 'replace';
}

/** One entry of kube-prometheus-stack's `prometheus.additionalServiceMonitors`. */
export interface AdditionalServiceMonitor {
  readonly name: string;
  readonly namespaceSelector: { readonly matchNames: readonly string[] };
  readonly selector: { readonly matchLabels: Readonly<Record<string, string>> };
  readonly endpoints: readonly {
    readonly port: string;
    readonly path: string;
    readonly scheme: 'http';
    readonly interval: string;
    readonly relabelings: readonly ServiceMonitorRelabeling[];
  }[];
}

/** A Prometheus relabel config (`relabel_configs`, snake_case as Prometheus reads it). */
export interface PrometheusRelabelConfig {
  readonly source_labels?: readonly string[];
  readonly target_label: string;
  readonly replacement?: string;
}

/** A Prometheus scrape config, as `prometheus.prometheusSpec.additionalScrapeConfigs` takes it. */
export interface ScrapeConfig {
  readonly job_name: string;
  readonly metrics_path: string;
  readonly params?: Readonly<Record<string, readonly string[]>>;
  readonly scrape_interval: string;
  readonly scrape_timeout: string;
  readonly static_configs: readonly { readonly targets: readonly string[] }[];
  readonly relabel_configs?: readonly PrometheusRelabelConfig[];
}

/**
 * A Grafana data source provisioned by kube-prometheus-stack (`grafana.additionalDataSources`). Grafana expands
 * `$NAME` and `${NAME}` in provisioning files from its environment: a literal `$` is written `$$`.
 */
export interface GrafanaDataSource {
  readonly name: string;
  readonly type: 'loki' | 'tempo' | 'prometheus';
  readonly uid: string;
  readonly access: 'proxy';
  readonly url: string;
  readonly isDefault: false;
  readonly jsonData: Readonly<Record<string, unknown>>;
}

/** The long-term metrics store (an Amazon Managed Service for Prometheus workspace) Prometheus writes to. */
export interface LongTermMetrics {
  /** Where Prometheus remote-writes, e.g. `https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write`. */
  readonly remoteWriteUrl: string;
  /** Its Prometheus-compatible query endpoint, ending in `/`: Grafana's data source URL. */
  readonly prometheusEndpoint: string;
}

/** One `prometheus.prometheusSpec.remoteWrite` entry (the Prometheus CRD's RemoteWriteSpec, the subset we set). */
export interface RemoteWriteSpec {
  readonly url: string;
  /** No keys and no `roleArn`: the SDK's default chain, i.e. the pod's EKS Pod Identity. */
  readonly sigv4: { readonly region: string };
  readonly queueConfig: {
    readonly maxSamplesPerSend: number;
    readonly maxShards: number;
    readonly capacity: number;
  };
}

/**
 * The replica label both Prometheus replicas carry: Amazon Managed Service for Prometheus keeps one replica's
 * samples per `cluster` and drops this label.
 * @see https://docs.aws.amazon.com/prometheus/latest/userguide/Send_HA_data_Prom_Operator.html
 */
export const REPLICA_LABEL = '__replica__';

/** Values of prometheus-community/prometheus-operator-crds (the subset we set). */
export interface PrometheusOperatorCrdsValues {
  readonly crds: { readonly annotations: Readonly<Record<string, string>> };
}

/** The kube-prometheus-stack default rule groups for control-plane components EKS does not let us scrape. */
export type UnscrapableRuleGroup =
  'etcd' | 'kubeControllerManager' | 'kubeSchedulerAlerting' | 'kubeSchedulerRecording' | 'kubeProxy';

/** Values of prometheus-community/kube-prometheus-stack (the subset we set). */
export interface KubePrometheusStackValues {
  readonly fullnameOverride: string;
  /** CRDs come from their own release, so they upgrade with the chart version. */
  readonly crds: { readonly enabled: false };
  readonly defaultRules: {
    readonly create: true;
    readonly rules: Readonly<Record<UnscrapableRuleGroup, false>>;
  };
  readonly kubeControllerManager: { readonly enabled: false };
  readonly kubeScheduler: { readonly enabled: false };
  readonly kubeEtcd: { readonly enabled: false };
  readonly kubeProxy: { readonly enabled: false };
  readonly additionalPrometheusRulesMap: Readonly<Record<string, PrometheusRuleFile>>;
  readonly prometheusOperator: {
    readonly resources: ContainerResources;
    readonly prometheusConfigReloader: { readonly resources: ContainerResources };
  };
  readonly 'kube-state-metrics': {
    /** Added to the chart's default collectors (`endpoints` is no longer one of them since chart 7.0.0). */
    readonly collectorsExtra: readonly string[];
    readonly resources: ContainerResources;
  };
  readonly 'prometheus-node-exporter': {
    readonly namespaceOverride: string;
    readonly hostNetwork: true;
    readonly hostPID: true;
    readonly hostRootFsMount: { readonly enabled: true; readonly mountPropagation: 'HostToContainer' };
    readonly resources: ContainerResources;
  };
  readonly alertmanager: {
    readonly podDisruptionBudget: KpsDisruptionBudget;
    readonly alertmanagerSpec: {
      readonly replicas: number;
      readonly podAntiAffinity: 'hard';
      readonly useExistingSecret: true;
      readonly configSecret: string;
      readonly secrets: readonly string[];
      readonly storage: { readonly volumeClaimTemplate: VolumeClaimTemplate };
      readonly resources: ContainerResources;
    };
  };
  readonly grafana: {
    readonly replicas: 1;
    /** Named, so its Pod Identity association (`MONITORING_IDENTITIES.grafana`) names it. */
    readonly serviceAccount: { readonly create: true; readonly name: string };
    readonly admin: {
      readonly existingSecret: string;
      readonly userKey: string;
      readonly passwordKey: string;
    };
    readonly deploymentStrategy: { readonly type: 'Recreate' };
    readonly persistence: {
      readonly enabled: true;
      readonly type: 'pvc';
      readonly storageClassName: string;
      readonly size: string;
    };
    readonly initChownData: { readonly enabled: false };
    readonly resources: ContainerResources;
    readonly sidecar: {
      readonly resources: ContainerResources;
      /** The chart's Prometheus data source: its exemplars link to the trace in Tempo. */
      readonly datasources: {
        readonly exemplarTraceIdDestinations: {
          readonly datasourceUid: string;
          readonly traceIdLabelName: string;
        };
      };
      readonly dashboards: {
        readonly enabled: true;
        readonly label: string;
        readonly labelValue: string;
        readonly searchNamespace: string;
      };
    };
    readonly additionalDataSources: readonly GrafanaDataSource[];
    readonly 'grafana.ini': {
      readonly analytics: { readonly reporting_enabled: false; readonly check_for_updates: false };
      /**
       * SigV4 signing of data-source requests (the long-term metrics workspace), off by default in Grafana;
       * with single sign-on also the login form off.
       */
      readonly auth: { readonly sigv4_auth_enabled: true; readonly disable_login_form?: true };
    } & Omit<GrafanaAccessIni, 'auth'>;
  } & Partial<GrafanaAccessValues>;
  readonly prometheus: {
    /** Named, so its Pod Identity association (`MONITORING_IDENTITIES.prometheus`) names it. */
    readonly serviceAccount: { readonly create: true; readonly name: string };
    readonly podDisruptionBudget: KpsDisruptionBudget;
    readonly additionalServiceMonitors: readonly AdditionalServiceMonitor[];
    readonly prometheusSpec: {
      readonly externalLabels: Readonly<Record<string, string>>;
      readonly replicas: number;
      readonly podAntiAffinity: 'hard';
      readonly retention: string;
      readonly retentionSize: string;
      readonly storageSpec: { readonly volumeClaimTemplate: VolumeClaimTemplate };
      readonly resources: ContainerResources;
      readonly ruleSelectorNilUsesHelmValues: false;
      readonly serviceMonitorSelectorNilUsesHelmValues: false;
      readonly podMonitorSelectorNilUsesHelmValues: false;
      readonly probeSelectorNilUsesHelmValues: false;
      readonly scrapeConfigSelectorNilUsesHelmValues: false;
      readonly additionalScrapeConfigs: readonly ScrapeConfig[];
      /** `exemplar-storage`: keep the trace ids the API attaches to its histogram samples. */
      readonly enableFeatures: readonly string[];
      /** The long-term store, signed with SigV4 from the pod's credentials. */
      readonly remoteWrite: readonly RemoteWriteSpec[];
      /** The external label telling the replicas apart (`prometheus_replica` by default): the store dedups on it. */
      readonly replicaExternalLabelName: string;
    };
  };
}

/** A blackbox exporter HTTP module. */
export interface BlackboxHttpModule {
  readonly prober: 'http';
  readonly timeout: string;
  readonly http: {
    readonly valid_http_versions: readonly string[];
    readonly valid_status_codes: readonly number[];
    readonly method: 'GET';
    readonly follow_redirects: boolean;
    readonly fail_if_not_ssl: boolean;
    readonly preferred_ip_protocol: 'ip4';
  };
}

/** A blackbox exporter TCP module. */
export interface BlackboxTcpModule {
  readonly prober: 'tcp';
  readonly timeout: string;
  readonly tcp: { readonly tls: boolean; readonly preferred_ip_protocol: 'ip4' };
}

/** The restricted pod security context the charts that allow it get. */
export interface RestrictedPodSecurityContext {
  readonly runAsNonRoot: true;
  readonly runAsUser?: number;
  readonly runAsGroup?: number;
  readonly fsGroup?: number;
  readonly seccompProfile: { readonly type: 'RuntimeDefault' };
}

/** Values of prometheus-community/prometheus-blackbox-exporter (the subset we set). */
export interface BlackboxExporterValues {
  readonly fullnameOverride: string;
  readonly replicas: number;
  /** Rendered only when non-empty: one replica has no budget to keep. */
  readonly podDisruptionBudget: { readonly maxUnavailable?: number };
  readonly podSecurityContext: RestrictedPodSecurityContext;
  readonly resources: ContainerResources;
  readonly config: { readonly modules: Readonly<Record<string, BlackboxHttpModule | BlackboxTcpModule>> };
}

/** One rule of prometheus-adapter: which series become which custom metric, and the query that computes it. */
export interface PrometheusAdapterRule {
  /** The series the adapter discovers (it lists their label sets). */
  readonly seriesQuery: string;
  /** Which labels name Kubernetes objects. */
  readonly resources: {
    readonly overrides: Readonly<Record<string, { readonly resource: string }>>;
  };
  /** The metric name, from the series name. */
  readonly name: { readonly matches: string; readonly as: string };
  /** A Go template of PromQL: `<<.Series>>`, `<<.LabelMatchers>>` (namespace and pods asked for), `<<.GroupBy>>`. */
  readonly metricsQuery: string;
}

/** Values of prometheus-community/prometheus-adapter (the subset we set). */
export interface PrometheusAdapterValues {
  readonly fullnameOverride: string;
  readonly replicas: number;
  readonly podDisruptionBudget: { readonly enabled: boolean; readonly maxUnavailable: 1 };
  readonly prometheus: { readonly url: string; readonly port: number };
  readonly resources: ContainerResources;
  /** Only our rule: the chart's default rules would publish every series, and `resource` rules would compete with metrics-server. */
  readonly rules: { readonly default: false; readonly custom: readonly PrometheusAdapterRule[] };
}

/** The restricted container security context. */
export interface RestrictedContainerSecurityContext {
  readonly allowPrivilegeEscalation: false;
  readonly readOnlyRootFilesystem: true;
  readonly capabilities: { readonly drop: readonly ['ALL'] };
}

/** Values of prometheus-community/prometheus-yet-another-cloudwatch-exporter (the subset we set). */
export interface CloudwatchExporterValues {
  readonly fullnameOverride: string;
  /** One replica: a second would double the CloudWatch API calls (billed) and export every series twice. */
  readonly replicaCount: 1;
  /** The Pod Identity association names this service account; no IRSA annotation, no `aws.role`, no keys. */
  readonly serviceAccount: {
    readonly create: true;
    readonly name: string;
    readonly annotations: Readonly<Record<string, string>>;
  };
  readonly podSecurityContext: RestrictedPodSecurityContext;
  readonly securityContext: RestrictedContainerSecurityContext;
  readonly resources: ContainerResources;
  readonly serviceMonitor: { readonly enabled: false };
  readonly prometheusRule: { readonly enabled: false };
  /** The chart's `helm test` pod runs busybox as root, which the namespace's restricted audit flags. */
  readonly testConnection: false;
  /** YACE's configuration file; the chart passes it through Helm's `tpl`, so it must not contain `{{`. */
  readonly config: string;
}

/** One period of Loki's schema. */
export interface LokiSchemaPeriod {
  readonly from: string;
  readonly store: 'tsdb';
  readonly object_store: 's3';
  readonly schema: 'v13';
  readonly index: { readonly prefix: string; readonly period: '24h' };
}

/** A memcached cache of the Loki chart. */
export interface LokiCache {
  readonly enabled: boolean;
  readonly allocatedMemory?: number;
}

/** Values of grafana-community/loki (the subset we set). */
export interface LokiValues {
  readonly deploymentMode: 'Monolithic';
  readonly fullnameOverride: string;
  readonly loki: {
    readonly auth_enabled: false;
    readonly commonConfig: { readonly replication_factor: 1 };
    readonly schemaConfig: { readonly configs: readonly LokiSchemaPeriod[] };
    /** No credentials: the SDK's default chain finds the EKS Pod Identity credentials of the service account. */
    readonly storage: {
      readonly type: 's3';
      readonly bucketNames: { readonly chunks: string };
      readonly s3: { readonly region: string };
    };
    readonly limits_config: {
      readonly retention_period: string;
      readonly allow_structured_metadata: true;
    };
    readonly compactor: {
      readonly working_directory: string;
      readonly compaction_interval: string;
      readonly retention_enabled: true;
      readonly retention_delete_delay: string;
      readonly delete_request_store: 's3';
    };
    readonly analytics: { readonly reporting_enabled: false };
    /** The ruler: rules from the sidecar's folder, alerts to Alertmanager (found by DNS SRV). */
    readonly rulerConfig: {
      readonly storage: { readonly type: 'local'; readonly local: { readonly directory: string } };
      readonly rule_path: string;
      readonly alertmanager_url: string;
      readonly enable_alertmanager_discovery: true;
      readonly enable_api: false;
    };
  };
  /** The rules sidecar's Role reads ConfigMaps of Loki's own namespace only (the default is cluster-wide). */
  readonly rbac: { readonly namespaced: true };
  readonly serviceAccount: {
    readonly create: true;
    readonly name: string;
    readonly annotations: Readonly<Record<string, string>>;
  };
  readonly singleBinary: {
    readonly replicas: 1;
    readonly resources: ContainerResources;
    readonly persistence: { readonly enabled: true; readonly storageClass: string; readonly size: string };
  };
  readonly backend: { readonly replicas: 0 };
  readonly read: { readonly replicas: 0 };
  readonly write: { readonly replicas: 0 };
  readonly gateway: { readonly enabled: false };
  readonly ruler: { readonly enabled: true };
  readonly sidecar: {
    readonly resources: ContainerResources;
    readonly rules: {
      readonly enabled: true;
      readonly label: string;
      readonly labelValue: string;
      readonly folder: string;
      readonly resource: 'configmap';
    };
  };
  readonly lokiCanary: { readonly enabled: false };
  readonly test: { readonly enabled: false };
  readonly minio: { readonly enabled: false };
  readonly chunksCache: LokiCache;
  readonly resultsCache: LokiCache;
  readonly monitoring: { readonly serviceMonitor: { readonly enabled: true } };
}

/**
 * What both Alloy releases (the log DaemonSet and the trace collectors) set alike: no Alloy CRDs (PodLogs: not
 * used; the chart's `crds/` folder would never upgrade them anyway), a restricted pod, and a ServiceMonitor.
 */
interface AlloyCommonValues {
  readonly crds: { readonly create: false };
  readonly global: { readonly podSecurityContext: RestrictedPodSecurityContext };
  readonly serviceMonitor: { readonly enabled: true };
}

/** `/tmp` on an emptyDir: Alloy's container has a read-only root filesystem ({@link AlloyContainerValues}). */
interface AlloyTmpVolume {
  readonly extra: readonly { readonly name: string; readonly emptyDir: Record<string, never> }[];
}

/** Alloy's container in both releases: its configuration, no usage reporting, restricted, `/tmp` mounted. */
interface AlloyContainerValues {
  readonly configMap: { readonly create: true; readonly content: string };
  readonly enableReporting: false;
  readonly mounts: {
    readonly varlog: false;
    readonly dockercontainers: false;
    readonly extra: readonly { readonly name: string; readonly mountPath: string }[];
  };
  readonly securityContext: {
    readonly allowPrivilegeEscalation: false;
    readonly readOnlyRootFilesystem: true;
    readonly capabilities: { readonly drop: readonly ['ALL'] };
  };
  readonly resources: ContainerResources;
}

const ALLOY_COMMON: AlloyCommonValues = {
  crds: { create: false },
  global: {
    podSecurityContext: {
      runAsNonRoot: true,
      runAsUser: 473,
      runAsGroup: 473,
      fsGroup: 473,
      seccompProfile: { type: 'RuntimeDefault' },
    },
  },
  serviceMonitor: { enabled: true },
};

const ALLOY_TMP_VOLUME: AlloyTmpVolume = { extra: [{ name: 'tmp', emptyDir: {} }] };

function alloyContainer(content: string, resources: ContainerResources): AlloyContainerValues {
  return {
    configMap: { create: true, content },
    enableReporting: false,
    mounts: { varlog: false, dockercontainers: false, extra: [{ name: 'tmp', mountPath: '/tmp' }] },
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    },
    resources,
  };
}

/** Values of grafana/alloy as the log DaemonSet (the subset we set). */
export interface AlloyValues extends AlloyCommonValues {
  readonly controller: {
    readonly type: 'daemonset';
    readonly tolerations: readonly { readonly operator: 'Exists'; readonly effect: 'NoSchedule' }[];
    readonly volumes: AlloyTmpVolume;
  };
  readonly alloy: AlloyContainerValues;
}

/**
 * The Alloy configuration of the log agent: the pods of the agent's own node (`HOSTNAME` is the node name in the
 * chart) once they have started (completed Job pods stay in, so a migration's log is kept), labelled
 * `namespace`, `pod`, `container`, `app` (from `app.kubernetes.io/name`) and `job` (`<namespace>/<container>`),
 * tailed through the Kubernetes API (`loki.source.kubernetes`, so no host path and
 * no root), and pushed to Loki. The chart passes it through Helm's `tpl`, so it must not contain `{{`.
 * @see https://grafana.com/docs/alloy/latest/collect/logs-in-kubernetes/
 */
export function alloyLogsConfig(lokiPushUrl: string): string {
  const rule = (source: readonly string[], target: string, extra: readonly string[] = []) =>
    [
      '  rule {',
      `    source_labels = [${source.map((label) => `"${label}"`).join(', ')}]`,
      ...extra.map((line) => `    ${line}`),
      `    target_label  = "${target}"`,
      '  }',
    ].join('\n');
  return [
    '// Pod logs of this node to Loki (generated by constructs/monitoring-values.ts).',
    'discovery.kubernetes "pods" {',
    '  role = "pod"',
    '  selectors {',
    '    role  = "pod"',
    '    field = "spec.nodeName=" + sys.env("HOSTNAME")',
    '  }',
    '}',
    '',
    'discovery.relabel "pods" {',
    '  targets = discovery.kubernetes.pods.targets',
    '  rule {',
    '    source_labels = ["__meta_kubernetes_pod_phase"]',
    '    regex         = "Pending"',
    '    action        = "drop"',
    '  }',
    rule(['__meta_kubernetes_namespace'], 'namespace'),
    rule(['__meta_kubernetes_pod_name'], 'pod'),
    rule(['__meta_kubernetes_pod_container_name'], 'container'),
    rule(['__meta_kubernetes_pod_label_app_kubernetes_io_name'], 'app'),
    rule(['__meta_kubernetes_namespace', '__meta_kubernetes_pod_container_name'], 'job', [
      'separator     = "/"',
    ]),
    '}',
    '',
    'loki.source.kubernetes "pods" {',
    '  targets    = discovery.relabel.pods.output',
    '  forward_to = [loki.write.loki.receiver]',
    '}',
    '',
    'loki.write "loki" {',
    '  endpoint {',
    `    url = "${lokiPushUrl}"`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/**
 * YACE's configuration (`apiVersion: v1alpha1`): an `AWS/RDS` discovery job for the metrics of each Aurora
 * instance ({@link RDS_INSTANCE_METRICS}, dimension `DBInstanceIdentifier` only, so cluster- and engine-level
 * variants are not fetched), and a custom-namespace job for the database's slow-statement count
 * ({@link SLOW_QUERY_METRIC}, 0 for a period without any log line). Every metric at a 5-minute period.
 *
 * Discovery lists resources through the Resource Groups Tagging API, which returns only tagged resources: every
 * resource here carries the environment's default tags.
 * @see https://github.com/prometheus-community/yet-another-cloudwatch-exporter/blob/v0.67.0/docs/configuration.md
 */
export function yaceConfig(region: string): string {
  const metric = (m: CloudwatchMetric) => ({ name: m.name, statistics: [...m.statistics] });
  return stringify(
    {
      apiVersion: 'v1alpha1',
      'sts-region': region,
      discovery: {
        jobs: [
          {
            type: 'AWS/RDS',
            regions: [region],
            dimensionNameRequirements: ['DBInstanceIdentifier'],
            period: CLOUDWATCH_PERIOD_SECONDS,
            length: CLOUDWATCH_LENGTH_SECONDS,
            metrics: RDS_INSTANCE_METRICS.map(metric),
          },
        ],
      },
      customNamespace: [
        {
          name: SLOW_QUERY_JOB_NAME,
          namespace: SLOW_QUERY_METRIC.namespace,
          regions: [region],
          period: CLOUDWATCH_PERIOD_SECONDS,
          length: CLOUDWATCH_LENGTH_SECONDS,
          nilToZero: true,
          metrics: [metric(SLOW_QUERY_METRIC)],
        },
      ],
    },
    { lineWidth: 0 },
  );
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
  /** The OpenID Connect client secret of Grafana's single sign-on, synced from Secrets Manager. */
  grafanaOidc: { name: 'grafana-oidc', key: 'client-secret' },
  /** Alertmanager's configuration (`alertmanager.yaml`): no secret in it, only the receivers' file paths. */
  alertmanagerConfig: { name: 'alertmanager-wms', key: 'alertmanager.yaml' },
} as const;

/**
 * Label and value the Loki rules sidecar selects rule ConfigMaps by (in Loki's namespace); it writes their files
 * into {@link LOKI_RULES.folder}, the directory of the single tenant (`fake` when `auth_enabled` is false).
 */
export const LOKI_RULES = {
  label: { key: 'loki_rule', value: '1' },
  directory: '/rules',
  folder: '/rules/fake',
} as const;

/** Label and value the Grafana sidecar selects dashboard ConfigMaps by. */
export const DASHBOARD_LABEL = { key: 'grafana_dashboard', value: '1' } as const;

/** Blackbox exporter module of the external probe. */
export const PROBE_MODULE = 'http_2xx';

/** Blackbox exporter module of the database probe: a TCP connect, without TLS. */
export const DATABASE_PROBE_MODULE = 'tcp_connect';

/** Port of the RDS Proxy for PostgreSQL: an RDS Proxy listens on its engine's default port only. */
export const DATABASE_PROXY_PORT = 5432;

/** Release names of the monitoring charts (also their fullnames, except kube-prometheus-stack's). */
export const MONITORING_RELEASES = {
  tempo: 'tempo',
  traceCollector: 'alloy-traces',
  crds: 'prometheus-operator-crds',
  kps: 'kube-prometheus-stack',
  blackbox: 'blackbox-exporter',
  loki: 'loki',
  alloy: 'alloy',
  yace: 'yace',
  adapter: 'prometheus-adapter',
} as const;
const KPS_FULLNAME = 'kps';
/** Prometheus' service account (the name the chart gives it, `<fullname>-prometheus`, set explicitly). */
const PROMETHEUS_SERVICE_ACCOUNT = `${KPS_FULLNAME}-prometheus`;
/** Grafana's service account (the subchart's `<release>-grafana`, set explicitly). */
const GRAFANA_SERVICE_ACCOUNT = 'kube-prometheus-stack-grafana';
/**
 * Prometheus inside the cluster (the kube-prometheus-stack Service `<fullname>-prometheus`): Argo Rollouts'
 * analysis queries it. Issue #15.
 */
export const PROMETHEUS_URL = `http://${KPS_FULLNAME}-prometheus.monitoring.svc:9090`;
const PROMETHEUS_PORT = 9090;
const LOKI_PORT = 3100;
const TEMPO_PORT = 3200;
/** OTLP over gRPC and HTTP: the trace collector's receivers (and Tempo's gRPC one). */
export const OTLP_PORTS = { grpc: 4317, http: 4318 } as const;
/** The trace collectors' second OTLP receiver: spans routed by trace id to the replica that samples the trace. */
const OTLP_SAMPLING_PORT = 4319;
/** Uids of the provisioned data sources (the chart's Prometheus one is `prometheus`). */
export const DATASOURCE_UIDS = {
  prometheus: 'prometheus',
  loki: 'loki',
  tempo: 'tempo',
  longTermMetrics: 'long-term-metrics',
} as const;
/** The label (Prometheus exemplars) and JSON field (API log lines) carrying the trace id. */
export const TRACE_ID_FIELD = 'trace_id';
/**
 * The trace collectors as the applications see them (issue #18): the OTLP/HTTP endpoint in the `monitoring`
 * namespace (`OTEL_EXPORTER_OTLP_ENDPOINT`) and the labels of their pods (for the applications' egress policy).
 * The Monitoring construct deploys them there (`MONITORING_RELEASES.traceCollector`, Alloy chart labels).
 */
export const TRACE_COLLECTOR = {
  namespace: 'monitoring',
  otlpHttpEndpoint: `http://${MONITORING_RELEASES.traceCollector}.monitoring.svc.cluster.local:${OTLP_PORTS.http}`,
  podLabels: {
    'app.kubernetes.io/name': 'alloy',
    'app.kubernetes.io/instance': MONITORING_RELEASES.traceCollector,
  },
} as const;
const BLACKBOX_PORT = 9115;
/** The YACE chart's Service port (80, to the container's 5000). */
const YACE_SERVICE_PORT = 80;

/** A ReadWriteOnce volume of `gib` GiB on `storageClassName`. */
export function volumeClaimTemplate(storageClassName: string, gib: number): VolumeClaimTemplate {
  return {
    spec: {
      storageClassName,
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: `${gib}Gi` } },
    },
  };
}

/** Where the monitoring services are reached, and what the probes target. */
export interface MonitoringEndpoints {
  /** Loki's query URL inside the cluster (Grafana's data source). */
  readonly lokiUrl: string;
  /** Loki's push URL inside the cluster (Alloy's endpoint). */
  readonly lokiPushUrl: string;
  /** The URL the blackbox exporter probes: `https://<domain><probePath>`. */
  readonly probeUrl: string;
  /** The web front end's URL the blackbox exporter probes: `https://<domain>/`, the page users load. */
  readonly webProbeUrl: string;
  /** The `host:port` the database probe connects to: the RDS Proxy on {@link DATABASE_PROXY_PORT}. */
  readonly databaseProbeTarget: string;
  /** Tempo's query URL inside the cluster (Grafana's data source). */
  readonly tempoUrl: string;
  /** Tempo's OTLP gRPC `host:port` (the trace collectors export to it). */
  readonly tempoOtlpTarget: string;
  /** The OTLP/HTTP endpoint applications send spans to: the trace collectors' Service. */
  readonly otlpEndpoint: string;
}

/** The endpoints of a monitoring stack whose Loki runs in `loggingNamespace`. */
export function monitoringEndpoints(input: {
  readonly loggingNamespace: string;
  readonly monitoringNamespace: string;
  readonly domain: string;
  readonly probePath: string;
  readonly databaseProxyEndpoint: string;
}): MonitoringEndpoints {
  const lokiService = `${MONITORING_RELEASES.loki}.${input.loggingNamespace}.svc.cluster.local:${LOKI_PORT}`;
  return {
    lokiUrl: `http://${lokiService}`,
    lokiPushUrl: `http://${lokiService}/loki/api/v1/push`,
    probeUrl: `https://${input.domain}${input.probePath}`,
    webProbeUrl: `https://${input.domain}/`,
    databaseProbeTarget: `${input.databaseProxyEndpoint}:${DATABASE_PROXY_PORT}`,
    tempoUrl: `http://${MONITORING_RELEASES.tempo}.${input.monitoringNamespace}.svc.cluster.local:${TEMPO_PORT}`,
    tempoOtlpTarget: `${MONITORING_RELEASES.tempo}.${input.monitoringNamespace}.svc.cluster.local:${OTLP_PORTS.grpc}`,
    otlpEndpoint: `http://${MONITORING_RELEASES.traceCollector}.${input.monitoringNamespace}.svc.cluster.local:${OTLP_PORTS.http}`,
  };
}

/** Values of the CRDs release: kept when the release is deleted. */
export function prometheusOperatorCrdsValues(): PrometheusOperatorCrdsValues {
  // Deleting the release would delete the CRDs and with them every Prometheus, Alertmanager and rule object.
  return { crds: { annotations: { 'helm.sh/resource-policy': 'keep' } } };
}

/** What {@link kubePrometheusStackValues} is built from. */
export interface KubePrometheusStackInput {
  /** Namespaces of the release (`monitoring`) and of node-exporter (`agents`). */
  readonly namespaces: { readonly monitoring: string; readonly agents: string };
  /** The WMS namespace and the jobs the rules select on. */
  readonly targets: Pick<
    MonitoringTargets,
    'namespace' | 'apiJob' | 'probeJob' | 'webProbeJob' | 'databaseProbeJob' | 'cloudwatchExporterJob'
  >;
  /** The WMS rule groups (`additionalPrometheusRulesMap.wms`). */
  readonly rules: PrometheusRuleFile;
  /** `prometheus.prometheusSpec.externalLabels`. */
  readonly externalLabels: Readonly<Record<string, string>>;
  /** Prometheus and Alertmanager replicas; more than one gets disruption budgets. */
  readonly replicas: number;
  readonly size: MonitoringSize;
  readonly storageClassName: string;
  readonly prometheusRetentionDays: number;
  /** Labels of the API Services the ServiceMonitor selects. */
  readonly apiServiceLabels: Readonly<Record<string, string>>;
  /** The API Services' metrics port name. */
  readonly apiPortName: string;
  /** Endpoints: Loki (Grafana data source), the probed URL and database target. */
  readonly endpoints: Pick<
    MonitoringEndpoints,
    'lokiUrl' | 'tempoUrl' | 'probeUrl' | 'webProbeUrl' | 'databaseProbeTarget'
  >;
  /** The long-term store Prometheus writes to and Grafana reads. */
  readonly longTermMetrics: LongTermMetrics;
  /** The store's AWS region (SigV4). */
  readonly region: string;
  /** Grafana's public address and sign-in; without it Grafana is reached only through a port-forward. */
  readonly grafanaAccess?: GrafanaAccess;
}

/**
 * Grafana behind its own internet-facing Application Load Balancer (HTTPS only, the environment's web ACL, access
 * logs in the environment's bucket), published by external-dns under `hostName`.
 */
export interface GrafanaAccess {
  /** Public host name, e.g. `grafana.wms.example.com` (inside the zone external-dns manages). */
  readonly hostName: string;
  /** ARN of the validated ACM certificate of `hostName`. */
  readonly certificateArn: string;
  /** ARN of the regional WAFv2 web ACL in front of the load balancer. */
  readonly wafAclArn: string;
  /** Bucket of the load balancer's access logs. */
  readonly accessLogsBucket: string;
  /** Key prefix of the access logs (the bucket policy allows only it). */
  readonly accessLogsPrefix: string;
  /**
   * OpenID Connect single sign-on; the login form and basic authentication are then off.
   * @default - no single sign-on: the admin login form
   */
  readonly sso?: GrafanaSso;
}

/** Grafana's Generic OAuth client of an OpenID Connect provider. */
export interface GrafanaSso {
  /** The provider's issuer URL (https, no trailing slash). */
  readonly issuerUrl: string;
  readonly clientId: string;
  /**
   * Secrets Manager secret (name) whose value is the client secret: External Secrets syncs it into the
   * `grafana-oidc` Secret Grafana reads through its environment.
   */
  readonly clientSecretName: string;
  /** Groups (`groups` claim) allowed to sign in. */
  readonly allowedGroups: readonly string[];
  /**
   * JMESPath giving the Grafana role.
   * @default "'Viewer'"
   */
  readonly roleAttributePath?: string;
  /** @default - `<issuerUrl>/protocol/openid-connect/auth` */
  readonly authUrl?: string;
  /** @default - `<issuerUrl>/protocol/openid-connect/token` */
  readonly tokenUrl?: string;
  /** @default - `<issuerUrl>/protocol/openid-connect/userinfo` */
  readonly userInfoUrl?: string;
}

/** The `grafana.ini` sections {@link grafanaAccessValues} sets. */
export interface GrafanaAccessIni {
  readonly server?: { readonly domain: string; readonly root_url: string };
  readonly auth?: { readonly disable_login_form: true };
  readonly 'auth.basic'?: { readonly enabled: false };
  readonly 'auth.generic_oauth'?: Readonly<Record<string, string | boolean>>;
}

/** Grafana chart values {@link grafanaAccessValues} sets besides `grafana.ini`. */
export interface GrafanaAccessValues {
  readonly ingress: {
    readonly enabled: true;
    readonly ingressClassName: 'alb';
    readonly annotations: Readonly<Record<string, string>>;
    readonly hosts: readonly string[];
    readonly path: '/';
    readonly pathType: 'Prefix';
  };
  /** The client secret, from the ExternalSecret's Secret: Grafana reads `GF_<SECTION>_<KEY>` over `grafana.ini`. */
  readonly envValueFrom?: Readonly<
    Record<string, { readonly secretKeyRef: { readonly name: string; readonly key: string } }>
  >;
}

/**
 * Grafana's Ingress (its own ALB: the app's load balancer and certificate stay as they are), its public URL, and
 * with `sso` the Generic OAuth client: login form and basic authentication off, only `allowedGroups` admitted
 * (`role_attribute_strict`: no role, no entry), the client secret from a Secret through the environment, never in
 * values or state.
 * @see https://grafana.com/docs/grafana/latest/setup-grafana/configure-access/configure-authentication/generic-oauth/
 * @see https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/
 */
export function grafanaAccessValues(access: GrafanaAccess): {
  values: GrafanaAccessValues;
  ini: GrafanaAccessIni;
} {
  const attributes = [
    'access_logs.s3.enabled=true',
    `access_logs.s3.bucket=${access.accessLogsBucket}`,
    `access_logs.s3.prefix=${access.accessLogsPrefix}`,
    'routing.http.drop_invalid_header_fields.enabled=true',
  ];
  const ingress: GrafanaAccessValues['ingress'] = {
    enabled: true,
    ingressClassName: 'alb',
    annotations: {
      'alb.ingress.kubernetes.io/scheme': 'internet-facing',
      'alb.ingress.kubernetes.io/target-type': 'ip',
      // HTTPS only: no port 80 listener at all.
      'alb.ingress.kubernetes.io/listen-ports': '[{"HTTPS":443}]',
      'alb.ingress.kubernetes.io/certificate-arn': access.certificateArn,
      'alb.ingress.kubernetes.io/ssl-policy': ALB_TLS_POLICY,
      'alb.ingress.kubernetes.io/wafv2-acl-arn': access.wafAclArn,
      'alb.ingress.kubernetes.io/load-balancer-attributes': attributes.join(','),
      'alb.ingress.kubernetes.io/healthcheck-path': '/api/health',
      'alb.ingress.kubernetes.io/success-codes': '200',
    },
    hosts: [access.hostName],
    path: '/',
    pathType: 'Prefix',
  };
  const server = { domain: access.hostName, root_url: `https://${access.hostName}/` };
  const sso = access.sso;
  if (sso === undefined) return { values: { ingress }, ini: { server } };
  const endpoint = (path: string) => `${sso.issuerUrl}/protocol/openid-connect/${path}`;
  return {
    values: {
      ingress,
      envValueFrom: {
        GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET: {
          secretKeyRef: {
            name: MONITORING_SECRETS.grafanaOidc.name,
            key: MONITORING_SECRETS.grafanaOidc.key,
          },
        },
      },
    },
    ini: {
      server,
      auth: { disable_login_form: true },
      'auth.basic': { enabled: false },
      'auth.generic_oauth': {
        enabled: true,
        name: 'SSO',
        client_id: sso.clientId,
        scopes: 'openid email profile groups',
        auth_url: sso.authUrl ?? endpoint('auth'),
        token_url: sso.tokenUrl ?? endpoint('token'),
        api_url: sso.userInfoUrl ?? endpoint('userinfo'),
        use_pkce: true,
        allow_sign_up: true,
        groups_attribute_path: 'groups',
        allowed_groups: sso.allowedGroups.join(','),
        role_attribute_path: sso.roleAttributePath ?? "'Viewer'",
        role_attribute_strict: true,
      },
    },
  };
}

/**
 * Values of kube-prometheus-stack: WMS rules, the API's and Argo Rollouts' ServiceMonitors, the probe and YACE
 * scrape jobs, Alertmanager on our Secret, Grafana with the Loki data source and the dashboards sidecar, the
 * control-plane targets EKS hides turned off.
 */
export function kubePrometheusStackValues(input: KubePrometheusStackInput): KubePrometheusStackValues {
  const sizing = MONITORING_SIZES[input.size];
  const secrets = MONITORING_SECRETS;
  const ns = input.namespaces;
  const { storageClassName, replicas, targets } = input;
  const budget = { enabled: replicas > 1, minAvailable: 1 };
  const access = input.grafanaAccess && grafanaAccessValues(input.grafanaAccess);
  const blackboxAddress = `${MONITORING_RELEASES.blackbox}.${ns.monitoring}.svc:${BLACKBOX_PORT}`;
  // Blackbox exporter: the probed target goes into ?target=, the instance label keeps it, the scrape goes to
  // the exporter.
  const throughBlackbox = [
    { source_labels: ['__address__'], target_label: '__param_target' },
    { source_labels: ['__param_target'], target_label: 'instance' },
    { target_label: '__address__', replacement: blackboxAddress },
  ];
  // A scrape job that probes one target through the blackbox exporter with the given module.
  const blackboxJob = (jobName: string, module: string, target: string) => ({
    job_name: jobName,
    metrics_path: '/probe',
    params: { module: [module] },
    scrape_interval: '30s',
    scrape_timeout: '10s',
    static_configs: [{ targets: [target] }],
    relabel_configs: throughBlackbox,
  });
  return {
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
    additionalPrometheusRulesMap: { wms: input.rules },
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
        storage: { volumeClaimTemplate: volumeClaimTemplate(storageClassName, sizing.alertmanagerVolumeGiB) },
        resources: sizing.alertmanager,
      },
    },
    grafana: {
      // SQLite on a ReadWriteOnce volume: one replica, replaced (not rolled) on upgrade.
      replicas: 1,
      serviceAccount: { create: true, name: GRAFANA_SERVICE_ACCOUNT },
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
        datasources: {
          exemplarTraceIdDestinations: {
            datasourceUid: DATASOURCE_UIDS.tempo,
            traceIdLabelName: TRACE_ID_FIELD,
          },
        },
        dashboards: {
          enabled: true,
          label: DASHBOARD_LABEL.key,
          labelValue: DASHBOARD_LABEL.value,
          searchNamespace: ns.monitoring,
        },
      },
      additionalDataSources: [
        ...traceCorrelatedDataSources(input.endpoints),
        longTermMetricsDataSource(input.longTermMetrics.prometheusEndpoint, input.region),
      ],
      ...access?.values,
      'grafana.ini': {
        analytics: { reporting_enabled: false, check_for_updates: false },
        ...access?.ini,
        auth: { sigv4_auth_enabled: true, ...access?.ini.auth },
      },
    },
    prometheus: {
      serviceAccount: { create: true, name: PROMETHEUS_SERVICE_ACCOUNT },
      podDisruptionBudget: budget,
      additionalServiceMonitors: [
        {
          name: targets.apiJob.toLowerCase().replace(/[^a-z0-9-]/g, '-'),
          namespaceSelector: { matchNames: [targets.namespace] },
          selector: { matchLabels: input.apiServiceLabels },
          endpoints: [
            {
              port: input.apiPortName,
              path: '/metrics',
              scheme: 'http',
              interval: '30s',
              // The job would be the Service name (wms-api-metrics): the rules select the job by its own name.
              relabelings: [{ targetLabel: 'job', replacement: targets.apiJob, action: 'replace' }],
            },
          ],
        },
        // Issue #15: the Argo Rollouts controller (cluster-services installs it with its metrics Service only:
        // the ServiceMonitor CRD comes with this stack). Delivery dashboard and alerts read it.
        {
          name: ARGO_ROLLOUTS.release,
          namespaceSelector: { matchNames: [ARGO_ROLLOUTS.namespace] },
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
        externalLabels: { ...input.externalLabels },
        replicas,
        podAntiAffinity: 'hard',
        retention: `${input.prometheusRetentionDays}d`,
        retentionSize: `${Math.floor(sizing.prometheusVolumeGiB * 0.85)}GiB`,
        storageSpec: {
          volumeClaimTemplate: volumeClaimTemplate(storageClassName, sizing.prometheusVolumeGiB),
        },
        resources: sizing.prometheus,
        ruleSelectorNilUsesHelmValues: false,
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        probeSelectorNilUsesHelmValues: false,
        scrapeConfigSelectorNilUsesHelmValues: false,
        enableFeatures: ['exemplar-storage'],
        // Decision record 0005: both replicas write everything; the store deduplicates on cluster + __replica__.
        // Alerts keep evaluating here, so an outage of the store silences nothing.
        remoteWrite: [
          {
            url: input.longTermMetrics.remoteWriteUrl,
            sigv4: { region: input.region },
            // AWS's recommended queue settings for AMP (user guide, remote write configuration).
            queueConfig: { maxSamplesPerSend: 1000, maxShards: 200, capacity: 2500 },
          },
        ],
        replicaExternalLabelName: REPLICA_LABEL,
        additionalScrapeConfigs: [
          blackboxJob(targets.probeJob, PROBE_MODULE, input.endpoints.probeUrl),
          // The front end as users load it: DNS, the load balancer, TLS and nginx's index page (issue #18).
          blackboxJob(targets.webProbeJob, PROBE_MODULE, input.endpoints.webProbeUrl),
          blackboxJob(targets.databaseProbeJob, DATABASE_PROBE_MODULE, input.endpoints.databaseProbeTarget),
          {
            // A static job rather than the chart's ServiceMonitor: the job label is then exactly the one the
            // rules select, with no relabelling. YACE refreshes CloudWatch every 300 s and serves the cached
            // values in between.
            job_name: targets.cloudwatchExporterJob,
            metrics_path: '/metrics',
            scrape_interval: '60s',
            scrape_timeout: '30s',
            static_configs: [
              { targets: [`${MONITORING_RELEASES.yace}.${ns.monitoring}.svc:${YACE_SERVICE_PORT}`] },
            ],
          },
        ],
      },
    },
  };
}

/**
 * Grafana's data source of the long-term store: PromQL over HTTPS signed with SigV4 from Grafana's own
 * credentials (`sigV4AuthType: default`, the SDK's chain: its EKS Pod Identity), so no key is stored anywhere.
 * @see https://grafana.com/docs/grafana/latest/datasources/prometheus/configure/
 */
export function longTermMetricsDataSource(prometheusEndpoint: string, region: string): GrafanaDataSource {
  return {
    name: 'Long-term metrics',
    type: 'prometheus',
    uid: DATASOURCE_UIDS.longTermMetrics,
    access: 'proxy',
    url: prometheusEndpoint,
    isDefault: false,
    jsonData: { sigV4Auth: true, sigV4AuthType: 'default', sigV4Region: region, httpMethod: 'POST' },
  };
}

/**
 * Values of the blackbox exporter: the HTTP module of the external probe and the TCP module of the database
 * probe; `replicas` copies, with a disruption budget when more than one.
 */
export function blackboxExporterValues(input: {
  readonly replicas: number;
  readonly size: MonitoringSize;
}): BlackboxExporterValues {
  return {
    fullnameOverride: MONITORING_RELEASES.blackbox,
    replicas: input.replicas,
    podDisruptionBudget: input.replicas > 1 ? { maxUnavailable: 1 } : {},
    podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    resources: MONITORING_SIZES[input.size].blackboxExporter,
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
  };
}

/** Values of YACE: one replica as `serviceAccount` (its Pod Identity association), restricted, {@link yaceConfig}. */
export function cloudwatchExporterValues(input: {
  readonly region: string;
  readonly serviceAccount: string;
  readonly size: MonitoringSize;
}): CloudwatchExporterValues {
  return {
    fullnameOverride: MONITORING_RELEASES.yace,
    replicaCount: 1,
    // The Pod Identity association names this service account; no IRSA annotation.
    serviceAccount: { create: true, name: input.serviceAccount, annotations: {} },
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
    resources: MONITORING_SIZES[input.size].cloudwatchExporter,
    serviceMonitor: { enabled: false },
    prometheusRule: { enabled: false },
    testConnection: false,
    config: yaceConfig(input.region),
  };
}

/** A memcached cache of `megabytes` MB, off at 0. */
function lokiCache(megabytes: number): LokiCache {
  return megabytes > 0 ? { enabled: true, allocatedMemory: megabytes } : { enabled: false };
}

/**
 * Values of Loki: Monolithic, one replica, TSDB schema v13 on `bucketName` through `serviceAccount`'s Pod Identity
 * (no keys), retention by the compactor, single tenant; its ruler evaluates the log rules of the ConfigMaps
 * labelled {@link LOKI_RULES} and sends alerts to every Alertmanager replica.
 */
export function lokiValues(input: {
  /** The namespace of kube-prometheus-stack, whose Alertmanager receives the log alerts. */
  readonly alertmanagerNamespace: string;
  readonly bucketName: string;
  readonly region: string;
  readonly retentionDays: number;
  readonly serviceAccount: string;
  readonly size: MonitoringSize;
  readonly storageClassName: string;
}): LokiValues {
  const sizing = MONITORING_SIZES[input.size];
  return {
    // One replica: the chart has no clean HA-monolithic mode (no compactor scaling settings), and the data
    // is in S3; while Loki restarts, Alloy retries its pushes (see docs/monitoring.md).
    deploymentMode: 'Monolithic',
    fullnameOverride: MONITORING_RELEASES.loki,
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
        bucketNames: { chunks: input.bucketName },
        s3: { region: input.region },
      },
      limits_config: { retention_period: `${input.retentionDays * 24}h`, allow_structured_metadata: true },
      compactor: {
        working_directory: '/var/loki/compactor',
        compaction_interval: '10m',
        retention_enabled: true,
        retention_delete_delay: '2h',
        delete_request_store: 's3',
      },
      analytics: { reporting_enabled: false },
      rulerConfig: {
        // Rules come from ConfigMaps (the sidecar), so the ruler needs no bucket: `local` storage reads
        // <directory>/<tenant>/*.yaml. Its temporary files go to /tmp (the chart's emptyDir), not to the default
        // /rules, which is the rules directory itself.
        storage: { type: 'local', local: { directory: LOKI_RULES.directory } },
        rule_path: '/tmp/loki-rules',
        // The SRV record of the operator's headless Service lists every Alertmanager replica, as Prometheus sends
        // to all of them; they deduplicate.
        alertmanager_url: `http://_http-web._tcp.alertmanager-operated.${input.alertmanagerNamespace}.svc.cluster.local`,
        enable_alertmanager_discovery: true,
        // Rules change through Terraform only, not through the ruler's API.
        enable_api: false,
      },
    },
    rbac: { namespaced: true },
    // The Pod Identity association names this service account; no IRSA annotation.
    serviceAccount: { create: true, name: input.serviceAccount, annotations: {} },
    singleBinary: {
      replicas: 1,
      resources: sizing.loki,
      persistence: { enabled: true, storageClass: input.storageClassName, size: `${sizing.lokiVolumeGiB}Gi` },
    },
    backend: { replicas: 0 },
    read: { replicas: 0 },
    write: { replicas: 0 },
    // Single tenant, inside the cluster only: clients talk to Loki directly.
    gateway: { enabled: false },
    // Monolithic: the ruler runs inside the single binary (the chart's ruler StatefulSet is for distributed mode);
    // `enabled` writes its configuration.
    ruler: { enabled: true },
    sidecar: {
      resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { cpu: '100m', memory: '128Mi' } },
      rules: {
        enabled: true,
        label: LOKI_RULES.label.key,
        labelValue: LOKI_RULES.label.value,
        folder: LOKI_RULES.folder,
        // ConfigMaps only: the sidecar has no reason to read Secrets.
        resource: 'configmap',
      },
    },
    lokiCanary: { enabled: false },
    test: { enabled: false },
    minio: { enabled: false },
    chunksCache: lokiCache(sizing.lokiChunksCacheMB),
    resultsCache: lokiCache(sizing.lokiResultsCacheMB),
    monitoring: { serviceMonitor: { enabled: true } },
  };
}

/** Values of Alloy: a DaemonSet on every node (Spot included) shipping pod logs to `lokiPushUrl` ({@link alloyLogsConfig}). */
export function alloyValues(input: {
  readonly lokiPushUrl: string;
  readonly size: MonitoringSize;
}): AlloyValues {
  return {
    ...ALLOY_COMMON,
    controller: {
      type: 'daemonset',
      // Every node, Spot ones (tainted) included.
      tolerations: [{ operator: 'Exists', effect: 'NoSchedule' }],
      volumes: ALLOY_TMP_VOLUME,
    },
    alloy: alloyContainer(alloyLogsConfig(input.lokiPushUrl), MONITORING_SIZES[input.size].alloy),
  };
}

/**
 * The adapter rule that serves {@link REQUEST_RATE_METRIC}: each API pod's requests per second over 2 minutes,
 * from `http_requests_total` of the API's job (the ServiceMonitor adds the `namespace` and `pod` labels). The HPA
 * asks for the pods of its target (the Rollout's selector); the adapter fills in their namespace and names.
 * @see https://github.com/kubernetes-sigs/prometheus-adapter/blob/master/docs/config.md
 */
export function requestRateAdapterRule(
  targets: Pick<MonitoringTargets, 'namespace' | 'apiJob'>,
): PrometheusAdapterRule {
  const job = `job="${targets.apiJob}"`;
  return {
    seriesQuery: `http_requests_total{namespace="${targets.namespace}",${job},pod!=""}`,
    resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
    name: { matches: '^http_requests_total$', as: REQUEST_RATE_METRIC },
    metricsQuery: `sum by (<<.GroupBy>>) (rate(<<.Series>>{<<.LabelMatchers>>,${job}}[2m]))`,
  };
}

/**
 * Values of prometheus-adapter: `replicas` copies (a disruption budget when more than one) reading the
 * kube-prometheus-stack Prometheus of `monitoringNamespace`, serving only {@link requestRateAdapterRule}.
 */
export function prometheusAdapterValues(input: {
  readonly monitoringNamespace: string;
  readonly replicas: number;
  readonly size: MonitoringSize;
  readonly targets: Pick<MonitoringTargets, 'namespace' | 'apiJob'>;
}): PrometheusAdapterValues {
  return {
    fullnameOverride: MONITORING_RELEASES.adapter,
    replicas: input.replicas,
    podDisruptionBudget: { enabled: input.replicas > 1, maxUnavailable: 1 },
    prometheus: {
      url: `http://${KPS_FULLNAME}-prometheus.${input.monitoringNamespace}.svc`,
      port: PROMETHEUS_PORT,
    },
    resources: MONITORING_SIZES[input.size].prometheusAdapter,
    rules: { default: false, custom: [requestRateAdapterRule(input.targets)] },
  };
}

/**
 * Loki and Tempo as Grafana data sources, linked both ways (issue #18): a log line's `trace_id` field opens the
 * trace (derived field), a span opens its service's logs (same `app` label, ±5 minutes around the span, filtered
 * by trace id) and its service's request rate and latency in Prometheus (`service.name` = `job`). With the
 * Prometheus data source's exemplars (kube-prometheus-stack's `exemplarTraceIdDestinations`), a metric sample
 * opens its trace: metrics → traces → logs.
 * @see https://grafana.com/docs/grafana/latest/datasources/tempo/configure-tempo-data-source/
 * @see https://grafana.com/docs/grafana/latest/datasources/loki/configure-loki-data-source/#derived-fields
 */
export function traceCorrelatedDataSources(
  endpoints: Pick<MonitoringEndpoints, 'lokiUrl' | 'tempoUrl'>,
): GrafanaDataSource[] {
  const spanWindow = { spanStartTimeShift: '-5m', spanEndTimeShift: '5m' };
  return [
    {
      name: 'Loki',
      type: 'loki',
      uid: DATASOURCE_UIDS.loki,
      access: 'proxy',
      url: endpoints.lokiUrl,
      isDefault: false,
      jsonData: {
        derivedFields: [
          {
            name: 'TraceID',
            // The API logs JSON; the id is 32 hexadecimal characters.
            matcherRegex: `"${TRACE_ID_FIELD}":"([0-9a-f]{32})"`,
            // `$$` is a literal `$` for Grafana's provisioning: the link's query is the captured id.
            url: '$${__value.raw}',
            datasourceUid: DATASOURCE_UIDS.tempo,
            urlDisplayLabel: 'Trace',
          },
        ],
      },
    },
    {
      name: 'Tempo',
      type: 'tempo',
      uid: DATASOURCE_UIDS.tempo,
      access: 'proxy',
      url: endpoints.tempoUrl,
      isDefault: false,
      jsonData: {
        tracesToLogsV2: {
          datasourceUid: DATASOURCE_UIDS.loki,
          ...spanWindow,
          filterByTraceID: true,
          filterBySpanID: false,
          tags: [{ key: 'service.name', value: 'app' }],
        },
        tracesToMetrics: {
          datasourceUid: DATASOURCE_UIDS.prometheus,
          ...spanWindow,
          tags: [{ key: 'service.name', value: 'job' }],
          queries: [
            { name: 'Request rate', query: 'sum(rate(http_requests_total{$$__tags}[5m]))' },
            {
              name: 'Latency p95',
              query:
                'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{$$__tags}[5m])))',
            },
          ],
        },
        lokiSearch: { datasourceUid: DATASOURCE_UIDS.loki },
        nodeGraph: { enabled: true },
      },
    },
  ];
}

/** Values of grafana-community/tempo (the subset we set). */
export interface TempoValues {
  readonly fullnameOverride: string;
  readonly replicas: 1;
  /** Tempo's configuration file, ours ({@link tempoConfig}) instead of the chart's template. */
  readonly config: string;
  readonly tempo: {
    readonly resources: ContainerResources;
    readonly securityContext: {
      readonly allowPrivilegeEscalation: false;
      readonly readOnlyRootFilesystem: true;
      readonly capabilities: { readonly drop: readonly ['ALL'] };
    };
  };
  readonly securityContext: RestrictedPodSecurityContext;
  readonly serviceAccount: {
    readonly create: true;
    readonly name: string;
    readonly annotations: Record<string, never>;
  };
  readonly persistence: {
    readonly enabled: true;
    readonly storageClassName: string;
    readonly size: string;
  };
  readonly serviceMonitor: { readonly enabled: true };
}

/**
 * Tempo's configuration file: the chart's template (2.2.4) with our settings written in, since the storage and
 * receiver settings we need are not keys of the chart's values (it passes `tempo.storage` and `tempo.receivers`
 * through as YAML, so the chart interface check cannot see them). Blocks in S3 (`bucketName`, the regional
 * endpoint), deleted by the compactor after `retentionDays`; only the OTLP gRPC receiver; no usage report. The
 * chart passes it through Helm's `tpl`: it must not contain `{{`.
 * @see https://grafana.com/docs/tempo/latest/configuration/
 */
export function tempoConfig(input: {
  readonly namespace: string;
  readonly bucketName: string;
  readonly region: string;
  readonly retentionDays: number;
}): string {
  return stringify({
    stream_over_http_enabled: true,
    memberlist: { cluster_label: `${MONITORING_RELEASES.tempo}.${input.namespace}` },
    multitenancy_enabled: false,
    usage_report: { reporting_enabled: false },
    compactor: { compaction: { block_retention: `${input.retentionDays * 24}h` } },
    distributor: {
      receivers: { otlp: { protocols: { grpc: { endpoint: `0.0.0.0:${OTLP_PORTS.grpc}` } } } },
    },
    server: { http_listen_port: TEMPO_PORT },
    storage: {
      trace: {
        backend: 's3',
        s3: { bucket: input.bucketName, endpoint: `s3.${input.region}.amazonaws.com`, region: input.region },
        wal: { path: '/var/tempo/wal' },
      },
    },
    overrides: { defaults: {}, per_tenant_override_config: '/conf/overrides.yaml' },
  });
}

/**
 * Values of Tempo: single binary, one replica, blocks in `bucketName` through `serviceAccount`'s Pod Identity (no
 * keys: the AWS SDK's default chain reads the Pod Identity agent), retention by its compactor, only the OTLP gRPC
 * receiver (the trace collectors are its only clients: no Jaeger, no OpenCensus ports).
 */
export function tempoValues(input: {
  readonly namespace: string;
  readonly bucketName: string;
  readonly region: string;
  readonly retentionDays: number;
  readonly serviceAccount: string;
  readonly size: MonitoringSize;
  readonly storageClassName: string;
}): TempoValues {
  const sizing = MONITORING_SIZES[input.size];
  return {
    fullnameOverride: MONITORING_RELEASES.tempo,
    // One replica: the single-binary chart has no replication; blocks are in S3, and while Tempo restarts the
    // collectors retry (their sending queue), like Alloy with Loki.
    replicas: 1,
    config: tempoConfig(input),
    tempo: {
      resources: sizing.tempo,
      securityContext: {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      },
    },
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      fsGroup: 10001,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    // The Pod Identity association names this service account; no IRSA annotation.
    serviceAccount: { create: true, name: input.serviceAccount, annotations: {} },
    persistence: {
      enabled: true,
      storageClassName: input.storageClassName,
      size: `${sizing.tempoVolumeGiB}Gi`,
    },
    serviceMonitor: { enabled: true },
  };
}

/** What the trace collectors keep (tail sampling), once every span of a trace has arrived. */
export interface TraceSampling {
  /** A trace with a span whose duration is at least this, in milliseconds, is kept. */
  readonly slowTraceMs: number;
  /** Percentage of the other traces (no error, not slow) kept, for a baseline. */
  readonly baselinePercent: number;
  /** How long a collector holds a trace, from its first span, before deciding. */
  readonly decisionWaitSeconds: number;
}

/**
 * The Alloy configuration of the trace collectors: tail sampling, which needs every span of a trace in the same
 * collector. Two tiers in each replica: the OTLP receiver applications send to (the Service, any replica) routes
 * spans by trace id (`otelcol.exporter.loadbalancing`) to a replica resolved from the headless Service's DNS
 * records, on a second receiver ({@link OTLP_SAMPLING_PORT}); that one samples, keeping traces with an error span,
 * traces with a slow span and a baseline percentage, and exports them to Tempo. The chart passes it through
 * Helm's `tpl`, so it must not contain `{{`.
 * @see https://grafana.com/docs/alloy/latest/reference/components/otelcol/otelcol.exporter.loadbalancing/
 * @see https://grafana.com/docs/alloy/latest/reference/components/otelcol/otelcol.processor.tail_sampling/
 */
export function alloyTracesConfig(input: {
  readonly headlessService: string;
  readonly tempoOtlpTarget: string;
  readonly sampling: TraceSampling;
}): string {
  const { sampling } = input;
  return `otelcol.receiver.otlp "apps" {
  grpc {
    endpoint = "0.0.0.0:${OTLP_PORTS.grpc}"
  }
  http {
    endpoint = "0.0.0.0:${OTLP_PORTS.http}"
  }
  output {
    traces = [otelcol.exporter.loadbalancing.by_trace.input]
  }
}

otelcol.exporter.loadbalancing "by_trace" {
  routing_key = "traceID"
  resolver {
    dns {
      hostname = "${input.headlessService}"
      port     = "${OTLP_SAMPLING_PORT}"
    }
  }
  protocol {
    otlp {
      client {
        tls {
          insecure = true
        }
      }
    }
  }
}

otelcol.receiver.otlp "sampling" {
  grpc {
    endpoint = "0.0.0.0:${OTLP_SAMPLING_PORT}"
  }
  output {
    traces = [otelcol.processor.tail_sampling.keep.input]
  }
}

otelcol.processor.tail_sampling "keep" {
  decision_wait = "${sampling.decisionWaitSeconds}s"
  policy {
    name = "errors"
    type = "status_code"
    status_code {
      status_codes = ["ERROR"]
    }
  }
  policy {
    name = "slow"
    type = "latency"
    latency {
      threshold_ms = ${sampling.slowTraceMs}
    }
  }
  policy {
    name = "baseline"
    type = "probabilistic"
    probabilistic {
      sampling_percentage = ${sampling.baselinePercent}
    }
  }
  output {
    traces = [otelcol.processor.batch.tempo.input]
  }
}

otelcol.processor.batch "tempo" {
  output {
    traces = [otelcol.exporter.otlp.tempo.input]
  }
}

otelcol.exporter.otlp "tempo" {
  client {
    endpoint = "${input.tempoOtlpTarget}"
    tls {
      insecure = true
    }
  }
}
`;
}

/** Values of the trace collectors' Alloy release (the subset we set). */
export interface AlloyTracesValues extends AlloyCommonValues {
  readonly fullnameOverride: string;
  readonly controller: {
    readonly type: 'deployment';
    readonly replicas: number;
    readonly podDisruptionBudget?: { readonly enabled: true; readonly maxUnavailable: 1 };
    readonly volumes: AlloyTmpVolume;
  };
  readonly alloy: AlloyContainerValues & {
    /** Only for the chart's headless `<fullname>-cluster` Service, whose DNS records list the replicas. */
    readonly clustering: { readonly enabled: true };
    readonly extraPorts: readonly {
      readonly name: string;
      readonly port: number;
      readonly targetPort: number;
      readonly protocol: 'TCP';
    }[];
  };
  /** Pods only: the collectors read no Kubernetes object (DNS resolves the replicas). */
  readonly rbac: { readonly create: false };
}

/**
 * Values of the trace collectors: an Alloy Deployment of `replicas` copies (a disruption budget when more than
 * one) running {@link alloyTracesConfig}, in the monitoring namespace; OTLP gRPC and HTTP on its Service.
 */
export function alloyTracesValues(input: {
  readonly namespace: string;
  readonly replicas: number;
  readonly size: MonitoringSize;
  readonly tempoOtlpTarget: string;
  readonly sampling: TraceSampling;
}): AlloyTracesValues {
  const fullname = MONITORING_RELEASES.traceCollector;
  const port = (name: string, number: number) =>
    ({ name, port: number, targetPort: number, protocol: 'TCP' }) as const;
  return {
    ...ALLOY_COMMON,
    fullnameOverride: fullname,
    controller: {
      type: 'deployment',
      replicas: input.replicas,
      ...(input.replicas > 1 ? { podDisruptionBudget: { enabled: true, maxUnavailable: 1 } as const } : {}),
      volumes: ALLOY_TMP_VOLUME,
    },
    alloy: {
      ...alloyContainer(
        alloyTracesConfig({
          headlessService: `${fullname}-cluster.${input.namespace}.svc.cluster.local`,
          tempoOtlpTarget: input.tempoOtlpTarget,
          sampling: input.sampling,
        }),
        MONITORING_SIZES[input.size].traceCollector,
      ),
      clustering: { enabled: true },
      extraPorts: [
        port('otlp-grpc', OTLP_PORTS.grpc),
        port('otlp-http', OTLP_PORTS.http),
        port('otlp-sampling', OTLP_SAMPLING_PORT),
      ],
    },
    rbac: { create: false },
  };
}
