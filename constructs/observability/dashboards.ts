/**
 * Grafana dashboards of the WMS as code: RED of the API, saturation, database, and SLO / error budget. Each is
 * Grafana JSON (schema 39) whose queries read only catalogued metrics and our recording rules, rendered
 * deterministically (sorted keys, no timestamps or ids that change) for the Grafana sidecar's ConfigMaps.
 */
import { SLI_WINDOWS, SLO, BURN_RATE_WINDOWS, THRESHOLDS, sliRecord } from './alert-rules';
import { CLOUDWATCH_PERIOD_SECONDS, CLOUDWATCH_SERIES } from './cloudwatch-metrics';
import type { MonitoringTargets } from './targets';
import { KPS_JOBS, checkTargets, selector, throwProblems } from './targets';

/** Options of {@link renderDashboards}: the same targets the alert rules select on. */
export type DashboardOptions = MonitoringTargets;

/** The `uid` of each dashboard; the file name is `<uid>.json`. */
export const DASHBOARD_UIDS = {
  apiRed: 'wms-api-red',
  saturation: 'wms-saturation',
  database: 'wms-database',
  slo: 'wms-slo',
  delivery: 'wms-delivery',
} as const;

/** The Grafana template variable every panel takes its Prometheus data source from. */
export const DATASOURCE_VARIABLE = 'datasource';

interface Query {
  readonly expr: string;
  readonly legend: string;
}

interface PanelSpec {
  readonly title: string;
  readonly description: string;
  readonly unit: string;
  readonly queries: readonly Query[];
  readonly type?: 'timeseries' | 'stat';
  /** Draws a red threshold line (timeseries) or turns the value red (stat) from this value. */
  readonly threshold?: number;
  /** Grid width out of 24. */
  readonly width?: number;
}

