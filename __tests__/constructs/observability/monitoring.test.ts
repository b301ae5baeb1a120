import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { parse, stringify } from 'yaml';
import { renderRuleGroups } from '../../../constructs/observability/alert-rules';
import {
  ALERTMANAGER_SECRETS_DIR,
  renderAlertmanagerConfig,
} from '../../../constructs/observability/alertmanager-config';
import { renderDashboards } from '../../../constructs/observability/dashboards';
import type { MonitoringTargets } from '../../../constructs/observability/targets';
import type { MonitoringProps } from '../../../constructs/observability/monitoring';
import { MONITORING_IDENTITIES, Monitoring } from '../../../constructs/observability/monitoring';
import { renderLogRuleGroups } from '../../../constructs/observability/log-alert-rules';
import { METRIC_CATALOGUE } from '../../../constructs/observability/metrics-catalogue';
import type { GrafanaAccess } from '../../../constructs/observability/monitoring-values';
import {
  DASHBOARD_LABEL,
  MONITORING_CHARTS,
  TRACE_COLLECTOR,
  MONITORING_SECRETS,
  MONITORING_SIZES,
} from '../../../constructs/observability/monitoring-values';
import { checkStacks } from '../../../guardrails/engine';
import type { SynthesizedStack } from '../../support/synth';
import { listOfType, synthJson } from '../../support/synth';
import { runTool } from './tools';

const TARGETS: MonitoringTargets = {
  namespace: 'wms',
  apiJob: 'wms-api',
  apiService: 'wms-api',
  probeJob: 'wms-api-probe',
  webProbeJob: 'wms-web-probe',
  databaseProbeJob: 'wms-database-probe',
  cloudwatchExporterJob: 'yace',
  databaseLocalStorageGiB: 64,
};
const RUNBOOKS = 'https://github.com/acme/wms-platform/blob/main/docs/runbooks';

const BASE: MonitoringProps = {
  namespaces: { monitoring: 'monitoring', logging: 'logging', agents: 'monitoring-agents' },
  targets: TARGETS,
  runbookBaseUrl: RUNBOOKS,
  domain: 'test.wms.example.com',
  grafanaAdminSecretName: 'wms/test/grafana/admin',
  pagerSecretName: 'wms/test/alerting/pager',
  chatSecretName: 'wms/test/alerting/chat',
  lokiBucketName: 'wms-test-loki-123456789012-eu-west-1',
  tempoBucketName: 'wms-test-tempo-123456789012-eu-west-1',
  longTermMetrics: {
    prometheusEndpoint: 'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-0123/',
    remoteWriteUrl: 'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-0123/api/v1/remote_write',
  },
  region: 'eu-west-1',
  databaseProxyEndpoint: 'wms-test-db.proxy-c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com',
  externalLabels: { environment: 'test', cluster: 'wms-test' },
};

const GRAFANA_ACCESS: GrafanaAccess = {
  hostName: 'grafana.test.wms.example.com',
  certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789',
  wafAclArn:
    'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/wms-test/0a1b2c3d-4e5f-6789-abcd-ef0123456789',
  accessLogsBucket: 'wms-test-alb-logs-123456789012-eu-west-1',
  accessLogsPrefix: 'alb',
};
const SSO: NonNullable<GrafanaAccess['sso']> = {
  issuerUrl: 'https://sso.example.com/realms/wms',
  clientId: 'wms-test-grafana',
  clientSecretName: 'wms/test/grafana/oidc-client-secret',
  allowedGroups: ['wms-sre', 'wms-support'],
};

type Row = Record<string, unknown>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- chart values are free-form YAML
type Values = Record<string, any>;

function stackWith(overrides: Partial<MonitoringProps> = {}) {
  const stack = new TerraformStack(Testing.app(), 'test');
  new KubernetesProvider(stack, 'K8s', {});
  new HelmProvider(stack, 'Helm', {});
  const monitoring = new Monitoring(stack, 'Monitoring', { ...BASE, ...overrides });
  return { stack, monitoring };
}

function build(overrides: Partial<MonitoringProps> = {}) {
  const { stack, monitoring } = stackWith(overrides);
  return { stack, monitoring, json: synthJson(stack) };
}

/** A string as the cluster receives it: Terraform turns `$${` back into `${` and `%%{` into `%{`. */
const applied = (text: string) => text.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');

const releases = (json: SynthesizedStack) =>
  Object.fromEntries(listOfType(json, 'helm_release').map((r) => [r.name as string, r]));
const valuesOf = (release: Row): Values => parse(applied((release.values as string[])[0])) as Values;
const releaseValues = (json: SynthesizedStack) =>
  Object.fromEntries(Object.entries(releases(json)).map(([name, r]) => [name, valuesOf(r)]));
const manifests = (json: SynthesizedStack) =>
  listOfType(json, 'kubernetes_manifest').map(
    (m) => m as { manifest: Values; wait: Values; timeouts: Values },
  );
const externalSecret = (json: SynthesizedStack, name: string) => {
  const found = manifests(json).filter((m) => m.manifest.metadata.name === name);
  expect(found).toHaveLength(1);
  return found[0];
};
const releaseAddress = (json: SynthesizedStack, name: string) => {
  const [id] = Object.entries(json.resource?.helm_release ?? {}).find(([, r]) => r.name === name) ?? [];
  return `helm_release.${id}`;
};
/** CamelCase to YACE's snake case, for the metric names used here (CPUUtilization -> cpuutilization). */
const snake = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
const days = (duration: string) => {
  const match = /^(\d+)d$/.exec(duration);
  if (!match) throw new Error(`not a duration in days: ${duration}`);
  return Number(match[1]);
};
const gib = (quantity: string) => {
  const match = /^(\d+)Gi(B)?$/.exec(quantity);
  if (!match) throw new Error(`not a GiB quantity: ${quantity}`);
  return Number(match[1]);
};

