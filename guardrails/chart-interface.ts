/**
 * Checks Helm values against a chart's interface and custom resources against their CRD's OpenAPI schema, from the
 * committed, generated data files `guardrails/chart-catalogue.json` and `guardrails/crd-schemas.json`
 * (regenerate them with `scripts/generate-chart-catalogue.ts`). Helm ignores a values key its chart does not read,
 * so a misspelt key is a silent misconfiguration: this turns it into a finding with a "did you mean".
 */
import { isExpression, isObject, show } from '../model/values';

/** The type of a values key (see scripts/lib/chart-interface.ts, which writes the catalogue). */
export type ValueType = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'scalar' | 'any';

/** One key of a chart's values interface. */
export interface InterfaceNode {
  readonly type: ValueType;
  readonly keys?: Readonly<Record<string, InterfaceNode>>;
  readonly free?: boolean;
  readonly subchart?: string;
}

/** One chart version of the catalogue. */
export interface ChartEntry {
  readonly id: string;
  readonly chart: string;
  readonly version: string;
  readonly source: { readonly from: string };
  readonly values: InterfaceNode;
}

/** The chart interface catalogue. */
export interface ChartCatalogue {
  readonly charts: Readonly<Record<string, ChartEntry>>;
}

function typeOfValue(value: unknown): Exclude<ValueType, 'scalar' | 'any'> {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'object';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  return 'string';
}

function accepts(type: ValueType, value: unknown): boolean {
  if (type === 'any' || value === null || isExpression(value)) return true;
  const actual = typeOfValue(value);
  if (type === 'scalar') return actual === 'string' || actual === 'number' || actual === 'boolean';
  return actual === type;
}

/** Levenshtein distance, case-insensitive. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, i) => i);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[y.length];
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i].toLowerCase() === b[i].toLowerCase()) i++;
  return i;
}

/**
 * "Did you mean" candidates for an unknown key: siblings close in spelling (edit distance, or a shared stem of
 * five letters or more, as replicaCount/replicas), then keys of the same name elsewhere in the tree (resources at
 * the top level, controller.resources in the chart). At most three, closest first.
 */
export function suggestions(
  key: string,
  siblings: readonly string[],
  elsewhere: readonly string[][] = [],
): string[] {
  const close = siblings
    .map((name) => ({ name, score: distance(key, name) }))
    .filter(
      ({ name, score }) =>
        score <= Math.max(2, Math.floor(key.length / 3)) ||
        commonPrefix(key, name) >= Math.min(5, key.length),
    )
    .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name))
    .map(({ name }) => name);
  const same = elsewhere.filter((path) => path[path.length - 1] === key).map((path) => path.join('.'));
  return [...new Set([...close, ...same])].slice(0, 3);
}

/** Every key path of an interface tree. */
function allPaths(node: InterfaceNode, prefix: string[] = [], out: string[][] = []): string[][] {
  for (const [key, child] of Object.entries(node.keys ?? {})) {
    out.push([...prefix, key]);
    allPaths(child, [...prefix, key], out);
  }
  return out;
}

/** Two views of the same key (the parent chart's values.yaml and the subchart's own) as one. */
function combine(a: InterfaceNode | undefined, b: InterfaceNode | undefined): InterfaceNode | undefined {
  if (!a || !b) return a ?? b;
  const keys: Record<string, InterfaceNode> = { ...b.keys };
  for (const [key, child] of Object.entries(a.keys ?? {})) keys[key] = combine(child, keys[key])!;
  return {
    type: a.type === b.type ? a.type : 'any',
    keys,
    free: a.free || b.free,
    subchart: a.subchart ?? b.subchart,
  };
}

/**
 * The problems of a release's values against its chart's interface: keys the chart (and the subchart a key
 * belongs to) does not have, and values of the wrong type. Values below a free-form key, `null` (Helm's "remove
 * this default") and Terraform expressions (known at apply time) are not type-checked.
 */
export function checkValues(values: unknown, chartId: string, catalogue: ChartCatalogue): string[] {
  const chart = catalogue.charts[chartId];
  if (!chart) return [`no interface of chart ${chartId} in guardrails/chart-catalogue.json`];
  const problems: string[] = [];
  // Below a free-form key every key is allowed; the keys the chart documents there are still type-checked.
  const walk = (
    value: unknown,
    node: InterfaceNode,
    path: string[],
    root: InterfaceNode,
    free = false,
  ): void => {
    const where = path.join('.');
    if (!accepts(node.type, value)) {
      problems.push(`${where}: ${show(value)} is ${typeOfValue(value)}, the chart expects ${node.type}`);
      return;
    }
    if (!isObject(value)) return;
    let scope = node;
    let scopeRoot = root;
    if (node.subchart) {
      const sub = catalogue.charts[node.subchart];
      if (!sub) {
        const unknown = Object.keys(value).filter((key) => !node.keys?.[key]);
        if (unknown.length > 0) {
          problems.push(
            `${where}: values for subchart ${node.subchart}, which has no interface in guardrails/chart-catalogue.json`,
          );
        }
      } else {
        scope = combine(node, { ...sub.values, subchart: undefined })!;
        scopeRoot = sub.values;
      }
    }
    for (const [key, child] of Object.entries(value)) {
      const known = scope.keys?.[key];
      if (known) {
        walk(child, known, [...path, key], scopeRoot, free || Boolean(scope.free));
      } else if (
        !free &&
        !scope.free &&
        !(scope.type === 'any' && !scope.keys) &&
        !(node.subchart && scope === node)
      ) {
        const hint = suggestions(key, Object.keys(scope.keys ?? {}), allPaths(scopeRoot));
        problems.push(
          `${[...path, key].join('.')}: not a values key of ${chartId}${hint.length > 0 ? ` (did you mean ${hint.join(', ')}?)` : ''}`,
        );
      }
    }
  };
  walk(values, chart.values, [], chart.values);
  return problems;
}

