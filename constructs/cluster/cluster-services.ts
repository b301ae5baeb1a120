import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { StorageClassV1 } from '@cdktf/provider-kubernetes/lib/storage-class-v1';
import { Construct } from 'constructs';
import { suppress } from '../../guardrails/suppress';
import { WORKLOAD_SERVICE_ACCOUNTS, NODE_POOL_LABEL } from './eks-cluster';
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
  namespace: 'argo-rollouts',
  release: 'argo-rollouts',
  metricsPort: 8090,
} as const;

/** Kubernetes resource requests and limits. */
export interface ResourceRequirements {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

/** Where a controller runs and what it reserves (each chart's key names, checked by WMS_HELM_001). */
interface Placement {
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly resources: ResourceRequirements;
}

/** Placement of charts whose replica count is `replicaCount`. */
interface ReplicatedPlacement extends Placement {
  readonly replicaCount: number;
}

/** Values of eks/aws-load-balancer-controller (the subset we set). */
export interface LoadBalancerControllerValues extends ReplicatedPlacement {
  readonly clusterName: string;
  readonly region: string;
  /** Set explicitly: with IMDS hop limit 1 the controller cannot discover it from the node. */
  readonly vpcId: string;
  readonly serviceAccount: { readonly create: true; readonly name: string };
  readonly podDisruptionBudget: { readonly maxUnavailable: number };
  readonly defaultSSLPolicy: string;
  readonly enableServiceMutatorWebhook: boolean;
}

/** Values of metrics-server/metrics-server (the subset we set). */
export interface MetricsServerValues extends Placement {
  /** The chart's replica count (not `replicaCount`, which it ignores). */
  readonly replicas: number;
  readonly podDisruptionBudget: { readonly enabled: boolean; readonly maxUnavailable: number };
}

/** Values of external-dns/external-dns (the subset we set). */
export interface ExternalDnsValues extends Placement {
  readonly provider: { readonly name: 'aws' };
  /** Required by the chart: `sync` creates and deletes the records this cluster owns (see txtOwnerId). */
  readonly policy: 'sync' | 'upsert-only' | 'create-only';
  readonly sources: readonly string[];
  readonly domainFilters: readonly string[];
  readonly txtOwnerId: string;
  readonly extraArgs: readonly string[];
  readonly serviceAccount: { readonly create: true; readonly name: string };
}

/** Values of external-secrets/external-secrets (the subset we set). */
export interface ExternalSecretsValues extends ReplicatedPlacement {
  readonly installCRDs: true;
  readonly serviceAccount: { readonly create: true; readonly name: string };
  readonly webhook: ReplicatedPlacement;
  readonly certController: ReplicatedPlacement;
}

/** Values of karpenter/karpenter (the subset we set). */
export interface KarpenterValues {
  /** The chart's replica count (not `replicaCount`, which it ignores). */
  readonly replicas: number;
  readonly nodeSelector: Readonly<Record<string, string>>;
  /** The controller container's resources: the chart reads `controller.resources`, not a top-level `resources`. */
  readonly controller: { readonly resources: ResourceRequirements };
  readonly settings: {
    readonly clusterName: string;
    readonly clusterEndpoint: string;
    readonly interruptionQueue: string;
  };
  readonly serviceAccount: { readonly create: true; readonly name: string };
  readonly podDisruptionBudget: { readonly name: string; readonly maxUnavailable: number };
}

/** Values of argoproj/argo-rollouts (the subset we set). */
export interface ArgoRolloutsValues {
  /** The chart installs (and on uninstall keeps) the Rollout, AnalysisTemplate, AnalysisRun... CRDs. */
  readonly installCRDs: true;
  readonly keepCRDs: true;
  readonly controller: {
    readonly replicas: number;
    readonly image: { readonly tag: string };
    readonly nodeSelector: Readonly<Record<string, string>>;
    readonly resources: ResourceRequirements;
    /** The AWS SDK reads the region from the environment; the controller has no --aws-region flag (#2099). */
    readonly extraEnv: readonly { readonly name: string; readonly value: string }[];
    /**
     * The metrics Service only: the ServiceMonitor CRD comes with the monitoring stack, after this one, so the
     * monitoring stack selects this Service itself.
     */
    readonly metrics: { readonly enabled: true; readonly serviceMonitor: { readonly enabled: false } };
  };
  readonly dashboard: { readonly enabled: false };
}

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

const SYSTEM_NODES = { [NODE_POOL_LABEL]: 'system' };

function resources(cpu: string, memory: string): ResourceRequirements {
  return { requests: { cpu, memory }, limits: { cpu, memory } };
}

/**
 * The controllers the WMS needs in every cluster, each a pinned Helm release on the on-demand `system` nodes:
 * AWS Load Balancer Controller, metrics-server, external-dns, External Secrets Operator and Karpenter, plus their
 * namespaces (Pod Security labels) and the encrypted gp3 default StorageClass. Custom resources of these charts
 * (ClusterSecretStore, NodePools) live in a later stack: the kubernetes provider needs a CRD at plan time
 * (hashicorp/terraform-provider-kubernetes#1367).
 */
export class ClusterServices extends Construct {
  /** Namespace name of each namespace created here. */
  readonly namespaces: Readonly<Record<keyof typeof CLUSTER_NAMESPACES, string>>;
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

    const namespaces = {} as Record<keyof typeof CLUSTER_NAMESPACES, string>;
    const namespaceResources: NamespaceV1[] = [];
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
      namespaces[name as keyof typeof CLUSTER_NAMESPACES] = namespace.metadata.name;
      namespaceResources.push(namespace);
    }
    this.namespaces = namespaces;

