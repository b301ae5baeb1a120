import { parser } from '@grafana/lezer-logql';
import type { SyntaxNode } from '@lezer/common';
import { parse } from 'yaml';
import {
  LOG_ALERTS,
  LOG_THRESHOLDS,
  renderLogRuleFileYaml,
  renderLogRuleGroups,
} from '../../../constructs/observability/log-alert-rules';
import type { LogRuleOptions } from '../../../constructs/observability/log-alert-rules';
import { alloyLogsConfig } from '../../../constructs/observability/monitoring-values';
import { RULE_OPTIONS } from './fixtures';

const OPTIONS: LogRuleOptions = {
  namespace: 'wms',
  apiApp: 'wms-api',
  webApp: 'wms-web',
  runbookBaseUrl: RULE_OPTIONS.runbookBaseUrl,
  externalLabels: { environment: 'prod', cluster: 'wms-prod' },
};
const rules = renderLogRuleGroups(OPTIONS).groups.flatMap((g) => g.rules);
const rule = (name: string) => rules.find((r) => r.alert === name)!;

/** The LogQL syntax tree, from Grafana's own LogQL grammar (the one Grafana's Loki query editor uses). */
function logql(expr: string) {
  const tree = parser.parse(expr);
  let errorAt = -1;
  tree.iterate({
    enter(node) {
      if (node.type.isError && errorAt < 0) errorAt = node.from;
    },
  });
  return { tree, errorAt };
}

/** The label names of every stream selector (`{name="value"}`) of a LogQL expression. */
function streamLabels(expr: string): string[] {
  const names = new Set<string>();
  logql(expr).tree.iterate({
    enter(node) {
      if (node.name !== 'Selector') return;
      const walk = (n: SyntaxNode | null) => {
        for (let child = n?.firstChild ?? null; child; child = child.nextSibling) {
          if (child.name === 'Matcher') {
            const id = child.getChild('Identifier');
            if (id) names.add(expr.slice(id.from, id.to));
          } else walk(child);
        }
      };
      walk(node.node);
      return false;
    },
  });
  return [...names].sort();
}

/** The string value of a LogQL double-quoted literal (Go's strconv.Unquote for what we write). */
const unquote = (literal: string): string => JSON.parse(literal);

describe('LOG_ALERTS', () => {
  it('THEN are an API error burst and a web (nginx) error burst, opening tickets', () => {
    expect(LOG_ALERTS.map((a) => [a.name, a.severity, a.component])).toEqual([
      ['WmsApiErrorLogBurst', 'warning', 'wms-api'],
      ['WmsWebErrorLogBurst', 'warning', 'wms-web'],
    ]);
  });
});

