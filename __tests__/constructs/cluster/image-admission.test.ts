import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { ImageAdmission, KYVERNO_CHART_VERSION } from '../../../constructs/cluster/image-admission';
import type { ImagePolicyProps } from '../../../constructs/cluster/image-policy';
import {
  ADMISSION_EXEMPT_NAMESPACES,
  GITHUB_ACTIONS_ISSUER,
  ImagePolicy,
} from '../../../constructs/cluster/image-policy';
import { CLUSTER_NAMESPACES } from '../../../constructs/cluster/cluster-services';
import { checkStacks } from '../../../guardrails/engine';
import { listOfType, synthJson } from '../../support/synth';

const REGISTRY = '333333333333.dkr.ecr.eu-west-1.amazonaws.com';
const SIGNER =
  '^https://github\\.com/acme/wms-platform/\\.github/workflows/build-image\\.yml@refs/heads/main$';

function stackWith(build: (stack: TerraformStack) => void) {
  const stack = new TerraformStack(Testing.app(), 'test');
  new KubernetesProvider(stack, 'K8s', {});
  new HelmProvider(stack, 'Helm', {});
  build(stack);
  return { stack, json: synthJson(stack) };
}
const findings = (stack: TerraformStack) =>
  checkStacks([{ stackName: 'test', json: stack.toTerraform() }]).stacks[0].findings;

type Rule = Record<string, Record<string, unknown>> & { name: string };
function policy(overrides: Partial<ImagePolicyProps> = {}) {
  const { stack, json } = stackWith((s) => {
    new ImagePolicy(s, 'ImagePolicy', { registry: REGISTRY, signerSubjectRegExp: SIGNER, ...overrides });
  });
  const [manifest] = listOfType(json, 'kubernetes_manifest').map(
    (m) => m.manifest as { kind: string; spec: { rules: Rule[]; webhookConfiguration: unknown } },
  );
  return { stack, manifest, rules: manifest.spec.rules };
}

describe('ImageAdmission', () => {
  const { stack, json } = stackWith((s) => new ImageAdmission(s, 'Admission'));
  const [release] = listOfType(json, 'helm_release');

  it('installs the pinned Kyverno chart in its namespace, 3 admission replicas by default (replicas: 3)', () => {
    expect(release).toMatchObject({ chart: 'kyverno', version: KYVERNO_CHART_VERSION, namespace: 'kyverno' });
    expect(KYVERNO_CHART_VERSION).toBe('3.9.0');
    expect(String(release.values)).toMatch(/replicas: 3/);
  });

  it("passes the guardrails: every value is a key of the chart's catalogue entry (WMS_HELM_001)", () => {
    expect(findings(stack)).toEqual([]);
  });

  it('GIVEN replicas 0 THEN refuses', () => {
    expect(() => stackWith((s) => new ImageAdmission(s, 'Admission', { replicas: 0 }))).toThrow(
      /Admission: replicas: 0 is not allowed \(a whole number from 1 to 7\)/,
    );
  });
});

describe('ImagePolicy', () => {
  const { stack, manifest, rules } = policy();

  it('is a ClusterPolicy valid against the CRD schema of Kyverno 1.19 (WMS_CRD_001)', () => {
    expect(manifest.kind).toBe('ClusterPolicy');
    expect(findings(stack)).toEqual([]);
  });

  it('fails closed and enforces by default (failureAction: Enforce)', () => {
    expect(manifest.spec.webhookConfiguration).toEqual({ failurePolicy: 'Fail', timeoutSeconds: 30 });
    expect(
      rules.map(
        (rule) => rule.validate?.failureAction ?? (rule.verifyImages as unknown as Rule[])[0].failureAction,
      ),
    ).toEqual(['Enforce', 'Enforce']);
  });

  it('allows only our registry, for every kind of container', () => {
    expect(rules[0].validate.pattern).toEqual({
      spec: {
        '=(ephemeralContainers)': [{ image: `${REGISTRY}/*` }],
        '=(initContainers)': [{ image: `${REGISTRY}/*` }],
        containers: [{ image: `${REGISTRY}/*` }],
      },
    });
  });

  it("requires a keyless Sigstore bundle signature by the build workflow, and pins the image's digest", () => {
    const [verify] = rules[1].verifyImages as unknown as Record<string, unknown>[];
    expect(verify).toMatchObject({
      imageReferences: [`${REGISTRY}/*`],
      type: 'SigstoreBundle',
      required: true,
      verifyDigest: true,
      mutateDigest: true,
    });
    expect(verify.attestors).toEqual([
      {
        entries: [
          {
            keyless: {
              issuer: GITHUB_ACTIONS_ISSUER,
              subjectRegExp: SIGNER,
              rekor: { url: 'https://rekor.sigstore.dev' },
            },
          },
        ],
      },
    ]);
  });

  it('exempts exactly the listed system namespaces, each with a reason, never the WMS namespace', () => {
    const exempt = Object.keys(ADMISSION_EXEMPT_NAMESPACES);
    for (const rule of rules) expect(rule.exclude).toEqual({ any: [{ resources: { namespaces: exempt } }] });
    expect(exempt).not.toContain('wms');
    expect(exempt).not.toContain('default');
    // Every namespace the cluster services create hosts public images: it is listed, none silently.
    expect(Object.keys(CLUSTER_NAMESPACES).filter((ns) => !exempt.includes(ns))).toEqual([]);
    for (const reason of Object.values(ADMISSION_EXEMPT_NAMESPACES))
      expect(reason.length).toBeGreaterThan(20);
  });

  it('GIVEN failureAction Audit THEN both rules audit', () => {
    expect(JSON.stringify(policy({ failureAction: 'Audit' }).rules)).not.toContain('Enforce');
  });

  it('GIVEN a registry with a path or a tag THEN refuses', () => {
    expect(() => policy({ registry: `${REGISTRY}/wms-api` })).toThrow(
      /ImagePolicy: registry: ".*wms-api" is not allowed \(a registry host such as/,
    );
  });
});
