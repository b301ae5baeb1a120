/**
 * The WMS alerting and recording rules: typed definitions, rendered into a Prometheus rule file (`{ groups }`)
 * that works both as a kube-prometheus-stack `additionalPrometheusRulesMap` entry and as a promtool rule file.
 */
import { stringify } from 'yaml';
import { CLOUDWATCH_PERIOD_SECONDS, CLOUDWATCH_SERIES } from './cloudwatch-metrics';
import type { Component, MonitoringTargets, Severity } from './targets';
import { KPS_JOBS, checkTargets, problem, selector, throwProblems } from './targets';
import { LOG_ALERTS } from './log-alert-rules';

export type { Component, Severity } from './targets';

/** One alert as the team defines it; {@link renderRuleGroups} turns it into a Prometheus alerting rule. */
export interface AlertDefinition {
  /** Alert name, PascalCase with the `Wms` prefix. */
  readonly name: string;
  /** Routing severity. */
  readonly severity: Severity;
  /** Component label, used for grouping and inhibition. */
  readonly component: Component;
  /** The PromQL expression, built from the targets' namespace and jobs. */
  readonly expr: (targets: MonitoringTargets) => string;
  /** How long the expression must hold before the alert fires (a Prometheus duration). */
  readonly for: string;
  /** The threshold in words, for the alert table. */
  readonly threshold: string;
  /** One-line summary (may use `$labels`). */
  readonly summary: string;
  /** Description (may use `$labels` and one `$value`). */
  readonly description: string;
  /** File name of the runbook under `docs/runbooks/`, without `.md`. */
  readonly runbook: string;
}

/** A Prometheus recording rule. */
export interface RecordingRule {
  /** Name of the series it records. */
  readonly record: string;
  /** PromQL expression. */
  readonly expr: string;
  /** Labels added to the recorded series. */
  readonly labels?: Readonly<Record<string, string>>;
}

/** A Prometheus alerting rule. */
export interface AlertingRule {
  /** Alert name. */
  readonly alert: string;
  /** PromQL expression. */
  readonly expr: string;
  /** Pending duration. */
  readonly for: string;
  /** Labels: `severity` and `component`. */
  readonly labels: Readonly<Record<string, string>>;
  /** Annotations: `summary`, `description`, `runbook_url`. */
  readonly annotations: Readonly<Record<string, string>>;
}

/** A rule group. */
export interface RuleGroup {
  /** Group name, unique in the file. */
  readonly name: string;
  /** Rules, evaluated in order. */
  readonly rules: readonly (RecordingRule | AlertingRule)[];
}

/** A Prometheus rule file: the `spec` of a PrometheusRule, and a kps `additionalPrometheusRulesMap` value. */
export interface PrometheusRuleFile {
  /** Rule groups. */
  readonly groups: readonly RuleGroup[];
}

/** Options of {@link renderRuleGroups}. */
export interface RuleGroupsOptions extends MonitoringTargets {
  /**
   * Base URL of the runbooks: each alert links `<runbookBaseUrl>/<runbook>.md`, e.g.
   * `https://github.com/acme/wms-platform/blob/main/docs/runbooks`. A trailing slash is dropped.
   */
  readonly runbookBaseUrl: string;
}

/** The availability SLO of the API: 99.9% of requests over 30 days do not fail with a 5xx. */
export const SLO = {
  name: 'wms-api-availability',
  objective: 0.999,
  errorBudget: 0.001,
  periodDays: 30,
} as const;

/** The SLI windows we record, shortest first. */
export const SLI_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;

/** One multi-window burn-rate condition (Google SRE workbook, 30-day SLO). */
export interface BurnRateWindow {
  /** Long window. */
  readonly long: (typeof SLI_WINDOWS)[number];
  /** Short window, which makes the alert stop soon after the errors stop. */
  readonly short: (typeof SLI_WINDOWS)[number];
  /** Burn-rate factor: the error ratio is this many times the error budget. */
  readonly factor: number;
  /** Severity of the alert the condition belongs to. */
  readonly severity: 'critical' | 'warning';
}

