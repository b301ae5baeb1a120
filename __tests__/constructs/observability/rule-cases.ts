/**
 * promtool test cases, per alert: input series that cross the threshold (the alert fires with these labels and
 * this `$value`) and series that stay below it (it does not fire). The series use the names of fixtures.ts.
 */

import { requestRateAdapterRule } from '../../../constructs/observability/monitoring-values';
import { TARGETS } from './fixtures';

/** An alert expected to fire: its labels besides `severity` and `component`, and `$value` as rendered. */
export interface ExpectedAlert {
  readonly labels: Readonly<Record<string, string>>;
  /** What the description's `{{ $value ... }}` renders to; omitted when the description has no value. */
  readonly value?: string;
}

/** One promtool test group asserting one alert at one time. */
export interface AlertCase {
  readonly alert: string;
  /** What the case shows, e.g. "10% errors fire". */
  readonly title: string;
  /** Spacing of the input samples. @default '1m' */
  readonly interval?: string;
  /**
   * Rule evaluation interval; cases with another one go to their own promtool test file.
   * @default '1m'
   */
  readonly evaluationInterval?: string;
  /** Series selector -> promtool expanding notation, e.g. `0+60x20`. */
  readonly series: Readonly<Record<string, string>>;
  /** Evaluation time, e.g. `12m`. */
  readonly at: string;
  /** Alerts firing at `at`; empty = the alert is not firing. */
  readonly fires: readonly ExpectedAlert[];
}

/** A recording-rule check: the expression's expected samples at one time. */
export interface ExprCase {
  readonly title: string;
  readonly series: Readonly<Record<string, string>>;
  readonly at: string;
  readonly expr: string;
  readonly samples: readonly { readonly labels: string; readonly value: number }[];
}

const api = (metric: string, labels = '') => `${metric}{namespace="wms",job="wms-api"${labels}}`;
const requests = (code: string) => api('http_requests_total', `,code="${code}",method="GET",route="/orders"`);
/** Two counters growing by `ok` and `failed` requests per sample. */
const traffic = (ok: number, failed: number, samples: number) => ({
  [requests('200')]: `0+${ok}x${samples}`,
  [requests('500')]: `0+${failed}x${samples}`,
});
const API = { namespace: 'wms', job: 'wms-api' };
const SLO_LABELS = { ...API, slo: 'wms-api-availability' };

const buckets = (bucketWithAllRequests: string, perMinute: number, samples: number) =>
  Object.fromEntries(
    ['0.5', '1', '2', '2.5', '5', '+Inf'].map((le) => [
      api('http_request_duration_seconds_bucket', `,le="${le}"`),
      Number(le) >= Number(bucketWithAllRequests) || le === '+Inf'
        ? `0+${perMinute}x${samples}`
        : `0x${samples}`,
    ]),
  );

/** One address of a Service's Endpoints, as kube-state-metrics exports it. */
const endpointAddress = (service: string, ip: string, ready: boolean) =>
  `kube_endpoint_address{job="kube-state-metrics",namespace="wms",endpoint="${service}",ip="${ip}",` +
  `port_name="http",port_number="8080",port_protocol="TCP",ready="${ready}"}`;
const API_SERVICE_LABELS = { namespace: 'wms', endpoint: 'wms-api' };
const probe = 'probe_success{job="wms-api-probe",instance="https://api.wms.example.com/healthz"}';
const PROBE_LABELS = { job: 'wms-api-probe', instance: 'https://api.wms.example.com/healthz' };
const webProbe = 'probe_success{job="wms-web-probe",instance="https://wms.example.com/"}';
const WEB_PROBE_LABELS = { job: 'wms-web-probe', instance: 'https://wms.example.com/' };
const pool = (metric: string) => api(metric, ',pod="wms-api-7d9f",host="wms-prod-db:5432",database="wms"');
const PROXY = 'wms-prod-db.proxy-c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com:5432';
const databaseProbe = `probe_success{job="wms-database-probe",instance="${PROXY}"}`;
const nodeFs = (metric: string) =>
  `${metric}{job="node-exporter",instance="10.30.1.10:9100",device="/dev/nvme0n1p1",fstype="xfs",mountpoint="/"}`;
