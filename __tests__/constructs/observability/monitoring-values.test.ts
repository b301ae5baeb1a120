import catalogue from '../../../guardrails/chart-catalogue.json';
import type { ChartCatalogue } from '../../../guardrails/chart-interface';
import { checkValues } from '../../../guardrails/chart-interface';
import type { PrometheusRuleFile } from '../../../constructs/observability/alert-rules';
import type {
  ChartRef,
  KubePrometheusStackInput,
  MonitoringSize,
} from '../../../constructs/observability/monitoring-values';
import {
  DATABASE_PROBE_MODULE,
  MONITORING_CHARTS,
  MONITORING_RELEASES,
  MONITORING_SECRETS,
  MONITORING_SIZES,
  PROBE_MODULE,
  DATASOURCE_UIDS,
  TRACE_COLLECTOR,
  alloyTracesConfig,
  alloyTracesValues,
  alloyValues,
  blackboxExporterValues,
  cloudwatchExporterValues,
  kubePrometheusStackValues,
  lokiValues,
  monitoringEndpoints,
  prometheusAdapterValues,
  prometheusOperatorCrdsValues,
  requestRateAdapterRule,
  tempoConfig,
  tempoValues,
  traceCorrelatedDataSources,
} from '../../../constructs/observability/monitoring-values';
import { parse } from 'yaml';
import { MONITORING_IDENTITIES } from '../../../constructs/observability/monitoring';

// The values are pure functions of typed inputs: these tests build them without a synth (monitoring.test.ts
// covers the construct that installs them, and the real tools).

const ENDPOINTS = monitoringEndpoints({
  loggingNamespace: 'logging',
  monitoringNamespace: 'monitoring',
  domain: 'wms.example.com',
  probePath: '/api/health',
  databaseProxyEndpoint: 'wms-db.proxy-abc.eu-west-1.rds.amazonaws.com',
});
const RULES: PrometheusRuleFile = { groups: [] };
const WORKSPACE = 'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-0123/';
const LONG_TERM = { prometheusEndpoint: WORKSPACE, remoteWriteUrl: `${WORKSPACE}api/v1/remote_write` };

function kps(overrides: Partial<KubePrometheusStackInput> = {}) {
  return kubePrometheusStackValues({
    namespaces: { monitoring: 'monitoring', agents: 'monitoring-agents' },
    targets: {
      namespace: 'wms',
      apiJob: 'wms-api',
      probeJob: 'wms-api-probe',
      webProbeJob: 'wms-web-probe',
      databaseProbeJob: 'wms-database-probe',
      cloudwatchExporterJob: 'yace',
    },
    rules: RULES,
    externalLabels: { environment: 'test', cluster: 'wms-test' },
    replicas: 2,
    size: 'large',
    storageClassName: 'gp3-encrypted',
    prometheusRetentionDays: 35,
    apiServiceLabels: { 'app.kubernetes.io/name': 'wms-api' },
    apiPortName: 'http',
    endpoints: ENDPOINTS,
    longTermMetrics: LONG_TERM,
    region: 'eu-west-1',
    ...overrides,
  });
}

const chartId = (ref: ChartRef) => `${ref.chart}@${ref.version}`;

describe('monitoringEndpoints', () => {
  it('reaches Loki in the logging namespace, probes https://<domain><path>, the front end at / and the proxy on 5432', () => {
    expect(ENDPOINTS).toEqual({
      lokiUrl: 'http://loki.logging.svc.cluster.local:3100',
      lokiPushUrl: 'http://loki.logging.svc.cluster.local:3100/loki/api/v1/push',
      probeUrl: 'https://wms.example.com/api/health',
      webProbeUrl: 'https://wms.example.com/',
      databaseProbeTarget: 'wms-db.proxy-abc.eu-west-1.rds.amazonaws.com:5432',
      tempoUrl: 'http://tempo.monitoring.svc.cluster.local:3200',
      tempoOtlpTarget: 'tempo.monitoring.svc.cluster.local:4317',
      otlpEndpoint: 'http://alloy-traces.monitoring.svc.cluster.local:4318',
    });
  });

  it('gives the applications the same OTLP endpoint the monitoring namespace serves (TRACE_COLLECTOR)', () => {
    expect(TRACE_COLLECTOR.otlpHttpEndpoint).toBe(ENDPOINTS.otlpEndpoint);
    expect(TRACE_COLLECTOR.podLabels['app.kubernetes.io/instance']).toBe(MONITORING_RELEASES.traceCollector);
  });
});