/** The four burn-rate conditions: page on 2% of the budget in 1 h or 5% in 6 h; ticket on 10% in 1 d or 3 d. */
export const BURN_RATE_WINDOWS: readonly BurnRateWindow[] = [
  { long: '1h', short: '5m', factor: 14.4, severity: 'critical' },
  { long: '6h', short: '30m', factor: 6, severity: 'critical' },
  { long: '1d', short: '2h', factor: 3, severity: 'warning' },
  { long: '3d', short: '6h', factor: 1, severity: 'warning' },
];

/** The team's thresholds, one place. */
export const THRESHOLDS = {
  apiErrorRatio: 0.05,
  apiMinRequestsPerSecond: 0.1,
  apiLatencyP95Seconds: 2,
  diskUsedRatio: 0.8,
  memoryUsedRatio: 0.85,
  replicaLagSeconds: 1,
  databaseLoadPerVcpu: 1,
  trafficChangeFactor: 2,
  trafficMinRequestsPerSecond: 0.1,
} as const;

const GIB = 1024 ** 3;
const pct = (ratio: number) => `${Number((ratio * 100).toFixed(2))}%`;

const api = (t: MonitoringTargets, ...raw: string[]) =>
  selector({ namespace: t.namespace, job: t.apiJob }, ...raw);
const ksm = (t: MonitoringTargets, ...raw: string[]) =>
  selector({ job: KPS_JOBS.kubeStateMetrics, namespace: t.namespace }, ...raw);
const node = (...raw: string[]) => selector({ job: KPS_JOBS.nodeExporter }, ...raw);
const sloSelector = selector({ slo: SLO.name });

/** The recorded SLI series of one window. */
export const sliRecord = (window: string) => `slo:sli_error:ratio_rate${window}`;

function burnCondition(w: BurnRateWindow): string {
  const side = (window: string) =>
    `max without (sli_window) (${sliRecord(window)}${sloSelector} > (${w.factor} * ${SLO.errorBudget}))`;
  return `(${side(w.long)} and ${side(w.short)})`;
}

function burnExpr(severity: BurnRateWindow['severity']): string {
  return BURN_RATE_WINDOWS.filter((w) => w.severity === severity)
    .map(burnCondition)
    .join(' or ');
}

function burnThreshold(severity: BurnRateWindow['severity']): string {
  return BURN_RATE_WINDOWS.filter((w) => w.severity === severity)
    .map((w) => `${w.long}/${w.short} error ratio > ${w.factor}x budget (${pct(w.factor * SLO.errorBudget)})`)
    .join(' or ');
}

