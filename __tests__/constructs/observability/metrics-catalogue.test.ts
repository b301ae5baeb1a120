import { renderRuleGroups } from '../../../constructs/observability/alert-rules';
import { renderDashboards } from '../../../constructs/observability/dashboards';
import {
  METRIC_CATALOGUE,
  catalogueMetrics,
  metricNames,
  unknownMetrics,
} from '../../../constructs/observability/metrics-catalogue';
import { RULE_OPTIONS, TARGETS } from './fixtures';
import { adapterQuery } from './rule-cases';

describe('metricNames', () => {
  it('GIVEN selectors inside functions and aggregations THEN returns only the metric names', () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (namespace, le) (rate(http_request_duration_seconds_bucket{job="a"}[5m])))',
      ),
    ).toEqual(['http_request_duration_seconds_bucket']);
  });

  it('GIVEN label names, strings, modifiers and durations THEN ignores them', () => {
    const expr =
      'sum without (instance) (rate(a_total{route="b_total",code=~"5.."}[1h] offset 1w)) ' +
      '/ ignoring(code) group_left c:recorded:ratio > bool 3 and on (job) absent(up) or vector(1) ' +
      'unless max_over_time(d[1h:5m])';
    expect(metricNames(expr)).toEqual(['a_total', 'c:recorded:ratio', 'd', 'up']);
  });

  it('GIVEN the same metric twice THEN lists it once', () => {
    expect(metricNames('x / x')).toEqual(['x']);
  });

  it('GIVEN invalid PromQL THEN throws with the position', () => {
    expect(() => metricNames('sum(rate(x[5m])')).toThrow(
      /metricNames: syntax error at character \d+ of "sum\(rate/,
    );
    expect(() => metricNames('x >')).toThrow(/syntax error/);
  });
});

describe('unknownMetrics', () => {
  it('GIVEN an uncatalogued metric THEN names it, unless it is a recording rule we define', () => {
    expect(unknownMetrics('rate(made_up_total[5m]) / http_requests_total')).toEqual(['made_up_total']);
    expect(unknownMetrics('made_up_total', ['made_up_total'])).toEqual([]);
  });
});

describe('METRIC_CATALOGUE', () => {
  it('THEN lists each metric under one source only', () => {
    const all = Object.values(METRIC_CATALOGUE).flatMap((s) => [...s.metrics]);
    expect(all.length).toBe(catalogueMetrics().size);
  });

  it('THEN every rule and dashboard query reads only catalogued metrics and our recording rules', () => {
    const rules = renderRuleGroups(RULE_OPTIONS).groups.flatMap((g) => g.rules);
    const recorded = rules.flatMap((r) => ('record' in r ? [r.record] : []));
    const queries: { where: string; expr: string }[] = rules.map((r) => ({
      where: 'alert' in r ? `alert ${r.alert}` : `record ${r.record}`,
      expr: r.expr,
    }));
    for (const [file, json] of Object.entries(renderDashboards(TARGETS))) {
      const dashboard = JSON.parse(json);
      for (const panel of dashboard.panels) {
        for (const target of panel.targets)
          queries.push({ where: `${file} "${panel.title}"`, expr: target.expr });
      }
      // Annotation queries (deploy markers) are PromQL too.
      for (const annotation of dashboard.annotations.list) {
        queries.push({ where: `${file} annotation "${annotation.name}"`, expr: annotation.expr });
      }
    }
    // prometheus-adapter's query, expanded as the adapter does for the HPA.
    queries.push({ where: 'prometheus-adapter', expr: adapterQuery(['wms-api-a']) });
    expect(queries.length).toBeGreaterThan(80);
    const unknown = queries
      .map((q) => ({ where: q.where, metrics: unknownMetrics(q.expr, recorded) }))
      .filter((q) => q.metrics.length > 0);
    expect(unknown).toEqual([]);
  });
});
