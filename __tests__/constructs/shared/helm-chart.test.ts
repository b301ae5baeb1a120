import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TerraformStack, Testing } from 'cdktf';
import { HelmChart, renderValues } from '../../../constructs/shared/helm-chart';
import { GuardrailsFailure, synthesizeApp } from '../../../assembly/synthesize';
import { listOfType, synthJson } from '../../support/synth';

function build(version = '1.2.3', timeoutSeconds?: number) {
  const stack = new TerraformStack(Testing.app(), 'test');
  new HelmProvider(stack, 'Helm', {});
  new HelmChart(stack, 'Chart', {
    releaseName: 'demo',
    namespace: 'demo',
    repository: 'https://charts.example.com',
    chart: 'demo',
    version,
    values: { b: 1, a: { d: [1, 2], c: 'x' } },
    timeoutSeconds,
  });
  return listOfType(synthJson(stack), 'helm_release');
}

describe('HelmChart', () => {
  it('pins the version and sets atomic, cleanup on fail, waits, 600 s timeout and 10 revisions by default', () => {
    expect(build()).toEqual([
      expect.objectContaining({
        name: 'demo',
        version: '1.2.3',
        atomic: true,
        cleanup_on_fail: true,
        wait: true,
        wait_for_jobs: true,
        timeout: 600,
        max_history: 10,
        values: ['a:\n  c: x\n  d:\n    - 1\n    - 2\nb: 1\n'],
      }),
    ]);
  });

  it('GIVEN a timeout THEN it is used', () => {
    expect(build('1.2.3', 120)[0].timeout).toBe(120);
  });

  it.each(['^1.2.0', '1.2', 'latest', '1.2.3-rc.1'])(
    'GIVEN version %s THEN it refuses anything but an exact version',
    (version) => {
      expect(() => build(version)).toThrow(
        /test\/Chart: version: ".*" is not allowed \(an exact chart version such as 3.5.0\)/,
      );
    },
  );

  it('writes shared objects out in full instead of as YAML anchors', () => {
    const shared = { x: 1 };
    expect(renderValues({ a: shared, b: shared })).toBe('a:\n  x: 1\nb:\n  x: 1\n');
  });

  describe('on synth, the guardrails check the values against the chart interface (WMS_HELM_001)', () => {
    const synth = (values: object) => {
      const outdir = join(mkdtempSync(join(tmpdir(), 'wms-helm-chart-')), 'cdktf.out');
      try {
        synthesizeApp((app) => {
          const stack = new TerraformStack(app, 'helm-test');
          new HelmProvider(stack, 'Helm', {});
          new HelmChart(stack, 'MetricsServer', {
            releaseName: 'metrics-server',
            namespace: 'kube-system',
            repository: 'https://kubernetes-sigs.github.io/metrics-server/',
            chart: 'metrics-server',
            version: '3.13.0',
            values,
          });
        }, outdir);
        return existsSync(join(outdir, 'stacks', 'helm-test', 'cdk.tf.json'));
      } finally {
        rmSync(join(outdir, '..'), { recursive: true, force: true });
      }
    };

    it("GIVEN the chart's own keys THEN the stack is written", () => {
      expect(synth({ replicas: 2, nodeSelector: { 'wms/node-pool': 'system' } })).toBe(true);
    });

    it('GIVEN a key the chart ignores THEN the synth fails with a "did you mean"', () => {
      expect(() => synth({ replicaCount: 2 })).toThrow(GuardrailsFailure);
      expect(() => synth({ replicaCount: 2 })).toThrow(
        /WMS_HELM_001 \[high\] metrics-server@3\.13\.0 values: replicaCount: not a values key of metrics-server@3\.13\.0 \(did you mean replicas\?\)/,
      );
    });
  });
});