/** Every WMS alert, critical first. */
export const ALERTS: readonly AlertDefinition[] = [
  {
    name: 'WmsApiHighErrorRate',
    severity: 'critical',
    component: 'wms-api',
    expr: (t) =>
      `namespace_job:http_requests_5xx:ratio_rate5m${api(t)} > ${THRESHOLDS.apiErrorRatio} ` +
      `and on (namespace, job) namespace_job:http_requests:rate5m${api(t)} > ${THRESHOLDS.apiMinRequestsPerSecond}`,
    for: '5m',
    threshold: `5xx / all requests > ${pct(THRESHOLDS.apiErrorRatio)} over 5 m (at > ${THRESHOLDS.apiMinRequestsPerSecond} req/s)`,
    summary: 'WMS API: more than 5% of requests fail with 5xx',
    description:
      '{{ $value | humanizePercentage }} of the requests to {{ $labels.namespace }}/{{ $labels.job }} ' +
      'failed with a 5xx status over the last 5 minutes.',
    runbook: 'WmsApiHighErrorRate',
  },
  {
    name: 'WmsApiDown',
    severity: 'critical',
    component: 'wms-api',
    // The stable Service selects the stable version's pods (Argo Rollouts): its Endpoints list their addresses, ready or
    // not. kube-state-metrics exports one series per address and port, so "no ready address" is the absence of
    // any series with ready="true" (all not ready, none at all, or the Service gone); absent() keeps the
    // equality matchers as labels, and the sum drops `job` and `ready`.
    expr: (t) =>
      `sum by (namespace, endpoint) (absent(kube_endpoint_address` +
      `${ksm(t, `endpoint="${t.apiService}"`, 'ready="true"')}))`,
    for: '2m',
    threshold: 'no ready pod behind the live API Service',
    summary: 'WMS API has no ready pod behind its live Service',
    description:
      'Service {{ $labels.namespace }}/{{ $labels.endpoint }} has had no ready address for 2 minutes: no pod of ' +
      'the stable version passes its readiness probe (or kube-state-metrics reports nothing about the Service).',
    runbook: 'WmsApiDown',
  },
  {
    name: 'WmsApiProbeFailing',
    severity: 'critical',
    component: 'wms-api',
    expr: (t) => `max by (job, instance) (probe_success${selector({ job: t.probeJob })}) == 0`,
    for: '2m',
    threshold: 'external HTTPS probe through the load balancer fails',
    summary: 'WMS API is unreachable from outside',
    description: 'The blackbox probe of {{ $labels.instance }} has failed for 2 minutes.',
    runbook: 'WmsApiProbeFailing',
  },
  {
    name: 'WmsWebDown',
    severity: 'critical',
    component: 'wms-web',
    // The users' entry point: the front end's page through the load balancer, as a browser loads it. The absent()
    // branch pages when the probe reports nothing (scrape job or blackbox exporter gone), as for the database.
    expr: (t) => {
      const probe = `probe_success${selector({ job: t.webProbeJob })}`;
      return `max by (job, instance) (${probe}) == 0 or absent(${probe})`;
    },
    for: '2m',
    threshold: 'external HTTPS probe of the web front end fails, or the probe reports nothing',
    summary: 'WMS web front end is down for its users',
    description:
      'The blackbox probe {{ $labels.job }} of the web front end (https://<domain>/ through the load balancer) ' +
      'has failed, or reported nothing, for 2 minutes: users cannot load the WMS web application.',
    runbook: 'WmsWebDown',
  },
  {
    name: 'WmsDatabasePoolExhausted',
    severity: 'critical',
    component: 'wms-database',
    expr: (t) =>
      `sum by (namespace, pod) (pg_pool_active_connections${api(t)}) ` +
      `>= sum by (namespace, pod) (pg_pool_max${api(t)}) ` +
      `and on (namespace, pod) sum by (namespace, pod) (pg_pool_waiting_connections${api(t)}) > 0`,
    for: '2m',
    threshold: 'all pool connections in use and requests waiting',
    summary: 'WMS API database connection pool exhausted on {{ $labels.pod }}',
    description:
      'Pod {{ $labels.namespace }}/{{ $labels.pod }} uses all {{ $value }} connections of its database pool ' +
      'and queries are waiting for one.',
    runbook: 'WmsDatabasePoolExhausted',
  },
  {
    name: 'WmsDatabaseUnreachable',
    severity: 'critical',
    component: 'wms-database',
    // A TCP connect to the RDS Proxy, no TLS: the proxy speaks PostgreSQL's own STARTTLS (SSLRequest after the
    // connect), which no blackbox prober does, and a login needs an IAM token no exporter can use. Reachability
    // is what a plain connect proves. The absent() branch pages when the probe job reports nothing.
    expr: (t) => {
      const probe = `probe_success${selector({ job: t.databaseProbeJob })}`;
      return `max by (job, instance) (${probe}) == 0 or absent(${probe})`;
    },
    for: '2m',
    threshold: 'TCP connect to the RDS Proxy on 5432 fails, or the probe reports nothing',
    summary: 'WMS database proxy unreachable',
    description:
      'The TCP probe {{ $labels.job }} cannot connect to the database RDS Proxy on port 5432 (a plain connect: ' +
      'the proxy negotiates TLS inside the PostgreSQL protocol), or the probe has reported nothing, for 2 minutes.',
    runbook: 'WmsDatabaseUnreachable',
  },
  {
    name: 'WmsApiErrorBudgetBurn',
    severity: 'critical',
    component: 'wms-api',
    expr: () => burnExpr('critical'),
    for: '2m',
    threshold: burnThreshold('critical'),
    summary: 'WMS API burns its 99.9% availability error budget fast',
    description:
      '{{ $value | humanizePercentage }} of API requests failed over the long window: at this rate the ' +
      '30-day error budget of the 99.9% SLO is spent in less than 5 days.',
    runbook: 'WmsApiErrorBudgetBurn',
  },
  {
    name: 'WmsApiErrorBudgetBurnSlow',
    severity: 'warning',
    component: 'wms-api',
    expr: () => burnExpr('warning'),
    for: '15m',
    threshold: burnThreshold('warning'),
    summary: 'WMS API burns its 99.9% availability error budget',
    description:
      '{{ $value | humanizePercentage }} of API requests failed over the long window: at this rate the ' +
      '30-day error budget of the 99.9% SLO is spent within 30 days.',
    runbook: 'WmsApiErrorBudgetBurnSlow',
  },
  {
    name: 'WmsApiHighLatencyP95',
    severity: 'warning',
    component: 'wms-api',
    expr: (t) =>
      `namespace_job:http_request_duration_seconds:p95_rate5m${api(t)} > ${THRESHOLDS.apiLatencyP95Seconds}`,
    for: '10m',
    threshold: `p95 request duration > ${THRESHOLDS.apiLatencyP95Seconds} s over 5 m`,
    summary: 'WMS API p95 latency above 2 s',
    description:
      'The 95th percentile of request durations of {{ $labels.namespace }}/{{ $labels.job }} is ' +
      '{{ $value | humanizeDuration }}.',
    runbook: 'WmsApiHighLatencyP95',
  },
  {
    name: 'WmsNodeDiskUsageHigh',
    severity: 'warning',
    component: 'wms-platform',
    expr: () => {
      const fs = (metric: string) => `${metric}${node('fstype=~"ext4|xfs"')}`;
      return (
        `(1 - ${fs('node_filesystem_avail_bytes')} / ${fs('node_filesystem_size_bytes')}) > ${THRESHOLDS.diskUsedRatio} ` +
        `and ${fs('node_filesystem_readonly')} == 0`
      );
    },
    for: '15m',
    threshold: `node filesystem > ${pct(THRESHOLDS.diskUsedRatio)} used`,
    summary: 'Node disk {{ $labels.mountpoint }} on {{ $labels.instance }} above 80%',
    description:
      'Filesystem {{ $labels.mountpoint }} on {{ $labels.instance }} is {{ $value | humanizePercentage }} full.',
    runbook: 'WmsNodeDiskUsageHigh',
  },
  {
    name: 'WmsVolumeUsageHigh',
    severity: 'warning',
    component: 'wms-platform',
    expr: () => {
      const kubelet = selector({ job: KPS_JOBS.kubelet, metrics_path: '/metrics' });
      return (
        `(1 - kubelet_volume_stats_available_bytes${kubelet} / kubelet_volume_stats_capacity_bytes${kubelet}) ` +
        `> ${THRESHOLDS.diskUsedRatio}`
      );
    },
    for: '15m',
    threshold: `persistent volume > ${pct(THRESHOLDS.diskUsedRatio)} used`,
    summary: 'Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} above 80%',
    description:
      'PersistentVolumeClaim {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is ' +
      '{{ $value | humanizePercentage }} full.',
    runbook: 'WmsVolumeUsageHigh',
  },
  {
    name: 'WmsDatabaseStorageHigh',
    severity: 'warning',
    component: 'wms-database',
    expr: (t) =>
      `1 - min by (job, dimension_DBInstanceIdentifier) ` +
      `(${CLOUDWATCH_SERIES.rds('FreeLocalStorage', 'Minimum')}${selector({ job: t.cloudwatchExporterJob })}) ` +
      `/ ${t.databaseLocalStorageGiB * GIB} > ${THRESHOLDS.diskUsedRatio}`,
    for: '15m',
    threshold: `Aurora instance local storage > ${pct(THRESHOLDS.diskUsedRatio)} used`,
    summary: 'Database instance {{ $labels.dimension_DBInstanceIdentifier }} local storage above 80%',
    description:
      'Aurora instance {{ $labels.dimension_DBInstanceIdentifier }} has used ' +
      '{{ $value | humanizePercentage }} of its local storage (temporary files, sorts).',
    runbook: 'WmsDatabaseStorageHigh',
  },
  {
    name: 'WmsPodMemoryHigh',
    severity: 'warning',
    component: 'wms-workloads',
    expr: (t) =>
      `sum by (namespace, pod, container) (container_memory_working_set_bytes` +
      `${selector({ job: KPS_JOBS.kubelet, metrics_path: '/metrics/cadvisor', namespace: t.namespace }, 'container!=""', 'image!=""')}) ` +
      `/ sum by (namespace, pod, container) (kube_pod_container_resource_limits${ksm(t, 'resource="memory"')}) ` +
      `> ${THRESHOLDS.memoryUsedRatio}`,
    for: '15m',
    threshold: `container memory > ${pct(THRESHOLDS.memoryUsedRatio)} of its limit`,
    summary: 'Container {{ $labels.pod }}/{{ $labels.container }} above 85% of its memory limit',
    description:
      'Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.pod }} uses ' +
      '{{ $value | humanizePercentage }} of its memory limit.',
    runbook: 'WmsPodMemoryHigh',
  },
  {
    name: 'WmsNodeMemoryHigh',
    severity: 'warning',
    component: 'wms-platform',
    expr: () =>
      `(1 - node_memory_MemAvailable_bytes${node()} / node_memory_MemTotal_bytes${node()}) > ${THRESHOLDS.memoryUsedRatio}`,
    for: '15m',
    threshold: `node memory > ${pct(THRESHOLDS.memoryUsedRatio)} used`,
    summary: 'Node {{ $labels.instance }} memory above 85%',
    description: 'Node {{ $labels.instance }} uses {{ $value | humanizePercentage }} of its memory.',
    runbook: 'WmsNodeMemoryHigh',
  },
  {
    name: 'WmsPodCrashLooping',
    severity: 'warning',
    component: 'wms-workloads',
    expr: (t) =>
      `max_over_time(kube_pod_container_status_waiting_reason${ksm(t, 'reason="CrashLoopBackOff"')}[5m]) >= 1`,
    for: '15m',
    threshold: 'container in CrashLoopBackOff',
    summary: 'Pod {{ $labels.pod }} is crash looping',
    description:
      'Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.pod }} has been in ' +
      'CrashLoopBackOff for 15 minutes.',
    runbook: 'WmsPodCrashLooping',
  },
  {
    name: 'WmsHpaMaxedOut',
    severity: 'warning',
    component: 'wms-workloads',
    expr: (t) =>
      `kube_horizontalpodautoscaler_status_current_replicas${ksm(t)} ` +
      `>= kube_horizontalpodautoscaler_spec_max_replicas${ksm(t)} ` +
      `and kube_horizontalpodautoscaler_spec_max_replicas${ksm(t)} ` +
      `> kube_horizontalpodautoscaler_spec_min_replicas${ksm(t)}`,
    for: '15m',
    threshold: 'HPA at its maximum replicas (and max > min)',
    summary: 'HPA {{ $labels.horizontalpodautoscaler }} at its maximum for 15 minutes',
    description:
      'HorizontalPodAutoscaler {{ $labels.namespace }}/{{ $labels.horizontalpodautoscaler }} has run at ' +
      'its maximum of {{ $value }} replicas for 15 minutes.',
    runbook: 'WmsHpaMaxedOut',
  },
  // Issue #15: progressive delivery (Argo Rollouts controller metrics, selected by namespace: the job is the
  // controller's metrics Service).
  {
    name: 'WmsRolloutAborted',
    severity: 'warning',
    component: 'wms-delivery',
    expr: (t) =>
      `sum by (namespace, name) (increase(rollout_events_total` +
      `${selector({ namespace: t.namespace, reason: 'RolloutAborted' })}[15m])) > 0`,
    for: '0m',
    threshold: 'a RolloutAborted event in the last 15 minutes',
    summary: 'Release of {{ $labels.name }} aborted: traffic is back on the stable version',
    description:
      'Rollout {{ $labels.namespace }}/{{ $labels.name }} aborted a release in the last 15 minutes (failed ' +
      'analysis or progress deadline): all traffic is on the stable version, and the release needs a fix.',
    runbook: 'WmsRolloutAborted',
  },
  {
    name: 'WmsRolloutStalled',
    severity: 'warning',
    component: 'wms-delivery',
    expr: (t) =>
      `max by (namespace, name) (rollout_info` +
      `${selector({ namespace: t.namespace }, 'phase=~"Progressing|Paused"')}) > 0`,
    for: '15m',
    threshold: 'a Rollout Progressing or Paused for 15 minutes (a release takes under 5)',
    summary: 'Release of {{ $labels.name }} stalled for 15 minutes',
    description:
      'Rollout {{ $labels.namespace }}/{{ $labels.name }} has been progressing or paused for 15 minutes; a ' +
      'release takes under 5 minutes and stalls abort after 10 minutes without progress.',
    runbook: 'WmsRolloutStalled',
  },
  {
    name: 'WmsDatabaseReplicaLagHigh',
    severity: 'warning',
    component: 'wms-database',
    expr: (t) =>
      `max by (job, dimension_DBInstanceIdentifier) ` +
      `(${CLOUDWATCH_SERIES.rds('AuroraReplicaLag', 'Average')}${selector({ job: t.cloudwatchExporterJob })}) / 1000 ` +
      `> ${THRESHOLDS.replicaLagSeconds}`,
    for: '10m',
    threshold: `Aurora replica lag > ${THRESHOLDS.replicaLagSeconds} s`,
    summary: 'Database replica {{ $labels.dimension_DBInstanceIdentifier }} lags the writer',
    description:
      'Aurora reader {{ $labels.dimension_DBInstanceIdentifier }} lags the writer by {{ $value | humanizeDuration }}.',
    runbook: 'WmsDatabaseReplicaLagHigh',
  },
  {
    name: 'WmsDatabaseLoadHigh',
    severity: 'warning',
    component: 'wms-database',
    // Performance Insights' DBLoad (average active sessions) over the instance's vCPUs, as RDS publishes it to
    // CloudWatch: above 1, sessions wait for CPU, locks or I/O instead of running; queries slow down for everyone.
    // RDS publishes it only while there is load, so an idle database has no series and stays quiet.
    expr: (t) =>
      `max by (job, dimension_DBInstanceIdentifier) ` +
      `(${CLOUDWATCH_SERIES.rds('DBLoadRelativeToNumVCPUs', 'Average')}${selector({ job: t.cloudwatchExporterJob })}) ` +
      `> ${THRESHOLDS.databaseLoadPerVcpu}`,
    for: '15m',
    threshold: `Performance Insights database load > ${THRESHOLDS.databaseLoadPerVcpu} active session per vCPU`,
    summary: 'Database instance {{ $labels.dimension_DBInstanceIdentifier }} is overloaded',
    description:
      'Aurora instance {{ $labels.dimension_DBInstanceIdentifier }} has {{ printf "%.2f" $value }} active ' +
      'sessions per vCPU (Performance Insights DBLoad, 5-minute average): queries wait for CPU, locks or I/O.',
    runbook: 'WmsDatabaseLoadHigh',
  },
  {
    name: 'WmsApiUnusualTraffic',
    severity: 'info',
    component: 'wms-api',
    expr: (t) => {
      const rate = (offset: string) =>
        `sum by (namespace, job) (rate(http_requests_total${api(t)}[1h]${offset}))`;
      const ratio = `${rate('')} / ${rate(' offset 1w')}`;
      const factor = THRESHOLDS.trafficChangeFactor;
      return (
        `(${ratio} > ${factor} or ${ratio} < ${1 / factor}) ` +
        `and on (namespace, job) ${rate(' offset 1w')} > ${THRESHOLDS.trafficMinRequestsPerSecond}`
      );
    },
    for: '30m',
    threshold:
      `1 h request rate > ${THRESHOLDS.trafficChangeFactor}x or < 1/${THRESHOLDS.trafficChangeFactor} ` +
      `of the same hour last week`,
    summary: 'WMS API traffic differs from the same time last week',
    description:
      'The request rate of {{ $labels.namespace }}/{{ $labels.job }} is {{ printf "%.2f" $value }} times ' +
      'the rate of the same hour last week.',
    runbook: 'WmsApiUnusualTraffic',
  },
  {
    name: 'WmsDatabaseSlowQueries',
    severity: 'info',
    component: 'wms-database',
    // YACE exports the Sum of the latest 5-minute CloudWatch period; `for: 15m` asks for slow statements in every
    // period for 15 minutes, a sustained slowdown rather than one slow report. max, not sum: a second YACE replica
    // would export the same series again.
    expr: (t) =>
      `max by (job) (${CLOUDWATCH_SERIES.slowQueries}${selector({ job: t.cloudwatchExporterJob })}) > 0`,
    for: '15m',
    threshold:
      `statements slower than log_min_duration_statement logged in every ` +
      `${CLOUDWATCH_PERIOD_SECONDS / 60}-minute period for 15 m`,
    summary: 'Slow statements on the WMS database for 15 minutes',
    description:
      'PostgreSQL logged {{ $value }} statements slower than log_min_duration_statement in the last 5-minute ' +
      'CloudWatch period, and slow statements in every period of the last 15 minutes.',
    runbook: 'WmsDatabaseSlowQueries',
  },
];