describe('prometheusOperatorCrdsValues', () => {
  it('keeps the CRDs when the release is deleted (their objects would go with them)', () => {
    expect(prometheusOperatorCrdsValues().crds.annotations).toEqual({ 'helm.sh/resource-policy': 'keep' });
  });
});

describe('kubePrometheusStackValues', () => {
  it('passes the rules through as given, under the wms key', () => {
    expect(kps().additionalPrometheusRulesMap.wms).toBe(RULES);
  });

  it('GIVEN 2 replicas THEN Prometheus and Alertmanager get disruption budgets; GIVEN 1 THEN none', () => {
    const two = kps({ replicas: 2 });
    expect(two.prometheus.podDisruptionBudget).toEqual({ enabled: true, minAvailable: 1 });
    expect(two.alertmanager.podDisruptionBudget.enabled).toBe(true);
    expect(two.prometheus.prometheusSpec.replicas).toBe(2);
    const one = kps({ replicas: 1 });
    expect(one.prometheus.podDisruptionBudget.enabled).toBe(false);
    expect(one.alertmanager.podDisruptionBudget.enabled).toBe(false);
    expect(one.alertmanager.alertmanagerSpec.replicas).toBe(1);
  });

  it.each<MonitoringSize>(['small', 'large'])(
    'GIVEN size %s THEN its resources and volumes, retention capped at 85%% of the volume',
    (size) => {
      const values = kps({ size, storageClassName: 'fast' });
      const sizing = MONITORING_SIZES[size];
      const spec = values.prometheus.prometheusSpec;
      expect(spec.resources).toEqual(sizing.prometheus);
      expect(spec.storageSpec.volumeClaimTemplate.spec).toEqual({
        storageClassName: 'fast',
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: `${sizing.prometheusVolumeGiB}Gi` } },
      });
      expect(spec.retentionSize).toBe(`${Math.floor(sizing.prometheusVolumeGiB * 0.85)}GiB`);
      expect(
        values.alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec.resources.requests,
      ).toEqual({
        storage: `${sizing.alertmanagerVolumeGiB}Gi`,
      });
      expect(values.grafana.persistence).toMatchObject({
        storageClassName: 'fast',
        size: `${sizing.grafanaVolumeGiB}Gi`,
      });
    },
  );

  it('keeps samples for the given number of days', () => {
    expect(kps({ prometheusRetentionDays: 90 }).prometheus.prometheusSpec.retention).toBe('90d');
  });

  it('scrapes the three probes through the blackbox exporter of the monitoring namespace, and YACE by its Service', () => {
    const jobs = kps({ namespaces: { monitoring: 'mon', agents: 'agents' } }).prometheus.prometheusSpec
      .additionalScrapeConfigs;
    expect(jobs.map((job) => job.job_name)).toEqual([
      'wms-api-probe',
      'wms-web-probe',
      'wms-database-probe',
      'yace',
    ]);
    const [probe, web, database, yace] = jobs;
    expect(probe.params).toEqual({ module: [PROBE_MODULE] });
    expect(probe.static_configs).toEqual([{ targets: [ENDPOINTS.probeUrl] }]);
    expect(web.params).toEqual({ module: [PROBE_MODULE] });
    expect(web.static_configs).toEqual([{ targets: ['https://wms.example.com/'] }]);
    expect(database.params).toEqual({ module: [DATABASE_PROBE_MODULE] });
    expect(database.static_configs).toEqual([{ targets: [ENDPOINTS.databaseProbeTarget] }]);
    for (const job of [probe, web, database]) {
      expect(job.relabel_configs).toContainEqual({
        target_label: '__address__',
        replacement: 'blackbox-exporter.mon.svc:9115',
      });
    }
    expect(yace.static_configs).toEqual([{ targets: ['yace.mon.svc:80'] }]);
    expect(yace.relabel_configs).toBeUndefined();
  });

  it("names the API's ServiceMonitor after its job (a Kubernetes name) and relabels the job to the rules' name", () => {
    const [api] = kps({
      targets: {
        namespace: 'shop',
        apiJob: 'Shop_API',
        probeJob: 'p',
        webProbeJob: 'w',
        databaseProbeJob: 'd',
        cloudwatchExporterJob: 'y',
      },
      apiServiceLabels: { app: 'shop' },
      apiPortName: 'metrics',
    }).prometheus.additionalServiceMonitors;
    expect(api.name).toBe('shop-api');
    expect(api.namespaceSelector).toEqual({ matchNames: ['shop'] });
    expect(api.selector).toEqual({ matchLabels: { app: 'shop' } });
    expect(api.endpoints[0].port).toBe('metrics');
    expect(api.endpoints[0].relabelings).toEqual([
      { targetLabel: 'job', replacement: 'Shop_API', action: 'replace' },
    ]);
  });

  it('reads Alertmanager configuration and receivers from our Secrets, Grafana admin from the synced Secret', () => {
    const values = kps();
    expect(values.alertmanager.alertmanagerSpec).toMatchObject({
      useExistingSecret: true,
      configSecret: MONITORING_SECRETS.alertmanagerConfig.name,
      secrets: [MONITORING_SECRETS.receivers.name],
    });
    expect(values.grafana.admin.existingSecret).toBe(MONITORING_SECRETS.grafanaAdmin.name);
    expect(values.grafana.additionalDataSources).toEqual([
      expect.objectContaining({ type: 'loki', url: ENDPOINTS.lokiUrl }),
      expect.objectContaining({ type: 'tempo', url: ENDPOINTS.tempoUrl }),
      expect.objectContaining({ type: 'prometheus', url: WORKSPACE }),
    ]);
  });

  describe('long-term metrics (decision record 0005)', () => {
    const values = kps();
    const spec = values.prometheus.prometheusSpec;

    it('remote-writes to the workspace signed with SigV4 from the pod (no keys, no roleArn)', () => {
      expect(spec.remoteWrite).toEqual([
        {
          url: LONG_TERM.remoteWriteUrl,
          sigv4: { region: 'eu-west-1' },
          queueConfig: { maxSamplesPerSend: 1000, maxShards: 200, capacity: 2500 },
        },
      ]);
    });

    it('labels each replica __replica__ beside the cluster label, the pair the workspace deduplicates on', () => {
      expect(spec.replicaExternalLabelName).toBe('__replica__');
      expect(spec.externalLabels).toMatchObject({ cluster: 'wms-test' });
    });

    it('names the service accounts the Pod Identity associations name', () => {
      expect(values.prometheus.serviceAccount).toEqual({
        create: true,
        name: MONITORING_IDENTITIES.prometheus.serviceAccount,
      });
      expect(values.grafana.serviceAccount).toEqual({
        create: true,
        name: MONITORING_IDENTITIES.grafana.serviceAccount,
      });
    });

    it("queries it from Grafana with SigV4 and Grafana's own credentials (sigv4 auth on, no stored key)", () => {
      expect(values.grafana['grafana.ini'].auth).toEqual({ sigv4_auth_enabled: true });
      const source = values.grafana.additionalDataSources.find((d) => d.type === 'prometheus');
      expect(source).toEqual({
        name: 'Long-term metrics',
        type: 'prometheus',
        uid: DATASOURCE_UIDS.longTermMetrics,
        access: 'proxy',
        url: WORKSPACE,
        isDefault: false,
        jsonData: { sigV4Auth: true, sigV4AuthType: 'default', sigV4Region: 'eu-west-1', httpMethod: 'POST' },
      });
      expect(JSON.stringify(source)).not.toMatch(/secureJsonData|accessKey|secretKey/);
    });
  });

  it('keeps exemplars and links them to Tempo by their trace_id label (issue #18)', () => {
    const values = kps();
    expect(values.prometheus.prometheusSpec.enableFeatures).toEqual(['exemplar-storage']);
    expect(values.grafana.sidecar.datasources.exemplarTraceIdDestinations).toEqual({
      datasourceUid: 'tempo',
      traceIdLabelName: 'trace_id',
    });
  });

  it('runs node-exporter in the agents namespace and copies the external labels', () => {
    const values = kps({ externalLabels: { environment: 'qa' } });
    expect(values['prometheus-node-exporter'].namespaceOverride).toBe('monitoring-agents');
    expect(values.prometheus.prometheusSpec.externalLabels).toEqual({ environment: 'qa' });
  });
});

