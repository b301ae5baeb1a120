/**
 * Kubernetes helpers of the WMS workload constructs: names, label values, image references, resource quantities,
 * and the checks the constructs run on them. Every check throws {@link propError} naming the construct path, the
 * prop, the value received and what is allowed; values only known at apply time are not checked.
 */
import { Token } from 'cdktf';
import type { IConstruct } from 'constructs';
import { parseCidr } from '../../../shared/cidr';
import type { CapacityClass } from '../../shared/capacity';
import { NOT_SPOT, SPOT, SPOT_TAINT } from '../../shared/capacity';
import { propError } from '../../shared/errors';
import type { WmsContainerResources, WmsImage } from '../workload';

/** Label keys of the WMS workloads. */
export const LABELS = {
  name: 'app.kubernetes.io/name',
  partOf: 'app.kubernetes.io/part-of',
  instance: 'app.kubernetes.io/instance',
  version: 'app.kubernetes.io/version',
  component: 'app.kubernetes.io/component',
  managedBy: 'app.kubernetes.io/managed-by',
} as const;

/** Value of `app.kubernetes.io/part-of` on everything the WMS constructs create. */
export const PART_OF = 'wms';

/** Size limit of the emptyDir volumes the WMS containers write to (their root filesystems are read-only). */
export const EMPTY_DIR_SIZE_LIMIT = '256Mi';

/** Pod and container UIDs below this may collide with host users (Checkov CKV_K8S_40, kube-score). */
export const MINIMUM_UID = 10000;

const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const IMAGE_TAG = /^\w[\w.-]{0,127}$/;
const IMAGE_DIGEST = /^sha256:[0-9a-f]{64}$/;
// A registry host (optionally with a port) and lowercase path components: the distribution reference grammar.
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REPOSITORY = new RegExp(
  `^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\\d+)?/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`,
);
const CPU = /^(\d+(?:\.\d{1,3})?)(m?)$/;
const MEMORY = /^(\d+)(Ki|Mi|Gi|Ti|k|M|G|T)?$/;
const MEMORY_UNITS: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};
const MEBIBYTE = 2 ** 20;

/** True when a value is only known at apply time (a token), so synth-time checks must skip it. */
export function unresolved(value: unknown): boolean {
  return Token.isUnresolved(value);
}

/** The image reference `repository[:tag][@digest]`. */
export function imageReference(image: WmsImage): string {
  return `${image.repository}${image.tag !== undefined ? `:${image.tag}` : ''}${image.digest !== undefined ? `@${image.digest}` : ''}`;
}

/** CPU quantity in millicores, or undefined when it is not a plain CPU quantity (`250m`, `0.5`, `2`). */
export function cpuMillicores(quantity: string): number | undefined {
  const match = CPU.exec(quantity);
  if (!match) return undefined;
  if (match[2] === 'm') return match[1].includes('.') ? undefined : Number(match[1]);
  return Math.round(Number(match[1]) * 1000);
}

/** Memory quantity in bytes, or undefined when it is not a plain memory quantity (`256Mi`, `1Gi`, `500M`). */
export function memoryBytes(quantity: string): number | undefined {
  const match = MEMORY.exec(quantity);
  return match ? Number(match[1]) * MEMORY_UNITS[match[2] ?? ''] : undefined;
}

/** Millicores as a quantity: `1500m`. */
export function formatMillicores(millicores: number): string {
  return `${Math.ceil(millicores)}m`;
}

/** Bytes as a quantity in whole mebibytes, rounded up: `1536Mi`. */
export function formatMebibytes(bytes: number): string {
  return `${Math.ceil(bytes / MEBIBYTE)}Mi`;
}

/**
 * A release version as a DNS label for object names: lowercase, every run of other characters replaced by `-`,
 * trimmed to `maxLength` (ending in a letter or digit). `1.4.2-RC.1` becomes `1-4-2-rc-1`.
 */
export function sanitizeVersion(version: string, maxLength: number): string {
  return version
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, maxLength)
    .replace(/^-+|-+$/g, '');
}

/** Throws unless `value` is a valid Kubernetes label value (release versions end up in `app.kubernetes.io/version`). */
export function checkLabelValue(scope: IConstruct, prop: string, value: string): void {
  if (!unresolved(value) && !LABEL_VALUE.test(value)) {
    throw propError(
      scope,
      prop,
      value,
      'a Kubernetes label value: 1-63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
    );
  }
}

