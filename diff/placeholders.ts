/**
 * Well-formed, type-correct stand-ins for the values Terraform only knows after an apply (ids, ARNs, endpoints),
 * so a plan's `planned_values` can be written as a state "as if applied" (docs/reviewing-diffs.md, exact mode).
 *
 * The types come from the provider schema (`terraform providers schema -json`); a value is derived from the
 * resource address, so the same base gives the same state on every machine.
 */
import { createHash } from 'node:crypto';

import { MOCK_ACCOUNT_ID, MOCK_REGION } from '../terraform/mock-apply';

/** Account id in every placeholder ARN: the apply rehearsal's (AWS's documentation example account). */
const PLACEHOLDER_ACCOUNT = MOCK_ACCOUNT_ID;
/** Region in every placeholder regional ARN: the apply rehearsal's. */
const PLACEHOLDER_REGION = MOCK_REGION;

/** A value type, as the provider schema gives it, with blocks marked (they are `[]`, never null, when absent). */
export type ValueType =
  | { readonly kind: 'string' | 'number' | 'bool' | 'dynamic' }
  | { readonly kind: 'list' | 'set'; readonly element: ValueType; readonly block?: boolean }
  | { readonly kind: 'map'; readonly element: ValueType }
  | { readonly kind: 'object'; readonly attributes: Readonly<Record<string, ValueType>> }
  | { readonly kind: 'tuple'; readonly elements: readonly ValueType[] };

/** A provider schema block (`block` of a resource schema in `terraform providers schema -json`). */
export interface SchemaBlock {
  readonly attributes?: Readonly<
    Record<string, { type?: unknown; nested_type?: NestedType; sensitive?: boolean }>
  >;
  readonly block_types?: Readonly<
    Record<string, { nesting_mode: string; block: SchemaBlock; max_items?: number }>
  >;
}

interface NestedType {
  readonly attributes: Readonly<
    Record<string, { type?: unknown; nested_type?: NestedType; sensitive?: boolean }>
  >;
  readonly nesting_mode: string;
}

/** A cty type expression (`"string"`, `["list","string"]`, `["object",{...}]`) as a {@link ValueType}. */
export function ctyType(expression: unknown): ValueType {
  if (expression === 'string' || expression === 'number' || expression === 'bool')
    return { kind: expression };
  if (expression === 'dynamic') return { kind: 'dynamic' };
  if (Array.isArray(expression)) {
    const [kind, inner] = expression as [string, unknown];
    if (kind === 'list' || kind === 'set') return { kind, element: ctyType(inner) };
    if (kind === 'map') return { kind: 'map', element: ctyType(inner) };
    if (kind === 'object') {
      const attributes = Object.fromEntries(
        Object.entries(inner as Record<string, unknown>).map(([name, type]) => [name, ctyType(type)]),
      );
      return { kind: 'object', attributes };
    }
    if (kind === 'tuple') return { kind: 'tuple', elements: (inner as unknown[]).map(ctyType) };
  }
  throw new Error(`unknown cty type ${JSON.stringify(expression)}`);
}

function attributeType(attribute: { type?: unknown; nested_type?: NestedType }): ValueType {
  if (attribute.nested_type) {
    const object: ValueType = {
      kind: 'object',
      attributes: Object.fromEntries(
        Object.entries(attribute.nested_type.attributes).map(([name, a]) => [name, attributeType(a)]),
      ),
    };
    const mode = attribute.nested_type.nesting_mode;
    if (mode === 'single') return object;
    if (mode === 'map') return { kind: 'map', element: object };
    return { kind: mode === 'set' ? 'set' : 'list', element: object };
  }
  return ctyType(attribute.type);
}

/** The value type of a schema block: an object of its attributes and nested blocks. */
export function blockType(block: SchemaBlock): ValueType & { kind: 'object' } {
  const attributes: Record<string, ValueType> = {};
  for (const [name, attribute] of Object.entries(block.attributes ?? {}))
    attributes[name] = attributeType(attribute);
  for (const [name, nested] of Object.entries(block.block_types ?? {})) {
    const inner = blockType(nested.block);
    attributes[name] =
      nested.nesting_mode === 'single' || nested.nesting_mode === 'group'
        ? inner
        : nested.nesting_mode === 'map'
          ? { kind: 'map', element: inner }
          : { kind: nested.nesting_mode === 'set' ? 'set' : 'list', element: inner, block: true };
  }
  return { kind: 'object', attributes };
}