describe('Monitoring', () => {
  describe('defaults', () => {
    const { stack, json, monitoring } = build();
    const byName = releases(json);
    const values = releaseValues(json);
    const kps = values['kube-prometheus-stack'];
    const prometheusSpec = kps.prometheus.prometheusSpec;
    const alertmanagerSpec = kps.alertmanager.alertmanagerSpec;
    const loki = values.loki;

    it('installs each chart at its pinned version from its repository, atomically, with bounded history', () => {
      const expected = {
        'prometheus-operator-crds': MONITORING_CHARTS.prometheusOperatorCrds,
        'kube-prometheus-stack': MONITORING_CHARTS.kubePrometheusStack,
        'blackbox-exporter': MONITORING_CHARTS.blackboxExporter,
        loki: MONITORING_CHARTS.loki,
        alloy: MONITORING_CHARTS.alloy,
        yace: MONITORING_CHARTS.cloudwatchExporter,
        'prometheus-adapter': MONITORING_CHARTS.prometheusAdapter,
        tempo: MONITORING_CHARTS.tempo,
        'alloy-traces': MONITORING_CHARTS.alloy,
      };
      expect(Object.keys(byName).sort()).toEqual(Object.keys(expected).sort());
      for (const [name, chart] of Object.entries(expected)) {
        expect(byName[name]).toMatchObject({
          repository: chart.repository,
          chart: chart.chart,
          version: chart.version,
          atomic: true,
          cleanup_on_fail: true,
          wait: true,
          max_history: 10,
        });
      }
      expect(MONITORING_CHARTS).toMatchObject({
        prometheusOperatorCrds: { version: '31.0.1' },
        kubePrometheusStack: { version: '88.5.3' },
        blackboxExporter: { version: '11.17.2' },
        loki: { repository: 'https://grafana-community.github.io/helm-charts', version: '18.11.0' },
        alloy: { repository: 'https://grafana.github.io/helm-charts', version: '1.11.1' },
        prometheusAdapter: { chart: 'prometheus-adapter', version: '5.3.0' },
        cloudwatchExporter: {
          repository: 'https://prometheus-community.github.io/helm-charts',
          chart: 'prometheus-yet-another-cloudwatch-exporter',
          version: '0.47.0',
        },
      });
    });

    it('gives the slow releases long enough: kube-prometheus-stack and Loki 900 s', () => {
      expect(byName['kube-prometheus-stack'].timeout).toBe(900);
      expect(byName.loki.timeout).toBe(900);
      expect(byName['blackbox-exporter'].timeout).toBe(300);
      expect(byName.yace.timeout).toBe(300);
      expect(byName.alloy.timeout).toBe(600);
      expect(byName['prometheus-operator-crds'].timeout).toBe(600);
    });

    it('installs the CRDs as their own release before kube-prometheus-stack, which does not install them', () => {
      const crds = releaseAddress(json, 'prometheus-operator-crds');
      expect(byName['kube-prometheus-stack'].depends_on).toContain(crds);
      expect(kps.crds).toEqual({ enabled: false });
      expect(byName.loki.depends_on).toContain(crds);
      expect(byName.alloy.depends_on).toEqual(expect.arrayContaining([crds, releaseAddress(json, 'loki')]));
      expect(values['prometheus-operator-crds'].crds.annotations).toEqual({
        'helm.sh/resource-policy': 'keep',
      });
    });

    it('puts every release in its namespace: node-exporter and Alloy in the agents namespace', () => {
      expect(byName['prometheus-operator-crds'].namespace).toBe('monitoring');
      expect(byName['kube-prometheus-stack'].namespace).toBe('monitoring');
      expect(byName['blackbox-exporter'].namespace).toBe('monitoring');
      expect(byName.yace.namespace).toBe('monitoring');
      expect(byName.loki.namespace).toBe('logging');
      expect(byName.alloy.namespace).toBe('monitoring-agents');
      expect(kps['prometheus-node-exporter']).toMatchObject({
        namespaceOverride: 'monitoring-agents',
        hostNetwork: true,
        hostPID: true,
        hostRootFsMount: { enabled: true },
      });
    });

    it('keeps Prometheus samples 35 days, covering the 30-day SLO window, capped below the volume size', () => {
      expect(prometheusSpec.retention).toBe('35d');
      expect(days(prometheusSpec.retention)).toBeGreaterThanOrEqual(30);
      const volume = gib(prometheusSpec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage);
      expect(gib(prometheusSpec.retentionSize)).toBeLessThan(volume);
      expect(gib(prometheusSpec.retentionSize)).toBeGreaterThan(volume * 0.7);
    });

    it('stores every volume on the encrypted gp3 class', () => {
      const classes = [
        prometheusSpec.storageSpec.volumeClaimTemplate.spec.storageClassName,
        alertmanagerSpec.storage.volumeClaimTemplate.spec.storageClassName,
        kps.grafana.persistence.storageClassName,
        loki.singleBinary.persistence.storageClass,
      ];
      expect(classes).toEqual(Array(4).fill('gp3-encrypted'));
      expect(kps.grafana.persistence.enabled).toBe(true);
      expect(loki.singleBinary.persistence.enabled).toBe(true);
    });

    it('runs two Prometheus and Alertmanager replicas on separate nodes with disruption budgets', () => {
      expect(prometheusSpec).toMatchObject({ replicas: 2, podAntiAffinity: 'hard' });
      expect(alertmanagerSpec).toMatchObject({ replicas: 2, podAntiAffinity: 'hard' });
      expect(kps.prometheus.podDisruptionBudget).toEqual({ enabled: true, minAvailable: 1 });
      expect(kps.alertmanager.podDisruptionBudget).toEqual({ enabled: true, minAvailable: 1 });
      expect(values['blackbox-exporter']).toMatchObject({
        replicas: 2,
        podDisruptionBudget: { maxUnavailable: 1 },
      });
    });

    it('selects rules, ServiceMonitors, PodMonitors, Probes and ScrapeConfigs without the release label', () => {
      expect(prometheusSpec).toMatchObject({
        ruleSelectorNilUsesHelmValues: false,
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        probeSelectorNilUsesHelmValues: false,
        scrapeConfigSelectorNilUsesHelmValues: false,
      });
    });

    it('turns off the control-plane targets EKS hides, and their rules, so their alerts cannot fire forever', () => {
      for (const component of ['kubeControllerManager', 'kubeScheduler', 'kubeEtcd', 'kubeProxy']) {
        expect(kps[component]).toEqual({ enabled: false });
      }
      expect(kps.defaultRules).toEqual({
        create: true,
        rules: {
          etcd: false,
          kubeControllerManager: false,
          kubeSchedulerAlerting: false,
          kubeSchedulerRecording: false,
          kubeProxy: false,
        },
      });
    });

    it('sets the large resources on every component', () => {
      const large = MONITORING_SIZES.large;
      expect(prometheusSpec.resources).toEqual(large.prometheus);
      expect(alertmanagerSpec.resources).toEqual(large.alertmanager);
      expect(kps.prometheusOperator.resources).toEqual(large.operator);
      expect(kps.prometheusOperator.prometheusConfigReloader.resources).toEqual(large.configReloader);
      expect(kps['kube-state-metrics'].resources).toEqual(large.kubeStateMetrics);
      expect(kps['prometheus-node-exporter'].resources).toEqual(large.nodeExporter);
      expect(kps.grafana.resources).toEqual(large.grafana);
      expect(kps.grafana.sidecar.resources).toEqual(large.grafanaSidecar);
      expect(loki.singleBinary.resources).toEqual(large.loki);
      expect(values.alloy.alloy.resources).toEqual(large.alloy);
      expect(values['blackbox-exporter'].resources).toEqual(large.blackboxExporter);
      expect(values.yace.resources).toEqual(large.cloudwatchExporter);
      expect(loki.chunksCache).toEqual({ enabled: true, allocatedMemory: 1024 });
      expect(loki.resultsCache).toEqual({ enabled: true, allocatedMemory: 256 });
      expect(gib(prometheusSpec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage)).toBe(50);
    });

    it("takes Grafana's admin login from a Secret External Secrets syncs from Secrets Manager", () => {
      const admin = MONITORING_SECRETS.grafanaAdmin;
      expect(kps.grafana.admin).toEqual({
        existingSecret: admin.name,
        userKey: 'admin-user',
        passwordKey: 'admin-password',
      });
      expect(kps.grafana).not.toHaveProperty('adminPassword');
      const external = externalSecret(json, admin.name);
      expect(external.manifest).toMatchObject({
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: { namespace: 'monitoring' },
        spec: {
          secretStoreRef: { kind: 'ClusterSecretStore', name: 'aws-secrets-manager' },
          target: { name: admin.name },
          data: [
            { secretKey: 'admin-user', remoteRef: { key: 'wms/test/grafana/admin', property: 'admin-user' } },
            {
              secretKey: 'admin-password',
              remoteRef: { key: 'wms/test/grafana/admin', property: 'admin-password' },
            },
          ],
        },
      });
      expect(external.wait).toEqual({ condition: [{ type: 'Ready', status: 'True' }] });
      const kpsDependsOn = byName['kube-prometheus-stack'].depends_on as string[];
      expect(kpsDependsOn.filter((d) => d.startsWith('kubernetes_manifest.'))).toHaveLength(2);
    });

    it('provisions one dashboard ConfigMap per dashboard, uniquely named and labelled for the sidecar', () => {
      const maps = (
        listOfType(json, 'kubernetes_config_map_v1') as { metadata: Values; data: Values }[]
      ).filter((m) => m.metadata.namespace === 'monitoring');
      const expected = renderDashboards(TARGETS);
      expect(maps).toHaveLength(Object.keys(expected).length);
      const names = maps.map((m) => m.metadata.name);
      expect(new Set(names).size).toBe(names.length);
      for (const map of maps) {
        expect(map.metadata.namespace).toBe('monitoring');
        expect(map.metadata.labels).toEqual({ grafana_dashboard: '1' });
        const [[file, content]] = Object.entries(map.data);
        expect(applied(content as string)).toBe(expected[file]);
        expect(Buffer.byteLength(applied(content as string))).toBeLessThan(1024 * 1024);
      }
      expect(kps.grafana.sidecar.dashboards).toEqual({
        enabled: true,
        label: DASHBOARD_LABEL.key,
        labelValue: DASHBOARD_LABEL.value,
        searchNamespace: 'monitoring',
      });
      expect(Object.keys(monitoring.dashboards).sort()).toEqual(Object.keys(expected).sort());
    });

    it('keeps traces 14 days in the Tempo bucket; samples errors, traces of 1 s or more and 5% of the rest (issue #18)', () => {
      const config = parse(values.tempo.config);
      expect(config.compactor.compaction.block_retention).toBe('336h');
      expect(config.storage.trace.s3.bucket).toBe(BASE.tempoBucketName);
      expect(values.tempo.serviceAccount.name).toBe('tempo');
      const collector = values['alloy-traces'];
      expect(collector.controller).toMatchObject({ type: 'deployment', replicas: 2 });
      expect(collector.alloy.configMap.content).toContain('threshold_ms = 1000');
      expect(collector.alloy.configMap.content).toContain('sampling_percentage = 5');
      expect(collector.alloy.configMap.content).toContain('decision_wait = "10s"');
      expect(byName['alloy-traces'].depends_on).toEqual(
        expect.arrayContaining([expect.stringMatching(/^helm_release\.Monitoring_Tempo_Release/)]),
      );
      expect(monitoring.otlpEndpoint).toBe(TRACE_COLLECTOR.otlpHttpEndpoint);
    });

    it('adds Loki and Tempo as Grafana data sources at their services, and the long-term metrics workspace', () => {
      expect(kps.grafana.additionalDataSources).toEqual([
        expect.objectContaining({ type: 'loki', url: 'http://loki.logging.svc.cluster.local:3100' }),
        expect.objectContaining({ type: 'tempo', url: 'http://tempo.monitoring.svc.cluster.local:3200' }),
        expect.objectContaining({
          type: 'prometheus',
          url: BASE.longTermMetrics.prometheusEndpoint,
          jsonData: expect.objectContaining({ sigV4Auth: true, sigV4Region: 'eu-west-1' }),
        }),
      ]);
      expect(monitoring.lokiUrl).toBe('http://loki.logging.svc.cluster.local:3100');
      expect(loki.fullnameOverride).toBe('loki');
    });

    it('remote-writes both Prometheus replicas to the long-term store, labelled __replica__ for its deduplication', () => {
      expect(kps.prometheus.prometheusSpec).toMatchObject({
        remoteWrite: [{ url: BASE.longTermMetrics.remoteWriteUrl, sigv4: { region: 'eu-west-1' } }],
        replicaExternalLabelName: '__replica__',
        externalLabels: { cluster: 'wms-test' },
      });
    });

    it("configures Alertmanager from our Secret, with the receivers' files under a mounted Secret", () => {
      const configSecret = listOfType(json, 'kubernetes_secret_v1') as { metadata: Values; data: Values }[];
      expect(configSecret).toHaveLength(1);
      expect(configSecret[0].metadata).toEqual({ name: 'alertmanager-wms', namespace: 'monitoring' });
      expect(alertmanagerSpec).toMatchObject({ useExistingSecret: true, configSecret: 'alertmanager-wms' });

      const config = parse(applied(configSecret[0].data['alertmanager.yaml'] as string)) as Values;
      const receivers = MONITORING_SECRETS.receivers;
      expect(config).toEqual(
        renderAlertmanagerConfig({
          pagerKeyFile: `${ALERTMANAGER_SECRETS_DIR}/${receivers.name}/${receivers.pagerKey}`,
          chatUrlFile: `${ALERTMANAGER_SECRETS_DIR}/${receivers.name}/${receivers.chatKey}`,
        }),
      );

      const mounted: string[] = alertmanagerSpec.secrets;
      const synced = externalSecret(json, receivers.name);
      const keys = (synced.manifest.spec.data as Values[]).map((d) => d.secretKey);
      const files = JSON.stringify(config).match(/"[a-z_]+_file":"[^"]+"/g) ?? [];
      expect(files).toHaveLength(2);
      for (const entry of files) {
        const path = entry.split('":"')[1].slice(0, -1);
        const match = new RegExp(`^${ALERTMANAGER_SECRETS_DIR}/([^/]+)/([^/]+)$`).exec(path);
        expect(match).not.toBeNull();
        expect(mounted).toContain(match?.[1]);
        expect(synced.manifest.spec.target.name).toBe(match?.[1]);
        expect(keys).toContain(match?.[2]);
      }
      expect(synced.manifest.spec.data).toEqual([
        { secretKey: receivers.pagerKey, remoteRef: { key: 'wms/test/alerting/pager' } },
        { secretKey: receivers.chatKey, remoteRef: { key: 'wms/test/alerting/chat' } },
      ]);
      expect(synced.wait).toEqual({ condition: [{ type: 'Ready', status: 'True' }] });
    });

    it('sends the chat receiver to the webhook channel when no channel is given', () => {
      const [secret] = listOfType(json, 'kubernetes_secret_v1') as { data: Values }[];
      const config = parse(applied(secret.data['alertmanager.yaml'] as string)) as Values;
      const chat = (config.receivers as Values[]).find((r) => r.name === 'chat');
      expect(chat?.slack_configs[0]).not.toHaveProperty('channel');
    });

    it('deploys the WMS rules, exactly as rendered, with the runbook base URL', () => {
      expect(kps.additionalPrometheusRulesMap).toEqual({
        wms: JSON.parse(JSON.stringify(renderRuleGroups({ ...TARGETS, runbookBaseUrl: RUNBOOKS }))),
      });
      const alerts = (kps.additionalPrometheusRulesMap.wms.groups as Values[])
        .flatMap((g) => g.rules as Values[])
        .filter((r) => r.alert);
      expect(alerts.length).toBeGreaterThan(0);
      for (const alert of alerts) expect(alert.annotations.runbook_url).toMatch(new RegExp(`^${RUNBOOKS}/`));
    });

    it("scrapes the API's /metrics in its namespace, with the job the rules select", () => {
      expect(kps.prometheus.additionalServiceMonitors).toEqual([
        {
          name: 'wms-api',
          namespaceSelector: { matchNames: ['wms'] },
          selector: { matchLabels: { 'app.kubernetes.io/name': 'wms-api' } },
          endpoints: [
            {
              port: 'http',
              path: '/metrics',
              scheme: 'http',
              interval: '30s',
              relabelings: [{ targetLabel: 'job', replacement: TARGETS.apiJob, action: 'replace' }],
            },
          ],
        },
        {
          name: 'argo-rollouts',
          namespaceSelector: { matchNames: ['argo-rollouts'] },
          selector: {
            matchLabels: {
              'app.kubernetes.io/name': 'argo-rollouts',
              'app.kubernetes.io/component': 'rollouts-controller',
            },
          },
          endpoints: [
            { port: 'metrics', path: '/metrics', scheme: 'http', interval: '30s', relabelings: [] },
          ],
        },
      ]);
    });

    const scrapeJob = (name: string): Values => {
      const found = (prometheusSpec.additionalScrapeConfigs as Values[]).filter((j) => j.job_name === name);
      expect(found).toHaveLength(1);
      return found[0];
    };

    it('adds four scrape jobs: the API probe, the web probe, the database probe and YACE', () => {
      expect((prometheusSpec.additionalScrapeConfigs as Values[]).map((j) => j.job_name)).toEqual([
        'wms-api-probe',
        'wms-web-probe',
        'wms-database-probe',
        'yace',
      ]);
    });

    it('probes https://<domain>/api/health through the blackbox exporter as the job the probe alert reads', () => {
      const job = scrapeJob(TARGETS.probeJob);
      expect(job.job_name).toBe(TARGETS.probeJob);
      expect(job.params).toEqual({ module: ['http_2xx'] });
      expect(job.static_configs).toEqual([{ targets: ['https://test.wms.example.com/api/health'] }]);
      expect(monitoring.probeUrl).toBe('https://test.wms.example.com/api/health');
      const blackbox = values['blackbox-exporter'];
      expect(job.relabel_configs).toContainEqual({
        target_label: '__address__',
        replacement: `${blackbox.fullnameOverride}.monitoring.svc:9115`,
      });
      expect(blackbox.config.modules.http_2xx).toMatchObject({
        prober: 'http',
        http: { fail_if_not_ssl: true },
      });
      const rules = JSON.stringify(kps.additionalPrometheusRulesMap);
      expect(rules).toContain(`probe_success{job=\\"${job.job_name}\\"}`);
    });

    it('probes the web front end https://<domain>/ through the blackbox exporter as the job WmsWebDown reads', () => {
      const job = scrapeJob(TARGETS.webProbeJob);
      expect(job.params).toEqual({ module: ['http_2xx'] });
      expect(job.static_configs).toEqual([{ targets: ['https://test.wms.example.com/'] }]);
      expect(monitoring.webProbeUrl).toBe('https://test.wms.example.com/');
      expect(job.relabel_configs).toEqual(scrapeJob(TARGETS.probeJob).relabel_configs);
      expect(JSON.stringify(kps.additionalPrometheusRulesMap)).toContain(
        `probe_success{job=\\"${TARGETS.webProbeJob}\\"}`,
      );
    });

    it("installs prometheus-adapter in monitoring, serving the API pods' request rate from the cluster's Prometheus", () => {
      const adapter = values['prometheus-adapter'];
      expect(byName['prometheus-adapter'].namespace).toBe('monitoring');
      expect(adapter.prometheus).toEqual({ url: 'http://kps-prometheus.monitoring.svc', port: 9090 });
      expect(adapter.rules.default).toBe(false);
      expect(adapter.rules.custom.map((r: Values) => r.name.as)).toEqual(['http_requests_per_second']);
      expect(adapter.replicas).toBe(2);
    });

    it("loads the log alert rules into Loki's ruler: a ConfigMap in logging, labelled for its rules sidecar", () => {
      const maps = (
        listOfType(json, 'kubernetes_config_map_v1') as { metadata: Values; data: Values }[]
      ).filter((m) => m.metadata.namespace === 'logging');
      expect(maps.map((m) => m.metadata)).toEqual([
        { name: 'loki-rules-wms', namespace: 'logging', labels: { loki_rule: '1' } },
      ]);
      // apiApp and webApp default to wms-api and wms-web; the external labels go onto every rule.
      expect(parse(applied(maps[0].data['wms-logs.yaml']))).toEqual(
        renderLogRuleGroups({
          namespace: 'wms',
          apiApp: 'wms-api',
          webApp: 'wms-web',
          runbookBaseUrl: RUNBOOKS,
          externalLabels: BASE.externalLabels,
        }),
      );
      expect(loki.sidecar.rules).toMatchObject({ enabled: true, label: 'loki_rule', labelValue: '1' });
      expect(loki.ruler).toEqual({ enabled: true });
      expect(loki.loki.rulerConfig.alertmanager_url).toBe(
        'http://_http-web._tcp.alertmanager-operated.monitoring.svc.cluster.local',
      );
      expect(monitoring.logRules.node.id).toBe('LokiRules');
    });

    it('probes the RDS Proxy on 5432 with a plain TCP connect, as the job WmsDatabaseUnreachable reads', () => {
      const job = scrapeJob(TARGETS.databaseProbeJob);
      expect(job.params).toEqual({ module: ['tcp_connect'] });
      expect(job.static_configs).toEqual([{ targets: [`${BASE.databaseProxyEndpoint}:5432`] }]);
      expect(monitoring.databaseProbeTarget).toBe(`${BASE.databaseProxyEndpoint}:5432`);
      expect(job.relabel_configs).toEqual(scrapeJob(TARGETS.probeJob).relabel_configs);
      expect(values['blackbox-exporter'].config.modules.tcp_connect).toEqual({
        prober: 'tcp',
        timeout: '5s',
        tcp: { tls: false, preferred_ip_protocol: 'ip4' },
      });
      const rules = JSON.stringify(kps.additionalPrometheusRulesMap);
      expect(rules).toContain('absent(probe_success{job=\\"wms-database-probe\\"})');
    });

    it('enables the kube-state-metrics endpoints collector, whose kube_endpoint_address WmsApiDown reads', () => {
      expect(kps['kube-state-metrics'].collectorsExtra).toEqual(['endpoints']);
      expect(JSON.stringify(kps.additionalPrometheusRulesMap)).toContain('absent(kube_endpoint_address{');
    });

    it('runs YACE as the service account of its Pod Identity association, without keys, role or IRSA annotation', () => {
      const yace = values.yace;
      expect(yace.serviceAccount).toEqual({
        create: true,
        name: MONITORING_IDENTITIES.cloudwatchExporter.serviceAccount,
        annotations: {},
      });
      expect(MONITORING_IDENTITIES.cloudwatchExporter.namespace).toBe(byName.yace.namespace);
      expect(yace).not.toHaveProperty('aws');
      expect(yace.replicaCount).toBe(1);
      expect(yace.podSecurityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534 });
      expect(yace.securityContext).toEqual({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(yace.testConnection).toBe(false);
    });

    it("scrapes YACE with a static job named after the rules' job, not the chart's ServiceMonitor", () => {
      expect(values.yace.serviceMonitor).toEqual({ enabled: false });
      expect(values.yace.prometheusRule).toEqual({ enabled: false });
      const job = scrapeJob(TARGETS.cloudwatchExporterJob);
      expect(job).toEqual({
        job_name: 'yace',
        metrics_path: '/metrics',
        scrape_interval: '60s',
        scrape_timeout: '30s',
        // The chart's Service is <fullname>:80.
        static_configs: [{ targets: [`${values.yace.fullnameOverride}.monitoring.svc:80`] }],
      });
    });

    it('configures YACE for the Aurora instances of the region and the slow-statement count', () => {
      const config = parse(values.yace.config as string) as Values;
      expect(values.yace.config).not.toContain('{{');
      expect(config.apiVersion).toBe('v1alpha1');
      expect(config['sts-region']).toBe('eu-west-1');
      expect(config.discovery.jobs).toEqual([
        {
          type: 'AWS/RDS',
          regions: ['eu-west-1'],
          dimensionNameRequirements: ['DBInstanceIdentifier'],
          period: 300,
          length: 600,
          metrics: [
            { name: 'AuroraReplicaLag', statistics: ['Average', 'Maximum'] },
            { name: 'FreeLocalStorage', statistics: ['Minimum', 'Average'] },
            { name: 'DatabaseConnections', statistics: ['Average', 'Maximum'] },
            { name: 'CPUUtilization', statistics: ['Average'] },
            { name: 'FreeableMemory', statistics: ['Average'] },
            { name: 'DBLoad', statistics: ['Average'] },
            { name: 'DBLoadCPU', statistics: ['Average'] },
            { name: 'DBLoadNonCPU', statistics: ['Average'] },
            { name: 'DBLoadRelativeToNumVCPUs', statistics: ['Average'] },
          ],
        },
      ]);
      expect(config.customNamespace).toEqual([
        {
          name: 'wms-database',
          namespace: 'WMS/Database',
          regions: ['eu-west-1'],
          period: 300,
          length: 600,
          nilToZero: true,
          metrics: [{ name: 'SlowQueries', statistics: ['Sum'] }],
        },
      ]);
      // Every YACE series the rules and dashboards may read is one this configuration requests.
      const requested = [
        ...config.discovery.jobs[0].metrics.flatMap((m: Values) =>
          m.statistics.map((s: string) => `aws_rds_${snake(m.name)}_${s.toLowerCase()}`),
        ),
        'aws_wms_database_slow_queries_sum',
      ];
      expect([...METRIC_CATALOGUE.cloudwatch.metrics].sort()).toEqual(requested.sort());
    });

    it('runs Loki monolithic on S3 (TSDB v13) with compactor retention of 30 days and no credentials', () => {
      expect(loki.deploymentMode).toBe('Monolithic');
      expect(loki.singleBinary.replicas).toBe(1);
      for (const mode of ['backend', 'read', 'write']) expect(loki[mode]).toEqual({ replicas: 0 });
      expect(loki.loki.auth_enabled).toBe(false);
      expect(loki.loki.commonConfig).toEqual({ replication_factor: 1 });
      expect(loki.loki.schemaConfig.configs).toEqual([
        expect.objectContaining({ store: 'tsdb', object_store: 's3', schema: 'v13' }),
      ]);
      expect(loki.loki.storage).toEqual({
        type: 's3',
        bucketNames: { chunks: BASE.lokiBucketName },
        s3: { region: 'eu-west-1' },
      });
      expect(loki.loki.compactor).toMatchObject({ retention_enabled: true, delete_request_store: 's3' });
      expect(loki.loki.limits_config.retention_period).toBe('720h');
      expect(loki.minio).toEqual({ enabled: false });
      const text = (byName.loki.values as string[])[0];
      expect(text).not.toMatch(/accessKeyId|secretAccessKey|access_key_id|secret_access_key|role-arn/);
    });

    it("creates exactly the service account Loki's Pod Identity association names, without an IRSA role", () => {
      expect(loki.serviceAccount).toEqual({ create: true, name: 'loki', annotations: {} });
      expect(byName.loki.namespace).toBe('logging');
    });

    it("ships every node's pod logs to Loki's push URL with an Alloy DaemonSet", () => {
      const alloy = values.alloy;
      expect(alloy.controller).toMatchObject({
        type: 'daemonset',
        tolerations: [{ operator: 'Exists', effect: 'NoSchedule' }],
      });
      const config: string = alloy.alloy.configMap.content;
      expect(monitoring.lokiPushUrl).toBe('http://loki.logging.svc.cluster.local:3100/loki/api/v1/push');
      expect(config).toContain(`url = "${monitoring.lokiPushUrl}"`);
      expect(config).toContain('field = "spec.nodeName=" + sys.env("HOSTNAME")');
      expect(config).toMatch(
        /loki\.source\.kubernetes "pods" \{[^}]*forward_to = \[loki\.write\.loki\.receiver\]/,
      );
      // The chart runs the content through Helm's tpl.
      expect(config).not.toContain('{{');
      expect(alloy.alloy.mounts).toMatchObject({ varlog: false, dockercontainers: false });
      expect(alloy.global.podSecurityContext).toMatchObject({ runAsNonRoot: true });
      expect(alloy.crds).toEqual({ create: false });
    });

    it('deploys a scrape configuration and an Alertmanager configuration the real tools accept', () => {
      const dir = mkdtempSync(join(tmpdir(), 'wms-monitoring-'));
      try {
        const prometheusFile = join(dir, 'prometheus.yml');
        writeFileSync(prometheusFile, stringify({ scrape_configs: prometheusSpec.additionalScrapeConfigs }));
        const promtool = runTool('promtool', ['check', 'config', '--syntax-only', prometheusFile]);
        expect(promtool.output).toContain('SUCCESS');
        expect(promtool.status).toBe(0);

        const [secret] = listOfType(json, 'kubernetes_secret_v1') as { data: Values }[];
        const alertmanagerFile = join(dir, 'alertmanager.yml');
        writeFileSync(alertmanagerFile, applied(secret.data['alertmanager.yaml'] as string));
        const amtool = runTool('amtool', ['check-config', alertmanagerFile]);
        expect(amtool.output).toContain('SUCCESS');
        expect(amtool.status).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('does not publish Grafana by default: no Ingress, no public URL, the login form as the chart has it', () => {
      expect(kps.grafana).not.toHaveProperty('ingress');
      expect(kps.grafana).not.toHaveProperty('envValueFrom');
      // The login form as the chart has it; only SigV4 signing (the long-term metrics data source) is switched on.
      expect(kps.grafana['grafana.ini']).toEqual({
        analytics: { reporting_enabled: false, check_for_updates: false },
        auth: { sigv4_auth_enabled: true },
      });
      expect(manifests(json).filter((m) => (m.manifest as Row).kind === 'ExternalSecret')).toHaveLength(2);
    });

    it('passes the guardrails with no finding and no suppression', () => {
      const [result] = checkStacks([{ stackName: 'test', json: stack.toTerraform() }]).stacks;
      expect(result.findings).toEqual([]);
      expect(result.suppressed).toEqual([]);
      expect(result.stale).toEqual([]);
    });

    it('escapes template-looking text so Terraform passes it through (Grafana ${datasource})', () => {
      const resources = JSON.stringify(json.resource);
      expect(resources).not.toMatch(/(?<!\$)\$\{/);
      expect(resources).not.toMatch(/(?<!%)%\{/);
      expect(resources).toContain('$${datasource}');
    });

    it('renders values deterministically: sorted keys, no YAML anchors', () => {
      const yaml = (byName['kube-prometheus-stack'].values as string[])[0];
      expect(yaml).not.toMatch(/[&*]a\d/);
      const keys = Object.keys(parse(yaml) as object);
      expect(keys).toEqual([...keys].sort());
      expect(JSON.stringify(build().json)).toBe(JSON.stringify(json));
    });
  });

  describe('options', () => {
    it('GIVEN apiApp and webApp THEN the log rules select those app labels', () => {
      const { json } = build({ apiApp: 'orders-api', webApp: 'orders-web' });
      const [rules] = (listOfType(json, 'kubernetes_config_map_v1') as { metadata: Values; data: Values }[])
        .filter((m) => m.metadata.name === 'loki-rules-wms')
        .map((m) => applied(m.data['wms-logs.yaml']));
      expect(rules).toContain('app="orders-api"');
      expect(rules).toContain('app="orders-web"');
      expect(rules).not.toContain('app="wms-');
    });

    it('GIVEN replicas 1 THEN Prometheus, Alertmanager and the blackbox exporter run one, without budgets', () => {
      const values = releaseValues(build({ replicas: 1 }).json);
      const kps = values['kube-prometheus-stack'];
      expect(kps.prometheus.prometheusSpec.replicas).toBe(1);
      expect(kps.alertmanager.alertmanagerSpec.replicas).toBe(1);
      expect(kps.prometheus.podDisruptionBudget.enabled).toBe(false);
      expect(kps.alertmanager.podDisruptionBudget.enabled).toBe(false);
      expect(values['blackbox-exporter']).toMatchObject({ replicas: 1, podDisruptionBudget: {} });
    });

    it('GIVEN size small THEN the small resources and volumes, and Loki without memcached', () => {
      const values = releaseValues(build({ size: 'small' }).json);
      const small = MONITORING_SIZES.small;
      const spec = values['kube-prometheus-stack'].prometheus.prometheusSpec;
      expect(spec.resources).toEqual(small.prometheus);
      expect(spec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage).toBe('20Gi');
      expect(spec.retentionSize).toBe('17GiB');
      expect(values.loki.singleBinary.resources).toEqual(small.loki);
      expect(values.loki.chunksCache).toEqual({ enabled: false });
      expect(values.loki.resultsCache).toEqual({ enabled: false });
      expect(values.alloy.alloy.resources).toEqual(small.alloy);
      expect(values.yace.resources).toEqual(small.cloudwatchExporter);
    });

    it('GIVEN a storage class THEN every volume uses it', () => {
      const values = releaseValues(build({ storageClassName: 'gp3-other' }).json);
      const kps = values['kube-prometheus-stack'];
      expect(kps.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.storageClassName).toBe(
        'gp3-other',
      );
      expect(kps.alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec.storageClassName).toBe(
        'gp3-other',
      );
      expect(kps.grafana.persistence.storageClassName).toBe('gp3-other');
      expect(values.loki.singleBinary.persistence.storageClass).toBe('gp3-other');
    });

    it('GIVEN retention days THEN Prometheus and Loki keep that long', () => {
      const values = releaseValues(build({ prometheusRetentionDays: 60, lokiRetentionDays: 14 }).json);
      expect(values['kube-prometheus-stack'].prometheus.prometheusSpec.retention).toBe('60d');
      expect(values.loki.loki.limits_config.retention_period).toBe('336h');
    });

    it('GIVEN trace retention and sampling THEN Tempo keeps that long and the collectors sample so (issue #18)', () => {
      const values = releaseValues(
        build({
          traceRetentionDays: 3,
          traceSampling: { slowTraceMs: 500, baselinePercent: 1, decisionWaitSeconds: 30 },
        }).json,
      );
      expect(parse(values.tempo.config).compactor.compaction.block_retention).toBe('72h');
      const collector = values['alloy-traces'].alloy.configMap.content as string;
      expect(collector).toContain('threshold_ms = 500');
      expect(collector).toContain('sampling_percentage = 1');
      expect(collector).toContain('decision_wait = "30s"');
    });

    it('GIVEN a secret store THEN both ExternalSecrets read from it', () => {
      const { json } = build({ secretStoreName: 'other-store' });
      for (const external of manifests(json)) {
        expect(external.manifest.spec.secretStoreRef).toEqual({
          kind: 'ClusterSecretStore',
          name: 'other-store',
        });
      }
    });

    it('GIVEN a probe path and targets THEN the probe URL and job names follow them', () => {
      const targets = { ...TARGETS, probeJob: 'blackbox-wms', apiJob: 'wms/api' };
      const { json } = build({ probePath: '/healthz', targets });
      const kps = releaseValues(json)['kube-prometheus-stack'];
      const [job] = kps.prometheus.prometheusSpec.additionalScrapeConfigs as Values[];
      expect(job.job_name).toBe('blackbox-wms');
      expect(job.static_configs).toEqual([{ targets: ['https://test.wms.example.com/healthz'] }]);
      const [monitor] = kps.prometheus.additionalServiceMonitors as Values[];
      expect(monitor.name).toBe('wms-api');
      expect(monitor.endpoints[0].relabelings[0].replacement).toBe('wms/api');
      expect(JSON.stringify(kps.additionalPrometheusRulesMap)).toContain('job=\\"blackbox-wms\\"');
    });

    it('GIVEN Service labels and a port name THEN the ServiceMonitor selects and scrapes them', () => {
      const labels = { 'app.kubernetes.io/name': 'wms-api', 'app.kubernetes.io/part-of': 'wms' };
      const kps = releaseValues(build({ apiServiceLabels: labels, apiPortName: 'metrics' }).json)[
        'kube-prometheus-stack'
      ];
      const [monitor] = kps.prometheus.additionalServiceMonitors as Values[];
      expect(monitor.selector).toEqual({ matchLabels: labels });
      expect(monitor.endpoints[0].port).toBe('metrics');
    });

    it('labels every alert with its environment and cluster (externalLabels)', () => {
      const kps = releaseValues(build().json)['kube-prometheus-stack'];
      expect(kps.prometheus.prometheusSpec.externalLabels).toEqual({
        environment: 'test',
        cluster: 'wms-test',
      });
    });

    it('by default pages critical alerts and sends the Watchdog to log-only (no heartbeat secret synced)', () => {
      const [secret] = listOfType(build().json, 'kubernetes_secret_v1') as { data: Values }[];
      const config = parse(applied(secret.data['alertmanager.yaml'] as string)) as Values;
      const routes = config.route.routes as Values[];
      expect(routes.find((r) => r.matchers[0] === 'severity="critical"')?.receiver).toBe('pager');
      expect(routes.find((r) => r.matchers[0] === 'alertname="Watchdog"')?.receiver).toBe('log-only');
    });

    it('GIVEN a heartbeat secret and pageCritical false THEN the Watchdog pings the synced heartbeat URL and critical goes to chat', () => {
      const { json } = build({ heartbeatSecretName: 'wms/test/alerting/heartbeat', pageCritical: false });
      const [secret] = listOfType(json, 'kubernetes_secret_v1') as { data: Values }[];
      const config = parse(applied(secret.data['alertmanager.yaml'] as string)) as Values;
      const receivers = MONITORING_SECRETS.receivers;
      expect((config.receivers as Values[]).find((r) => r.name === 'heartbeat')).toEqual({
        name: 'heartbeat',
        webhook_configs: [
          {
            url_file: `${ALERTMANAGER_SECRETS_DIR}/${receivers.name}/${receivers.heartbeatKey}`,
            send_resolved: false,
          },
        ],
      });
      const routes = config.route.routes as Values[];
      expect(routes.find((r) => r.matchers[0] === 'severity="critical"')?.receiver).toBe('chat');
      expect(externalSecret(json, receivers.name).manifest.spec.data).toContainEqual({
        secretKey: receivers.heartbeatKey,
        remoteRef: { key: 'wms/test/alerting/heartbeat' },
      });
    });

    it('GIVEN a chat channel THEN the chat receiver posts there', () => {
      const [secret] = listOfType(build({ chatChannel: '#wms-alerts' }).json, 'kubernetes_secret_v1') as {
        data: Values;
      }[];
      const config = parse(applied(secret.data['alertmanager.yaml'] as string)) as Values;
      const chat = (config.receivers as Values[]).find((r) => r.name === 'chat');
      expect(chat?.slack_configs[0].channel).toBe('#wms-alerts');
    });

    it('GIVEN namespaces and a bucket only known at apply time THEN they are not checked and end up in the values', () => {
      const stack = new TerraformStack(Testing.app(), 'test');
      new KubernetesProvider(stack, 'K8s', {});
      new HelmProvider(stack, 'Helm', {});
      const namespace = new TerraformVariable(stack, 'Namespace', { type: 'string' }).stringValue;
      const bucket = new TerraformVariable(stack, 'Bucket', { type: 'string' }).stringValue;
      const proxy = new TerraformVariable(stack, 'Proxy', { type: 'string' }).stringValue;
      new Monitoring(stack, 'Monitoring', {
        ...BASE,
        namespaces: { monitoring: namespace, logging: namespace, agents: namespace },
        lokiBucketName: bucket,
        databaseProxyEndpoint: proxy,
      });
      const json = synthJson(stack);
      const lokiRelease = releases(json).loki;
      expect(lokiRelease.namespace).toBe('${var.Namespace}');
      expect((lokiRelease.values as string[])[0]).toContain('chunks: ${var.Bucket}');
      expect((releases(json)['kube-prometheus-stack'].values as string[])[0]).toContain(
        '- ${var.Proxy}:5432',
      );
    });
  });

  describe('Grafana behind its own load balancer (issue #18)', () => {
    const published = build({ grafanaAccess: GRAFANA_ACCESS });
    const grafana = releaseValues(published.json)['kube-prometheus-stack'].grafana;

    it('publishes grafana.<domain> on its own internet-facing ALB: HTTPS only, TLS 1.2+, web ACL, access logs', () => {
      expect(grafana.ingress).toEqual({
        enabled: true,
        ingressClassName: 'alb',
        hosts: ['grafana.test.wms.example.com'],
        path: '/',
        pathType: 'Prefix',
        annotations: {
          'alb.ingress.kubernetes.io/scheme': 'internet-facing',
          'alb.ingress.kubernetes.io/target-type': 'ip',
          'alb.ingress.kubernetes.io/listen-ports': '[{"HTTPS":443}]',
          'alb.ingress.kubernetes.io/certificate-arn': GRAFANA_ACCESS.certificateArn,
          'alb.ingress.kubernetes.io/ssl-policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',
          'alb.ingress.kubernetes.io/wafv2-acl-arn': GRAFANA_ACCESS.wafAclArn,
          'alb.ingress.kubernetes.io/load-balancer-attributes':
            'access_logs.s3.enabled=true,access_logs.s3.bucket=wms-test-alb-logs-123456789012-eu-west-1,' +
            'access_logs.s3.prefix=alb,routing.http.drop_invalid_header_fields.enabled=true',
          'alb.ingress.kubernetes.io/healthcheck-path': '/api/health',
          'alb.ingress.kubernetes.io/success-codes': '200',
        },
      });
      // No group.name: a shared ALB group would move the app's Ingress to a new load balancer.
      expect(Object.keys(grafana.ingress.annotations)).not.toContain('alb.ingress.kubernetes.io/group.name');
      expect(grafana['grafana.ini'].server).toEqual({
        domain: 'grafana.test.wms.example.com',
        root_url: 'https://grafana.test.wms.example.com/',
      });
    });

    it('WITHOUT single sign-on keeps the login form, sets no OAuth client and syncs no client secret', () => {
      expect(grafana['grafana.ini']).not.toHaveProperty('auth.generic_oauth');
      expect(grafana['grafana.ini'].auth).toEqual({ sigv4_auth_enabled: true });
      expect(grafana['grafana.ini']).not.toHaveProperty(['auth.basic']);
      expect(grafana).not.toHaveProperty('envValueFrom');
      expect(() => externalSecret(published.json, MONITORING_SECRETS.grafanaOidc.name)).toThrow();
    });

    describe('GIVEN single sign-on', () => {
      const sso = build({ grafanaAccess: { ...GRAFANA_ACCESS, sso: SSO } });
      const kps = releaseValues(sso.json)['kube-prometheus-stack'];
      const ini = kps.grafana['grafana.ini'];

      it('turns the login form and basic authentication off', () => {
        expect(ini.auth).toEqual({ disable_login_form: true, sigv4_auth_enabled: true });
        expect(ini['auth.basic']).toEqual({ enabled: false });
      });

      it("signs in through the issuer's endpoints (Keycloak layout by default), only the allowed groups, Viewer by default", () => {
        expect(ini['auth.generic_oauth']).toEqual({
          enabled: true,
          name: 'SSO',
          client_id: 'wms-test-grafana',
          scopes: 'openid email profile groups',
          auth_url: 'https://sso.example.com/realms/wms/protocol/openid-connect/auth',
          token_url: 'https://sso.example.com/realms/wms/protocol/openid-connect/token',
          api_url: 'https://sso.example.com/realms/wms/protocol/openid-connect/userinfo',
          use_pkce: true,
          allow_sign_up: true,
          groups_attribute_path: 'groups',
          allowed_groups: 'wms-sre,wms-support',
          role_attribute_path: "'Viewer'",
          role_attribute_strict: true,
        });
      });

      it('GIVEN endpoints and a role path THEN Grafana uses them', () => {
        const custom = build({
          grafanaAccess: {
            ...GRAFANA_ACCESS,
            sso: {
              ...SSO,
              authUrl: 'https://idp.example.com/oauth2/v1/authorize',
              tokenUrl: 'https://idp.example.com/oauth2/v1/token',
              userInfoUrl: 'https://idp.example.com/oauth2/v1/userinfo',
              roleAttributePath: "contains(groups[*], 'wms-sre') && 'Admin' || 'Viewer'",
            },
          },
        });
        const oauth = releaseValues(custom.json)['kube-prometheus-stack'].grafana['grafana.ini'][
          'auth.generic_oauth'
        ];
        expect(oauth).toMatchObject({
          auth_url: 'https://idp.example.com/oauth2/v1/authorize',
          token_url: 'https://idp.example.com/oauth2/v1/token',
          api_url: 'https://idp.example.com/oauth2/v1/userinfo',
          role_attribute_path: "contains(groups[*], 'wms-sre') && 'Admin' || 'Viewer'",
        });
      });

      it('reads the client secret from a Secret synced by External Secrets, never from values or state', () => {
        const oidc = MONITORING_SECRETS.grafanaOidc;
        expect(JSON.stringify(ini)).not.toContain('client_secret');
        expect(kps.grafana.envValueFrom).toEqual({
          GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET: { secretKeyRef: { name: oidc.name, key: oidc.key } },
        });
        expect(externalSecret(sso.json, oidc.name).manifest).toMatchObject({
          kind: 'ExternalSecret',
          metadata: { namespace: 'monitoring' },
          spec: {
            target: { name: oidc.name },
            data: [{ secretKey: oidc.key, remoteRef: { key: 'wms/test/grafana/oidc-client-secret' } }],
          },
        });
        expect(JSON.stringify(listOfType(sso.json, 'kubernetes_secret_v1'))).not.toContain(oidc.name);
        const dependsOn = releases(sso.json)['kube-prometheus-stack'].depends_on as string[];
        expect(dependsOn.filter((d) => d.startsWith('kubernetes_manifest.'))).toHaveLength(3);
      });

      it('passes the guardrails (WMS_HELM_001: every Grafana key is in the chart catalogue)', () => {
        const [result] = checkStacks([{ stackName: 'test', json: sso.stack.toTerraform() }]).stacks;
        expect(result.findings).toEqual([]);
        expect(result.suppressed).toEqual([]);
      });
    });
  });

  describe('validation', () => {
    const fails = (overrides: Partial<MonitoringProps>, message: RegExp) =>
      expect(() => stackWith(overrides)).toThrow(message);

    it('GIVEN Grafana access with a bad host, issuer, secret name or no group THEN it names each field and value', () => {
      fails(
        { grafanaAccess: { ...GRAFANA_ACCESS, hostName: 'Grafana.Example' } },
        /grafanaAccess\.hostName: "Grafana\.Example" is not allowed \(a lowercase DNS name\)/,
      );
      fails(
        { grafanaAccess: { ...GRAFANA_ACCESS, sso: { ...SSO, issuerUrl: 'http://sso.example.com' } } },
        /grafanaAccess\.sso\.issuerUrl: "http:\/\/sso\.example\.com" is not allowed \(an https URL/,
      );
      fails(
        { grafanaAccess: { ...GRAFANA_ACCESS, sso: { ...SSO, clientSecretName: 'https://vault/x' } } },
        /grafanaAccess\.sso\.clientSecretName: .* never the value itself/,
      );
      fails(
        { grafanaAccess: { ...GRAFANA_ACCESS, sso: { ...SSO, allowedGroups: [] } } },
        /grafanaAccess\.sso\.allowedGroups: \[\] is not allowed \(at least one group/,
      );
    });

    it('GIVEN replicas 0 THEN it names the prop', () => {
      fails({ replicas: 0 }, /test\/Monitoring: replicas: 0 is not allowed \(a whole number from 1 to 5\)/);
    });

    it('GIVEN Prometheus retention shorter than the SLO window THEN it refuses', () => {
      fails(
        { prometheusRetentionDays: 29 },
        /prometheusRetentionDays: 29 is not allowed \(a whole number of days from 30 \(the SLO window\) to 365\)/,
      );
    });

    it('GIVEN Loki retention 0 THEN it refuses', () => {
      fails({ lokiRetentionDays: 0 }, /lokiRetentionDays: 0 is not allowed/);
    });

    it('GIVEN trace retention or sampling out of range THEN it names each field, value and range', () => {
      fails(
        { traceRetentionDays: 91 },
        /traceRetentionDays: 91 is not allowed \(a whole number of days from 1 to 90\)/,
      );
      fails(
        { traceSampling: { slowTraceMs: 0, baselinePercent: 101, decisionWaitSeconds: 1.5 } },
        /traceSampling\.slowTraceMs: 0 is not allowed[\s\S]*traceSampling\.baselinePercent: 101 is not allowed \(a percentage from 0 to 100\)[\s\S]*traceSampling\.decisionWaitSeconds: 1\.5 is not allowed/,
      );
      fails(
        { tempoBucketName: 'Not_A_Bucket' },
        /tempoBucketName: "Not_A_Bucket" is not allowed \(an S3 bucket name\)/,
      );
    });

    it("GIVEN a logging namespace other than the Pod Identity association's THEN it refuses", () => {
      fails(
        { namespaces: { ...BASE.namespaces, logging: 'logs' } },
        /namespaces\.logging: "logs" is not allowed \("logging", the namespace of Loki's Pod Identity association\)/,
      );
    });

    it("GIVEN a monitoring namespace other than YACE's Pod Identity association's THEN it refuses", () => {
      fails(
        { namespaces: { ...BASE.namespaces, monitoring: 'observability' } },
        /namespaces\.monitoring: "observability" is not allowed \("monitoring", the namespace of YACE's Pod Identity association\)/,
      );
    });

    it('GIVEN a proxy endpoint with a port or a scheme THEN it refuses', () => {
      fails(
        { databaseProxyEndpoint: 'wms-test-db.proxy-x.eu-west-1.rds.amazonaws.com:5432' },
        /databaseProxyEndpoint: ".*:5432" is not allowed \(the host name of the RDS Proxy, without port or scheme\)/,
      );
      fails({ databaseProxyEndpoint: 'postgres://db.example.com' }, /databaseProxyEndpoint: /);
    });

    it('GIVEN a namespace that is not a Kubernetes name THEN it refuses', () => {
      fails(
        { namespaces: { ...BASE.namespaces, agents: 'Agents' } },
        /namespaces\.agents: "Agents" is not allowed/,
      );
    });

    it('GIVEN a URL as domain THEN it refuses', () => {
      fails({ domain: 'https://wms.example.com' }, /domain: "https:\/\/wms.example.com" is not allowed/);
    });

    it('GIVEN a secret value instead of a secret name THEN it refuses', () => {
      fails(
        { chatSecretName: 'https://hooks.slack.com/services/T/B/X' },
        /chatSecretName: .* is not allowed \(the name of a Secrets Manager secret/,
      );
    });

    it('GIVEN a bad bucket, region, store, class, port or labels THEN it reports them all together', () => {
      let message = '';
      try {
        stackWith({
          lokiBucketName: 'Bad_Bucket',
          region: 'Ireland',
          secretStoreName: 'Store!',
          storageClassName: 'GP3',
          apiPortName: '8080',
          apiServiceLabels: {},
          probePath: 'health',
          size: 'medium' as 'small',
        });
      } catch (error) {
        message = (error as Error).message;
      }
      for (const prop of [
        'lokiBucketName',
        'region',
        'secretStoreName',
        'storageClassName',
        'apiPortName',
        'apiServiceLabels',
        'probePath',
        'size',
      ]) {
        expect(message).toMatch(new RegExp(`^test/Monitoring: ${prop}: .* is not allowed`, 'm'));
      }
      expect(message).toContain('size: "medium" is not allowed ("small" or "large")');
    });

    it('GIVEN an invalid runbook URL THEN the rules library error names this construct', () => {
      fails(
        { runbookBaseUrl: 'http://runbooks' },
        /test\/Monitoring: renderRuleGroups: runbookBaseUrl: "http:\/\/runbooks" is not allowed/,
      );
    });

    it('GIVEN an invalid probe job THEN the targets check names this construct', () => {
      fails(
        { targets: { ...TARGETS, probeJob: 'probe job' } },
        /test\/Monitoring: renderRuleGroups: probeJob/,
      );
    });

    it('GIVEN a heartbeat URL instead of a secret name THEN refuses it', () => {
      fails(
        { heartbeatSecretName: 'https://hc-ping.com/x' },
        /heartbeatSecretName: "https:\/\/hc-ping.com\/x"/,
      );
    });

    it('GIVEN an invalid chat channel THEN the Alertmanager library error names this construct', () => {
      fails({ chatChannel: 'alerts' }, /test\/Monitoring: renderAlertmanagerConfig: chatChannel: "alerts"/);
    });
  });
});