/** Throws unless the image has a repository and a fixed tag (not `latest`) and/or a sha256 digest. */
export function checkImage(scope: IConstruct, prop: string, image: WmsImage): void {
  if (!unresolved(image.repository) && !REPOSITORY.test(image.repository)) {
    throw propError(
      scope,
      `${prop}.repository`,
      image.repository,
      'an image repository without tag or digest, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/wms-api',
    );
  }
  if (image.tag === undefined && image.digest === undefined) {
    throw propError(scope, prop, image, 'a tag or a digest: an image without either means latest');
  }
  if (image.tag !== undefined && !unresolved(image.tag)) {
    if (!IMAGE_TAG.test(image.tag) || image.tag === 'latest') {
      throw propError(
        scope,
        `${prop}.tag`,
        image.tag,
        'a release tag of 1-128 letters, digits, "_", "." or "-" not starting with "." or "-", never latest',
      );
    }
  }
  if (image.digest !== undefined && !unresolved(image.digest) && !IMAGE_DIGEST.test(image.digest)) {
    throw propError(scope, `${prop}.digest`, image.digest, 'sha256:<64 lowercase hex digits>');
  }
}

/** Throws unless `value` is a whole number within `[min, max]`. */
export function checkInteger(
  scope: IConstruct,
  prop: string,
  value: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): void {
  if (unresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw propError(scope, prop, value, `a whole number ${range}`);
  }
}

/** Throws unless the four quantities parse and each limit is at least its request. */
export function checkResources(scope: IConstruct, prop: string, resources: WmsContainerResources): void {
  const cpu = (key: 'cpuRequest' | 'cpuLimit') => {
    const value = cpuMillicores(resources[key]);
    if (value === undefined || value <= 0) {
      throw propError(scope, `${prop}.${key}`, resources[key], 'a positive CPU quantity, e.g. 250m or 1');
    }
    return value;
  };
  const memory = (key: 'memoryRequest' | 'memoryLimit') => {
    const value = memoryBytes(resources[key]);
    if (value === undefined || value <= 0) {
      throw propError(
        scope,
        `${prop}.${key}`,
        resources[key],
        'a positive memory quantity, e.g. 256Mi or 1Gi',
      );
    }
    return value;
  };
  if (cpu('cpuLimit') < cpu('cpuRequest')) {
    throw propError(
      scope,
      `${prop}.cpuLimit`,
      resources.cpuLimit,
      `at least cpuRequest (${resources.cpuRequest})`,
    );
  }
  if (memory('memoryLimit') < memory('memoryRequest')) {
    throw propError(
      scope,
      `${prop}.memoryLimit`,
      resources.memoryLimit,
      `at least memoryRequest (${resources.memoryRequest})`,
    );
  }
}

/**
 * Throws unless `path` is an absolute path of letters, digits and `. _ ~ - /` (probe, health-check and mount
 * paths; no spaces, commas or queries, which would break annotations).
 */
export function checkPath(scope: IConstruct, prop: string, path: string, example: string): void {
  if (!/^\/[A-Za-z0-9._~\-/]*$/.test(path)) {
    throw propError(scope, prop, path, `an absolute path such as ${example}: letters, digits and . _ ~ - /`);
  }
}

/**
 * Throws unless `cidrs` is a literal, non-empty list of canonical IPv4 CIDRs. Elements may be tokens; a whole list
 * known only at apply time cannot be turned into one NetworkPolicy peer per CIDR, so it is refused.
 */
export function checkCidrs(scope: IConstruct, prop: string, cidrs: readonly string[]): void {
  if (unresolved(cidrs) || cidrs.length === 0) {
    throw propError(
      scope,
      prop,
      cidrs,
      'a non-empty list of IPv4 CIDRs known at synth time, e.g. ["10.20.0.0/19"] (one element may be a token)',
    );
  }
  const bad = cidrs.find((cidr) => !unresolved(cidr) && parseCidr(cidr) === undefined);
  if (bad !== undefined) {
    throw propError(
      scope,
      prop,
      cidrs,
      `IPv4 CIDRs without host bits; "${bad}" is not one (e.g. 10.20.0.0/19)`,
    );
  }
}

/**
 * The container security context Pod Security "restricted" requires, set on every container explicitly (not only
 * inherited from the pod), so scanners that read containers alone see it too.
 */
export function restrictedContainerSecurityContext(runAsUser: number) {
  const uid = String(runAsUser);
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** The pod security context of the WMS workloads: non-root with the given UID and GID, seccomp RuntimeDefault. */
export function restrictedPodSecurityContext(runAsUser: number) {
  const uid = String(runAsUser);
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/**
 * Pod scheduling of a capacity class in the kubernetes provider's form (constructs/shared/capacity.ts):
 * `on-demand` requires a node that is not Spot; `spot` tolerates the Spot taint and prefers Spot nodes.
 */
export function capacityScheduling(capacity: CapacityClass) {
  const expressions = (list: typeof NOT_SPOT) => list.map((e) => ({ ...e, values: [...e.values] }));
  if (capacity === 'on-demand') {
    return {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerm: [{ matchExpressions: expressions(NOT_SPOT) }],
          },
        },
      },
    };
  }
  return {
    affinity: {
      nodeAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, preference: { matchExpressions: expressions(SPOT) } },
        ],
      },
    },
    toleration: [
      { key: SPOT_TAINT.key, operator: 'Equal', value: SPOT_TAINT.value, effect: SPOT_TAINT.effect },
    ],
  };
}