describe('blackboxExporterValues', () => {
  it('GIVEN one replica THEN no disruption budget; GIVEN more THEN at most one unavailable', () => {
    expect(blackboxExporterValues({ replicas: 1, size: 'small' }).podDisruptionBudget).toEqual({});
    expect(blackboxExporterValues({ replicas: 3, size: 'small' }).podDisruptionBudget).toEqual({
      maxUnavailable: 1,
    });
  });

  it('has an HTTPS-only HTTP module and a plain TCP module, sized by the size', () => {
    const values = blackboxExporterValues({ replicas: 2, size: 'large' });
    expect(values.config.modules[PROBE_MODULE]).toMatchObject({
      prober: 'http',
      http: { fail_if_not_ssl: true },
    });
    expect(values.config.modules[DATABASE_PROBE_MODULE]).toMatchObject({
      prober: 'tcp',
      tcp: { tls: false },
    });
    expect(values.resources).toEqual(MONITORING_SIZES.large.blackboxExporter);
  });
});

describe('cloudwatchExporterValues', () => {
  it('runs one YACE as the given service account, without annotations, configured for the region', () => {
    const values = cloudwatchExporterValues({
      region: 'eu-central-1',
      serviceAccount: 'yace-sa',
      size: 'small',
    });
    expect(values.replicaCount).toBe(1);
    expect(values.serviceAccount).toEqual({ create: true, name: 'yace-sa', annotations: {} });
    expect(values.config).toContain('sts-region: eu-central-1');
    expect(values.resources).toEqual(MONITORING_SIZES.small.cloudwatchExporter);
  });
});

