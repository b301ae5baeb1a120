import { parse } from 'yaml';
import taggable from '../aws-taggable-resources.json';
import type { ResourceNode } from '../../model/stack-model';
import type { Rule } from '../types';
import { blocks, isExpression, isObject } from '../../model/values';
import { PASS } from './helpers';

/** The tags every taggable AWS resource carries once the provider's default_tags are merged in. */
export const REQUIRED_TAGS = ['Project', 'Environment', 'Owner', 'CostCentre', 'ManagedBy', 'Repository'];

/** AWS resource types that accept `default_tags`, from the provider schema (see scripts/generate-taggable.ts). */
export const TAGGABLE_AWS_TYPES: readonly string[] = taggable.resourceTypes;

/** What a launch template must tag: the instances, volumes and network interfaces it launches. */
const LAUNCHED = ['instance', 'volume', 'network-interface'];

/** Tagging: required cost and ownership tags on every taggable AWS resource. */
export const taggingRules: readonly Rule[] = [
  {
    id: 'WMS_TAG_001',
    title: 'Taggable AWS resources carry the required tags',
    severity: 'low',
    resourceTypes: TAGGABLE_AWS_TYPES,
    resourceTypesLabel: `every AWS resource type with \`tags\` and \`tags_all\` in hashicorp/aws ${taggable.providerVersion} (${taggable.resourceTypes.length} types, guardrails/aws-taggable-resources.json)`,
    requirement: `The provider's \`default_tags\` merged with the resource's \`tags\` contain non-empty ${REQUIRED_TAGS.map((tag) => `\`${tag}\``).join(', ')}.`,
    fix: `set the missing keys in the aws provider's default_tags (${REQUIRED_TAGS.join(', ')})`,
    check(resource, { stack }) {
      const defaults = stack.defaultTags(resource);
      const own = resource.body.tags;
      if (defaults === undefined || isExpression(own)) return PASS;
      const tags: Record<string, unknown> = { ...defaults, ...(isObject(own) ? own : {}) };
      const missing = REQUIRED_TAGS.filter(
        (key) => tags[key] === undefined || tags[key] === null || tags[key] === '',
      );
      return missing.length === 0
        ? PASS
        : [
            {
              message: `resource is missing required tags after default_tags: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set`,
            },
          ];
    },
  },
  {
    id: 'WMS_TAG_002',
    title: 'What AWS creates outside Terraform carries the cost tags',
    severity: 'medium',
    resourceTypes: ['aws_launch_template', 'aws_eks_addon', 'kubernetes_manifest', 'helm_release'],
    requirement: `The tags that \`default_tags\` cannot reach are set, with non-empty ${REQUIRED_TAGS.map((tag) => `\`${tag}\``).join(', ')}: a launch template's \`tag_specifications\` for ${LAUNCHED.map((type) => `\`${type}\``).join(', ')}; the \`aws-ebs-csi-driver\` add-on's \`controller.extraVolumeTags\`; a Karpenter \`EC2NodeClass\`'s \`spec.tags\`; the \`aws-load-balancer-controller\` chart's \`defaultTags\`. Otherwise nodes, volumes and load balancers cost money no tag accounts for.`,
    fix: 'pass the environment tags (stacks/environment-stack.ts defaultTags) to EksCluster resourceTags, ClusterConfig nodeTags and ClusterServices resourceTags',
    check(resource) {
      const found = costTagsOf(resource);
      if (found === 'not-applicable' || found === 'unknown') return PASS;
      return found
        .map(({ where, tags }) => ({ where, missing: missingTags(tags) }))
        .filter(({ missing }) => missing.length > 0)
        .map(({ where, missing }) => ({
          message: `${where} lacks cost tags: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set`,
        }));
    },
  },
];

function missingTags(tags: unknown): string[] {
  if (isExpression(tags)) return [];
  const map = isObject(tags) ? tags : {};
  return REQUIRED_TAGS.filter((key) => map[key] === undefined || map[key] === null || map[key] === '');
}

function parseJson(text: unknown): unknown {
  if (typeof text !== 'string' || isExpression(text)) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The tag sets a resource must carry, each with where it sits; `not-applicable` for resources that create nothing
 * outside Terraform, `unknown` when the value is only known at apply time.
 */
function costTagsOf(
  resource: ResourceNode,
): { where: string; tags: unknown }[] | 'not-applicable' | 'unknown' {
  const body = resource.body;
  if (resource.type === 'aws_launch_template') {
    if (isExpression(body.tag_specifications)) return 'unknown';
    const specs = blocks(body.tag_specifications);
    return LAUNCHED.map((type) => ({
      where: `tag_specifications (resource_type ${type})`,
      tags: specs.find((spec) => spec.resource_type === type)?.tags,
    }));
  }
  if (resource.type === 'aws_eks_addon') {
    if (body.addon_name !== 'aws-ebs-csi-driver') return 'not-applicable';
    if (isExpression(body.configuration_values)) return 'unknown';
    const config = parseJson(body.configuration_values);
    const controller = isObject(config) && isObject(config.controller) ? config.controller : {};
    return [{ where: 'configuration_values controller.extraVolumeTags', tags: controller.extraVolumeTags }];
  }
  if (resource.type === 'kubernetes_manifest') {
    const manifest = isObject(body.manifest) ? body.manifest : {};
    if (manifest.kind !== 'EC2NodeClass') return 'not-applicable';
    const spec = isObject(manifest.spec) ? manifest.spec : {};
    return [{ where: 'manifest.spec.tags', tags: spec.tags }];
  }
  if (body.chart !== 'aws-load-balancer-controller') return 'not-applicable';
  const documents = (Array.isArray(body.values) ? body.values : []).filter(
    (text): text is string => typeof text === 'string',
  );
  if (documents.some((text) => isExpression(text))) return 'unknown';
  const merged: Record<string, unknown> = {};
  for (const text of documents) {
    try {
      const parsed: unknown = parse(text);
      if (isObject(parsed) && parsed.defaultTags !== undefined) merged.defaultTags = parsed.defaultTags;
    } catch {
      // WMS_HELM_001 reports values that are not YAML.
    }
  }
  return [{ where: 'values defaultTags', tags: merged.defaultTags }];
}
