import type { Rule } from '../types';
import { boolAttr } from '../../model/values';
import { fail, PASS, requirePresent } from './helpers';

/** AWS Backup vaults and CloudWatch alarms. */
export const operationsRules: readonly Rule[] = [
  {
    id: 'CKV_AWS_166',
    title: 'Backup vaults are encrypted at rest using a KMS CMK',
    severity: 'medium',
    resourceTypes: ['aws_backup_vault'],
    requirement: '`kms_key_arn` is set (otherwise the AWS-managed aws/backup key is used).',
    fix: 'set kms_key_arn to a customer-managed KMS key ARN',
    check(vault) {
      return requirePresent(vault.body, 'kms_key_arn', 'backup vault uses the AWS-managed key');
    },
  },
  {
    id: 'CKV_AWS_319',
    title: 'CloudWatch alarm actions are enabled',
    severity: 'medium',
    resourceTypes: ['aws_cloudwatch_metric_alarm'],
    requirement: '`actions_enabled` is not false.',
    fix: 'remove actions_enabled = false (or set it to true)',
    check(alarm) {
      const enabled = boolAttr(alarm.body.actions_enabled);
      return enabled.kind === 'known' && !enabled.value
        ? fail('alarm notifies nobody: actions_enabled is false')
        : PASS;
    },
  },
  {
    id: 'WMS_MON_001',
    title: 'CloudWatch alarms notify someone',
    severity: 'low',
    resourceTypes: ['aws_cloudwatch_metric_alarm'],
    requirement:
      '`alarm_actions` lists at least one action (e.g. the alarm SNS topic), so a firing alarm reaches a person.',
    fix: "set alarm_actions (and ok_actions) to the environment's alarm topic ARN",
    check(alarm) {
      return requirePresent(alarm.body, 'alarm_actions', 'alarm notifies nobody');
    },
  },
];
