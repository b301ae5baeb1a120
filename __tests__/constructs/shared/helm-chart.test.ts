import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { HelmChart, renderValues } from '../../../constructs/shared/helm-chart';
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
});
