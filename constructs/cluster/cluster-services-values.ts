/**
 * Typed values of the controller charts {@link ClusterServices} installs (`constructs/cluster/cluster-services.ts`):
 * the subset of each chart's values we set (key names checked by WMS_HELM_001 against the chart sources of the
 * pinned versions), built by pure functions of typed inputs so they are tested without a synth. Every controller
 * runs on the on-demand `system` nodes.
 */
import { NODE_POOL_LABEL } from './eks-cluster';

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
  /** Tags of every AWS resource the controller creates. */
  readonly defaultTags?: Readonly<Record<string, string>>;
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

/** The on-demand `system` nodes every controller runs on. */
export const SYSTEM_NODES: Readonly<Record<string, string>> = { [NODE_POOL_LABEL]: 'system' };

/** Requests equal to limits (guaranteed QoS for the controllers). */
export function resources(cpu: string, memory: string): ResourceRequirements {
  return { requests: { cpu, memory }, limits: { cpu, memory } };
}

/**
 * Values of the AWS Load Balancer Controller for the cluster's VPC and region, with a TLS 1.3 policy; at least
 * two replicas (its webhook admits every Ingress and Service), whatever `replicas` says.
 */
export function loadBalancerControllerValues(input: {
  readonly clusterName: string;
  readonly region: string;
  readonly vpcId: string;
  readonly serviceAccount: string;
  readonly replicas: number;
  readonly defaultTags?: Readonly<Record<string, string>>;
}): LoadBalancerControllerValues {
  return {
    clusterName: input.clusterName,
    region: input.region,
    vpcId: input.vpcId,
    serviceAccount: { create: true, name: input.serviceAccount },
    replicaCount: Math.max(input.replicas, 2),
    podDisruptionBudget: { maxUnavailable: 1 },
    defaultSSLPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
    enableServiceMutatorWebhook: false,
    ...(input.defaultTags ? { defaultTags: { ...input.defaultTags } } : {}),
    nodeSelector: SYSTEM_NODES,
    resources: resources('100m', '256Mi'),
  };
}

/** Values of metrics-server: `replicas` copies, with a disruption budget when more than one. */
export function metricsServerValues(input: { readonly replicas: number }): MetricsServerValues {
  return {
    replicas: input.replicas,
    podDisruptionBudget: { enabled: input.replicas > 1, maxUnavailable: 1 },
    nodeSelector: SYSTEM_NODES,
    resources: resources('100m', '200Mi'),
  };
}

/**
 * Values of external-dns: records of Ingresses in `dnsDomain` of the public zone `hostedZoneId` only, owned by
 * `ownerId` (it deletes only the records it created).
 */
export function externalDnsValues(input: {
  readonly dnsDomain: string;
  readonly hostedZoneId: string;
  readonly ownerId: string;
  readonly serviceAccount: string;
}): ExternalDnsValues {
  return {
    provider: { name: 'aws' },
    policy: 'sync',
    sources: ['ingress'],
    domainFilters: [input.dnsDomain],
    // Records carry this owner in their TXT registry entry: external-dns deletes only records it created.
    txtOwnerId: input.ownerId,
    extraArgs: [`--zone-id-filter=${input.hostedZoneId}`, '--aws-zone-type=public'],
    serviceAccount: { create: true, name: input.serviceAccount },
    nodeSelector: SYSTEM_NODES,
    resources: resources('50m', '128Mi'),
  };
}

/** Values of the External Secrets Operator: its CRDs, and `replicas` of the controller, webhook and cert controller. */
export function externalSecretsValues(input: {
  readonly serviceAccount: string;
  readonly replicas: number;
}): ExternalSecretsValues {
  const placement = {
    replicaCount: input.replicas,
    nodeSelector: SYSTEM_NODES,
    resources: resources('100m', '256Mi'),
  };
  return {
    ...placement,
    installCRDs: true,
    serviceAccount: { create: true, name: input.serviceAccount },
    webhook: placement,
    certController: placement,
  };
}

/** Values of Karpenter: the cluster, its interruption queue, and at least two replicas on the system nodes. */
export function karpenterValues(input: {
  readonly clusterName: string;
  readonly clusterEndpoint: string;
  readonly interruptionQueue: string;
  readonly serviceAccount: string;
  readonly replicas: number;
}): KarpenterValues {
  return {
    settings: {
      clusterName: input.clusterName,
      clusterEndpoint: input.clusterEndpoint,
      interruptionQueue: input.interruptionQueue,
    },
    serviceAccount: { create: true, name: input.serviceAccount },
    replicas: Math.max(input.replicas, 2),
    podDisruptionBudget: { name: 'karpenter', maxUnavailable: 1 },
    // Karpenter must not run on the nodes it manages: the managed system group hosts it.
    nodeSelector: SYSTEM_NODES,
    controller: { resources: resources('500m', '1Gi') },
  };
}

/**
 * Values of Argo Rollouts: its CRDs (kept on uninstall), at least two controllers of image `imageTag` with the
 * region in their environment, the metrics Service on, the dashboard off.
 */
export function argoRolloutsValues(input: {
  readonly region: string;
  readonly imageTag: string;
  readonly replicas: number;
}): ArgoRolloutsValues {
  return {
    installCRDs: true,
    keepCRDs: true,
    controller: {
      replicas: Math.max(input.replicas, 2),
      image: { tag: input.imageTag },
      nodeSelector: SYSTEM_NODES,
      resources: resources('100m', '256Mi'),
      extraEnv: [{ name: 'AWS_REGION', value: input.region }],
      metrics: { enabled: true, serviceMonitor: { enabled: false } },
    },
    dashboard: { enabled: false },
  };
}
