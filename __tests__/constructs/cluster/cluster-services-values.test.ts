import catalogue from '../../../guardrails/chart-catalogue.json';
import type { ChartCatalogue } from '../../../guardrails/chart-interface';
import { checkValues } from '../../../guardrails/chart-interface';
import { ARGO_ROLLOUTS_VERSION, CHART_VERSIONS } from '../../../constructs/cluster/cluster-services';
import {
  SYSTEM_NODES,
  argoRolloutsValues,
  externalDnsValues,
  externalSecretsValues,
  karpenterValues,
  loadBalancerControllerValues,
  metricsServerValues,
  resources,
} from '../../../constructs/cluster/cluster-services-values';

// The values are pure functions of typed inputs: these tests build them without a synth (cluster-services.test.ts
// covers the construct that installs them).

const CLUSTER = { clusterName: 'wms-test-eks', serviceAccount: 'sa' };

describe('resources', () => {
  it('requests what it limits (guaranteed QoS)', () => {
    expect(resources('100m', '256Mi')).toEqual({
      requests: { cpu: '100m', memory: '256Mi' },
      limits: { cpu: '100m', memory: '256Mi' },
    });
  });
});

describe('loadBalancerControllerValues', () => {
  it('configures the VPC, region and service account, with a TLS 1.3 policy, on the system nodes', () => {
    const values = loadBalancerControllerValues({
      ...CLUSTER,
      region: 'eu-west-1',
      vpcId: 'vpc-1',
      replicas: 3,
    });
    expect(values).toMatchObject({
      clusterName: 'wms-test-eks',
      region: 'eu-west-1',
      vpcId: 'vpc-1',
      serviceAccount: { create: true, name: 'sa' },
      replicaCount: 3,
      defaultSSLPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      nodeSelector: SYSTEM_NODES,
    });
  });

  it('GIVEN one replica THEN still two: its webhook admits every Ingress and Service', () => {
    expect(
      loadBalancerControllerValues({ ...CLUSTER, region: 'eu-west-1', vpcId: 'vpc-1', replicas: 1 })
        .replicaCount,
    ).toBe(2);
  });
});

describe('metricsServerValues', () => {
  it('GIVEN one replica THEN no disruption budget; GIVEN two THEN one', () => {
    expect(metricsServerValues({ replicas: 1 }).podDisruptionBudget.enabled).toBe(false);
    expect(metricsServerValues({ replicas: 2 })).toMatchObject({
      replicas: 2,
      podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
    });
  });
});

describe('externalDnsValues', () => {
  it('manages only the domain of the given public zone, as the given owner', () => {
    const values = externalDnsValues({
      dnsDomain: 'test.wms.example.com',
      hostedZoneId: 'Z123',
      ownerId: 'wms-test-eks',
      serviceAccount: 'sa',
    });
    expect(values).toMatchObject({
      policy: 'sync',
      sources: ['ingress'],
      domainFilters: ['test.wms.example.com'],
      txtOwnerId: 'wms-test-eks',
      extraArgs: ['--zone-id-filter=Z123', '--aws-zone-type=public'],
    });
  });
});

describe('externalSecretsValues', () => {
  it('installs its CRDs and runs the controller, webhook and cert controller with the same placement', () => {
    const values = externalSecretsValues({ serviceAccount: 'sa', replicas: 3 });
    expect(values.installCRDs).toBe(true);
    expect(values.replicaCount).toBe(3);
    expect(values.webhook).toEqual({
      replicaCount: 3,
      nodeSelector: SYSTEM_NODES,
      resources: values.resources,
    });
    expect(values.certController).toEqual(values.webhook);
  });
});

describe('karpenterValues', () => {
  it('points at the cluster and its queue, on the system nodes, at least two replicas', () => {
    const values = karpenterValues({
      ...CLUSTER,
      clusterEndpoint: 'https://x.eks.amazonaws.com',
      interruptionQueue: 'q',
      replicas: 1,
    });
    expect(values.settings).toEqual({
      clusterName: 'wms-test-eks',
      clusterEndpoint: 'https://x.eks.amazonaws.com',
      interruptionQueue: 'q',
    });
    expect(values.replicas).toBe(2);
    expect(values.nodeSelector).toEqual(SYSTEM_NODES);
    expect(values.controller.resources).toEqual(resources('500m', '1Gi'));
  });
});

describe('argoRolloutsValues', () => {
  it('runs the given image tag with the region in its environment, at least two replicas', () => {
    const values = argoRolloutsValues({ region: 'eu-central-1', imageTag: 'v9.9.9', replicas: 1 });
    expect(values.controller.image).toEqual({ tag: 'v9.9.9' });
    expect(values.controller.extraEnv).toEqual([{ name: 'AWS_REGION', value: 'eu-central-1' }]);
    expect(values.controller.replicas).toBe(2);
    expect(values.keepCRDs).toBe(true);
  });
});

describe('every values function against the interface of its pinned chart', () => {
  const cases: [string, string, (replicas: number) => object][] = [
    [
      'aws-load-balancer-controller',
      CHART_VERSIONS.awsLoadBalancerController,
      (replicas) =>
        loadBalancerControllerValues({ ...CLUSTER, region: 'eu-west-1', vpcId: 'vpc-1', replicas }),
    ],
    ['metrics-server', CHART_VERSIONS.metricsServer, (replicas) => metricsServerValues({ replicas })],
    [
      'external-dns',
      CHART_VERSIONS.externalDns,
      () =>
        externalDnsValues({
          dnsDomain: 'a.example.com',
          hostedZoneId: 'Z1',
          ownerId: 'o',
          serviceAccount: 'sa',
        }),
    ],
    [
      'external-secrets',
      CHART_VERSIONS.externalSecrets,
      (replicas) => externalSecretsValues({ serviceAccount: 'sa', replicas }),
    ],
    [
      'karpenter',
      CHART_VERSIONS.karpenter,
      (replicas) =>
        karpenterValues({ ...CLUSTER, clusterEndpoint: 'https://x', interruptionQueue: 'q', replicas }),
    ],
    [
      'argo-rollouts',
      CHART_VERSIONS.argoRollouts,
      (replicas) => argoRolloutsValues({ region: 'eu-west-1', imageTag: ARGO_ROLLOUTS_VERSION, replicas }),
    ],
  ];

  it.each(cases)(
    '%s@%s: every key exists in the chart with its type, for 1 and 3 replicas',
    (chart, version, values) => {
      for (const replicas of [1, 3]) {
        expect(
          checkValues(values(replicas), `${chart}@${version}`, catalogue as unknown as ChartCatalogue),
        ).toEqual([]);
      }
    },
  );
});
