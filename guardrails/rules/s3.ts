import type { PolicyRead } from '../../model/iam-policy';
import { readPolicy } from '../../model/iam-policy';
import type { ResourceNode, StackModel } from '../../model/stack-model';
import type { Rule, Violation } from '../types';
import { blockAt, blocks, boolAttr, stringAttr } from '../../model/values';
import { fail, PASS } from './helpers';

const KMS_ALGORITHMS = ['aws:kms', 'aws:kms:dsse'];
const PUBLIC_ACCESS_FLAGS = [
  'block_public_acls',
  'block_public_policy',
  'ignore_public_acls',
  'restrict_public_buckets',
];

/** The companion resources (`aws_s3_bucket_versioning`, ...) whose `bucket` points at a bucket by reference or name. */
function companions(stack: StackModel, bucket: ResourceNode, type: string): ResourceNode[] {
  return stack.referrers(bucket, type, 'bucket', ['id', 'bucket'], 'bucket');
}

function missingCompanion(bucket: ResourceNode, type: string, what: string): Violation[] {
  return fail(`bucket ${what}: no ${type} has bucket = \${${bucket.address}.id}`);
}

function sseAlgorithms(configuration: Record<string, unknown>): string[] {
  return blocks(configuration.rule).map((rule) => {
    const algorithm = stringAttr(blockAt(rule.apply_server_side_encryption_by_default)?.sse_algorithm);
    return algorithm.kind === 'known'
      ? algorithm.value
      : algorithm.kind === 'unresolved'
        ? algorithm.expression
        : '';
  });
}

function policiesOf(stack: StackModel, bucket: ResourceNode): PolicyRead[] {
  const inline = bucket.body.policy === undefined ? [] : [readPolicy(bucket.body.policy, stack)];
  return [
    ...inline,
    ...companions(stack, bucket, 'aws_s3_bucket_policy').map((policy) =>
      readPolicy(policy.body.policy, stack),
    ),
  ];
}

