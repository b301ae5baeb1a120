/**
 * Capacity by workload class: which pods may run on Spot nodes and which must not. One place for the taint, the
 * node labels and the scheduling rules that the node pools, the WMS workloads and the Helm values share.
 *
 * - `on-demand` (the API, the controllers, stateful pods): a required node affinity that excludes every Spot node,
 *   whoever made it (Karpenter labels `karpenter.sh/capacity-type=spot`, EKS managed groups
 *   `eks.amazonaws.com/capacityType=SPOT`), and no toleration of the Spot taint.
 * - `spot` (stateless, replicated, interruption-tolerant pods): tolerates the Spot taint and prefers Spot nodes,
 *   falling back to on-demand when Spot capacity is short. Spot interruptions (2 minutes' notice) reach Karpenter
 *   through its interruption queue, which cordons and drains the node before it goes.
 */

/** The class of capacity a workload may run on. */
export type CapacityClass = 'on-demand' | 'spot';

/** Taint on every Spot node (Kubernetes form): only pods that tolerate it, i.e. accept interruption, run there. */
export const SPOT_TAINT = { key: 'wms/spot', value: 'true', effect: 'NoSchedule' } as const;

/** The capacity-type label Karpenter puts on its nodes: `spot`, `on-demand` or `reserved`. */
export const KARPENTER_CAPACITY_TYPE_LABEL = 'karpenter.sh/capacity-type';

/** The capacity-type label EKS puts on the nodes of managed node groups: `ON_DEMAND` or `SPOT`. */
export const EKS_CAPACITY_TYPE_LABEL = 'eks.amazonaws.com/capacityType';

/** A node selector expression (Kubernetes form). */
export interface NodeSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn';
  readonly values: readonly string[];
}

/** The expressions of a node that is not Spot: both labels, since a node carries only one of them. */
export const NOT_SPOT: readonly NodeSelectorRequirement[] = [
  { key: KARPENTER_CAPACITY_TYPE_LABEL, operator: 'NotIn', values: ['spot'] },
  { key: EKS_CAPACITY_TYPE_LABEL, operator: 'NotIn', values: ['SPOT'] },
];

/** The expression of a Karpenter Spot node (preferred by `spot` workloads). */
export const SPOT: readonly NodeSelectorRequirement[] = [
  { key: KARPENTER_CAPACITY_TYPE_LABEL, operator: 'In', values: ['spot'] },
];
