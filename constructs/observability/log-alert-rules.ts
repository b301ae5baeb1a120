/**
 * The WMS log-based alerts: LogQL rules that Loki's ruler evaluates over the pod logs Alloy ships, rendered as a
 * Loki rule file (`{ groups }`, the Prometheus rule-file format with LogQL expressions). The ruler sends them to
 * the same Alertmanager as the Prometheus rules, so they route, group and inhibit like any WMS alert.
 * @see https://grafana.com/docs/loki/latest/alert/
 */
import { stringify } from 'yaml';
import type { Component, Severity } from './targets';
import { problem, selector, throwProblems } from './targets';

/** What the log rules select on: the `namespace` and `app` stream labels Alloy attaches to every pod's logs. */
export interface LogRuleTargets {
  /** Kubernetes namespace of the WMS workloads, e.g. `wms`. */
  readonly namespace: string;
  /** The API pods' `app.kubernetes.io/name`, which Alloy copies to the stream label `app`, e.g. `wms-api`. */
  readonly apiApp: string;
  /** The web pods' `app.kubernetes.io/name` (stream label `app`), e.g. `wms-web`. */
  readonly webApp: string;
}

/** Options of {@link renderLogRuleGroups}. */
export interface LogRuleOptions extends LogRuleTargets {
  /** Base URL of the runbooks, as for the Prometheus rules (`<runbookBaseUrl>/<runbook>.md`). */
  readonly runbookBaseUrl: string;
  /**
   * Labels added to every log alert, e.g. `{ environment: 'prod', cluster: 'wms-prod' }`: Prometheus adds its
   * `externalLabels` to its own alerts, the Loki ruler does not, so the rules carry them.
   * @default {}
   */
  readonly externalLabels?: Readonly<Record<string, string>>;
}

/** One log-based alert; {@link renderLogRuleGroups} turns it into a Loki alerting rule. */
export interface LogAlertDefinition {
  /** Alert name, PascalCase with the `Wms` prefix. */
  readonly name: string;
  /** Routing severity. */
  readonly severity: Severity;
  /** Component label, used for grouping and inhibition. */
  readonly component: Component;
  /** The LogQL metric query, built from the targets. */
  readonly expr: (targets: LogRuleTargets) => string;
  /** How long the expression must hold before the alert fires. */
  readonly for: string;
  /** The threshold in words, for the alert table. */
  readonly threshold: string;
  /** One-line summary. */
  readonly summary: string;
  /** Description (may use `$labels` and `$value`). */
  readonly description: string;
  /** File name of the runbook under `docs/runbooks/`, without `.md`. */
  readonly runbook: string;
}

/** The thresholds of the log alerts: error lines per 5 minutes. */
export const LOG_THRESHOLDS = {
  apiErrorLinesPer5m: 50,
  webErrorLinesPer5m: 20,
} as const;

/** The nginx error-log levels that count as errors (nginx writes `[<level>]` after the timestamp). */
export const NGINX_ERROR_LEVELS = ['error', 'crit', 'alert', 'emerg'] as const;

const stream = (t: LogRuleTargets, app: string) => selector({ namespace: t.namespace, app });

