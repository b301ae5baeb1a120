/**
 * What the WMS monitoring content watches: the namespace, scrape jobs and sizes that alert rules and dashboards
 * select on. Shared by alert-rules.ts and dashboards.ts so both select the same series.
 */

/** How an alert reaches people: `critical` pages, `warning` opens a ticket (chat), `info` is only recorded. */
export type Severity = 'critical' | 'warning' | 'info';

/** The part of the system an alert is about; critical alerts inhibit warnings of the same component. */
export type Component =
  'wms-api' | 'wms-web' | 'wms-database' | 'wms-workloads' | 'wms-platform' | 'wms-delivery';

/** The scrape jobs and objects the WMS rules and dashboards select on. */
export interface MonitoringTargets {
  /** Kubernetes namespace of the WMS workloads, e.g. `wms`. */
  readonly namespace: string;
  /** `job` label of the API's own metrics (the ServiceMonitor's service name), e.g. `wms-api`. */
  readonly apiJob: string;
  /**
   * Name of the API's stable Service and of its Argo Rollout, e.g. `wms-api`: the Service selects the stable
   * version's pods, and kube-state-metrics reports its Endpoints (`kube_endpoint_address{endpoint=...}`); the
   * controller reports the Rollout (`rollout_info{name=...}`).
   */
  readonly apiService: string;
  /** `job` label of the blackbox-exporter probe of the public API URL (through the load balancer). */
  readonly probeJob: string;
  /**
   * `job` label of the blackbox-exporter probe of the web front end's public URL (`https://<domain>/`, through the
   * load balancer), e.g. `wms-web-probe`.
   */
  readonly webProbeJob: string;
  /** `job` label of the blackbox-exporter TCP probe of the database's RDS Proxy endpoint (port 5432). */
  readonly databaseProbeJob: string;
  /**
   * `job` label of YACE (yet-another-cloudwatch-exporter), which exports the Aurora instances' CloudWatch metrics
   * (`AWS/RDS`) and the slow-statement count of the database's log metric filter (`WMS/Database`).
   */
  readonly cloudwatchExporterJob: string;
  /**
   * Local (temporary) storage of one Aurora instance, in GiB: the size of its instance class.
   * Aurora's cluster volume grows by itself; what fills up is each instance's local storage (sorts, temp files).
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraPostgreSQL.Managing.html
   */
  readonly databaseLocalStorageGiB: number;
}

/**
 * `job` labels of the exporters kube-prometheus-stack installs: its ServiceMonitors set them with `jobLabel`, so
 * they do not depend on the release name.
 */
export const KPS_JOBS = {
  kubeStateMetrics: 'kube-state-metrics',
  nodeExporter: 'node-exporter',
  kubelet: 'kubelet',
} as const;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const JOB_LABEL = /^[A-Za-z0-9][A-Za-z0-9._/:-]{0,252}$/;

/** One problem, in the project's format: `<where>: <field>: <value> is not allowed (<what is allowed>)`. */
export function problem(where: string, field: string, value: unknown, allowed: string): string {
  return `${where}: ${field}: ${JSON.stringify(value)} is not allowed (${allowed})`;
}

/** Throws one error listing every problem, if there is any. */
export function throwProblems(problems: readonly string[]): void {
  if (problems.length > 0) throw new Error(problems.join('\n'));
}

/**
 * Checks targets, adding a message per problem to `problems`; values end up inside PromQL string literals, so
 * quotes, backslashes and spaces are refused.
 */
export function checkTargets(where: string, targets: MonitoringTargets, problems: string[]): void {
  const dnsLabel = 'a Kubernetes name: lowercase letters, digits and dashes, at most 63 characters';
  const job = 'a Prometheus job label value: letters, digits and . _ / : -';
  const texts: [keyof MonitoringTargets, RegExp, string][] = [
    ['namespace', DNS_LABEL, dnsLabel],
    // A DNS-1035 label: it also goes, unescaped, into PromQL label matchers.
    ['apiService', /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/, 'a Kubernetes Service name (DNS-1035 label)'],
    ['apiJob', JOB_LABEL, job],
    ['probeJob', JOB_LABEL, job],
    ['webProbeJob', JOB_LABEL, job],
    ['databaseProbeJob', JOB_LABEL, job],
    ['cloudwatchExporterJob', JOB_LABEL, job],
  ];
  for (const [field, pattern, allowed] of texts) {
    const value = targets[field];
    if (typeof value !== 'string' || !pattern.test(value))
      problems.push(problem(where, field, value, allowed));
  }
  // Each job selects one source: two sources under one job would feed each other's rules.
  const jobs: (keyof MonitoringTargets)[] = [
    'apiJob',
    'probeJob',
    'webProbeJob',
    'databaseProbeJob',
    'cloudwatchExporterJob',
  ];
  jobs.forEach((field, index) => {
    const same = jobs.slice(0, index).find((other) => targets[other] === targets[field]);
    if (same !== undefined) {
      problems.push(problem(where, field, targets[field], `a job label other than ${same}'s`));
    }
  });
  const storage = targets.databaseLocalStorageGiB;
  if (!Number.isInteger(storage) || storage < 1 || storage > 65536) {
    problems.push(
      problem(where, 'databaseLocalStorageGiB', storage, 'a whole number of GiB from 1 to 65536'),
    );
  }
}

/** A PromQL label-matcher list, `{a="x",b=~"y"}`: equality for the record, raw matchers appended as written. */
export function selector(equal: Readonly<Record<string, string>>, ...raw: string[]): string {
  const matchers = Object.entries(equal).map(([name, value]) => `${name}="${value}"`);
  return `{${[...matchers, ...raw].join(',')}}`;
}
