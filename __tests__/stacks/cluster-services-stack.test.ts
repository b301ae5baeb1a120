import { Testing } from 'cdktf';
import { ClusterServicesStack } from '../../stacks/cluster-services-stack';
import { PlatformStack } from '../../stacks/platform-stack';
import { committedEnvironment } from '../support/environments';
import { synthesizedAppStacks } from '../support/app';
import { listOfType, stableForSnapshot } from '../support/synth';
import type { SynthesizedStack } from '../support/synth';

function synthClusterServices(environment: string): { json: SynthesizedStack; stack: ClusterServicesStack } {
  const config = committedEnvironment(environment);
  const app = Testing.app();
  const platform = new PlatformStack(app, `wms-${environment}-platform`, { config });
  const stack = new ClusterServicesStack(app, `wms-${environment}-cluster-services`, { config, platform });
  return { stack, json: synthesizedAppStacks()[`wms-${environment}-cluster-services`] };
}

describe.each(['dev', 'staging', 'prod'])('ClusterServicesStack %s', (environment) => {
  const { json, stack } = synthClusterServices(environment);

  it('matches the reviewed snapshot (terraform block removed: it carries tool versions)', () => {
    expect(stableForSnapshot(json)).toMatchSnapshot();
  });

  it('authenticates Kubernetes and Helm with a fresh aws eks get-token, never a static token or kubeconfig', () => {
    const provider = json.provider as Record<string, Record<string, unknown>[]>;
    const args = ['eks', 'get-token', '--cluster-name', `wms-${environment}-eks`, '--region', 'eu-west-1'];
    const [kubernetes] = provider.kubernetes;
    expect(kubernetes.exec).toEqual([
      { api_version: 'client.authentication.k8s.io/v1beta1', command: 'aws', args },
    ]);
    const [helm] = provider.helm;
    expect((helm.kubernetes as Record<string, unknown>).exec).toEqual({
      api_version: 'client.authentication.k8s.io/v1beta1',
      command: 'aws',
      args,
    });
    for (const block of [kubernetes, helm.kubernetes as Record<string, unknown>]) {
      expect(block.token).toBeUndefined();
      expect(block.config_path).toBeUndefined();
      expect(block.host).toMatch(/data\.aws_eks_cluster\.Cluster\.endpoint/);
    }
  });

  it('reads the cluster by name, and the platform outputs through remote state, after the platform stack', () => {
    expect(
      Object.values((json.data as Record<string, Record<string, Record<string, unknown>>>).aws_eks_cluster),
    ).toEqual([expect.objectContaining({ name: `wms-${environment}-eks` })]);
    expect(Object.keys((json.data as Record<string, unknown>).terraform_remote_state as object)).toHaveLength(
      1,
    );
    expect(stack.dependencies.map((d) => d.node.id)).toEqual([`wms-${environment}-platform`]);
  });

  it('plans no custom resource: CRDs installed here cannot be used here', () => {
    expect(listOfType(json, 'kubernetes_manifest')).toEqual([]);
  });
});

describe('environment differences', () => {
  it('prod runs three replicas of the scalable controllers, dev two', () => {
    const replicas = (environment: string) => {
      const { json } = synthClusterServices(environment);
      const eso = listOfType(json, 'helm_release').find((r) => r.name === 'external-secrets');
      return (eso?.values as string[])[0].match(/^replicaCount: (\d+)$/m)?.[1];
    };
    expect(replicas('prod')).toBe('3');
    expect(replicas('dev')).toBe('2');
  });
});
