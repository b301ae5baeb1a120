import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { Construct } from 'constructs';
import { suppress } from '../../guardrails/suppress';
import { NODE_POOL_LABEL } from './eks-cluster';
import { HelmChart } from '../shared/helm-chart';
import { propError } from '../shared/errors';
import type { PolicyStatement } from '../shared/kms';

/** The Kyverno chart, pinned (app v1.19.0); renovate reads the comment (renovate.json). */
// renovate: datasource=helm depName=kyverno registryUrl=https://kyverno.github.io/kyverno/
export const KYVERNO_CHART_VERSION = '3.9.0';

/** Kyverno's admission controller: its service account reads signatures from the registry (Pod Identity role). */
export const IMAGE_ADMISSION_IDENTITY = {
  namespace: 'kyverno',
  serviceAccount: 'kyverno-admission-controller',
} as const;

/**
 * Namespaces whose pods may run images from outside our registry, unsigned, each with why. Everything else in
 * the cluster, the WMS included, runs only signed images of our registry. kube-system is also outside Kyverno's
 * webhooks (the chart's default namespace selector), and kyverno itself is excluded by the chart.
 */
export const ADMISSION_EXEMPT_NAMESPACES: Readonly<Record<string, string>> = {
  'kube-system':
    'EKS add-ons (VPC CNI, CoreDNS, kube-proxy, EBS CSI, Pod Identity agent), load balancer controller, metrics-server and Karpenter: images from AWS and public registries',
  kyverno: 'the admission controller itself (public image; a webhook cannot admit its own pods)',
  'external-dns': 'external-dns (public image, registry.k8s.io)',
  'external-secrets': 'External Secrets Operator (public image, ghcr.io)',
  monitoring: 'kube-prometheus-stack, Grafana, YACE (public images, quay.io and docker.io)',
  logging: 'Loki (public image, docker.io)',
  'monitoring-agents': 'node-exporter and Alloy (public images)',
};

/** GitHub Actions' OIDC issuer: keyless signatures of the build workflow carry it. */
export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';

/** Properties of {@link ImageAdmission}. */
export interface ImageAdmissionProps {
  /**
   * Admission controller replicas (the chart enables a PodDisruptionBudget above 1).
   * @default 3
   */
  readonly replicas?: number;
}

/**
 * The pinned admission policy controller (Kyverno): its namespace and Helm release, on the system nodes, with the
 * webhooks failing closed. The policies are custom resources, so they live in the next stack ({@link ImagePolicy}).
 * @see https://kyverno.io/docs/installation/
 */
export class ImageAdmission extends Construct {
  /** The Kyverno release: the policy stack comes after it. */
  readonly release: HelmChart<Record<string, unknown>>;

  constructor(scope: Construct, id: string, props: ImageAdmissionProps = {}) {
    super(scope, id);
    const replicas = props.replicas ?? 3;
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > 7) {
      throw propError(this, 'replicas', replicas, 'a whole number from 1 to 7');
    }
    const namespace = new NamespaceV1(this, 'Namespace', {
      metadata: {
        name: IMAGE_ADMISSION_IDENTITY.namespace,
        labels: {
          'pod-security.kubernetes.io/enforce': 'baseline',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
        },
      },
    });
    suppress(
      namespace,
      'WMS_K8S_001',
      'Kyverno comes from a third-party chart whose pods are not proven against "restricted" here (no cluster); baseline is enforced and restricted violations are audited and warned.',
    );
    const system = { nodeSelector: { [NODE_POOL_LABEL]: 'system' } };
    this.release = new HelmChart<Record<string, unknown>>(this, 'Kyverno', {
      releaseName: 'kyverno',
      namespace: IMAGE_ADMISSION_IDENTITY.namespace,
      repository: 'https://kyverno.github.io/kyverno/',
      chart: 'kyverno',
      version: KYVERNO_CHART_VERSION,
      values: {
        admissionController: {
          replicas,
          ...system,
          rbac: { serviceAccount: { name: IMAGE_ADMISSION_IDENTITY.serviceAccount } },
          container: {
            resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } },
          },
        },
        backgroundController: system,
        cleanupController: system,
        reportsController: system,
      },
      dependsOn: [namespace],
    });
  }
}

