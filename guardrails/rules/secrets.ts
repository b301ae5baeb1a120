import type { Rule } from '../types';
import { stringAttr } from '../../model/values';
import { fail, PASS } from './helpers';

/** Secrets Manager secrets: customer-managed key and rotation. */
export const secretsRules: readonly Rule[] = [
  {
    id: 'CKV_AWS_149',
    title: 'Secrets Manager secrets are encrypted using a KMS CMK',
    severity: 'medium',
    resourceTypes: ['aws_secretsmanager_secret'],
    requirement: '`kms_key_id` is set and is not the AWS-managed `aws/secretsmanager` alias.',
    fix: 'set kms_key_id to a customer-managed KMS key ARN',
    check(secret) {
      const key = stringAttr(secret.body.kms_key_id);
      if (key.kind === 'unresolved') return PASS;
      if (key.kind === 'missing')
        return fail('secret is encrypted with the AWS-managed key: kms_key_id is missing');
      return key.value.includes('aws/')
        ? fail(`secret is encrypted with the AWS-managed key: kms_key_id is "${key.value}"`)
        : PASS;
    },
  },
  {
    id: 'CKV2_AWS_57',
    title: 'Secrets Manager secrets have automatic rotation enabled',
    severity: 'medium',
    resourceTypes: ['aws_secretsmanager_secret'],
    requirement: 'An `aws_secretsmanager_secret_rotation` references the secret through `secret_id`.',
    fix: 'add aws_secretsmanager_secret_rotation { secret_id = <secret>.id, rotation_rules { automatically_after_days = 30 } }',
    check(secret, { stack }) {
      return stack.referrers(secret, 'aws_secretsmanager_secret_rotation', 'secret_id', ['id', 'arn'], 'name')
        .length > 0
        ? PASS
        : fail(
            `secret is never rotated: no aws_secretsmanager_secret_rotation has secret_id = \${${secret.address}.id}`,
          );
    },
  },
];
