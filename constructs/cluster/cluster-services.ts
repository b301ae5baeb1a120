import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { StorageClassV1 } from '@cdktf/provider-kubernetes/lib/storage-class-v1';
import { Construct } from 'constructs';
import { suppress } from '../../guardrails/suppress';
import { WORKLOAD_SERVICE_ACCOUNTS } from './eks-cluster';
import type {
  ArgoRolloutsValues,
  ExternalSecretsValues,
  KarpenterValues,
  LoadBalancerControllerValues,
} from './cluster-services-values';
import {
  argoRolloutsValues,
  externalDnsValues,
  externalSecretsValues,
  karpenterValues,
  loadBalancerControllerValues,
  metricsServerValues,
} from './cluster-services-values';
import { HelmChart } from '../shared/helm-chart';
import { propError } from '../shared/errors';

/** Chart versions, pinned; read each chart's upgrade notes before bumping one. */
export const CHART_VERSIONS = {
  // renovate: datasource=helm depName=aws-load-balancer-controller registryUrl=https://aws.github.io/eks-charts
  awsLoadBalancerController: '3.5.0',
  // renovate: datasource=helm depName=metrics-server registryUrl=https://kubernetes-sigs.github.io/metrics-server/
  metricsServer: '3.13.0',
  // renovate: datasource=helm depName=external-dns registryUrl=https://kubernetes-sigs.github.io/external-dns/
  externalDns: '1.21.1',
  // renovate: datasource=helm depName=external-secrets registryUrl=https://charts.external-secrets.io
  externalSecrets: '2.9.0',
  // renovate: datasource=docker depName=public.ecr.aws/karpenter/karpenter
  karpenter: '1.14.1',
  // The chart ships controller v1.9.0; the v1.9.1 patch is set as the image tag (ARGO_ROLLOUTS_VERSION).
  // renovate: datasource=helm depName=argo-rollouts registryUrl=https://argoproj.github.io/argo-helm
  argoRollouts: '2.41.0',
} as const;

/** The Argo Rollouts controller image tag (the chart's appVersion is v1.9.0; v1.9.1 is its patch release). */
export const ARGO_ROLLOUTS_VERSION = 'v1.9.1';

/** Namespace and release of the Argo Rollouts controller; its metrics Service is `<release>-metrics`, port 8090. */
export const ARGO_ROLLOUTS = {
  namespace: 'argo-rollouts' satisfies ClusterNamespace,
  release: 'argo-rollouts',
  metricsPort: 8090,
} as const;

/** Properties of {@link ClusterServices}. */
export interface ClusterServicesProps {
  /** EKS cluster name. */
  readonly clusterName: string;
  /** Kubernetes API endpoint of the cluster (Karpenter's setting). */
  readonly clusterEndpoint: string;
  /** AWS region. */
  readonly region: string;
  /** VPC of the cluster. */
  readonly vpcId: string;
  /** The environment's DNS domain and its Route 53 zone id: external-dns manages records there only. */
  readonly dnsDomain: string;
  /** Route 53 zone id of the DNS domain. */
  readonly hostedZoneId: string;
  /** Customer-managed key that encrypts every EBS volume of the default storage class. */
  readonly volumeKmsKeyArn: string;
  /** Karpenter's SQS interruption queue. */
  readonly karpenterInterruptionQueue: string;
  /**
   * Replicas of each controller that supports more than one (at least 2 in production).
   * @default 2
   */
  readonly controllerReplicas?: number;
  /**
   * Cost tags of what the AWS Load Balancer Controller creates (load balancers, target groups, security groups:
   * its chart's `defaultTags`).
   * @default - none: only the controller's own `elbv2.k8s.aws/cluster` and ingress tags
   */
  readonly resourceTags?: Readonly<Record<string, string>>;
}

/**
 * The namespaces created here, with the Pod Security level each enforces (restricted is always audited and warned)
 * and, below restricted, why.
 */
