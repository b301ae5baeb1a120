import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { apiAnalysisMetrics, webAnalysisMetrics } from '../../../constructs/app/wms-analysis-template';
import { unknownMetrics } from '../../../constructs/observability/metrics-catalogue';
import { ANALYSIS_THRESHOLDS } from '../../../shared/progressive-delivery';
import { requireTool, runTool } from '../observability/tools';

/**
 * The analysis queries of the API canary, evaluated by promtool on synthetic series: the version under analysis
 * (pods `wms-api-abc123-*`) next to the stable one (`wms-api-def456-*`). A measurement passes when
 * `query < threshold` returns a sample (successCondition) and fails (counts towards the abort) when
 * `query >= threshold` does (failureCondition). Series are cumulative counters sampled every 15 s.
 */
const HASH = 'abc123';
const metrics = apiAnalysisMetrics('wms', 'wms-api', HASH);
const byName = Object.fromEntries(metrics.map((m) => [m.name, m]));

/** `rate` per second over the series: `start+step x count` for a counter growing by `step` every 15 s. */
const counter = (step: number) => `0+${step}x20`;
const pod = (hash: string) => `wms-api-${hash}-x1`;

/** Requests and histogram buckets of one pod: `total` and `errors` per 15 s, every request in bucket `le`. */
function podSeries(hash: string, total: number, errors: number, le: string) {
  const labels = `namespace="wms",pod="${pod(hash)}"`;
  const series = [
    { series: `http_requests_total{${labels},code="200"}`, values: counter(total - errors) },
    { series: `http_requests_total{${labels},code="500"}`, values: counter(errors) },
  ];
  for (const bound of ['0.5', '2', '5', '+Inf']) {
    const inBucket = Number(bound === '+Inf' ? Infinity : bound) >= Number(le) ? total : 0;
    series.push({
      series: `http_request_duration_seconds_bucket{${labels},le="${bound}"}`,
      values: counter(inBucket),
    });
  }
  return series;
}

interface Case {
  readonly title: string;
  readonly series: { series: string; values: string }[];
  /** The metrics that must fail (all others must pass). */
  readonly failing: readonly string[];
}

const CASES: Case[] = [
  {
    title: 'a healthy canary (0.5% errors, fast) next to a failing stable version: passes',
    series: [...podSeries(HASH, 200, 1, '0.5'), ...podSeries('def456', 100, 50, '5')],
    failing: [],
  },
  {
    title: 'a canary without traffic: passes (no evidence), never an empty result',
    series: podSeries('def456', 100, 0, '0.5'),
    failing: [],
  },
  {
    title: 'a canary with 10% 5xx: error ratio and burn rate fail (abort)',
    series: podSeries(HASH, 100, 10, '0.5'),
    failing: ['error-ratio', 'slo-burn-rate'],
  },
  {
    title: 'a canary with 2% 5xx: under the 5% threshold, but burns the budget 20x (abort)',
    series: podSeries(HASH, 100, 2, '0.5'),
    failing: ['slo-burn-rate'],
  },
  {
    title: 'a slow canary (every request between 2 and 5 s): p95 fails (abort)',
    series: podSeries(HASH, 100, 0, '5'),
    failing: ['latency-p95'],
  },
];