const DATASOURCE = { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` };
const GIB = 1024 ** 3;

function panel(spec: PanelSpec, id: number, x: number, y: number): Record<string, unknown> {
  const type = spec.type ?? 'timeseries';
  const steps: Record<string, unknown>[] = [{ color: 'green', value: null }];
  if (spec.threshold !== undefined) steps.push({ color: 'red', value: spec.threshold });
  return {
    id,
    type,
    title: spec.title,
    description: spec.description,
    datasource: DATASOURCE,
    gridPos: { x, y, w: spec.width ?? 12, h: type === 'stat' ? 5 : 8 },
    fieldConfig: {
      defaults: {
        unit: spec.unit,
        thresholds: { mode: 'absolute', steps },
        ...(type === 'timeseries'
          ? { custom: { thresholdsStyle: { mode: spec.threshold === undefined ? 'off' : 'line' } } }
          : {}),
      },
      overrides: [],
    },
    options: type === 'stat' ? { reduceOptions: { calcs: ['lastNotNull'] }, colorMode: 'value' } : {},
    targets: spec.queries.map((q, index) => ({
      refId: String.fromCharCode(65 + index),
      datasource: DATASOURCE,
      expr: q.expr,
      legendFormat: q.legend,
    })),
  };
}

/**
 * The deploy annotations every dashboard shows: a marker when a release of a WMS Rollout starts
 * (`RolloutUpdated`), completes or aborts, from the Argo Rollouts controller's event counter.
 */
export function deployAnnotation(t: MonitoringTargets): Record<string, unknown> {
  const events = selector(
    { namespace: t.namespace },
    'reason=~"RolloutUpdated|RolloutCompleted|RolloutAborted"',
  );
  return {
    name: 'Deploys',
    datasource: DATASOURCE,
    enable: true,
    iconColor: 'blue',
    // One sample per step where the counter grew: Grafana draws a marker for each.
    expr: `sum by (name, reason) (increase(rollout_events_total${events}[2m])) > 0`,
    step: '1m',
    titleFormat: '{{reason}}',
    textFormat: 'Rollout {{name}}',
    tagKeys: 'name,reason',
    useValueForTime: false,
  };
}

function dashboard(
  t: MonitoringTargets,
  uid: string,
  title: string,
  description: string,
  specs: readonly PanelSpec[],
) {
  const panels: Record<string, unknown>[] = [];
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  specs.forEach((spec, index) => {
    const width = spec.width ?? 12;
    const height = (spec.type ?? 'timeseries') === 'stat' ? 5 : 8;
    if (x + width > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    panels.push(panel(spec, index + 1, x, y));
    x += width;
    rowHeight = Math.max(rowHeight, height);
  });
  return {
    uid,
    title,
    description,
    tags: ['wms'],
    editable: false,
    schemaVersion: 39,
    version: 1,
    refresh: '1m',
    time: { from: 'now-6h', to: 'now' },
    timezone: 'utc',
    templating: {
      list: [
        {
          name: DATASOURCE_VARIABLE,
          label: 'Data source',
          type: 'datasource',
          query: 'prometheus',
          current: {},
          hide: 0,
        },
      ],
    },
    annotations: { list: [deployAnnotation(t)] },
    panels,
  };
}

function apiRed(t: MonitoringTargets) {
  const api = selector({ namespace: t.namespace, job: t.apiJob });
  const api5xx = selector({ namespace: t.namespace, job: t.apiJob }, 'code=~"5.."');
  const api4xx = selector({ namespace: t.namespace, job: t.apiJob }, 'code=~"4.."');
  const quantile = (q: string) => `namespace_job:http_request_duration_seconds:${q}_rate5m${api}`;
  return dashboard(t, DASHBOARD_UIDS.apiRed, 'WMS / API (RED)', 'Rate, errors and duration of the WMS API.', [
    {
      title: 'Request rate',
      description: 'Requests per second, all routes.',
      unit: 'reqps',
      queries: [{ expr: `namespace_job:http_requests:rate5m${api}`, legend: '{{job}}' }],
    },
    {
      title: 'Request rate by route',
      description: 'Requests per second per route and method.',
      unit: 'reqps',
      queries: [
        {
          expr: `sum by (route, method) (rate(http_requests_total${api}[5m]))`,
          legend: '{{method}} {{route}}',
        },
      ],
    },
    {
      title: 'Error ratio (5xx)',
      description: 'Share of requests answered with a 5xx status; WmsApiHighErrorRate pages above the line.',
      unit: 'percentunit',
      threshold: THRESHOLDS.apiErrorRatio,
      queries: [{ expr: `namespace_job:http_requests_5xx:ratio_rate5m${api}`, legend: '5xx ratio' }],
    },
    {
      title: 'Client error ratio (4xx)',
      description:
        'Share of requests answered with a 4xx status: not counted against the SLO, but a jump shows a broken ' +
        'client release, expired logins or a route renamed under the front end.',
      unit: 'percentunit',
      queries: [{ expr: `namespace_job:http_requests_4xx:ratio_rate5m${api}`, legend: '4xx ratio' }],
    },
    {
      title: '4xx by route',
      description: '4xx responses per second per route and status code.',
      unit: 'reqps',
      queries: [
        {
          expr: `sum by (route, code) (rate(http_requests_total${api4xx}[5m]))`,
          legend: '{{code}} {{route}}',
        },
      ],
    },
    {
      title: '5xx by route',
      description: '5xx responses per second per route and status code.',
      unit: 'reqps',
      queries: [
        {
          expr: `sum by (route, code) (rate(http_requests_total${api5xx}[5m]))`,
          legend: '{{code}} {{route}}',
        },
      ],
    },
    {
      title: 'Duration p50 / p95 / p99',
      description:
        'Request duration quantiles; WmsApiHighLatencyP95 opens a ticket when p95 stays above the line.',
      unit: 's',
      threshold: THRESHOLDS.apiLatencyP95Seconds,
      queries: [
        { expr: quantile('p50'), legend: 'p50' },
        { expr: quantile('p95'), legend: 'p95' },
        { expr: quantile('p99'), legend: 'p99' },
      ],
    },
    {
      title: 'Duration p95 by route',
      description: '95th percentile of request duration per route.',
      unit: 's',
      threshold: THRESHOLDS.apiLatencyP95Seconds,
      queries: [
        {
          expr: `histogram_quantile(0.95, sum by (route, le) (rate(http_request_duration_seconds_bucket${api}[5m])))`,
          legend: '{{route}}',
        },
      ],
    },
    {
      title: 'Ready pods',
      description:
        'Ready pods behind the stable Service (WmsApiDown pages at none), and available replicas of the ' +
        'API Rollout (stable and canary together, from the Argo Rollouts controller).',
      unit: 'short',
      queries: [
        {
          expr:
            `count by (endpoint) (count by (endpoint, ip) (kube_endpoint_address` +
            selector(
              { job: KPS_JOBS.kubeStateMetrics, namespace: t.namespace, endpoint: t.apiService },
              'ready="true"',
            ) +
            `))`,
          legend: 'stable Service {{endpoint}}',
        },
        {
          expr: `rollout_info_replicas_available` + selector({ namespace: t.namespace, name: t.apiService }),
          legend: 'Rollout {{name}} available',
        },
      ],
    },
    {
      title: 'External probe',
      description: '1 when the blackbox probe through the load balancer succeeds.',
      unit: 'short',
      queries: [{ expr: `probe_success${selector({ job: t.probeJob })}`, legend: '{{instance}}' }],
    },
    {
      title: 'Web front end probe',
      description:
        '1 when the blackbox probe of the web front end (https://<domain>/) succeeds; WmsWebDown pages at 0.',
      unit: 'short',
      queries: [{ expr: `probe_success${selector({ job: t.webProbeJob })}`, legend: '{{instance}}' }],
    },
    {
      title: 'Web front end probe duration',
      description: 'Time the probe of the front end takes: DNS, connect, TLS, and the page itself.',
      unit: 's',
      queries: [
        { expr: `probe_duration_seconds${selector({ job: t.webProbeJob })}`, legend: '{{instance}}' },
      ],
    },
  ]);
}

function saturation(t: MonitoringTargets) {
  const cadvisor = selector(
    { job: KPS_JOBS.kubelet, metrics_path: '/metrics/cadvisor', namespace: t.namespace },
    'container!=""',
    'image!=""',
  );
  const ksm = (...raw: string[]) =>
    selector({ job: KPS_JOBS.kubeStateMetrics, namespace: t.namespace }, ...raw);
  const node = (...raw: string[]) => selector({ job: KPS_JOBS.nodeExporter }, ...raw);
  const fs = node('fstype=~"ext4|xfs"');
  const kubelet = selector({ job: KPS_JOBS.kubelet, metrics_path: '/metrics' });
  return dashboard(
    t,
    DASHBOARD_UIDS.saturation,
    'WMS / Saturation',
    'CPU, memory and disk of WMS pods and nodes.',
    [
      {
        title: 'Pod CPU / requests',
        description: 'CPU used by each pod as a share of its CPU requests.',
        unit: 'percentunit',
        queries: [
          {
            expr:
              `sum by (pod) (rate(container_cpu_usage_seconds_total${cadvisor}[5m])) ` +
              `/ sum by (pod) (kube_pod_container_resource_requests${ksm('resource="cpu"')})`,
            legend: '{{pod}}',
          },
        ],
      },
      {
        title: 'Pod CPU throttling',
        description: 'Share of CFS periods in which the pod was throttled by its CPU limit.',
        unit: 'percentunit',
        queries: [
          {
            expr:
              `sum by (pod) (rate(container_cpu_cfs_throttled_periods_total${cadvisor}[5m])) ` +
              `/ sum by (pod) (rate(container_cpu_cfs_periods_total${cadvisor}[5m]))`,
            legend: '{{pod}}',
          },
        ],
      },
      {
        title: 'Container memory / limit',
        description:
          'Working set of each container as a share of its memory limit; WmsPodMemoryHigh above the line.',
        unit: 'percentunit',
        threshold: THRESHOLDS.memoryUsedRatio,
        queries: [
          {
            expr:
              `sum by (pod, container) (container_memory_working_set_bytes${cadvisor}) ` +
              `/ sum by (pod, container) (kube_pod_container_resource_limits${ksm('resource="memory"')})`,
            legend: '{{pod}}/{{container}}',
          },
        ],
      },
      {
        title: 'API event-loop lag p99',
        description: 'Node.js event-loop lag of the API pods (prom-client default metric).',
        unit: 's',
        queries: [
          {
            expr: `max by (pod) (nodejs_eventloop_lag_p99_seconds${selector({ namespace: t.namespace, job: t.apiJob })})`,
            legend: '{{pod}}',
          },
        ],
      },
      {
        title: 'Node CPU',
        description: 'Busy share of each node’s CPUs.',
        unit: 'percentunit',
        queries: [
          {
            expr: `1 - avg by (instance) (rate(node_cpu_seconds_total${node('mode="idle"')}[5m]))`,
            legend: '{{instance}}',
          },
        ],
      },
      {
        title: 'Node memory',
        description: 'Used share of each node’s memory; WmsNodeMemoryHigh above the line.',
        unit: 'percentunit',
        threshold: THRESHOLDS.memoryUsedRatio,
        queries: [
          {
            expr: `1 - node_memory_MemAvailable_bytes${node()} / node_memory_MemTotal_bytes${node()}`,
            legend: '{{instance}}',
          },
        ],
      },
      {
        title: 'Node disk',
        description: 'Used share of each node filesystem; WmsNodeDiskUsageHigh above the line.',
        unit: 'percentunit',
        threshold: THRESHOLDS.diskUsedRatio,
        queries: [
          {
            expr: `1 - node_filesystem_avail_bytes${fs} / node_filesystem_size_bytes${fs}`,
            legend: '{{instance}} {{mountpoint}}',
          },
        ],
      },
      {
        title: 'Persistent volumes',
        description: 'Used share of each PersistentVolumeClaim; WmsVolumeUsageHigh above the line.',
        unit: 'percentunit',
        threshold: THRESHOLDS.diskUsedRatio,
        queries: [
          {
            expr: `1 - kubelet_volume_stats_available_bytes${kubelet} / kubelet_volume_stats_capacity_bytes${kubelet}`,
            legend: '{{namespace}}/{{persistentvolumeclaim}}',
          },
        ],
      },
      {
        title: 'HPA replicas',
        description: 'Current and maximum replicas of each HorizontalPodAutoscaler in the namespace.',
        unit: 'short',
        queries: [
          {
            expr: `kube_horizontalpodautoscaler_status_current_replicas${ksm()}`,
            legend: '{{horizontalpodautoscaler}} current',
          },
          {
            expr: `kube_horizontalpodautoscaler_spec_max_replicas${ksm()}`,
            legend: '{{horizontalpodautoscaler}} max',
          },
        ],
      },
      {
        title: 'Container restarts (1 h)',
        description: 'Container restarts over the last hour.',
        unit: 'short',
        queries: [
          {
            expr: `sum by (pod) (increase(kube_pod_container_status_restarts_total${ksm()}[1h]))`,
            legend: '{{pod}}',
          },
        ],
      },
    ],
  );
}

function database(t: MonitoringTargets) {
  const cw = selector({ job: t.cloudwatchExporterJob });
  const api = selector({ namespace: t.namespace, job: t.apiJob });
  const probe = selector({ job: t.databaseProbeJob });
  const instance = 'dimension_DBInstanceIdentifier';
  const rds = CLOUDWATCH_SERIES.rds;
  const periodMinutes = CLOUDWATCH_PERIOD_SECONDS / 60;
  return dashboard(
    t,
    DASHBOARD_UIDS.database,
    'WMS / Database',
    'Aurora PostgreSQL: proxy reachability, connections, pool, replica lag, storage, slow statements and ' +
      'Performance Insights load. ' +
      `CloudWatch series (via YACE) have a ${periodMinutes}-minute granularity.`,
    [
      {
        title: 'Proxy reachable',
        description:
          '1 when the TCP probe connects to the RDS Proxy on 5432 (WmsDatabaseUnreachable pages otherwise).',
        unit: 'short',
        type: 'stat',
        width: 6,
        queries: [{ expr: `min(probe_success${probe})`, legend: 'reachable' }],
      },
      {
        title: `Slow statements (${periodMinutes} min)`,
        description:
          'Statements slower than log_min_duration_statement in the latest CloudWatch period (log metric filter).',
        unit: 'short',
        type: 'stat',
        width: 6,
        queries: [{ expr: `max(${CLOUDWATCH_SERIES.slowQueries}${cw})`, legend: 'slow' }],
      },
      {
        title: 'Queries waiting for a pool connection',
        description: 'Queries of all API pods waiting for a connection from their pg.Pool.',
        unit: 'short',
        type: 'stat',
        width: 12,
        queries: [{ expr: `sum(pg_pool_waiting_connections${api})`, legend: 'waiting' }],
      },
      {
        title: 'Connections per instance (CloudWatch)',
        description:
          'DatabaseConnections of each Aurora instance (the RDS Proxy’s pooled connections), average and peak.',
        unit: 'short',
        queries: [
          {
            expr: `max by (${instance}) (${rds('DatabaseConnections', 'Average')}${cw})`,
            legend: `{{${instance}}} average`,
          },
          {
            expr: `max by (${instance}) (${rds('DatabaseConnections', 'Maximum')}${cw})`,
            legend: `{{${instance}}} peak`,
          },
        ],
      },
      {
        title: 'API connection pool',
        description:
          'pg.Pool of the API pods: active, idle, waiting and the maximum (WmsDatabasePoolExhausted).',
        unit: 'short',
        queries: [
          { expr: `sum by (pod) (pg_pool_active_connections${api})`, legend: '{{pod}} active' },
          { expr: `sum by (pod) (pg_pool_idle_connections${api})`, legend: '{{pod}} idle' },
          { expr: `sum by (pod) (pg_pool_waiting_connections${api})`, legend: '{{pod}} waiting' },
          { expr: `max(pg_pool_max${api})`, legend: 'max per pod' },
        ],
      },
      {
        title: 'Pool errors',
        description: 'Connection errors seen by the API pools, per second.',
        unit: 'short',
        queries: [{ expr: `sum by (pod) (rate(pg_pool_errors_total${api}[5m]))`, legend: '{{pod}}' }],
      },
      {
        title: 'Proxy probe duration',
        description: 'Time the TCP connect to the RDS Proxy takes, from inside the cluster.',
        unit: 's',
        queries: [{ expr: `max by (instance) (probe_duration_seconds${probe})`, legend: '{{instance}}' }],
      },
      {
        title: 'Replica lag',
        description:
          'AuroraReplicaLag of each reader, average and peak; WmsDatabaseReplicaLagHigh above the line.',
        unit: 's',
        threshold: THRESHOLDS.replicaLagSeconds,
        queries: [
          {
            expr: `max by (${instance}) (${rds('AuroraReplicaLag', 'Average')}${cw}) / 1000`,
            legend: `{{${instance}}} average`,
          },
          {
            expr: `max by (${instance}) (${rds('AuroraReplicaLag', 'Maximum')}${cw}) / 1000`,
            legend: `{{${instance}}} peak`,
          },
        ],
      },
      {
        title: 'Local storage used',
        description: 'Used share of each instance’s local storage; WmsDatabaseStorageHigh above the line.',
        unit: 'percentunit',
        threshold: THRESHOLDS.diskUsedRatio,
        queries: [
          {
            expr:
              `1 - min by (${instance}) (${rds('FreeLocalStorage', 'Minimum')}${cw}) ` +
              `/ ${t.databaseLocalStorageGiB * GIB}`,
            legend: `{{${instance}}}`,
          },
        ],
      },
      {
        title: 'Instance CPU',
        description: 'CPUUtilization of each Aurora instance.',
        unit: 'percent',
        queries: [
          {
            expr: `max by (${instance}) (${rds('CPUUtilization', 'Average')}${cw})`,
            legend: `{{${instance}}}`,
          },
        ],
      },
      {
        title: 'Freeable memory',
        description: 'FreeableMemory of each Aurora instance.',
        unit: 'bytes',
        queries: [
          {
            expr: `min by (${instance}) (${rds('FreeableMemory', 'Average')}${cw})`,
            legend: `{{${instance}}}`,
          },
        ],
      },
      {
        title: 'Slow statements',
        description:
          `Statements slower than log_min_duration_statement per ${periodMinutes}-minute period; ` +
          'WmsDatabaseSlowQueries records when there are some in every period for 15 minutes.',
        unit: 'short',
        queries: [
          { expr: `max by (job) (${CLOUDWATCH_SERIES.slowQueries}${cw})`, legend: 'slow statements' },
        ],
      },
      {
        title: 'Database load (Performance Insights)',
        description:
          'Average active sessions of each instance (DBLoad), split into sessions on CPU and sessions waiting ' +
          '(locks, I/O, the network): the query load, without a database login. No series while idle.',
        unit: 'short',
        queries: [
          {
            expr: `max by (${instance}) (${rds('DBLoadCPU', 'Average')}${cw})`,
            legend: `{{${instance}}} on CPU`,
          },
          {
            expr: `max by (${instance}) (${rds('DBLoadNonCPU', 'Average')}${cw})`,
            legend: `{{${instance}}} waiting`,
          },
        ],
      },
      {
        title: 'Database load per vCPU',
        description:
          'Active sessions per vCPU (DBLoadRelativeToNumVCPUs): above 1 sessions queue; WmsDatabaseLoadHigh ' +
          'opens a ticket above the line for 15 minutes.',
        unit: 'short',
        threshold: THRESHOLDS.databaseLoadPerVcpu,
        queries: [
          {
            expr: `max by (${instance}) (${rds('DBLoadRelativeToNumVCPUs', 'Average')}${cw})`,
            legend: `{{${instance}}}`,
          },
        ],
      },
    ],
  );
}

function slo(t: MonitoringTargets) {
  const s = selector({ slo: SLO.name });
  return dashboard(
    t,
    DASHBOARD_UIDS.slo,
    'WMS / SLO and error budget',
    `API availability SLO: ${SLO.objective * 100}% of requests without 5xx over ${SLO.periodDays} days.`,
    [
      {
        title: 'Objective',
        description: 'The availability objective.',
        unit: 'percentunit',
        type: 'stat',
        width: 6,
        queries: [{ expr: `slo:objective:ratio${s}`, legend: 'objective' }],
      },
      {
        title: `Availability (${SLO.periodDays} d)`,
        description: 'Share of requests without 5xx over the SLO period (mean of the 5-minute ratios).',
        unit: 'percentunit',
        type: 'stat',
        width: 6,
        queries: [{ expr: `1 - ${sliRecord('30d')}${s}`, legend: 'availability' }],
      },
      {
        title: `Error budget remaining (${SLO.periodDays} d)`,
        description: 'Share of the error budget not yet spent; negative when the SLO is missed.',
        unit: 'percentunit',
        type: 'stat',
        width: 6,
        queries: [{ expr: `slo:period_error_budget_remaining:ratio${s}`, legend: 'remaining' }],
      },
      {
        title: 'Burn-rate alerts firing',
        description: 'WmsApiErrorBudgetBurn (page) and WmsApiErrorBudgetBurnSlow (ticket) currently firing.',
        unit: 'short',
        type: 'stat',
        width: 6,
        queries: [
          {
            expr: `count(ALERTS{alertstate="firing",alertname=~"WmsApiErrorBudgetBurn|WmsApiErrorBudgetBurnSlow"}) or vector(0)`,
            legend: 'firing',
          },
        ],
      },
      {
        title: 'Burn rate by window',
        description:
          'Error ratio divided by the error budget, per alert window. ' +
          BURN_RATE_WINDOWS.map((w) => `${w.long}: ${w.factor}x`).join(', ') +
          ' (page at 14.4x and 6x, ticket at 3x and 1x).',
        unit: 'short',
        width: 24,
        queries: BURN_RATE_WINDOWS.map((w) => ({
          expr: `${sliRecord(w.long)}${s} / ${SLO.errorBudget}`,
          legend: `${w.long} (alert at ${w.factor}x)`,
        })),
      },
      {
        title: 'Error ratio (SLI) by window',
        description: 'Share of requests failing with 5xx, over each recorded window.',
        unit: 'percentunit',
        width: 24,
        queries: SLI_WINDOWS.map((window) => ({ expr: `${sliRecord(window)}${s}`, legend: window })),
      },
    ],
  );
}

/** The window of the delivery statistics (releases, success and abort rates, durations). */
const DELIVERY_WINDOW = '7d';
/** Resolution of the subqueries that turn Rollout phases into durations (seconds per sample). */
const DELIVERY_STEP_SECONDS = 30;

/**
 * Releases of the WMS (issue #15), from the Argo Rollouts controller's own metrics (v1.9.1
 * controller/metrics/prommetrics.go): how many, how many completed or aborted, how long a release takes and how
 * long an aborted release ran before the controller rolled it back. The controller counts events per process
 * (`increase` absorbs restarts); phases come from `rollout_info{phase}` (Completed, Progressing, Paused, Abort...).
 */
function delivery(t: MonitoringTargets) {
  const w = DELIVERY_WINDOW;
  const step = DELIVERY_STEP_SECONDS;
  const events = (reason: string) =>
    `sum(increase(rollout_events_total${selector({ namespace: t.namespace, reason })}[${w}]))`;
  const releases = events('RolloutUpdated');
  const rolling = `max by (namespace, name) (rollout_info${selector({ namespace: t.namespace }, 'phase=~"Progressing|Paused"')})`;
  const analysisFirstSeen = (phase: string) =>
    `min by (namespace, name) (min_over_time(timestamp(analysis_run_info${selector({ namespace: t.namespace, phase })})[${w}:${step}s]))`;
  return dashboard(
    t,
    DASHBOARD_UIDS.delivery,
    'WMS / Delivery',
    `Releases of the WMS through Argo Rollouts over the last ${w}: count, success and abort rates, deployment ` +
      'duration and time to automatic rollback. Runbooks: WmsRolloutAborted, WmsRolloutStalled.',
    [
      {
        title: `Releases (${w})`,
        description: 'Rollout updates (a new version or template) started, all WMS components.',
        unit: 'short',
        type: 'stat',
        width: 6,
        queries: [{ expr: `${releases} or vector(0)`, legend: 'releases' }],
      },
      {
        title: `Success rate (${w})`,
        description:
          'Releases completed (RolloutCompleted) per release started (RolloutUpdated). Target: above 95%.',
        unit: 'percentunit',
        type: 'stat',
        width: 6,
        queries: [{ expr: `${events('RolloutCompleted')} / ${releases}`, legend: 'success' }],
      },
      {
        title: `Abort rate (${w})`,
        description:
          'Releases aborted by the controller (failed analysis, stall) or by the rollback workflow.',
        unit: 'percentunit',
        type: 'stat',
        width: 6,
        threshold: 0.05,
        queries: [{ expr: `${events('RolloutAborted')} / ${releases}`, legend: 'aborts' }],
      },
      {
        title: `Deployment duration (mean, ${w})`,
        description:
          `Seconds the Rollouts spent Progressing or Paused (sampled every ${step} s), per release started. ` +
          'Target: under 5 minutes (migrations excluded: they run before the Rollout changes).',
        unit: 's',
        type: 'stat',
        width: 6,
        threshold: 300,
        queries: [
          {
            expr: `sum(sum_over_time(${rolling}[${w}:${step}s])) * ${step} / ${releases}`,
            legend: 'duration',
          },
        ],
      },
      {
        title: `Time to automatic rollback (mean, ${w})`,
        description:
          'For each failed AnalysisRun: from its start (with the release) to its failure, when the controller ' +
          'aborts and returns all traffic to the stable version. Bounded by config: analysis interval x ' +
          `(failure limit + 1) + traffic shift <= 120 s once the new version misbehaves. Resolution ${step} s.`,
        unit: 's',
        type: 'stat',
        width: 12,
        threshold: 120,
        queries: [
          {
            expr: `avg(${analysisFirstSeen('Failed')} - ${analysisFirstSeen('Running')})`,
            legend: 'time to rollback',
          },
        ],
      },
      {
        title: 'Releases, completions and aborts per hour',
        description: 'Rollout events by reason, per hour.',
        unit: 'short',
        width: 12,
        queries: ['RolloutUpdated', 'RolloutCompleted', 'RolloutAborted'].map((reason) => ({
          expr: `sum(increase(rollout_events_total${selector({ namespace: t.namespace, reason })}[1h]))`,
          legend: reason,
        })),
      },
      {
        title: 'Rollout phase',
        description:
          'The phase of each WMS Rollout over time (1 while in that phase): how long each release took.',
        unit: 'short',
        width: 24,
        queries: [
          {
            expr: `max by (name, phase) (rollout_info${selector({ namespace: t.namespace })})`,
            legend: '{{name}} {{phase}}',
          },
        ],
      },
    ],
  );
}

/** JSON with object keys sorted at every level, two-space indented, newline-terminated. */
export function stableJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v as Record<string, unknown>)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return `${JSON.stringify(sort(value), null, 2)}\n`;
}

/**
 * Renders the WMS dashboards: file name (`<uid>.json`) → Grafana dashboard JSON. Panels take their data source
 * from the `datasource` template variable. Same input, same bytes.
 * @throws listing every invalid option
 */
export function renderDashboards(options: DashboardOptions): Record<string, string> {
  const problems: string[] = [];
  checkTargets('renderDashboards', options, problems);
  throwProblems(problems);
  const dashboards = [
    apiRed(options),
    saturation(options),
    database(options),
    slo(options),
    delivery(options),
  ];
  return Object.fromEntries(dashboards.map((d) => [`${d.uid}.json`, stableJson(d)]));
}
