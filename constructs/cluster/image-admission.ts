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
