import type { StackModel } from './stack-model';
import { parseReference } from './stack-model';
import type { JsonObject } from './values';
import { blocks, isObject } from './values';

/** One condition of a statement: `StringEquals { "token.actions.githubusercontent.com:aud": [...] }`. */
export interface PolicyCondition {
  /** The operator, e.g. `StringEquals`, `StringLike`, `Bool`. */
  readonly operator: string;
  /** The condition key, e.g. `aws:SecureTransport`. */
  readonly key: string;
  /** The values, always as strings. */
  readonly values: readonly string[];
}

/** A policy statement with every list-or-string field normalised to a list. */
export interface PolicyStatement {
  /** `Allow` or `Deny` (Allow when absent, as in IAM). */
  readonly effect: string;
  readonly actions: readonly string[];
  readonly notActions: readonly string[];
  readonly resources: readonly string[];
  /** `*` for `"Principal": "*"`, otherwise `TYPE:identifier` entries such as `AWS:arn:aws:iam::1:root`. */
  readonly principals: readonly string[];
  /** True when the statement uses NotPrincipal. */
  readonly notPrincipal: boolean;
  readonly conditions: readonly PolicyCondition[];
}

/** The result of reading a policy attribute. */
export type PolicyRead =
  | { readonly kind: 'document'; readonly statements: readonly PolicyStatement[] }
  | { readonly kind: 'absent' }
  | { readonly kind: 'unresolved'; readonly expression: string }
  | { readonly kind: 'invalid'; readonly error: string };

function toList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((item) => (typeof item === 'string' ? item : JSON.stringify(item)));
}

function principalsOf(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return value === '*' ? ['*'] : [`AWS:${value}`];
  if (!isObject(value)) return [];
  return Object.entries(value).flatMap(([type, ids]) =>
    toList(ids).map((id) => (id === '*' && type === 'AWS' ? '*' : `${type}:${id}`)),
  );
}

function conditionsOf(value: unknown): PolicyCondition[] {
  if (!isObject(value)) return [];
  return Object.entries(value).flatMap(([operator, keys]) =>
    isObject(keys)
      ? Object.entries(keys).map(([key, values]) => ({ operator, key, values: toList(values) }))
      : [],
  );
}

function fromJsonStatement(statement: JsonObject): PolicyStatement {
  return {
    effect: typeof statement.Effect === 'string' ? statement.Effect : 'Allow',
    actions: toList(statement.Action),
    notActions: toList(statement.NotAction),
    resources: toList(statement.Resource),
    principals: principalsOf(statement.Principal ?? statement.NotPrincipal),
    notPrincipal: statement.NotPrincipal !== undefined,
    conditions: conditionsOf(statement.Condition),
  };
}

function fromDocumentBlock(statement: JsonObject): PolicyStatement {
  const principalBlocks = blocks(statement.principals);
  const notPrincipalBlocks = blocks(statement.not_principals);
  const principals = [...principalBlocks, ...notPrincipalBlocks].flatMap((block) =>
    toList(block.identifiers).map((id) =>
      id === '*' && (block.type === 'AWS' || block.type === '*') ? '*' : `${String(block.type)}:${id}`,
    ),
  );
  return {
    effect: typeof statement.effect === 'string' ? statement.effect : 'Allow',
    actions: toList(statement.actions),
    notActions: toList(statement.not_actions),
    resources: toList(statement.resources),
    principals,
    notPrincipal: notPrincipalBlocks.length > 0,
    conditions: blocks(statement.condition).map((block) => ({
      operator: String(block.test ?? ''),
      key: String(block.variable ?? ''),
      values: toList(block.values),
    })),
  };
}

/** Reads an IAM policy document object (`{ "Statement": ... }`). */
export function statementsOf(document: unknown): PolicyStatement[] {
  if (!isObject(document)) return [];
  const statement = document.Statement;
  const list = Array.isArray(statement) ? statement : [statement];
  return list.filter(isObject).map(fromJsonStatement);
}

function readDocumentDataSource(body: JsonObject, stack: StackModel, depth: number): PolicyRead {
  const statements: PolicyStatement[] = [];
  for (const attribute of [
    'source_policy_documents',
    'override_policy_documents',
    'source_json',
    'override_json',
  ]) {
    for (const source of toList(body[attribute])) {
      const read = readPolicy(source, stack, depth + 1);
      if (read.kind === 'document') statements.push(...read.statements);
      else if (read.kind !== 'absent') return read;
    }
  }
  statements.push(...blocks(body.statement).map(fromDocumentBlock));
  return { kind: 'document', statements };
}

/**
 * Reads a policy attribute (`policy`, `assume_role_policy`, an inline policy's `policy`).
 *
 * Accepts a JSON string (which may contain `${...}` tokens inside its strings), a reference to a
 * `data.aws_iam_policy_document` in the same stack (read from its `statement` blocks), or an object. Any other
 * expression, such as `${jsonencode(...)}` or a reference to another stack's output, is unresolved.
 */
export function readPolicy(value: unknown, stack: StackModel, depth = 0): PolicyRead {
  if (value === undefined || value === null || value === '') return { kind: 'absent' };
  if (isObject(value)) return { kind: 'document', statements: statementsOf(value) };
  if (typeof value !== 'string') return { kind: 'invalid', error: `policy is a ${typeof value}` };
  const reference = parseReference(value);
  if (reference) {
    const source = stack.get(reference.address);
    if (depth < 5 && source?.type === 'aws_iam_policy_document' && source.mode === 'data') {
      return readDocumentDataSource(source.body, stack, depth);
    }
    return { kind: 'unresolved', expression: value };
  }
  if (value.trim().startsWith('${')) return { kind: 'unresolved', expression: value };
  try {
    return { kind: 'document', statements: statementsOf(JSON.parse(value)) };
  } catch (error) {
    return { kind: 'invalid', error: error instanceof Error ? error.message : String(error) };
  }
}

/** True when the statement allows (Effect Allow). */
export function allows(statement: PolicyStatement): boolean {
  return statement.effect === 'Allow';
}