export const CLUSTER_NAMESPACES = {
  'external-dns': { level: 'restricted' },
  'external-secrets': { level: 'restricted' },
  monitoring: {
    level: 'baseline',
    reason:
      'Prometheus, Alertmanager, Grafana and the operator come from third-party charts whose pods are not proven against "restricted" here (no cluster); baseline is enforced and restricted violations are audited and warned.',
  },
  logging: {
    level: 'baseline',
    reason:
      'Loki comes from a third-party chart whose pods are not proven against "restricted" here (no cluster); baseline is enforced and restricted violations are audited and warned.',
  },
  // Issue #15: the progressive-delivery controller (chart defaults pass "restricted").
  'argo-rollouts': { level: 'restricted' },
  'monitoring-agents': {
    level: 'privileged',
    reason:
      'Only the node agents run here: node-exporter needs the host network and PID namespaces, Alloy reads pod logs from host paths; every other workload lives in a stricter namespace.',
  },
} as const;

/** A namespace {@link ClusterServices} creates. */
export type ClusterNamespace = keyof typeof CLUSTER_NAMESPACES;

/**
 * Namespace and service account of the controllers installed here whose IAM roles the platform stack adds through
 * the cluster's `addWorkloadIdentity` (EKS Pod Identity associations name them). The load balancer controller's
 * and Karpenter's are the cluster's own (`WORKLOAD_SERVICE_ACCOUNTS` in eks-cluster.ts).
 */
export const CLUSTER_SERVICES_IDENTITIES = {
  externalDns: { namespace: 'external-dns', serviceAccount: 'external-dns' },
  externalSecrets: { namespace: 'external-secrets', serviceAccount: 'external-secrets' },
} as const satisfies Record<string, { namespace: ClusterNamespace; serviceAccount: string }>;

/**
 * The controllers the WMS needs in every cluster, each a pinned Helm release on the on-demand `system` nodes:
 * AWS Load Balancer Controller, metrics-server, external-dns, External Secrets Operator and Karpenter, plus their
 * namespaces (Pod Security labels) and the encrypted gp3 default StorageClass. Custom resources of these charts
 * (ClusterSecretStore, NodePools) live in a later stack: the kubernetes provider needs a CRD at plan time
 * (hashicorp/terraform-provider-kubernetes#1367).
 */
export class ClusterServices extends Construct {
  /** Namespace name of each namespace created here. */
  readonly namespaces: Readonly<Record<ClusterNamespace, string>>;
  /** The External Secrets release: stacks that create its custom resources come after it. */
  readonly externalSecrets: HelmChart<ExternalSecretsValues>;
  /** The Karpenter release. */
  readonly karpenter: HelmChart<KarpenterValues>;
  /** The Argo Rollouts controller release: stacks with Rollouts and AnalysisTemplates come after it. */
  readonly argoRollouts: HelmChart<ArgoRolloutsValues>;
  /** The load balancer controller release: ingresses need its webhook. */
  readonly loadBalancerController: HelmChart<LoadBalancerControllerValues>;

  constructor(scope: Construct, id: string, props: ClusterServicesProps) {
    super(scope, id);
    const replicas = props.controllerReplicas ?? 2;
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5) {
      throw propError(this, 'controllerReplicas', replicas, 'a whole number from 1 to 5');
    }
    const namespaces = this.addNamespaces();
    const namespaceResources = Object.values(namespaces);
    this.namespaces = Object.fromEntries(
      Object.entries(namespaces).map(([key, namespace]) => [key, namespace.metadata.name]),
    ) as Record<ClusterNamespace, string>;
    this.addStorageClass(props.volumeKmsKeyArn);

