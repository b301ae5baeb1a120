import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { Construct } from 'constructs';
import { ANALYSIS_THRESHOLDS } from '../../shared/progressive-delivery';
import { propError } from '../shared/errors';
import { LABELS, PART_OF, checkInteger } from './private/kubernetes';

/** The analysis argument that carries the pod-template hash of the version under analysis. */
export const CANARY_HASH_ARG = 'canary-hash';

/** Rate window of the analysis queries: two 30 s scrapes at least, short enough to see a failure at once. */
export const ANALYSIS_RATE_WINDOW = '1m';

/** One analysis metric: its name, its PromQL query and the condition that makes a measurement pass. */
export interface AnalysisMetric {
  /** Metric name in the AnalysisTemplate, e.g. `error-ratio`. */
  readonly name: string;
  /** PromQL query; `{{args.canary-hash}}` is replaced by the controller. It always returns one sample. */
  readonly query: string;
  /** The threshold the sample must stay under. */
  readonly threshold: number;
}

/**
 * The analysis metrics of the API on the team's thresholds: 5xx ratio under 5%, p95 latency under 2 s, and an
 * availability-SLO burn rate under the fast-burn page factor (14.4). They select the pods of the version under
 * analysis by name (`<name>-<pod-template-hash>-<suffix>`, the ReplicaSet's pods). Without traffic each query
 * returns 0 (no evidence of failure) rather than nothing, which Argo Rollouts would count as an error.
 * @see https://argoproj.github.io/argo-rollouts/analysis/prometheus/
 */
export function apiAnalysisMetrics(
  namespace: string,
  name: string,
  hash = `{{args.${CANARY_HASH_ARG}}}`,
): AnalysisMetric[] {
  const pods = `namespace="${namespace}",pod=~"${name}-${hash}-.*"`;
  const w = ANALYSIS_RATE_WINDOW;
  const requests = `sum(rate(http_requests_total{${pods}}[${w}]))`;
  const errors = `sum(rate(http_requests_total{${pods},code=~"5.."}[${w}]))`;
  const errorRatio = `(((${errors} or vector(0)) / (${requests} > 0)) or vector(0))`;
  const p95 =
    `(histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{${pods}}[${w}])) ` +
    `and on () (${requests} > 0)) or vector(0))`;
  // The SLO allows 0.1% errors: the burn rate is the error ratio over that budget.
  const budget = 0.001;
  return [
    { name: 'error-ratio', query: errorRatio, threshold: ANALYSIS_THRESHOLDS.maxErrorRatio },
    { name: 'latency-p95', query: p95, threshold: ANALYSIS_THRESHOLDS.maxP95LatencySeconds },
    { name: 'slo-burn-rate', query: `${errorRatio} / ${budget}`, threshold: ANALYSIS_THRESHOLDS.maxBurnRate },
  ];
}

/**
 * Container restarts and bad waiting states tolerated per canary pod set and measurement: none. One restart or one
 * container stuck in a failing state is evidence enough that the new version is broken.
 */
export const WEB_ANALYSIS_THRESHOLDS = { maxRestarts: 1, maxFailingContainers: 1 } as const;

/** Waiting reasons of a container that will not serve (kube-state-metrics `reason` label). */
export const FAILING_WAITING_REASONS = [
  'CrashLoopBackOff',
  'CreateContainerConfigError',
  'CreateContainerError',
  'ErrImagePull',
  'ImagePullBackOff',
] as const;

/**
 * The analysis metrics of the web front end. nginx serving static files exports no request metrics, and the load
 * balancer's CloudWatch metrics arrive minutes late (1-minute periods, then YACE's delay): too late for a
 * 120 s rollback bound. What Prometheus already scrapes about the new pods, within one scrape interval, is their
 * health from kube-state-metrics: a container that restarts (crash, failed liveness probe on `/health`) or waits
 * in a failing state (crash loop, image or configuration error) fails the measurement. Pods are selected by name
 * as for the API; without pods each query returns 0.
 */
