import type { JsonObject } from './values';
import { blocks, isObject } from './values';

/** A suppression as recorded in a resource's `"//".suppressions` metadata by `suppress()`. */
export interface DeclaredSuppression {
  /** The rule id; may be anything in hand-written or foreign JSON, so the engine validates it. */
  readonly id: string;
  /** Why the rule does not apply to this resource. */
  readonly reason: string;
}

/** One resource or data source of a synthesized stack. */
export interface ResourceNode {
  /** `managed` for `resource` blocks, `data` for data sources. */
  readonly mode: 'managed' | 'data';
  /** The Terraform type, e.g. `aws_vpc`. */
  readonly type: string;
  /** The logical id cdktf gave it, e.g. `network_vpc_1A2B3C4D`. */
  readonly name: string;
  /** The address Terraform prints: `aws_vpc.network_vpc_1A2B3C4D` (`data.` prefixed for data sources). */
  readonly address: string;
  /** The attributes in snake_case, including the `//` metadata block. */
  readonly body: JsonObject;
  /** The construct path from `"//".metadata.path`, absent for hand-written JSON. */
  readonly constructPath?: string;
  /** The suppressions declared on this resource. */
  readonly suppressions: readonly DeclaredSuppression[];
}

/** The environment block the project's stacks carry at `"//".wms`. */
export interface StackEnvironment {
  /** The environment name, e.g. `prod`; undefined when the stack has no `wms` metadata. */
  readonly name?: string;
  /** Whether production-only rules apply. */
  readonly production: boolean;
  /** True when the stack carries no `wms` metadata, so production was assumed (the strictest choice). */
  readonly assumed: boolean;
}

/** A parsed Terraform reference such as `${aws_kms_key.logs_key.arn}`. */
export interface Reference {
  /** The address of the referenced resource, e.g. `aws_kms_key.logs_key` or `data.aws_iam_policy_document.x`. */
  readonly address: string;
  /** The attribute path after the address, e.g. `arn` or `vpc_config[0].cluster_security_group_id`. */
  readonly attribute: string;
}

// Terraform identifiers: letters, digits, underscores and dashes (cdktf logical ids contain dashes).
const ADDRESS = String.raw`((?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*)`;
const WHOLE_REFERENCE = new RegExp(String.raw`^\$\{${ADDRESS}\.([A-Za-z0-9_.\[\]"*-]+)\}$`);

/** Parses a value that is exactly one reference, `${type.name.attribute}`; anything else gives undefined. */
export function parseReference(value: unknown): Reference | undefined {
  if (typeof value !== 'string') return undefined;
  const match = WHOLE_REFERENCE.exec(value);
  if (!match) return undefined;
  const [, address, attribute] = match;
  return { address, attribute };
}

function readSuppressions(meta: unknown): DeclaredSuppression[] {
  if (!isObject(meta) || !Array.isArray(meta.suppressions)) return [];
  return meta.suppressions.map((entry) => ({
    id:
      isObject(entry) && typeof entry.id === 'string' ? entry.id : String(isObject(entry) ? entry.id : entry),
    reason: isObject(entry) && typeof entry.reason === 'string' ? entry.reason : '',
  }));
}

function readNodes(section: unknown, mode: 'managed' | 'data'): ResourceNode[] {
  if (!isObject(section)) return [];
  const nodes: ResourceNode[] = [];
  for (const [type, byName] of Object.entries(section)) {
    if (!isObject(byName)) continue;
    for (const [name, body] of Object.entries(byName)) {
      if (!isObject(body)) continue;
      const meta = body['//'];
      const metadata = isObject(meta) && isObject(meta.metadata) ? meta.metadata : undefined;
      const path = metadata && typeof metadata.path === 'string' ? metadata.path : undefined;
      nodes.push({
        mode,
        type,
        name,
        address: mode === 'data' ? `data.${type}.${name}` : `${type}.${name}`,
        body,
        constructPath: path,
        suppressions: mode === 'managed' ? readSuppressions(meta) : [],
      });
    }
  }
  return nodes;
}

function readEnvironment(root: JsonObject): StackEnvironment {
  const meta = root['//'];
  const wms = isObject(meta) ? meta.wms : undefined;
  if (!isObject(wms) || typeof wms.production !== 'boolean') return { production: true, assumed: true };
  return {
    name: typeof wms.environment === 'string' ? wms.environment : undefined,
    production: wms.production,
    assumed: false,
  };
}

