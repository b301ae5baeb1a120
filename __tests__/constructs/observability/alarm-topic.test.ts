import { AlarmTopic } from '../../../constructs/observability/alarm-topic';
import { awsTestStack, listOfType, synthJson } from '../../support/synth';

describe('AlarmTopic', () => {
  const stack = awsTestStack();
  const topic = new AlarmTopic(stack, 'Alarms', { namePrefix: 'wms-test', accountId: '123456789012' });
  const json = synthJson(stack);

  it('creates the topic encrypted with its own customer-managed key', () => {
    expect(listOfType(json, 'aws_sns_topic')).toEqual([
      expect.objectContaining({
        name: 'wms-test-alarms',
        kms_master_key_id: expect.stringMatching(/aws_kms_key/),
      }),
    ]);
    expect(topic.topicArn).toBeDefined();
  });

  it('lets only CloudWatch and AWS Budgets of this account publish', () => {
    const [policy] = listOfType(json, 'aws_sns_topic_policy');
    expect(JSON.parse(policy.policy as string).Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: ['cloudwatch.amazonaws.com', 'budgets.amazonaws.com'] },
        Action: 'SNS:Publish',
        Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
      }),
    ]);
  });

  it('lets CloudWatch and Budgets of this account use the key, which an AWS-managed SNS key would refuse', () => {
    const [key] = listOfType(json, 'aws_kms_key');
    expect(key.enable_key_rotation).toBe(true);
    const statements = JSON.parse(key.policy as string).Statement;
    expect(statements[1]).toEqual(
      expect.objectContaining({
        Principal: { Service: ['cloudwatch.amazonaws.com', 'budgets.amazonaws.com'] },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
      }),
    );
    expect(listOfType(json, 'aws_kms_alias')).toEqual([
      expect.objectContaining({ name: 'alias/wms-test-alarms' }),
    ]);
  });
});