function recordingGroups(t: MonitoringTargets): RuleGroup[] {
  const requests = (window: string, ...raw: string[]) =>
    `sum by (namespace, job) (rate(http_requests_total${api(t, ...raw)}[${window}]))`;
  // `or ... * 0`: prom-client creates the 5xx series at the first 5xx, so without it the ratio would be missing
  // (not 0) while there has been no error. `> 0` drops windows without traffic instead of recording NaN, which
  // would poison the 30-day average.
  const ratio = (window: string, code: string) =>
    `(${requests(window, `code=~"${code}"`)} or ${requests(window)} * 0) / (${requests(window)} > 0)`;
  const errorRatio = (window: string) => ratio(window, '5..');
  const quantile = (q: number) =>
    `histogram_quantile(${q}, sum by (namespace, job, le) (rate(http_request_duration_seconds_bucket${api(t)}[5m])))`;
  return [
    {
      name: 'wms-api.recording',
      rules: [
        { record: 'namespace_job:http_requests:rate5m', expr: requests('5m') },
        { record: 'namespace_job:http_requests_5xx:ratio_rate5m', expr: errorRatio('5m') },
        // Client errors: not the SLO's errors, but a jump shows a broken client release, an expired login or a
        // route renamed under the front end.
        { record: 'namespace_job:http_requests_4xx:ratio_rate5m', expr: ratio('5m', '4..') },
        { record: 'namespace_job:http_request_duration_seconds:p50_rate5m', expr: quantile(0.5) },
        { record: 'namespace_job:http_request_duration_seconds:p95_rate5m', expr: quantile(0.95) },
        { record: 'namespace_job:http_request_duration_seconds:p99_rate5m', expr: quantile(0.99) },
      ],
    },
    {
      name: 'wms-slo.recording',
      rules: [
        ...SLI_WINDOWS.map((window) => ({
          record: sliRecord(window),
          expr: errorRatio(window),
          labels: { slo: SLO.name, sli_window: window },
        })),
        {
          // As Sloth does: the 30-day ratio is the mean of the 5-minute ratios, so Prometheus never reads 30 days
          // of raw samples at each evaluation.
          record: sliRecord('30d'),
          expr:
            `sum_over_time(${sliRecord('5m')}${sloSelector}[30d]) ` +
            `/ count_over_time(${sliRecord('5m')}${sloSelector}[30d])`,
          labels: { slo: SLO.name, sli_window: '30d' },
        },
        { record: 'slo:objective:ratio', expr: `vector(${SLO.objective})`, labels: { slo: SLO.name } },
        { record: 'slo:error_budget:ratio', expr: `vector(${SLO.errorBudget})`, labels: { slo: SLO.name } },
        {
          record: 'slo:period_error_budget_remaining:ratio',
          expr: `1 - max without (sli_window) (${sliRecord('30d')}${sloSelector}) / ${SLO.errorBudget}`,
          labels: { slo: SLO.name },
        },
      ],
    },
  ];
}