/**
 * A synthesized stack (`cdk.tf.json`) indexed for rules: resources by type and address, reference resolution,
 * provider default tags and the environment metadata.
 */
export class StackModel {
  /** The stack name as cdktf reports it (the manifest key, or the folder name). */
  public readonly stackName: string;
  /** Environment metadata from `"//".wms`; production is assumed when it is missing. */
  public readonly environment: StackEnvironment;
  /** Managed resources in document order. */
  public readonly resources: readonly ResourceNode[];
  /** Data sources in document order. */
  public readonly dataSources: readonly ResourceNode[];
  private readonly byAddress = new Map<string, ResourceNode>();
  private readonly byType = new Map<string, ResourceNode[]>();
  private readonly providers: JsonObject;

  /**
   * @param stackName the stack name used in findings
   * @param json the parsed `cdk.tf.json`; throws if it is not a JSON object
   */
  constructor(stackName: string, json: unknown) {
    if (!isObject(json)) throw new Error(`${stackName}: the synthesized stack is not a JSON object`);
    this.stackName = stackName;
    this.environment = readEnvironment(json);
    this.resources = readNodes(json.resource, 'managed');
    this.dataSources = readNodes(json.data, 'data');
    this.providers = isObject(json.provider) ? json.provider : {};
    for (const node of [...this.resources, ...this.dataSources]) {
      this.byAddress.set(node.address, node);
      const key = node.mode === 'data' ? `data.${node.type}` : node.type;
      this.byType.set(key, [...(this.byType.get(key) ?? []), node]);
    }
  }

  /** Managed resources of one type (prefix `data.` for data sources). */
  public ofType(type: string): readonly ResourceNode[] {
    return this.byType.get(type) ?? [];
  }

  /** The resource or data source at an address, e.g. `aws_vpc.main`. */
  public get(address: string): ResourceNode | undefined {
    return this.byAddress.get(address);
  }

  /**
   * The resource a value refers to when the value is exactly one reference (`${aws_kms_key.k.arn}`).
   *
   * @param attributes when given, the referenced attribute must be one of these (e.g. `['id', 'bucket']`)
   */
  public referenced(value: unknown, attributes?: readonly string[]): ResourceNode | undefined {
    const ref = parseReference(value);
    if (!ref) return undefined;
    if (attributes && !attributes.includes(ref.attribute)) return undefined;
    return this.byAddress.get(ref.address);
  }

  /**
   * True when `value` points at `target`: a reference to one of `attributes` of the target, or, for resources
   * wired by a literal name, the same literal as the target's `literalAttribute`.
   */
  public pointsAt(
    value: unknown,
    target: ResourceNode,
    attributes: readonly string[],
    literalAttribute?: string,
  ): boolean {
    if (this.referenced(value, attributes) === target) return true;
    if (!literalAttribute || typeof value !== 'string' || value.includes('${')) return false;
    return target.body[literalAttribute] === value;
  }

  /**
   * Resources of `type` whose `attribute` points at `target` (see {@link pointsAt}); this is how a bucket finds its
   * companion `aws_s3_bucket_versioning`, or a VPC its `aws_flow_log`.
   */
  public referrers(
    target: ResourceNode,
    type: string,
    attribute: string,
    attributes: readonly string[],
    literalAttribute?: string,
  ): ResourceNode[] {
    return this.ofType(type).filter((node) =>
      this.pointsAt(node.body[attribute], target, attributes, literalAttribute),
    );
  }

  /**
   * The `default_tags` of the provider a resource uses (`provider = "aws.alias"` picks an aliased one).
   *
   * Returns undefined when the tags are an expression, so callers can skip rather than guess.
   */
  public defaultTags(resource: ResourceNode): Record<string, unknown> | undefined {
    const providerRef = typeof resource.body.provider === 'string' ? resource.body.provider : undefined;
    const [providerName, alias] = providerRef
      ? providerRef.split('.')
      : [resource.type.split('_')[0], undefined];
    const configs = blocks(this.providers[providerName]);
    const config = configs.find((candidate) =>
      alias ? candidate.alias === alias : candidate.alias === undefined,
    );
    if (!config) return {};
    const tags: Record<string, unknown> = {};
    for (const block of blocks(config.default_tags)) {
      if (typeof block.tags === 'string') return undefined;
      if (isObject(block.tags)) Object.assign(tags, block.tags);
    }
    return tags;
  }
}
