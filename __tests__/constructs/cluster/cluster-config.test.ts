import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import type { ClusterConfigProps } from '../../../constructs/cluster/cluster-config';
import { ClusterConfig, SECRET_STORE_NAME } from '../../../constructs/cluster/cluster-config';
import { checkStacks } from '../../../guardrails/engine';
import { listOfType, synthJson } from '../../support/synth';

const COST_TAGS = {
  Project: 'wms',
  Environment: 'test',
  Owner: 'platform-team',
  CostCentre: 'wms-test',
  ManagedBy: 'cdktf',
  Repository: 'acme/wms-platform',
};

const BASE: ClusterConfigProps = {
  nodeTags: COST_TAGS,
  clusterName: 'wms-test-eks',
  region: 'eu-west-1',
  karpenterNodeRoleName: 'wms-test-eks-karpenter-node',
  volumeKmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/abc',
  karpenterCpuLimit: 32,
  spotCpuLimit: 8,
};

type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: Record<string, unknown>;
};

type PoolSpec = {
  limits: unknown;
  disruption: unknown;
  template: {
    metadata: { labels: Record<string, string> };
    spec: { requirements: { key: string; values: string[] }[]; taints?: unknown };
  };
};

const capacityOf = (pool: PoolSpec) =>
  pool.template.spec.requirements.find((r) => r.key === 'karpenter.sh/capacity-type')?.values;

function build(overrides: Partial<ClusterConfigProps> = {}) {
  const stack = new TerraformStack(Testing.app(), 'test');
  new KubernetesProvider(stack, 'K8s', {});
  new ClusterConfig(stack, 'ClusterConfig', { ...BASE, ...overrides });
  const manifests = listOfType(synthJson(stack), 'kubernetes_manifest').map((m) => m.manifest as Manifest);
  const byKind = Object.fromEntries(manifests.map((m) => [m.kind, m]));
  const pools = Object.fromEntries(
    manifests.filter((m) => m.kind === 'NodePool').map((m) => [m.metadata.name, m.spec as PoolSpec]),
  );
  return { stack, byKind, pools };
}

describe('ClusterConfig', () => {
  const { stack, byKind, pools } = build();

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

  it('launches only on-demand nodes in the untainted general pool, capped at its CPU limit, consolidating', () => {
    const general = pools.general;
    expect(general.limits).toEqual({ cpu: '32' });
    expect(general.disruption).toMatchObject({
      consolidationPolicy: 'WhenEmptyOrUnderutilized',
      budgets: [{ nodes: '10%' }],
    });
    // An untolerating pod (the API) can never land on Spot through Karpenter.
    expect(capacityOf(general)).toEqual(['on-demand']);
    expect(general.template.spec.taints).toBeUndefined();
  });

  it('launches Spot only in a tainted spot pool, capped at its own CPU limit, empty when nothing tolerates it', () => {
    const spot = pools.spot;
    expect(capacityOf(spot)).toEqual(['spot']);
    expect(spot.template.spec.taints).toEqual([{ key: 'wms/spot', value: 'true', effect: 'NoSchedule' }]);
    expect(spot.template.metadata.labels).toEqual({ 'wms/node-pool': 'spot' });
    expect(spot.limits).toEqual({ cpu: '8' });
    expect(spot.disruption).toMatchObject({ consolidationPolicy: 'WhenEmptyOrUnderutilized' });
  });

  it('GIVEN a Spot limit of 0 THEN there is no spot pool', () => {
    expect(Object.keys(build({ spotCpuLimit: 0 }).pools)).toEqual(['general']);
  });

  it("tags Karpenter's instances, volumes and network interfaces with the cost tags; none by default", () => {
    expect(byKind.EC2NodeClass.spec.tags).toEqual(COST_TAGS);
    expect(build({ nodeTags: undefined }).byKind.EC2NodeClass.spec.tags).toBeUndefined();
  });

  it('passes the guardrails', () => {
    const [result] = checkStacks([{ stackName: 'test', json: stack.toTerraform() }]).stacks;
    expect(result.findings).toEqual([]);
  });

  it.each([
    [{ karpenterCpuLimit: 1 }, /karpenterCpuLimit: 1 is not allowed \(a whole number of vCPUs >= 2\)/],
    [{ spotCpuLimit: 2.5 }, /spotCpuLimit: 2.5 is not allowed \(a whole number of vCPUs >= 0\)/],
  ])('GIVEN %j THEN it names the prop', (overrides, message) => {
    expect(() => build(overrides as Partial<ClusterConfigProps>)).toThrow(message);
  });
});