/** Properties of {@link ImagePolicy}. */
export interface ImagePolicyProps {
  /** The one registry every image must come from, e.g. `333333333333.dkr.ecr.eu-west-1.amazonaws.com`. */
  readonly registry: string;
  /**
   * The workflow whose keyless signatures are trusted, as Fulcio writes it in the certificate (a reusable
   * workflow's `job_workflow_ref`): `https://github.com/<owner>/<repo>/.github/workflows/<file>@<ref>`; a regular
   * expression.
   */
  readonly signerSubjectRegExp: string;
  /**
   * What a violation does: `Enforce` refuses the pod, `Audit` admits it and reports.
   * @default 'Enforce'
   */
  readonly failureAction?: 'Enforce' | 'Audit';
}

const REGISTRY = /^[a-z0-9.-]+(:\d+)?$/;

/**
 * The image admission policy (a Kyverno ClusterPolicy): outside the exempt namespaces, every container image
 * (init and ephemeral ones too) comes from our registry, and carries a keyless Sigstore bundle signature made by
 * the build workflow (cosign v3 bundles, verified by digest and pinned to it).
 * @see https://kyverno.io/docs/policy-types/cluster-policy/verify-images/sigstore/
 */
export class ImagePolicy extends Construct {
  /** The policy (escape hatch). */
  readonly policy: Manifest;

  constructor(scope: Construct, id: string, props: ImagePolicyProps) {
    super(scope, id);
    if (!REGISTRY.test(props.registry)) {
      throw propError(
        this,
        'registry',
        props.registry,
        'a registry host such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      );
    }
    const failureAction = props.failureAction ?? 'Enforce';
    const images = `${props.registry}/*`;
    const selection = {
      match: { any: [{ resources: { kinds: ['Pod'] } }] },
      exclude: { any: [{ resources: { namespaces: Object.keys(ADMISSION_EXEMPT_NAMESPACES) } }] },
    };
    this.policy = new Manifest(this, 'Policy', {
      manifest: {
        apiVersion: 'kyverno.io/v1',
        kind: 'ClusterPolicy',
        metadata: { name: 'wms-signed-images' },
        spec: {
          background: false,
          webhookConfiguration: { failurePolicy: 'Fail', timeoutSeconds: 30 },
          rules: [
            {
              name: 'only-our-registry',
              ...selection,
              validate: {
                failureAction,
                message: `Images must come from ${props.registry} (docs/delivery.md, "Admission").`,
                pattern: {
                  spec: {
                    '=(ephemeralContainers)': [{ image: images }],
                    '=(initContainers)': [{ image: images }],
                    containers: [{ image: images }],
                  },
                },
              },
            },
            {
              name: 'signed-by-the-build-workflow',
              ...selection,
              verifyImages: [
                {
                  imageReferences: [images],
                  type: 'SigstoreBundle',
                  failureAction,
                  required: true,
                  verifyDigest: true,
                  mutateDigest: true,
                  attestors: [
                    {
                      entries: [
                        {
                          keyless: {
                            issuer: GITHUB_ACTIONS_ISSUER,
                            subjectRegExp: props.signerSubjectRegExp,
                            rekor: { url: 'https://rekor.sigstore.dev' },
                          },
                        },
                      ],
                    },
                  ],
                },
              ],
            },
          ],
        },
      },
    });
  }
}

/**
 * What the admission controller's workload identity needs to read signatures: an ECR login, and pulls of
 * manifests and referrers from the image repositories (`<account>.dkr.ecr.<region>.amazonaws.com/<name>`, in any
 * account: the registry's repository policy lets this role in). Other registries need no statement.
 */
export function imageSignatureReaderStatements(imageRepositories: readonly string[]): PolicyStatement[] {
  const arns = imageRepositories.flatMap((image) => {
    const match = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/(.+)$/.exec(image);
    return match ? [`arn:aws:ecr:${match[2]}:${match[1]}:repository/${match[3]}`] : [];
  });
  if (arns.length === 0) return [];
  return [
    { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
    {
      Sid: 'ReadImageSignatures',
      Effect: 'Allow',
      Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:ListImages', 'ecr:DescribeImages'],
      Resource: [...new Set(arns)].sort(),
    },
  ];
}
