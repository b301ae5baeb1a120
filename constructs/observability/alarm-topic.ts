import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { Construct } from 'constructs';
import { customerKey, policyDocument } from '../shared/kms';
import { physicalName } from '../shared/naming';

/** The services that publish to the topic: CloudWatch alarms and AWS Budgets alerts. */
const PUBLISHERS = ['cloudwatch.amazonaws.com', 'budgets.amazonaws.com'];

/** Properties of an {@link AlarmTopic}. */
export interface AlarmTopicProps {
  /** Prefix of physical names, e.g. `wms-prod`. */
  readonly namePrefix: string;
  /** AWS account id, for the key policy. */
  readonly accountId: string;
}

/**
 * The SNS topic the environment's CloudWatch alarms and budget alerts notify, encrypted with its own
 * customer-managed key that CloudWatch and AWS Budgets may use (an AWS-managed SNS key would refuse them), and a
 * topic policy letting only those two services of this account publish. Subscriptions (pager, chat) are added by
 * hand or by the alerting integration: docs/runbooks/aws-alarms.md.
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
          Sid: 'AlarmsAndBudgetsPublish',
          Effect: 'Allow',
          Principal: { Service: PUBLISHERS },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Resource: '*',
          Condition: { StringEquals: { 'aws:SourceAccount': props.accountId } },
        },
      ],
    });
    this.topic = new SnsTopic(this, 'Topic', { name, kmsMasterKeyId: key.arn });
    this.topicArn = this.topic.arn;
    new SnsTopicPolicy(this, 'Policy', {
      arn: this.topic.arn,
      policy: policyDocument([
        {
          Sid: 'AlarmsAndBudgetsPublish',
          Effect: 'Allow',
          Principal: { Service: PUBLISHERS },
          Action: 'SNS:Publish',
          Resource: this.topic.arn,
          Condition: { StringEquals: { 'aws:SourceAccount': props.accountId } },
        },
      ]),
    });
  }
}
