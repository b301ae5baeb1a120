/**
 * The risk rules: which changes a reviewer must look at first. Each rule reads the changed entries of one stack
 * (their bodies before and after) and returns findings; `assessRisk` runs them all and sorts the findings by
 * stack, severity and address.
 *
 * Categories: stateful identity (add / remove / replace of a resource that holds data), protection lowered,
 * network widened (network.ts), IAM widened (iam.ts), public exposure, guardrail suppressions added.
 */
import { StackModel } from '../model/stack-model';
import { SEVERITIES } from '../guardrails/types';
import type { JsonObject } from '../model/values';
import { blocks, isObject } from '../model/values';
import { canonical, display } from './attributes';
import type { SynthTree } from './compare';
import { compareText } from './compare';
import { iamFindings } from './iam';
import type { EntryChange, RiskCategory, RiskFinding, Severity, StackDiff } from './model';
import { RISK_CATEGORIES } from './model';
import { networkFindings } from './network';
import { STATEFUL_TYPES } from './resource-facts';

/** A finding without its stack and resource, which the runner fills in. */
interface Flag {
  readonly severity: Severity;
  readonly message: string;
  readonly before?: string;
  readonly after?: string;
}

type ChangeRule = (change: EntryChange) => Flag[];

function flag(severity: Severity, message: string, before?: unknown, after?: unknown): Flag {
  return {
    severity,
    message,
    before: before === undefined ? undefined : typeof before === 'string' ? before : display(before),
    after: after === undefined ? undefined : typeof after === 'string' ? after : display(after),
  };
}

function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  return undefined;
}

function block(value: unknown): JsonObject | undefined {
  return isObject(value) ? value : blocks(value)[0];
}

function at(body: JsonObject | undefined, ...path: string[]): unknown {
  let current: unknown = body;
  for (const key of path) current = block(current)?.[key];
  return current;
}

/** Add, remove or replacement of a resource that holds data or an identity others depend on. */
const statefulIdentity: ChangeRule = (change) => {
  if (change.kind !== 'resource' || !STATEFUL_TYPES.has(change.type)) return [];
  switch (change.action) {
    case 'delete': {
      const guarded = isTrue(at(change.before, 'lifecycle', 'prevent_destroy'));
      return [
        flag(
          'critical',
          `stateful ${change.type} removed: Terraform destroys it and the data it holds${guarded ? ' (lifecycle.prevent_destroy makes the plan fail)' : ''}`,
          change.address,
          '(destroyed)',
        ),
      ];
    }
    case 'replace': {
      const forced = change.attributes.filter((a) => a.forcesReplacement === 'yes');
      const chain = change.causedBy
        ? ` (cause chain: ${[...change.causedBy, change.address].join(' → ')})`
        : '';
      return [
        flag(
          'critical',
          `stateful ${change.type} replaced: ${change.replacement?.reasons.join('; ')}${chain}`,
          change.movedFrom ?? forced.map((a) => `${a.path}=${display(a.before, 80)}`).join(', '),
          change.movedFrom
            ? change.address
            : forced.map((a) => `${a.path}=${display(a.after, 80)}`).join(', '),
        ),
      ];
    }
    case 'update':
      if (change.replacement?.certainty !== 'may') return [];
      return [
        flag(
          'high',
          `stateful ${change.type} may be replaced: ${change.replacement.reasons.join('; ')}`,
          change.attributes
            .filter((a) => a.forcesReplacement)
            .map((a) => `${a.path}=${display(a.before, 80)}`)
            .join(', '),
          change.attributes
            .filter((a) => a.forcesReplacement)
            .map((a) => `${a.path}=${display(a.after, 80)}`)
            .join(', '),
        ),
      ];
    case 'create':
      return [flag('low', `new stateful ${change.type}`, '(none)', change.address)];
  }
};

/** True-to-not-true of a boolean that protects something. */
function lowered(change: EntryChange, key: string, message: string, severity: Severity = 'high'): Flag[] {
  const before = change.before?.[key];
  const after = change.after?.[key];
  return isTrue(before) && !isTrue(after) ? [flag(severity, message, before, after ?? '(absent)')] : [];
}