export function webAnalysisMetrics(
  namespace: string,
  name: string,
  hash = `{{args.${CANARY_HASH_ARG}}}`,
): AnalysisMetric[] {
  const pods = `namespace="${namespace}",pod=~"${name}-${hash}-.*"`;
  const w = ANALYSIS_RATE_WINDOW;
  const reasons = FAILING_WAITING_REASONS.join('|');
  return [
    {
      name: 'container-restarts',
      query: `(sum(increase(kube_pod_container_status_restarts_total{${pods}}[${w}])) or vector(0))`,
      threshold: WEB_ANALYSIS_THRESHOLDS.maxRestarts,
    },
    {
      name: 'failing-containers',
      query:
        `(sum(max_over_time(kube_pod_container_status_waiting_reason{${pods},reason=~"${reasons}"}[${w}])) ` +
        'or vector(0))',
      threshold: WEB_ANALYSIS_THRESHOLDS.maxFailingContainers,
    },
  ];
}

/** Properties of a {@link WmsAnalysisTemplate}. */
export interface WmsAnalysisTemplateProps {
  /** Namespace of the template and of the pods it analyses. */
  readonly namespace: string;
  /** Name of the analysed workload (its pods are `<name>-<hash>-<suffix>`), e.g. `wms-api`. */
  readonly name: string;
  /** Prometheus base URL, e.g. `http://kps-prometheus.monitoring.svc:9090`. */
  readonly prometheusUrl: string;
  /** Seconds between two measurements. */
  readonly intervalSeconds: number;
  /** Failed measurements tolerated per metric; the next aborts the rollout. */
  readonly failureLimit: number;
  /**
   * Measurements per metric: the analysis then ends (blue-green pre-promotion).
   * @default - measure until the rollout stops the analysis (canary background analysis)
   */
  readonly count?: number;
  /**
   * The metrics, each with its query on the pods of `{{args.canary-hash}}` and its threshold.
   * @default - the API's: apiAnalysisMetrics(namespace, name)
   */
  readonly metrics?: readonly AnalysisMetric[];
}

/**
 * An Argo Rollouts AnalysisTemplate of a WMS canary (`<name>-analysis`): the given metrics (the API's
 * {@link apiAnalysisMetrics} by default, the web's {@link webAnalysisMetrics}), each failing past its threshold. Errors (Prometheus unreachable) are bounded like
 * failures, so a blind analysis aborts as fast as a failing one.
 */
export class WmsAnalysisTemplate extends Construct {
  /** Name of the template, `<name>-analysis`. */
  readonly templateName: string;
  /** The AnalysisTemplate (escape hatch). */
  readonly manifest: Manifest;

  constructor(scope: Construct, id: string, props: WmsAnalysisTemplateProps) {
    super(scope, id);
    checkInteger(this, 'intervalSeconds', props.intervalSeconds, 10, 600);
    checkInteger(this, 'failureLimit', props.failureLimit, 0, 10);
    if (props.count !== undefined) checkInteger(this, 'count', props.count, props.failureLimit + 1, 100);
    if (!/^https?:\/\/[a-z0-9.-]+(:\d+)?$/.test(props.prometheusUrl)) {
      throw propError(
        this,
        'prometheusUrl',
        props.prometheusUrl,
        'a base URL such as http://prometheus:9090',
      );
    }
    this.templateName = `${props.name}-analysis`;
    this.manifest = new Manifest(this, 'Template', {
      manifest: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'AnalysisTemplate',
        metadata: {
          name: this.templateName,
          namespace: props.namespace,
          labels: { [LABELS.name]: props.name, [LABELS.partOf]: PART_OF },
        },
        spec: {
          args: [{ name: CANARY_HASH_ARG }],
          metrics: (props.metrics ?? apiAnalysisMetrics(props.namespace, props.name)).map((metric) => ({
            name: metric.name,
            interval: `${props.intervalSeconds}s`,
            ...(props.count !== undefined ? { count: props.count } : {}),
            failureLimit: props.failureLimit,
            consecutiveErrorLimit: props.failureLimit,
            successCondition: `result[0] < ${metric.threshold}`,
            failureCondition: `result[0] >= ${metric.threshold}`,
            provider: { prometheus: { address: props.prometheusUrl, query: metric.query } },
          })),
        },
      },
    });
  }
}
