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

/**
 * Kubernetes group of the pull-request plan role's access entry. The plan role reads no Secret through its access
 * policy (AmazonEKSViewPolicy); RBAC gives this group `get` on exactly the Secrets Terraform manages, by name (the
 * kubernetes provider refreshes a `kubernetes_secret_v1` with one GET), and nothing else.
 */
export const PLAN_SECRET_READERS_GROUP = 'wms:plan-secret-readers';

/**
 * Where the helm provider keeps Helm's release records: ConfigMaps (`helm_driver`), not Secrets (Helm's default).
 * The plan role must read the records to refresh a `helm_release`, and Helm lists them by label, which RBAC cannot
 * narrow to Helm's own Secrets: with Secrets, the plan role would read every Secret of each release namespace.
 * ConfigMaps are readable through AmazonEKSViewPolicy. What the records hold is then readable by the view roles
 * (plan, read-only): the chart, the values (ours hold no credentials: they name Secrets, `existingSecret`) and the
 * rendered manifest (docs/delivery.md#helm-release-records lists the charts that render a Secret with data).
 * Honoured by terraform-provider-helm 3.1.1 (`helm_driver`, else HELM_DRIVER; helm/provider.go at v3.1.1).
 */
export const HELM_STORAGE_DRIVER = 'configmap';

/**
 * An EKS-optimized AMI release version as managed node groups take it (`release_version`):
 * `<Kubernetes major.minor.patch>-<YYYYMMDD>`, e.g. `1.35.6-20260714` (the "Release version" rows of the
 * awslabs/amazon-eks-ami release notes; the date is the release tag `v20260714`). Groups: Kubernetes minor, date.
 * @see https://docs.aws.amazon.com/eks/latest/userguide/eks-linux-ami-versions.html
 */
export const NODE_AMI_RELEASE_VERSION = /^(\d+\.\d+)\.\d+-(\d{8})$/;

/**
 * Karpenter's EC2NodeClass `amiSelectorTerms` alias of the same AL2023 release: `al2023@v<YYYYMMDD>`, or
 * `al2023@latest` without a pinned release (Karpenter then drifts nodes to every new release).
 * @see https://karpenter.sh/docs/concepts/nodeclasses/#specamiselectorterms
 */
export function karpenterAmiAlias(releaseVersion: string | undefined): string {
  if (releaseVersion === undefined) return 'al2023@latest';
  const match = NODE_AMI_RELEASE_VERSION.exec(releaseVersion);
  if (!match) throw new Error(`node AMI release version: "${releaseVersion}" is not like 1.35.6-20260714`);
  return `al2023@v${match[2]}`;
}
