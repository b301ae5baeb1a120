import { parse } from 'yaml';
import { LOG_ALERTS } from '../../../constructs/observability/log-alert-rules';
import type { AlertingRule, RecordingRule, Severity } from '../../../constructs/observability/alert-rules';
import {
  ALERTS,
  ALERT_TABLE_MARKERS,
  renderAlertTable,
  renderRuleFileYaml,
  renderRuleGroups,
  withAlertTable,
} from '../../../constructs/observability/alert-rules';
import { RULE_OPTIONS } from './fixtures';

const rendered = renderRuleGroups(RULE_OPTIONS);
const rules = rendered.groups.flatMap((g) => g.rules);
const alerting = rules.filter((r): r is AlertingRule => 'alert' in r);
const recording = rules.filter((r): r is RecordingRule => 'record' in r);
const alert = (name: string) => {
  const found = alerting.find((r) => r.alert === name);
  if (!found) throw new Error(`no alert ${name}`);
  return found;
};
const names = (severity: Severity) => ALERTS.filter((a) => a.severity === severity).map((a) => a.name);

describe('alert definitions', () => {
  it('THEN define the alerts the team asked for, by severity', () => {
    expect(names('critical')).toEqual([
      'WmsApiHighErrorRate',
      'WmsApiDown',
      'WmsApiProbeFailing',
      'WmsWebDown',
      'WmsDatabasePoolExhausted',
      'WmsDatabaseUnreachable',
      'WmsApiErrorBudgetBurn',
    ]);
    expect(names('warning')).toEqual([
      'WmsApiErrorBudgetBurnSlow',
      'WmsApiHighLatencyP95',
      'WmsNodeDiskUsageHigh',
      'WmsVolumeUsageHigh',
      'WmsDatabaseStorageHigh',
      'WmsPodMemoryHigh',
      'WmsNodeMemoryHigh',
      'WmsPodCrashLooping',
      'WmsHpaMaxedOut',
      'WmsRolloutAborted',
      'WmsRolloutStalled',
      'WmsDatabaseReplicaLagHigh',
      'WmsDatabaseLoadHigh',
    ]);
    expect(names('info')).toEqual(['WmsApiUnusualTraffic', 'WmsDatabaseSlowQueries']);
  });

  it('THEN names and runbooks are unique and prefixed', () => {
    expect(new Set(ALERTS.map((a) => a.name)).size).toBe(ALERTS.length);
    expect(new Set(ALERTS.map((a) => a.runbook)).size).toBe(ALERTS.length);
    for (const a of ALERTS) expect(a.name).toMatch(/^Wms[A-Z][A-Za-z0-9]+$/);
  });
});

