import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { TerraformOutput, TerraformStack, Testing } from 'cdktf';
import { parse } from 'yaml';
import type { ClusterServicesProps } from '../../../constructs/cluster/cluster-services';
import {
  ARGO_ROLLOUTS_VERSION,
  CHART_VERSIONS,
  CLUSTER_NAMESPACES,
  ClusterServices,
} from '../../../constructs/cluster/cluster-services';
import { checkStacks } from '../../../guardrails/engine';
import { listOfType, synthJson } from '../../support/synth';

const COST_TAGS = {
  Project: 'wms',
  Environment: 'test',
  Owner: 'platform-team',
  CostCentre: 'wms-test',
  ManagedBy: 'cdktf',
  Repository: 'acme/wms-platform',
};

const BASE: ClusterServicesProps = {
  resourceTags: COST_TAGS,
  clusterName: 'wms-test-eks',
  clusterEndpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
  region: 'eu-west-1',
  vpcId: 'vpc-0123',
  dnsDomain: 'test.wms.example.com',
  hostedZoneId: 'Z0123456789',
  volumeKmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/abc',
  karpenterInterruptionQueue: 'wms-test-eks-karpenter',
};

function build(overrides: Partial<ClusterServicesProps> = {}) {
  const stack = new TerraformStack(Testing.app(), 'test');
  new KubernetesProvider(stack, 'K8s', {});
  new HelmProvider(stack, 'Helm', {});
  new ClusterServices(stack, 'ClusterServices', { ...BASE, ...overrides });
  return { stack, json: synthJson(stack) };
}

type Row = Record<string, unknown>;
const releases = (json: ReturnType<typeof synthJson>) =>
  Object.fromEntries(listOfType(json, 'helm_release').map((r) => [r.name as string, r]));
const valuesOf = (release: Row) => parse((release.values as string[])[0]) as Record<string, unknown>;

