import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { Construct } from 'constructs';
import { NODE_POOL_LABEL } from './eks-cluster';
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
  /** Most vCPUs Karpenter may run in total: the cost ceiling of autoscaling. */
  readonly karpenterCpuLimit: number;
  /**
   * Capacity types Karpenter may launch; Spot first keeps cost down, on-demand is the fallback.
   * @default ['spot', 'on-demand']
   */
  readonly capacityTypes?: readonly ('spot' | 'on-demand')[];
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
    const capacityTypes = props.capacityTypes ?? ['spot', 'on-demand'];
    if (capacityTypes.length === 0) {
      throw propError(this, 'capacityTypes', capacityTypes, 'one or both of "spot", "on-demand"');
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

    new Manifest(this, 'NodePool', {
      manifest: {
        apiVersion: 'karpenter.sh/v1',
        kind: 'NodePool',
        metadata: { name: 'general' },
        spec: {
          template: {
            metadata: { labels: { [NODE_POOL_LABEL]: 'general' } },
            spec: {
              nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
              requirements: [
                { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] },
                { key: 'karpenter.sh/capacity-type', operator: 'In', values: [...capacityTypes] },
                { key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['c', 'm', 'r'] },
                { key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['5'] },
              ],
              expireAfter: '720h',
            },
          },
          limits: { cpu: String(props.karpenterCpuLimit) },
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