describe('renderRuleGroups', () => {
  it('GIVEN the prod targets THEN records RED series and SLI ratios over every window', () => {
    expect(rendered.groups.map((g) => g.name)).toEqual([
      'wms-api.recording',
      'wms-slo.recording',
      'wms-api.alerts',
      'wms-web.alerts',
      'wms-database.alerts',
      'wms-workloads.alerts',
      'wms-platform.alerts',
      'wms-delivery.alerts',
    ]);
    expect(recording.map((r) => r.record)).toEqual([
      'namespace_job:http_requests:rate5m',
      'namespace_job:http_requests_5xx:ratio_rate5m',
      'namespace_job:http_requests_4xx:ratio_rate5m',
      'namespace_job:http_request_duration_seconds:p50_rate5m',
      'namespace_job:http_request_duration_seconds:p95_rate5m',
      'namespace_job:http_request_duration_seconds:p99_rate5m',
      ...['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d'].map((w) => `slo:sli_error:ratio_rate${w}`),
      'slo:objective:ratio',
      'slo:error_budget:ratio',
      'slo:period_error_budget_remaining:ratio',
    ]);
    expect(recording.find((r) => r.record === 'slo:sli_error:ratio_rate6h')?.expr).toContain(
      'rate(http_requests_total{namespace="wms",job="wms-api",code=~"5.."}[6h])',
    );
  });

  it('THEN every alert carries severity, component, summary, description and its runbook URL', () => {
    expect(alerting).toHaveLength(ALERTS.length);
    for (const definition of ALERTS) {
      const rule = alert(definition.name);
      expect(rule.labels).toEqual({ severity: definition.severity, component: definition.component });
      expect(Object.keys(rule.annotations)).toEqual(['summary', 'description', 'runbook_url']);
      expect(rule.annotations.runbook_url).toBe(`${RULE_OPTIONS.runbookBaseUrl}/${definition.runbook}.md`);
      expect(rule.for).toMatch(/^\d+[smh]$/);
      expect(rule.annotations.summary.length).toBeGreaterThan(10);
      expect(rule.annotations.description.length).toBeGreaterThan(20);
    }
  });

  it('THEN the thresholds are the team’s', () => {
    expect(alert('WmsApiHighErrorRate').expr).toContain('ratio_rate5m{namespace="wms",job="wms-api"} > 0.05');
    expect(alert('WmsApiHighLatencyP95').expr).toContain('p95_rate5m{namespace="wms",job="wms-api"} > 2');
    expect(alert('WmsNodeDiskUsageHigh').expr).toContain('> 0.8');
    expect(alert('WmsVolumeUsageHigh').expr).toContain('> 0.8');
    expect(alert('WmsDatabaseStorageHigh').expr).toContain('> 0.8');
    expect(alert('WmsPodMemoryHigh').expr).toContain('> 0.85');
    expect(alert('WmsNodeMemoryHigh').expr).toContain('> 0.85');
    expect(alert('WmsHpaMaxedOut').for).toBe('15m');
  });

  it('THEN the burn-rate alerts pair 1h/5m at 14.4x and 6h/30m at 6x (page), 1d/2h at 3x and 3d/6h at 1x (ticket)', () => {
    const pair = (long: string, short: string, factor: number) =>
      `(max without (sli_window) (slo:sli_error:ratio_rate${long}{slo="wms-api-availability"} > (${factor} * 0.001)) ` +
      `and max without (sli_window) (slo:sli_error:ratio_rate${short}{slo="wms-api-availability"} > (${factor} * 0.001)))`;
    expect(alert('WmsApiErrorBudgetBurn').expr).toBe(`${pair('1h', '5m', 14.4)} or ${pair('6h', '30m', 6)}`);
    expect(alert('WmsApiErrorBudgetBurnSlow').expr).toBe(`${pair('1d', '2h', 3)} or ${pair('3d', '6h', 1)}`);
  });

  it('THEN WmsApiDown pages when no ready address is behind the live Service, whatever the colour', () => {
    expect(alert('WmsApiDown').expr).toBe(
      'sum by (namespace, endpoint) (absent(kube_endpoint_address' +
        '{job="kube-state-metrics",namespace="wms",endpoint="wms-api",ready="true"}))',
    );
  });

  it('THEN the 4xx ratio counts client errors over all requests, 0 (not missing) before the first 4xx', () => {
    const requests = (codes: string) =>
      `sum by (namespace, job) (rate(http_requests_total{namespace="wms",job="wms-api"${codes}}[5m]))`;
    expect(recording.find((r) => r.record === 'namespace_job:http_requests_4xx:ratio_rate5m')?.expr).toBe(
      `(${requests(',code=~"4.."')} or ${requests('')} * 0) / (${requests('')} > 0)`,
    );
  });

  it('THEN WmsWebDown pages (P1) when the probe of the front end fails or reports nothing', () => {
    const probe = 'probe_success{job="wms-web-probe"}';
    expect(alert('WmsWebDown').expr).toBe(`max by (job, instance) (${probe}) == 0 or absent(${probe})`);
    expect(alert('WmsWebDown').labels).toEqual({ severity: 'critical', component: 'wms-web' });
  });

  it('THEN WmsDatabaseUnreachable reads the TCP probe of the proxy, and pages when the probe reports nothing', () => {
    const probe = 'probe_success{job="wms-database-probe"}';
    expect(alert('WmsDatabaseUnreachable').expr).toBe(
      `max by (job, instance) (${probe}) == 0 or absent(${probe})`,
    );
  });

  it('THEN the database alerts read only what YACE exports, under its job', () => {
    expect(alert('WmsDatabaseStorageHigh').expr).toContain('aws_rds_free_local_storage_minimum{job="yace"}');
    expect(alert('WmsDatabaseReplicaLagHigh').expr).toContain(
      'aws_rds_aurora_replica_lag_average{job="yace"}',
    );
    expect(alert('WmsDatabaseSlowQueries').expr).toBe(
      'max by (job) (aws_wms_database_slow_queries_sum{job="yace"}) > 0',
    );
    expect(alert('WmsDatabaseSlowQueries').for).toBe('15m');
    expect(JSON.stringify(rendered)).not.toMatch(/\bpg_(up|stat|settings)/);
  });

  it('GIVEN other targets THEN every selector follows them', () => {
    const other = renderRuleGroups({
      ...RULE_OPTIONS,
      namespace: 'wms-staging',
      apiJob: 'orders',
      apiService: 'orders-api',
      probeJob: 'probe/wms-staging/orders',
      webProbeJob: 'probe/wms-staging/web',
      databaseProbeJob: 'probe/wms-staging/db',
      cloudwatchExporterJob: 'cloudwatch',
      databaseLocalStorageGiB: 32,
    });
    const text = JSON.stringify(other);
    for (const old of [
      'namespace=\\"wms\\"',
      'job=\\"wms-api\\"',
      'endpoint=\\"wms-api\\"',
      'wms-api-probe',
      'wms-web-probe',
      'wms-database-probe',
      '\\"yace\\"',
    ]) {
      expect(text).not.toContain(old);
    }
    expect(text).toContain('namespace=\\"wms-staging\\",job=\\"orders\\"');
    expect(text).toContain('endpoint=\\"orders-api\\"');
    expect(text).toContain('probe_success{job=\\"probe/wms-staging/orders\\"}');
    expect(text).toContain('probe_success{job=\\"probe/wms-staging/db\\"}');
    expect(text).toContain('probe_success{job=\\"probe/wms-staging/web\\"}');
    expect(text).toContain('aws_wms_database_slow_queries_sum{job=\\"cloudwatch\\"}');
    expect(text).toContain(`/ ${32 * 1024 ** 3} > 0.8`);
  });

  it('GIVEN two sources under one job label THEN refuses the second, naming the first', () => {
    expect(() =>
      renderRuleGroups({
        ...RULE_OPTIONS,
        databaseProbeJob: 'wms-api-probe',
        cloudwatchExporterJob: 'wms-api',
      }),
    ).toThrow(
      /databaseProbeJob: "wms-api-probe" is not allowed \(a job label other than probeJob's\)\n.*cloudwatchExporterJob: "wms-api" is not allowed \(a job label other than apiJob's\)/,
    );
  });

  it('GIVEN a runbook base URL with a trailing slash THEN the slash is dropped', () => {
    const withSlash = renderRuleGroups({
      ...RULE_OPTIONS,
      runbookBaseUrl: `${RULE_OPTIONS.runbookBaseUrl}/`,
    });
    const urls = withSlash.groups
      .flatMap((g) => g.rules)
      .flatMap((r) => ('alert' in r ? [r.annotations.runbook_url] : []));
    expect(urls).toContain(`${RULE_OPTIONS.runbookBaseUrl}/WmsApiDown.md`);
    for (const url of urls) expect(url).not.toContain('//WmsApi');
  });

  it('THEN the file is plain data usable as an additionalPrometheusRulesMap value and as YAML', () => {
    expect(Object.keys(rendered)).toEqual(['groups']);
    expect(JSON.parse(JSON.stringify(rendered))).toEqual(rendered);
    expect(parse(renderRuleFileYaml(RULE_OPTIONS))).toEqual(rendered);
  });

  it('GIVEN invalid options THEN reports every problem with field, value and what is allowed', () => {
    const render = () =>
      renderRuleGroups({
        ...RULE_OPTIONS,
        namespace: 'WMS',
        apiJob: 'wms "api"',
        apiService: 'wms.api',
        probeJob: '',
        webProbeJob: 'web probe',
        databaseProbeJob: 'pg\\x',
        cloudwatchExporterJob: 'yace\n',
        databaseLocalStorageGiB: 1.5,
        runbookBaseUrl: 'http://example.com/runbooks',
      });
    expect(render).toThrow(/^renderRuleGroups: namespace: "WMS" is not allowed \(a Kubernetes name/);
    expect(render).toThrow(
      /renderRuleGroups: apiJob: "wms \\"api\\"" is not allowed \(a Prometheus job label value/,
    );
    expect(render).toThrow(
      /apiService: "wms.api" is not allowed \(a Kubernetes Service name \(DNS-1035 label\)\)/,
    );
    expect(render).toThrow(/probeJob: "" is not allowed/);
    expect(render).toThrow(/webProbeJob: "web probe" is not allowed \(a Prometheus job label value/);
    expect(render).toThrow(/databaseProbeJob: "pg\\\\x" is not allowed/);
    expect(render).toThrow(/cloudwatchExporterJob: "yace\\n" is not allowed/);
    expect(render).toThrow(
      /databaseLocalStorageGiB: 1.5 is not allowed \(a whole number of GiB from 1 to 65536\)/,
    );
    expect(render).toThrow(
      /runbookBaseUrl: "http:\/\/example.com\/runbooks" is not allowed \(an https:\/\/ URL/,
    );
  });
});

describe('renderAlertTable', () => {
  const table = renderAlertTable();
  const rows = table.split('\n').filter((line) => line.startsWith('| Wms'));

  it('THEN lists every alert once, critical first, with threshold, for and a relative runbook link', () => {
    expect(rows).toHaveLength(ALERTS.length + LOG_ALERTS.length);
    expect(rows[0]).toBe(
      '| WmsApiHighErrorRate | critical | 5xx / all requests > 5% over 5 m (at > 0.1 req/s) | 5m | ' +
        '[WmsApiHighErrorRate.md](runbooks/WmsApiHighErrorRate.md) |',
    );
    const severities = rows.map((row) => row.split(' | ')[1]);
    expect(severities).toEqual([...severities].sort((a, b) => order(a) - order(b)));
    expect(table).toContain('\n7 critical, 15 warning, 2 info (critical pages');
    expect(table).toContain(
      '| WmsApiErrorLogBurst | warning | more than 50 error or fatal log lines of the API in 5 m (Loki) | 2m |',
    );
    expect(table.startsWith(ALERT_TABLE_MARKERS.start)).toBe(true);
    expect(table.endsWith(ALERT_TABLE_MARKERS.end)).toBe(true);
  });

  it('GIVEN a document with the markers THEN withAlertTable replaces only what is between them', () => {
    const doc = `# Title\n\n${ALERT_TABLE_MARKERS.start}\nold\n${ALERT_TABLE_MARKERS.end}\n\nAfter.\n`;
    expect(withAlertTable(doc)).toBe(`# Title\n\n${table}\n\nAfter.\n`);
  });

  it('GIVEN a document without the markers THEN withAlertTable says which markers it needs', () => {
    expect(() => withAlertTable('# Title\n')).toThrow(/lacks the markers <!-- alert-table:start/);
  });
});

function order(severity: string): number {
  return ['critical', 'warning', 'info'].indexOf(severity);
}