/**
 * Renders every WMS recording and alerting rule as a Prometheus rule file.
 * Alerts are grouped per component; each carries `severity`, `component`, `summary`, `description` and
 * `runbook_url` = `<runbookBaseUrl>/<runbook>.md`.
 * @throws listing every invalid option, each with its value and what is allowed
 */
export function renderRuleGroups(options: RuleGroupsOptions): PrometheusRuleFile {
  const where = 'renderRuleGroups';
  const problems: string[] = [];
  checkTargets(where, options, problems);
  const base = typeof options.runbookBaseUrl === 'string' ? options.runbookBaseUrl.replace(/\/+$/, '') : '';
  if (!/^https:\/\/[^\s"'<>]+$/.test(base)) {
    problems.push(problem(where, 'runbookBaseUrl', options.runbookBaseUrl, 'an https:// URL without spaces'));
  }
  throwProblems(problems);

  const components: Component[] = [
    'wms-api',
    'wms-web',
    'wms-database',
    'wms-workloads',
    'wms-platform',
    'wms-delivery',
  ];
  const alertGroups: RuleGroup[] = components.map((component) => ({
    name: `${component}.alerts`,
    rules: ALERTS.filter((a) => a.component === component).map((a): AlertingRule => ({
      alert: a.name,
      expr: a.expr(options),
      for: a.for,
      labels: { severity: a.severity, component: a.component },
      annotations: {
        summary: a.summary,
        description: a.description,
        runbook_url: `${base}/${a.runbook}.md`,
      },
    })),
  }));
  return { groups: [...recordingGroups(options), ...alertGroups] };
}

/** {@link renderRuleGroups} as YAML, for promtool and for review. */
export function renderRuleFileYaml(options: RuleGroupsOptions): string {
  return stringify(renderRuleGroups(options), { lineWidth: 0 });
}

/** Markers around the generated alert table in `docs/monitoring.md`. */
export const ALERT_TABLE_MARKERS = {
  start: '<!-- alert-table:start (generated by renderAlertTable; do not edit by hand) -->',
  end: '<!-- alert-table:end -->',
} as const;

/**
 * The alert table of `docs/monitoring.md` and the README, generated from {@link ALERTS} and the log alerts
 * (`LOG_ALERTS`, evaluated by Loki's ruler, "(Loki)" in their threshold): name, severity,
 * threshold, `for`, runbook, then the count per severity. Wrapped in prettier-ignore so the formatter leaves it as
 * generated.
 * @param runbookDir - the runbooks folder relative to the document (`runbooks` from docs/, `docs/runbooks` from
 *   the README)
 */
export function renderAlertTable(runbookDir = 'runbooks'): string {
  const order: Severity[] = ['critical', 'warning', 'info'];
  const all = [...ALERTS, ...LOG_ALERTS];
  const rows = [...all]
    .sort((a, b) => order.indexOf(a.severity) - order.indexOf(b.severity))
    .map(
      (a) =>
        `| ${a.name} | ${a.severity} | ${a.threshold.replace(/\|/g, '\\|')} | ${a.for} | ` +
        `[${a.runbook}.md](${runbookDir}/${a.runbook}.md) |`,
    );
  return [
    ALERT_TABLE_MARKERS.start,
    '<!-- prettier-ignore-start -->',
    '| Alert | Severity | Threshold | For | Runbook |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '<!-- prettier-ignore-end -->',
    '',
    `${order.map((s) => `${all.filter((a) => a.severity === s).length} ${s}`).join(', ')} ` +
      '(critical pages, warning opens a ticket, info is only recorded).',
    ALERT_TABLE_MARKERS.end,
  ].join('\n');
}

/**
 * Replaces the generated alert table (between the markers) in a markdown document with the current one.
 * @param runbookDir - as for {@link renderAlertTable}
 * @throws if the document lacks the markers
 */
export function withAlertTable(markdown: string, runbookDir = 'runbooks'): string {
  const start = markdown.indexOf(ALERT_TABLE_MARKERS.start);
  const end = markdown.indexOf(ALERT_TABLE_MARKERS.end);
  if (start < 0 || end < start) {
    throw new Error(
      `withAlertTable: the document lacks the markers ${ALERT_TABLE_MARKERS.start} ... ${ALERT_TABLE_MARKERS.end}`,
    );
  }
  return (
    markdown.slice(0, start) +
    renderAlertTable(runbookDir) +
    markdown.slice(end + ALERT_TABLE_MARKERS.end.length)
  );
}