/** A number that protects something decreased; `fallback` is the provider default when the attribute is absent. */
function decreased(
  change: EntryChange,
  key: string,
  fallback: number,
  message: string,
  severity: Severity = 'high',
): Flag[] {
  if (!change.before || !change.after) return [];
  if (change.before[key] === undefined && change.after[key] === undefined) return [];
  const before = numberOf(change.before[key]) ?? (change.before[key] === undefined ? fallback : undefined);
  const after = numberOf(change.after[key]) ?? (change.after[key] === undefined ? fallback : undefined);
  if (before === undefined || after === undefined || after >= before) return [];
  return [
    flag(
      severity,
      message,
      change.before[key] ?? `(default ${fallback})`,
      change.after[key] ?? `(default ${fallback})`,
    ),
  ];
}

/** Retention where 0 or absent means "forever" (CloudWatch Logs). */
function retentionOf(value: unknown): number {
  const days = numberOf(value);
  return days === undefined || days === 0 ? Infinity : days;
}

function backupRuleFlags(before: JsonObject, after: JsonObject): Flag[] {
  const flags: Flag[] = [];
  const rulesAfter = new Map(blocks(after.rule).map((rule) => [String(rule.rule_name), rule]));
  for (const rule of blocks(before.rule)) {
    const name = String(rule.rule_name);
    const next = rulesAfter.get(name);
    if (!next) {
      flags.push(flag('high', `backup rule "${name}" removed`, name, '(removed)'));
      continue;
    }
    const keepBefore = retentionOf(at(rule, 'lifecycle', 'delete_after'));
    const keepAfter = retentionOf(at(next, 'lifecycle', 'delete_after'));
    if (keepAfter < keepBefore) {
      flags.push(
        flag(
          'high',
          `backup rule "${name}": lifecycle.delete_after decreased`,
          at(rule, 'lifecycle', 'delete_after') ?? '(never)',
          at(next, 'lifecycle', 'delete_after'),
        ),
      );
    }
    const copiesAfter = new Map(
      blocks(next.copy_action).map((copy) => [canonical(copy.destination_vault_arn), copy]),
    );
    for (const copy of blocks(rule.copy_action)) {
      const nextCopy = copiesAfter.get(canonical(copy.destination_vault_arn));
      if (!nextCopy) {
        flags.push(
          flag(
            'high',
            `backup rule "${name}": copy to ${display(copy.destination_vault_arn, 120)} removed`,
            copy.destination_vault_arn,
            '(removed)',
          ),
        );
        continue;
      }
      const copyBefore = retentionOf(at(copy, 'lifecycle', 'delete_after'));
      const copyAfter = retentionOf(at(nextCopy, 'lifecycle', 'delete_after'));
      if (copyAfter < copyBefore) {
        flags.push(
          flag(
            'high',
            `backup rule "${name}": copy_action lifecycle.delete_after decreased`,
            at(copy, 'lifecycle', 'delete_after') ?? '(never)',
            at(nextCopy, 'lifecycle', 'delete_after'),
          ),
        );
      }
    }
  }
  return flags;
}

