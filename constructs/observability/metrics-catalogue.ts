/**
 * The one catalogue of metric names the WMS monitoring may use, per source, and a PromQL metric-name extractor
 * (the Prometheus project's own Lezer grammar) so tests can prove every rule and dashboard query uses only them.
 */
import { parser } from '@prometheus-io/lezer-promql';
import { RDS_INSTANCE_METRICS, SLOW_QUERY_METRIC, yaceSeries } from './cloudwatch-metrics';

/** A source of metrics, the `job` it is scraped as, and the metric names it exports that we rely on. */
export interface MetricSource {
  /** What exports the metrics. */
  readonly exporter: string;
  /** The `job` label, or how it is set. */
  readonly job: string;
  /** Metric names (for histograms: the `_bucket`, `_count` and `_sum` series). */
  readonly metrics: readonly string[];
}

/** Every metric the WMS rules and dashboards may read, by source. Add a metric here before using it. */
export const METRIC_CATALOGUE = {
  api: {
    exporter:
      'wms-api: prom-client default metrics, the HTTP middleware (http_requests_total{code,method,route}, ' +
      'http_request_duration_seconds{code,method,route}) and @christiangalsterer/node-postgres-prometheus-exporter (pg.Pool)',
    job: 'MonitoringTargets.apiJob',
    metrics: [
      'http_requests_total',
      'http_request_duration_seconds_bucket',
      'http_request_duration_seconds_count',
      'http_request_duration_seconds_sum',
      'pg_pool_size',
      'pg_pool_max',
      'pg_pool_active_connections',
      'pg_pool_idle_connections',
      'pg_pool_waiting_connections',
      'pg_pool_errors_total',
      'pg_pool_connections_created_total',
      'pg_pool_connections_removed_total',
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_heap_size_used_bytes',
    ],
  },
  kubeStateMetrics: {
    exporter: 'kube-state-metrics (kube-prometheus-stack)',
    job: 'kube-state-metrics',
    metrics: [
      'kube_deployment_spec_replicas',
      'kube_deployment_status_replicas_available',
      // Needs the `endpoints` collector, which the chart's default list no longer has (Monitoring adds it).
      'kube_endpoint_address',
      'kube_horizontalpodautoscaler_spec_max_replicas',
      'kube_horizontalpodautoscaler_spec_min_replicas',
      'kube_horizontalpodautoscaler_status_current_replicas',
      'kube_horizontalpodautoscaler_status_desired_replicas',
      'kube_pod_container_resource_limits',
      'kube_pod_container_resource_requests',
      'kube_pod_container_status_restarts_total',
      'kube_pod_container_status_waiting_reason',
    ],
  },
  nodeExporter: {
    exporter: 'prometheus-node-exporter (kube-prometheus-stack)',
    job: 'node-exporter',
    metrics: [
      'node_cpu_seconds_total',
      'node_filesystem_avail_bytes',
      'node_filesystem_readonly',
      'node_filesystem_size_bytes',
      'node_memory_MemAvailable_bytes',
      'node_memory_MemTotal_bytes',
    ],
  },
  kubelet: {
    exporter: 'kubelet and its cAdvisor endpoint (kube-prometheus-stack)',
    job: 'kubelet (metrics_path /metrics or /metrics/cadvisor)',
    metrics: [
      'container_cpu_cfs_periods_total',
      'container_cpu_cfs_throttled_periods_total',
      'container_cpu_usage_seconds_total',
      'container_memory_working_set_bytes',
      'kubelet_volume_stats_available_bytes',
      'kubelet_volume_stats_capacity_bytes',
    ],
  },
  cloudwatch: {
    exporter:
      'YACE (yet-another-cloudwatch-exporter): AWS/RDS per Aurora instance, and WMS/Database (the slow-statement ' +
      'count of the database log metric filter); names as YACE builds them (cloudwatch-metrics.ts)',
    job: 'MonitoringTargets.cloudwatchExporterJob',
    metrics: [
      ...RDS_INSTANCE_METRICS.flatMap((metric) => yaceSeries('AWS/RDS', metric)),
      ...yaceSeries(SLOW_QUERY_METRIC.namespace, SLOW_QUERY_METRIC),
    ],
  },
  blackbox: {
    exporter:
      'blackbox exporter: HTTPS probes of the public API URL and of the web front end through the load balancer, ' +
      'TCP probe of the RDS Proxy',
    job: 'MonitoringTargets.probeJob, MonitoringTargets.webProbeJob, MonitoringTargets.databaseProbeJob',
    metrics: ['probe_success', 'probe_duration_seconds', 'probe_http_status_code'],
  },
  // Issue #15: progressive delivery.
  argoRollouts: {
    exporter:
      'Argo Rollouts controller v1.9.1 (:8090/metrics; controller/metrics/prommetrics.go): rollout_info{namespace,' +
      'name,strategy,traffic_router,phase}, rollout_events_total{namespace,name,type,reason} (reasons RolloutUpdated, ' +
      'RolloutCompleted, RolloutAborted), analysis_run_info{namespace,name,phase}',
    job: 'argo-rollouts-metrics (the Service name, set by the monitoring stack ServiceMonitor)',
    metrics: [
      'rollout_info',
      'rollout_info_replicas_available',
      'rollout_info_replicas_desired',
      'rollout_info_replicas_updated',
      'rollout_events_total',
      'analysis_run_info',
    ],
  },
  prometheus: {
    exporter: 'Prometheus itself: synthetic series of every scrape and of alerting rules',
    job: 'any',
    metrics: ['up', 'ALERTS'],
  },
} as const satisfies Record<string, MetricSource>;

/** Every catalogued metric name. */
export function catalogueMetrics(): Set<string> {
  return new Set(Object.values(METRIC_CATALOGUE).flatMap((source) => [...source.metrics]));
}

/**
 * The metric names a PromQL expression selects (the names of its vector selectors), sorted and unique.
 * @throws if the expression does not parse, naming the position of the first syntax error
 */
export function metricNames(expr: string): string[] {
  const names = new Set<string>();
  let errorAt = -1;
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError && errorAt < 0) errorAt = node.from;
      if (node.name === 'VectorSelector') {
        const identifier = node.node.getChild('Identifier');
        if (identifier) names.add(expr.slice(identifier.from, identifier.to));
      }
    },
  });
  if (errorAt >= 0) {
    throw new Error(`metricNames: syntax error at character ${errorAt} of ${JSON.stringify(expr)}`);
  }
  return [...names].sort();
}

/**
 * The metrics an expression uses that are neither in the catalogue nor in `recorded` (the recording rules we define).
 */
export function unknownMetrics(expr: string, recorded: Iterable<string> = []): string[] {
  const known = catalogueMetrics();
  for (const name of recorded) known.add(name);
  return metricNames(expr).filter((name) => !known.has(name));
}
