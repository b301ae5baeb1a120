import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry';
import { EksAccessPolicyAssociation } from '@cdktf/provider-aws/lib/eks-access-policy-association';
import type { EksAddonConfig } from '@cdktf/provider-aws/lib/eks-addon';
import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import { EksCluster as EksClusterResource } from '@cdktf/provider-aws/lib/eks-cluster';
import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import type { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { EksKarpenter, NODE_ROLE_POLICIES } from './eks-karpenter';
import type {
  EksClusterReference,
  EksWorkloadIdentityOptions,
  EksWorkloadIdentityProps,
} from './eks-workload-identity';
import { EksWorkloadIdentity } from './eks-workload-identity';
import type { INetwork } from '../network/network';
import { awsLoadBalancerControllerPolicy } from './private/aws-load-balancer-controller-policy';
import { parseCidr } from '../../shared/cidr';
import { propError } from '../shared/errors';
import { customerKey, logGroupKeyStatement, policyDocument } from '../shared/kms';
import type { LogRetentionDays } from '../../shared/log-retention';
import type { EksAccessRoles, EksAddonVersions } from '../../shared/eks';
import { STANDARD_SUPPORT_KUBERNETES_VERSIONS } from '../../shared/eks';
import { LOG_RETENTION_DAYS } from '../../shared/log-retention';
import { physicalName } from '../shared/naming';
import { ebsVolumeKeyPolicy } from './workload-policies';

/** Every control-plane log type EKS can send to CloudWatch Logs. */
export const CONTROL_PLANE_LOG_TYPES: readonly string[] = [
  'api',
  'audit',
  'authenticator',
  'controllerManager',
  'scheduler',
];

const ADDON_NAMES: Readonly<Record<keyof EksAddonVersions, string>> = {
  vpcCni: 'vpc-cni',
  coredns: 'coredns',
  kubeProxy: 'kube-proxy',
  podIdentityAgent: 'eks-pod-identity-agent',
  ebsCsiDriver: 'aws-ebs-csi-driver',
};
const ADDON_VERSION = /^v\d+\.\d+\.\d+-eksbuild\.\d+$/;

/** One managed node group's instance types and sizes. */
export interface EksNodeGroupProps {
  /** EC2 instance types (x86_64: the nodes run the AL2023 x86_64 AMI). */
  readonly instanceTypes: readonly string[];
  /** Fewest nodes. */
  readonly minSize: number;
  /** Nodes at creation; ignored afterwards (Karpenter adds capacity), like terraform-aws-modules/eks does. */
  readonly desiredSize: number;
  /** Most nodes. */
  readonly maxSize: number;
}

/** The two managed node groups. */
export interface EksNodeGroups {
  /** On-demand nodes for system and stateful pods; at least one node. */
  readonly system: EksNodeGroupProps;
  /** Spot nodes, tainted, for stateless pods that tolerate interruption; at least two instance types. */
  readonly spot: EksNodeGroupProps;
}

/**
 * Kubernetes namespace and service account of each workload identity of the cluster's own controllers and
 * platform workloads, for the stacks that deploy them (the WMS API's are the app's: WMS_NAMESPACE and
 * API_SERVICE_ACCOUNT in constructs/app/wms-application.ts).
 */
export const WORKLOAD_SERVICE_ACCOUNTS = {
  loadBalancerController: { namespace: 'kube-system', serviceAccount: 'aws-load-balancer-controller' },
  externalDns: { namespace: 'external-dns', serviceAccount: 'external-dns' },
  externalSecrets: { namespace: 'external-secrets', serviceAccount: 'external-secrets' },
  // Fixed by the aws-ebs-csi-driver add-on.
  ebsCsiDriver: { namespace: 'kube-system', serviceAccount: 'ebs-csi-controller-sa' },
  loki: { namespace: 'logging', serviceAccount: 'loki' },
  // Tempo (traces), in the monitoring stack beside Grafana.
  tempo: { namespace: 'monitoring', serviceAccount: 'tempo' },
  // YACE, the CloudWatch exporter of the monitoring stack.
  cloudwatchExporter: { namespace: 'monitoring', serviceAccount: 'yace' },
  karpenter: { namespace: 'kube-system', serviceAccount: 'karpenter' },
} as const;

/** A workload that has its own IAM role. */
export type EksWorkloadName = keyof typeof WORKLOAD_SERVICE_ACCOUNTS;

/** The workloads whose roles the cluster creates itself: they reach only the cluster's own resources. */
export type EksClusterWorkloadName = 'loadBalancerController' | 'ebsCsiDriver' | 'karpenter';

/** The name of an environment's cluster, `wms-<env>-eks`: the one derivation, for the cluster and its readers. */
export function eksClusterName(namePrefix: string): string {
  return physicalName(namePrefix, 'eks');
}

/** Label on every managed node naming its group, `system` or `spot`: select it with a nodeSelector. */
export const NODE_POOL_LABEL = 'wms/node-pool';

/** Taint on Spot nodes (Kubernetes form): only pods that tolerate it, i.e. accept interruption, run there. */
export const SPOT_TAINT = { key: 'wms/spot', value: 'true', effect: 'NoSchedule' } as const;

/** Root volume of every managed node: the OS, container images and emptyDir volumes. */
const NODE_ROOT_VOLUME_GIB = 50;

/** Ports the control plane calls on nodes: kubelet, and the webhooks and aggregated APIs of cluster add-ons. */
const CONTROL_PLANE_TO_NODE_PORTS: readonly (readonly [number, string])[] = [
  [443, 'Kubernetes API to pods on 443 (webhooks, aggregated APIs)'],
  [4443, 'Kubernetes API to metrics-server (legacy port)'],
  [6443, 'Kubernetes API to prometheus-adapter'],
  [8443, 'Kubernetes API to the Karpenter webhook'],
  [9443, 'Kubernetes API to the AWS Load Balancer Controller webhook'],
  [10250, 'Kubernetes API to kubelet (logs, exec, metrics)'],
  [10251, 'Kubernetes API to metrics-server'],
];

const CLUSTER_ADMIN_POLICY = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy';
const VIEW_POLICY = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy';
const ADMIN_VIEW_POLICY = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy';
const ROLE_ARN = /^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const ANYWHERE = '0.0.0.0/0';

/** What the Kubernetes stacks need to know about the cluster, so they call no AWS API beyond reading it. */
export interface IEksCluster {
  /** Cluster name. */
  readonly clusterName: string;
  /** Cluster ARN. */
  readonly clusterArn: string;
  /** Kubernetes API endpoint (private unless public CIDRs are configured). */
  readonly endpoint: string;
  /** Base64 certificate authority data of the API endpoint. */
  readonly certificateAuthorityData: string;
  /** OIDC issuer URL of the cluster (for IRSA, which this project does not use for its own roles). */
  readonly oidcIssuerUrl: string;
  /** Security group of every node and pod: the one the database and load balancers admit. */
  readonly nodeSecurityGroupId: string;
  /** Additional security group of the control-plane ENIs. */
  readonly clusterSecurityGroupId: string;
  /** KMS key of node volumes, for the EC2NodeClass and the encrypted gp3 storage class. */
  readonly kmsKeyArn: string;
  /** IAM role of each of the cluster's own workload identities, already associated with its service account. */
  readonly roles: Readonly<Record<EksClusterWorkloadName, string>>;
  /** Karpenter's interruption queue, for the chart's `settings.interruptionQueue`. */
  readonly karpenterQueueName: string;
  /** Role of Karpenter's nodes, for the EC2NodeClass `role`. */
  readonly karpenterNodeRoleName: string;
  /**
   * Gives one Kubernetes service account its own IAM role through EKS Pod Identity (an {@link EksWorkloadIdentity}
   * in this cluster, named `<cluster>-<service account>`), so the stack that creates what the workload reaches
   * grants it there, with that resource's own attributes.
   */
  addWorkloadIdentity(id: string, options: EksWorkloadIdentityOptions): EksWorkloadIdentity;
}

/** Properties of an {@link EksCluster}. */
export interface EksClusterProps {
  /** Cluster name, e.g. `wms-prod-eks` (the network's discovery tags use it); prefixes every name here. */
  readonly clusterName: string;
  /** AWS account id: scopes the key and role policies. */
  readonly accountId: string;
  /** AWS region of the cluster. */
  readonly region: string;
  /** The VPC: nodes and control-plane ENIs go to its private subnets. */
  readonly network: INetwork;
  /** Kubernetes minor version, one of {@link STANDARD_SUPPORT_KUBERNETES_VERSIONS}, e.g. `1.35`. */
  readonly kubernetesVersion: string;
  /** Pinned version of each EKS add-on. */
  readonly addonVersions: EksAddonVersions;
  /**
   * CIDRs allowed to reach the public API endpoint; empty keeps the endpoint private only.
   * @default [] - private endpoint only
   */
  readonly endpointPublicAccessCidrs?: readonly string[];
  /** Roles given Kubernetes access; nobody else is admin (not even the cluster's creator). */
  readonly accessRoles: EksAccessRoles;
  /**
   * Namespaces whose Secrets the plan role may read: those holding Helm release records (Helm 3 stores each
   * release as a Secret `sh.helm.release.v1.<name>.v<n>` in the release's namespace, and the helm provider reads
   * it to plan) and Secrets Terraform manages. Everywhere else the plan role sees everything but Secrets.
   * @default [] - the plan role reads no Secret at all (Helm plans then fail)
   */
  readonly planSecretNamespaces?: readonly string[];
  /** Instance types and sizes of the managed node groups. */
  readonly nodeGroups: EksNodeGroups;
  /** Retention of the control-plane logs. */
  readonly logRetentionDays: LogRetentionDays;
  /**
   * Refuse to destroy or replace the cluster. The AWS provider 5.100 has no `deletion_protection` on
   * `aws_eks_cluster`, so this is Terraform's `prevent_destroy`.
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * Adopt the control-plane log group a previous cluster of this name left behind (it is kept on destroy)
   * instead of creating it. Set it when re-creating a destroyed environment.
   * @default false
   */
  readonly importLogGroup?: boolean;
}

/**
 * An EKS cluster as terraform-aws-modules/eks v21 builds it, with its users' known pain points designed out.
 *
 * - Control plane: pinned version in standard support (upgrade policy STANDARD), secrets encrypted with a
 *   customer-managed key, all five log types in a KMS-encrypted log group that outlives the cluster, a private
 *   endpoint (public only for listed CIDRs), access entries only (no aws-auth, no hidden creator admin).
 * - Nodes: an on-demand `system` group and a tainted Spot group on one launch template (IMDSv2, hop limit 1,
 *   encrypted gp3, no SSH) across every private subnet; vpc-cni, kube-proxy and the pod identity agent exist
 *   before any node boots, so nodes do not start NotReady.
 * - Autoscaling: Karpenter ({@link EksKarpenter}); workload IAM: EKS Pod Identity ({@link EksWorkloadIdentity}).
 */
export class EksCluster extends Construct implements IEksCluster {
  readonly clusterName: string;
  readonly clusterArn: string;
  readonly endpoint: string;
  readonly certificateAuthorityData: string;
  readonly oidcIssuerUrl: string;
  readonly nodeSecurityGroupId: string;
  readonly clusterSecurityGroupId: string;
  readonly kmsKeyArn: string;
  readonly roles: Readonly<Record<EksClusterWorkloadName, string>>;
  readonly karpenterQueueName: string;
  readonly karpenterNodeRoleName: string;
  /** The cluster resource (escape hatch). */
  readonly cluster: EksClusterResource;
  /** The managed node groups. */
  readonly nodeGroups: { readonly system: EksNodeGroup; readonly spot: EksNodeGroup };
  private readonly reference: EksClusterReference;

  constructor(scope: Construct, id: string, props: EksClusterProps) {
    super(scope, id);
    const publicCidrs = props.endpointPublicAccessCidrs ?? [];
    this.validate(props, publicCidrs);
    const { clusterName, accountId, region, network } = props;
    const logGroupName = `/aws/eks/${clusterName}/cluster`;
    const clusterArn = `arn:aws:eks:${region}:${accountId}:cluster/${clusterName}`;

    const key = this.createKey(props, logGroupName);
    const logGroup = this.createControlPlaneLogGroup(props, logGroupName, key.arn);

    const { clusterRole, clusterRolePolicy, clusterRoleEncryption } = this.createClusterRole(props, key.arn);

    const { clusterSecurityGroup, nodeSecurityGroup } = this.createSecurityGroups(props);

    const deletionProtection = props.deletionProtection ?? true;
    this.cluster = new EksClusterResource(this, 'Cluster', {
      name: clusterName,
      version: props.kubernetesVersion,
      roleArn: clusterRole.arn,
      // The add-ons below install vpc-cni, kube-proxy and CoreDNS at pinned versions instead.
      bootstrapSelfManagedAddons: false,
      enabledClusterLogTypes: [...CONTROL_PLANE_LOG_TYPES],
      accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: false },
      encryptionConfig: { resources: ['secrets'], provider: { keyArn: key.arn } },
      upgradePolicy: { supportType: 'STANDARD' },
      vpcConfig: {
        subnetIds: network.privateSubnetIds,
        securityGroupIds: [clusterSecurityGroup.id],
        endpointPrivateAccess: true,
        endpointPublicAccess: publicCidrs.length > 0,
        publicAccessCidrs: publicCidrs.length > 0 ? [...publicCidrs] : undefined,
      },
      // The log group must exist first (or EKS creates its own, unencrypted); the role keeps its policies until
      // the cluster is deleted.
      dependsOn: [logGroup, clusterRolePolicy, clusterRoleEncryption],
      lifecycle: deletionProtection ? { preventDestroy: true } : undefined,
    });
    const clusterRef: EksClusterReference = {
      name: clusterName,
      arn: clusterArn,
      accountId,
      resource: this.cluster,
    };
    this.reference = clusterRef;

    this.createAccessEntries(props.accessRoles, props.planSecretNamespaces ?? []);

    const addon = (addonId: string, addonKey: keyof EksAddonVersions, config: Partial<EksAddonConfig> = {}) =>
      new EksAddon(this, addonId, {
        clusterName: this.cluster.name,
        addonName: ADDON_NAMES[addonKey],
        addonVersion: props.addonVersions[addonKey],
        resolveConflictsOnCreate: 'OVERWRITE',
        resolveConflictsOnUpdate: 'OVERWRITE',
        ...config,
      });
    // Before any node: without the CNI nodes stay NotReady (terraform-aws-eks #3446, #3497), and pods on the
    // first nodes need the pod identity agent and kube-proxy.
    const beforeNodes = [
      addon('VpcCniAddon', 'vpcCni', {
        configurationValues: JSON.stringify({ enableNetworkPolicy: 'true' }),
      }),
      addon('PodIdentityAgentAddon', 'podIdentityAgent'),
      addon('KubeProxyAddon', 'kubeProxy'),
    ];

    this.nodeGroups = this.createNodeGroups(props, key, nodeSecurityGroup, beforeNodes);
    const nodes = [this.nodeGroups.system, this.nodeGroups.spot];
    addon('CoreDnsAddon', 'coredns', { dependsOn: nodes });

    const identities = this.createWorkloadIdentities(props, key);
    // The controller starts with its credentials in place.
    addon('EbsCsiDriverAddon', 'ebsCsiDriver', {
      dependsOn: [...nodes, identities.ebsCsiDriver.association],
    });

    const karpenter = new EksKarpenter(this, 'Karpenter', {
      cluster: clusterRef,
      region,
      nodeVolumeKeyArn: key.arn,
      ...WORKLOAD_SERVICE_ACCOUNTS.karpenter,
    });

    this.clusterName = this.cluster.name;
    this.clusterArn = this.cluster.arn;
    this.endpoint = this.cluster.endpoint;
    this.certificateAuthorityData = this.cluster.certificateAuthority.get(0).data;
    this.oidcIssuerUrl = this.cluster.identity.get(0).oidc.get(0).issuer;
    this.nodeSecurityGroupId = nodeSecurityGroup.id;
    this.clusterSecurityGroupId = clusterSecurityGroup.id;
    this.kmsKeyArn = key.arn;
    this.roles = {
      loadBalancerController: identities.loadBalancerController.roleArn,
      ebsCsiDriver: identities.ebsCsiDriver.roleArn,
      karpenter: karpenter.controller.roleArn,
    };
    this.karpenterQueueName = karpenter.queueName;
    this.karpenterNodeRoleName = karpenter.nodeRoleName;
  }

  /** The control-plane log group: encrypted, retained, created before the cluster and kept on destroy. */
  private createControlPlaneLogGroup(
    props: EksClusterProps,
    logGroupName: string,
    keyArn: string,
  ): CloudwatchLogGroup {
    const logGroup = new CloudwatchLogGroup(this, 'ControlPlaneLogGroup', {
      name: logGroupName,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: keyArn,
      // EKS writes its last events after the cluster is gone and re-creates a deleted group, so a re-created
      // environment then fails with "already exists" (terraform-aws-eks #2486, #3465). Keeping the group on
      // destroy also keeps the audit trail; `importLogGroup` adopts it when the environment comes back. The key
      // is scheduled for deletion with the stack (30-day window): cancel that to keep the old events readable.
      skipDestroy: true,
    });
    if (props.importLogGroup ?? false) {
      logGroup.importFrom(logGroupName);
    }
    return logGroup;
  }

  /** The control plane's role: AmazonEKSClusterPolicy and the use of the secrets key, nothing else. */
  private createClusterRole(
    props: EksClusterProps,
    keyArn: string,
  ): {
    clusterRole: IamRole;
    clusterRolePolicy: IamRolePolicyAttachment;
    clusterRoleEncryption: IamRolePolicy;
  } {
    const { clusterName } = props;
    const name = (...parts: string[]) => physicalName(clusterName, ...parts);
    const clusterRole = new IamRole(this, 'ClusterRole', {
      name: name('cluster'),
      description: `EKS control plane of ${clusterName}`,
      assumeRolePolicy: policyDocument([
        {
          Effect: 'Allow',
          Principal: { Service: 'eks.amazonaws.com' },
          Action: ['sts:AssumeRole', 'sts:TagSession'],
        },
      ]),
    });
    const clusterRolePolicy = new IamRolePolicyAttachment(this, 'ClusterRolePolicy', {
      role: clusterRole.name,
      policyArn: 'arn:aws:iam::aws:policy/AmazonEKSClusterPolicy',
    });
    const clusterRoleEncryption = new IamRolePolicy(this, 'ClusterRoleEncryption', {
      name: 'secrets-encryption',
      role: clusterRole.id,
      policy: policyDocument([
        {
          Effect: 'Allow',
          Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ListGrants', 'kms:DescribeKey'],
          Resource: keyArn,
        },
      ]),
    });
    return { clusterRole, clusterRolePolicy, clusterRoleEncryption };
  }

  private validate(props: EksClusterProps, publicCidrs: readonly string[]): void {
    const version = props.kubernetesVersion;
    const versions = Object.keys(STANDARD_SUPPORT_KUBERNETES_VERSIONS);
    if (!versions.includes(version)) {
      throw propError(
        this,
        'kubernetesVersion',
        version,
        `one of ${versions.join(', ')}: in EKS standard support`,
      );
    }
    for (const addonKey of Object.keys(ADDON_NAMES) as (keyof EksAddonVersions)[]) {
      const addonVersion = props.addonVersions[addonKey];
      if (typeof addonVersion !== 'string' || !ADDON_VERSION.test(addonVersion)) {
        throw propError(
          this,
          `addonVersions.${addonKey}`,
          addonVersion ?? null,
          'an exact version like v1.2.3-eksbuild.1',
        );
      }
    }
    if (!props.addonVersions.kubeProxy.startsWith(`v${version}.`)) {
      throw propError(
        this,
        'addonVersions.kubeProxy',
        props.addonVersions.kubeProxy,
        `v${version}.x-eksbuild.N, the cluster's minor version`,
      );
    }

    const invalidCidrs = publicCidrs.filter((cidr) => parseCidr(cidr) === undefined);
    if (invalidCidrs.length > 0) {
      throw propError(this, 'endpointPublicAccessCidrs', invalidCidrs, 'IPv4 CIDRs such as 203.0.113.0/24');
    }

    const roleArns = Object.values(props.accessRoles);
    const badRoles = roleArns.filter((arn) => !Token.isUnresolved(arn) && !ROLE_ARN.test(arn));
    if (badRoles.length > 0 || new Set(roleArns).size !== roleArns.length) {
      throw propError(this, 'accessRoles', props.accessRoles, 'three distinct IAM role ARNs');
    }

    for (const group of ['system', 'spot'] as const) {
      const { instanceTypes, minSize, desiredSize, maxSize } = props.nodeGroups[group];
      const fewest = group === 'system' ? 1 : 0;
      const sizes = [minSize, desiredSize, maxSize];
      if (
        !sizes.every(Number.isInteger) ||
        minSize < fewest ||
        minSize > desiredSize ||
        desiredSize > maxSize ||
        maxSize < 1
      ) {
        throw propError(
          this,
          `nodeGroups.${group}`,
          { minSize, desiredSize, maxSize },
          `whole numbers, ${fewest} <= minSize <= desiredSize <= maxSize, maxSize >= 1`,
        );
      }
      const fewestTypes = group === 'spot' ? 2 : 1;
      if (new Set(instanceTypes).size < fewestTypes || new Set(instanceTypes).size !== instanceTypes.length) {
        throw propError(
          this,
          `nodeGroups.${group}.instanceTypes`,
          instanceTypes,
          `at least ${fewestTypes} distinct instance types`,
        );
      }
    }

    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(props.logRetentionDays)) {
      throw propError(
        this,
        'logRetentionDays',
        props.logRetentionDays,
        `one of ${LOG_RETENTION_DAYS.join(', ')}`,
      );
    }
  }

  /**
   * One customer-managed key for the cluster: Kubernetes secrets (envelope encryption), the control-plane log
   * group and node volumes. Roles get their use of it through IAM; services named here cannot.
   */
  private createKey(props: EksClusterProps, logGroupName: string): KmsKey {
    const { accountId, region, clusterName } = props;
    // Managed node groups launch through EC2 Auto Scaling, whose service-linked role must be able to use the key
    // for the volumes. The role must exist in the account (it does once any Auto Scaling group has existed).
    const autoScaling = `arn:aws:iam::${accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
    return customerKey(this, 'Key', {
      description: `EKS ${clusterName}: Kubernetes secrets, control-plane logs, node volumes`,
      alias: clusterName,
      accountId,
      serviceStatements: [
        logGroupKeyStatement('ControlPlaneLogGroupUses', region, accountId, logGroupName),
        {
          Sid: 'NodeGroupVolumesUse',
          Effect: 'Allow',
          Principal: { AWS: autoScaling },
          Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
          Resource: '*',
        },
        {
          Sid: 'NodeGroupVolumesGrant',
          Effect: 'Allow',
          Principal: { AWS: autoScaling },
          Action: 'kms:CreateGrant',
          Resource: '*',
          Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
        },
      ],
    });
  }

  /**
   * The control plane's additional security group and the one of every node (and pod: the VPC CNI gives pods
   * the node's ENIs). Terraform drops the default allow-all egress of both; rules are standalone so the load
   * balancer controller can add its own to the node group.
   */
  private createSecurityGroups(props: EksClusterProps) {
    const { clusterName, network } = props;
    const name = (...parts: string[]) => physicalName(clusterName, ...parts);
    const clusterSecurityGroup = new SecurityGroup(this, 'ClusterSecurityGroup', {
      name: name('cluster'),
      description: `EKS ${clusterName} control-plane ENIs: the Kubernetes API for nodes`,
      vpcId: network.vpcId,
      tags: { Name: name('cluster') },
    });
    const nodeSecurityGroup = new SecurityGroup(this, 'NodeSecurityGroup', {
      name: name('node'),
      description: `EKS ${clusterName} nodes and pods`,
      vpcId: network.vpcId,
      tags: {
        Name: name('node'),
        // Exactly one security group per node carries the cluster tag: the load balancer controller picks it.
        [`kubernetes.io/cluster/${clusterName}`]: 'owned',
        'karpenter.sh/discovery': clusterName,
      },
    });
    const clusterSg = clusterSecurityGroup.id;
    const nodeSg = nodeSecurityGroup.id;

    new VpcSecurityGroupIngressRule(this, 'ClusterIngressFromNodes', {
      securityGroupId: clusterSg,
      description: 'Nodes and pods to the Kubernetes API',
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      referencedSecurityGroupId: nodeSg,
    });
    new VpcSecurityGroupIngressRule(this, 'NodeIngressFromNodes', {
      securityGroupId: nodeSg,
      description: 'Node to node and pod to pod, all protocols',
      ipProtocol: '-1',
      referencedSecurityGroupId: nodeSg,
    });
    for (const [port, description] of CONTROL_PLANE_TO_NODE_PORTS) {
      new VpcSecurityGroupIngressRule(this, `NodeIngressFromCluster${port}`, {
        securityGroupId: nodeSg,
        description,
        ipProtocol: 'tcp',
        fromPort: port,
        toPort: port,
        referencedSecurityGroupId: clusterSg,
      });
    }

    new VpcSecurityGroupEgressRule(this, 'NodeEgressToNodes', {
      securityGroupId: nodeSg,
      description: 'Node to node and pod to pod, all protocols',
      ipProtocol: '-1',
      referencedSecurityGroupId: nodeSg,
    });
    new VpcSecurityGroupEgressRule(this, 'NodeEgressHttps', {
      securityGroupId: nodeSg,
      description: 'HTTPS to the Kubernetes API, AWS APIs, ECR and public registries',
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      cidrIpv4: ANYWHERE,
    });
    for (const protocol of ['tcp', 'udp']) {
      new VpcSecurityGroupEgressRule(this, `NodeEgressDns${protocol.toUpperCase()}`, {
        securityGroupId: nodeSg,
        description: `DNS (${protocol}) to resolvers in the VPC`,
        ipProtocol: protocol,
        fromPort: 53,
        toPort: 53,
        cidrIpv4: network.vpcCidr,
      });
    }
    // The VPC, not only the database subnets: the RDS Proxy that pods connect through sits in the private
    // subnets. The database's own security groups decide who gets in.
    new VpcSecurityGroupEgressRule(this, 'NodeEgressPostgres', {
      securityGroupId: nodeSg,
      description: 'PostgreSQL from pods to the database and its proxy in the VPC',
      ipProtocol: 'tcp',
      fromPort: 5432,
      toPort: 5432,
      cidrIpv4: network.vpcCidr,
    });
    return { clusterSecurityGroup, nodeSecurityGroup };
  }

  /** {@inheritDoc IEksCluster.addWorkloadIdentity} */
  addWorkloadIdentity(id: string, options: EksWorkloadIdentityOptions): EksWorkloadIdentity {
    const { name } = this.reference;
    return new EksWorkloadIdentity(this, id, {
      ...options,
      cluster: this.reference,
      roleName: physicalName(name, options.serviceAccount),
      description: `${options.description} in ${name}`,
    });
  }

  /** The roles of the cluster's own controllers (Karpenter's is in {@link EksKarpenter}). */
  private createWorkloadIdentities(
    props: EksClusterProps,
    key: KmsKey,
  ): Record<'loadBalancerController' | 'ebsCsiDriver', EksWorkloadIdentity> {
    const { clusterName, region, accountId } = props;
    type Permissions = Pick<EksWorkloadIdentityProps, 'statements' | 'managedPolicyArns'>;
    const identity = (
      identityId: string,
      workload: EksWorkloadName,
      description: string,
      permissions: Permissions,
    ) =>
      this.addWorkloadIdentity(identityId, {
        ...WORKLOAD_SERVICE_ACCOUNTS[workload],
        description,
        ...permissions,
      });
    return {
      loadBalancerController: identity(
        'LoadBalancerController',
        'loadBalancerController',
        'AWS Load Balancer Controller',
        {
          statements: awsLoadBalancerControllerPolicy({ clusterName, region, accountId }),
        },
      ),
      ebsCsiDriver: identity('EbsCsiDriver', 'ebsCsiDriver', 'EBS CSI driver controller', {
        managedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy'],
        statements: ebsVolumeKeyPolicy(key.arn),
      }),
    };
  }

  /**
   * Access entries. The pull-request plan role runs on code nobody has reviewed yet, so it must not read
   * Secrets: it gets AmazonEKSViewPolicy (every resource but Secrets) cluster-wide, and AmazonEKSAdminViewPolicy
   * (Secrets too) only in `planSecretNamespaces`, where a plan must read Helm's release records (the helm
   * provider's refresh lists them by label, which RBAC cannot narrow to Helm's Secrets) and the Secrets Terraform
   * manages. Residual: the other Secrets of those namespaces stay readable to it.
   * @see https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html
   */
  private createAccessEntries(roles: EksAccessRoles, planSecretNamespaces: readonly string[]): void {
    const entries: readonly [string, string, string][] = [
      ['Admin', roles.adminRoleArn, CLUSTER_ADMIN_POLICY],
      ['ReadOnly', roles.readOnlyRoleArn, VIEW_POLICY],
      ['Deploy', roles.deployRoleArn, CLUSTER_ADMIN_POLICY],
      ['Plan', roles.planRoleArn, VIEW_POLICY],
    ];
    for (const [entryId, principalArn, policyArn] of entries) {
      const entry = new EksAccessEntry(this, `${entryId}AccessEntry`, {
        clusterName: this.cluster.name,
        principalArn,
        type: 'STANDARD',
      });
      new EksAccessPolicyAssociation(this, `${entryId}AccessPolicy`, {
        clusterName: this.cluster.name,
        principalArn,
        policyArn,
        accessScope: { type: 'cluster' },
        dependsOn: [entry],
      });
      if (entryId === 'Plan' && planSecretNamespaces.length > 0) {
        new EksAccessPolicyAssociation(this, 'PlanReleaseSecretsAccessPolicy', {
          clusterName: this.cluster.name,
          principalArn,
          policyArn: ADMIN_VIEW_POLICY,
          accessScope: { type: 'namespace', namespaces: [...planSecretNamespaces] },
          dependsOn: [entry],
        });
      }
    }
  }

  private createNodeGroups(
    props: EksClusterProps,
    key: KmsKey,
    nodeSecurityGroup: SecurityGroup,
    beforeNodes: EksAddon[],
  ): { system: EksNodeGroup; spot: EksNodeGroup } {
    const name = (...parts: string[]) => physicalName(props.clusterName, ...parts);
    const role = new IamRole(this, 'NodeRole', {
      name: name('node'),
      description: `Managed node groups of ${props.clusterName}`,
      assumeRolePolicy: policyDocument([
        { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ]),
    });
    const rolePolicies = NODE_ROLE_POLICIES.map(
      (policyArn, index) =>
        new IamRolePolicyAttachment(this, `NodeRolePolicy${index}`, { role: role.name, policyArn }),
    );
    const template = new LaunchTemplate(this, 'NodeLaunchTemplate', {
      name: name('node'),
      description: `Managed nodes of ${props.clusterName}: IMDSv2 only, encrypted gp3, no SSH key`,
      updateDefaultVersion: true,
      vpcSecurityGroupIds: [nodeSecurityGroup.id],
      // Hop limit 1: containers cannot reach the node's credentials; pods use Pod Identity instead.
      metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 1 },
      blockDeviceMappings: [
        {
          deviceName: '/dev/xvda',
          ebs: {
            volumeSize: NODE_ROOT_VOLUME_GIB,
            volumeType: 'gp3',
            encrypted: 'true',
            kmsKeyId: key.arn,
            deleteOnTermination: 'true',
          },
        },
      ],
    });
    const group = (groupId: 'system' | 'spot', groupProps: EksNodeGroupProps, capacityType: string) =>
      new EksNodeGroup(this, groupId === 'system' ? 'SystemNodeGroup' : 'SpotNodeGroup', {
        clusterName: this.cluster.name,
        // A prefix, so a replacement (new instance types) is created before the old group is destroyed.
        nodeGroupNamePrefix: `${name(groupId)}-`,
        nodeRoleArn: role.arn,
        subnetIds: props.network.privateSubnetIds,
        version: this.cluster.version,
        amiType: 'AL2023_x86_64_STANDARD',
        capacityType,
        instanceTypes: [...groupProps.instanceTypes],
        scalingConfig: {
          minSize: groupProps.minSize,
          desiredSize: groupProps.desiredSize,
          maxSize: groupProps.maxSize,
        },
        launchTemplate: { id: template.id, version: Token.asString(template.latestVersion) },
        updateConfig: { maxUnavailablePercentage: 33 },
        nodeRepairConfig: { enabled: true },
        labels: { [NODE_POOL_LABEL]: groupId },
        taint:
          groupId === 'spot'
            ? [{ key: SPOT_TAINT.key, value: SPOT_TAINT.value, effect: 'NO_SCHEDULE' }]
            : undefined,
        dependsOn: [...rolePolicies, ...beforeNodes],
        lifecycle: {
          createBeforeDestroy: true,
          // Desired size is set once: afterwards Karpenter and the scheduler own the node count, as in
          // terraform-aws-modules/eks (docs/faq.md, #1879).
          ignoreChanges: ['scaling_config[0].desired_size'],
        },
      });
    return {
      system: group('system', props.nodeGroups.system, 'ON_DEMAND'),
      spot: group('spot', props.nodeGroups.spot, 'SPOT'),
    };
  }
}