/** Deletion protection, final snapshots, backups, retention, key rotation and versioning lowered. */
const protectionLowered: ChangeRule = (change) => {
  if (change.kind !== 'resource') return [];
  const { before, after } = change;
  if (change.action === 'delete' && before) {
    switch (change.type) {
      case 'aws_backup_plan':
        return [flag('high', 'backup plan removed: its backups stop', change.address, '(removed)')];
      case 'aws_backup_selection':
        return [
          flag(
            'high',
            'backup selection removed: its resources are no longer backed up',
            before.resources,
            '(removed)',
          ),
        ];
      case 'aws_backup_vault_lock_configuration':
        return [flag('high', 'backup vault lock removed', change.address, '(removed)')];
      case 'aws_s3_bucket_versioning':
        return at(before, 'versioning_configuration', 'status') === 'Enabled'
          ? [
              flag(
                'high',
                'bucket versioning resource removed: Terraform suspends versioning',
                'Enabled',
                '(removed)',
              ),
            ]
          : [];
      default:
        return [];
    }
  }
  if (!before || !after) return [];
  const flags: Flag[] = [
    ...lowered(change, 'deletion_protection', 'deletion_protection turned off'),
    ...(isTrue(after.force_destroy) && !isTrue(before.force_destroy)
      ? [
          flag(
            'high',
            'force_destroy turned on: Terraform may delete it with its contents',
            before.force_destroy ?? '(absent)',
            after.force_destroy,
          ),
        ]
      : []),
    ...(isTrue(at(before, 'lifecycle', 'prevent_destroy')) &&
    !isTrue(at(after, 'lifecycle', 'prevent_destroy'))
      ? [
          flag(
            'high',
            'lifecycle.prevent_destroy removed',
            true,
            at(after, 'lifecycle', 'prevent_destroy') ?? '(absent)',
          ),
        ]
      : []),
  ];
  switch (change.type) {
    case 'aws_rds_cluster':
    case 'aws_db_instance':
      if (!isTrue(before.skip_final_snapshot) && isTrue(after.skip_final_snapshot)) {
        flags.push(
          flag(
            'high',
            'skip_final_snapshot turned on: no final snapshot on deletion',
            before.skip_final_snapshot ?? '(default false)',
            after.skip_final_snapshot,
          ),
        );
      }
      flags.push(...decreased(change, 'backup_retention_period', 1, 'backup_retention_period decreased'));
      break;
    case 'aws_kms_key':
      flags.push(...decreased(change, 'deletion_window_in_days', 30, 'deletion_window_in_days decreased'));
      flags.push(...lowered(change, 'enable_key_rotation', 'enable_key_rotation turned off', 'medium'));
      break;
    case 'aws_cloudwatch_log_group':
      if (retentionOf(after.retention_in_days) < retentionOf(before.retention_in_days)) {
        flags.push(
          flag(
            'medium',
            'retention_in_days decreased',
            before.retention_in_days ?? '(never expire)',
            after.retention_in_days,
          ),
        );
      }
      break;
    case 'aws_secretsmanager_secret':
      flags.push(...decreased(change, 'recovery_window_in_days', 30, 'recovery_window_in_days decreased'));
      break;
    case 'aws_s3_bucket_versioning': {
      const status = at(before, 'versioning_configuration', 'status');
      const next = at(after, 'versioning_configuration', 'status');
      if (status === 'Enabled' && next !== 'Enabled')
        flags.push(flag('high', 'bucket versioning suspended', status, next ?? '(absent)'));
      break;
    }
    case 'aws_s3_bucket':
      if (isTrue(at(before, 'versioning', 'enabled')) && !isTrue(at(after, 'versioning', 'enabled'))) {
        flags.push(
          flag('high', 'bucket versioning suspended', true, at(after, 'versioning', 'enabled') ?? '(absent)'),
        );
      }
      break;
    case 'aws_backup_plan':
      flags.push(...backupRuleFlags(before, after));
      break;
    case 'aws_backup_vault_lock_configuration':
      flags.push(...decreased(change, 'min_retention_days', 0, 'vault lock min_retention_days decreased'));
      break;
    default:
      break;
  }
  return flags;
};

/** The annotation of an Ingress or Service, e.g. its load balancer scheme. */
function annotation(body: JsonObject | undefined, key: string): unknown {
  const annotations = at(body, 'metadata', 'annotations');
  return isObject(annotations) ? annotations[key] : undefined;
}

const INGRESS_SCHEME = 'alb.ingress.kubernetes.io/scheme';
const SERVICE_SCHEME = 'service.beta.kubernetes.io/aws-load-balancer-scheme';
const SERVICE_INTERNAL = 'service.beta.kubernetes.io/aws-load-balancer-internal';
const PUBLIC_ACCESS_BLOCK = [
  'block_public_acls',
  'block_public_policy',
  'ignore_public_acls',
  'restrict_public_buckets',
];

/** Every value of `key` anywhere in a body (for attributes nested in blocks, such as launch templates'). */
function valuesOfKey(body: unknown, key: string): unknown[] {
  if (Array.isArray(body)) return body.flatMap((item) => valuesOfKey(item, key));
  if (!isObject(body)) return [];
  return Object.entries(body).flatMap(([k, v]) => (k === key ? [v] : valuesOfKey(v, key)));
}