const NODE_FS_LABELS = {
  job: 'node-exporter',
  instance: '10.30.1.10:9100',
  device: '/dev/nvme0n1p1',
  fstype: 'xfs',
  mountpoint: '/',
};
const volume = (metric: string) =>
  `${metric}{job="kubelet",metrics_path="/metrics",namespace="monitoring",persistentvolumeclaim="prometheus-db-0"}`;
const rds = (metric: string, instance: string) =>
  `${metric}{job="yace",name="arn:aws:rds:eu-west-1:333333333333:db:${instance}",` +
  `dimension_DBInstanceIdentifier="${instance}",region="eu-west-1",account_id="333333333333"}`;
const slowQueries =
  'aws_wms_database_slow_queries_sum{job="yace",name="wms-database",region="eu-west-1",account_id="333333333333"}';
const GIB64 = 64 * 1024 ** 3;
const workingSet = (namespace: string) =>
  `container_memory_working_set_bytes{job="kubelet",metrics_path="/metrics/cadvisor",namespace="${namespace}",` +
  `pod="wms-api-7d9f",container="api",image="wms-api:1.4.0"}`;
const memoryLimit = (namespace: string) =>
  `kube_pod_container_resource_limits{job="kube-state-metrics",namespace="${namespace}",pod="wms-api-7d9f",` +
  `container="api",resource="memory",unit="byte"}`;
const nodeMemory = (metric: string) => `${metric}{job="node-exporter",instance="10.30.1.10:9100"}`;
const waiting = (reason: string) =>
  `kube_pod_container_status_waiting_reason{job="kube-state-metrics",namespace="wms",pod="wms-api-7d9f",` +
  `container="api",reason="${reason}"}`;
const hpa = (metric: string) =>
  `kube_horizontalpodautoscaler_${metric}{job="kube-state-metrics",namespace="wms",horizontalpodautoscaler="wms-api"}`;
const hpaSeries = (current: number, max: number, min: number) => ({
  [hpa('status_current_replicas')]: `${current}x20`,
  [hpa('spec_max_replicas')]: `${max}x20`,
  [hpa('spec_min_replicas')]: `${min}x20`,
});

// A week of history: 15-minute samples, rules evaluated every 30 minutes (at 1 minute and 5-minute samples each
// case takes ~100 s). `for: 30m` then means two consecutive evaluations.
const WEEKLY_INTERVAL = '15m';
const WEEKLY_EVALUATION = '30m';
// One week and two hours at 15-minute samples: 672 samples for the week, then 8 more.
const WEEK_SAMPLES = 672;
/** Requests per 15 minutes: `lastWeek` for a week, then `now` for two hours. */
const weeklyTraffic = (lastWeek: number, now: number) => ({
  [requests('200')]: `0+${lastWeek}x${WEEK_SAMPLES} ${lastWeek * WEEK_SAMPLES + now}+${now}x7`,
});

