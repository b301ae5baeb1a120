/**
 * Reading a Helm chart's values interface from its source: the key paths and types of `values.yaml`, the
 * properties of `values.schema.json`, the `.Values` paths the templates reference, and which subtrees the chart
 * passes through as a whole (free-form: any key allowed). Also the pruned OpenAPI schemas of CRD files.
 * Used by `scripts/generate-chart-catalogue.ts`; the guardrails read only the JSON it writes.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';

/** The type of a values key, as far as the chart tells: `scalar` takes string, number or boolean; `any` anything. */
export type ValueType = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'scalar' | 'any';

/** One key of a chart's values. */
export interface InterfaceNode {
  /** The type (from the schema when the chart has one, else from the default in values.yaml). */
  type: ValueType;
  /** The known child keys of an object. */
  keys?: Record<string, InterfaceNode>;
  /** True when the chart passes the subtree through as a whole (toYaml, tpl, range over a map): any key goes. */
  free?: true;
  /** Values under this key belong to a subchart: `name@version`, an entry of the same catalogue. */
  subchart?: string;
}

/** One chart version in the catalogue. */
export interface ChartEntry {
  /** `name@version`; a subchart unpacked in its parent's `charts/` folder is `parent@version>name@version`. */
  readonly id: string;
  readonly chart: string;
  readonly version: string;
  /** Where the chart source came from (as given to the generator) and digests of the files read. */
  readonly source: { readonly from: string; readonly valuesSha256: string; readonly schema: boolean };
  /** The values interface, rooted at an object node. */
  readonly values: InterfaceNode;
}

/** The type of a YAML default. An empty string or null tells nothing about the type. */
export function typeOfDefault(value: unknown): ValueType {
  if (value === null || value === undefined) return 'any';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'object';
  if (value === '') return 'scalar';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  return 'any';
}

/** The interface tree of a values.yaml document: every map key, with the type of its default. */
export function treeOfValues(value: unknown): InterfaceNode {
  const type = typeOfDefault(value);
  if (type !== 'object') return { type };
  const keys: Record<string, InterfaceNode> = {};
  for (const [key, child] of Object.entries(value as Record<string, unknown>))
    keys[key] = treeOfValues(child);
  return { type, keys };
}

/**
 * Marks every object that still has no known key after the templates were read as free-form: an empty map
 * default that no template reads a key of is a pass-through block (nodeSelector: {}, annotations: {} ...).
 */
export function markEmptyMaps(node: InterfaceNode): void {
  const keys = Object.values(node.keys ?? {});
  if (node.type === 'object' && keys.length === 0 && !node.subchart) node.free = true;
  keys.forEach(markEmptyMaps);
}

/** The node at a path, created (type `any`) where missing. */
function nodeAt(root: InterfaceNode, path: readonly string[]): InterfaceNode {
  let node = root;
  path.forEach((segment, index) => {
    node.keys ??= {};
    node.keys[segment] ??= { type: 'any' };
    const child = node.keys[segment];
    // A template reads a key below this one: the default was a placeholder (null, "" or a scalar).
    if (index < path.length - 1 && child.type !== 'object' && child.type !== 'any') child.type = 'any';
    node = child;
  });
  return node;
}

/** What the templates of a chart say about its values. */
export interface TemplateReferences {
  /** Every `.Values` path read, as segment lists. */
  readonly paths: string[][];
  /** Paths passed through whole (toYaml, toJson, tpl, range over a map). */
  readonly passThrough: string[][];
}

const VALUES_PATH = String.raw`\$?\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)*)`;
const PASS_FUNCTIONS = /\b(toYaml|toJson|toPrettyJson|toRawJson|tpl|fromYaml)\b/;
const ROOT_OBJECTS = new Set([
  'Values',
  'Release',
  'Chart',
  'Capabilities',
  'Template',
  'Files',
  'Subcharts',
]);

/**
 * The `.Values` references of a chart's templates: `.Values.a.b`, `$.Values.a.b`, `index .Values "a-b" "c"`,
 * variables bound to a values path (`$x := .Values.a` then `$x.b`), and `.b` inside `with .Values.a`. A path in an
 * action that calls toYaml/toJson/tpl, `toYaml .` inside `with`, and `range $k, $v := .Values.a` mark a
 * pass-through subtree. A reading of the template language good enough to list keys, not a parser.
 */
