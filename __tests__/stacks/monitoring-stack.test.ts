import { parse } from 'yaml';
import { stackNames } from '../../assembly/synthesize';
import { synthesizedAppStacks } from '../support/app';
import { listOfType, stableForSnapshot } from '../support/synth';

describe.each(['dev', 'staging', 'prod'])('MonitoringStack %s', (environment) => {
  const json = synthesizedAppStacks()[stackNames(environment).monitoring];
  const releases = Object.fromEntries(listOfType(json, 'helm_release').map((r) => [r.name as string, r]));

  it('matches the reviewed snapshot', () => {
    expect(stableForSnapshot(json)).toMatchSnapshot();
  });

  it('installs the Prometheus CRDs as their own release before kube-prometheus-stack', () => {
    expect(Object.keys(releases)).toEqual(expect.arrayContaining(['kube-prometheus-stack', 'loki', 'alloy']));
    const crds = Object.values(releases).find((r) => r.chart === 'prometheus-operator-crds');
    expect(crds).toBeDefined();
    expect((releases['kube-prometheus-stack'].depends_on as string[]).join()).toContain('helm_release');
  });

  it('delivers the WMS rules through chart values, with a runbook link on every alert', () => {
    const values = parse((releases['kube-prometheus-stack'].values as string[])[0]) as {
      additionalPrometheusRulesMap: Record<
        string,
        { groups: { rules: { alert?: string; annotations?: Record<string, string> }[] }[] }
      >;
    };
    const alerts = Object.values(values.additionalPrometheusRulesMap)
      .flatMap((file) => file.groups)
      .flatMap((group) => group.rules)
      .filter((rule) => rule.alert);
    expect(alerts.length).toBeGreaterThan(10);
    for (const alert of alerts) {
      expect(alert.annotations?.runbook_url).toMatch(
        /^https:\/\/github\.com\/acme\/wms-platform\/blob\/main\/docs\/runbooks\/Wms\w+\.md$/,
      );
    }
  });

  it('labels alerts with the environment and cluster, pages critical alerts in prod only, and pings the heartbeat', () => {
    const values = parse((releases['kube-prometheus-stack'].values as string[])[0]) as {
      prometheus: { prometheusSpec: { externalLabels: Record<string, string> } };
    };
    expect(values.prometheus.prometheusSpec.externalLabels).toEqual({
      environment,
      cluster: `wms-${environment}-eks`,
    });
    const [secret] = listOfType(json, 'kubernetes_secret_v1') as { data: Record<string, string> }[];
    const config = parse(secret.data['alertmanager.yaml'].replace(/\$\$\{/g, '${')) as {
      route: { routes: { receiver: string; matchers: string[] }[] };
    };
    const receiverOf = (matcher: string) =>
      config.route.routes.find((r) => r.matchers[0] === matcher)?.receiver;
    expect(receiverOf('severity="critical"')).toBe(environment === 'prod' ? 'pager' : 'chat');
    expect(receiverOf('alertname="Watchdog"')).toBe('heartbeat');
  });

  it("remote-writes to the platform stack's metrics workspace, read from its remote state", () => {
    const values = parse((releases['kube-prometheus-stack'].values as string[])[0]) as {
      prometheus: { prometheusSpec: { remoteWrite: { url: string }[]; replicaExternalLabelName: string } };
    };
    const [write] = values.prometheus.prometheusSpec.remoteWrite;
    expect(write.url).toMatch(
      new RegExp(
        `^\\$\\{data\\.terraform_remote_state\\.cross-stack-reference-input-wms-${environment}-platform\\.outputs\\.[\\w-]+\\}api/v1/remote_write$`,
      ),
    );
    expect(values.prometheus.prometheusSpec.replicaExternalLabelName).toBe('__replica__');
  });

  it('keeps no Grafana credential in state: admin login and SSO client secret are ExternalSecrets, no Secret of ours', () => {
    const secrets = listOfType(json, 'kubernetes_secret_v1') as { metadata: { name: string } }[];
    expect(secrets.map((s) => s.metadata.name)).toEqual(['alertmanager-wms']);
    const externals = listOfType(json, 'kubernetes_manifest').map(
      (m) => (m.manifest as { metadata: { name: string } }).metadata.name,
    );
    expect(externals).toEqual(expect.arrayContaining(['grafana-admin', 'grafana-oidc']));
    const values = parse((releases['kube-prometheus-stack'].values as string[])[0]) as {
      grafana: Record<string, unknown> & { 'grafana.ini': Record<string, Record<string, unknown>> };
    };
    expect(values.grafana).not.toHaveProperty('adminPassword');
    expect(JSON.stringify(values.grafana)).not.toMatch(/"client_secret"|"adminPassword"|"password"/);
    expect(values.grafana['grafana.ini']['auth.basic']).toEqual({ enabled: false });
    expect(values.grafana['grafana.ini'].server.root_url).toMatch(
      /^https:\/\/grafana\.([a-z]+\.)?wms\.example\.com\/$/,
    );
  });

  it('plans no Prometheus custom resource, only ExternalSecrets whose CRD an earlier stack installed', () => {
    const kinds = listOfType(json, 'kubernetes_manifest').map((m) => (m.manifest as { kind: string }).kind);
    expect(new Set(kinds)).toEqual(new Set(['ExternalSecret']));
  });
});

it('runs Prometheus and Alertmanager highly available in prod only', () => {
  const replicas = (environment: string) => {
    const json = synthesizedAppStacks()[stackNames(environment).monitoring];
    const kps = listOfType(json, 'helm_release').find((r) => r.name === 'kube-prometheus-stack');
    const values = parse((kps?.values as string[])[0]) as {
      prometheus: { prometheusSpec: { replicas: number } };
      alertmanager: { alertmanagerSpec: { replicas: number } };
    };
    return [values.prometheus.prometheusSpec.replicas, values.alertmanager.alertmanagerSpec.replicas];
  };
  expect(replicas('prod')).toEqual([2, 2]);
  expect(replicas('dev')).toEqual([1, 1]);
});
