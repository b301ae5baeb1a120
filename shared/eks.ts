/** Facts about Amazon EKS that the environment schema (config/) and the cluster constructs share. */

/**
 * Kubernetes minor versions a cluster may run, each with the day its EKS standard support ends (UTC).
 *
 * Sources, read 2026-11-28: Amazon EKS User Guide "Understand the Kubernetes version lifecycle on EKS" (14 months
 * of standard support from the EKS release) and "Review release notes for Kubernetes versions on standard
 * support" (lists 1.36); dates from the EKS release calendar as mirrored by https://endoflife.date/amazon-eks
 * (1.35: released 2026-01-28) and the 1.36 EKS release of 2026-06-02. 1.34 is left out: its standard support ends
 * 2026-12-02. Remove a version when its date passes; the cluster's upgrade policy is STANDARD, so EKS upgrades a
 * cluster left behind instead of billing extended support.
 */
export const STANDARD_SUPPORT_KUBERNETES_VERSIONS: Readonly<Record<string, string>> = {
  '1.35': '2027-03-27',
  '1.36': '2027-08-02',
};

/** Exact versions of the EKS add-ons, e.g. `v1.21.1-eksbuild.7` (`aws eks describe-addon-versions`). */
export interface EksAddonVersions {
  /** `vpc-cni`: pod networking and network-policy enforcement. */
  readonly vpcCni: string;
  /** `coredns`: cluster DNS. */
  readonly coredns: string;
  /** `kube-proxy`: Service routing; its minor version must equal the cluster's. */
  readonly kubeProxy: string;
  /** `eks-pod-identity-agent`: hands workload identities to pods. */
  readonly podIdentityAgent: string;
  /** `aws-ebs-csi-driver`: EBS persistent volumes. */
  readonly ebsCsiDriver: string;
}

/** The IAM roles given access to the Kubernetes API through access entries. */
export interface EksAccessRoles {
  /** Human administrators (break-glass): cluster admin. */
  readonly adminRoleArn: string;
  /** Read-only access for people and tools: view, without Secrets. */
  readonly readOnlyRoleArn: string;
  /** The CI role that deploys the cluster services and the app (Helm releases with CRDs): cluster admin. */
  readonly deployRoleArn: string;
  /**
   * The CI role that plans pull requests: admin view, which includes Secrets (Helm keeps its release state in
   * Secrets, and the kubernetes provider reads them to plan).
   */
  readonly planRoleArn: string;
}