export function templateReferences(templates: readonly string[]): TemplateReferences {
  const paths: string[][] = [];
  const passThrough: string[][] = [];
  for (const text of templates) {
    const variables = new Map<string, string[]>();
    // The dot of each open block: a values path, 'root', or undefined (unknown: range item, define argument).
    const dots: (string[] | 'root' | undefined)[] = ['root'];
    const actions = text.matchAll(/\{\{-?([\s\S]*?)-?\}\}/g);
    for (const [, raw] of actions) {
      const action = raw.trim();
      if (action.startsWith('/*')) continue;
      const found: string[][] = [];
      const resolve = (expression: string): string[] | undefined => {
        const direct = new RegExp(`^\\(?${VALUES_PATH}\\)?$`).exec(expression);
        if (direct) return direct[1].split('.').filter(Boolean);
        const indexed = new RegExp(`^\\(?(?:index|get)\\s+${VALUES_PATH}((?:\\s+"[^"]+")+)\\)?$`).exec(
          expression,
        );
        if (indexed) {
          const quoted = [...indexed[2].matchAll(/"([^"]+)"/g)].map((m) => m[1]);
          return [...indexed[1].split('.').filter(Boolean), ...quoted];
        }
        const variable = /^\$([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z_][A-Za-z0-9_]*)*)$/.exec(expression);
        const base = variable ? variables.get(variable[1]) : undefined;
        return base ? [...base, ...variable![2].split('.').filter(Boolean)] : undefined;
      };
      for (const match of action.matchAll(
        new RegExp(`\\(?(?:index|get)\\s+${VALUES_PATH}((?:\\s+"[^"]+")+)`, 'g'),
      )) {
        const base = match[1].split('.').filter(Boolean);
        const quoted = [...match[2].matchAll(/"([^"]+)"/g)].map((m) => m[1]);
        found.push([...base, ...quoted]);
      }
      for (const match of action.matchAll(new RegExp(VALUES_PATH, 'g'))) {
        found.push(match[1].split('.').filter(Boolean));
      }
      for (const match of action.matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z_][A-Za-z0-9_]*)*)/g)) {
        const base = variables.get(match[1]);
        if (base) found.push([...base, ...match[2].split('.').filter(Boolean)]);
      }
      const dot = dots[dots.length - 1];
      if (Array.isArray(dot)) {
        for (const match of action.matchAll(
          /(?<![\w$)\]"'])\.([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)/g,
        )) {
          const segments = match[1].split('.');
          if (!ROOT_OBJECTS.has(segments[0])) found.push([...dot, ...segments]);
        }
        if (PASS_FUNCTIONS.test(action) && /(?<![\w$)\]"'])\.(?![A-Za-z_])/.test(action))
          passThrough.push(dot);
      }
      const nonEmpty = found.filter((path) => path.length > 0);
      paths.push(...nonEmpty);
      if (PASS_FUNCTIONS.test(action)) passThrough.push(...nonEmpty);

      const assignment = /^\$([A-Za-z_][A-Za-z0-9_]*)\s*:?=\s*(.+)$/s.exec(action);
      if (assignment && nonEmpty.length > 0) variables.set(assignment[1], nonEmpty[0]);
      const keyword = /^(?:-\s*)?(if|with|range|define|block|else|end)\b\s*(.*)$/s.exec(action);
      if (!keyword) continue;
      const [, word, rest] = keyword;
      if (word === 'end') {
        if (dots.length > 1) dots.pop();
      } else if (word === 'if') {
        dots.push(dot);
      } else if (word === 'with') {
        dots.push(resolve(rest.trim()) ?? (Array.isArray(dot) && rest.trim() === '.' ? dot : undefined));
      } else if (word === 'range') {
        const over = /(?:\$\w+\s*,\s*\$\w+\s*:=\s*)(.+)$/s.exec(rest);
        const target = over ? resolve(over[1].trim()) : undefined;
        if (target) passThrough.push(target);
        dots.push(undefined);
      } else if (word === 'define' || word === 'block') {
        dots.push('root');
      }
    }
  }
  return { paths, passThrough };
}