/** S3 buckets: versioning, default encryption, public access block and a TLS-only policy. */
export const s3Rules: readonly Rule[] = [
  {
    id: 'CKV_AWS_21',
    title: 'S3 buckets have versioning enabled',
    severity: 'medium',
    resourceTypes: ['aws_s3_bucket'],
    requirement:
      'An `aws_s3_bucket_versioning` that references the bucket has `versioning_configuration.status = "Enabled"` (or the deprecated inline `versioning.enabled` is true).',
    fix: 'add aws_s3_bucket_versioning { bucket = <bucket>.id, versioning_configuration { status = "Enabled" } }',
    check(bucket, { stack }) {
      const inline = boolAttr(blockAt(bucket.body.versioning)?.enabled);
      if (inline.kind !== 'missing' && (inline.kind === 'unresolved' || inline.value)) return PASS;
      const configs = companions(stack, bucket, 'aws_s3_bucket_versioning');
      if (configs.length === 0)
        return missingCompanion(bucket, 'aws_s3_bucket_versioning', 'is not versioned');
      return configs.flatMap((config): Violation[] => {
        const status = stringAttr(blockAt(config.body.versioning_configuration)?.status);
        if (status.kind === 'unresolved' || (status.kind === 'known' && status.value === 'Enabled'))
          return [];
        const found = status.kind === 'known' ? `"${status.value}"` : 'missing';
        return [
          {
            message: `bucket is not versioned: ${config.address} versioning_configuration.status is ${found}, must be "Enabled"`,
          },
        ];
      });
    },
  },
  {
    id: 'CKV_AWS_145',
    title: 'S3 buckets are encrypted with KMS by default',
    severity: 'high',
    resourceTypes: ['aws_s3_bucket'],
    requirement:
      'An `aws_s3_bucket_server_side_encryption_configuration` that references the bucket sets `sse_algorithm` to `aws:kms` or `aws:kms:dsse` (or the deprecated inline block does).',
    fix: 'add aws_s3_bucket_server_side_encryption_configuration with sse_algorithm = "aws:kms" and kms_master_key_id = a customer-managed key',
    check(bucket, { stack }) {
      const configs = [
        ...blocks(bucket.body.server_side_encryption_configuration).map((body) => ({
          address: `${bucket.address} (inline)`,
          body,
        })),
        ...companions(stack, bucket, 'aws_s3_bucket_server_side_encryption_configuration'),
      ];
      if (configs.length === 0) {
        return missingCompanion(
          bucket,
          'aws_s3_bucket_server_side_encryption_configuration',
          'is not encrypted with KMS',
        );
      }
      return configs.flatMap((config): Violation[] => {
        const algorithms = sseAlgorithms(config.body);
        if (
          algorithms.length > 0 &&
          algorithms.every((algorithm) => KMS_ALGORITHMS.includes(algorithm) || algorithm.includes('${'))
        )
          return [];
        return [
          {
            message: `bucket is not encrypted with KMS: ${config.address} sse_algorithm is ${algorithms.length ? algorithms.map((a) => `"${a}"`).join(', ') : 'missing'}, must be "aws:kms"`,
          },
        ];
      });
    },
  },
  {
    id: 'CKV2_AWS_6',
    title: 'S3 buckets have a public access block',
    severity: 'high',
    resourceTypes: ['aws_s3_bucket'],
    requirement: `An \`aws_s3_bucket_public_access_block\` references the bucket with ${PUBLIC_ACCESS_FLAGS.map((flag) => `\`${flag}\``).join(', ')} all true.`,
    fix: 'add aws_s3_bucket_public_access_block { bucket = <bucket>.id } with all four flags set to true',
    check(bucket, { stack }) {
      const blocksFound = companions(stack, bucket, 'aws_s3_bucket_public_access_block');
      if (blocksFound.length === 0)
        return missingCompanion(bucket, 'aws_s3_bucket_public_access_block', 'has no public access block');
      return blocksFound.flatMap((block) =>
        PUBLIC_ACCESS_FLAGS.flatMap((flag): Violation[] => {
          const value = boolAttr(block.body[flag]);
          if (value.kind === 'unresolved' || (value.kind === 'known' && value.value)) return [];
          const found = value.kind === 'missing' ? 'missing (the provider default is false)' : 'false';
          return [
            {
              message: `bucket's public access block is incomplete: ${block.address} ${flag} is ${found}, must be true`,
            },
          ];
        }),
      );
    },
  },
  {
    id: 'WMS_S3_001',
    title: 'S3 bucket policies deny requests that do not use TLS',
    severity: 'high',
    resourceTypes: ['aws_s3_bucket'],
    requirement:
      'The bucket policy (an `aws_s3_bucket_policy` that references the bucket) has a Deny statement for `s3:*` with the condition `Bool aws:SecureTransport = false`.',
    fix: 'add aws_s3_bucket_policy with a Deny of s3:* on the bucket and its objects when aws:SecureTransport is "false"',
    check(bucket, { stack }) {
      const policies = policiesOf(stack, bucket);
      if (policies.length === 0)
        return missingCompanion(bucket, 'aws_s3_bucket_policy', 'does not require TLS');
      if (policies.some((policy) => policy.kind === 'unresolved')) return PASS;
      const tlsOnly = policies.some(
        (policy) =>
          policy.kind === 'document' &&
          policy.statements.some(
            (statement) =>
              statement.effect === 'Deny' &&
              statement.actions.some((action) => action === 's3:*' || action === '*') &&
              statement.conditions.some(
                (condition) =>
                  /^Bool(IfExists)?$/.test(condition.operator) &&
                  condition.key.toLowerCase() === 'aws:securetransport' &&
                  condition.values.includes('false'),
              ),
          ),
      );
      return tlsOnly
        ? PASS
        : fail(
            'bucket does not require TLS: no bucket policy statement denies s3:* when aws:SecureTransport is "false"',
          );
    },
  },
];