describe('renderLogRuleGroups', () => {
  it('THEN every expression is a LogQL metric query compared with a threshold, valid for the LogQL grammar', () => {
    for (const r of rules) {
      const { tree, errorAt } = logql(r.expr);
      expect({ alert: r.alert, errorAt }).toEqual({ alert: r.alert, errorAt: -1 });
      // A log query (no aggregation) cannot be an alert: the ruler needs a number.
      expect(tree.topNode.firstChild?.firstChild?.name).toBe('MetricExpr');
      expect(tree.topNode.firstChild?.firstChild?.firstChild?.name).toBe('BinOpExpr');
    }
  });

  it('GIVEN broken LogQL THEN the grammar check used above finds the error (the check can fail)', () => {
    expect(logql('sum(count_over_time({namespace="wms"} |= [5m]))').errorAt).toBeGreaterThan(0);
    expect(logql('sum(count_over_time({namespace="wms"}[5m])) >').errorAt).toBeGreaterThan(0);
  });

  it('THEN the stream selectors use only labels the Alloy configuration attaches', () => {
    const attached = [
      ...alloyLogsConfig('http://loki:3100/loki/api/v1/push').matchAll(/target_label\s*=\s*"(\w+)"/g),
    ]
      .map((m) => m[1])
      .filter((label) => !label.startsWith('__'));
    expect(attached).toEqual(expect.arrayContaining(['namespace', 'app']));
    for (const r of rules) {
      const used = streamLabels(r.expr);
      expect(used).toEqual(['app', 'namespace']);
      for (const label of used) expect(attached).toContain(label);
    }
  });

  it('THEN each rule carries the external labels, severity, component and its runbook URL', () => {
    for (const definition of LOG_ALERTS) {
      const r = rule(definition.name);
      expect(r.labels).toEqual({
        environment: 'prod',
        cluster: 'wms-prod',
        severity: definition.severity,
        component: definition.component,
      });
      expect(r.annotations.runbook_url).toBe(`${OPTIONS.runbookBaseUrl}/${definition.runbook}.md`);
      expect(r.for).toMatch(/^\d+[smh]$/);
    }
  });

  it('THEN the API burst counts JSON lines at level error or fatal of the API pods, above 50 in 5 m', () => {
    expect(rule('WmsApiErrorLogBurst').expr).toBe(
      'sum by (namespace, app) (count_over_time({namespace="wms",app="wms-api"} | json | level=~"error|fatal" [5m])) > 50',
    );
    expect(LOG_THRESHOLDS.apiErrorLinesPer5m).toBe(50);
  });

  it('THEN the web burst counts nginx error-log lines ([error] and worse), not access-log lines', () => {
    const expr = rule('WmsWebErrorLogBurst').expr;
    expect(expr).toContain('{namespace="wms",app="wms-web"}');
    expect(expr).toMatch(/> 20$/);
    // Loki's line filter is RE2; this pattern uses only syntax RE2 and JavaScript read alike.
    const literal = expr.match(/\|~ ("(?:[^"\\]|\\.)*")/)![1];
    const pattern = new RegExp(unquote(literal));
    expect(pattern.source).toBe('\\[(error|crit|alert|emerg)\\]');
    expect(
      pattern.test('2026/12/06 10:00:00 [error] 22#22: *1 open() "/usr/share/nginx/html/x" failed'),
    ).toBe(true);
    expect(pattern.test('2026/12/06 10:00:00 [crit] 22#22: *3 SSL_do_handshake() failed')).toBe(true);
    expect(pattern.test('2026/12/06 10:00:00 [warn] 22#22: conflicting server name')).toBe(false);
    expect(pattern.test('10.0.1.5 - - [06/Dec/2026:10:00:00 +0000] "GET /error HTTP/1.1" 404 153')).toBe(
      false,
    );
  });

  it('THEN the YAML is the rule file, as the Loki sidecar writes it into the ruler directory', () => {
    expect(parse(renderLogRuleFileYaml(OPTIONS))).toEqual(renderLogRuleGroups(OPTIONS));
  });

  it('GIVEN no external labels THEN the rules carry only severity and component (default {})', () => {
    const bare = renderLogRuleGroups({ ...OPTIONS, externalLabels: undefined });
    expect(bare.groups[0].rules[0].labels).toEqual({ severity: 'warning', component: 'wms-api' });
  });

  it('GIVEN invalid options THEN reports every problem with field, value and what is allowed', () => {
    const render = () =>
      renderLogRuleGroups({
        ...OPTIONS,
        namespace: 'WMS',
        apiApp: 'wms api',
        runbookBaseUrl: 'http://example.com',
        externalLabels: { severity: 'x', environment: 'a"b' },
      });
    expect(render).toThrow(/renderLogRuleGroups: namespace: "WMS" is not allowed \(a Kubernetes name/);
    expect(render).toThrow(/apiApp: "wms api" is not allowed/);
    expect(render).toThrow(/runbookBaseUrl: "http:\/\/example.com" is not allowed \(an https:\/\/ URL/);
    expect(render).toThrow(/externalLabels: "severity" is not allowed \(a Prometheus label name other than/);
    expect(render).toThrow(/externalLabels.environment: "a\\"b" is not allowed/);
  });
});