/** Adds the template references to a values tree: missing keys as `any`, pass-through subtrees as free. */
export function addTemplateReferences(root: InterfaceNode, references: TemplateReferences): void {
  for (const path of references.paths) nodeAt(root, path);
  for (const path of references.passThrough) {
    nodeAt(root, path).free = true;
  }
}

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  patternProperties?: Record<string, JsonSchema>;
  $ref?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  definitions?: Record<string, JsonSchema>;
  $defs?: Record<string, JsonSchema>;
}

function schemaType(schema: JsonSchema): ValueType | undefined {
  const types = (Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : []).filter(
    (t) => t !== 'null',
  );
  if (types.length !== 1) return types.length === 0 ? undefined : 'any';
  const [type] = types;
  if (type === 'integer' || type === 'number') return 'number';
  if (type === 'object' || type === 'array' || type === 'string' || type === 'boolean') return type;
  return undefined;
}

/**
 * Overlays a values.schema.json on a values tree: the schema's types win, its properties are keys, and an object
 * whose schema allows additional properties (or lists none) is free-form.
 */
export function addSchema(
  node: InterfaceNode,
  schema: JsonSchema,
  root: JsonSchema = schema,
  depth = 0,
): void {
  if (depth > 40) return;
  let resolved = schema;
  if (schema.$ref?.startsWith('#/')) {
    const target = schema.$ref
      .slice(2)
      .split('/')
      .reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], root);
    if (target) resolved = target as JsonSchema;
  }
  const type = schemaType(resolved);
  if (type) node.type = type === 'any' && node.type !== 'any' ? 'any' : type;
  if (resolved.anyOf || resolved.oneOf) node.type = 'any';
  if (type === 'object' || resolved.properties) {
    const additional = resolved.additionalProperties;
    // A map with no listed properties is free-form; `additionalProperties: true` beside listed properties is a
    // lenient schema, not a pass-through (the templates say which blocks they pass through).
    if (!resolved.properties && additional !== false) node.free = true;
    for (const [key, child] of Object.entries(resolved.properties ?? {})) {
      node.keys ??= {};
      node.keys[key] ??= { type: 'any' };
      addSchema(node.keys[key], child, root, depth + 1);
    }
  }
}

/** Drops `keys` from free nodes whose children say nothing more than "free" (keeps the catalogue small). */
export function prune(node: InterfaceNode): InterfaceNode {
  const keys = node.keys && Object.keys(node.keys).length > 0 ? node.keys : undefined;
  const out: InterfaceNode = { type: node.type };
  if (node.free && (node.type === 'object' || node.type === 'any')) out.free = true;
  if (node.subchart) out.subchart = node.subchart;
  if (keys && (node.type === 'object' || node.type === 'any')) {
    out.keys = Object.fromEntries(
      Object.keys(keys)
        .sort()
        .map((key) => [key, prune(keys[key])]),
    );
    if (node.free && Object.values(out.keys).every((child) => !child.keys && child.type === 'any'))
      delete out.keys;
  }
  return out;
}

function listFiles(dir: string, filter: (name: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return listFiles(path, filter);
      return filter(name) ? [path] : [];
    });
}

/** Chart.yaml of a chart folder. */
export interface ChartMetadata {
  readonly name: string;
  readonly version: string;
  readonly dependencies?: readonly { name: string; version: string; alias?: string }[];
}

/**
 * The catalogue entries of a chart folder: the chart itself, and each subchart unpacked in its `charts/` folder
 * (as entries of their own). Dependencies not unpacked there are recorded on the parent's key as
 * `subchart: name@version`, to be generated from their own source. `version` overrides Chart.yaml's, as
 * `helm package --version` does for charts whose release stamps the version (Karpenter's).
 */