describe('the API analysis queries, evaluated by promtool', () => {
  let dir: string;
  beforeAll(() => {
    requireTool('promtool');
    dir = mkdtempSync(join(tmpdir(), 'wms-analysis-'));
    writeFileSync(join(dir, 'empty-rules.yaml'), stringify({ groups: [] }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the team thresholds: 5xx under 5%, p95 under 2 s, burn rate under 14.4', () => {
    expect(metrics.map((m) => [m.name, m.threshold])).toEqual([
      ['error-ratio', ANALYSIS_THRESHOLDS.maxErrorRatio],
      ['latency-p95', ANALYSIS_THRESHOLDS.maxP95LatencySeconds],
      ['slo-burn-rate', ANALYSIS_THRESHOLDS.maxBurnRate],
    ]);
    expect(ANALYSIS_THRESHOLDS).toEqual({ maxErrorRatio: 0.05, maxP95LatencySeconds: 2, maxBurnRate: 14.4 });
  });

  it.each(CASES.map((c) => [c.title, c]))('%s', (_title, testCase) => {
    const expectations = Object.keys(byName).flatMap((name) => {
      const metric = byName[name];
      const fails = (testCase as Case).failing.includes(name);
      // The failing condition returns one sample, the passing one none (and vice versa).
      return [
        {
          expr: `(${metric.query}) >= ${metric.threshold}`,
          eval_time: '4m',
          exp_samples: fails ? [{ labels: '{}', value: 0 }] : [],
        },
        {
          expr: `(${metric.query}) < ${metric.threshold}`,
          eval_time: '4m',
          exp_samples: fails ? [] : [{ labels: '{}', value: 0 }],
        },
      ];
    });
    // promtool compares values too: count() turns the one sample into 1, and the case only states presence.
    const tests = {
      rule_files: ['empty-rules.yaml'],
      evaluation_interval: '15s',
      tests: [
        {
          interval: '15s',
          input_series: (testCase as Case).series,
          promql_expr_test: expectations.map((e) => ({
            expr: `count(${e.expr})`,
            eval_time: e.eval_time,
            exp_samples: e.exp_samples.length > 0 ? [{ labels: '{}', value: 1 }] : [],
          })),
        },
      ],
    };
    const file = join(dir, 'tests.yaml');
    writeFileSync(file, stringify(tests, { lineWidth: 0 }));
    const result = runTool('promtool', ['test', 'rules', file]);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });
});

/**
 * The web canary's analysis queries (the health of its new pods, from kube-state-metrics), evaluated by promtool the
 * same way: the version under analysis is `wms-web-abc123-*`, the stable one `wms-web-def456-*`.
 */
const webMetrics = webAnalysisMetrics('wms', 'wms-web', HASH);

/** kube-state-metrics series of one web pod: its restart counter and, if any, a waiting reason from minute 2. */
function webPod(hash: string, restartsPerMinute: number, waiting?: string) {
  const labels = `namespace="wms",pod="wms-web-${hash}-x1",container="wms-web"`;
  const series = [
    {
      series: `kube_pod_container_status_restarts_total{${labels}}`,
      values: `0+${restartsPerMinute / 4}x20`,
    },
  ];
  if (waiting) {
    series.push({
      series: `kube_pod_container_status_waiting_reason{${labels},reason="${waiting}"}`,
      values: '_x7 1x12',
    });
  }
  return series;
}

const WEB_CASES: Case[] = [
  {
    title: 'a healthy web canary next to a crash-looping stable version: passes',
    series: [...webPod(HASH, 0), ...webPod('def456', 2, 'CrashLoopBackOff')],
    failing: [],
  },
  {
    title: 'no web canary pods yet: passes (no evidence), never an empty result',
    series: webPod('def456', 0),
    failing: [],
  },
  {
    title: 'a web canary that restarts (failed liveness probe): container-restarts fails (abort)',
    series: webPod(HASH, 1),
    failing: ['container-restarts'],
  },
  {
    title: 'a web canary whose image cannot be pulled: failing-containers fails (abort)',
    series: webPod(HASH, 0, 'ImagePullBackOff'),
    failing: ['failing-containers'],
  },
  {
    title: 'a web canary waiting for a harmless reason (ContainerCreating): passes',
    series: webPod(HASH, 0, 'ContainerCreating'),
    failing: [],
  },
];

describe('the web analysis queries, evaluated by promtool', () => {
  let dir: string;
  beforeAll(() => {
    requireTool('promtool');
    dir = mkdtempSync(join(tmpdir(), 'wms-web-analysis-'));
    writeFileSync(join(dir, 'empty-rules.yaml'), stringify({ groups: [] }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fails on one restart or one failing container, and reads only catalogued metrics', () => {
    expect(webMetrics.map((m) => [m.name, m.threshold])).toEqual([
      ['container-restarts', 1],
      ['failing-containers', 1],
    ]);
    expect(webMetrics.flatMap((m) => unknownMetrics(m.query))).toEqual([]);
    expect(metrics.flatMap((m) => unknownMetrics(m.query))).toEqual([]);
  });

  it.each(WEB_CASES.map((c) => [c.title, c]))('%s', (_title, testCase) => {
    const promqlTests = webMetrics.flatMap((metric) => {
      const fails = (testCase as Case).failing.includes(metric.name);
      return [
        { expr: `count((${metric.query}) >= ${metric.threshold})`, present: fails },
        { expr: `count((${metric.query}) < ${metric.threshold})`, present: !fails },
      ].map((e) => ({
        expr: e.expr,
        eval_time: '4m',
        exp_samples: e.present ? [{ labels: '{}', value: 1 }] : [],
      }));
    });
    const tests = {
      rule_files: ['empty-rules.yaml'],
      evaluation_interval: '15s',
      tests: [{ interval: '15s', input_series: (testCase as Case).series, promql_expr_test: promqlTests }],
    };
    const file = join(dir, 'tests.yaml');
    writeFileSync(file, stringify(tests, { lineWidth: 0 }));
    const result = runTool('promtool', ['test', 'rules', file]);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });
});
