import type { ResourceNode } from '../../model/stack-model';
import type { Rule, Severity, Violation } from '../types';
import type { JsonObject } from '../../model/values';
import {
  blockAt,
  blocks,
  boolAttr,
  firstBlock,
  isExpression,
  isObject,
  isPresent,
  numberAttr,
  stringAttr,
  stringListAttr,
} from '../../model/values';
import { PASS } from './helpers';

type WorkloadShape = 'template' | 'cron' | 'pod' | 'rollout';

/** Workload resource types and where their pod spec sits. */
const WORKLOADS: Record<string, WorkloadShape> = {
  kubernetes_deployment_v1: 'template',
  kubernetes_deployment: 'template',
  kubernetes_stateful_set_v1: 'template',
  kubernetes_stateful_set: 'template',
  kubernetes_daemon_set_v1: 'template',
  kubernetes_daemonset: 'template',
  kubernetes_job_v1: 'template',
  kubernetes_job: 'template',
  kubernetes_cron_job_v1: 'cron',
  kubernetes_cron_job: 'cron',
  kubernetes_pod_v1: 'pod',
  kubernetes_pod: 'pod',
  // Issue #15: an Argo Rollout (a kubernetes_manifest) with its own pod template meets the same rules; one that
  // runs a Deployment's template (workloadRef) is covered by the Deployment's checks.
  kubernetes_manifest: 'rollout',
};
const WORKLOAD_TYPES = Object.keys(WORKLOADS);
const BATCH_TYPES = ['kubernetes_job_v1', 'kubernetes_job', 'kubernetes_cron_job_v1', 'kubernetes_cron_job'];
const SPEC_PATH: Record<WorkloadShape, string> = {
  template: 'spec.template.spec',
  cron: 'spec.job_template.spec.template.spec',
  pod: 'spec',
  rollout: 'manifest.spec.template.spec',
};
const ALLOWED_ADDED_CAPABILITIES = ['NET_BIND_SERVICE'];
const ALLOWED_SECCOMP_TYPES = ['RuntimeDefault', 'Localhost'];
const MINIMUM_UID = 10000;

/** The pod spec of a workload: `spec.template.spec`, `spec.job_template.spec.template.spec` or `spec`. */
function podSpec(workload: ResourceNode): JsonObject | undefined {
  const shape = WORKLOADS[workload.type];
  if (shape === 'pod') return blockAt(workload.body.spec);
  if (shape === 'cron') return blockAt(workload.body.spec, 'job_template', 'spec', 'template', 'spec');
  if (shape === 'rollout') {
    const manifest = blockAt(workload.body.manifest);
    if (manifest?.kind !== 'Rollout' || manifest.apiVersion !== 'argoproj.io/v1alpha1') return undefined;
    const spec = blockAt(manifest.spec, 'template', 'spec');
    return spec ? (providerShape(spec) as JsonObject) : undefined;
  }
  return blockAt(workload.body.spec, 'template', 'spec');
}

/** Pod-spec list fields whose provider block name is singular. */
const SINGULAR_BLOCKS: Record<string, string> = {
  containers: 'container',
  initContainers: 'init_container',
  volumes: 'volume',
  volumeMounts: 'volume_mount',
  ports: 'port',
  topologySpreadConstraints: 'topology_spread_constraint',
  tolerations: 'toleration',
  nodeSelectorTerms: 'node_selector_term',
};

/**
 * A Kubernetes-API object (camelCase, plural lists) in the kubernetes provider's shape (snake_case, singular
 * blocks), so that the workload rules read a manifest's pod template as they read a Deployment's.
 */
function providerShape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(providerShape);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      SINGULAR_BLOCKS[key] ?? key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
      // Label and annotation keys are data, not field names.
      key === 'labels' || key === 'annotations' || key === 'nodeSelector' ? inner : providerShape(inner),
    ]),
  );
}

interface Container {
  /** `container` or `init container`, for messages. */
  readonly kind: string;
  readonly name: string;
  readonly body: JsonObject;
  readonly init: boolean;
}

function containersOf(spec: JsonObject | undefined): Container[] {
  if (!spec) return [];
  const list = (attribute: string, init: boolean) =>
    blocks(spec[attribute]).map((body, index) => ({
      kind: init ? 'init container' : 'container',
      name: typeof body.name === 'string' ? body.name : `#${index}`,
      body,
      init,
    }));
  return [...list('init_container', true), ...list('container', false)];
}