    const accounts = WORKLOAD_SERVICE_ACCOUNTS;
    this.loadBalancerController = new HelmChart(this, 'AwsLoadBalancerController', {
      releaseName: 'aws-load-balancer-controller',
      namespace: accounts.loadBalancerController.namespace,
      repository: 'https://aws.github.io/eks-charts',
      chart: 'aws-load-balancer-controller',
      version: CHART_VERSIONS.awsLoadBalancerController,
      values: loadBalancerControllerValues({
        clusterName: props.clusterName,
        region: props.region,
        vpcId: props.vpcId,
        serviceAccount: accounts.loadBalancerController.serviceAccount,
        replicas,
        defaultTags: props.resourceTags,
      }),
    });
    new HelmChart(this, 'MetricsServer', {
      releaseName: 'metrics-server',
      namespace: 'kube-system',
      repository: 'https://kubernetes-sigs.github.io/metrics-server/',
      chart: 'metrics-server',
      version: CHART_VERSIONS.metricsServer,
      values: metricsServerValues({ replicas }),
    });
    new HelmChart(this, 'ExternalDns', {
      releaseName: 'external-dns',
      namespace: CLUSTER_SERVICES_IDENTITIES.externalDns.namespace,
      repository: 'https://kubernetes-sigs.github.io/external-dns/',
      chart: 'external-dns',
      version: CHART_VERSIONS.externalDns,
      values: externalDnsValues({
        dnsDomain: props.dnsDomain,
        hostedZoneId: props.hostedZoneId,
        ownerId: props.clusterName,
        serviceAccount: CLUSTER_SERVICES_IDENTITIES.externalDns.serviceAccount,
      }),
      dependsOn: namespaceResources,
    });
    this.externalSecrets = new HelmChart(this, 'ExternalSecrets', {
      releaseName: 'external-secrets',
      namespace: CLUSTER_SERVICES_IDENTITIES.externalSecrets.namespace,
      repository: 'https://charts.external-secrets.io',
      chart: 'external-secrets',
      version: CHART_VERSIONS.externalSecrets,
      values: externalSecretsValues({
        serviceAccount: CLUSTER_SERVICES_IDENTITIES.externalSecrets.serviceAccount,
        replicas,
      }),
      dependsOn: namespaceResources,
    });
    this.karpenter = new HelmChart(this, 'Karpenter', {
      releaseName: 'karpenter',
      namespace: accounts.karpenter.namespace,
      repository: 'oci://public.ecr.aws/karpenter',
      chart: 'karpenter',
      version: CHART_VERSIONS.karpenter,
      values: karpenterValues({
        clusterName: props.clusterName,
        clusterEndpoint: props.clusterEndpoint,
        interruptionQueue: props.karpenterInterruptionQueue,
        serviceAccount: accounts.karpenter.serviceAccount,
        replicas,
      }),
    });
    this.argoRollouts = this.createArgoRollouts(props, replicas, namespaceResources);
  }

  /** The namespaces of {@link CLUSTER_NAMESPACES}, labelled for Pod Security; a weaker level carries its reason. */
  private addNamespaces(): Record<ClusterNamespace, NamespaceV1> {
    const namespaces = {} as Record<ClusterNamespace, NamespaceV1>;
    for (const [name, podSecurity] of Object.entries(CLUSTER_NAMESPACES)) {
      const namespace = new NamespaceV1(this, `Namespace-${name}`, {
        metadata: {
          name,
          labels: {
            'pod-security.kubernetes.io/enforce': podSecurity.level,
            'pod-security.kubernetes.io/audit': 'restricted',
            'pod-security.kubernetes.io/warn': 'restricted',
          },
        },
      });
      if ('reason' in podSecurity) suppress(namespace, 'WMS_K8S_001', podSecurity.reason);
      namespaces[name as ClusterNamespace] = namespace;
    }
    return namespaces;
  }

  /** The default StorageClass: encrypted gp3 with the cluster's key, kept when its claim is deleted. */
  private addStorageClass(kmsKeyId: string): void {
    new StorageClassV1(this, 'Gp3StorageClass', {
      metadata: {
        name: 'gp3-encrypted',
        annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
      },
      storageProvisioner: 'ebs.csi.aws.com',
      reclaimPolicy: 'Retain',
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
      parameters: { type: 'gp3', encrypted: 'true', kmsKeyId, fsType: 'ext4' },
    });
  }

  /**
   * Argo Rollouts: shifts the WMS traffic by ALB weights (through the load balancer controller's Ingress actions)
   * and aborts on failed analysis. Issue #15.
   * @see https://argoproj.github.io/argo-rollouts/features/traffic-management/alb/
   */
  private createArgoRollouts(
    props: ClusterServicesProps,
    replicas: number,
    namespaceResources: NamespaceV1[],
  ): HelmChart<ArgoRolloutsValues> {
    return new HelmChart(this, 'ArgoRollouts', {
      releaseName: ARGO_ROLLOUTS.release,
      namespace: ARGO_ROLLOUTS.namespace,
      repository: 'https://argoproj.github.io/argo-helm',
      chart: 'argo-rollouts',
      version: CHART_VERSIONS.argoRollouts,
      values: argoRolloutsValues({ region: props.region, imageTag: ARGO_ROLLOUTS_VERSION, replicas }),
      dependsOn: [...namespaceResources, this.loadBalancerController.release],
    });
  }
}