/** The cases; every alert has at least one that fires and one that does not. */
export const ALERT_CASES: readonly AlertCase[] = [
  {
    alert: 'WmsApiHighErrorRate',
    title: '10% of 10 req/s fail: fires',
    series: traffic(540, 60, 20),
    at: '12m',
    fires: [{ labels: API, value: '10%' }],
  },
  {
    alert: 'WmsApiHighErrorRate',
    title: '3% fail: quiet',
    series: traffic(582, 18, 20),
    at: '12m',
    fires: [],
  },
  {
    alert: 'WmsApiHighErrorRate',
    title: '33% of 0.05 req/s fail (below the traffic floor): quiet',
    series: traffic(2, 1, 20),
    at: '12m',
    fires: [],
  },
  {
    alert: 'WmsApiDown',
    title: 'every address of the live Service not ready: fires',
    series: {
      [endpointAddress('wms-api', '10.30.1.21', false)]: '1x10',
      [endpointAddress('wms-api', '10.30.2.22', false)]: '1x10',
    },
    at: '5m',
    fires: [{ labels: API_SERVICE_LABELS }],
  },
  {
    alert: 'WmsApiDown',
    title: 'the last ready address turns not ready: fires once its series is stale',
    series: {
      [endpointAddress('wms-api', '10.30.1.21', true)]: '1 1 1',
      [endpointAddress('wms-api', '10.30.1.21', false)]: '_ _ _ 1x12',
    },
    at: '12m',
    fires: [{ labels: API_SERVICE_LABELS }],
  },
  {
    alert: 'WmsApiDown',
    title: 'the live Service has no address at all (only another Service has): fires',
    series: { [endpointAddress('wms-web', '10.30.1.31', true)]: '1x10' },
    at: '5m',
    fires: [{ labels: API_SERVICE_LABELS }],
  },
  {
    alert: 'WmsApiDown',
    title: 'one ready address, one not ready: quiet',
    series: {
      [endpointAddress('wms-api', '10.30.1.21', true)]: '1x10',
      [endpointAddress('wms-api', '10.30.2.22', false)]: '1x10',
    },
    at: '8m',
    fires: [],
  },
  {
    alert: 'WmsApiDown',
    title: 'a ready address blinks away for 1 minute (inside the 5-minute lookback): quiet',
    series: { [endpointAddress('wms-api', '10.30.1.21', true)]: '1 1 1 _ 1x8' },
    at: '8m',
    fires: [],
  },
  {
    alert: 'WmsApiProbeFailing',
    title: 'probe fails for 6 minutes: fires',
    series: { [probe]: '1 1 0x10' },
    at: '8m',
    fires: [{ labels: PROBE_LABELS }],
  },
  {
    alert: 'WmsApiProbeFailing',
    title: 'one failed probe: quiet',
    series: { [probe]: '1 1 1 1 1 0 1x10' },
    at: '8m',
    fires: [],
  },
  {
    alert: 'WmsWebDown',
    title: 'the probe of the front end fails for 6 minutes: fires',
    series: { [webProbe]: '1 1 0x10' },
    at: '8m',
    fires: [{ labels: WEB_PROBE_LABELS }],
  },
  {
    alert: 'WmsWebDown',
    title: 'one failed probe of the front end: quiet',
    series: { [webProbe]: '1 1 1 1 1 0 1x10' },
    at: '8m',
    fires: [],
  },
  {
    alert: 'WmsWebDown',
    title: 'the web probe reports nothing (only the API probe does): fires',
    series: { [probe]: '1x10' },
    at: '8m',
    fires: [{ labels: { job: 'wms-web-probe' } }],
  },
  {
    alert: 'WmsDatabasePoolExhausted',
    title: '10 of 10 connections active, 3 waiting: fires',
    series: {
      [pool('pg_pool_active_connections')]: '10x10',
      [pool('pg_pool_max')]: '10x10',
      [pool('pg_pool_waiting_connections')]: '3x10',
    },
    at: '5m',
    fires: [{ labels: { namespace: 'wms', pod: 'wms-api-7d9f' }, value: '10' }],
  },
  {
    alert: 'WmsDatabasePoolExhausted',
    title: 'pool full but nobody waiting: quiet',
    series: {
      [pool('pg_pool_active_connections')]: '10x10',
      [pool('pg_pool_max')]: '10x10',
      [pool('pg_pool_waiting_connections')]: '0x10',
    },
    at: '5m',
    fires: [],
  },
  {
    alert: 'WmsDatabaseUnreachable',
    title: 'the TCP connect to the proxy fails for 6 minutes: fires',
    series: { [databaseProbe]: '1 1 0x10' },
    at: '8m',
    fires: [{ labels: { job: 'wms-database-probe', instance: PROXY } }],
  },
  {
    alert: 'WmsDatabaseUnreachable',
    title: 'the probe reports nothing (only the API probe does): fires',
    series: { [probe]: '1x10' },
    at: '8m',
    fires: [{ labels: { job: 'wms-database-probe' } }],
  },
  {
    alert: 'WmsDatabaseUnreachable',
    title: 'one failed connect: quiet',
    series: { [databaseProbe]: '1 1 1 1 1 0 1x10' },
    at: '8m',
    fires: [],
  },
  {
    alert: 'WmsDatabaseUnreachable',
    title: 'the proxy accepts connections: quiet',
    series: { [databaseProbe]: '1x10' },
    at: '8m',
    fires: [],
  },
  {
    alert: 'WmsApiErrorBudgetBurn',
    title: '2% errors (over 14.4x in 1 h and 5 m): fires',
    series: traffic(980, 20, 70),
    at: '65m',
    fires: [{ labels: SLO_LABELS, value: '2%' }],
  },
  {
    alert: 'WmsApiErrorBudgetBurn',
    title: '1% errors (below 14.4x, over 6x in 6 h and 30 m): fires',
    series: traffic(990, 10, 45),
    at: '40m',
    fires: [{ labels: SLO_LABELS, value: '1%' }],
  },
  {
    alert: 'WmsApiErrorBudgetBurn',
    title: '0.5% errors for 70 m (below 6x): quiet',
    series: traffic(995, 5, 75),
    at: '70m',
    fires: [],
  },
  {
    alert: 'WmsApiErrorBudgetBurn',
    title: '5% errors for 1 h, then none for 35 m: quiet though 1 h and 6 h are still hot',
    series: {
      [requests('200')]: '0+950x60 58000+1000x40',
      [requests('500')]: '0+50x60 3000x40',
    },
    at: '95m',
    fires: [],
  },
  {
    alert: 'WmsApiErrorBudgetBurnSlow',
    title: '0.4% errors (over 3x in 1 d and 2 h, below the page rates): fires',
    series: traffic(996, 4, 45),
    at: '40m',
    fires: [{ labels: SLO_LABELS, value: '0.4%' }],
  },
  {
    alert: 'WmsApiErrorBudgetBurnSlow',
    title: '0.15% errors (below 3x, over 1x in 3 d and 6 h): fires',
    series: traffic(1997, 3, 45),
    at: '40m',
    fires: [{ labels: SLO_LABELS, value: '0.15%' }],
  },
  {
    alert: 'WmsApiErrorBudgetBurnSlow',
    title: '0.05% errors (below 1x): quiet',
    series: traffic(1999, 1, 75),
    at: '70m',
    fires: [],
  },
  {
    alert: 'WmsApiHighLatencyP95',
    title: 'every request takes 2-2.5 s: fires',
    series: buckets('2.5', 100, 30),
    at: '20m',
    fires: [{ labels: API, value: '2.475s' }],
  },
  {
    alert: 'WmsApiHighLatencyP95',
    title: 'every request takes 1-2 s: quiet',
    series: buckets('2', 100, 30),
    at: '20m',
    fires: [],
  },
  {
    alert: 'WmsNodeDiskUsageHigh',
    title: '90% used: fires',
    series: {
      [nodeFs('node_filesystem_avail_bytes')]: '10x20',
      [nodeFs('node_filesystem_size_bytes')]: '100x20',
      [nodeFs('node_filesystem_readonly')]: '0x20',
    },
    at: '20m',
    fires: [{ labels: NODE_FS_LABELS, value: '90%' }],
  },
  {
    alert: 'WmsNodeDiskUsageHigh',
    title: '75% used: quiet',
    series: {
      [nodeFs('node_filesystem_avail_bytes')]: '25x20',
      [nodeFs('node_filesystem_size_bytes')]: '100x20',
      [nodeFs('node_filesystem_readonly')]: '0x20',
    },
    at: '20m',
    fires: [],
  },
  {
    alert: 'WmsNodeDiskUsageHigh',
    title: '90% used but read-only: quiet',
    series: {
      [nodeFs('node_filesystem_avail_bytes')]: '10x20',
      [nodeFs('node_filesystem_size_bytes')]: '100x20',
      [nodeFs('node_filesystem_readonly')]: '1x20',
    },
    at: '20m',
    fires: [],
  },
  {
    alert: 'WmsVolumeUsageHigh',
    title: '85% used: fires',
    series: {
      [volume('kubelet_volume_stats_available_bytes')]: '15x20',
      [volume('kubelet_volume_stats_capacity_bytes')]: '100x20',
    },
    at: '20m',
    fires: [
      {
        labels: {
          job: 'kubelet',
          metrics_path: '/metrics',
          namespace: 'monitoring',
          persistentvolumeclaim: 'prometheus-db-0',
        },
        value: '85%',
      },
    ],
  },
  {
    alert: 'WmsVolumeUsageHigh',
    title: '70% used: quiet',
    series: {
      [volume('kubelet_volume_stats_available_bytes')]: '30x20',
      [volume('kubelet_volume_stats_capacity_bytes')]: '100x20',
    },
    at: '20m',
    fires: [],
  },
  {
    alert: 'WmsDatabaseStorageHigh',
    title: '90% of 64 GiB local storage used: fires',
    series: { [rds('aws_rds_free_local_storage_minimum', 'wms-prod-db-1')]: `${GIB64 / 10}x20` },
    at: '20m',
    fires: [{ labels: { job: 'yace', dimension_DBInstanceIdentifier: 'wms-prod-db-1' }, value: '90%' }],
  },
  {
    alert: 'WmsDatabaseStorageHigh',
    title: '50% used: quiet',
    series: { [rds('aws_rds_free_local_storage_minimum', 'wms-prod-db-1')]: `${GIB64 / 2}x20` },
    at: '20m',
    fires: [],
  },
  {
    alert: 'WmsPodMemoryHigh',
    title: '90% of the limit: fires',
    series: { [workingSet('wms')]: '900x20', [memoryLimit('wms')]: '1000x20' },
    at: '20m',
    fires: [{ labels: { namespace: 'wms', pod: 'wms-api-7d9f', container: 'api' }, value: '90%' }],
  },
  {
    alert: 'WmsPodMemoryHigh',
    title: '50% of the limit: quiet',
    series: { [workingSet('wms')]: '500x20', [memoryLimit('wms')]: '1000x20' },
    at: '20m',
    fires: [],
  },
  {
    alert: 'WmsPodMemoryHigh',
    title: '95% in another namespace: quiet',
    series: { [workingSet('kube-system')]: '950x20', [memoryLimit('kube-system')]: '1000x20' },
    at: '20m',
    fires: [],
  },
  {
    alert: 'WmsNodeMemoryHigh',
    title: '90% used: fires',
    series: {
      [nodeMemory('node_memory_MemAvailable_bytes')]: '10x20',
      [nodeMemory('node_memory_MemTotal_bytes')]: '100x20',
    },
    at: '20m',
    fires: [{ labels: { job: 'node-exporter', instance: '10.30.1.10:9100' }, value: '90%' }],
  },
  {
    alert: 'WmsNodeMemoryHigh',
    title: '60% used: quiet',
    series: {
      [nodeMemory('node_memory_MemAvailable_bytes')]: '40x20',
      [nodeMemory('node_memory_MemTotal_bytes')]: '100x20',
    },
    at: '20m',
    fires: [],
  },
  {
    alert: 'WmsPodCrashLooping',
    title: 'CrashLoopBackOff for 25 minutes: fires',
    series: { [waiting('CrashLoopBackOff')]: '1x25' },
    at: '22m',
    fires: [
      {
        labels: {
          job: 'kube-state-metrics',
          namespace: 'wms',
          pod: 'wms-api-7d9f',
          container: 'api',
          reason: 'CrashLoopBackOff',
        },
      },
    ],
  },
  {
    alert: 'WmsPodCrashLooping',
    title: 'CrashLoopBackOff for 4 minutes, then running: quiet',
    series: { [waiting('CrashLoopBackOff')]: '1x4 _x20' },
    at: '22m',
    fires: [],
  },
  {
    alert: 'WmsPodCrashLooping',
    title: 'waiting for another reason: quiet',
    series: { [waiting('ContainerCreating')]: '1x25' },
    at: '22m',
    fires: [],
  },
  {
    alert: 'WmsHpaMaxedOut',
    title: '10 of max 10 replicas: fires',
    series: hpaSeries(10, 10, 2),
    at: '20m',
    fires: [
      {
        labels: { job: 'kube-state-metrics', namespace: 'wms', horizontalpodautoscaler: 'wms-api' },
        value: '10',
      },
    ],
  },
  {
    alert: 'WmsHpaMaxedOut',
    title: '6 of max 10 replicas: quiet',
    series: hpaSeries(6, 10, 2),
    at: '20m',
    fires: [],
  },
  {
    alert: 'WmsHpaMaxedOut',
    title: 'fixed size (min = max): quiet',
    series: hpaSeries(4, 4, 4),
    at: '20m',
    fires: [],
  },
  {
    alert: 'WmsDatabaseReplicaLagHigh',
    title: '2.5 s lag: fires',
    series: { [rds('aws_rds_aurora_replica_lag_average', 'wms-prod-db-2')]: '2500x20' },
    at: '15m',
    fires: [{ labels: { job: 'yace', dimension_DBInstanceIdentifier: 'wms-prod-db-2' }, value: '2.5s' }],
  },
  {
    alert: 'WmsDatabaseReplicaLagHigh',
    title: '40 ms lag: quiet',
    series: { [rds('aws_rds_aurora_replica_lag_average', 'wms-prod-db-2')]: '40x20' },
    at: '15m',
    fires: [],
  },
  {
    alert: 'WmsDatabaseLoadHigh',
    title: '1.6 active sessions per vCPU for 20 minutes: fires',
    series: { [rds('aws_rds_dbload_relative_to_num_vcpus_average', 'wms-prod-db-1')]: '1.6x25' },
    at: '20m',
    fires: [{ labels: { job: 'yace', dimension_DBInstanceIdentifier: 'wms-prod-db-1' }, value: '1.60' }],
  },
  {
    alert: 'WmsDatabaseLoadHigh',
    title: '0.8 active sessions per vCPU: quiet',
    series: { [rds('aws_rds_dbload_relative_to_num_vcpus_average', 'wms-prod-db-1')]: '0.8x25' },
    at: '20m',
    fires: [],
  },
  {
    alert: 'WmsDatabaseLoadHigh',
    title: 'overloaded for 10 minutes only: quiet (a burst, not a sustained overload)',
    series: { [rds('aws_rds_dbload_relative_to_num_vcpus_average', 'wms-prod-db-1')]: '0.5x9 2x10' },
    at: '19m',
    fires: [],
  },
  {
    alert: 'WmsApiUnusualTraffic',
    title: '3x the traffic of last week: fires',
    interval: WEEKLY_INTERVAL,
    evaluationInterval: WEEKLY_EVALUATION,
    series: weeklyTraffic(9000, 27000),
    at: '170h',
    fires: [{ labels: API, value: '3.00' }],
  },
  {
    alert: 'WmsApiUnusualTraffic',
    title: 'a fifth of the traffic of last week: fires',
    interval: WEEKLY_INTERVAL,
    evaluationInterval: WEEKLY_EVALUATION,
    series: weeklyTraffic(9000, 1800),
    at: '170h',
    fires: [{ labels: API, value: '0.20' }],
  },
  {
    alert: 'WmsApiUnusualTraffic',
    title: 'same traffic as last week: quiet',
    interval: WEEKLY_INTERVAL,
    evaluationInterval: WEEKLY_EVALUATION,
    series: weeklyTraffic(9000, 9000),
    at: '170h',
    fires: [],
  },
  {
    alert: 'WmsApiUnusualTraffic',
    title: '3x of almost nothing (0.05 req/s last week): quiet',
    interval: WEEKLY_INTERVAL,
    evaluationInterval: WEEKLY_EVALUATION,
    series: weeklyTraffic(45, 135),
    at: '170h',
    fires: [],
  },
  {
    alert: 'WmsDatabaseSlowQueries',
    title: 'slow statements in every 5-minute period for 20 minutes: fires',
    series: { [slowQueries]: '2x5 3x5 1x5 3x5' },
    at: '20m',
    fires: [{ labels: { job: 'yace' }, value: '3' }],
  },
  {
    alert: 'WmsDatabaseSlowQueries',
    title: 'slow statements in one 5-minute period only: quiet',
    series: { [slowQueries]: '0x5 4x5 0x10' },
    at: '20m',
    fires: [],
  },
  {
    alert: 'WmsDatabaseSlowQueries',
    title: 'no slow statement (YACE exports 0 for an empty period): quiet',
    series: { [slowQueries]: '0x20' },
    at: '20m',
    fires: [],
  },
  {
    alert: 'WmsRolloutAborted',
    title: 'an abort 5 minutes ago: fires',
    series: {
      'rollout_events_total{namespace="wms",name="wms-api",type="Warning",reason="RolloutAborted"}':
        '0x10 1x10',
    },
    at: '15m',
    fires: [{ labels: { namespace: 'wms', name: 'wms-api' } }],
  },
  {
    alert: 'WmsRolloutAborted',
    title: 'releases that completed: quiet',
    series: {
      'rollout_events_total{namespace="wms",name="wms-api",type="Normal",reason="RolloutCompleted"}':
        '0x10 1x10',
    },
    at: '15m',
    fires: [],
  },
  {
    alert: 'WmsRolloutStalled',
    title: 'progressing for 20 minutes: fires',
    series: { 'rollout_info{namespace="wms",name="wms-web",strategy="canary",phase="Progressing"}': '1x30' },
    at: '20m',
    fires: [{ labels: { namespace: 'wms', name: 'wms-web' } }],
  },
  {
    alert: 'WmsRolloutStalled',
    title: 'a 4-minute release, then healthy: quiet',
    series: {
      'rollout_info{namespace="wms",name="wms-web",strategy="canary",phase="Progressing"}': '1x4 _x26',
      'rollout_info{namespace="wms",name="wms-web",strategy="canary",phase="Healthy"}': '_x4 1x26',
    },
    at: '20m',
    fires: [],
  },
];