/** A container-level security setting, falling back to the pod's `security_context` where Kubernetes does. */
function effective(
  container: Container,
  pod: JsonObject | undefined,
  attribute: string,
): { value: unknown; where: string } {
  const own = blockAt(container.body.security_context)?.[attribute];
  if (own !== undefined && own !== null) return { value: own, where: 'security_context' };
  const inherited = blockAt(pod?.security_context)?.[attribute];
  return {
    value: inherited,
    where: inherited === undefined || inherited === null ? 'security_context' : 'pod security_context',
  };
}

interface ContainerRuleSpec {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly requirement: string;
  readonly fix: string;
  /** Probes are not required of init containers. */
  readonly skipInit?: boolean;
  /** Probes are not required of Jobs and CronJobs. */
  readonly skipBatch?: boolean;
  /** Returns what is wrong with the container ("can escalate privileges: ..."), or undefined. */
  readonly test: (container: Container, pod: JsonObject | undefined) => string | undefined;
}

function containerRule(spec: ContainerRuleSpec): Rule {
  return {
    id: spec.id,
    title: spec.title,
    severity: spec.severity,
    resourceTypes: spec.skipBatch
      ? WORKLOAD_TYPES.filter((type) => !BATCH_TYPES.includes(type))
      : WORKLOAD_TYPES,
    requirement: spec.requirement,
    fix: spec.fix,
    check(workload) {
      const pod = podSpec(workload);
      return containersOf(pod)
        .filter((container) => !(spec.skipInit && container.init))
        .flatMap((container): Violation[] => {
          const problem = spec.test(container, pod);
          return problem ? [{ message: `${container.kind} "${container.name}" ${problem}` }] : [];
        });
    },
  };
}

function podRule(
  id: string,
  title: string,
  severity: Severity,
  requirement: string,
  fix: string,
  test: (pod: JsonObject, path: string) => string | undefined,
): Rule {
  return {
    id,
    title,
    severity,
    resourceTypes: WORKLOAD_TYPES,
    requirement,
    fix,
    check(workload) {
      const pod = podSpec(workload);
      if (!pod) return PASS;
      const problem = test(pod, SPEC_PATH[WORKLOADS[workload.type]]);
      return problem ? [{ message: problem }] : PASS;
    },
  };
}

function hostNamespaceRule(id: string, attribute: string, what: string): Rule {
  return podRule(
    id,
    `Containers do not share the host ${what} namespace`,
    'high',
    `\`${attribute}\` is not true in the pod spec.`,
    `remove ${attribute} (or set it to false)`,
    (pod, path) => {
      const value = boolAttr(pod[attribute]);
      return value.kind === 'known' && value.value
        ? `pod shares the host ${what} namespace: ${path}.${attribute} is true`
        : undefined;
    },
  );
}

/** The Spot taint of the project's node pools (the oracle's own copy of constructs/shared/capacity.ts). */
const SPOT_TAINT_KEY = 'wms/spot';
/** The node labels and values that mark Spot capacity: Karpenter's and EKS managed node groups'. */
const NOT_SPOT: readonly (readonly [string, string])[] = [
  ['karpenter.sh/capacity-type', 'spot'],
  ['eks.amazonaws.com/capacityType', 'SPOT'],
];

/** True when a toleration of the pod matches the taint key (or tolerates everything). */
function tolerates(pod: JsonObject, key: string): boolean {
  return blocks(pod.toleration).some(
    (toleration) =>
      toleration.key === key || (toleration.key === undefined && toleration.operator === 'Exists'),
  );
}

/** True when every required node selector term excludes `key = value` (NotIn). */
function excludesSpot(pod: JsonObject, key: string, value: string): boolean {
  const required = blockAt(
    pod.affinity,
    'node_affinity',
    'required_during_scheduling_ignored_during_execution',
  );
  const terms = blocks(required?.node_selector_term);
  return (
    terms.length > 0 &&
    terms.every((term) =>
      blocks(term.match_expressions).some(
        (expression) =>
          expression.key === key &&
          expression.operator === 'NotIn' &&
          Array.isArray(expression.values) &&
          expression.values.includes(value),
      ),
    )
  );
}

function describeValue(value: unknown): string {
  return value === undefined || value === null ? 'missing' : JSON.stringify(value);
}

