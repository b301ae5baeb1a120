import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { Construct } from 'constructs';
import { NODE_POOL_LABEL } from './eks-cluster';
import type { CapacityClass } from '../shared/capacity';
import { SPOT_TAINT } from '../shared/capacity';
import { propError } from '../shared/errors';
import { karpenterAmiAlias } from '../../shared/eks';

/** Name of the cluster-wide External Secrets store of AWS Secrets Manager. */
export const SECRET_STORE_NAME = 'aws-secrets-manager';

/** Properties of {@link ClusterConfig}. */
export interface ClusterConfigProps {
  /** EKS cluster name: Karpenter finds subnets and security groups by its discovery tag. */
  readonly clusterName: string;
  /** AWS region of the secrets. */
  readonly region: string;
  /** IAM role of Karpenter's nodes (EC2NodeClass `role`). */
  readonly karpenterNodeRoleName: string;
  /** Customer-managed key encrypting the root volumes of Karpenter's nodes. */
  readonly volumeKmsKeyArn: string;
  /** Most vCPUs of on-demand nodes Karpenter may run (NodePool `general`): the cost ceiling of that pool. */
  readonly karpenterCpuLimit: number;
  /**
   * Most vCPUs of Spot nodes Karpenter may run (NodePool `spot`, tainted {@link SPOT_TAINT}): only pods that
   * tolerate interruption go there, and the pool is empty (nothing paid for) when none is pending.
   */
  readonly spotCpuLimit: number;
  /**
   * Cost tags of the instances, volumes and network interfaces Karpenter launches (EC2NodeClass `tags`, merged
   * into Karpenter's own `karpenter.sh/nodepool`, `eks:eks-cluster-name`... tags).
   * @default - none: only Karpenter's own tags
   */
  readonly nodeTags?: Readonly<Record<string, string>>;
  /**
   * The AL2023 AMI release of Karpenter's nodes, as the managed node groups name it (`1.35.6-20260714`): the
   * EC2NodeClass selects `al2023@v20260714`.
   * @default - `al2023@latest`: the newest release, nodes drift to each new one
   */
  readonly amiReleaseVersion?: string;
}

/**
 * Custom resources of the cluster services, in a stack after the one that installs their CRDs (the kubernetes
 * provider needs a CRD at plan time: hashicorp/terraform-provider-kubernetes#1367): the External Secrets store
 * for AWS Secrets Manager, and Karpenter's EC2NodeClass and NodePool.
 */
export class ClusterConfig extends Construct {
  /** Name of the ClusterSecretStore. */
  readonly secretStoreName = SECRET_STORE_NAME;

  constructor(scope: Construct, id: string, props: ClusterConfigProps) {
    super(scope, id);
    if (!Number.isInteger(props.karpenterCpuLimit) || props.karpenterCpuLimit < 2) {
      throw propError(this, 'karpenterCpuLimit', props.karpenterCpuLimit, 'a whole number of vCPUs >= 2');
    }
    if (!Number.isInteger(props.spotCpuLimit) || props.spotCpuLimit < 0) {
      throw propError(this, 'spotCpuLimit', props.spotCpuLimit, 'a whole number of vCPUs >= 0');
    }

    // The operator's own Pod Identity role grants access to the environment's secrets only (constructs/eks-cluster.ts).
    new Manifest(this, 'SecretStore', {
      manifest: {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ClusterSecretStore',
        metadata: { name: SECRET_STORE_NAME },
        spec: { provider: { aws: { service: 'SecretsManager', region: props.region } } },
      },
    });

    const discovery = { 'karpenter.sh/discovery': props.clusterName };
    new Manifest(this, 'NodeClass', {
      manifest: {
        apiVersion: 'karpenter.k8s.aws/v1',
        kind: 'EC2NodeClass',
        metadata: { name: 'default' },
        spec: {
          role: props.karpenterNodeRoleName,
          tags: props.nodeTags ? { ...props.nodeTags } : undefined,
          // The AL2023 AMI release of the managed node groups (of the cluster's Kubernetes version); Karpenter
          // rolls nodes to a new release through drift, within the NodePool's disruption budget.
          amiSelectorTerms: [{ alias: karpenterAmiAlias(props.amiReleaseVersion) }],
          subnetSelectorTerms: [{ tags: discovery }],
          securityGroupSelectorTerms: [{ tags: discovery }],
          metadataOptions: {
            httpEndpoint: 'enabled',
            httpProtocolIPv6: 'disabled',
            httpPutResponseHopLimit: 1,
            httpTokens: 'required',
          },
          blockDeviceMappings: [
            {
              deviceName: '/dev/xvda',
              ebs: {
                volumeSize: '50Gi',
                volumeType: 'gp3',
                encrypted: true,
                kmsKeyID: props.volumeKmsKeyArn,
                deleteOnTermination: true,
              },
            },
          ],
        },
      },
    });

    // Capacity by workload class (constructs/shared/capacity.ts): on-demand for the API and the controllers, Spot
    // only for pods that tolerate its taint. The general pool never launches Spot, so an untolerating pod cannot
    // land on Spot through it.
    this.nodePool('NodePool', 'general', 'on-demand', props.karpenterCpuLimit);
    if (props.spotCpuLimit > 0) this.nodePool('SpotNodePool', 'spot', 'spot', props.spotCpuLimit);
  }

  /** A NodePool of one capacity type on the default EC2NodeClass; a Spot pool carries the Spot taint. */
  private nodePool(id: string, name: string, capacity: CapacityClass, cpuLimit: number): Manifest {
    return new Manifest(this, id, {
      manifest: {
        apiVersion: 'karpenter.sh/v1',
        kind: 'NodePool',
        metadata: { name },
        spec: {
          template: {
            metadata: { labels: { [NODE_POOL_LABEL]: name } },
            spec: {
              nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
              requirements: [
                { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] },
                { key: 'karpenter.sh/capacity-type', operator: 'In', values: [capacity] },
                { key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['c', 'm', 'r'] },
                { key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['5'] },
              ],
              taints: capacity === 'spot' ? [{ ...SPOT_TAINT }] : undefined,
              expireAfter: '720h',
            },
          },
          limits: { cpu: String(cpuLimit) },
          disruption: {
            consolidationPolicy: 'WhenEmptyOrUnderutilized',
            consolidateAfter: '5m',
            budgets: [{ nodes: '10%' }],
          },
        },
      },
    });
  }
}
