/**
 * IAM widening: policy documents (identity, trust, key, bucket, queue, secret policies) that grant something the
 * base did not, managed policies attached, and Kubernetes access (EKS access entries and policy associations,
 * Pod Identity, RBAC bindings) added.
 *
 * A policy is read with the guardrails' policy reader (JSON strings with `${...}` tokens, or a same-stack
 * `aws_iam_policy_document`). Each Allow statement is expanded into grants (principal x action x resource, with its
 * conditions); a grant of the new document is widening when no grant of the base covers it: a principal, action
 * and resource pattern that match it (IAM wildcards) and no condition the new grant lacks. A base Deny statement
 * that is gone or changed is widening too.
 */
import type { PolicyRead, PolicyStatement } from '../model/iam-policy';
import { readPolicy } from '../model/iam-policy';
import type { StackModel } from '../model/stack-model';
import { parseReference } from '../model/stack-model';
import type { JsonObject } from '../model/values';
import { blocks, isObject } from '../model/values';
import { canonical, deepEqual, display } from './attributes';
import type { EntryChange, RiskFinding, Severity, StackDiff } from './model';

/** Attributes that hold a policy document, on whatever resource type. */
const POLICY_ATTRIBUTES = ['policy', 'assume_role_policy', 'policy_document', 'access_policies'];

/** Resource types whose `policy` is a KMS key policy. */
const KEY_POLICY_TYPES = new Set(['aws_kms_key', 'aws_kms_key_policy', 'aws_kms_replica_key']);

interface Grant {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly conditions: ReadonlySet<string>;
}

function grantsOf(statement: PolicyStatement): Grant[] {
  const principals = statement.principals.length > 0 ? statement.principals : [''];
  const actions =
    statement.notActions.length > 0
      ? [`NotAction:${[...statement.notActions].sort().join(',')}`]
      : statement.actions;
  const resources = statement.resources.length > 0 ? statement.resources : [''];
  const conditions = new Set(
    statement.conditions.map((c) => `${c.operator} ${c.key}=${[...c.values].sort().join(',')}`),
  );
  return principals.flatMap((principal) =>
    actions.flatMap((action) =>
      resources.map((resource) => ({
        principal: statement.notPrincipal ? `NotPrincipal:${principal}` : principal,
        action,
        resource,
        conditions,
      })),
    ),
  );
}

function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  if (pattern === value) return true;
  if (!pattern.includes('*') && !pattern.includes('?'))
    return ignoreCase && pattern.toLowerCase() === value.toLowerCase();
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}

function grantCovers(outer: Grant, inner: Grant, ignoreConditions: boolean): boolean {
  return (
    (outer.principal === '*' || outer.principal === inner.principal) &&
    wildcardMatch(outer.action, inner.action, true) &&
    wildcardMatch(outer.resource, inner.resource, false) &&
    (ignoreConditions || [...outer.conditions].every((condition) => inner.conditions.has(condition)))
  );
}

function isWildcard(text: string): boolean {
  return text === '*' || text.endsWith(':*') || text === 'arn:aws:*';
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values.filter((value) => value !== ''))].sort();
}

/** A grant list for people: `Allow s3:GetObject, s3:PutObject on arn:...:bucket/* to Service:logs.amazonaws.com`. */
function describeGrants(grants: readonly Grant[]): string {
  const actions = unique(grants.map((g) => g.action));
  const resources = unique(grants.map((g) => g.resource));
  const principals = unique(grants.map((g) => g.principal));
  return [
    `Allow ${actions.join(', ')}`,
    resources.length > 0 ? `on ${resources.join(', ')}` : '',
    principals.length > 0 ? `to ${principals.join(', ')}` : '',
  ]
    .filter((part) => part !== '')
    .join(' ');
}