function endpointPublic(body: JsonObject | undefined): boolean {
  if (!body) return false;
  const value = at(body, 'vpc_config', 'endpoint_public_access');
  // The provider default is true: an EKS endpoint is public unless turned off.
  return value === undefined || isTrue(value);
}

function publicCidrs(body: JsonObject | undefined): string[] {
  const cidrs = at(body, 'vpc_config', 'public_access_cidrs');
  return Array.isArray(cidrs) && cidrs.length > 0 ? cidrs.map(String) : ['0.0.0.0/0'];
}

/** Public IPs, public endpoints, internet-facing load balancers and loosened S3 public access blocks. */
const publicExposure: ChangeRule = (change) => {
  if (change.kind !== 'resource') return [];
  const { before, after } = change;
  const flags: Flag[] = [];
  if (
    change.type === 'aws_s3_bucket_public_access_block' ||
    change.type === 'aws_s3_account_public_access_block'
  ) {
    const loosened = PUBLIC_ACCESS_BLOCK.filter((key) => isTrue(before?.[key]) && !isTrue(after?.[key]));
    if (loosened.length > 0) {
      flags.push(
        flag(
          'critical',
          after
            ? `S3 public access block loosened: ${loosened.join(', ')}`
            : 'S3 public access block removed',
          Object.fromEntries(loosened.map((key) => [key, before?.[key]])),
          after ? Object.fromEntries(loosened.map((key) => [key, after[key] ?? '(absent)'])) : '(removed)',
        ),
      );
    }
    return flags;
  }
  if (!after) return [];
  if (isTrue(after.map_public_ip_on_launch) && !isTrue(before?.map_public_ip_on_launch)) {
    flags.push(
      flag(
        'high',
        'map_public_ip_on_launch turned on: instances get public IPs',
        before?.map_public_ip_on_launch ?? '(absent)',
        true,
      ),
    );
  }
  if (isTrue(after.publicly_accessible) && !isTrue(before?.publicly_accessible)) {
    flags.push(
      flag(
        'critical',
        'publicly_accessible turned on: the database gets a public address',
        before?.publicly_accessible ?? '(absent)',
        true,
      ),
    );
  }
  if (
    valuesOfKey(after, 'associate_public_ip_address').some(isTrue) &&
    !valuesOfKey(before, 'associate_public_ip_address').some(isTrue)
  ) {
    flags.push(flag('high', 'associate_public_ip_address turned on', '(off)', true));
  }
  if ((after.acl === 'public-read' || after.acl === 'public-read-write') && after.acl !== before?.acl) {
    flags.push(flag('critical', `bucket ACL ${String(after.acl)}`, before?.acl ?? '(absent)', after.acl));
  }
  switch (change.type) {
    case 'aws_eks_cluster': {
      if (endpointPublic(after) && !endpointPublic(before)) {
        flags.push(
          flag(
            'high',
            'EKS API endpoint made public',
            before ? false : '(new cluster)',
            `endpoint_public_access (from ${publicCidrs(after).join(', ')})`,
          ),
        );
      } else if (endpointPublic(after) && endpointPublic(before)) {
        const previous = publicCidrs(before);
        const added = publicCidrs(after).filter((cidr) => !previous.includes(cidr));
        if (added.length > 0)
          flags.push(
            flag(
              'high',
              `EKS public_access_cidrs widened: ${added.join(', ')}`,
              previous.join(', '),
              publicCidrs(after).join(', '),
            ),
          );
      }
      break;
    }
    case 'aws_lb':
    case 'aws_alb':
      if (!isTrue(after.internal) && (!before || isTrue(before.internal))) {
        flags.push(
          flag('high', 'internet-facing load balancer', before ? 'internal' : '(none)', 'internet-facing'),
        );
      }
      break;
    case 'kubernetes_ingress_v1':
    case 'kubernetes_ingress': {
      const scheme = annotation(after, INGRESS_SCHEME);
      if (!before) {
        flags.push(
          scheme === 'internet-facing'
            ? flag('high', 'new internet-facing Ingress', '(none)', `${INGRESS_SCHEME}: internet-facing`)
            : flag(
                'medium',
                'new Ingress',
                '(none)',
                `${INGRESS_SCHEME}: ${String(scheme ?? 'internal (default)')}`,
              ),
        );
      } else if (scheme === 'internet-facing' && annotation(before, INGRESS_SCHEME) !== 'internet-facing') {
        flags.push(
          flag(
            'high',
            'Ingress made internet-facing',
            annotation(before, INGRESS_SCHEME) ?? '(internal default)',
            scheme,
          ),
        );
      }
      break;
    }
    case 'kubernetes_service_v1':
    case 'kubernetes_service': {
      const type = at(after, 'spec', 'type');
      if ((type === 'LoadBalancer' || type === 'NodePort') && at(before, 'spec', 'type') !== type) {
        const internal =
          annotation(after, SERVICE_SCHEME) === 'internal' || isTrue(annotation(after, SERVICE_INTERNAL));
        flags.push(
          flag(
            type === 'LoadBalancer' && !internal ? 'high' : 'medium',
            `Service type ${type}${internal ? ' (internal)' : ''}`,
            at(before, 'spec', 'type') ?? (before ? 'ClusterIP (default)' : '(none)'),
            type,
          ),
        );
      }
      break;
    }
    default:
      break;
  }
  return flags;
};

