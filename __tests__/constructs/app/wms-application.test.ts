import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { DbClusterSnapshot } from '@cdktf/provider-aws/lib/db-cluster-snapshot';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { TerraformStack, TerraformVariable, Testing, Token } from 'cdktf';
import { waitForTcpScript } from '../../../constructs/app/private/wait-for-tcp';
import type { WmsApplicationProps } from '../../../constructs/app/wms-application';
import { CONTROLLER_OWNED_FIELDS } from '../../../constructs/app/wms-component';
import {
  API_PORT,
  API_SERVICE_ACCOUNT,
  MIGRATION_SERVICE_ACCOUNT,
  POD_IDENTITY_AGENT,
  WEB_PORT,
  WMS_NAMESPACE,
  WmsApplication,
} from '../../../constructs/app/wms-application';
import type { WmsImage } from '../../../constructs/app/workload';
import { checkStacks } from '../../../guardrails/engine';
import type { SynthesizedStack } from '../../support/synth';
import { listOfType, resourcesOfType } from '../../support/synth';

type Row = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const REGISTRY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const image = (name: string, tag: string): WmsImage => ({ repository: `${REGISTRY}/${name}`, tag });
const SNAPSHOT_ADDRESS = 'aws_db_cluster_snapshot.ReleaseSnapshot';

const BASE: WmsApplicationProps = {
  domain: 'wms.example.com',
  region: 'eu-west-1',
  release: { version: '1.5.0', apiImage: image('wms-api', '1.5.0'), webImage: image('wms-web', '1.5.0') },
  delivery: {
    strategy: 'canary',
    canarySteps: [
      { weight: 5, pauseSeconds: 60 },
      { weight: 25, pauseSeconds: 60 },
      { weight: 50, pauseSeconds: 60 },
    ],
    analysisIntervalSeconds: 30,
    failureLimit: 1,
    trafficShiftSeconds: 45,
  },
  prometheusUrl: 'http://kps-prometheus.monitoring.svc:9090',
  migration: { version: '1.5.0', image: image('wms-api', '1.5.0') },
  migrationDependsOn: [],
  api: { minReplicas: 3, maxReplicas: 10 },
  web: { minReplicas: 2, maxReplicas: 4 },
  database: {
    proxyEndpoint: 'wms-test-db.proxy.example',
    proxyReadOnlyEndpoint: 'wms-test-db-ro.proxy.example',
    port: 5432,
  },
  databaseName: 'wms',
  corsAllowedOrigins: ['https://wms.example.com', 'https://admin.wms.example.com'],
  certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
  wafAclArn:
    'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/wms-test/a1b2c3d4-e5f6-7890-abcd-ef1234567890',
  accessLogsBucket: 'wms-test-alb-logs-123456789012-eu-west-1',
  publicSubnetCidrs: ['10.40.128.0/24', '10.40.129.0/24', '10.40.130.0/24'],
  databaseCidrs: ['10.40.0.0/19', '10.40.32.0/19', '10.40.64.0/19'],
  awsEndpointCidrs: ['10.40.0.0/19', '10.40.32.0/19', '10.40.64.0/19'],
};

interface Built {
  readonly app: WmsApplication;
  readonly stack: TerraformStack;
  readonly json: SynthesizedStack;
}

function build(
  overrides: Partial<WmsApplicationProps> = {},
  options: { snapshot?: boolean; extra?: (stack: TerraformStack) => Partial<WmsApplicationProps> } = {},
): Built {
  const stack = new TerraformStack(Testing.app(), 'test');
  new KubernetesProvider(stack, 'K8s', {});
  const dependsOn = [];
  if (options.snapshot) {
    new AwsProvider(stack, 'Aws', { region: 'eu-west-1' });
    dependsOn.push(
      new DbClusterSnapshot(stack, 'ReleaseSnapshot', {
        dbClusterIdentifier: 'wms-test-db',
        dbClusterSnapshotIdentifier: 'wms-test-db-release-1-5-0',
      }),
    );
  }
  const app = new WmsApplication(stack, 'App', {
    ...BASE,
    migrationDependsOn: dependsOn,
    ...overrides,
    ...options.extra?.(stack),
  });
  return { app, stack, json: JSON.parse(Testing.synth(stack, true)) as SynthesizedStack };
}

// Most tests read the same synthesis; building it once keeps the suite fast.
const DEFAULT = build();

const rows = (json: SynthesizedStack, type: string): Row[] => listOfType(json, type);
const named = (json: SynthesizedStack, type: string, name: string): Row => {
  const found = rows(json, type).filter((row) => row.metadata.name === name);
  expect(found).toHaveLength(1);
  return found[0];
};
const addressOf = (json: SynthesizedStack, type: string, name: string): string => {
  const entry = Object.entries(resourcesOfType(json, type)).find(
    ([, row]) => (row as Row).metadata.name === name,
  );
  if (!entry) throw new Error(`no ${type} named ${name}`);
  return `${type}.${entry[0]}`;
};
const deployment = (json: SynthesizedStack, name: string) => named(json, 'kubernetes_deployment_v1', name);
const mainContainer = (json: SynthesizedStack, name: string): Row =>
  deployment(json, name).spec.template.spec.container[0];
const job = (json: SynthesizedStack): Row => {
  const jobs = rows(json, 'kubernetes_job_v1');
  expect(jobs).toHaveLength(1);
  return jobs[0];
};
const configData = (json: SynthesizedStack): Record<string, string> =>
  named(json, 'kubernetes_config_map_v1', 'wms-api-config').data;
const annotations = (json: SynthesizedStack): Record<string, string> =>
  rows(json, 'kubernetes_ingress_v1')[0].metadata.annotations;
const weights = (json: SynthesizedStack, component: 'wms-api' | 'wms-web') =>
  Object.fromEntries(
    JSON.parse(
      annotations(json)[`alb.ingress.kubernetes.io/actions.${component}`],
    ).forwardConfig.targetGroups.map((group: Row) => [group.serviceName, group.weight]),
  );
const rollout = (json: SynthesizedStack, name: string): Row => {
  const found = rows(json, 'kubernetes_manifest').filter(
    (row) => row.manifest.kind === 'Rollout' && row.manifest.metadata.name === name,
  );
  expect(found).toHaveLength(1);
  return found[0];
};
const subset = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);
const DEPLOYMENTS = ['wms-api', 'wms-web'];

/** Every workload's pod spec, by name: the four Deployments and the migration Job. */
function podSpecs(json: SynthesizedStack): [string, Row, Row][] {
  return [
    ...rows(json, 'kubernetes_deployment_v1').map((row): [string, Row, Row] => [
      row.metadata.name,
      row.spec.template.spec,
      row.spec.template.metadata,
    ]),
    ...rows(json, 'kubernetes_job_v1').map((row): [string, Row, Row] => [
      row.metadata.name,
      row.spec.template.spec,
      row.spec.template.metadata,
    ]),
  ];
}

/** Every container (init containers included) of every workload. */
function containers(json: SynthesizedStack): [string, Row, Row][] {
  return podSpecs(json).flatMap(([workload, spec]) =>
    [...(spec.init_container ?? []), ...spec.container].map((container: Row): [string, Row, Row] => [
      `${workload}/${container.name}`,
      container,
      spec,
    ]),
  );
}

