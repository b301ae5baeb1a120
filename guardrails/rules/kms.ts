import type { PolicyStatement } from '../../model/iam-policy';
import { allows, readPolicy } from '../../model/iam-policy';
import type { StackModel } from '../../model/stack-model';
import { parseReference } from '../../model/stack-model';
import type { Rule, Violation } from '../types';
import { stringAttr } from '../../model/values';
import { PASS, requireBool } from './helpers';

const KEY_POLICY_TYPES = ['aws_kms_key', 'aws_kms_key_policy'];
const ROOT_PRINCIPAL = /^AWS:(arn:[^:]+:iam::[^:]+:root|\d{12})$/;

/** True for the account root principal (`arn:aws:iam::<account>:root`, a bare account id, or the caller's account id). */
function isAccountRoot(principal: string): boolean {
  if (ROOT_PRINCIPAL.test(principal)) return true;
  const reference = parseReference(principal.replace(/^AWS:/, ''));
  return (
    reference?.address.startsWith('data.aws_caller_identity.') === true &&
    reference.attribute === 'account_id'
  );
}

function keyPolicyStatements(body: Record<string, unknown>, stack: StackModel): PolicyStatement[] {
  const read = readPolicy(body.policy, stack);
  return read.kind === 'document' ? [...read.statements] : [];
}

/** KMS keys: rotation and key policies. */
export const kmsRules: readonly Rule[] = [
  {
    id: 'CKV_AWS_7',
    title: 'Rotation for customer-created CMKs is enabled',
    severity: 'medium',
    resourceTypes: ['aws_kms_key'],
    requirement:
      '`enable_key_rotation` is true on symmetric keys (asymmetric and HMAC keys cannot rotate and are skipped).',
    fix: 'set enable_key_rotation = true',
    check(key) {
      const spec = stringAttr(key.body.customer_master_key_spec ?? key.body.key_spec);
      if (spec.kind === 'known' && spec.value !== 'SYMMETRIC_DEFAULT') return PASS;
      return requireBool(key.body, 'enable_key_rotation', true, 'KMS key is not rotated', false);
    },
  },
  {
    id: 'CKV_AWS_33',
    title: 'KMS key policy does not contain a wildcard (*) principal',
    severity: 'critical',
    resourceTypes: KEY_POLICY_TYPES,
    requirement:
      'No Allow statement of the key policy names `*` (or `AWS: *`) as principal without a Condition.',
    fix: 'name the account root or specific roles as principals, or add a Condition that scopes the wildcard',
    check(resource, { stack }) {
      return keyPolicyStatements(resource.body, stack).flatMap((statement, index): Violation[] =>
        allows(statement) && statement.conditions.length === 0 && statement.principals.includes('*')
          ? [{ message: `key policy allows anyone: Statement[${index}] has Principal "*" and no Condition` }]
          : [],
      );
    },
  },
  {
    id: 'WMS_KMS_001',
    title: 'Only the account root gets kms:* in a key policy',
    severity: 'high',
    resourceTypes: KEY_POLICY_TYPES,
    requirement:
      'An Allow statement granting `kms:*` (or `*`) names only the account root (`arn:aws:iam::<account>:root`); roles and services get the specific actions they use.',
    fix: 'grant roles and services only the actions they need (kms:Decrypt, kms:GenerateDataKey*, ...); keep kms:* for the account root',
    check(resource, { stack }) {
      return keyPolicyStatements(resource.body, stack).flatMap((statement, index): Violation[] => {
        if (!allows(statement) || !statement.actions.some((action) => action === 'kms:*' || action === '*'))
          return [];
        const others = statement.principals.filter((principal) => !isAccountRoot(principal));
        return others.length === 0
          ? []
          : [
              {
                message: `key policy grants kms:* beyond the account root: Statement[${index}] allows it to ${others.join(', ')}`,
              },
            ];
      });
    },
  },
];
