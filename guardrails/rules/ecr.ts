import type { Rule } from '../types';
import { blockAt } from '../../model/values';
import { requireBool, requireOneOf } from './helpers';

/** ECR repositories: immutable tags, scanning and KMS encryption. */
export const ecrRules: readonly Rule[] = [
  {
    id: 'CKV_AWS_51',
    title: 'ECR image tags are immutable',
    severity: 'medium',
    resourceTypes: ['aws_ecr_repository'],
    requirement: '`image_tag_mutability` is `IMMUTABLE` (the provider default is MUTABLE).',
    fix: 'set image_tag_mutability = "IMMUTABLE"',
    check(repository) {
      return requireOneOf(
        repository.body,
        'image_tag_mutability',
        ['IMMUTABLE'],
        'repository tags can be overwritten',
        'MUTABLE',
      );
    },
  },
  {
    id: 'CKV_AWS_163',
    title: 'ECR image scanning on push is enabled',
    severity: 'medium',
    resourceTypes: ['aws_ecr_repository'],
    requirement: '`image_scanning_configuration.scan_on_push` is true.',
    fix: 'set image_scanning_configuration { scan_on_push = true }',
    check(repository) {
      const violations = requireBool(
        blockAt(repository.body.image_scanning_configuration) ?? {},
        'scan_on_push',
        true,
        'repository does not scan images on push',
        false,
      );
      return violations.map((violation) => ({
        message: violation.message.replace(': ', ': image_scanning_configuration.'),
      }));
    },
  },
  {
    id: 'CKV_AWS_136',
    title: 'ECR repositories are encrypted using KMS',
    severity: 'medium',
    resourceTypes: ['aws_ecr_repository'],
    requirement: '`encryption_configuration.encryption_type` is `KMS` (the default is AES256).',
    fix: 'set encryption_configuration { encryption_type = "KMS", kms_key = <customer-managed key ARN> }',
    check(repository) {
      const violations = requireOneOf(
        blockAt(repository.body.encryption_configuration) ?? {},
        'encryption_type',
        ['KMS'],
        'repository is not encrypted with KMS',
        'AES256',
      );
      return violations.map((violation) => ({
        message: violation.message.replace(': ', ': encryption_configuration.'),
      }));
    },
  },
];