export function readChart(dir: string, from: string, parentId = '', version?: string): ChartEntry[] {
  const metadata = parse(readFileSync(join(dir, 'Chart.yaml'), 'utf8')) as ChartMetadata;
  const chartVersion = version ?? String(metadata.version);
  const id = `${parentId ? `${parentId}>` : ''}${metadata.name}@${chartVersion}`;
  const subchartDir = join(dir, 'charts');
  const unpacked = new Map<string, string>();
  for (const name of existsSync(subchartDir) ? readdirSync(subchartDir).sort() : []) {
    const path = join(subchartDir, name);
    if (statSync(path).isDirectory() && existsSync(join(path, 'Chart.yaml'))) {
      const sub = parse(readFileSync(join(path, 'Chart.yaml'), 'utf8')) as ChartMetadata;
      unpacked.set(sub.name, path);
    }
  }
  const valuesText = existsSync(join(dir, 'values.yaml'))
    ? readFileSync(join(dir, 'values.yaml'), 'utf8')
    : '';
  const values = treeOfValues((parse(valuesText) as unknown) ?? {});
  values.type = 'object';
  values.keys ??= {};
  delete values.free;
  const schemaFile = join(dir, 'values.schema.json');
  if (existsSync(schemaFile)) addSchema(values, JSON.parse(readFileSync(schemaFile, 'utf8')) as JsonSchema);
  const templates = listFiles(join(dir, 'templates'), (name) => /\.(ya?ml|tpl|txt|json)$/.test(name)).map(
    (file) => readFileSync(file, 'utf8'),
  );
  addTemplateReferences(values, templateReferences(templates));
  markEmptyMaps(values);
  // Helm gives every chart `global`; a chart that declares none passes it to its subcharts untouched.
  values.keys!.global ??= { type: 'object', free: true };
  const entries: ChartEntry[] = [];
  for (const dependency of metadata.dependencies ?? []) {
    const key = dependency.alias ?? dependency.name;
    values.keys![key] ??= { type: 'object' };
    const node = values.keys![key];
    node.type = 'object';
    delete node.free;
    const local = unpacked.get(dependency.name);
    if (local) {
      const nested = readChart(local, `${from}, charts/${basename(local)}`, id);
      entries.push(...nested);
      node.subchart = nested[0].id;
    } else {
      node.subchart = `${dependency.name}@${dependency.version}`;
    }
  }
  const valuesSha256 = createHash('sha256').update(valuesText).digest('hex');
  entries.unshift({
    id,
    chart: metadata.name,
    version: chartVersion,
    source: { from, valuesSha256, schema: existsSync(schemaFile) },
    values: prune(values),
  });
  return entries;
}

/** A CRD version's schema, pruned to what validation needs. */
export interface CrdSchemaEntry {
  readonly group: string;
  readonly kind: string;
  readonly version: string;
  readonly source: string;
  readonly schema: unknown;
}

const SCHEMA_KEYWORDS = new Set([
  'type',
  'properties',
  'required',
  'items',
  'additionalProperties',
  'enum',
  'format',
  'pattern',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'nullable',
  'anyOf',
  'oneOf',
  'allOf',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-int-or-string',
  'x-kubernetes-embedded-resource',
]);

/** An OpenAPI schema without descriptions, defaults, examples and CEL rules (kept: structure, types, limits). */
export function pruneSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(pruneSchema);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema as Record<string, unknown>)) {
    if (!SCHEMA_KEYWORDS.has(key)) continue;
    if (key === 'properties') {
      out[key] = Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([name, child]) => [name, pruneSchema(child)]),
      );
    } else if (key === 'enum' || key === 'required') {
      out[key] = value;
    } else {
      out[key] = pruneSchema(value);
    }
  }
  return out;
}

/** The served versions of every CustomResourceDefinition in YAML files (one or several documents each). */
export function readCrds(files: readonly string[], from: string): CrdSchemaEntry[] {
  const entries: CrdSchemaEntry[] = [];
  for (const file of files) {
    for (const document of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const crd = document.toJS() as {
        kind?: string;
        spec?: {
          group: string;
          names: { kind: string };
          versions: { name: string; served: boolean; schema?: { openAPIV3Schema: unknown } }[];
        };
      } | null;
      if (crd?.kind !== 'CustomResourceDefinition' || !crd.spec) continue;
      for (const version of crd.spec.versions.filter((v) => v.served && v.schema)) {
        entries.push({
          group: crd.spec.group,
          kind: crd.spec.names.kind,
          version: version.name,
          source: from,
          schema: pruneSchema(version.schema!.openAPIV3Schema),
        });
      }
    }
  }
  return entries;
}