/** A pruned OpenAPI v3 schema of a CRD version. */
export interface OpenApiSchema {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, OpenApiSchema>>;
  readonly required?: readonly string[];
  readonly items?: OpenApiSchema;
  readonly additionalProperties?: boolean | OpenApiSchema;
  readonly enum?: readonly unknown[];
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly anyOf?: readonly OpenApiSchema[];
  readonly oneOf?: readonly OpenApiSchema[];
  readonly allOf?: readonly OpenApiSchema[];
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  readonly 'x-kubernetes-int-or-string'?: boolean;
}

/** The CRD schema set. */
export interface CrdSchemaSet {
  readonly schemas: Readonly<Record<string, { readonly source: string; readonly schema: OpenApiSchema }>>;
}

function typeProblem(schema: OpenApiSchema, value: unknown): string | undefined {
  if (schema['x-kubernetes-int-or-string']) {
    return typeof value === 'number' || typeof value === 'string' ? undefined : 'an integer or a string';
  }
  switch (schema.type) {
    case 'object':
      return isObject(value) ? undefined : 'an object';
    case 'array':
      return Array.isArray(value) ? undefined : 'an array';
    case 'string':
      return typeof value === 'string' ? undefined : 'a string';
    case 'integer':
      return Number.isInteger(value) ? undefined : 'an integer';
    case 'number':
      return typeof value === 'number' ? undefined : 'a number';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'a boolean';
    default:
      return undefined;
  }
}

/**
 * The problems of a value against a structural OpenAPI schema as the API server checks it: types (integer and
 * int-or-string included), required fields, unknown fields (pruned by the API server, so reported), enums,
 * patterns and bounds. CEL rules (x-kubernetes-validations) are not evaluated. Expressions are not checked.
 */
export function validateSchema(value: unknown, schema: OpenApiSchema, path = ''): string[] {
  if (value === null || value === undefined || isExpression(value)) return [];
  const at = path || '(root)';
  const expected = typeProblem(schema, value);
  if (expected) return [`${at}: ${show(value)} is not ${expected}`];
  const problems: string[] = [];
  if (schema.enum && !schema.enum.includes(value)) {
    problems.push(
      `${at}: ${show(value)} is not one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`,
    );
  }
  if (typeof value === 'string') {
    if (schema.pattern) {
      let pattern: RegExp | undefined;
      try {
        pattern = new RegExp(schema.pattern, 'u');
      } catch {
        pattern = undefined; // An RE2 construct JavaScript lacks: the API server still checks it.
      }
      if (pattern && !pattern.test(value))
        problems.push(`${at}: ${show(value)} does not match ${schema.pattern}`);
    }
    if (schema.minLength !== undefined && value.length < schema.minLength)
      problems.push(`${at}: ${show(value)} is shorter than ${schema.minLength}`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength)
      problems.push(`${at}: ${show(value)} is longer than ${schema.maxLength}`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum)
      problems.push(`${at}: ${value} is below ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum)
      problems.push(`${at}: ${value} is above ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems)
      problems.push(`${at}: ${value.length} items, at least ${schema.minItems} required`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems)
      problems.push(`${at}: ${value.length} items, at most ${schema.maxItems} allowed`);
    if (schema.items)
      value.forEach((item, i) => problems.push(...validateSchema(item, schema.items!, `${path}[${i}]`)));
  }
  if (isObject(value)) {
    for (const name of schema.required ?? []) {
      if (!(name in value)) problems.push(`${path ? `${path}.` : ''}${name}: required field is missing`);
    }
    const properties = schema.properties ?? {};
    const additional = schema.additionalProperties;
    for (const [key, child] of Object.entries(value)) {
      const childPath = path ? `${path}.${key}` : key;
      if (properties[key]) problems.push(...validateSchema(child, properties[key], childPath));
      else if (typeof additional === 'object') problems.push(...validateSchema(child, additional, childPath));
      else if (additional !== true && !schema['x-kubernetes-preserve-unknown-fields'] && schema.properties) {
        const hint = suggestions(key, Object.keys(properties));
        problems.push(
          `${childPath}: unknown field${hint.length > 0 ? ` (did you mean ${hint.join(', ')}?)` : ''}`,
        );
      }
    }
  }
  for (const part of schema.allOf ?? []) problems.push(...validateSchema(value, part, path));
  for (const alternatives of [schema.anyOf, schema.oneOf]) {
    if (alternatives && !alternatives.some((part) => validateSchema(value, part, path).length === 0)) {
      problems.push(`${at}: ${show(value)} matches none of the schema's alternatives`);
    }
  }
  return problems;
}

/**
 * The problems of a custom resource (a `kubernetes_manifest` body's `manifest`) against the schema of its
 * `apiVersion` and `kind`. Built-in kinds (core and `*.k8s.io`-less groups without a dot) are left to the API
 * server; a custom kind with no schema in the set is a problem, so every new custom resource gets one.
 */
export function checkCustomResource(manifest: unknown, set: CrdSchemaSet): string[] {
  if (!isObject(manifest)) return [];
  const { apiVersion, kind } = manifest;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return [];
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  if (!group.includes('.') || group.endsWith('.k8s.io')) return [];
  const entry = set.schemas[`${apiVersion}/${kind}`];
  if (!entry) return [`${apiVersion} ${kind} has no schema in guardrails/crd-schemas.json`];
  return validateSchema(manifest, entry.schema);
}
