import type { Rule } from '../types';
import type { ResourceNode, StackModel } from '../../model/stack-model';
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
  {
    id: 'WMS_MON_002',
    title: 'SNS topics have a subscriber',
    severity: 'medium',
    resourceTypes: ['aws_sns_topic'],
    requirement:
      'An `aws_sns_topic_subscription` has `topic_arn` = the topic, or an `aws_chatbot_slack_channel_configuration` lists it in `sns_topic_arns`, so what is published reaches a person.',
    fix: 'subscribe the pager, a chat channel or an email to the topic (alerting.alarmTopic in the environment config)',
    check(topic, { stack }) {
      return subscribers(stack, topic).length > 0
        ? PASS
        : fail(
            `topic notifies nobody: no aws_sns_topic_subscription or aws_chatbot_slack_channel_configuration refers to \${${topic.address}.arn}`,
          );
    },
  },
];

/** The subscriptions and Chatbot channels of a topic. */
function subscribers(stack: StackModel, topic: ResourceNode): ResourceNode[] {
  const subscriptions = stack.referrers(topic, 'aws_sns_topic_subscription', 'topic_arn', ['arn', 'id']);
  const channels = stack
    .ofType('aws_chatbot_slack_channel_configuration')
    .filter(
      (channel) =>
        Array.isArray(channel.body.sns_topic_arns) &&
        channel.body.sns_topic_arns.some((arn) => stack.pointsAt(arn, topic, ['arn', 'id'])),
    );
  return [...subscriptions, ...channels];
}