describe('lokiValues', () => {
  const input = {
    alertmanagerNamespace: 'monitoring',
    bucketName: 'wms-test-loki',
    region: 'eu-west-1',
    retentionDays: 7,
    serviceAccount: 'loki',
    storageClassName: 'gp3-encrypted',
  };

  it('keeps logs retentionDays x 24 hours in the bucket, as the given service account', () => {
    const values = lokiValues({ ...input, size: 'large' });
    expect(values.loki.limits_config.retention_period).toBe('168h');
    expect(values.loki.storage.bucketNames).toEqual({ chunks: 'wms-test-loki' });
    expect(values.serviceAccount.name).toBe('loki');
    expect(values.singleBinary.persistence).toEqual({
      enabled: true,
      storageClass: 'gp3-encrypted',
      size: `${MONITORING_SIZES.large.lokiVolumeGiB}Gi`,
    });
  });

  it('GIVEN size small THEN no memcached caches; GIVEN large THEN caches of the sized memory', () => {
    const small = lokiValues({ ...input, size: 'small' });
    expect(small.chunksCache).toEqual({ enabled: false });
    expect(small.resultsCache).toEqual({ enabled: false });
    const large = lokiValues({ ...input, size: 'large' });
    expect(large.chunksCache).toEqual({
      enabled: true,
      allocatedMemory: MONITORING_SIZES.large.lokiChunksCacheMB,
    });
    expect(large.resultsCache).toEqual({
      enabled: true,
      allocatedMemory: MONITORING_SIZES.large.lokiResultsCacheMB,
    });
  });
});

