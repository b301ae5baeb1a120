import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import catalogue from '../../guardrails/chart-catalogue.json';
import crdSchemas from '../../guardrails/crd-schemas.json';
import type {
  ChartCatalogue,
  CrdSchemaSet,
  InterfaceNode,
  OpenApiSchema,
} from '../../guardrails/chart-interface';
import {
  checkCustomResource,
  checkValues,
  suggestions,
  validateSchema,
} from '../../guardrails/chart-interface';
import { checkStack } from '../../guardrails/engine';
import { CHART_VERSIONS } from '../../constructs/cluster/cluster-services';
import { KYVERNO_CHART_VERSION } from '../../constructs/cluster/image-admission';
import { MONITORING_CHARTS } from '../../constructs/observability/monitoring-values';

const CATALOGUE = catalogue as unknown as ChartCatalogue;
const SCHEMAS = crdSchemas as unknown as CrdSchemaSet;
const FIXTURE = JSON.parse(
  readFileSync(join(__dirname, 'fixtures', 'charts', 'bad-cluster-stack.json'), 'utf8'),
) as unknown;

/** A tiny catalogue: a chart with a typed key, a free-form block, a nested object and a subchart. */
const DEMO: ChartCatalogue = {
  charts: {
    'demo@1.0.0': {
      id: 'demo@1.0.0',
      chart: 'demo',
      version: '1.0.0',
      source: { from: 'test' },
      values: {
        type: 'object',
        keys: {
          replicas: { type: 'number' },
          name: { type: 'scalar' },
          nodeSelector: { type: 'object', free: true },
          config: {
            type: 'object',
            free: true,
            keys: { modules: { type: 'object', keys: { a: { type: 'string' } } } },
          },
          controller: { type: 'object', keys: { resources: { type: 'object', free: true } } },
          extra: { type: 'any' },
          sub: { type: 'object', subchart: 'sub@2.0.0', keys: { enabled: { type: 'boolean' } } },
          missing: { type: 'object', subchart: 'gone@1.0.0' },
        },
      },
    },
    'sub@2.0.0': {
      id: 'sub@2.0.0',
      chart: 'sub',
      version: '2.0.0',
      source: { from: 'test' },
      values: { type: 'object', keys: { port: { type: 'number' } } },
    },
  },
};

describe('checkValues', () => {
  it('accepts the keys the chart has, anything below a free-form key, null and Terraform expressions', () => {
    expect(
      checkValues(
        {
          replicas: '${var.replicas}',
          name: 3,
          nodeSelector: { anything: 'x' },
          config: { modules: { a: 'b', undocumented: { deep: 1 } } },
          controller: { resources: { requests: { cpu: '1' } } },
          extra: { whatever: [1] },
          sub: { enabled: true, port: 80 },
          missing: null,
        },
        'demo@1.0.0',
        DEMO,
      ),
    ).toEqual([]);
  });

  it('GIVEN a misspelled key THEN names it and suggests the close sibling or the same key elsewhere', () => {
    expect(checkValues({ replicaz: 2, resources: {} }, 'demo@1.0.0', DEMO)).toEqual([
      'replicaz: not a values key of demo@1.0.0 (did you mean replicas?)',
      'resources: not a values key of demo@1.0.0 (did you mean controller.resources?)',
    ]);
  });

  it('GIVEN a value of the wrong type THEN names the key, the value and the type the chart expects', () => {
    expect(checkValues({ replicas: 'two', controller: [] }, 'demo@1.0.0', DEMO)).toEqual([
      'replicas: "two" is string, the chart expects number',
      'controller: [] is array, the chart expects object',
    ]);
  });

  it('checks values of a subchart against the subchart, and says when the subchart has no interface', () => {
    expect(checkValues({ sub: { prot: 80 }, missing: { x: 1 } }, 'demo@1.0.0', DEMO)).toEqual([
      'sub.prot: not a values key of demo@1.0.0 (did you mean port?)',
      'missing: values for subchart gone@1.0.0, which has no interface in guardrails/chart-catalogue.json',
    ]);
  });

  it('GIVEN a chart version not in the catalogue THEN says so', () => {
    expect(checkValues({}, 'demo@9.9.9', DEMO)).toEqual([
      'no interface of chart demo@9.9.9 in guardrails/chart-catalogue.json',
    ]);
  });

  it('finds the three keys Helm ignored in the real charts (issue #12), with the key each chart reads', () => {
    expect(checkValues({ replicaCount: 3, resources: {} }, 'karpenter@1.14.1', CATALOGUE)).toEqual([
      'replicaCount: not a values key of karpenter@1.14.1 (did you mean replicas?)',
      'resources: not a values key of karpenter@1.14.1 (did you mean controller.resources?)',
    ]);
    expect(checkValues({ replicaCount: 2 }, 'metrics-server@3.13.0', CATALOGUE)).toEqual([
      'replicaCount: not a values key of metrics-server@3.13.0 (did you mean replicas?)',
    ]);
    expect(
      checkValues(
        { replicas: 3, controller: { resources: { limits: { cpu: '1' } } } },
        'karpenter@1.14.1',
        CATALOGUE,
      ),
    ).toEqual([]);
  });

  it("reads subcharts of the real kube-prometheus-stack (grafana's grafana.ini is free-form, its keys typed)", () => {
    expect(
      checkValues(
        { grafana: { 'grafana.ini': { analytics: { reporting_enabled: false } }, replicas: 'one' } },
        'kube-prometheus-stack@88.5.3',
        CATALOGUE,
      ),
    ).toEqual(['grafana.replicas: "one" is string, the chart expects number']);
  });
});

