import { TerraformVariable } from 'cdktf';
import { AlarmTopic } from '../../../constructs/observability/alarm-topic';
import type { AlarmTopicSubscriptions } from '../../../constructs/observability/alarm-topic';
import { awsTestStack, listOfType, synthJson } from '../../support/synth';

const PUBLISHERS = [
  'cloudwatch.amazonaws.com',
  'budgets.amazonaws.com',
  'events.amazonaws.com',
  'costalerts.amazonaws.com',
];

describe('AlarmTopic', () => {
  const stack = awsTestStack();
  const topic = new AlarmTopic(stack, 'Alarms', {
    namePrefix: 'wms-test',
    accountId: '123456789012',
    subscriptions: { emails: ['team@example.com'] },
  });
  const json = synthJson(stack);

  it('subscribes each email and creates neither pager nor chat by default', () => {
    expect(listOfType(json, 'aws_sns_topic_subscription')).toEqual([
      expect.objectContaining({ protocol: 'email', endpoint: 'team@example.com' }),
    ]);
    expect(listOfType(json, 'aws_chatbot_slack_channel_configuration')).toEqual([]);
  });

  describe('GIVEN a PagerDuty URL from a variable and a Slack channel', () => {
    const other = awsTestStack();
    const url = new TerraformVariable(other, 'pagerduty_cloudwatch_url', { type: 'string', sensitive: true });
    new AlarmTopic(other, 'Alarms', {
      namePrefix: 'wms-test',
      accountId: '123456789012',
      subscriptions: {
        pagerDutyUrl: url.stringValue,
        slack: { workspaceId: 'T0WMS0001', channelId: 'C0WMS0001' },
      },
    });
    const otherJson = synthJson(other);

    it('THEN subscribes PagerDuty over HTTPS with the URL from the variable, never a literal', () => {
      expect(listOfType(otherJson, 'aws_sns_topic_subscription')).toEqual([
        expect.objectContaining({
          protocol: 'https',
          endpoint: '${var.pagerduty_cloudwatch_url}',
          endpoint_auto_confirms: true,
        }),
      ]);
    });

    it('THEN relays the topic to Slack through AWS Chatbot with a read-only guardrail', () => {
      expect(listOfType(otherJson, 'aws_chatbot_slack_channel_configuration')).toEqual([
        expect.objectContaining({
          slack_team_id: 'T0WMS0001',
          slack_channel_id: 'C0WMS0001',
          sns_topic_arns: [expect.stringMatching(/aws_sns_topic\./)],
          guardrail_policy_arns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
        }),
      ]);
    });
  });

  it.each<[string, AlarmTopicSubscriptions, RegExp]>([
    ['no subscriber', {}, /subscriptions: .* \(at least one of pagerDutyUrl, slack, emails\)/],
    [
      'a literal PagerDuty URL',
      { pagerDutyUrl: 'https://events.pagerduty.com/x' },
      /pagerDutyUrl: .*a token/,
    ],
    ['a bad email', { emails: ['nobody'] }, /emails\[0\]: "nobody" .*an email address/],
    [
      'a bad Slack id',
      { slack: { workspaceId: 'x', channelId: 'C0WMS0001' } },
      /subscriptions.slack: .*Slack ids/,
    ],
  ])('GIVEN %s THEN refuses it, naming the field', (_, subscriptions, message) => {
    const bad = awsTestStack();
    expect(
      () =>
        new AlarmTopic(bad, 'Alarms', { namePrefix: 'wms-test', accountId: '123456789012', subscriptions }),
    ).toThrow(message);
  });

  it('creates the topic encrypted with its own customer-managed key', () => {
    expect(listOfType(json, 'aws_sns_topic')).toEqual([
      expect.objectContaining({
        name: 'wms-test-alarms',
        kms_master_key_id: expect.stringMatching(/aws_kms_key/),
      }),
    ]);
    expect(topic.topicArn).toBeDefined();
  });

  it('lets only CloudWatch, AWS Budgets and EventBridge of this account publish', () => {
    const [policy] = listOfType(json, 'aws_sns_topic_policy');
    expect(JSON.parse(policy.policy as string).Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: PUBLISHERS },
        Action: 'SNS:Publish',
        Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
      }),
    ]);
  });

  it('lets CloudWatch, Budgets and EventBridge of this account use the key, which an AWS-managed SNS key would refuse', () => {
    const [key] = listOfType(json, 'aws_kms_key');
    expect(key.enable_key_rotation).toBe(true);
    const statements = JSON.parse(key.policy as string).Statement;
    expect(statements[1]).toEqual(
      expect.objectContaining({
        Principal: { Service: PUBLISHERS },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
      }),
    );
    expect(listOfType(json, 'aws_kms_alias')).toEqual([
      expect.objectContaining({ name: 'alias/wms-test-alarms' }),
    ]);
  });
});