describe('lokiValues: the ruler (issue #18)', () => {
  const values = lokiValues({
    alertmanagerNamespace: 'mon',
    bucketName: 'b',
    region: 'eu-west-1',
    retentionDays: 30,
    serviceAccount: 'loki',
    storageClassName: 'gp3',
    size: 'small',
  });

  it("loads the rules of labelled ConfigMaps into the single tenant's directory, without a bucket", () => {
    expect(values.ruler).toEqual({ enabled: true });
    expect(values.sidecar.rules).toEqual({
      enabled: true,
      label: 'loki_rule',
      labelValue: '1',
      folder: '/rules/fake',
      resource: 'configmap',
    });
    expect(values.loki.rulerConfig.storage).toEqual({ type: 'local', local: { directory: '/rules' } });
    // The tenant of a Loki without auth is "fake": the ruler reads <directory>/fake/*.yaml.
    expect(values.sidecar.rules.folder).toBe(`${values.loki.rulerConfig.storage.local.directory}/fake`);
    expect(values.loki.rulerConfig.rule_path).not.toBe('/rules');
    expect(values.loki.auth_enabled).toBe(false);
  });

  it('sends alerts to every Alertmanager replica of the given namespace, found by DNS SRV', () => {
    expect(values.loki.rulerConfig.alertmanager_url).toBe(
      'http://_http-web._tcp.alertmanager-operated.mon.svc.cluster.local',
    );
    expect(values.loki.rulerConfig.enable_alertmanager_discovery).toBe(true);
  });

  it("limits the sidecar's RBAC to Loki's namespace", () => {
    expect(values.rbac).toEqual({ namespaced: true });
  });
});

describe('prometheusAdapterValues (issue #18)', () => {
  const values = (replicas: number) =>
    prometheusAdapterValues({
      monitoringNamespace: 'mon',
      replicas,
      size: 'large',
      targets: { namespace: 'wms', apiJob: 'wms-api' },
    });

  it('reads the kube-prometheus-stack Prometheus of the monitoring namespace, with the size resources', () => {
    expect(values(2).prometheus).toEqual({ url: 'http://kps-prometheus.mon.svc', port: 9090 });
    expect(values(2).resources).toEqual(MONITORING_SIZES.large.prometheusAdapter);
    expect(values(2).fullnameOverride).toBe('prometheus-adapter');
  });

  it('GIVEN 2 replicas THEN a disruption budget; GIVEN 1 THEN none', () => {
    expect(values(2)).toMatchObject({
      replicas: 2,
      podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
    });
    expect(values(1).podDisruptionBudget.enabled).toBe(false);
  });

  it("serves only the API pods' request rate as http_requests_per_second (no default rules, no resource metrics)", () => {
    expect(values(1).rules).toEqual({
      default: false,
      custom: [requestRateAdapterRule({ namespace: 'wms', apiJob: 'wms-api' })],
    });
    expect(requestRateAdapterRule({ namespace: 'wms', apiJob: 'wms-api' })).toEqual({
      seriesQuery: 'http_requests_total{namespace="wms",job="wms-api",pod!=""}',
      resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
      name: { matches: '^http_requests_total$', as: 'http_requests_per_second' },
      metricsQuery: 'sum by (<<.GroupBy>>) (rate(<<.Series>>{<<.LabelMatchers>>,job="wms-api"}[2m]))',
    });
  });
});

describe('alloyValues', () => {
  it("pushes to the given Loki URL from every node, Spot included, with the size's resources", () => {
    const values = alloyValues({ lokiPushUrl: ENDPOINTS.lokiPushUrl, size: 'small' });
    expect(values.alloy.configMap.content).toContain(`url = "${ENDPOINTS.lokiPushUrl}"`);
    expect(values.controller.tolerations).toEqual([{ operator: 'Exists', effect: 'NoSchedule' }]);
    expect(values.alloy.resources).toEqual(MONITORING_SIZES.small.alloy);
  });
});

