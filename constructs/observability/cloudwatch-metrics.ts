/**
 * The CloudWatch metrics the WMS monitoring reads through YACE (yet-another-cloudwatch-exporter): which ones YACE
 * requests, and the Prometheus names YACE gives them. One list feeds the YACE configuration, the metric catalogue
 * and the database's log metric filter, so a renamed metric cannot leave a rule reading a series nobody exports.
 */

/** One CloudWatch metric YACE requests, with the statistics it exports (one Prometheus series name each). */
export interface CloudwatchMetric {
  /** CloudWatch metric name, e.g. `FreeLocalStorage`. */
  readonly name: string;
  /** CloudWatch statistics, e.g. `Average`; YACE appends each, snake-cased, to the series name. */
  readonly statistics: readonly ('Average' | 'Maximum' | 'Minimum' | 'Sum')[];
}

/** CloudWatch period and look-back of every YACE job: the 5-minute granularity RDS publishes without cost. */
export const CLOUDWATCH_PERIOD_SECONDS = 300;
/** How far back YACE asks CloudWatch, so a late datapoint of the previous period is still found. */
export const CLOUDWATCH_LENGTH_SECONDS = 600;

/** The `AWS/RDS` metrics of each Aurora instance (dimension `DBInstanceIdentifier` only) the rules and dashboards use. */
export const RDS_INSTANCE_METRICS: readonly CloudwatchMetric[] = [
  { name: 'AuroraReplicaLag', statistics: ['Average', 'Maximum'] },
  { name: 'FreeLocalStorage', statistics: ['Minimum', 'Average'] },
  { name: 'DatabaseConnections', statistics: ['Average', 'Maximum'] },
  { name: 'CPUUtilization', statistics: ['Average'] },
  { name: 'FreeableMemory', statistics: ['Average'] },
  // Performance Insights' database load (average active sessions), which RDS publishes to AWS/RDS while there is
  // load (issue #18): total, on CPU, waiting (the non-CPU part), and relative to the instance's vCPUs.
  // @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_PerfInsights.Cloudwatch.html
  { name: 'DBLoad', statistics: ['Average'] },
  { name: 'DBLoadCPU', statistics: ['Average'] },
  { name: 'DBLoadNonCPU', statistics: ['Average'] },
  { name: 'DBLoadRelativeToNumVCPUs', statistics: ['Average'] },
];

/**
 * The slow-statement count: `PostgresDatabase`'s metric filter on the PostgreSQL log group publishes 1 per
 * `duration: ... ms` line (statements slower than `log_min_duration_statement`) into this custom namespace, without
 * dimensions, and YACE exports its 5-minute `Sum`.
 */
export const SLOW_QUERY_METRIC = {
  namespace: 'WMS/Database',
  name: 'SlowQueries',
  statistics: ['Sum'],
} as const satisfies CloudwatchMetric & { readonly namespace: string };

/** The YACE job name (its `name` label) of the custom `WMS/Database` namespace. */
export const SLOW_QUERY_JOB_NAME = 'wms-database';

/**
 * The Prometheus name YACE gives a CloudWatch metric: a port of YACE's `promutil.BuildMetricName` (v0.67.0):
 * `aws_` unless the namespace already starts with it, the snake-cased namespace, the snake-cased metric name
 * without a repeated namespace prefix, and the snake-cased statistic.
 * @see https://github.com/prometheus-community/yet-another-cloudwatch-exporter/blob/v0.67.0/pkg/promutil/migrate.go
 */
export function yaceMetricName(namespace: string, metricName: string, statistic: string): string {
  const lowered = namespace.startsWith('/') ? namespace.slice(1) : namespace;
  const promNs = promString(lowered.toLowerCase());
  let name = promString(metricName);
  let skip = 0;
  for (const part of promNs.split('_')) {
    if (name.slice(skip).startsWith(part)) skip = part.length;
  }
  name = name.slice(skip).replace(/^_/, '');
  return `${promNs.startsWith('aws') ? '' : 'aws_'}${promNs}_${name}_${promString(statistic)}`;
}

/** YACE's `PromString`: separators to `_`, `%` to `_percent`, `_` before an upper-case letter that follows a lower-case letter or digit, lower case. */
function promString(text: string): string {
  let out = '';
  let previous = '';
  for (const c of text) {
    if (' ,\t/\\.-:=@<>()“'.includes(c)) out += '_';
    else if (c === '%') out += '_percent';
    else {
      const upper = c !== c.toLowerCase();
      if (upper && (/[a-z]/.test(previous) || /[0-9]/.test(previous))) out += '_';
      out += c.toLowerCase();
    }
    previous = c;
  }
  return out;
}

/** The Prometheus series names of one CloudWatch metric, one per statistic. */
export function yaceSeries(namespace: string, metric: CloudwatchMetric): string[] {
  return metric.statistics.map((statistic) => yaceMetricName(namespace, metric.name, statistic));
}

/** The series names of the `AWS/RDS` instance metrics and the slow-statement count, as YACE exports them. */
export const CLOUDWATCH_SERIES = {
  rds: (name: string, statistic: CloudwatchMetric['statistics'][number]) =>
    yaceMetricName('AWS/RDS', name, statistic),
  slowQueries: yaceMetricName(SLOW_QUERY_METRIC.namespace, SLOW_QUERY_METRIC.name, 'Sum'),
} as const;