function requireSecurityFlag(
  container: Container,
  attribute: string,
  expected: boolean,
  problem: string,
): string | undefined {
  const raw = blockAt(container.body.security_context)?.[attribute];
  const value = boolAttr(raw);
  if (value.kind === 'unresolved' || (value.kind === 'known' && value.value === expected)) return undefined;
  return `${problem}: security_context.${attribute} is ${describeValue(raw)}, must be ${expected}`;
}

function capabilities(container: Container, list: 'add' | 'drop'): string[] | undefined {
  const values = stringListAttr(blockAt(container.body.security_context, 'capabilities')?.[list]);
  if (values.kind === 'unresolved') return undefined;
  return values.kind === 'known' ? values.value : [];
}

function resourceQuantity(
  container: Container,
  section: 'requests' | 'limits',
  resource: 'cpu' | 'memory',
): unknown {
  const resources = blockAt(container.body.resources);
  const values = firstBlock(resources?.[section]);
  return values?.[resource];
}

function resourceRule(
  id: string,
  section: 'requests' | 'limits',
  resource: 'cpu' | 'memory',
  severity: Severity,
): Rule {
  const noun = `${resource === 'cpu' ? 'CPU' : 'memory'} ${section === 'requests' ? 'request' : 'limit'}`;
  return containerRule({
    id,
    title: `${resource === 'cpu' ? 'CPU' : 'Memory'} ${section} are set`,
    severity,
    requirement: `Every container (init containers included) sets \`resources.${section}.${resource}\`.`,
    fix: `set resources.${section}.${resource} from the measured usage of the container`,
    test: (container) =>
      isPresent(resourceQuantity(container, section, resource))
        ? undefined
        : `has no ${noun}: resources.${section}.${resource} is missing`,
  });
}

function probeRule(id: string, attribute: 'liveness_probe' | 'readiness_probe', what: string): Rule {
  return containerRule({
    id,
    title: `${what} probe should be configured`,
    severity: 'low',
    requirement: `Every container of a long-running workload (not init containers, Jobs or CronJobs) has a \`${attribute}\`.`,
    fix: `add a ${attribute} (http_get, tcp_socket or exec) that checks the container's own health`,
    skipInit: true,
    skipBatch: true,
    test: (container) =>
      blocks(container.body[attribute]).length > 0
        ? undefined
        : `has no ${what.toLowerCase()} probe: ${attribute} is missing`,
  });
}

/** Why an image reference is not pinned, or undefined when it has a fixed tag or a digest. */
function imageProblem(image: unknown): string | undefined {
  const value = stringAttr(image);
  if (value.kind === 'unresolved') return undefined;
  if (value.kind === 'missing') return 'image is missing';
  if (value.value.includes('@sha256:')) return undefined;
  const lastSegment = value.value.slice(value.value.lastIndexOf('/') + 1);
  const tag = lastSegment.includes(':') ? lastSegment.slice(lastSegment.indexOf(':') + 1) : undefined;
  if (tag === undefined) return `image "${value.value}" has no tag (means latest)`;
  return tag === '' || tag === 'latest' ? `image "${value.value}" uses the latest tag` : undefined;
}

