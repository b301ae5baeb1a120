import { DASHBOARD_UIDS, renderDashboards, stableJson } from '../../../constructs/observability/dashboards';
import { TARGETS } from './fixtures';

interface Target {
  refId: string;
  expr: string;
  datasource: { type: string; uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource: { type: string; uid: string };
  targets: Target[];
}

const files = renderDashboards(TARGETS);
const dashboards = Object.entries(files).map(([file, json]) => ({ file, dashboard: JSON.parse(json) }));
const byUid = (uid: string) => dashboards.find((d) => d.dashboard.uid === uid)!.dashboard;
const exprs = (uid: string): string[] =>
  byUid(uid).panels.flatMap((p: Panel) => p.targets.map((t) => t.expr));

describe('renderDashboards', () => {
  it('THEN renders the RED, saturation, database and SLO dashboards as <uid>.json, unique uids and titles', () => {
    expect(Object.keys(files)).toEqual(Object.values(DASHBOARD_UIDS).map((uid) => `${uid}.json`));
    for (const { file, dashboard } of dashboards) expect(file).toBe(`${dashboard.uid}.json`);
    expect(new Set(dashboards.map((d) => d.dashboard.uid)).size).toBe(dashboards.length);
    expect(new Set(dashboards.map((d) => d.dashboard.title)).size).toBe(dashboards.length);
  });

  it('THEN each is Grafana schema 39 JSON whose panels read Prometheus from the datasource variable', () => {
    for (const { dashboard } of dashboards) {
      expect(dashboard).toEqual(
        expect.objectContaining({ schemaVersion: 39, editable: false, tags: ['wms'] }),
      );
      expect(dashboard).not.toHaveProperty('id');
      expect(dashboard.templating.list).toEqual([
        expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }),
      ]);
      const panels: Panel[] = dashboard.panels;
      expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
      for (const panel of panels) {
        expect(['timeseries', 'stat']).toContain(panel.type);
        expect(panel.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
        expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
        expect(panel.targets.length).toBeGreaterThan(0);
        expect(new Set(panel.targets.map((t) => t.refId)).size).toBe(panel.targets.length);
        for (const target of panel.targets) {
          expect(target.datasource).toEqual(panel.datasource);
          expect(target.expr).not.toMatch(/\$/);
        }
      }
    }
  });

  it('THEN panels do not overlap', () => {
    for (const { dashboard } of dashboards) {
      const cells = new Set<string>();
      for (const { gridPos: g } of dashboard.panels as Panel[]) {
        for (let x = g.x; x < g.x + g.w; x++) {
          for (let y = g.y; y < g.y + g.h; y++) {
            expect(cells.has(`${x},${y}`)).toBe(false);
            cells.add(`${x},${y}`);
          }
        }
      }
    }
  });

  it('THEN the RED dashboard shows rate, errors and p50/p95/p99 duration of the API', () => {
    const red = exprs(DASHBOARD_UIDS.apiRed);
    expect(red).toContain('namespace_job:http_requests:rate5m{namespace="wms",job="wms-api"}');
    expect(red).toContain('namespace_job:http_requests_5xx:ratio_rate5m{namespace="wms",job="wms-api"}');
    for (const q of ['p50', 'p95', 'p99']) {
      expect(red).toContain(
        `namespace_job:http_request_duration_seconds:${q}_rate5m{namespace="wms",job="wms-api"}`,
      );
    }
  });

  it('THEN saturation covers CPU, memory and disk; database covers connections, replica lag and the pool', () => {
    const saturation = exprs(DASHBOARD_UIDS.saturation).join('\n');
    for (const metric of [
      'container_cpu_usage_seconds_total',
      'container_memory_working_set_bytes',
      'node_filesystem_avail_bytes',
      'kubelet_volume_stats_available_bytes',
    ]) {
      expect(saturation).toContain(metric);
    }
    const database = exprs(DASHBOARD_UIDS.database).join('\n');
    for (const metric of [
      'probe_success{job="wms-database-probe"}',
      'aws_rds_database_connections_average',
      'aws_rds_database_connections_maximum',
      'aws_rds_aurora_replica_lag_average',
      'aws_wms_database_slow_queries_sum',
      'pg_pool_waiting_connections',
      'pg_pool_max',
    ]) {
      expect(database).toContain(metric);
    }
  });

  it('THEN the RED dashboard counts ready pods behind the stable Service and the Rollout available replicas', () => {
    const red = exprs(DASHBOARD_UIDS.apiRed);
    expect(red).toContain(
      'count by (endpoint) (count by (endpoint, ip) (kube_endpoint_address' +
        '{job="kube-state-metrics",namespace="wms",endpoint="wms-api",ready="true"}))',
    );
    expect(red).toContain('rollout_info_replicas_available{namespace="wms",name="wms-api"}');
  });

  it('THEN the SLO dashboard shows the error budget remaining and the burn rate of each alert window', () => {
    const slo = exprs(DASHBOARD_UIDS.slo);
    expect(slo).toContain('slo:period_error_budget_remaining:ratio{slo="wms-api-availability"}');
    for (const window of ['1h', '6h', '1d', '3d']) {
      expect(slo).toContain(`slo:sli_error:ratio_rate${window}{slo="wms-api-availability"} / 0.001`);
    }
  });

  it('THEN the RED dashboard shows the 4xx ratio and the probe of the web front end', () => {
    const red = exprs(DASHBOARD_UIDS.apiRed);
    expect(red).toContain('namespace_job:http_requests_4xx:ratio_rate5m{namespace="wms",job="wms-api"}');
    expect(red).toContain(
      'sum by (route, code) (rate(http_requests_total{namespace="wms",job="wms-api",code=~"4.."}[5m]))',
    );
    expect(red).toContain('probe_success{job="wms-web-probe"}');
  });

  it('THEN every dashboard marks releases (started, completed, aborted) of the WMS Rollouts', () => {
    for (const { dashboard } of dashboards) {
      expect(dashboard.annotations.list).toEqual([
        expect.objectContaining({
          name: 'Deploys',
          enable: true,
          datasource: { type: 'prometheus', uid: '${datasource}' },
          expr:
            'sum by (name, reason) (increase(rollout_events_total{namespace="wms",' +
            'reason=~"RolloutUpdated|RolloutCompleted|RolloutAborted"}[2m])) > 0',
          titleFormat: '{{reason}}',
          textFormat: 'Rollout {{name}}',
        }),
      ]);
    }
  });

  it('GIVEN the same targets twice THEN the bytes are identical, with sorted keys', () => {
    expect(renderDashboards({ ...TARGETS })).toEqual(files);
    for (const json of Object.values(files)) expect(stableJson(JSON.parse(json))).toBe(json);
  });

  it('GIVEN other targets THEN the queries follow them', () => {
    const other = JSON.stringify(
      renderDashboards({ ...TARGETS, namespace: 'wms-staging', apiJob: 'orders' }),
    );
    expect(other).toContain('namespace=\\\\\\"wms-staging\\\\\\",job=\\\\\\"orders\\\\\\"');
    expect(other).not.toContain('job=\\\\\\"wms-api\\\\\\"');
  });

  it('GIVEN invalid targets THEN reports them', () => {
    expect(() => renderDashboards({ ...TARGETS, namespace: 'Bad', databaseLocalStorageGiB: 0 })).toThrow(
      /^renderDashboards: namespace: "Bad" is not allowed .*\nrenderDashboards: databaseLocalStorageGiB: 0 is not allowed/,
    );
  });
});

describe('stableJson', () => {
  it('THEN sorts keys at every level and keeps array order', () => {
    expect(stableJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe(
      '{\n  "a": [\n    {\n      "c": 2,\n      "d": 1\n    }\n  ],\n  "b": 1\n}\n',
    );
  });
});
