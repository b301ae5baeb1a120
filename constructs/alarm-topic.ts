import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { Construct } from 'constructs';
import { customerKey } from './private/kms';
import { physicalName } from './private/naming';

/** Properties of an {@link AlarmTopic}. */
export interface AlarmTopicProps {
  /** Prefix of physical names, e.g. `wms-prod`. */
  readonly namePrefix: string;
  /** AWS account id, for the key policy. */
  readonly accountId: string;
}

/**
 * The SNS topic the environment's CloudWatch alarms notify, encrypted with its own customer-managed key that
 * CloudWatch may use (an AWS-managed SNS key would refuse CloudWatch). Subscriptions (pager, chat) are added by
 * the alerting integration.
 */
export class AlarmTopic extends Construct {
  /** The topic (escape hatch). */
  readonly topic: SnsTopic;
  /** ARN of the topic, for alarm actions. */
  readonly topicArn: string;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const name = physicalName(props.namePrefix, 'alarms');
    const key = customerKey(this, 'Key', {
      description: `Encrypts the ${name} SNS topic`,
      alias: name,
      accountId: props.accountId,
      serviceStatements: [
        {
          Sid: 'CloudWatchAlarmsPublish',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Resource: '*',
          Condition: { StringEquals: { 'aws:SourceAccount': props.accountId } },
        },
      ],
    });
    this.topic = new SnsTopic(this, 'Topic', { name, kmsMasterKeyId: key.arn });
    this.topicArn = this.topic.arn;
  }
}