/** Kubernetes workloads (Pod Security "restricted", resources, probes, images, host namespaces) and namespaces. */
export const kubernetesRules: readonly Rule[] = [
  containerRule({
    id: 'CKV_K8S_20',
    title: 'Containers do not run with allowPrivilegeEscalation',
    severity: 'high',
    requirement:
      'Every container sets `security_context.allow_privilege_escalation = false` (Kubernetes defaults it to true).',
    fix: 'set security_context { allow_privilege_escalation = false } on the container',
    test: (container) =>
      requireSecurityFlag(container, 'allow_privilege_escalation', false, 'can escalate privileges'),
  }),
  containerRule({
    id: 'CKV_K8S_22',
    title: 'Containers use a read-only root filesystem',
    severity: 'medium',
    requirement:
      'Every container sets `security_context.read_only_root_filesystem = true` (mount an emptyDir where it must write).',
    fix: 'set security_context { read_only_root_filesystem = true } and mount emptyDir volumes for scratch space',
    test: (container) =>
      requireSecurityFlag(container, 'read_only_root_filesystem', true, 'has a writable root filesystem'),
  }),
  containerRule({
    id: 'CKV_K8S_23',
    title: 'Containers do not run as root',
    severity: 'high',
    requirement:
      '`run_as_non_root` is true on the container or the pod `security_context`, and `run_as_user` is not 0.',
    fix: 'set security_context { run_as_non_root = true, run_as_user = 10001 } on the pod',
    test: (container, pod) => {
      const user = effective(container, pod, 'run_as_user');
      const uid = numberAttr(user.value);
      if (uid.kind === 'known' && uid.value === 0) return `runs as root: ${user.where}.run_as_user is 0`;
      const nonRoot = effective(container, pod, 'run_as_non_root');
      const value = boolAttr(nonRoot.value);
      if (value.kind === 'unresolved' || (value.kind === 'known' && value.value)) return undefined;
      return `may run as root: ${nonRoot.where}.run_as_non_root is ${describeValue(nonRoot.value)}, must be true`;
    },
  }),
  containerRule({
    id: 'CKV_K8S_37',
    title: 'Containers drop all capabilities',
    severity: 'medium',
    requirement: 'Every container has `security_context.capabilities.drop` containing `ALL`.',
    fix: 'set security_context { capabilities { drop = ["ALL"] } }',
    test: (container) => {
      const drop = capabilities(container, 'drop');
      if (drop === undefined || drop.some((item) => item.toUpperCase() === 'ALL')) return undefined;
      return `keeps Linux capabilities: security_context.capabilities.drop is ${drop.length ? JSON.stringify(drop) : 'missing'}, must contain "ALL"`;
    },
  }),
  containerRule({
    id: 'CKV_K8S_25',
    title: 'Containers add no capabilities beyond NET_BIND_SERVICE',
    severity: 'medium',
    requirement: `\`security_context.capabilities.add\` contains nothing but ${ALLOWED_ADDED_CAPABILITIES.join(', ')} (what Pod Security "restricted" allows; Checkov allows none).`,
    fix: 'remove the added capabilities; listen on a port above 1024 instead of adding NET_BIND_SERVICE where possible',
    test: (container) => {
      const extra = (capabilities(container, 'add') ?? []).filter(
        (item) => !ALLOWED_ADDED_CAPABILITIES.includes(item.toUpperCase().replace(/^CAP_/, '')),
      );
      return extra.length
        ? `adds Linux capabilities: security_context.capabilities.add contains ${JSON.stringify(extra)}`
        : undefined;
    },
  }),
  containerRule({
    id: 'CKV_K8S_31',
    title: 'The seccomp profile is RuntimeDefault or Localhost',
    severity: 'medium',
    requirement:
      '`seccomp_profile.type` is `RuntimeDefault` or `Localhost` on the container or the pod `security_context`.',
    fix: 'set security_context { seccomp_profile { type = "RuntimeDefault" } } on the pod',
    test: (container, pod) => {
      const profile = effective(container, pod, 'seccomp_profile');
      const type = stringAttr(firstBlock(profile.value)?.type);
      if (type.kind === 'unresolved' || (type.kind === 'known' && ALLOWED_SECCOMP_TYPES.includes(type.value)))
        return undefined;
      const found = type.kind === 'known' ? `"${type.value}"` : 'missing';
      return `runs without a seccomp profile: ${profile.where}.seccomp_profile.type is ${found}, must be "RuntimeDefault"`;
    },
  }),
  containerRule({
    id: 'CKV_K8S_16',
    title: 'Containers are not privileged',
    severity: 'critical',
    requirement: '`security_context.privileged` is not true.',
    fix: 'remove security_context.privileged (or set it to false)',
    test: (container) => {
      const value = boolAttr(blockAt(container.body.security_context)?.privileged);
      return value.kind === 'known' && value.value
        ? 'is privileged: security_context.privileged is true'
        : undefined;
    },
  }),
  resourceRule('CKV_K8S_10', 'requests', 'cpu', 'low'),
  resourceRule('CKV_K8S_11', 'limits', 'cpu', 'low'),
  resourceRule('CKV_K8S_12', 'limits', 'memory', 'medium'),
  resourceRule('CKV_K8S_13', 'requests', 'memory', 'low'),
  probeRule('CKV_K8S_8', 'liveness_probe', 'Liveness'),
  probeRule('CKV_K8S_9', 'readiness_probe', 'Readiness'),
  containerRule({
    id: 'CKV_K8S_14',
    title: 'Image tag is fixed, not latest or blank',
    severity: 'medium',
    requirement: 'Every container `image` has a tag other than `latest`, or a digest (`@sha256:...`).',
    fix: 'pin the image to a release tag (or a digest), e.g. registry/app:1.4.2',
    test: (container) => {
      const problem = imageProblem(container.body.image);
      return problem ? `is not pinned: ${problem}` : undefined;
    },
  }),
  hostNamespaceRule('CKV_K8S_17', 'host_pid', 'process ID'),
  hostNamespaceRule('CKV_K8S_18', 'host_ipc', 'IPC'),
  hostNamespaceRule('CKV_K8S_19', 'host_network', 'network'),
  podRule(
    'CKV_K8S_38',
    'Service account tokens are only mounted where necessary',
    'medium',
    '`automount_service_account_token` is false in the pod spec; a workload that calls the Kubernetes API suppresses this rule with the reason.',
    'set automount_service_account_token = false in the pod spec (or suppress CKV_K8S_38 saying why it calls the API)',
    (pod, path) => {
      const value = boolAttr(pod.automount_service_account_token);
      if (value.kind === 'unresolved' || (value.kind === 'known' && !value.value)) return undefined;
      return `pod mounts a service account token: ${path}.automount_service_account_token is ${value.kind === 'missing' ? 'missing (Kubernetes defaults to true)' : 'true'}, must be false`;
    },
  ),
  containerRule({
    id: 'CKV_K8S_40',
    title: 'Containers run as a high UID to avoid host conflict',
    severity: 'low',
    requirement: `\`run_as_user\` is at least ${MINIMUM_UID} on the container or the pod \`security_context\`.`,
    fix: `set security_context { run_as_user = ${MINIMUM_UID + 1} } on the pod (and build the image with that user)`,
    test: (container, pod) => {
      const user = effective(container, pod, 'run_as_user');
      const uid = numberAttr(user.value);
      if (uid.kind === 'unresolved' || (uid.kind === 'known' && uid.value >= MINIMUM_UID)) return undefined;
      return `runs with a low or unknown UID: ${user.where}.run_as_user is ${describeValue(user.value)}, must be at least ${MINIMUM_UID}`;
    },
  }),
  podRule(
    'WMS_K8S_002',
    'Workloads declare their capacity class: Spot-tolerant, or never on Spot',
    'high',
    `The pod spec tolerates the Spot taint \`${SPOT_TAINT_KEY}\` (interruption-tolerant), or requires a node that is not Spot: a \`required_during_scheduling_ignored_during_execution\` node affinity with ${NOT_SPOT.map(([key, value]) => `\`${key} NotIn [${value}]\``).join(' and ')}. An undeclared pod can land on Spot capacity and be taken back at two minutes' notice.`,
    `add the required node affinity (constructs/shared/capacity.ts on-demand), or tolerate ${SPOT_TAINT_KEY} if the workload survives interruption`,
    (pod, path) => {
      if (tolerates(pod, SPOT_TAINT_KEY)) return undefined;
      const missing = NOT_SPOT.filter(([key, value]) => !excludesSpot(pod, key, value));
      if (missing.length === 0) return undefined;
      return `pod may be scheduled on Spot capacity: ${path} neither tolerates ${SPOT_TAINT_KEY} nor requires ${missing.map(([key, value]) => `${key} NotIn [${value}]`).join(' and ')} in affinity.node_affinity.required_during_scheduling_ignored_during_execution`;
    },
  ),
  {
    id: 'WMS_K8S_001',
    title: 'Namespaces enforce Pod Security "restricted"',
    severity: 'high',
    resourceTypes: ['kubernetes_namespace_v1', 'kubernetes_namespace'],
    requirement:
      'The namespace has the label `pod-security.kubernetes.io/enforce = restricted`, so the API server rejects pods that break the profile.',
    fix: 'add metadata.labels "pod-security.kubernetes.io/enforce" = "restricted"',
    check(namespace) {
      const labels = blockAt(namespace.body.metadata)?.labels;
      const value = isObject(labels) ? labels['pod-security.kubernetes.io/enforce'] : undefined;
      if (value === 'restricted' || isExpression(value)) return PASS;
      return [
        {
          message: `namespace does not enforce Pod Security "restricted": metadata.labels["pod-security.kubernetes.io/enforce"] is ${describeValue(value)}`,
        },
      ];
    },
  },
];