/**
 * prometheus-adapter's metricsQuery as the adapter expands it (a Go template) when the HPA asks for the pods
 * `pods` of namespace `wms`: `<<.Series>>` the series name, `<<.LabelMatchers>>` namespace and pod matchers,
 * `<<.GroupBy>>` the pod label.
 */
export function adapterQuery(pods: readonly string[]): string {
  const rule = requestRateAdapterRule(TARGETS);
  return rule.metricsQuery
    .replace(/<<\.Series>>/g, 'http_requests_total')
    .replace(/<<\.LabelMatchers>>/g, `namespace="wms",pod=~"${pods.join('|')}"`)
    .replace(/<<\.GroupBy>>/g, 'pod');
}

const podRequests = (pod: string, code: string, job = 'wms-api') =>
  `http_requests_total{namespace="wms",job="${job}",pod="${pod}",code="${code}",method="GET",route="/orders"}`;

/** Checks of recording rules whose values are exact. */
export const EXPR_CASES: readonly ExprCase[] = [
  {
    title:
      'adapter: each asked-for pod gets its own requests per second (all codes), other pods and jobs left out',
    series: {
      // 1200 and 300 requests a minute: 20 and 5 per second.
      [podRequests('wms-api-a', '200')]: '0+1080x10',
      [podRequests('wms-api-a', '500')]: '0+120x10',
      [podRequests('wms-api-b', '200')]: '0+300x10',
      [podRequests('wms-api-c', '200')]: '0+6000x10',
      [podRequests('wms-api-a', '200', 'other')]: '0+6000x10',
    },
    at: '8m',
    expr: adapterQuery(['wms-api-a', 'wms-api-b']),
    samples: [
      { labels: '{pod="wms-api-a"}', value: 20 },
      { labels: '{pod="wms-api-b"}', value: 5 },
    ],
  },
  {
    title: 'no 5xx yet: the error ratios are 0, not missing, and the whole budget remains',
    series: { [requests('200')]: '0+600x40' },
    at: '35m',
    expr: 'slo:period_error_budget_remaining:ratio',
    samples: [
      {
        labels:
          'slo:period_error_budget_remaining:ratio{namespace="wms",job="wms-api",slo="wms-api-availability"}',
        value: 1,
      },
    ],
  },
  {
    title: 'no 5xx yet: 5-minute RED error ratio is 0',
    series: { [requests('200')]: '0+600x20' },
    at: '10m',
    expr: 'namespace_job:http_requests_5xx:ratio_rate5m',
    samples: [
      { labels: 'namespace_job:http_requests_5xx:ratio_rate5m{namespace="wms",job="wms-api"}', value: 0 },
    ],
  },
  {
    title: 'as many Not Found as OK answers: the 4xx ratio is 50%',
    series: { [requests('200')]: '0+500x20', [requests('404')]: '0+500x20' },
    at: '10m',
    expr: 'namespace_job:http_requests_4xx:ratio_rate5m',
    samples: [
      { labels: 'namespace_job:http_requests_4xx:ratio_rate5m{namespace="wms",job="wms-api"}', value: 0.5 },
    ],
  },
  {
    title: 'no 4xx yet: the 4xx ratio is 0, not missing',
    series: { [requests('200')]: '0+600x20', [requests('500')]: '0+6x20' },
    at: '10m',
    expr: 'namespace_job:http_requests_4xx:ratio_rate5m',
    samples: [
      { labels: 'namespace_job:http_requests_4xx:ratio_rate5m{namespace="wms",job="wms-api"}', value: 0 },
    ],
  },
  {
    title: 'no traffic: no SLI sample (instead of NaN)',
    series: { [requests('200')]: '100x20', [requests('500')]: '5x20' },
    at: '10m',
    expr: 'slo:sli_error:ratio_rate5m',
    samples: [],
  },
  {
    title: 'the objective and the budget are recorded',
    series: {},
    at: '1m',
    expr: 'slo:objective:ratio + on(slo) slo:error_budget:ratio',
    samples: [{ labels: '{slo="wms-api-availability"}', value: 1 }],
  },
];