function runNode(script: string, env: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-e', script],
      { env: { ...process.env, ...env }, timeout: 20000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` });
      },
    );
  });
}

describe('WmsApplication', () => {
  describe('namespace', () => {
    const { json } = DEFAULT;
    const namespace = rows(json, 'kubernetes_namespace_v1')[0];

    it('is wms and enforces, audits and warns on Pod Security "restricted" (latest)', () => {
      expect(namespace.metadata.name).toBe('wms');
      expect(namespace.metadata.labels).toMatchObject({
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/audit-version': 'latest',
        'pod-security.kubernetes.io/warn': 'restricted',
        'pod-security.kubernetes.io/warn-version': 'latest',
      });
    });

    it('injects the ALB pod readiness gate, so a pod is Ready once healthy in its target group', () => {
      expect(namespace.metadata.labels['elbv2.k8s.aws/pod-readiness-gate-inject']).toBe('enabled');
    });

    it('puts every object in it', () => {
      const reference = expect.stringMatching(
        /^\$\{kubernetes_namespace_v1\.App_Namespace_\w+\.metadata\[0\]\.name\}$/,
      );
      for (const [type, resources] of Object.entries(json.resource ?? {})) {
        if (type === 'kubernetes_namespace_v1') continue;
        for (const resource of Object.values(resources)) {
          const metadata = (resource as Row).metadata ?? (resource as Row).manifest.metadata;
          expect(metadata.namespace).toEqual(reference);
        }
      }
    });

    it('has a quota covering stable and canary at their maximum plus surge and the migration, and no LoadBalancer or NodePort', () => {
      // api: 2 ReplicaSets x (10 + 3 surge) pods; web: 2 x (4 + 1); the migration Job: 1.
      expect(rows(json, 'kubernetes_resource_quota_v1')[0].spec.hard).toEqual({
        pods: '37',
        'requests.cpu': `${26 * 250 + 10 * 50 + 250}m`,
        'limits.cpu': `${26 * 1000 + 10 * 250 + 1000}m`,
        'requests.memory': `${26 * 256 + 10 * 64 + 256}Mi`,
        'limits.memory': `${26 * 512 + 10 * 128 + 512}Mi`,
        'services.loadbalancers': '0',
        'services.nodeports': '0',
      });
    });

    it('has a limit range whose maximum admits every WMS container and whose defaults are below it', () => {
      const [limit] = rows(json, 'kubernetes_limit_range_v1')[0].spec.limit;
      expect(limit).toEqual({
        type: 'Container',
        max: { cpu: '1000m', memory: '512Mi' },
        default: { cpu: '500m', memory: '256Mi' },
        default_request: { cpu: '100m', memory: '128Mi' },
      });
      const millicores = (q: string) => (q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000);
      const mebibytes = (q: string) => Number(q.replace('Mi', ''));
      for (const [, container] of containers(json)) {
        expect(millicores(container.resources.limits.cpu)).toBeLessThanOrEqual(millicores(limit.max.cpu));
        expect(mebibytes(container.resources.limits.memory)).toBeLessThanOrEqual(mebibytes(limit.max.memory));
      }
    });
  });

  describe('security posture of every workload', () => {
    const { json } = DEFAULT;

    it('covers the two Deployments (the Rollouts run their templates) and the migration Job, init container included', () => {
      expect(podSpecs(json).map(([name]) => name)).toEqual([...DEPLOYMENTS, 'wms-migrate-1-5-0']);
      expect(containers(json).map(([name]) => name)).toEqual([
        'wms-api/wms-api',
        'wms-web/wms-web',
        'wms-migrate-1-5-0/wait-for-database',
        'wms-migrate-1-5-0/migrate',
      ]);
    });

    it.each(podSpecs(DEFAULT.json))(
      '%s: pod runs non-root with a high UID, seccomp, no token and no host namespaces',
      (_name, spec) => {
        expect(spec.security_context).toMatchObject({
          run_as_non_root: true,
          seccomp_profile: { type: 'RuntimeDefault' },
        });
        expect(Number(spec.security_context.run_as_user)).toBeGreaterThanOrEqual(10000);
        expect(Number(spec.security_context.run_as_group)).toBeGreaterThanOrEqual(10000);
        expect(spec.automount_service_account_token).toBe(false);
        expect([spec.host_network, spec.host_pid, spec.host_ipc]).toEqual([undefined, undefined, undefined]);
        for (const volume of spec.volume) expect(Object.keys(volume).sort()).toEqual(['empty_dir', 'name']);
      },
    );

    it.each(containers(DEFAULT.json))(
      '%s: restricted security context, read-only root, requests and limits',
      (_name, container) => {
        const context = container.security_context;
        expect(context).toMatchObject({
          run_as_non_root: true,
          allow_privilege_escalation: false,
          privileged: false,
          read_only_root_filesystem: true,
          seccomp_profile: { type: 'RuntimeDefault' },
        });
        expect(context.capabilities).toEqual({ drop: ['ALL'] });
        expect(Number(context.run_as_user)).toBeGreaterThanOrEqual(10000);
        expect(container.resources.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
        expect(container.resources.limits).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
        expect(container.image).not.toMatch(/:latest$/);
      },
    );

    it.each(DEPLOYMENTS)(
      '%s: startup, readiness and liveness probes on /health at the container port',
      (name) => {
        const container = mainContainer(json, name);
        const port = String(container.port[0].container_port);
        for (const probe of ['startup_probe', 'readiness_probe', 'liveness_probe']) {
          expect(container[probe].http_get).toEqual({ path: '/health', port });
        }
      },
    );

    it('gives the API, the web front end and the migration their own service accounts, without tokens', () => {
      const accounts = rows(json, 'kubernetes_service_account_v1');
      expect(accounts.map((a) => [a.metadata.name, a.automount_service_account_token])).toEqual([
        ['wms-api', false],
        ['wms-migrate', false],
        ['wms-web', false],
      ]);
      expect(deployment(json, 'wms-api').spec.template.spec.service_account_name).toBe('wms-api');
      expect(deployment(json, 'wms-web').spec.template.spec.service_account_name).toBe('wms-web');
    });

    it('runs the API as the service account its EKS Pod Identity association names (the names defined here)', () => {
      const [namespace] = rows(json, 'kubernetes_namespace_v1');
      expect(namespace.metadata.name).toBe(WMS_NAMESPACE);
      expect(deployment(json, 'wms-api').spec.template.spec.service_account_name).toBe(API_SERVICE_ACCOUNT);
    });

    it('gives nginx writable /tmp and /var/cache/nginx, and the API /tmp', () => {
      const mounts = (name: string) => mainContainer(json, name).volume_mount.map((m: Row) => m.mount_path);
      expect(mounts('wms-web')).toEqual(['/tmp', '/var/cache/nginx']);
      expect(mounts('wms-api')).toEqual(['/tmp']);
    });

    it('passes every guardrails rule with no suppression (default, and blue-green with dev scale and digests)', () => {
      const digest = `sha256:${'0'.repeat(64)}`;
      const variant = build({
        delivery: { ...BASE.delivery, strategy: 'blueGreen' },
        api: { minReplicas: 1, maxReplicas: 2 },
        web: { minReplicas: 1, maxReplicas: 2 },
        release: {
          version: '1.5.0',
          apiImage: { ...image('wms-api', '1.5.0'), digest },
          webImage: { repository: `${REGISTRY}/wms-web`, digest },
        },
      });
      const report = checkStacks([
        { stackName: 'default', json: DEFAULT.stack.toTerraform() },
        { stackName: 'variant', json: variant.stack.toTerraform() },
      ]);
      for (const result of report.stacks) {
        expect(result.findings).toEqual([]);
        expect(result.suppressed).toEqual([]);
        expect(result.stale).toEqual([]);
      }
      expect(report.passed).toBe(true);
    });
  });

  describe('wiring', () => {
    const { json } = DEFAULT;

    it.each([
      ['wms-api', API_PORT],
      ['wms-web', WEB_PORT],
    ])(
      "the stable and canary Services of %s select exactly that Deployment's pods (the controller adds the version) on port %d",
      (name, port) => {
        for (const serviceName of [name, `${name}-canary`]) {
          const service = named(json, 'kubernetes_service_v1', serviceName);
          const selected = rows(json, 'kubernetes_deployment_v1').filter((d) =>
            subset(service.spec.selector, d.spec.template.metadata.labels),
          );
          expect(selected.map((d) => d.metadata.name)).toEqual([name]);
          expect(service.spec.port).toEqual([
            { name: 'http', port: 80, target_port: String(port), protocol: 'TCP' },
          ]);
          expect(service.spec.type).toBe('ClusterIP');
          expect(service.lifecycle.ignore_changes).toEqual(CONTROLLER_OWNED_FIELDS.service);
        }
        expect(mainContainer(json, name).port[0].container_port).toBe(port);
      },
    );

    it.each(DEPLOYMENTS)(
      '%s: the Rollout runs the Deployment (which keeps no pods), the HPA scales the Rollout, the PDB keeps fewer than its minimum',
      (name) => {
        const pdb = named(json, 'kubernetes_pod_disruption_budget_v1', name);
        const hpa = named(json, 'kubernetes_horizontal_pod_autoscaler_v2', name);
        const target = deployment(json, name);
        const { spec } = rollout(json, name).manifest;
        expect(spec.workloadRef).toEqual({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name,
          scaleDown: 'never',
        });
        expect(spec.selector.matchLabels).toEqual(target.spec.selector.match_labels);
        expect(target.spec.replicas).toBe('0');
        expect(target.wait_for_rollout).toBe(false);
        expect(pdb.spec.selector.match_labels).toEqual(target.spec.selector.match_labels);
        expect(Number(pdb.spec.min_available)).toBeLessThan(hpa.spec.min_replicas);
        expect(hpa.spec.scale_target_ref).toEqual({
          api_version: 'argoproj.io/v1alpha1',
          kind: 'Rollout',
          name,
        });
      },
    );

    it('the Ingress forwards /api to the API and / to the web through the actions the canaries rewrite, on Service ports that exist', () => {
      const ingress = rows(json, 'kubernetes_ingress_v1')[0];
      const [rule] = ingress.spec.rule;
      expect(rule.host).toBe('wms.example.com');
      expect(
        rule.http.path.map((p: Row) => [
          p.path,
          p.path_type,
          p.backend.service.name,
          p.backend.service.port.name,
        ]),
      ).toEqual([
        ['/api', 'Prefix', 'wms-api', 'use-annotation'],
        ['/', 'Prefix', 'wms-web', 'use-annotation'],
      ]);
      for (const path of rule.http.path) {
        const action = JSON.parse(
          ingress.metadata.annotations[`alb.ingress.kubernetes.io/actions.${path.backend.service.name}`],
        );
        for (const group of action.forwardConfig.targetGroups) {
          const service = named(json, 'kubernetes_service_v1', group.serviceName);
          expect(service.spec.port.map((p: Row) => String(p.port))).toContain(group.servicePort);
        }
      }
    });

    it('admits the load balancer (public subnets) to exactly the container ports', () => {
      const policy = (name: string) => named(json, 'kubernetes_network_policy_v1', name);
      const publicBlocks = BASE.publicSubnetCidrs.map((cidr) => ({ ip_block: { cidr } }));
      for (const [name, pods, port] of [
        ['wms-web-from-load-balancer', 'wms-web', WEB_PORT],
        ['wms-api-from-load-balancer', 'wms-api', API_PORT],
      ] as const) {
        const spec = policy(name).spec;
        expect(spec.policy_types).toEqual(['Ingress']);
        expect(spec.ingress).toEqual([
          { from: publicBlocks, ports: [{ port: String(port), protocol: 'TCP' }] },
        ]);
        expect(String(mainContainer(json, pods).port[0].container_port)).toBe(spec.ingress[0].ports[0].port);
        // Every version's pods (one template), and no other component's.
        const selected = podSpecs(json).filter(([, , meta]) =>
          subset(spec.pod_selector.match_labels, meta.labels),
        );
        expect(selected.map(([n]) => n)).toEqual([pods]);
      }
    });

    it('admits Prometheus (monitoring namespace) to the API port only', () => {
      const spec = named(json, 'kubernetes_network_policy_v1', 'wms-api-from-prometheus').spec;
      expect(spec.pod_selector.match_labels).toEqual({
        'app.kubernetes.io/name': 'wms-api',
        'app.kubernetes.io/part-of': 'wms',
      });
      expect(spec.ingress).toEqual([
        {
          from: [
            {
              namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'monitoring' } },
              pod_selector: { match_labels: { 'app.kubernetes.io/name': 'prometheus' } },
            },
          ],
          ports: [{ port: String(mainContainer(json, 'wms-api').port[0].container_port), protocol: 'TCP' }],
        },
      ]);
    });

    it('denies all ingress and egress by default and allows DNS to kube-dns for every pod', () => {
      expect(named(json, 'kubernetes_network_policy_v1', 'default-deny-all').spec).toEqual({
        pod_selector: { match_labels: {} },
        policy_types: ['Ingress', 'Egress'],
        ingress: [],
        egress: [],
      });
      expect(named(json, 'kubernetes_network_policy_v1', 'allow-dns-egress').spec).toEqual({
        pod_selector: { match_labels: {} },
        policy_types: ['Egress'],
        egress: [
          {
            to: [
              {
                namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'kube-system' } },
                pod_selector: { match_labels: { 'k8s-app': 'kube-dns' } },
              },
            ],
            ports: [
              { port: '53', protocol: 'UDP' },
              { port: '53', protocol: 'TCP' },
            ],
          },
        ],
      });
    });

    it('lets the API reach the proxy subnets on 5432, the Pod Identity agent on 80 and AWS endpoints on 443', () => {
      const spec = named(json, 'kubernetes_network_policy_v1', 'wms-api-egress').spec;
      const blocks = (cidrs: readonly string[]) => cidrs.map((cidr) => ({ ip_block: { cidr } }));
      expect(spec.policy_types).toEqual(['Egress']);
      expect(spec.egress).toEqual([
        { to: blocks(BASE.databaseCidrs), ports: [{ port: '5432', protocol: 'TCP' }] },
        { to: [{ ip_block: { cidr: '169.254.170.23/32' } }], ports: [{ port: '80', protocol: 'TCP' }] },
        { to: blocks(BASE.awsEndpointCidrs), ports: [{ port: '443', protocol: 'TCP' }] },
      ]);
      expect(POD_IDENTITY_AGENT).toEqual({ cidr: '169.254.170.23/32', port: 80 });
    });

    it("GIVEN partners THEN the API (only) may reach each partner's CIDRs on its ports, in its own policy", () => {
      const partners = build({
        partnerEgress: [
          { name: 'carrier', cidrs: ['192.0.2.0/26'], ports: [443] },
          { name: 'erp', cidrs: ['198.18.10.0/24', '198.18.11.0/24'], ports: [443, 8443] },
        ],
      }).json;
      const spec = named(partners, 'kubernetes_network_policy_v1', 'wms-api-partner-egress').spec;
      expect(spec.policy_types).toEqual(['Egress']);
      expect(spec.pod_selector.match_labels).toEqual(
        named(partners, 'kubernetes_network_policy_v1', 'wms-api-egress').spec.pod_selector.match_labels,
      );
      expect(spec.egress).toEqual([
        { to: [{ ip_block: { cidr: '192.0.2.0/26' } }], ports: [{ port: '443', protocol: 'TCP' }] },
        {
          to: [{ ip_block: { cidr: '198.18.10.0/24' } }, { ip_block: { cidr: '198.18.11.0/24' } }],
          ports: [
            { port: '443', protocol: 'TCP' },
            { port: '8443', protocol: 'TCP' },
          ],
        },
      ]);
      // Without partners there is no such policy: the API reaches only what wms-api-egress allows.
      expect(rows(json, 'kubernetes_network_policy_v1').map((p) => p.metadata.name)).not.toContain(
        'wms-api-partner-egress',
      );
    });

    it.each([
      [{ name: 'Carrier', cidrs: ['192.0.2.0/26'], ports: [443] }, /partnerEgress\[0\]\.name: "Carrier"/],
      [
        { name: 'carrier', cidrs: ['0.0.0.0/0'], ports: [443] },
        /partnerEgress\[0\]\.cidrs: .*from \/8 to \/32/,
      ],
      [{ name: 'carrier', cidrs: ['192.0.2.0/26'], ports: [0] }, /partnerEgress\[0\]\.ports: .*1 to 65535/],
    ])('GIVEN partner %j THEN refuses it, naming field, value and what is allowed', (partner, message) => {
      expect(() => build({ partnerEgress: [partner] })).toThrow(message);
    });

    it('lets the migration pods (and only them) reach the proxy and the Pod Identity agent', () => {
      const spec = named(json, 'kubernetes_network_policy_v1', 'wms-migrate-egress').spec;
      expect(spec.egress).toEqual(
        named(json, 'kubernetes_network_policy_v1', 'wms-api-egress').spec.egress.slice(0, 2),
      );
      const selected = podSpecs(json).filter(([, , meta]) =>
        subset(spec.pod_selector.match_labels, meta.labels),
      );
      expect(selected.map(([name]) => name)).toEqual(['wms-migrate-1-5-0']);
    });

    it('labels one Service only for the ServiceMonitor (app.kubernetes.io/name=wms-api): every API pod, once', () => {
      const scraped = rows(json, 'kubernetes_service_v1').filter(
        (s) => s.metadata.labels['app.kubernetes.io/name'] === 'wms-api',
      );
      expect(scraped.map((s) => s.metadata.name)).toEqual(['wms-api-metrics']);
      expect(scraped[0].spec.selector).toEqual(deployment(json, 'wms-api').spec.selector.match_labels);
      expect(scraped[0].spec.cluster_ip).toBe('None');
    });
  });

  describe('configuration', () => {
    const { json } = DEFAULT;

    it('GIVEN tracing THEN the API gets its OTEL_* settings and egress to the collectors; without it, neither (issue #18)', () => {
      const traced = build({
        tracing: {
          otlpEndpoint: 'http://alloy-traces.monitoring.svc.cluster.local:4318',
          collectorNamespace: 'monitoring',
          collectorPodLabels: {
            'app.kubernetes.io/name': 'alloy',
            'app.kubernetes.io/instance': 'alloy-traces',
          },
          environment: 'prod',
        },
      }).json;
      expect(configData(traced)).toMatchObject({
        OTEL_SERVICE_NAME: 'wms-api',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://alloy-traces.monitoring.svc.cluster.local:4318',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_TRACES_SAMPLER: 'parentbased_always_on',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=prod,service.namespace=wms',
      });
      const egress = named(traced, 'kubernetes_network_policy_v1', 'wms-api-egress').spec.egress;
      expect(egress.at(-1)).toEqual({
        to: [
          {
            namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'monitoring' } },
            pod_selector: {
              match_labels: {
                'app.kubernetes.io/name': 'alloy',
                'app.kubernetes.io/instance': 'alloy-traces',
              },
            },
          },
        ],
        ports: [{ port: '4318', protocol: 'TCP' }],
      });
      expect(Object.keys(configData(json)).filter((key) => key.startsWith('OTEL_'))).toEqual([]);
    });

    it('gives the API its environment from a ConfigMap, with IAM database authentication', () => {
      expect(configData(json)).toEqual({
        NODE_ENV: 'production',
        LOG_LEVEL: 'info',
        API_URL: 'https://wms.example.com/api',
        CORS_ALLOWED_ORIGINS: 'https://wms.example.com,https://admin.wms.example.com',
        AWS_REGION: 'eu-west-1',
        DATABASE_HOST: 'wms-test-db.proxy.example',
        DATABASE_READ_HOST: 'wms-test-db-ro.proxy.example',
        DATABASE_PORT: '5432',
        DATABASE_NAME: 'wms',
        DATABASE_USER: 'wms_api',
        DATABASE_IAM_AUTH: 'true',
      });
      for (const name of ['wms-api', 'wms-api']) {
        expect(mainContainer(json, name).env_from).toEqual([
          {
            config_map_ref: {
              name: expect.stringMatching(/kubernetes_config_map_v1\.App_ApiConfig_\w+\.metadata\[0\]\.name/),
            },
          },
        ]);
      }
      expect(mainContainer(json, 'wms-web').env_from).toBeUndefined();
    });

    it('has no password or Secret anywhere', () => {
      const text = JSON.stringify(json);
      expect(text).not.toMatch(/password/i);
      expect(text).not.toMatch(/secret_key_ref|kubernetes_secret/);
    });

    it('rolls the API pods when the configuration changes, with a hash Terraform computes', () => {
      for (const name of ['wms-api', 'wms-api']) {
        expect(deployment(json, name).spec.template.metadata.annotations).toEqual({
          'wms/config-sha256': expect.stringMatching(
            /^\$\{sha256\(jsonencode\(kubernetes_config_map_v1\.App_ApiConfig_\w+\.data\)\)\}$/,
          ),
        });
      }
      expect(deployment(json, 'wms-web').spec.template.metadata.annotations).toBeUndefined();
    });
  });

  describe('ingress', () => {
    it('is an internet-facing ALB: HTTPS with the certificate and TLS 1.2/1.3 policy, HTTP redirected, WAF, access logs', () => {
      const ingress = rows(DEFAULT.json, 'kubernetes_ingress_v1')[0];
      expect(ingress.spec.ingress_class_name).toBe('alb');
      expect(ingress.wait_for_load_balancer).toBe(true);
      expect(annotations(DEFAULT.json)).toMatchObject({
        'alb.ingress.kubernetes.io/scheme': 'internet-facing',
        'alb.ingress.kubernetes.io/target-type': 'ip',
        'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP":80},{"HTTPS":443}]',
        'alb.ingress.kubernetes.io/ssl-redirect': '443',
        'alb.ingress.kubernetes.io/certificate-arn': BASE.certificateArn,
        'alb.ingress.kubernetes.io/ssl-policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',
        'alb.ingress.kubernetes.io/wafv2-acl-arn': BASE.wafAclArn,
        'alb.ingress.kubernetes.io/healthcheck-path': '/health',
        'alb.ingress.kubernetes.io/success-codes': '200',
        'alb.ingress.kubernetes.io/load-balancer-attributes':
          'access_logs.s3.enabled=true,access_logs.s3.bucket=wms-test-alb-logs-123456789012-eu-west-1,' +
          'access_logs.s3.prefix=wms-alb,deletion_protection.enabled=true,routing.http.drop_invalid_header_fields.enabled=true',
        'alb.ingress.kubernetes.io/target-group-attributes': 'deregistration_delay.timeout_seconds=30',
      });
    });

    it("sets the component Services' health-check paths from each component", () => {
      const { json } = build({ web: { ...BASE.web, healthCheckPath: '/healthz' } });
      const path = (name: string) =>
        named(json, 'kubernetes_service_v1', name).metadata.annotations[
          'alb.ingress.kubernetes.io/healthcheck-path'
        ];
      expect([path('wms-api'), path('wms-web')]).toEqual(['/health', '/healthz']);
      expect(mainContainer(json, 'wms-web').readiness_probe.http_get.path).toBe('/healthz');
    });

    it('takes the access-log prefix and deletion protection from props', () => {
      const { json } = build({ accessLogsPrefix: 'alb/wms-dev', deletionProtection: false });
      expect(annotations(json)['alb.ingress.kubernetes.io/load-balancer-attributes']).toBe(
        'access_logs.s3.enabled=true,access_logs.s3.bucket=wms-test-alb-logs-123456789012-eu-west-1,' +
          'access_logs.s3.prefix=alb/wms-dev,deletion_protection.enabled=false,routing.http.drop_invalid_header_fields.enabled=true',
      );
    });
  });

  describe('behind a CDN (issue #19 part 3)', () => {
    const CDN = {
      originHost: 'origin.wms.example.com',
      certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/origin-0001',
      cloudfrontOnly: false,
      originFacingPrefixListId: 'pl-4fa04526',
    };
    const hosts = (json: SynthesizedStack) =>
      (rows(json, 'kubernetes_ingress_v1')[0].spec.rule as { host: string }[]).map((rule) => rule.host);

    it('GIVEN no CDN (default) THEN the Ingress answers only the domain, from anywhere', () => {
      expect(hosts(DEFAULT.json)).toEqual([BASE.domain]);
      expect(annotations(DEFAULT.json)).not.toHaveProperty(
        'alb.ingress.kubernetes.io/security-group-prefix-lists',
      );
    });

    it('GIVEN a CDN that is not the only way in yet THEN the Ingress answers both hosts with both certificates, still from anywhere', () => {
      const { json } = build({ cdn: CDN });
      expect(hosts(json)).toEqual([BASE.domain, 'origin.wms.example.com']);
      expect(annotations(json)).toMatchObject({
        'alb.ingress.kubernetes.io/certificate-arn': `${BASE.certificateArn},${CDN.certificateArn}`,
        'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP":80},{"HTTPS":443}]',
        'alb.ingress.kubernetes.io/ssl-redirect': '443',
      });
      expect(annotations(json)).not.toHaveProperty('alb.ingress.kubernetes.io/security-group-prefix-lists');
    });

    it('GIVEN cloudfrontOnly THEN only the origin host, HTTPS only, admitting only the CloudFront prefix list', () => {
      const { json } = build({ cdn: { ...CDN, cloudfrontOnly: true } });
      expect(hosts(json)).toEqual(['origin.wms.example.com']);
      const ingress = annotations(json);
      expect(ingress).toMatchObject({
        'alb.ingress.kubernetes.io/listen-ports': '[{"HTTPS":443}]',
        'alb.ingress.kubernetes.io/security-group-prefix-lists': 'pl-4fa04526',
      });
      // No inbound-cidrs: with a prefix list alone the controller drops its 0.0.0.0/0 default.
      expect(ingress).not.toHaveProperty('alb.ingress.kubernetes.io/inbound-cidrs');
      expect(ingress).not.toHaveProperty('alb.ingress.kubernetes.io/ssl-redirect');
      const [rule] = rows(json, 'kubernetes_ingress_v1')[0].spec.rule;
      expect(rule.http.path.map((p: { path: string }) => p.path)).toEqual(['/api', '/']);
    });

    it.each([
      [
        { originHost: 'Origin.example.com' },
        /cdn\.originHost: "Origin\.example\.com" is not allowed \(a lowercase DNS name other than domain/,
      ],
      [{ originHost: BASE.domain }, /cdn\.originHost: .* is not allowed/],
      [
        { certificateArn: 'origin-cert' },
        /cdn\.certificateArn: "origin-cert" is not allowed \(an ACM certificate ARN/,
      ],
      [
        { originFacingPrefixListId: 'cloudfront' },
        /cdn\.originFacingPrefixListId: "cloudfront" is not allowed \(a managed prefix list id such as pl-4fa04526\)/,
      ],
    ])('GIVEN cdn %j THEN refuses it, naming field, value and what is allowed', (overrides, message) => {
      expect(() => build({ cdn: { ...CDN, ...overrides } })).toThrow(message);
    });
  });

  describe('progressive releases (Argo Rollouts)', () => {
    it('runs the release in both components, and starts with all traffic on stable', () => {
      const { json } = DEFAULT;
      expect(mainContainer(json, 'wms-api').image).toBe(`${REGISTRY}/wms-api:1.5.0`);
      expect(mainContainer(json, 'wms-web').image).toBe(`${REGISTRY}/wms-web:1.5.0`);
      expect(deployment(json, 'wms-web').spec.template.metadata.labels['app.kubernetes.io/version']).toBe(
        '1.5.0',
      );
      expect(weights(json, 'wms-api')).toEqual({ 'wms-api': 100, 'wms-api-canary': 0 });
      expect(weights(json, 'wms-web')).toEqual({ 'wms-web': 100, 'wms-web-canary': 0 });
    });

    it('shifts traffic by ALB weights through the configured steps, analysing the API from the first step', () => {
      const { canary } = rollout(DEFAULT.json, 'wms-api').manifest.spec.strategy;
      expect(canary).toMatchObject({
        stableService: 'wms-api',
        canaryService: 'wms-api-canary',
        trafficRouting: { alb: { ingress: 'wms', servicePort: 80 } },
        dynamicStableScale: false,
        analysis: {
          templates: [{ templateName: 'wms-api-analysis' }],
          args: [{ name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } }],
          startingStep: 0,
        },
      });
      expect(canary.steps).toEqual([
        { setWeight: 5 },
        { pause: { duration: '60s' } },
        { setWeight: 25 },
        { pause: { duration: '60s' } },
        { setWeight: 50 },
        { pause: { duration: '60s' } },
      ]);
      // The web front end has no request metrics: its analysis watches the health of its new pods.
      expect(rollout(DEFAULT.json, 'wms-web').manifest.spec.strategy.canary.analysis).toEqual({
        templates: [{ templateName: 'wms-web-analysis' }],
        args: [{ name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } }],
        startingStep: 0,
      });
    });

    it('aborts a stalled release as well (progress deadline), and leaves replicas to the HPA', () => {
      const row = rollout(DEFAULT.json, 'wms-api');
      expect(row.manifest.spec).toMatchObject({ progressDeadlineSeconds: 600, progressDeadlineAbort: true });
      // The rollback workflow's undo to a recent revision is fast-tracked (no steps, no analysis).
      expect(row.manifest.spec).toMatchObject({ rollbackWindow: { revisions: 3 } });
      expect(row.manifest.spec).not.toHaveProperty('replicas');
      expect(row.computed_fields).toEqual(CONTROLLER_OWNED_FIELDS.rollout);
    });

    it('leaves exactly the controller-owned fields to the controller (pinned list)', () => {
      expect(CONTROLLER_OWNED_FIELDS).toEqual({
        rollout: ['metadata.annotations', 'metadata.labels', 'spec.replicas'],
        service: [
          'spec[0].selector',
          'metadata[0].annotations["argo-rollouts.argoproj.io/managed-by-rollouts"]',
        ],
      });
      expect(rows(DEFAULT.json, 'kubernetes_ingress_v1')[0].lifecycle.ignore_changes).toEqual([
        'metadata[0].annotations["alb.ingress.kubernetes.io/actions.wms-api"]',
        'metadata[0].annotations["alb.ingress.kubernetes.io/actions.wms-web"]',
        'metadata[0].annotations["rollouts.argoproj.io/managed-alb-annotations"]',
      ]);
      const ignoring = Object.entries(DEFAULT.json.resource ?? {}).flatMap(([type, resources]) =>
        Object.values(resources)
          .filter((r) => (r as Row).lifecycle?.ignore_changes || (r as Row).computed_fields)
          .map((r) => `${type} ${(r as Row).metadata?.name ?? (r as Row).manifest.metadata.name}`),
      );
      expect(ignoring.sort()).toEqual(
        [
          'kubernetes_ingress_v1 wms',
          'kubernetes_manifest wms-api',
          'kubernetes_manifest wms-web',
          'kubernetes_service_v1 wms-api',
          'kubernetes_service_v1 wms-api-canary',
          'kubernetes_service_v1 wms-web',
          'kubernetes_service_v1 wms-web-canary',
        ].sort(),
      );
    });

    it('the API analysis fails past the team thresholds and aborts within the bound', () => {
      const templates = rows(DEFAULT.json, 'kubernetes_manifest').filter(
        (r) => r.manifest.kind === 'AnalysisTemplate',
      );
      expect(templates.map((t) => t.manifest.metadata.name)).toEqual([
        'wms-api-analysis',
        'wms-web-analysis',
      ]);
      const { metrics } = templates[0].manifest.spec;
      expect(metrics.map((m: Row) => [m.name, m.interval, m.failureLimit, m.failureCondition])).toEqual([
        ['error-ratio', '30s', 1, 'result[0] >= 0.05'],
        ['latency-p95', '30s', 1, 'result[0] >= 2'],
        ['slo-burn-rate', '30s', 1, 'result[0] >= 14.4'],
      ]);
      // The web's: one restart or one failing container of the new pods, at the same interval and limit (the
      // same rollback bound).
      const web = templates[1].manifest.spec.metrics;
      expect(web.map((m: Row) => [m.name, m.interval, m.failureLimit, m.failureCondition])).toEqual([
        ['container-restarts', '30s', 1, 'result[0] >= 1'],
        ['failing-containers', '30s', 1, 'result[0] >= 1'],
      ]);
      for (const metric of [...metrics, ...web]) {
        expect(metric.count).toBeUndefined();
        expect(metric.consecutiveErrorLimit).toBe(1);
        expect(metric.provider.prometheus.address).toBe(BASE.prometheusUrl);
      }
    });

    it('blue-green: preview Services behind the X-WMS-Preview header, pre-promotion analysis of a fixed count', () => {
      const { json } = build({ delivery: { ...BASE.delivery, strategy: 'blueGreen' } });
      expect(rollout(json, 'wms-api').manifest.spec.strategy).toEqual({
        blueGreen: {
          activeService: 'wms-api',
          previewService: 'wms-api-preview',
          autoPromotionEnabled: true,
          scaleDownDelaySeconds: 30,
          prePromotionAnalysis: {
            templates: [{ templateName: 'wms-api-analysis' }],
            args: [{ name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } }],
          },
        },
      });
      const template = rows(json, 'kubernetes_manifest').find((r) => r.manifest.kind === 'AnalysisTemplate');
      expect(template?.manifest.spec.metrics[0].count).toBe(3);
      const ingress = rows(json, 'kubernetes_ingress_v1')[0];
      expect(
        ingress.spec.rule[0].http.path.map((p: Row) => [
          p.path,
          p.backend.service.name,
          p.backend.service.port.name,
        ]),
      ).toEqual([
        ['/api', 'wms-api-preview', 'http'],
        ['/', 'wms-web-preview', 'http'],
        ['/api', 'wms-api', 'http'],
        ['/', 'wms-web', 'http'],
      ]);
      expect(
        JSON.parse(ingress.metadata.annotations['alb.ingress.kubernetes.io/conditions.wms-api-preview']),
      ).toEqual([
        { field: 'http-header', httpHeaderConfig: { httpHeaderName: 'X-WMS-Preview', values: ['true'] } },
      ]);
      expect(ingress.lifecycle).toBeUndefined();
      expect(named(json, 'kubernetes_service_v1', 'wms-web-preview').lifecycle.ignore_changes).toEqual(
        CONTROLLER_OWNED_FIELDS.service,
      );
    });

    it('the Rollouts come after the Ingress they route through, which comes after the migration', () => {
      const ingressAddress = `kubernetes_ingress_v1.${Object.keys(resourcesOfType(DEFAULT.json, 'kubernetes_ingress_v1'))[0]}`;
      for (const name of DEPLOYMENTS)
        expect(rollout(DEFAULT.json, name).depends_on).toContain(ingressAddress);
    });
  });

  describe('migration', () => {
    const { json } = build({}, { snapshot: true });
    const migration = job(json);
    const spec = migration.spec.template.spec;

    it('is a Job named after the release version, waited for, with no TTL (Terraform would re-run it)', () => {
      expect(migration.metadata.name).toBe('wms-migrate-1-5-0');
      expect(migration.wait_for_completion).toBe(true);
      expect(migration.timeouts).toEqual({ create: '20m', update: '20m' });
      expect(migration.spec.backoff_limit).toBe(1);
      expect(migration.spec.active_deadline_seconds).toBe(900);
      expect(migration.spec).not.toHaveProperty('ttl_seconds_after_finished');
      expect(spec.restart_policy).toBe('Never');
    });

    it('runs after the release snapshot, and the pod templates and Ingress change only after it', () => {
      const jobAddress = addressOf(json, 'kubernetes_job_v1', 'wms-migrate-1-5-0');
      expect(migration.depends_on).toContain(SNAPSHOT_ADDRESS);
      expect(rows(json, 'kubernetes_ingress_v1')[0].depends_on).toContain(jobAddress);
      for (const name of DEPLOYMENTS) expect(deployment(json, name).depends_on).toContain(jobAddress);
    });

    it('starts after its network policies, service account and configuration exist', () => {
      const policies = Object.keys(resourcesOfType(json, 'kubernetes_network_policy_v1')).map(
        (name) => `kubernetes_network_policy_v1.${name}`,
      );
      expect(migration.depends_on).toEqual(
        expect.arrayContaining([
          ...policies,
          addressOf(json, 'kubernetes_service_account_v1', 'wms-migrate'),
          addressOf(json, 'kubernetes_config_map_v1', 'wms-api-config'),
        ]),
      );
    });

    it("runs as its own service account (the migration user's identity), with the API configuration and the image's own command", () => {
      expect(spec.service_account_name).toBe(MIGRATION_SERVICE_ACCOUNT);
      const [migrate] = spec.container;
      expect(migrate.image).toBe(`${REGISTRY}/wms-api:1.5.0`);
      expect(migrate.command).toBeUndefined();
      expect(migrate.env).toEqual([{ name: 'DATABASE_USER', value: 'wms_api' }]);
      expect(migrate.env_from).toEqual(mainContainer(json, 'wms-api').env_from);
      expect(migrate.resources).toEqual({
        requests: { cpu: '250m', memory: '256Mi' },
        limits: { cpu: '1', memory: '512Mi' },
      });
    });

    it('first waits, with the migration image, until the database accepts TCP connections (30 tries, 2 s apart)', () => {
      const [wait] = spec.init_container;
      expect(wait.name).toBe('wait-for-database');
      expect(wait.image).toBe(`${REGISTRY}/wms-api:1.5.0`);
      expect(wait.command.slice(0, 2)).toEqual(['node', '-e']);
      expect(wait.command[2]).toBe(waitForTcpScript('DATABASE_HOST', 'DATABASE_PORT', 30, 2));
      expect(wait.env_from).toEqual(spec.container[0].env_from);
    });

    it('the wait script exits 0 once the port accepts connections', async () => {
      const server = createServer((socket) => socket.end());
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      const result = await runNode(job(json).spec.template.spec.init_container[0].command[2], {
        DATABASE_HOST: '127.0.0.1',
        DATABASE_PORT: String(port),
      });
      server.close();
      expect(result).toEqual({
        code: 0,
        output: expect.stringContaining(`127.0.0.1:${port} reachable after 1 attempt(s)`),
      });
    });

    it('the wait script gives up with exit 1 after its last attempt', async () => {
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      const result = await runNode(waitForTcpScript('H', 'P', 2, 0), { H: '127.0.0.1', P: String(port) });
      expect(result.code).toBe(1);
      expect(result.output).toMatch(/attempt 1\/2: .* not reachable: ECONNREFUSED\n.*attempt 2\/2/);
    });

    it('takes command, database user, deadline and resources from props', () => {
      const custom = build({
        migration: {
          ...BASE.migration,
          command: ['node', 'dist/migrate.js'],
          databaseUser: 'wms_migrator',
          activeDeadlineSeconds: 1800,
          resources: { cpuRequest: '500m', cpuLimit: '2', memoryRequest: '512Mi', memoryLimit: '1Gi' },
        },
      }).json;
      const customJob = job(custom);
      const [migrate] = customJob.spec.template.spec.container;
      expect(migrate.command).toEqual(['node', 'dist/migrate.js']);
      expect(migrate.env).toEqual([{ name: 'DATABASE_USER', value: 'wms_migrator' }]);
      expect(customJob.spec.active_deadline_seconds).toBe(1800);
      expect(customJob.timeouts).toEqual({ create: '35m', update: '35m' });
      expect(migrate.resources.limits).toEqual({ cpu: '2', memory: '1Gi' });
      expect(configData(custom).DATABASE_USER).toBe('wms_api');
    });

    it("logs in as the API's database user when it sets none", () => {
      const { json: custom } = build({ databaseUser: 'wms_app' });
      expect(job(custom).spec.template.spec.container[0].env).toEqual([
        { name: 'DATABASE_USER', value: 'wms_app' },
      ]);
      expect(configData(custom).DATABASE_USER).toBe('wms_app');
    });

    it('sanitises the version into the Job name and keeps it within 63 characters', () => {
      const version = '2.0.0-RC.1_build.7';
      const release = { version, apiImage: image('wms-api', 'rc1'), webImage: image('wms-web', 'rc1') };
      const { json: rc } = build({
        release,
        migration: { version, image: image('wms-api', 'rc1') },
      });
      expect(job(rc).metadata.name).toBe('wms-migrate-2-0-0-rc-1-build-7');
      const long = `1.${'9'.repeat(60)}`;
      const longRelease = { ...release, version: long };
      const { json: trimmed } = build({
        release: longRelease,
        migration: { version: long, image: image('wms-api', 'rc1') },
      });
      expect(job(trimmed).metadata.name).toBe(`wms-migrate-1-${'9'.repeat(49)}`);
      expect(job(trimmed).metadata.name).toHaveLength(63);
    });
  });

  describe('defaults and prop branches', () => {
    const { json, app } = DEFAULT;

    it('defaults each memory target to 80 %, and the API (only) to 25 requests per second per pod', () => {
      for (const name of DEPLOYMENTS) {
        expect(named(json, 'kubernetes_horizontal_pod_autoscaler_v2', name).spec.metric[1]).toEqual({
          type: 'Resource',
          resource: { name: 'memory', target: { type: 'Utilization', average_utilization: 80 } },
        });
      }
      expect(named(json, 'kubernetes_horizontal_pod_autoscaler_v2', 'wms-api').spec.metric[2]).toEqual({
        type: 'Pods',
        pods: {
          metric: { name: 'http_requests_per_second' },
          target: { type: 'AverageValue', average_value: '25' },
        },
      });
      expect(named(json, 'kubernetes_horizontal_pod_autoscaler_v2', 'wms-web').spec.metric).toHaveLength(2);
    });

    it('defaults each PDB to minReplicas - 1 and each CPU target to 70 %', () => {
      expect(named(json, 'kubernetes_pod_disruption_budget_v1', 'wms-api').spec.min_available).toBe('2');
      expect(named(json, 'kubernetes_pod_disruption_budget_v1', 'wms-web').spec.min_available).toBe('1');
      for (const name of DEPLOYMENTS) {
        expect(
          named(json, 'kubernetes_horizontal_pod_autoscaler_v2', name).spec.metric[0].resource.target
            .average_utilization,
        ).toBe(70);
      }
    });

    it('defaults the resources of the API and the web front end', () => {
      expect(mainContainer(json, 'wms-api').resources).toEqual({
        requests: { cpu: '250m', memory: '256Mi' },
        limits: { cpu: '1', memory: '512Mi' },
      });
      expect(mainContainer(json, 'wms-web').resources).toEqual({
        requests: { cpu: '50m', memory: '64Mi' },
        limits: { cpu: '250m', memory: '128Mi' },
      });
    });

    it('defaults the UIDs to 10001 (API, migration) and 10101 (nginx)', () => {
      expect(deployment(json, 'wms-api').spec.template.spec.security_context.run_as_user).toBe('10001');
      expect(deployment(json, 'wms-web').spec.template.spec.security_context.run_as_user).toBe('10101');
      expect(job(json).spec.template.spec.security_context.run_as_user).toBe('10001');
    });

    it('defaults to a 15 s preStop sleep in a 45 s grace period, leaving 30 s of deregistration delay', () => {
      for (const name of DEPLOYMENTS) {
        expect(mainContainer(json, name).lifecycle.pre_stop[0].exec.command).toEqual(['sleep', '15']);
        expect(deployment(json, name).spec.template.spec.termination_grace_period_seconds).toBe(45);
      }
    });

    it('takes the component options from props', () => {
      const { json: custom } = build({
        api: {
          minReplicas: 4,
          maxReplicas: 8,
          pdbMinAvailable: 2,
          targetCpuUtilizationPercent: 55,
          targetMemoryUtilizationPercent: 65,
          targetRequestsPerSecondPerPod: 120,
          resources: { cpuRequest: '500m', cpuLimit: '2', memoryRequest: '1Gi', memoryLimit: '2Gi' },
          runAsUser: 20000,
        },
        preStopSleepSeconds: 20,
        terminationGracePeriodSeconds: 80,
        logLevel: 'debug',
        database: { ...BASE.database, port: 6432 },
      });
      expect(named(custom, 'kubernetes_horizontal_pod_autoscaler_v2', 'wms-api').spec).toMatchObject({
        min_replicas: 4,
        max_replicas: 8,
        metric: [
          { resource: { target: { average_utilization: 55 } } },
          { resource: { target: { average_utilization: 65 } } },
          { pods: { target: { average_value: '120' } } },
        ],
      });
      expect(named(custom, 'kubernetes_pod_disruption_budget_v1', 'wms-api').spec.min_available).toBe('2');
      expect(mainContainer(custom, 'wms-api').resources.limits).toEqual({ cpu: '2', memory: '2Gi' });
      expect(mainContainer(custom, 'wms-api').security_context.run_as_user).toBe('20000');
      expect(job(custom).spec.template.spec.container[0].security_context.run_as_user).toBe('20000');
      expect(mainContainer(custom, 'wms-api').lifecycle.pre_stop[0].exec.command).toEqual(['sleep', '20']);
      expect(annotations(custom)['alb.ingress.kubernetes.io/target-group-attributes']).toBe(
        'deregistration_delay.timeout_seconds=60',
      );
      expect(configData(custom)).toMatchObject({ LOG_LEVEL: 'debug', DATABASE_PORT: '6432' });
      expect(named(custom, 'kubernetes_network_policy_v1', 'wms-api-egress').spec.egress[0].ports).toEqual([
        { port: '6432', protocol: 'TCP' },
      ]);
      expect(rows(custom, 'kubernetes_limit_range_v1')[0].spec.limit[0].max).toEqual({
        cpu: '2000m',
        memory: '2048Mi',
      });
    });

    it('accepts 1 pod per colour (the 2 pods at least of production is a config invariant, checked there)', () => {
      const { json: dev } = build({ web: { minReplicas: 1, maxReplicas: 2 } });
      expect(named(dev, 'kubernetes_horizontal_pod_autoscaler_v2', 'wms-web').spec.min_replicas).toBe(1);
      expect(named(dev, 'kubernetes_pod_disruption_budget_v1', 'wms-web').spec.min_available).toBe('0');
    });

    it('accepts values known only at apply time (references to other stacks or resources) unchecked', () => {
      const { json: tokens } = build(
        {},
        {
          extra: (stack) => {
            const value = (id: string) => new TerraformVariable(stack, id, { type: 'string' }).stringValue;
            return {
              certificateArn: value('CertificateArn'),
              wafAclArn: value('WafAclArn'),
              accessLogsBucket: value('AccessLogsBucket'),
              database: {
                proxyEndpoint: value('Proxy'),
                proxyReadOnlyEndpoint: value('ProxyRo'),
                port: 5432,
              },
              databaseCidrs: [value('DatabaseCidr')],
            };
          },
        },
      );
      expect(annotations(tokens)['alb.ingress.kubernetes.io/certificate-arn']).toBe('${var.CertificateArn}');
      expect(annotations(tokens)['alb.ingress.kubernetes.io/wafv2-acl-arn']).toBe('${var.WafAclArn}');
      expect(annotations(tokens)['alb.ingress.kubernetes.io/load-balancer-attributes']).toContain(
        'access_logs.s3.bucket=${var.AccessLogsBucket},',
      );
      expect(configData(tokens)).toMatchObject({
        DATABASE_HOST: '${var.Proxy}',
        DATABASE_READ_HOST: '${var.ProxyRo}',
      });
      expect(named(tokens, 'kubernetes_network_policy_v1', 'wms-api-egress').spec.egress[0].to).toEqual([
        { ip_block: { cidr: '${var.DatabaseCidr}' } },
      ]);
    });

    it('exposes names and selector labels for the monitoring stack', () => {
      expect({
        namespace: app.namespaceName,
        api: app.apiServiceName,
        web: app.webServiceName,
        account: app.apiServiceAccountName,
        apiLabels: app.apiSelectorLabels,
        webLabels: app.webSelectorLabels,
        port: app.servicePortName,
        apiRollout: app.api.objectName,
        analysis: app.apiAnalysis.templateName,
      }).toEqual({
        namespace: 'wms',
        api: 'wms-api',
        web: 'wms-web',
        account: 'wms-api',
        apiLabels: { 'app.kubernetes.io/name': 'wms-api', 'app.kubernetes.io/part-of': 'wms' },
        webLabels: { 'app.kubernetes.io/name': 'wms-web', 'app.kubernetes.io/part-of': 'wms' },
        port: 'http',
        apiRollout: 'wms-api',
        analysis: 'wms-api-analysis',
      });
      expect(subset(app.apiSelectorLabels, deployment(json, 'wms-api').spec.template.metadata.labels)).toBe(
        true,
      );
      expect(named(json, 'kubernetes_service_v1', 'wms-api').spec.port[0].name).toBe(app.servicePortName);
    });
  });

  describe('validation', () => {
    it.each<[string, Partial<WmsApplicationProps>, RegExp]>([
      [
        'a domain that is no DNS name',
        { domain: 'WMS example' },
        /test\/App: domain: "WMS example" is not allowed \(a lowercase DNS name/,
      ],
      ['a malformed region', { region: 'Ireland' }, /region: "Ireland" is not allowed \(an AWS region/],
      [
        'a release version that is no label value',
        { release: { ...BASE.release, version: '1 4' } },
        /release.version: "1 4" is not allowed/,
      ],
      [
        'a latest image',
        { release: { ...BASE.release, webImage: image('wms-web', 'latest') } },
        /release.webImage.tag: "latest" is not allowed/,
      ],
      [
        'an image without tag or digest',
        { release: { ...BASE.release, apiImage: { repository: `${REGISTRY}/wms-api` } } },
        /release.apiImage: .* is not allowed \(a tag or a digest/,
      ],
      [
        'a malformed image repository',
        { release: { ...BASE.release, webImage: { repository: 'Registry/Web', tag: '1' } } },
        /release.webImage.repository: "Registry\/Web" is not allowed \(an image repository without tag or digest/,
      ],
      [
        'a malformed digest',
        {
          release: { ...BASE.release, apiImage: { repository: `${REGISTRY}/wms-api`, digest: 'sha256:XYZ' } },
        },
        /release.apiImage.digest: "sha256:XYZ" is not allowed \(sha256:<64 lowercase hex digits>\)/,
      ],
      [
        'a rollback bound over 2 minutes (60 s x (1 + 1) + 45 s = 165 s)',
        { delivery: { ...BASE.delivery, analysisIntervalSeconds: 60 } },
        /delivery: rollback bound 60 s x \(1 \+ 1\) \+ 45 s = 165 s is not allowed \(at most 120 s/,
      ],
      [
        'canary weights that do not increase',
        {
          delivery: {
            ...BASE.delivery,
            canarySteps: [
              { weight: 25, pauseSeconds: 30 },
              { weight: 25, pauseSeconds: 30 },
            ],
          },
        },
        /delivery.canarySteps\[1\].weight: 25 is not allowed \(a whole number from 26 to 99\)/,
      ],
      [
        'an unknown strategy',
        { delivery: { ...BASE.delivery, strategy: 'shadow' as never } },
        /delivery.strategy: "shadow" is not allowed \(canary or blueGreen\)/,
      ],
      [
        'a migration of another version than the release',
        { migration: { ...BASE.migration, version: '1.4.2' } },
        /migration.version: "1.4.2" is not allowed \(the release's version "1.5.0"\)/,
      ],
      [
        'a migration version that is no label value',
        { migration: { ...BASE.migration, version: '1.5.0 final' } },
        /migration.version: "1.5.0 final" is not allowed \(a Kubernetes label value/,
      ],
      [
        'a migration command with an empty argument',
        { migration: { ...BASE.migration, command: ['node', ''] } },
        /migration.command: \["node",""\] is not allowed/,
      ],
      [
        'a negative PDB',
        { api: { ...BASE.api, pdbMinAvailable: -1 } },
        /api.pdbMinAvailable: -1 is not allowed \(a whole number >= 0\)/,
      ],
      [
        'a CIDR list known only at apply time (one policy peer per CIDR is needed)',
        { publicSubnetCidrs: Token.asList('${var.public_subnet_cidrs}') },
        /publicSubnetCidrs: .* is not allowed \(a non-empty list of IPv4 CIDRs known at synth time/,
      ],
      [
        'a migration image tagged latest',
        { migration: { ...BASE.migration, image: image('wms-api', 'latest') } },
        /migration.image.tag: "latest" is not allowed/,
      ],
      [
        'an empty migration command',
        { migration: { ...BASE.migration, command: [] } },
        /migration.command: \[\] is not allowed \(a non-empty list/,
      ],
      [
        'a migration user that is no PostgreSQL name',
        { migration: { ...BASE.migration, databaseUser: 'Migrator!' } },
        /migration.databaseUser: "Migrator!" is not allowed/,
      ],
      [
        'a migration deadline under a minute',
        { migration: { ...BASE.migration, activeDeadlineSeconds: 30 } },
        /migration.activeDeadlineSeconds: 30 is not allowed \(a whole number from 60 to 86400\)/,
      ],
      [
        'migration limits below requests',
        {
          migration: {
            ...BASE.migration,
            resources: { cpuRequest: '1', cpuLimit: '500m', memoryRequest: '1Gi', memoryLimit: '1Gi' },
          },
        },
        /migration.resources.cpuLimit: "500m" is not allowed/,
      ],
      [
        'a fractional replica count',
        { api: { minReplicas: 2.5, maxReplicas: 4 } },
        /api.minReplicas: 2.5 is not allowed \(a whole number >= 1\)/,
      ],
      [
        'max replicas below min',
        { api: { minReplicas: 3, maxReplicas: 2 } },
        /api.maxReplicas: 2 is not allowed \(a whole number >= 3\)/,
      ],
      [
        'a PDB not below the HPA minimum',
        { web: { minReplicas: 2, maxReplicas: 4, pdbMinAvailable: 2 } },
        /web.pdbMinAvailable: 2 is not allowed \(less than web.minReplicas \(2\)/,
      ],
      [
        'a CPU target of 0',
        { api: { ...BASE.api, targetCpuUtilizationPercent: 0 } },
        /api.targetCpuUtilizationPercent: 0 is not allowed/,
      ],
      [
        'a request-rate target on the web front end, which has no request metrics',
        { web: { ...BASE.web, targetRequestsPerSecondPerPod: 10 } },
        /web.targetRequestsPerSecondPerPod: 10 is not allowed \(nothing: the web front end exports no request metrics/,
      ],
      [
        'a memory target above 100',
        { api: { ...BASE.api, targetMemoryUtilizationPercent: 101 } },
        /api.targetMemoryUtilizationPercent: 101 is not allowed/,
      ],
      [
        'component limits below requests',
        {
          web: {
            ...BASE.web,
            resources: { cpuRequest: '50m', cpuLimit: '250m', memoryRequest: '256Mi', memoryLimit: '128Mi' },
          },
        },
        /web.resources.memoryLimit: "128Mi" is not allowed \(at least memoryRequest \(256Mi\)\)/,
      ],
      [
        'a health path with a query',
        { api: { ...BASE.api, healthCheckPath: '/health?full=1' } },
        /api.healthCheckPath: "\/health\?full=1" is not allowed/,
      ],
      [
        'a UID below 10000',
        { web: { ...BASE.web, runAsUser: 101 } },
        /web.runAsUser: 101 is not allowed \(a whole number from 10000/,
      ],
      [
        'a database port out of range',
        { database: { ...BASE.database, port: 70000 } },
        /database.port: 70000 is not allowed \(a whole number from 1 to 65535\)/,
      ],
      [
        'a database name with a dash',
        { databaseName: 'wms-db' },
        /databaseName: "wms-db" is not allowed \(a lowercase PostgreSQL name/,
      ],
      ['a database user with capitals', { databaseUser: 'WMS' }, /databaseUser: "WMS" is not allowed/],
      [
        'a wildcard CORS origin',
        { corsAllowedOrigins: ['*'] },
        /corsAllowedOrigins\[0\]: "\*" is not allowed \(an origin/,
      ],
      [
        'a CORS origin with a path',
        { corsAllowedOrigins: ['https://wms.example.com', 'https://x.example.com/app'] },
        /corsAllowedOrigins\[1\]: "https:\/\/x.example.com\/app" is not allowed/,
      ],
      [
        'an unknown log level',
        { logLevel: 'verbose' as never },
        /logLevel: "verbose" is not allowed \(fatal, error, warn, info, debug, trace\)/,
      ],
      [
        'a certificate ARN of another service',
        { certificateArn: 'arn:aws:iam::123456789012:server-certificate/wms' },
        /certificateArn: .* is not allowed \(an ACM certificate ARN/,
      ],
      [
        'a global (CloudFront) WAF ACL',
        { wafAclArn: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/wms/abc' },
        /wafAclArn: .* is not allowed \(a regional WAFv2 web ACL ARN/,
      ],
      [
        'a bucket name with capitals',
        { accessLogsBucket: 'WMS-Logs' },
        /accessLogsBucket: "WMS-Logs" is not allowed \(an S3 bucket name\)/,
      ],
      [
        'an access-log prefix with a trailing slash',
        { accessLogsPrefix: 'alb/' },
        /accessLogsPrefix: "alb\/" is not allowed/,
      ],
      [
        'an access-log prefix containing AWSLogs',
        { accessLogsPrefix: 'AWSLogs' },
        /accessLogsPrefix: "AWSLogs" is not allowed/,
      ],
      [
        'no public subnets',
        { publicSubnetCidrs: [] },
        /publicSubnetCidrs: \[\] is not allowed \(a non-empty list of IPv4 CIDRs/,
      ],
      [
        'a database CIDR with host bits',
        { databaseCidrs: ['10.40.0.1/19'] },
        /databaseCidrs: \["10.40.0.1\/19"\] is not allowed \(IPv4 CIDRs without host bits; "10.40.0.1\/19" is not one/,
      ],
      [
        'an AWS endpoint CIDR that is no CIDR',
        { awsEndpointCidrs: ['anywhere'] },
        /awsEndpointCidrs: \["anywhere"\] is not allowed/,
      ],
      [
        'a grace period not above the preStop sleep',
        { preStopSleepSeconds: 30, terminationGracePeriodSeconds: 30 },
        /terminationGracePeriodSeconds: 30 is not allowed \(a whole number from 31 to 3600\)/,
      ],
      [
        'a negative preStop sleep',
        { preStopSleepSeconds: -5 },
        /preStopSleepSeconds: -5 is not allowed \(a whole number from 0 to 300\)/,
      ],
    ])('refuses %s', (_what, overrides, message) => {
      expect(() => build(overrides)).toThrow(message);
    });
  });
});