function describeStatement(statement: PolicyStatement): string {
  const what =
    statement.notActions.length > 0
      ? `NotAction ${statement.notActions.join(', ')}`
      : statement.actions.join(', ');
  const on = statement.resources.length > 0 ? ` on ${statement.resources.join(', ')}` : '';
  const to = statement.principals.length > 0 ? ` to ${statement.principals.join(', ')}` : '';
  return `${statement.effect} ${what}${on}${to}`;
}

interface PolicyAttribute {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

/** The policy attributes of a resource: top-level policy keys and `inline_policy` blocks (by name). */
function policyAttributes(before: JsonObject | undefined, after: JsonObject): PolicyAttribute[] {
  const attributes: PolicyAttribute[] = POLICY_ATTRIBUTES.filter((key) => after[key] !== undefined).map(
    (key) => ({
      path: key,
      before: before?.[key],
      after: after[key],
    }),
  );
  const inlineBefore = new Map(
    blocks(before?.inline_policy).map((block) => [String(block.name), block.policy]),
  );
  for (const block of blocks(after.inline_policy)) {
    attributes.push({
      path: `inline_policy["${String(block.name)}"].policy`,
      before: inlineBefore.get(String(block.name)),
      after: block.policy,
    });
  }
  return attributes;
}

function statementsOf(read: PolicyRead): readonly PolicyStatement[] | undefined {
  if (read.kind === 'document') return read.statements;
  return read.kind === 'absent' ? [] : undefined;
}

/** Findings for one policy attribute whose value changed. */
function policyFindings(
  attribute: PolicyAttribute,
  beforeModel: StackModel,
  afterModel: StackModel,
  created: boolean,
  keyPolicy: boolean,
): { severity: Severity; message: string; before?: string; after?: string }[] {
  const afterRead = readPolicy(attribute.after, afterModel);
  const beforeRead = readPolicy(attribute.before, beforeModel);
  const afterStatements = statementsOf(afterRead);
  const beforeStatements = statementsOf(beforeRead);
  if (!afterStatements || !beforeStatements) {
    return [
      {
        severity: 'medium',
        message: `${attribute.path} changed and cannot be compared statically (${afterRead.kind === 'document' ? beforeRead.kind : afterRead.kind} value)`,
        before: display(attribute.before),
        after: display(attribute.after),
      },
    ];
  }
  const trust = attribute.path === 'assume_role_policy';
  const beforeGrants = beforeStatements.filter((s) => s.effect === 'Allow').flatMap(grantsOf);
  const results: { severity: Severity; message: string; before?: string; after?: string }[] = [];
  for (const statement of afterStatements.filter((s) => s.effect === 'Allow')) {
    const grants = grantsOf(statement);
    const uncovered = grants.filter((grant) => !beforeGrants.some((b) => grantCovers(b, grant, false)));
    if (uncovered.length === 0) continue;
    const lostConditions = uncovered.filter((grant) => beforeGrants.some((b) => grantCovers(b, grant, true)));
    const added = uncovered.filter((grant) => !lostConditions.includes(grant));
    if (lostConditions.length > 0) {
      const previous = beforeGrants.filter((b) =>
        lostConditions.some((grant) => grantCovers(b, grant, true)),
      );
      results.push({
        severity: 'high',
        message: `${attribute.path}: ${describeGrants(lostConditions)} loses conditions`,
        before: unique(previous.flatMap((grant) => [...grant.conditions])).join('; ') || '(none)',
        after:
          unique(lostConditions.flatMap((grant) => [...grant.conditions])).join('; ') || '(no condition)',
      });
    }
    if (added.length > 0) {
      const anyone = added.some((grant) => grant.principal === '*');
      const unconditioned = added.some((grant) => grant.principal === '*' && grant.conditions.size === 0);
      const wildcardAction = added.some((grant) => isWildcard(grant.action));
      // In a key policy, Resource "*" means the key itself.
      const allResources = !keyPolicy && added.some((grant) => grant.resource === '*');
      const severity: Severity = unconditioned
        ? 'critical'
        : anyone || wildcardAction || allResources || (trust && !created)
          ? 'high'
          : 'medium';
      const why = [
        anyone ? 'any principal' : '',
        wildcardAction ? 'wildcard action' : '',
        allResources ? 'all resources' : '',
        trust ? 'who may assume the role' : '',
      ].filter((reason) => reason !== '');
      results.push({
        severity,
        message: `${attribute.path} grants ${describeGrants(added)}${why.length > 0 ? ` (${why.join(', ')})` : ''}`,
        before: '(not granted)',
        after: describeStatement(statement),
      });
    }
  }
  const afterDenies = new Set(afterStatements.filter((s) => s.effect === 'Deny').map((s) => canonical(s)));
  for (const deny of beforeStatements.filter((s) => s.effect === 'Deny')) {
    if (afterDenies.has(canonical(deny))) continue;
    results.push({
      severity: 'high',
      message: `${attribute.path}: a Deny statement is removed or changed`,
      before: describeStatement(deny),
      after: '(removed or changed)',
    });
  }
  return results;
}

function managedPolicySeverity(arn: string): Severity {
  return /AdministratorAccess|PowerUserAccess|IAMFullAccess|FullAccess$/.test(arn) ? 'high' : 'medium';
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : display(value);
}

function firstBlock(value: unknown): JsonObject | undefined {
  return isObject(value) ? value : blocks(value)[0];
}

/** Findings for grants that are not policy documents: attachments, EKS access, Pod Identity, RBAC. */
function accessFindings(
  change: EntryChange,
): { severity: Severity; message: string; before?: string; after?: string }[] {
  const after = change.after;
  if (!after) return [];
  const before = change.before;
  const created = change.action === 'create' || !before;
  const changed = (key: string) => created || !deepEqual(before?.[key], after[key]);
  switch (change.type) {
    case 'aws_iam_role_policy_attachment':
    case 'aws_iam_policy_attachment':
    case 'aws_iam_user_policy_attachment':
    case 'aws_iam_group_policy_attachment': {
      if (!changed('policy_arn') && !changed('role')) return [];
      const arn = str(after.policy_arn);
      const target = str(
        after.role ?? after.roles ?? after.user ?? after.users ?? after.group ?? after.groups,
      );
      return [
        {
          severity: managedPolicySeverity(arn),
          message: `managed policy attached: ${arn} to ${target}`,
          before: created ? '(not attached)' : str(before?.policy_arn),
          after: arn,
        },
      ];
    }
    case 'aws_iam_role': {
      const previous = new Set(
        Array.isArray(before?.managed_policy_arns) ? before.managed_policy_arns.map(String) : [],
      );
      const current = Array.isArray(after.managed_policy_arns) ? after.managed_policy_arns.map(String) : [];
      return current
        .filter((arn) => !previous.has(arn))
        .map((arn) => ({
          severity: managedPolicySeverity(arn),
          message: `managed policy attached: ${arn}`,
          before: '(not attached)',
          after: arn,
        }));
    }
    case 'aws_eks_access_entry': {
      const groupsBefore = new Set(
        Array.isArray(before?.kubernetes_groups) ? before.kubernetes_groups.map(String) : [],
      );
      const groupsAdded = (
        Array.isArray(after.kubernetes_groups) ? after.kubernetes_groups.map(String) : []
      ).filter((group) => !groupsBefore.has(group));
      if (!created && groupsAdded.length === 0) return [];
      return [
        {
          severity: 'medium',
          message: created
            ? `EKS access entry added for ${str(after.principal_arn)}`
            : `EKS access entry gains Kubernetes groups ${groupsAdded.join(', ')}`,
          before: created ? '(no access)' : display(before?.kubernetes_groups),
          after: created
            ? `${str(after.principal_arn)} (${str(after.type ?? 'STANDARD')})`
            : display(after.kubernetes_groups),
        },
      ];
    }
    case 'aws_eks_access_policy_association': {
      const scopeBefore = firstBlock(before?.access_scope);
      const scopeAfter = firstBlock(after.access_scope);
      const scopeWidened = !created && scopeBefore?.type === 'namespace' && scopeAfter?.type === 'cluster';
      if (
        !created &&
        !changed('policy_arn') &&
        !changed('principal_arn') &&
        !scopeWidened &&
        deepEqual(scopeBefore, scopeAfter)
      ) {
        return [];
      }
      const admin = /Admin/i.test(str(after.policy_arn));
      return [
        {
          severity: admin || scopeWidened ? 'high' : 'medium',
          message: `EKS access policy ${str(after.policy_arn)} associated with ${str(after.principal_arn)} (scope ${str(scopeAfter?.type)})`,
          before: created ? '(not associated)' : `${str(before?.policy_arn)} (scope ${display(scopeBefore)})`,
          after: `${str(after.policy_arn)} (scope ${display(scopeAfter)})`,
        },
      ];
    }
    case 'aws_eks_pod_identity_association':
      if (!changed('role_arn') && !changed('service_account') && !changed('namespace')) return [];
      return [
        {
          severity: 'medium',
          message: `Pod Identity: service account ${str(after.namespace)}/${str(after.service_account)} gets role ${str(after.role_arn)}`,
          before: created ? '(no role)' : str(before?.role_arn),
          after: str(after.role_arn),
        },
      ];
    case 'kubernetes_cluster_role_binding_v1':
    case 'kubernetes_cluster_role_binding':
    case 'kubernetes_role_binding_v1':
    case 'kubernetes_role_binding': {
      if (!changed('subject') && !changed('role_ref')) return [];
      const role = firstBlock(after.role_ref);
      return [
        {
          severity: role?.name === 'cluster-admin' ? 'high' : 'medium',
          message: `RBAC binding to ${str(role?.kind)} ${str(role?.name)}`,
          before: created ? '(not bound)' : display(before?.subject),
          after: display(after.subject),
        },
      ];
    }
    default:
      return [];
  }
}

/** Findings for IAM and Kubernetes access widened in one stack. */
export function iamFindings(diff: StackDiff, beforeModel: StackModel, afterModel: StackModel): RiskFinding[] {
  const findings: RiskFinding[] = [];
  // A policy that refers to an aws_iam_policy_document changes when the document does, even when the resource
  // that holds the reference is unchanged.
  const changedDocuments = new Set(diff.changes.filter((c) => c.kind === 'data').map((c) => c.address));
  const documentChanged = (value: unknown) => changedDocuments.has(parseReference(value)?.address ?? '');
  const changed = new Set(diff.changes.map((c) => c.address));
  const referring: EntryChange[] = afterModel.resources
    .filter((node) => !changed.has(node.address))
    .filter((node) =>
      policyAttributes(undefined, node.body).some((attribute) => documentChanged(attribute.after)),
    )
    .map((node) => ({
      address: node.address,
      kind: 'resource',
      type: node.type,
      action: 'update',
      constructPath: node.constructPath,
      attributes: [],
      before: beforeModel.get(node.address)?.body,
      after: node.body,
    }));
  for (const change of [...diff.changes, ...referring]) {
    if (change.kind !== 'resource' || !change.after) continue;
    const created = !change.before;
    const results = accessFindings(change);
    for (const attribute of policyAttributes(change.before, change.after)) {
      if (deepEqual(attribute.before, attribute.after) && !documentChanged(attribute.after)) continue;
      results.push(
        ...policyFindings(attribute, beforeModel, afterModel, created, KEY_POLICY_TYPES.has(change.type)),
      );
    }
    findings.push(
      ...results.map((result) => ({
        ...result,
        category: 'iam-widened' as const,
        stack: diff.stack,
        address: change.address,
        constructPath: change.constructPath,
      })),
    );
  }
  return findings;
}