describe('suggestions', () => {
  it('ranks siblings by spelling distance, then the same key elsewhere, at most three', () => {
    expect(suggestions('replicaCount', ['replicas', 'revisionHistoryLimit', 'image'])).toEqual(['replicas']);
    expect(
      suggestions(
        'resources',
        ['image'],
        [
          ['controller', 'resources'],
          ['webhook', 'resources'],
        ],
      ),
    ).toEqual(['controller.resources', 'webhook.resources']);
    expect(suggestions('zzz', ['image'])).toEqual([]);
  });
});

describe('validateSchema', () => {
  const schema: OpenApiSchema = {
    type: 'object',
    required: ['name'],
    properties: {
      name: { type: 'string', pattern: '^[a-z]+$', maxLength: 5 },
      count: { type: 'integer', minimum: 1 },
      size: { 'x-kubernetes-int-or-string': true },
      mode: { type: 'string', enum: ['a', 'b'] },
      labels: { type: 'object', additionalProperties: { type: 'string' } },
      raw: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      items: {
        type: 'array',
        maxItems: 1,
        items: { type: 'object', properties: { key: { type: 'string' } } },
      },
    },
  };

  it('accepts a valid object, int-or-string either way, preserved unknown fields and expressions', () => {
    expect(
      validateSchema(
        {
          name: 'abc',
          count: '${var.n}',
          size: '10%',
          mode: 'a',
          labels: { x: 'y' },
          raw: { any: 1 },
          items: [{ key: 'k' }],
        },
        schema,
      ),
    ).toEqual([]);
    expect(validateSchema({ name: 'abc', size: 3 }, schema)).toEqual([]);
  });

  it('reports unknown fields (with a suggestion), wrong types, enums, patterns, bounds and missing required fields', () => {
    expect(
      validateSchema(
        { nmae: 'x', count: 1.5, mode: 'c', labels: { x: 1 }, items: [{ kee: 'k' }, {}], size: true },
        schema,
      ),
    ).toEqual([
      'name: required field is missing',
      'nmae: unknown field (did you mean name?)',
      'count: 1.5 is not an integer',
      'mode: "c" is not one of "a", "b"',
      'labels.x: 1 is not a string',
      'items: 2 items, at most 1 allowed',
      'items[0].kee: unknown field (did you mean key?)',
      'size: true is not an integer or a string',
    ]);
    expect(validateSchema({ name: 'ABCDEFG' }, schema)).toEqual([
      'name: "ABCDEFG" does not match ^[a-z]+$',
      'name: "ABCDEFG" is longer than 5',
    ]);
  });
});

describe('checkCustomResource', () => {
  it('GIVEN an unknown field of a real CRD THEN names the path with a suggestion', () => {
    const problems = checkCustomResource(
      {
        apiVersion: 'karpenter.sh/v1',
        kind: 'NodePool',
        metadata: { name: 'general' },
        spec: {
          template: {
            spec: {
              nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
              requirements: [],
              expireAfterr: '720h',
            },
          },
        },
      },
      SCHEMAS,
    );
    expect(problems).toEqual(['spec.template.spec.expireAfterr: unknown field (did you mean expireAfter?)']);
  });

  it('leaves built-in kinds to the API server and asks for a schema of any other custom kind', () => {
    expect(
      checkCustomResource({ apiVersion: 'apps/v1', kind: 'Deployment', spec: { x: 1 } }, SCHEMAS),
    ).toEqual([]);
    expect(checkCustomResource({ apiVersion: 'example.com/v1', kind: 'Widget' }, SCHEMAS)).toEqual([
      'example.com/v1 Widget has no schema in guardrails/crd-schemas.json',
    ]);
  });
});

