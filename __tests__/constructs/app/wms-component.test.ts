import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import type { WmsComponentProps } from '../../../constructs/app/wms-component';
import { CONTROLLER_OWNED_FIELDS, WmsComponent } from '../../../constructs/app/wms-component';
import { checkStacks } from '../../../guardrails/engine';
import type { SynthesizedStack } from '../../support/synth';
import { listOfType, synthJson } from '../../support/synth';

type Row = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const BASE: WmsComponentProps = {
  namespace: 'wms',
  name: 'wms-web',
  delivery: {
    strategy: 'canary',
    canarySteps: [
      { weight: 10, pauseSeconds: 30 },
      { weight: 50, pauseSeconds: 0 },
    ],
    analysisIntervalSeconds: 30,
    prePromotionMeasurements: 3,
  },
  version: '2.0.1',
  image: { repository: 'registry.example.com/wms/web', tag: '2.0.1' },
  containerPort: 8080,
  serviceAccountName: 'wms-web',
  scaling: {
    minReplicas: 3,
    maxReplicas: 9,
    pdbMinAvailable: 2,
    targetCpuUtilizationPercent: 60,
    targetMemoryUtilizationPercent: 75,
  },
  resources: { cpuRequest: '50m', cpuLimit: '250m', memoryRequest: '64Mi', memoryLimit: '128Mi' },
  healthCheckPath: '/healthz',
  runAsUser: 10101,
  writablePaths: ['/tmp', '/var/cache/nginx'],
  preStopSleepSeconds: 10,
  terminationGracePeriodSeconds: 40,
};

function testStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), 'test');
  new KubernetesProvider(stack, 'K8s', {});
  return stack;
}

function build(
  overrides: Partial<WmsComponentProps> = {},
  extra?: (stack: TerraformStack) => Partial<WmsComponentProps>,
) {
  const stack = testStack();
  const component = new WmsComponent(stack, 'Web', { ...BASE, ...overrides, ...extra?.(stack) });
  return { component, stack, json: synthJson(stack) };
}

const one = (json: SynthesizedStack, type: string): Row => {
  const rows = listOfType(json, type);
  expect(rows).toHaveLength(1);
  return rows[0];
};
const podSpec = (json: SynthesizedStack) => one(json, 'kubernetes_deployment_v1').spec.template.spec;
const container = (json: SynthesizedStack) => podSpec(json).container[0];

