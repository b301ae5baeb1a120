import { stackNames } from '../../assembly/synthesize';
import { synthesizedAppStacks } from '../support/app';
import { listOfType, stableForSnapshot } from '../support/synth';

describe.each(['dev', 'staging', 'prod'])('ClusterConfigStack %s', (environment) => {
  const json = synthesizedAppStacks()[stackNames(environment).clusterConfig];

  it('matches the reviewed snapshot', () => {
    expect(stableForSnapshot(json)).toMatchSnapshot();
  });

  it('holds the custom resources, and no Helm release (their CRDs come from the stack before)', () => {
    const kinds = listOfType(json, 'kubernetes_manifest').map((m) => (m.manifest as { kind: string }).kind);
    expect(kinds.sort()).toEqual([
      'ClusterPolicy',
      'ClusterSecretStore',
      'EC2NodeClass',
      'NodePool',
      'NodePool',
    ]);
    expect(listOfType(json, 'helm_release')).toEqual([]);
    expect(Object.keys(json.provider as object).sort()).toEqual(['aws', 'kubernetes']);
  });

  it("admits only signed images of the one registry, signed by this repository's build-image workflow on main", () => {
    const [policy] = listOfType(json, 'kubernetes_manifest')
      .map((m) => m.manifest as { kind: string; spec: { rules: { verifyImages?: unknown[] }[] } })
      .filter((m) => m.kind === 'ClusterPolicy');
    expect(JSON.stringify(policy.spec.rules[1].verifyImages)).toContain(
      '"subjectRegExp":"^https://github\\\\.com/acme/wms-platform/\\\\.github/workflows/build-image\\\\.yml@refs/heads/main$"',
    );
    expect(JSON.stringify(policy)).toContain(
      '"imageReferences":["333333333333.dkr.ecr.eu-west-1.amazonaws.com/*"]',
    );
  });
});
