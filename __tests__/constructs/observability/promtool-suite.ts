import type { AlertingRule, PrometheusRuleFile } from '../../../constructs/observability/alert-rules';
import type { AlertCase, ExprCase, ExpectedAlert } from './rule-cases';

/**
 * Renders an alert template the way Prometheus would for the case: `{{ $labels.x }}` from the expected labels,
 * the one `{{ ... $value ... }}` action from the case's expected value. Anything else is refused, so a template
 * this cannot render is reported instead of compared wrongly.
 */
export function renderTemplate(
  template: string,
  labels: Readonly<Record<string, string>>,
  value?: string,
): string {
  const rendered = template
    .replace(/\{\{\s*\$labels\.(\w+)\s*\}\}/g, (_, name: string) => {
      if (!(name in labels)) throw new Error(`template uses $labels.${name}, which the case does not expect`);
      return labels[name];
    })
    .replace(/\{\{[^{}]*\$value[^{}]*\}\}/g, () => {
      if (value === undefined)
        throw new Error(`template uses $value, but the case gives no value: ${template}`);
      return value;
    });
  if (rendered.includes('{{'))
    throw new Error(`template has an action renderTemplate cannot render: ${template}`);
  return rendered;
}

function alertingRules(rules: PrometheusRuleFile): Map<string, AlertingRule> {
  const byName = new Map<string, AlertingRule>();
  for (const group of rules.groups) {
    for (const rule of group.rules) if ('alert' in rule) byName.set(rule.alert, rule);
  }
  return byName;
}

function expectedAlert(rule: AlertingRule, expected: ExpectedAlert) {
  const labels = { ...expected.labels, ...rule.labels };
  return {
    exp_labels: labels,
    exp_annotations: Object.fromEntries(
      Object.entries(rule.annotations).map(([key, template]) => [
        key,
        renderTemplate(template, labels, expected.value),
      ]),
    ),
  };
}

const inputSeries = (series: Readonly<Record<string, string>>) =>
  Object.entries(series).map(([name, values]) => ({ series: name, values }));

/**
 * The promtool unit-test files for the rule file `ruleFile`, one per evaluation interval (`tests-<interval>.yaml`
 * -> content): one test group per case, expected labels = the rule's labels + the case's, expected annotations =
 * the rule's templates rendered for the case.
 * @throws if a case names an alert the rules do not define
 */
export function renderPromtoolTests(
  rules: PrometheusRuleFile,
  ruleFile: string,
  alertCases: readonly AlertCase[],
  exprCases: readonly ExprCase[],
): Record<string, unknown> {
  const intervals = [...new Set(['1m', ...alertCases.map((c) => c.evaluationInterval ?? '1m')])];
  return Object.fromEntries(
    intervals.map((interval) => [
      `tests-${interval}.yaml`,
      testFile(
        rules,
        ruleFile,
        interval,
        alertCases.filter((c) => (c.evaluationInterval ?? '1m') === interval),
        interval === '1m' ? exprCases : [],
      ),
    ]),
  );
}

function testFile(
  rules: PrometheusRuleFile,
  ruleFile: string,
  evaluationInterval: string,
  alertCases: readonly AlertCase[],
  exprCases: readonly ExprCase[],
) {
  const byName = alertingRules(rules);
  return {
    rule_files: [ruleFile],
    evaluation_interval: evaluationInterval,
    tests: [
      ...alertCases.map((c) => {
        const rule = byName.get(c.alert);
        if (!rule) throw new Error(`case "${c.title}": no alert named ${c.alert}`);
        return {
          name: `${c.alert}: ${c.title}`,
          interval: c.interval ?? '1m',
          input_series: inputSeries(c.series),
          alert_rule_test: [
            { eval_time: c.at, alertname: c.alert, exp_alerts: c.fires.map((e) => expectedAlert(rule, e)) },
          ],
        };
      }),
      ...exprCases.map((c) => ({
        name: `recording: ${c.title}`,
        interval: '1m',
        input_series: inputSeries(c.series),
        promql_expr_test: [
          {
            expr: c.expr,
            eval_time: c.at,
            exp_samples: c.samples.map((s) => ({ labels: s.labels, value: s.value })),
          },
        ],
      })),
    ],
  };
}
