import { checkStack } from '../../guardrails/engine';
import { RULES } from '../../guardrails/rule-pack';

/**
 * Issue #15: an Argo Rollout's pod template meets the same Kubernetes rules as a Deployment's. The same pod,
 * once as a kubernetes_deployment_v1 (provider shape) and once as a Rollout manifest (API shape), must give the
 * same findings for every break.
 */
const POD_API_SHAPE = {
  automountServiceAccountToken: false,
  // A Spot-class pod (WMS_K8S_002): the plural API list must read as the provider's singular block.
  tolerations: [{ key: 'wms/spot', operator: 'Equal', value: 'true', effect: 'NoSchedule' }],
  securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [
    {
      name: 'api',
      image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/wms/api:1.4.2',
      securityContext: {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      },
      resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
      livenessProbe: { httpGet: { path: '/healthz', port: 8080 } },
      readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
    },
  ],
};

type Pod = typeof POD_API_SHAPE;

const snake = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(snake);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key === 'containers'
        ? 'container'
        : key === 'tolerations'
          ? 'toleration'
          : key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
      snake(inner),
    ]),
  );
};

function findings(resource: Record<string, unknown>): string[] {
  const result = checkStack({
    stackName: 'fixture',
    json: {
      '//': {
        metadata: { stackName: 'fixture', version: '0.21.0' },
        wms: { environment: 'prod', production: true },
      },
      resource,
    },
  });
  return result.findings.map((finding) => finding.ruleId).sort();
}

const asDeployment = (pod: Pod) =>
  findings({
    kubernetes_deployment_v1: {
      api: {
        metadata: { name: 'api', namespace: 'wms' },
        spec: { template: { metadata: { labels: { app: 'api' } }, spec: snake(pod) } },
      },
    },
  });

const asRollout = (pod: Pod, kind = 'Rollout') =>
  findings({
    kubernetes_manifest: {
      api: {
        manifest: {
          apiVersion: 'argoproj.io/v1alpha1',
          kind,
          metadata: { name: 'api', namespace: 'wms' },
          spec: { template: { metadata: { labels: { app: 'api' } }, spec: pod } },
        },
      },
    },
  });

const BREAKS: [string, (pod: Pod) => void][] = [
  ['a privileged container', (pod) => Object.assign(pod.containers[0].securityContext, { privileged: true })],
  ['privilege escalation', (pod) => (pod.containers[0].securityContext.allowPrivilegeEscalation = true)],
  ['a writable root filesystem', (pod) => (pod.containers[0].securityContext.readOnlyRootFilesystem = false)],
  ['root', (pod) => Object.assign(pod.securityContext, { runAsNonRoot: false, runAsUser: 0 })],
  ['the host network', (pod) => Object.assign(pod, { hostNetwork: true })],
  [
    'no limits',
    (pod) => delete (pod.containers[0].resources as Partial<Pod['containers'][0]['resources']>).limits,
  ],
  ['no probes', (pod) => delete (pod.containers[0] as Partial<Pod['containers'][0]>).livenessProbe],
];

describe('guardrails on Argo Rollouts (kubernetes_manifest kind Rollout)', () => {
  it('the compliant pod passes as a Deployment and as a Rollout', () => {
    expect(asDeployment(POD_API_SHAPE)).toEqual([]);
    expect(asRollout(POD_API_SHAPE)).toEqual([]);
  });

  it.each(BREAKS)('%s: the Rollout gets the same findings as the Deployment', (_name, breakPod) => {
    const pod = structuredClone(POD_API_SHAPE);
    breakPod(pod);
    const expected = asDeployment(pod);
    expect(expected.length).toBeGreaterThan(0);
    expect(asRollout(pod)).toEqual(expected);
  });

  it('other manifests (an AnalysisTemplate) are not read as workloads', () => {
    const pod = structuredClone(POD_API_SHAPE);
    Object.assign(pod, { hostNetwork: true });
    // (The schema rule reports the template field an AnalysisTemplate does not have; no workload rule runs.)
    expect(asRollout(pod, 'AnalysisTemplate').filter((id) => id !== 'WMS_CRD_001')).toEqual([]);
  });

  it('every workload rule covers kubernetes_manifest', () => {
    const workloadRules = RULES.filter((rule) => rule.resourceTypes.includes('kubernetes_deployment_v1'));
    expect(workloadRules.length).toBeGreaterThan(5);
    for (const rule of workloadRules) expect(rule.resourceTypes).toContain('kubernetes_manifest');
  });
});