/** Every log-based alert. */
export const LOG_ALERTS: readonly LogAlertDefinition[] = [
  {
    name: 'WmsApiErrorLogBurst',
    severity: 'warning',
    component: 'wms-api',
    // The API logs one JSON object per line with a string `level` (docs/monitoring.md, "What the API must
    // expose"); lines that are not JSON get __error__ and no level, so they never count.
    expr: (t) =>
      `sum by (namespace, app) (count_over_time(${stream(t, t.apiApp)} | json | level=~"error|fatal" [5m])) ` +
      `> ${LOG_THRESHOLDS.apiErrorLinesPer5m}`,
    for: '2m',
    threshold: `more than ${LOG_THRESHOLDS.apiErrorLinesPer5m} error or fatal log lines of the API in 5 m (Loki)`,
    summary: 'WMS API logs a burst of errors',
    description:
      'The pods of {{ $labels.namespace }}/{{ $labels.app }} logged {{ $value }} lines at level error or fatal ' +
      'in the last 5 minutes.',
    runbook: 'WmsApiErrorLogBurst',
  },
  {
    name: 'WmsWebErrorLogBurst',
    severity: 'warning',
    component: 'wms-web',
    expr: (t) =>
      `sum by (namespace, app) (count_over_time(${stream(t, t.webApp)} ` +
      `|~ "\\\\[(${NGINX_ERROR_LEVELS.join('|')})\\\\]" [5m])) > ${LOG_THRESHOLDS.webErrorLinesPer5m}`,
    for: '2m',
    threshold: `more than ${LOG_THRESHOLDS.webErrorLinesPer5m} nginx error-log lines of the web front end in 5 m (Loki)`,
    summary: 'WMS web front end (nginx) logs a burst of errors',
    description:
      'The nginx of {{ $labels.namespace }}/{{ $labels.app }} logged {{ $value }} lines at level error or worse ' +
      'in the last 5 minutes.',
    runbook: 'WmsWebErrorLogBurst',
  },
];

/** A Loki alerting rule (the Prometheus rule format with a LogQL expression). */
export interface LogAlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** A Loki rule file: what the ruler reads from `<rules directory>/<tenant>/<file>.yaml`. */
export interface LogRuleFile {
  readonly groups: readonly { readonly name: string; readonly rules: readonly LogAlertingRule[] }[];
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const LABEL_VALUE = /^[^"\\\n]*$/;

/**
 * Renders every log alert as one Loki rule group, `wms-logs.alerts`; each rule carries `severity`, `component`,
 * the external labels, `summary`, `description` and `runbook_url`.
 * @throws listing every invalid option, each with its value and what is allowed
 */
export function renderLogRuleGroups(options: LogRuleOptions): LogRuleFile {
  const where = 'renderLogRuleGroups';
  const problems: string[] = [];
  for (const field of ['namespace', 'apiApp', 'webApp'] as const) {
    const value = options[field];
    if (typeof value !== 'string' || !DNS_LABEL.test(value)) {
      problems.push(problem(where, field, value, 'a Kubernetes name: lowercase letters, digits and dashes'));
    }
  }
  const base = typeof options.runbookBaseUrl === 'string' ? options.runbookBaseUrl.replace(/\/+$/, '') : '';
  if (!/^https:\/\/[^\s"'<>]+$/.test(base)) {
    problems.push(problem(where, 'runbookBaseUrl', options.runbookBaseUrl, 'an https:// URL without spaces'));
  }
  const external = options.externalLabels ?? {};
  for (const [name, value] of Object.entries(external)) {
    if (!LABEL_NAME.test(name) || ['severity', 'component', 'alertname'].includes(name)) {
      problems.push(
        problem(
          where,
          'externalLabels',
          name,
          'a Prometheus label name other than severity, component, alertname',
        ),
      );
    } else if (typeof value !== 'string' || !LABEL_VALUE.test(value)) {
      problems.push(
        problem(where, `externalLabels.${name}`, value, 'a string without quotes, backslashes or newlines'),
      );
    }
  }
  throwProblems(problems);
  return {
    groups: [
      {
        name: 'wms-logs.alerts',
        rules: LOG_ALERTS.map((a) => ({
          alert: a.name,
          expr: a.expr(options),
          for: a.for,
          labels: { ...external, severity: a.severity, component: a.component },
          annotations: {
            summary: a.summary,
            description: a.description,
            runbook_url: `${base}/${a.runbook}.md`,
          },
        })),
      },
    ],
  };
}

/** {@link renderLogRuleGroups} as YAML: the content of the rules ConfigMap the Loki sidecar loads. */
export function renderLogRuleFileYaml(options: LogRuleOptions): string {
  return stringify(renderLogRuleGroups(options), { lineWidth: 0 });
}