describe('WmsComponent', () => {
  describe('the Deployment', () => {
    const { json, component } = build();
    const deployment = one(json, 'kubernetes_deployment_v1');

    it('is named <name>, holds the pod template only (no pods, no wait): the Rollout runs it', () => {
      expect(component.objectName).toBe('wms-web');
      expect(deployment.metadata).toMatchObject({ name: 'wms-web', namespace: 'wms' });
      expect(deployment.wait_for_rollout).toBe(false);
      expect(deployment.spec.replicas).toBe('0');
      expect(deployment.lifecycle).toBeUndefined();
    });

    it('runs on on-demand capacity by default: a required affinity excludes Karpenter and EKS Spot nodes', () => {
      expect(podSpec(json).affinity).toEqual({
        node_affinity: {
          required_during_scheduling_ignored_during_execution: {
            node_selector_term: [
              {
                match_expressions: [
                  { key: 'karpenter.sh/capacity-type', operator: 'NotIn', values: ['spot'] },
                  { key: 'eks.amazonaws.com/capacityType', operator: 'NotIn', values: ['SPOT'] },
                ],
              },
            ],
          },
        },
      });
      expect(podSpec(json).toleration).toBeUndefined();
    });

    it('GIVEN capacity spot THEN it tolerates the Spot taint and prefers Spot nodes, without requiring them', () => {
      const spot = podSpec(build({ capacity: 'spot' }).json);
      expect(spot.toleration).toEqual([
        { key: 'wms/spot', operator: 'Equal', value: 'true', effect: 'NoSchedule' },
      ]);
      expect(spot.affinity).toEqual({
        node_affinity: {
          preferred_during_scheduling_ignored_during_execution: [
            {
              weight: 100,
              preference: {
                match_expressions: [{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] }],
              },
            },
          ],
        },
      });
    });

    it('rolls out with no pod unavailable', () => {
      expect(deployment.spec.strategy).toEqual({
        type: 'RollingUpdate',
        rolling_update: { max_surge: '25%', max_unavailable: '0' },
      });
    });

    it('selects its component and labels the pods with name, part-of, instance and version', () => {
      expect(deployment.spec.selector.match_labels).toEqual({
        'app.kubernetes.io/name': 'wms-web',
        'app.kubernetes.io/part-of': 'wms',
      });
      expect(component.selectorLabels).toEqual(deployment.spec.selector.match_labels);
      expect(deployment.spec.template.metadata.labels).toEqual({
        ...deployment.spec.selector.match_labels,
        'app.kubernetes.io/instance': 'wms-web',
        'app.kubernetes.io/version': '2.0.1',
        'app.kubernetes.io/managed-by': 'terraform',
      });
    });

    it('meets Pod Security "restricted" at pod and container level', () => {
      const spec = podSpec(json);
      expect(spec.security_context).toEqual({
        run_as_non_root: true,
        run_as_user: '10101',
        run_as_group: '10101',
        fs_group: '10101',
        seccomp_profile: { type: 'RuntimeDefault' },
      });
      expect(container(json).security_context).toEqual({
        run_as_non_root: true,
        run_as_user: '10101',
        run_as_group: '10101',
        allow_privilege_escalation: false,
        privileged: false,
        read_only_root_filesystem: true,
        capabilities: { drop: ['ALL'] },
        seccomp_profile: { type: 'RuntimeDefault' },
      });
      expect(spec.automount_service_account_token).toBe(false);
      expect(spec.service_account_name).toBe('wms-web');
      expect(spec.enable_service_links).toBe(false);
      expect(spec.host_network ?? spec.host_pid ?? spec.host_ipc).toBeUndefined();
    });

    it('mounts an emptyDir on every writable path, the root filesystem being read-only', () => {
      expect(container(json).volume_mount).toEqual([
        { name: 'tmp', mount_path: '/tmp' },
        { name: 'var-cache-nginx', mount_path: '/var/cache/nginx' },
      ]);
      expect(podSpec(json).volume).toEqual([
        { name: 'tmp', empty_dir: { size_limit: '256Mi' } },
        { name: 'var-cache-nginx', empty_dir: { size_limit: '256Mi' } },
      ]);
    });

    it('pins the image, sets requests and limits, and probes the health path on the container port', () => {
      const main = container(json);
      expect(main.image).toBe('registry.example.com/wms/web:2.0.1');
      expect(main.resources).toEqual({
        requests: { cpu: '50m', memory: '64Mi' },
        limits: { cpu: '250m', memory: '128Mi' },
      });
      expect(main.port).toEqual([{ name: 'http', container_port: 8080, protocol: 'TCP' }]);
      for (const probe of ['startup_probe', 'readiness_probe', 'liveness_probe']) {
        expect(main[probe].http_get).toEqual({ path: '/healthz', port: '8080' });
      }
      expect(main.startup_probe.failure_threshold * main.startup_probe.period_seconds).toBe(120);
    });

    it('spreads the pods over zones (strictly) and nodes (best effort)', () => {
      const spread = podSpec(json).topology_spread_constraint;
      expect(spread.map((c: Row) => [c.topology_key, c.when_unsatisfiable, c.max_skew])).toEqual([
        ['topology.kubernetes.io/zone', 'DoNotSchedule', 1],
        ['kubernetes.io/hostname', 'ScheduleAnyway', 1],
      ]);
      for (const constraint of spread) {
        expect(constraint.label_selector).toEqual([{ match_labels: component.selectorLabels }]);
        expect(constraint.match_label_keys).toEqual(['rollouts-pod-template-hash']);
      }
    });

    it('sleeps in preStop and gives the pod longer than that to stop', () => {
      expect(container(json).lifecycle).toEqual({ pre_stop: [{ exec: { command: ['sleep', '10'] } }] });
      expect(podSpec(json).termination_grace_period_seconds).toBe(40);
    });
  });

  describe('the Service, HPA and PDB', () => {
    const { json } = build();
    const deployment = one(json, 'kubernetes_deployment_v1');
    const services: Row[] = listOfType(json, 'kubernetes_service_v1');

    it('the stable and canary Services select the pods (the controller adds the version), on the container port', () => {
      expect(services.map((s) => s.metadata.name).sort()).toEqual(['wms-web', 'wms-web-canary']);
      for (const service of services) {
        expect(service.metadata.namespace).toBe('wms');
        expect(service.spec.type).toBe('ClusterIP');
        expect(service.spec.selector).toEqual(deployment.spec.selector.match_labels);
        expect(service.spec.port).toEqual([{ name: 'http', port: 80, target_port: '8080', protocol: 'TCP' }]);
        expect(service.lifecycle.ignore_changes).toEqual(CONTROLLER_OWNED_FIELDS.service);
        // Not the component's name label: the ServiceMonitor must not scrape a pod through two Services.
        expect(service.metadata.labels).not.toHaveProperty(['app.kubernetes.io/name']);
      }
    });

    it('the Services carry the ALB health-check path of the component', () => {
      for (const service of services) {
        expect(service.metadata.annotations).toEqual({
          'alb.ingress.kubernetes.io/healthcheck-path': '/healthz',
        });
      }
    });

    it('the Rollout runs the template by canary steps (a step without pause has none), without analysis by default', () => {
      const rollout = one(json, 'kubernetes_manifest');
      expect(rollout.manifest.kind).toBe('Rollout');
      expect(rollout.manifest.spec.strategy.canary.steps).toEqual([
        { setWeight: 10 },
        { pause: { duration: '30s' } },
        { setWeight: 50 },
      ]);
      expect(rollout.manifest.spec.strategy.canary).not.toHaveProperty('analysis');
      expect(rollout.computed_fields).toEqual(['metadata.annotations', 'metadata.labels', 'spec.replicas']);
    });

    it('by default creates no metrics Service; with metricsService, one selecting every pod', () => {
      expect(services.some((s) => s.metadata.name === 'wms-web-metrics')).toBe(false);
      const { json: withMetrics } = build({ metricsService: true });
      const metrics = (listOfType(withMetrics, 'kubernetes_service_v1') as Row[]).find(
        (s) => s.metadata.name === 'wms-web-metrics',
      );
      expect(metrics?.spec.selector).toEqual(deployment.spec.selector.match_labels);
      expect(metrics?.metadata.labels['app.kubernetes.io/name']).toBe('wms-web');
    });

    it('the HPA scales the Rollout on CPU and memory between the bounds (no request rate by default)', () => {
      const hpa = one(json, 'kubernetes_horizontal_pod_autoscaler_v2');
      expect(hpa.spec).toEqual({
        min_replicas: 3,
        max_replicas: 9,
        scale_target_ref: { api_version: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'wms-web' },
        metric: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', average_utilization: 60 } },
          },
          {
            type: 'Resource',
            resource: { name: 'memory', target: { type: 'Utilization', average_utilization: 75 } },
          },
        ],
      });
    });

    it('the PDB selects the same pods and keeps fewer than the HPA minimum', () => {
      const pdb = one(json, 'kubernetes_pod_disruption_budget_v1');
      const hpa = one(json, 'kubernetes_horizontal_pod_autoscaler_v2');
      expect(pdb.spec.selector.match_labels).toEqual(deployment.spec.selector.match_labels);
      expect(pdb.spec.min_available).toBe('2');
      expect(Number(pdb.spec.min_available)).toBeLessThan(hpa.spec.min_replicas);
    });
  });

  describe('optional props', () => {
    it('GIVEN targetRequestsPerSecondPerPod THEN the HPA also scales on the per-pod request rate (the Rollout, not the Deployment)', () => {
      const { json } = build({ scaling: { ...BASE.scaling, targetRequestsPerSecondPerPod: 40 } });
      const hpa = one(json, 'kubernetes_horizontal_pod_autoscaler_v2');
      expect(hpa.spec.metric[2]).toEqual({
        type: 'Pods',
        pods: {
          metric: { name: 'http_requests_per_second' },
          target: { type: 'AverageValue', average_value: '40' },
        },
      });
      expect(hpa.spec.scale_target_ref.kind).toBe('Rollout');
    });

    it('by default takes no environment from a ConfigMap, no pod annotations and no dependencies', () => {
      const { json } = build();
      expect(container(json).env_from).toBeUndefined();
      expect(one(json, 'kubernetes_deployment_v1').spec.template.metadata.annotations).toBeUndefined();
      expect(one(json, 'kubernetes_deployment_v1').depends_on).toBeUndefined();
    });

    it('takes the environment from configMapName, annotates the pods and depends on what it is given', () => {
      const { json } = build(
        { configMapName: 'wms-api-config', podAnnotations: { 'wms/config-sha256': 'abc' } },
        (stack) => ({
          dependsOn: [new ConfigMapV1(stack, 'Config', { metadata: { name: 'c' } })],
        }),
      );
      const deployment = one(json, 'kubernetes_deployment_v1');
      expect(container(json).env_from).toEqual([{ config_map_ref: { name: 'wms-api-config' } }]);
      expect(deployment.spec.template.metadata.annotations).toEqual({ 'wms/config-sha256': 'abc' });
      expect(deployment.depends_on).toEqual(['kubernetes_config_map_v1.Config']);
    });

    it('accepts a digest instead of a tag, and both together', () => {
      const digest = `sha256:${'a'.repeat(64)}`;
      const onlyDigest = build({ image: { repository: 'registry.example.com/wms/web', digest } });
      expect(container(onlyDigest.json).image).toBe(`registry.example.com/wms/web@${digest}`);
      const both = build({ image: { repository: 'registry.example.com/wms/web', tag: '2.0.1', digest } });
      expect(container(both.json).image).toBe(`registry.example.com/wms/web:2.0.1@${digest}`);
    });
  });

  it('passes every guardrails rule without suppression', () => {
    const { stack } = build({ configMapName: 'c' });
    const report = checkStacks([{ stackName: 'test', json: stack.toTerraform() }]);
    expect(report.stacks[0].findings).toEqual([]);
    expect(report.stacks[0].suppressed).toEqual([]);
    expect(report.stacks[0].stale).toEqual([]);
    expect(report.passed).toBe(true);
  });

  describe('validation', () => {
    const scaling = BASE.scaling;
    it.each<[string, Partial<WmsComponentProps>, RegExp]>([
      [
        'a name too long for <name>-preview',
        { name: 'a'.repeat(56) },
        /test\/Web: name: "a{56}" is not allowed \(a DNS label of at most 55/,
      ],
      ['an upper-case name', { name: 'Wms' }, /name: "Wms" is not allowed/],
      [
        'an unknown strategy',
        { delivery: { ...BASE.delivery, strategy: 'red' as never } },
        /delivery.strategy: "red" is not allowed \(canary or blueGreen\)/,
      ],
      [
        'no canary step',
        { delivery: { ...BASE.delivery, canarySteps: [] } },
        /delivery.canarySteps: \[\] is not allowed \(at least one step\)/,
      ],
      [
        'a version that is no label value',
        { version: '1.0 beta' },
        /version: "1.0 beta" is not allowed \(a Kubernetes label value/,
      ],
      [
        'the latest tag',
        { image: { repository: 'r.example.com/web', tag: 'latest' } },
        /image.tag: "latest" is not allowed \(.*never latest\)/,
      ],
      [
        'a tag starting with a dot',
        { image: { repository: 'r.example.com/web', tag: '.1' } },
        /image.tag: "\.1" is not allowed/,
      ],
      [
        'no tag or digest',
        { image: { repository: 'r.example.com/web' } },
        /image: \{"repository":"r.example.com\/web"\} is not allowed \(a tag or a digest/,
      ],
      [
        'a repository with a tag',
        { image: { repository: 'r.example.com/web:1', tag: '1' } },
        /image.repository: "r.example.com\/web:1" is not allowed/,
      ],
      [
        'a malformed digest',
        { image: { repository: 'r/web', digest: 'sha256:abc' } },
        /image.digest: "sha256:abc" is not allowed \(sha256:<64 lowercase hex digits>\)/,
      ],
      [
        'a privileged port',
        { containerPort: 80 },
        /containerPort: 80 is not allowed \(a whole number from 1024 to 65535\)/,
      ],
      [
        'no replicas',
        { scaling: { ...scaling, minReplicas: 0, pdbMinAvailable: 0 } },
        /scaling.minReplicas: 0 is not allowed \(a whole number >= 1\)/,
      ],
      [
        'max below min',
        { scaling: { ...scaling, maxReplicas: 2 } },
        /scaling.maxReplicas: 2 is not allowed \(a whole number >= 3\)/,
      ],
      [
        'a PDB as large as the HPA minimum',
        { scaling: { ...scaling, pdbMinAvailable: 3 } },
        /scaling.pdbMinAvailable: 3 is not allowed \(less than scaling.minReplicas \(3\)/,
      ],
      [
        'a negative PDB',
        { scaling: { ...scaling, pdbMinAvailable: -1 } },
        /scaling.pdbMinAvailable: -1 is not allowed \(a whole number >= 0\)/,
      ],
      [
        'a memory target of 0',
        { scaling: { ...scaling, targetMemoryUtilizationPercent: 0 } },
        /scaling.targetMemoryUtilizationPercent: 0 is not allowed \(a whole number from 1 to 100\)/,
      ],
      [
        'a request-rate target of 0.5',
        { scaling: { ...scaling, targetRequestsPerSecondPerPod: 0.5 } },
        /scaling.targetRequestsPerSecondPerPod: 0.5 is not allowed \(a whole number from 1 to 100000\)/,
      ],
      [
        'a CPU target above 100',
        { scaling: { ...scaling, targetCpuUtilizationPercent: 101 } },
        /scaling.targetCpuUtilizationPercent: 101 is not allowed \(a whole number from 1 to 100\)/,
      ],
      [
        'a CPU limit below the request',
        { resources: { ...BASE.resources, cpuLimit: '10m' } },
        /resources.cpuLimit: "10m" is not allowed \(at least cpuRequest \(50m\)\)/,
      ],
      [
        'a memory limit below the request',
        { resources: { ...BASE.resources, memoryLimit: '32Mi' } },
        /resources.memoryLimit: "32Mi" is not allowed \(at least memoryRequest \(64Mi\)\)/,
      ],
      [
        'a malformed CPU quantity',
        { resources: { ...BASE.resources, cpuRequest: 'lots' } },
        /resources.cpuRequest: "lots" is not allowed \(a positive CPU quantity/,
      ],
      [
        'a malformed memory quantity',
        { resources: { ...BASE.resources, memoryRequest: '1GB' } },
        /resources.memoryRequest: "1GB" is not allowed \(a positive memory quantity/,
      ],
      [
        'a relative health path',
        { healthCheckPath: 'health' },
        /healthCheckPath: "health" is not allowed \(an absolute path such as \/health/,
      ],
      [
        'a low UID',
        { runAsUser: 101 },
        /runAsUser: 101 is not allowed \(a whole number from 10000 to 2147483647\)/,
      ],
      [
        'a relative writable path',
        { writablePaths: ['tmp'] },
        /writablePaths\[0\]: "tmp" is not allowed \(an absolute path such as \/tmp/,
      ],
      ['a negative preStop sleep', { preStopSleepSeconds: -1 }, /preStopSleepSeconds: -1 is not allowed/],
      [
        'a grace period not above the preStop sleep',
        { terminationGracePeriodSeconds: 10 },
        /terminationGracePeriodSeconds: 10 is not allowed \(a whole number >= 11\)/,
      ],
    ])('refuses %s', (_what, overrides, message) => {
      expect(() => build(overrides)).toThrow(message);
    });
  });
});
