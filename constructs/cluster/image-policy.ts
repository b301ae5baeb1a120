import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { Construct } from 'constructs';
import { propError } from '../shared/errors';

/**
 * Namespaces whose pods may run images from outside our registry, unsigned, each with why. Everything else in
 * the cluster, the WMS included, runs only signed images of our registry. kube-system is also outside Kyverno's
 * webhooks (the chart's default namespace selector), and kyverno itself is excluded by the chart.
 */
export const ADMISSION_EXEMPT_NAMESPACES: Readonly<Record<string, string>> = {
  'kube-system':
    'EKS add-ons (VPC CNI, CoreDNS, kube-proxy, EBS CSI, Pod Identity agent), load balancer controller, metrics-server and Karpenter: images from AWS and public registries',
  'argo-rollouts': 'the Argo Rollouts controller (public image, quay.io)',
  kyverno: 'the admission controller itself (public image; a webhook cannot admit its own pods)',
  'external-dns': 'external-dns (public image, registry.k8s.io)',
  'external-secrets': 'External Secrets Operator (public image, ghcr.io)',
  monitoring:
    'kube-prometheus-stack, Grafana, YACE, prometheus-adapter (public images, quay.io, docker.io, registry.k8s.io)',
  logging: 'Loki (public image, docker.io)',
  'monitoring-agents': 'node-exporter and Alloy (public images)',
};

/** GitHub Actions' OIDC issuer: keyless signatures of the build workflow carry it. */
export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';

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
