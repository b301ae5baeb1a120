import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { DASHBOARD_UIDS, renderDashboards } from '../../../constructs/observability/dashboards';
import { unknownMetrics } from '../../../constructs/observability/metrics-catalogue';
import { TARGETS } from './fixtures';
import { requireTool, runTool } from './tools';

/**
 * The delivery dashboard's statistics, evaluated by promtool on an hour of synthetic Argo Rollouts metrics as the
 * v1.9.1 controller exports them: four releases of wms-api (minutes 5, 20, 35, 50), each Progressing for three
 * minutes; three complete, the third is aborted at minute 38 after its AnalysisRun fails. A series that ends is
 * marked stale, as Prometheus does when the controller stops exporting a label set (a phase change).
 */
const MINUTES = 60;
const RELEASES = [5, 20, 35, 50];
const ABORTED = 35;

interface Panel {
  title: string;
  targets: { expr: string }[];
}
const dashboard = JSON.parse(renderDashboards(TARGETS)[`${DASHBOARD_UIDS.delivery}.json`]) as {
  panels: Panel[];
};
const expr = (title: string): string => {
  const found = dashboard.panels.find((p) => p.title.startsWith(title));
  if (!found) throw new Error(`no panel titled ${title}`);
  return found.targets[0].expr;
};

/** Values per minute 0..MINUTES of a series that is `value(minute)` or absent (then stale once, then nothing). */
function perMinute(value: (minute: number) => number | undefined): string {
  const values: string[] = [];
  let present = false;
  for (let minute = 0; minute <= MINUTES; minute++) {
    const v = value(minute);
    if (v !== undefined) values.push(String(v));
    else values.push(present ? 'stale' : '_');
    present = v !== undefined;
  }
  return values.join(' ');
}

const counter = (minutes: readonly number[]) => (m: number) => minutes.filter((at) => at <= m).length;
const during = (from: number, to: number) => (m: number) => (m >= from && m < to ? 1 : undefined);
const anyOf =
  (...parts: ((m: number) => number | undefined)[]) =>
  (m: number) =>
    parts.map((p) => p(m)).find((v) => v !== undefined);

const labels = 'namespace="wms",name="wms-api"';
const SERIES = [
  ['RolloutUpdated', RELEASES],
  ['RolloutCompleted', RELEASES.filter((r) => r !== ABORTED).map((r) => r + 3)],
  ['RolloutAborted', [ABORTED + 3]],
].map(([reason, at]) => ({
  series: `rollout_events_total{${labels},reason="${reason}",type="Normal"}`,
  values: perMinute(counter(at as number[])),
}));
SERIES.push(
  {
    series: `rollout_info{${labels},phase="Progressing",strategy="canary",traffic_router="ALB"}`,
    values: perMinute(anyOf(...RELEASES.map((r) => during(r, r + 3)))),
  },
  {
    series: `rollout_info{${labels},phase="Completed",strategy="canary",traffic_router="ALB"}`,
    values: perMinute(anyOf(during(0, 5), during(8, 20), during(23, 35), during(53, MINUTES + 1))),
  },
  {
    series: `rollout_info{${labels},phase="Abort",strategy="canary",traffic_router="ALB"}`,
    values: perMinute(during(ABORTED + 3, 50)),
  },
  // The AnalysisRun of the aborted release: Running for 3 minutes, then Failed; one of a good release: Successful.
  {
    series: 'analysis_run_info{namespace="wms",name="wms-api-7d9f-3",phase="Running"}',
    values: perMinute(during(ABORTED, ABORTED + 3)),
  },
  {
    series: 'analysis_run_info{namespace="wms",name="wms-api-7d9f-3",phase="Failed"}',
    values: perMinute(during(ABORTED + 3, MINUTES + 1)),
  },
  {
    series: 'analysis_run_info{namespace="wms",name="wms-api-5c2a-1",phase="Running"}',
    values: perMinute(during(5, 8)),
  },
  {
    series: 'analysis_run_info{namespace="wms",name="wms-api-5c2a-1",phase="Successful"}',
    values: perMinute(during(8, MINUTES + 1)),
  },
);

const EXPECTED: [string, number][] = [
  ['Releases', 4],
  ['Success rate', 0.75],
  ['Abort rate', 0.25],
  // 3 minutes Progressing per release.
  ['Deployment duration', 180],
  // From the failed AnalysisRun's start (minute 35) to its failure (minute 38).
  ['Time to automatic rollback', 180],
];

describe('the delivery dashboard', () => {
  let dir: string;
  beforeAll(() => {
    requireTool('promtool');
    dir = mkdtempSync(join(tmpdir(), 'wms-delivery-'));
    writeFileSync(join(dir, 'empty-rules.yaml'), stringify({ groups: [] }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads only the Argo Rollouts controller metrics of the catalogue', () => {
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
    expect(exprs.flatMap((e) => unknownMetrics(e))).toEqual([]);
    expect(exprs.every((e) => /rollout_events_total|rollout_info|analysis_run_info/.test(e))).toBe(true);
  });

  it('GIVEN four releases, one aborted THEN promtool computes count, rates, duration and time to rollback', () => {
    const tests = {
      rule_files: ['empty-rules.yaml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: SERIES,
          promql_expr_test: EXPECTED.map(([title, value]) => ({
            expr: expr(title),
            eval_time: `${MINUTES}m`,
            exp_samples: [{ labels: '{}', value }],
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

  it('GIVEN no release in the window THEN the count is 0 and the rates are empty, not a division by zero', () => {
    const tests = {
      rule_files: ['empty-rules.yaml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            {
              series: `rollout_info{${labels},phase="Completed",strategy="canary",traffic_router="ALB"}`,
              values: '1x60',
            },
          ],
          promql_expr_test: [
            { expr: expr('Releases'), eval_time: '60m', exp_samples: [{ labels: '{}', value: 0 }] },
            { expr: expr('Success rate'), eval_time: '60m', exp_samples: [] },
            { expr: expr('Time to automatic rollback'), eval_time: '60m', exp_samples: [] },
          ],
        },
      ],
    };
    const file = join(dir, 'empty.yaml');
    writeFileSync(file, stringify(tests, { lineWidth: 0 }));
    const result = runTool('promtool', ['test', 'rules', file]);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });
});
