import type { Rule } from '../types';
import { boolAttr, isPresent } from '../../model/values';
import { fail, PASS, requirePresent } from './helpers';

/** SNS topics and SQS queues: encryption at rest. */
export const messagingRules: readonly Rule[] = [
  {
    id: 'CKV_AWS_26',
    title: 'SNS topics are encrypted',
    severity: 'medium',
    resourceTypes: ['aws_sns_topic'],
    requirement: '`kms_master_key_id` is set.',
    fix: 'set kms_master_key_id to a customer-managed KMS key (or alias/aws/sns at least)',
    check(topic) {
      return requirePresent(topic.body, 'kms_master_key_id', 'topic is not encrypted');
    },
  },
  {
    id: 'CKV_AWS_27',
    title: 'SQS queues are encrypted',
    severity: 'medium',
    resourceTypes: ['aws_sqs_queue'],
    requirement: '`kms_master_key_id` is set, or `sqs_managed_sse_enabled` is true.',
    fix: 'set kms_master_key_id to a customer-managed KMS key (or sqs_managed_sse_enabled = true)',
    check(queue) {
      if (isPresent(queue.body.kms_master_key_id)) return PASS;
      const managed = boolAttr(queue.body.sqs_managed_sse_enabled);
      if (managed.kind === 'unresolved' || (managed.kind === 'known' && managed.value)) return PASS;
      return fail(
        `queue is not encrypted: kms_master_key_id is missing and sqs_managed_sse_enabled is ${managed.kind === 'missing' ? 'missing' : 'false'}`,
      );
    },
  },
];