describe('every values function against the interface of its pinned chart', () => {
  const cases: [string, ChartRef, (size: MonitoringSize, replicas: number) => object][] = [
    [
      'prometheus-operator-crds',
      MONITORING_CHARTS.prometheusOperatorCrds,
      () => prometheusOperatorCrdsValues(),
    ],
    [
      MONITORING_RELEASES.kps,
      MONITORING_CHARTS.kubePrometheusStack,
      (size, replicas) => kps({ size, replicas }),
    ],
    [
      MONITORING_RELEASES.blackbox,
      MONITORING_CHARTS.blackboxExporter,
      (size, replicas) => blackboxExporterValues({ size, replicas }),
    ],
    [
      MONITORING_RELEASES.adapter,
      MONITORING_CHARTS.prometheusAdapter,
      (size, replicas) =>
        prometheusAdapterValues({
          monitoringNamespace: 'monitoring',
          replicas,
          size,
          targets: { namespace: 'wms', apiJob: 'wms-api' },
        }),
    ],
    [
      MONITORING_RELEASES.yace,
      MONITORING_CHARTS.cloudwatchExporter,
      (size) => cloudwatchExporterValues({ region: 'eu-west-1', serviceAccount: 'yace', size }),
    ],
    [
      MONITORING_RELEASES.loki,
      MONITORING_CHARTS.loki,
      (size) =>
        lokiValues({
          alertmanagerNamespace: 'monitoring',
          bucketName: 'b',
          region: 'eu-west-1',
          retentionDays: 30,
          serviceAccount: 'loki',
          storageClassName: 'gp3',
          size,
        }),
    ],
    [
      MONITORING_RELEASES.alloy,
      MONITORING_CHARTS.alloy,
      (size) => alloyValues({ lokiPushUrl: ENDPOINTS.lokiPushUrl, size }),
    ],
  ];

  it.each(cases)(
    '%s: every key exists in the chart with its type, for both sizes and replica counts',
    (_, ref, values) => {
      for (const size of ['small', 'large'] as const) {
        for (const replicas of [1, 2]) {
          expect(
            checkValues(values(size, replicas), chartId(ref), catalogue as unknown as ChartCatalogue),
          ).toEqual([]);
        }
      }
    },
  );
});