interface Suppression {
  readonly id: string;
  readonly reason: string;
}

function suppressionsOf(body: JsonObject | undefined): Suppression[] {
  const meta = body?.['//'];
  const list = isObject(meta) && Array.isArray(meta.suppressions) ? meta.suppressions : [];
  return list.filter(isObject).map((entry) => ({ id: String(entry.id), reason: String(entry.reason ?? '') }));
}

/** Guardrail suppressions added to a resource, or their reasons changed. */
const suppressionAdded: ChangeRule = (change) => {
  if (!change.after) return [];
  const before = new Map(suppressionsOf(change.before).map((s) => [s.id, s.reason]));
  return suppressionsOf(change.after).flatMap((s) => {
    if (!before.has(s.id))
      return [flag('medium', `guardrail suppression added: ${s.id}`, '(none)', `${s.id}: ${s.reason}`)];
    if (before.get(s.id) !== s.reason) {
      return [flag('medium', `guardrail suppression reason changed: ${s.id}`, before.get(s.id), s.reason)];
    }
    return [];
  });
};

const CHANGE_RULES: readonly (readonly [RiskCategory, ChangeRule])[] = [
  ['stateful-identity', statefulIdentity],
  ['protection-lowered', protectionLowered],
  ['public-exposure', publicExposure],
  ['suppression-added', suppressionAdded],
];

const SEVERITY_RANK = new Map(SEVERITIES.map((severity, index) => [severity, index]));
const CATEGORY_RANK = new Map(RISK_CATEGORIES.map((category, index) => [category, index]));

/** Orders findings by stack, severity (worst first), address, category and message. */
export function compareFindings(a: RiskFinding, b: RiskFinding): number {
  return (
    compareText(a.stack, b.stack) ||
    (SEVERITY_RANK.get(a.severity) ?? 0) - (SEVERITY_RANK.get(b.severity) ?? 0) ||
    compareText(a.address, b.address) ||
    (CATEGORY_RANK.get(a.category) ?? 0) - (CATEGORY_RANK.get(b.category) ?? 0) ||
    compareText(a.message, b.message)
  );
}

/** Runs every risk rule on every changed stack. */
export function assessRisk(diffs: readonly StackDiff[], before: SynthTree, after: SynthTree): RiskFinding[] {
  const findings: RiskFinding[] = [];
  for (const diff of diffs) {
    if (diff.changes.length === 0) continue;
    const beforeJson = before.stacks.get(diff.stack);
    const afterJson = after.stacks.get(diff.stack);
    for (const change of diff.changes) {
      for (const [category, rule] of CHANGE_RULES) {
        for (const result of rule(change)) {
          findings.push({
            severity: result.severity,
            category,
            stack: diff.stack,
            address: change.address,
            constructPath: change.constructPath,
            message: result.message,
            before: result.before,
            after: result.after,
          });
        }
      }
    }
    findings.push(...networkFindings(diff, beforeJson, afterJson));
    findings.push(
      ...iamFindings(
        diff,
        new StackModel(diff.stack, beforeJson ?? {}),
        new StackModel(diff.stack, afterJson ?? {}),
      ),
    );
  }
  return findings.sort(compareFindings);
}