describe('WMS_HELM_001 and WMS_CRD_001 on a synthesized stack (fixture)', () => {
  const result = checkStack({ stackName: 'wms-test-cluster', json: FIXTURE });
  const messages = (ruleId: string) =>
    result.findings.filter((f) => f.ruleId === ruleId).map((f) => `${f.address}: ${f.message}`);

  it('reports the misspelled key, the wrong type and the uncatalogued chart, not the Terraform expression', () => {
    expect(messages('WMS_HELM_001')).toEqual([
      'helm_release.Karpenter: karpenter@1.14.1 values: podDisruptionBudget.maxUnavailable: "one" is string, the chart expects number',
      'helm_release.Karpenter: karpenter@1.14.1 values: replicaCount: not a values key of karpenter@1.14.1 (did you mean replicas?)',
      'helm_release.Unknown: no interface of chart not-catalogued@0.1.0 in guardrails/chart-catalogue.json',
    ]);
  });

  it('reports the unknown CRD field, the enum violation and the custom kind without a schema', () => {
    expect(messages('WMS_CRD_001')).toEqual([
      'kubernetes_manifest.NodePool: karpenter.sh/v1 NodePool: spec.disruption.consolidationPolicy: "Sometimes" is not one of "WhenEmpty", "WhenEmptyOrUnderutilized", "Balanced"',
      'kubernetes_manifest.NodePool: karpenter.sh/v1 NodePool: spec.template.spec.expireAfterr: unknown field (did you mean expireAfter?)',
      'kubernetes_manifest.Unschemed: example.com/v1 Widget has no schema in guardrails/crd-schemas.json',
    ]);
  });
});

describe('the committed catalogue and schema set', () => {
  const CHART_NAMES: Record<keyof typeof CHART_VERSIONS, string> = {
    awsLoadBalancerController: 'aws-load-balancer-controller',
    metricsServer: 'metrics-server',
    externalDns: 'external-dns',
    externalSecrets: 'external-secrets',
    karpenter: 'karpenter',
    argoRollouts: 'argo-rollouts',
  };

  it('has an interface, with its source recorded, for every pinned chart and the subcharts we set values for', () => {
    const ids = Object.keys(CATALOGUE.charts);
    for (const [key, version] of Object.entries(CHART_VERSIONS)) {
      expect(ids).toContain(`${CHART_NAMES[key as keyof typeof CHART_VERSIONS]}@${version}`);
    }
    for (const ref of Object.values(MONITORING_CHARTS)) expect(ids).toContain(`${ref.chart}@${ref.version}`);
    for (const id of ['kube-state-metrics@8.4.0', 'prometheus-node-exporter@4.56.1', 'grafana@12.11.1']) {
      expect(ids).toContain(id);
      expect(CATALOGUE.charts['kube-prometheus-stack@88.5.3'].values.keys?.[id.split('@')[0]]?.subchart).toBe(
        id,
      );
    }
    for (const entry of Object.values(CATALOGUE.charts)) {
      expect(entry.source.from).toMatch(/^github\.com\/[\w-]+\/[\w-]+ (tag|commit) /);
    }
  });

  it('holds no entry that no pinned chart needs (remove the old version when bumping)', () => {
    const needed = new Set<string>([
      ...Object.entries(CHART_VERSIONS).map(
        ([key, version]) => `${CHART_NAMES[key as keyof typeof CHART_VERSIONS]}@${version}`,
      ),
      ...Object.values(MONITORING_CHARTS).map((ref) => `${ref.chart}@${ref.version}`),
      `kyverno@${KYVERNO_CHART_VERSION}`,
    ]);
    const visit = (node: InterfaceNode) => {
      if (node.subchart && !needed.has(node.subchart)) {
        needed.add(node.subchart);
        if (CATALOGUE.charts[node.subchart]) visit(CATALOGUE.charts[node.subchart].values);
      }
      Object.values(node.keys ?? {}).forEach(visit);
    };
    [...needed].forEach((id) => CATALOGUE.charts[id] && visit(CATALOGUE.charts[id].values));
    expect(Object.keys(CATALOGUE.charts).filter((id) => !needed.has(id))).toEqual([]);
  });

  it('has the schema of every custom resource kind the stacks create', () => {
    expect(Object.keys(SCHEMAS.schemas).sort()).toEqual([
      'argoproj.io/v1alpha1/AnalysisTemplate',
      'argoproj.io/v1alpha1/Rollout',
      'external-secrets.io/v1/ClusterSecretStore',
      'external-secrets.io/v1/ExternalSecret',
      'karpenter.k8s.aws/v1/EC2NodeClass',
      'karpenter.sh/v1/NodePool',
      'kyverno.io/v1/ClusterPolicy',
    ]);
  });
});
