import type { Rule, Violation } from '../types';
import { blockAt, blocks, boolAttr, numberAttr, show, stringAttr } from '../../model/values';
import { fail, PASS } from './helpers';

const INSTANCE_TYPES = ['aws_launch_template', 'aws_instance'];

function subjectOf(type: string): string {
  return type === 'aws_instance' ? 'instance' : 'launch template';
}

function imdsDisabled(metadata: Record<string, unknown> | undefined): boolean {
  return stringAttr(metadata?.http_endpoint).kind === 'known' && metadata?.http_endpoint === 'disabled';
}

/** Launch templates and instances: instance metadata service and volume encryption. */
export const computeRules: readonly Rule[] = [
  {
    id: 'CKV_AWS_79',
    title: 'Instance Metadata Service version 1 is not enabled',
    severity: 'high',
    resourceTypes: INSTANCE_TYPES,
    requirement:
      '`metadata_options.http_tokens` is `required` (IMDSv2 only), unless the metadata endpoint is disabled.',
    fix: 'set metadata_options { http_tokens = "required", http_put_response_hop_limit = 1 }',
    check(resource) {
      const metadata = blockAt(resource.body.metadata_options);
      if (imdsDisabled(metadata)) return PASS;
      const tokens = stringAttr(metadata?.http_tokens);
      if (tokens.kind === 'unresolved' || (tokens.kind === 'known' && tokens.value === 'required'))
        return PASS;
      const found =
        tokens.kind === 'missing'
          ? metadata
            ? 'missing'
            : 'missing (no metadata_options block)'
          : `"${tokens.value}"`;
      return fail(
        `${subjectOf(resource.type)} allows IMDSv1: metadata_options.http_tokens is ${found}, must be "required"`,
      );
    },
  },
  {
    id: 'CKV_AWS_341',
    title: 'The metadata response hop limit is 1',
    severity: 'medium',
    resourceTypes: INSTANCE_TYPES,
    requirement:
      "`metadata_options.http_put_response_hop_limit` is 1, so containers cannot reach the node's credentials; unset fails because EKS AMIs default to 2 (Checkov passes unset).",
    fix: 'set metadata_options.http_put_response_hop_limit = 1 and give pods credentials with EKS Pod Identity or IRSA',
    check(resource) {
      const metadata = blockAt(resource.body.metadata_options);
      if (imdsDisabled(metadata)) return PASS;
      const limit = numberAttr(metadata?.http_put_response_hop_limit);
      if (limit.kind === 'unresolved' || (limit.kind === 'known' && limit.value === 1)) return PASS;
      const found = limit.kind === 'missing' ? 'missing' : show(metadata?.http_put_response_hop_limit);
      return fail(
        `${subjectOf(resource.type)} lets containers reach instance metadata: metadata_options.http_put_response_hop_limit is ${found}, must be 1`,
      );
    },
  },
  {
    id: 'WMS_EC2_001',
    title: 'Launch templates encrypt every EBS volume',
    severity: 'high',
    resourceTypes: ['aws_launch_template'],
    requirement:
      'Every `block_device_mappings[].ebs` has `encrypted = "true"`; a template without mappings passes only when the stack enables `aws_ebs_encryption_by_default` (trivy AVD-AWS-0131 is the instance equivalent).',
    fix: 'add block_device_mappings { device_name = "/dev/xvda", ebs { encrypted = "true", kms_key_id = <key> } }',
    check(template, { stack }) {
      const mappings = blocks(template.body.block_device_mappings).filter(
        (mapping) => blockAt(mapping.ebs) !== undefined,
      );
      if (mappings.length === 0) {
        const byDefault = stack.ofType('aws_ebs_encryption_by_default').some((setting) => {
          const enabled = boolAttr(setting.body.enabled);
          return enabled.kind !== 'known' || enabled.value;
        });
        return byDefault
          ? PASS
          : fail(
              'launch template does not encrypt its volumes: block_device_mappings is missing and aws_ebs_encryption_by_default is not enabled in this stack',
            );
      }
      return mappings.flatMap((mapping, index): Violation[] => {
        const encrypted = boolAttr(blockAt(mapping.ebs)?.encrypted);
        if (encrypted.kind === 'unresolved' || (encrypted.kind === 'known' && encrypted.value)) return [];
        const found = encrypted.kind === 'missing' ? 'missing' : show(blockAt(mapping.ebs)?.encrypted);
        return [
          {
            message: `launch template does not encrypt a volume: block_device_mappings[${index}] (${String(mapping.device_name ?? '?')}) ebs.encrypted is ${found}, must be "true"`,
          },
        ];
      });
    },
  },
];
