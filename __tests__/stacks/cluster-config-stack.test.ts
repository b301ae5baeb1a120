import { stackNames } from '../../assembly/synthesize';
import { listOfType, stableForSnapshot, synthesizedAppStacks } from '../support/synth';

describe.each(['dev', 'staging', 'prod'])('ClusterConfigStack %s', (environment) => {
  const json = synthesizedAppStacks()[stackNames(environment).clusterConfig];

  it('matches the reviewed snapshot', () => {
    expect(stableForSnapshot(json)).toMatchSnapshot();
  });

  it('holds the custom resources, and no Helm release (their CRDs come from the stack before)', () => {
    expect(listOfType(json, 'kubernetes_manifest')).toHaveLength(3);
    expect(listOfType(json, 'helm_release')).toEqual([]);
    expect(Object.keys(json.provider as object).sort()).toEqual(['aws', 'kubernetes']);
  });
});