describe('ClusterServices', () => {
  describe('defaults', () => {
    const { stack, json } = build();
    const byName = releases(json);

    it('exposes each namespace it creates by its key, as a reference to the namespace resource', () => {
      const app = Testing.app();
      const own = new TerraformStack(app, 'namespaces');
      new KubernetesProvider(own, 'K8s', {});
      new HelmProvider(own, 'Helm', {});
      const created = new ClusterServices(own, 'ClusterServices', BASE);
      expect(Object.keys(created.namespaces)).toEqual(Object.keys(CLUSTER_NAMESPACES));
      for (const [key, name] of Object.entries(created.namespaces))
        new TerraformOutput(own, `ns-${key}`, { value: name });
      const synthesized = synthJson(own);
      const addresses = Object.fromEntries(
        Object.entries(synthesized.resource?.kubernetes_namespace_v1 ?? {}).map(([id, resource]) => [
          (resource.metadata as Row).name,
          id,
        ]),
      );
      for (const key of Object.keys(CLUSTER_NAMESPACES)) {
        expect((synthesized.output as Record<string, Row>)[`ns-${key}`].value).toBe(
          `\${kubernetes_namespace_v1.${addresses[key]}.metadata[0].name}`,
        );
      }
    });

    it('installs each controller chart at its pinned version, atomically, with bounded history', () => {
      expect(Object.keys(byName).sort()).toEqual([
        'argo-rollouts',
        'aws-load-balancer-controller',
        'external-dns',
        'external-secrets',
        'karpenter',
        'metrics-server',
      ]);
      expect(byName['aws-load-balancer-controller'].version).toBe(CHART_VERSIONS.awsLoadBalancerController);
      expect(byName.karpenter.version).toBe(CHART_VERSIONS.karpenter);
      for (const release of Object.values(byName)) {
        expect(release).toMatchObject({
          atomic: true,
          cleanup_on_fail: true,
          wait: true,
          max_history: 10,
          timeout: 600,
        });
        expect(release.version).toMatch(/^\d+\.\d+\.\d+$/);
      }
    });

    // Each chart's own key names (checked against the chart sources by WMS_HELM_001): Helm ignores any other.
    const REPLICAS_KEY: Record<string, string> = {
      'aws-load-balancer-controller': 'replicaCount',
      'external-secrets': 'replicaCount',
      karpenter: 'replicas',
      'metrics-server': 'replicas',
    };
    const resourcesOf = (name: string) => {
      const values = valuesOf(byName[name]);
      return name === 'karpenter' ? (values.controller as Row).resources : values.resources;
    };

    it('runs the controllers highly available on the on-demand system nodes, under the keys each chart reads', () => {
      for (const [name, replicasKey] of Object.entries(REPLICAS_KEY)) {
        const values = valuesOf(byName[name]);
        expect(values[replicasKey]).toBe(2);
        expect(values).not.toHaveProperty(replicasKey === 'replicas' ? 'replicaCount' : 'replicas');
        expect(values.nodeSelector).toEqual({ 'wms/node-pool': 'system' });
        expect(resourcesOf(name)).toEqual({
          requests: expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }),
          limits: expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }),
        });
      }
    });

    it("gives Karpenter's controller container its resources (the chart has no top-level resources key)", () => {
      const values = valuesOf(byName.karpenter);
      expect(values).not.toHaveProperty('resources');
      expect((values.controller as Row).resources).toEqual({
        requests: { cpu: '500m', memory: '1Gi' },
        limits: { cpu: '500m', memory: '1Gi' },
      });
    });

    it('configures the load balancer controller for this VPC and region with a TLS 1.3 policy', () => {
      expect(valuesOf(byName['aws-load-balancer-controller'])).toMatchObject({
        podDisruptionBudget: { maxUnavailable: 1 },
        defaultSSLPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
        vpcId: 'vpc-0123',
        region: 'eu-west-1',
      });
    });

    it('names the service accounts the Pod Identity associations expect', () => {
      expect(valuesOf(byName['aws-load-balancer-controller']).serviceAccount).toEqual({
        create: true,
        name: 'aws-load-balancer-controller',
      });
      expect(byName['external-dns'].namespace).toBe('external-dns');
      expect(byName['external-secrets'].namespace).toBe('external-secrets');
      expect(byName.karpenter.namespace).toBe('kube-system');
    });

    it('scopes external-dns to the environment zone with an explicit policy and owner', () => {
      expect(valuesOf(byName['external-dns'])).toMatchObject({
        policy: 'sync',
        domainFilters: ['test.wms.example.com'],
        txtOwnerId: 'wms-test-eks',
        extraArgs: ['--zone-id-filter=Z0123456789', '--aws-zone-type=public'],
      });
    });

    it('points Karpenter at the cluster and its interruption queue', () => {
      expect(valuesOf(byName.karpenter).settings).toEqual({
        clusterName: 'wms-test-eks',
        clusterEndpoint: BASE.clusterEndpoint,
        interruptionQueue: 'wms-test-eks-karpenter',
      });
    });

    it('makes an encrypted gp3 class the default, with the cluster key', () => {
      expect(listOfType(json, 'kubernetes_storage_class_v1')).toEqual([
        expect.objectContaining({
          metadata: expect.objectContaining({
            annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
          }),
          storage_provisioner: 'ebs.csi.aws.com',
          parameters: expect.objectContaining({
            type: 'gp3',
            encrypted: 'true',
            kmsKeyId: BASE.volumeKmsKeyArn,
          }),
        }),
      ]);
    });

    it('labels every namespace for Pod Security, auditing and warning on restricted everywhere', () => {
      const namespaces = listOfType(json, 'kubernetes_namespace_v1').map((n) => n.metadata as Row);
      expect(namespaces.map((n) => n.name).sort()).toEqual(Object.keys(CLUSTER_NAMESPACES).sort());
      for (const namespace of namespaces) {
        const labels = namespace.labels as Record<string, string>;
        expect(labels['pod-security.kubernetes.io/audit']).toBe('restricted');
        expect(labels['pod-security.kubernetes.io/warn']).toBe('restricted');
        expect(labels['pod-security.kubernetes.io/enforce']).toBe(
          CLUSTER_NAMESPACES[namespace.name as keyof typeof CLUSTER_NAMESPACES].level,
        );
      }
    });

    it('tags what the load balancer controller creates with the cost tags (chart defaultTags)', () => {
      expect(valuesOf(byName['aws-load-balancer-controller']).defaultTags).toEqual(COST_TAGS);
      const untagged = releases(build({ resourceTags: undefined }).json)['aws-load-balancer-controller'];
      expect(valuesOf(untagged).defaultTags).toBeUndefined();
    });

    it('passes the guardrails, the weaker namespaces only with their recorded reasons', () => {
      const report = checkStacks([{ stackName: 'test', json: stack.toTerraform() }]);
      const [result] = report.stacks;
      expect(result.findings).toEqual([]);
      expect(result.stale).toEqual([]);
      expect(result.suppressed.map((s) => s.ruleId)).toEqual(['WMS_K8S_001', 'WMS_K8S_001', 'WMS_K8S_001']);
      // WMS_HELM_001 ran on the six releases: every values key is one its chart reads.
      expect(listOfType(json, 'helm_release')).toHaveLength(6);
    });

    it('installs Argo Rollouts v1.9.1 with its CRDs after the load balancer controller, metrics on, dashboard off', () => {
      const release = byName['argo-rollouts'];
      expect(release).toMatchObject({ namespace: 'argo-rollouts', version: CHART_VERSIONS.argoRollouts });
      expect(release.depends_on).toEqual(
        expect.arrayContaining([
          expect.stringContaining('helm_release.ClusterServices_AwsLoadBalancerController'),
        ]),
      );
      expect(valuesOf(release)).toEqual({
        installCRDs: true,
        keepCRDs: true,
        controller: {
          replicas: 2,
          image: { tag: ARGO_ROLLOUTS_VERSION },
          nodeSelector: { 'wms/node-pool': 'system' },
          resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '100m', memory: '256Mi' } },
          extraEnv: [{ name: 'AWS_REGION', value: 'eu-west-1' }],
          metrics: { enabled: true, serviceMonitor: { enabled: false } },
        },
        dashboard: { enabled: false },
      });
      expect(ARGO_ROLLOUTS_VERSION).toBe('v1.9.1');
    });

    it('locks the Argo Rollouts namespace down to Pod Security "restricted"', () => {
      const namespace = listOfType(json, 'kubernetes_namespace_v1').find(
        (n) => (n.metadata as Row).name === 'argo-rollouts',
      );
      expect((namespace?.metadata as Row).labels).toMatchObject({
        'pod-security.kubernetes.io/enforce': 'restricted',
      });
      expect(CLUSTER_NAMESPACES['argo-rollouts']).toEqual({ level: 'restricted' });
    });

    it('renders values deterministically: sorted keys, no YAML anchors', () => {
      const yaml = (byName['external-secrets'].values as string[])[0];
      expect(yaml).not.toMatch(/[&*]a\d/);
      const keys = Object.keys(parse(yaml) as object);
      expect(keys).toEqual([...keys].sort());
    });
  });

  describe('options', () => {
    it('GIVEN controllerReplicas THEN the scalable controllers run that many', () => {
      const { json } = build({ controllerReplicas: 3 });
      expect(valuesOf(releases(json)['external-secrets']).replicaCount).toBe(3);
      expect(valuesOf(releases(json)['metrics-server']).replicas).toBe(3);
    });

    it('GIVEN one replica THEN the load balancer controller and Karpenter still run two', () => {
      const byName = releases(build({ controllerReplicas: 1 }).json);
      expect(valuesOf(byName['aws-load-balancer-controller']).replicaCount).toBe(2);
      expect(valuesOf(byName.karpenter).replicas).toBe(2);
      expect(valuesOf(byName['metrics-server']).podDisruptionBudget).toEqual({
        enabled: false,
        maxUnavailable: 1,
      });
    });
  });

  it('GIVEN controllerReplicas 0 THEN it names the prop', () => {
    expect(() => build({ controllerReplicas: 0 })).toThrow(
      /test\/ClusterServices: controllerReplicas: 0 is not allowed \(a whole number from 1 to 5\)/,
    );
  });
});
