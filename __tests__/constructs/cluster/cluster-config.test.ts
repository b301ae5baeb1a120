import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import type { ClusterConfigProps } from '../../../constructs/cluster/cluster-config';
import { ClusterConfig, SECRET_STORE_NAME } from '../../../constructs/cluster/cluster-config';
import { checkStacks } from '../../../guardrails/engine';
import { listOfType, synthJson } from '../../support/synth';

const BASE: ClusterConfigProps = {
  clusterName: 'wms-test-eks',
  region: 'eu-west-1',
  karpenterNodeRoleName: 'wms-test-eks-karpenter-node',
  volumeKmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/abc',
  karpenterCpuLimit: 32,
};

type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: Record<string, unknown>;
};

function build(overrides: Partial<ClusterConfigProps> = {}) {
  const stack = new TerraformStack(Testing.app(), 'test');
  new KubernetesProvider(stack, 'K8s', {});
  new ClusterConfig(stack, 'ClusterConfig', { ...BASE, ...overrides });
  const manifests = listOfType(synthJson(stack), 'kubernetes_manifest').map((m) => m.manifest as Manifest);
  const byKind = Object.fromEntries(manifests.map((m) => [m.kind, m]));
  return { stack, byKind };
}

describe('ClusterConfig', () => {
  const { stack, byKind } = build();

  it('creates the AWS Secrets Manager store External Secrets reads through its Pod Identity', () => {
    expect(byKind.ClusterSecretStore).toEqual({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ClusterSecretStore',
      metadata: { name: SECRET_STORE_NAME },
      spec: { provider: { aws: { service: 'SecretsManager', region: 'eu-west-1' } } },
    });
  });

  it('gives Karpenter nodes IMDSv2 with hop limit 1 and encrypted gp3 volumes with the cluster key', () => {
    const spec = byKind.EC2NodeClass.spec;
    expect(spec).toMatchObject({
      role: 'wms-test-eks-karpenter-node',
      metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 },
      subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'wms-test-eks' } }],
      securityGroupSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'wms-test-eks' } }],
    });
    expect(spec.blockDeviceMappings).toEqual([
      expect.objectContaining({
        ebs: expect.objectContaining({ encrypted: true, volumeType: 'gp3', kmsKeyID: BASE.volumeKmsKeyArn }),
      }),
    ]);
  });

  it('by default selects the newest AL2023 release (al2023@latest): nodes drift to each new one', () => {
    expect(byKind.EC2NodeClass.spec.amiSelectorTerms).toEqual([{ alias: 'al2023@latest' }]);
  });

  it('GIVEN a pinned AMI release THEN selects that AL2023 release by its date, as the managed node groups run it', () => {
    const pinned = build({ amiReleaseVersion: '1.35.6-20260714' }).byKind.EC2NodeClass.spec;
    expect(pinned.amiSelectorTerms).toEqual([{ alias: 'al2023@v20260714' }]);
    expect(() => build({ amiReleaseVersion: 'v20260714' })).toThrow(
      /node AMI release version: "v20260714" is not like 1\.35\.6-20260714/,
    );
  });

  it('caps Karpenter at the CPU limit, Spot first, consolidating within a 10% budget', () => {
    const spec = byKind.NodePool.spec as {
      limits: unknown;
      disruption: unknown;
      template: { spec: { requirements: { key: string; values: string[] }[] } };
    };
    expect(spec.limits).toEqual({ cpu: '32' });
    expect(spec.disruption).toMatchObject({
      consolidationPolicy: 'WhenEmptyOrUnderutilized',
      budgets: [{ nodes: '10%' }],
    });
    const capacity = spec.template.spec.requirements.find((r) => r.key === 'karpenter.sh/capacity-type');
    expect(capacity?.values).toEqual(['spot', 'on-demand']);
  });

  it('passes the guardrails', () => {
    const [result] = checkStacks([{ stackName: 'test', json: stack.toTerraform() }]).stacks;
    expect(result.findings).toEqual([]);
  });

  it('GIVEN on-demand only THEN Karpenter launches no Spot', () => {
    const spec = build({ capacityTypes: ['on-demand'] }).byKind.NodePool.spec as {
      template: { spec: { requirements: { key: string; values: string[] }[] } };
    };
    expect(
      spec.template.spec.requirements.find((r) => r.key === 'karpenter.sh/capacity-type')?.values,
    ).toEqual(['on-demand']);
  });

  it.each([
    [{ karpenterCpuLimit: 1 }, /karpenterCpuLimit: 1 is not allowed \(a whole number of vCPUs >= 2\)/],
    [{ capacityTypes: [] }, /capacityTypes: \[\] is not allowed/],
  ])('GIVEN %j THEN it names the prop', (overrides, message) => {
    expect(() => build(overrides as Partial<ClusterConfigProps>)).toThrow(message);
  });
});