/** The paths of the schema-sensitive attributes of a block, as state `sensitive_attributes` steps. */
export function sensitivePaths(block: SchemaBlock): { type: 'get_attr'; value: string }[][] {
  return Object.entries(block.attributes ?? {})
    .filter(([, attribute]) => attribute.sensitive === true)
    .map(([name]) => [{ type: 'get_attr' as const, value: name }]);
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A deterministic UUID-shaped id. */
export function placeholderUuid(seed: string): string {
  const hex = digest(seed);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Resource id prefixes AWS uses (and the provider validates where another resource takes the id). */
const ID_PREFIXES: Readonly<Record<string, string>> = {
  aws_default_network_acl: 'acl-',
  aws_default_route_table: 'rtb-',
  aws_default_security_group: 'sg-',
  aws_eip: 'eipalloc-',
  aws_flow_log: 'fl-',
  aws_internet_gateway: 'igw-',
  aws_launch_template: 'lt-',
  aws_nat_gateway: 'nat-',
  aws_network_acl: 'acl-',
  aws_route_table: 'rtb-',
  aws_security_group: 'sg-',
  aws_subnet: 'subnet-',
  aws_vpc: 'vpc-',
  aws_vpc_endpoint: 'vpce-',
  aws_vpc_security_group_egress_rule: 'sgr-',
  aws_vpc_security_group_ingress_rule: 'sgr-',
};

/** ARN service names where the type's second word is not the service. */
const ARN_SERVICES: Readonly<Record<string, string>> = {
  acm: 'acm',
  cloudwatch: 'cloudwatch',
  db: 'rds',
  default: 'ec2',
  eip: 'ec2',
  flow: 'ec2',
  internet: 'ec2',
  launch: 'ec2',
  nat: 'ec2',
  network: 'ec2',
  route: 'ec2',
  security: 'ec2',
  subnet: 'ec2',
  vpc: 'ec2',
};

function arnFor(type: string, attribute: string, seed: string): string {
  const word = type.split('_')[1] ?? 'placeholder';
  const short = digest(seed).slice(0, 12);
  if (attribute === 'secret_arn')
    return `arn:aws:secretsmanager:${PLACEHOLDER_REGION}:${PLACEHOLDER_ACCOUNT}:secret:placeholder-${short}-AbCdEf`;
  if (type === 'aws_kms_key' || attribute === 'kms_key_arn')
    return `arn:aws:kms:${PLACEHOLDER_REGION}:${PLACEHOLDER_ACCOUNT}:key/${placeholderUuid(seed)}`;
  if (type === 'aws_cloudwatch_log_group')
    return `arn:aws:logs:${PLACEHOLDER_REGION}:${PLACEHOLDER_ACCOUNT}:log-group:placeholder-${short}`;
  if (word === 'iam') return `arn:aws:iam::${PLACEHOLDER_ACCOUNT}:${type.slice(8)}/placeholder-${short}`;
  if (word === 's3') return `arn:aws:s3:::placeholder-${short}`;
  if (word === 'route53') return `arn:aws:route53:::hostedzone/Z${short.toUpperCase()}`;
  if (word === 'sns' || word === 'sqs')
    return `arn:aws:${word}:${PLACEHOLDER_REGION}:${PLACEHOLDER_ACCOUNT}:placeholder-${short}`;
  if (word === 'secretsmanager')
    return `arn:aws:secretsmanager:${PLACEHOLDER_REGION}:${PLACEHOLDER_ACCOUNT}:secret:placeholder-${short}-AbCdEf`;
  if (word === 'rds' || word === 'db')
    return `arn:aws:rds:${PLACEHOLDER_REGION}:${PLACEHOLDER_ACCOUNT}:${type.replace(/^aws_(rds|db)_/, '').replace(/_/g, '-')}:placeholder-${short}`;
  if (word === 'wafv2')
    return `arn:aws:wafv2:${PLACEHOLDER_REGION}:${PLACEHOLDER_ACCOUNT}:regional/webacl/placeholder/${placeholderUuid(seed)}`;
  const service = ARN_SERVICES[word] ?? word;
  return `arn:aws:${service}:${PLACEHOLDER_REGION}:${PLACEHOLDER_ACCOUNT}:${type.replace(/^aws_/, '').replace(/_/g, '-')}/placeholder-${short}`;
}

/**
 * Attribute values that must be exactly this after an apply (the provider validates them, or they must stay null
 * for the configuration to plan no change), by `type.path` with list indices removed.
 */
const FIXED: Readonly<Record<string, unknown>> = {
  // The DNS validation record takes the type from here; Route 53 accepts only real record types.
  'aws_acm_certificate.domain_validation_options.resource_record_type': 'CNAME',
  // Only FIFO topics have a throughput scope; a value on a standard topic is planned as a change every time.
  'aws_sns_topic.fifo_throughput_scope': null,
};

/** Where a placeholder goes: the resource type and address, and the attribute path (indices removed). */
export interface PlaceholderSite {
  readonly type: string;
  readonly address: string;
  readonly path: readonly string[];
}

function stringPlaceholder(site: PlaceholderSite): string {
  const name = site.path[site.path.length - 1] ?? '';
  const seed = `${site.address}.${site.path.join('.')}`;
  const short = digest(seed).slice(0, 16);
  if (name === 'arn' || name.endsWith('_arn')) return arnFor(site.type, name, seed);
  if (site.path.length === 1 && name === 'id') {
    if (site.type === 'aws_kms_key') return placeholderUuid(site.address);
    if (site.type === 'aws_route53_zone') return `Z${short.toUpperCase()}`;
    const prefix = ID_PREFIXES[site.type];
    if (prefix) return `${prefix}0${short.slice(0, 16)}`;
    return `placeholder-${short.slice(0, 12)}`;
  }
  if (name === 'key_id' && site.type === 'aws_kms_key') return placeholderUuid(site.address);
  if (name === 'kms_key_id' && site.path.length > 1) return arnFor('aws_kms_key', name, seed);
  if (name === 'zone_id') return `Z${short.toUpperCase()}`;
  if (name.endsWith('_id') && name !== 'owner_id') return `placeholder-${short.slice(0, 12)}`;
  if (name === 'owner_id') return PLACEHOLDER_ACCOUNT;
  return `placeholder-${short.slice(0, 12)}`;
}

/** The placeholder for a value of `type` at `site`: one-element lists, empty maps, 0, false, strings by name. */
export function placeholder(type: ValueType, site: PlaceholderSite): unknown {
  const key = `${site.type}.${site.path.join('.')}`;
  if (key in FIXED) return FIXED[key];
  switch (type.kind) {
    case 'string':
    case 'dynamic':
      return stringPlaceholder(site);
    case 'number':
      return 0;
    case 'bool':
      return false;
    case 'map':
      return {};
    case 'list':
    case 'set':
      return [placeholder(type.element, site)];
    case 'tuple':
      return type.elements.map((element) => placeholder(element, site));
    case 'object':
      return Object.fromEntries(
        Object.entries(type.attributes).map(([name, inner]) => [
          name,
          placeholder(inner, { ...site, path: [...site.path, name] }),
        ]),
      );
  }
}

/**
 * A planned value with every unknown part (`after_unknown`) filled: by the prior value where there is one of
 * the right shape, else by a {@link placeholder}. Absent object attributes become null (blocks: `[]`).
 */
export function fillUnknowns(
  value: unknown,
  unknown: unknown,
  type: ValueType,
  site: PlaceholderSite,
  prior?: unknown,
): unknown {
  const key = `${site.type}.${site.path.join('.')}`;
  if (unknown === true) {
    if (key in FIXED) return FIXED[key];
    return prior !== undefined && prior !== null ? prior : placeholder(type, site);
  }
  if (type.kind === 'object') {
    const object = (value ?? null) as Record<string, unknown> | null;
    if (object === null) return null;
    const unknowns = (unknown ?? {}) as Record<string, unknown>;
    const priors = (prior ?? {}) as Record<string, unknown>;
    return Object.fromEntries(
      Object.entries(type.attributes).map(([name, inner]) => {
        const filled = fillUnknowns(
          object[name],
          typeof unknowns === 'object' ? unknowns[name] : undefined,
          inner,
          { ...site, path: [...site.path, name] },
          typeof priors === 'object' ? priors[name] : undefined,
        );
        const absent = filled === undefined || filled === null;
        return [name, absent ? ('block' in inner && inner.block ? [] : null) : filled];
      }),
    );
  }
  if ((type.kind === 'list' || type.kind === 'set') && Array.isArray(value)) {
    const unknowns = Array.isArray(unknown) ? unknown : [];
    const priors = Array.isArray(prior) ? prior : [];
    return value.map((item, index) => fillUnknowns(item, unknowns[index], type.element, site, priors[index]));
  }
  if (type.kind === 'map' && value !== null && typeof value === 'object') {
    const unknowns = (unknown ?? {}) as Record<string, unknown>;
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([name, item]) => [
        name,
        fillUnknowns(item, unknowns[name], type.element, site),
      ]),
    );
  }
  return value === undefined ? null : value;
}

/** The cty type expression of a {@link ValueType} (for a state output's `type`). */
export function ctyExpression(type: ValueType): unknown {
  switch (type.kind) {
    case 'list':
    case 'set':
    case 'map':
      return [type.kind, ctyExpression(type.element)];
    case 'object':
      return [
        'object',
        Object.fromEntries(
          Object.entries(type.attributes).map(([name, inner]) => [name, ctyExpression(inner)]),
        ),
      ];
    case 'tuple':
      return ['tuple', type.elements.map(ctyExpression)];
    default:
      return type.kind;
  }
}

/** The cty type expression of a planned output value (literal lists are tuples, objects are objects). */
export function outputType(value: unknown): unknown {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return ['tuple', value.map(outputType)];
  if (value !== null && typeof value === 'object') {
    return [
      'object',
      Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, outputType(v)]),
      ),
    ];
  }
  return 'dynamic';
}
