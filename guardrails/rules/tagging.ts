import taggable from '../aws-taggable-resources.json';
import type { Rule } from '../types';
import { isExpression, isObject } from '../../model/values';
import { PASS } from './helpers';

/** The tags every taggable AWS resource carries once the provider's default_tags are merged in. */
export const REQUIRED_TAGS = ['Project', 'Environment', 'Owner', 'CostCentre', 'ManagedBy', 'Repository'];

/** AWS resource types that accept `default_tags`, from the provider schema (see scripts/generate-taggable.ts). */
export const TAGGABLE_AWS_TYPES: readonly string[] = taggable.resourceTypes;

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
];