    new StorageClassV1(this, 'Gp3StorageClass', {
      metadata: {
        name: 'gp3-encrypted',
        annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
      },
      storageProvisioner: 'ebs.csi.aws.com',
      reclaimPolicy: 'Retain',
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
      parameters: { type: 'gp3', encrypted: 'true', kmsKeyId: props.volumeKmsKeyArn, fsType: 'ext4' },
    });

    const accounts = WORKLOAD_SERVICE_ACCOUNTS;
    this.loadBalancerController = new HelmChart<LoadBalancerControllerValues>(
      this,
      'AwsLoadBalancerController',
      {
        releaseName: 'aws-load-balancer-controller',
        namespace: accounts.loadBalancerController.namespace,
        repository: 'https://aws.github.io/eks-charts',
        chart: 'aws-load-balancer-controller',
        version: CHART_VERSIONS.awsLoadBalancerController,
        values: {
          clusterName: props.clusterName,
          region: props.region,
          vpcId: props.vpcId,
          serviceAccount: { create: true, name: accounts.loadBalancerController.serviceAccount },
          replicaCount: Math.max(replicas, 2),
          podDisruptionBudget: { maxUnavailable: 1 },
          defaultSSLPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
          enableServiceMutatorWebhook: false,
          nodeSelector: SYSTEM_NODES,
          resources: resources('100m', '256Mi'),
        },
      },
    );

    new HelmChart<MetricsServerValues>(this, 'MetricsServer', {
      releaseName: 'metrics-server',
      namespace: 'kube-system',
      repository: 'https://kubernetes-sigs.github.io/metrics-server/',
      chart: 'metrics-server',
      version: CHART_VERSIONS.metricsServer,
      values: {
        replicas,
        podDisruptionBudget: { enabled: replicas > 1, maxUnavailable: 1 },
        nodeSelector: SYSTEM_NODES,
        resources: resources('100m', '200Mi'),
      },
    });

    new HelmChart<ExternalDnsValues>(this, 'ExternalDns', {
      releaseName: 'external-dns',
      namespace: accounts.externalDns.namespace,
      repository: 'https://kubernetes-sigs.github.io/external-dns/',
      chart: 'external-dns',
      version: CHART_VERSIONS.externalDns,
      values: {
        provider: { name: 'aws' },
        policy: 'sync',
        sources: ['ingress'],
        domainFilters: [props.dnsDomain],
        // Records carry this owner in their TXT registry entry: external-dns deletes only records it created.
        txtOwnerId: props.clusterName,
        extraArgs: [`--zone-id-filter=${props.hostedZoneId}`, '--aws-zone-type=public'],
        serviceAccount: { create: true, name: accounts.externalDns.serviceAccount },
        nodeSelector: SYSTEM_NODES,
        resources: resources('50m', '128Mi'),
      },
      dependsOn: namespaceResources,
    });

    const esoPlacement = {
      replicaCount: replicas,
      nodeSelector: SYSTEM_NODES,
      resources: resources('100m', '256Mi'),
    };
    this.externalSecrets = new HelmChart<ExternalSecretsValues>(this, 'ExternalSecrets', {
      releaseName: 'external-secrets',
      namespace: accounts.externalSecrets.namespace,
      repository: 'https://charts.external-secrets.io',
      chart: 'external-secrets',
      version: CHART_VERSIONS.externalSecrets,
      values: {
        ...esoPlacement,
        installCRDs: true,
        serviceAccount: { create: true, name: accounts.externalSecrets.serviceAccount },
        webhook: esoPlacement,
        certController: esoPlacement,
      },
      dependsOn: namespaceResources,
    });

    this.karpenter = new HelmChart<KarpenterValues>(this, 'Karpenter', {
      releaseName: 'karpenter',
      namespace: accounts.karpenter.namespace,
      repository: 'oci://public.ecr.aws/karpenter',
      chart: 'karpenter',
      version: CHART_VERSIONS.karpenter,
      values: {
        settings: {
          clusterName: props.clusterName,
          clusterEndpoint: props.clusterEndpoint,
          interruptionQueue: props.karpenterInterruptionQueue,
        },
        serviceAccount: { create: true, name: accounts.karpenter.serviceAccount },
        replicas: Math.max(replicas, 2),
        podDisruptionBudget: { name: 'karpenter', maxUnavailable: 1 },
        // Karpenter must not run on the nodes it manages: the managed system group hosts it.
        nodeSelector: SYSTEM_NODES,
        controller: { resources: resources('500m', '1Gi') },
      },
    });

    this.argoRollouts = this.createArgoRollouts(props, replicas, namespaceResources);
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
    return new HelmChart<ArgoRolloutsValues>(this, 'ArgoRollouts', {
      releaseName: ARGO_ROLLOUTS.release,
      namespace: ARGO_ROLLOUTS.namespace,
      repository: 'https://argoproj.github.io/argo-helm',
      chart: 'argo-rollouts',
      version: CHART_VERSIONS.argoRollouts,
      values: {
        installCRDs: true,
        keepCRDs: true,
        controller: {
          replicas: Math.max(replicas, 2),
          image: { tag: ARGO_ROLLOUTS_VERSION },
          nodeSelector: SYSTEM_NODES,
          resources: resources('100m', '256Mi'),
          extraEnv: [{ name: 'AWS_REGION', value: props.region }],
          metrics: { enabled: true, serviceMonitor: { enabled: false } },
        },
        dashboard: { enabled: false },
      },
      dependsOn: [...namespaceResources, this.loadBalancerController.release],
    });
  }
}