describe('traces (issue #18)', () => {
  const SAMPLING = { slowTraceMs: 1000, baselinePercent: 5, decisionWaitSeconds: 10 };
  const tempo = (retentionDays = 14) =>
    tempoValues({
      namespace: 'monitoring',
      bucketName: 'wms-test-tempo',
      region: 'eu-west-1',
      retentionDays,
      serviceAccount: 'tempo',
      size: 'small',
      storageClassName: 'gp3',
    });
  const collectors = (replicas: number) =>
    alloyTracesValues({
      namespace: 'monitoring',
      replicas,
      size: 'large',
      tempoOtlpTarget: ENDPOINTS.tempoOtlpTarget,
      sampling: SAMPLING,
    });

  it('Tempo keeps blocks retentionDays x 24 hours in the bucket of its region, OTLP gRPC only, no usage report', () => {
    const config = parse(tempo(3).config);
    expect(config.compactor.compaction.block_retention).toBe('72h');
    expect(config.storage.trace).toEqual({
      backend: 's3',
      s3: { bucket: 'wms-test-tempo', endpoint: 's3.eu-west-1.amazonaws.com', region: 'eu-west-1' },
      wal: { path: '/var/tempo/wal' },
    });
    expect(config.distributor.receivers).toEqual({
      otlp: { protocols: { grpc: { endpoint: '0.0.0.0:4317' } } },
    });
    expect(config.usage_report).toEqual({ reporting_enabled: false });
    expect(config.server.http_listen_port).toBe(3200);
    // The chart passes it through Helm's tpl.
    expect(tempo().config).not.toContain('{{');
  });

  it('Tempo runs as its own service account (Pod Identity: no annotation), non-root, on a volume of the size', () => {
    const values = tempo();
    expect(values.serviceAccount).toEqual({ create: true, name: 'tempo', annotations: {} });
    expect(values.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(values.persistence).toEqual({ enabled: true, storageClassName: 'gp3', size: '5Gi' });
    expect(
      tempoConfig({ namespace: 'obs', bucketName: 'b', region: 'eu-west-1', retentionDays: 1 }),
    ).toContain('cluster_label: tempo.obs');
  });

  it('routes every span of a trace to one collector by trace id, through the headless Service, before sampling', () => {
    const config = collectors(2).alloy.configMap.content;
    expect(config).toMatch(
      /otelcol\.receiver\.otlp "apps" \{[\s\S]*?traces = \[otelcol\.exporter\.loadbalancing\.by_trace\.input\]/,
    );
    expect(config).toContain('routing_key = "traceID"');
    expect(config).toContain('hostname = "alloy-traces-cluster.monitoring.svc.cluster.local"');
    expect(config).toContain('port     = "4319"');
    expect(config).toMatch(/otelcol\.receiver\.otlp "sampling" \{\s*grpc \{\s*endpoint = "0\.0\.0\.0:4319"/);
    // The Service exposes the three OTLP ports; clustering only for the chart's headless Service.
    expect(collectors(2).alloy.extraPorts.map((p) => p.port)).toEqual([4317, 4318, 4319]);
    expect(collectors(2).alloy.clustering).toEqual({ enabled: true });
    expect(config).not.toContain('{{');
  });

  it('keeps traces with an error span, with a span of at least slowTraceMs, and baselinePercent of the rest; exports to Tempo', () => {
    const config = alloyTracesConfig({
      headlessService: 'h',
      tempoOtlpTarget: 'tempo.x.svc.cluster.local:4317',
      sampling: { slowTraceMs: 750, baselinePercent: 2.5, decisionWaitSeconds: 20 },
    });
    expect(config).toContain('decision_wait = "20s"');
    expect(config).toMatch(/type = "status_code"\s*status_code \{\s*status_codes = \["ERROR"\]/);
    expect(config).toMatch(/type = "latency"\s*latency \{\s*threshold_ms = 750\s*\}/);
    expect(config).toMatch(/type = "probabilistic"\s*probabilistic \{\s*sampling_percentage = 2\.5\s*\}/);
    expect(config).toMatch(
      /otelcol\.exporter\.otlp "tempo" \{\s*client \{\s*endpoint = "tempo\.x\.svc\.cluster\.local:4317"/,
    );
  });

  it('GIVEN 1 collector THEN no disruption budget; GIVEN 2 THEN at most one unavailable; no RBAC either way', () => {
    expect(collectors(1).controller).not.toHaveProperty('podDisruptionBudget');
    expect(collectors(2).controller).toMatchObject({
      type: 'deployment',
      replicas: 2,
      podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
    });
    expect(collectors(1).rbac).toEqual({ create: false });
  });

  it("links a log line's trace_id to Tempo, a span to its logs and metrics (Grafana's $ written $$)", () => {
    const [loki, tempoSource] = traceCorrelatedDataSources(ENDPOINTS);
    const [field] = loki.jsonData.derivedFields as {
      matcherRegex: string;
      url: string;
      datasourceUid: string;
    }[];
    const id = '4bf92f3577b34da6a3ce929d0e0e4736';
    const line = `{"level":"error","msg":"boom","trace_id":"${id}","span_id":"00f067aa0ba902b7"}`;
    expect(new RegExp(field.matcherRegex).exec(line)?.[1]).toBe(id);
    expect(new RegExp(field.matcherRegex).exec('{"level":"info","msg":"no trace"}')).toBeNull();
    expect(field).toMatchObject({ url: '$${__value.raw}', datasourceUid: DATASOURCE_UIDS.tempo });
    const json = tempoSource.jsonData as Record<
      string,
      { datasourceUid: string; tags?: unknown; queries?: { query: string }[] }
    >;
    expect(json.tracesToLogsV2).toMatchObject({
      datasourceUid: 'loki',
      tags: [{ key: 'service.name', value: 'app' }],
    });
    expect(json.tracesToMetrics).toMatchObject({
      datasourceUid: 'prometheus',
      tags: [{ key: 'service.name', value: 'job' }],
    });
    for (const { query } of json.tracesToMetrics.queries ?? []) {
      expect(query).toContain('{$$__tags}');
      expect(query.replace(/\$\$/g, '$')).not.toContain('$$');
    }
  });

  it.each([
    ['tempo', MONITORING_CHARTS.tempo, () => tempo()],
    ['alloy-traces, 1 replica', MONITORING_CHARTS.alloy, () => collectors(1)],
    ['alloy-traces, 2 replicas', MONITORING_CHARTS.alloy, () => collectors(2)],
  ] as const)('%s: every key exists in the chart with its type', (_, ref, values) => {
    expect(checkValues(values(), chartId(ref), catalogue as unknown as ChartCatalogue)).toEqual([]);
  });
});
