import { ChatbotSlackChannelConfiguration } from '@cdktf/provider-aws/lib/chatbot-slack-channel-configuration';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { propError } from '../shared/errors';
import { serviceRole } from '../shared/iam';
import { customerKey, policyDocument } from '../shared/kms';
import { physicalName } from '../shared/naming';

/**
 * The services that publish to the topic: CloudWatch alarms, AWS Budgets alerts, and EventBridge rules (security
 * findings, failed backup jobs).
 */
const PUBLISHERS = [
  'cloudwatch.amazonaws.com',
  'budgets.amazonaws.com',
  'events.amazonaws.com',
  // Cost Anomaly Detection's individual alerts (CostWatch); the provider doc of aws_ce_anomaly_subscription.
  'costalerts.amazonaws.com',
];

/** Who the topic notifies: at least one of these. */
export interface AlarmTopicSubscriptions {
  /**
   * URL of a PagerDuty "Amazon CloudWatch" integration (an HTTPS endpoint with the integration key in it). Pass a
   * token (a sensitive Terraform variable), never a literal: the URL is a credential.
   * @default - no pager subscription
   * @see https://support.pagerduty.com/main/docs/amazon-cloudwatch-integration-guide
   */
  readonly pagerDutyUrl?: string;
  /**
   * AWS Chatbot Slack channel (the workspace must have been authorized once in the AWS Chatbot console).
   * @default - no chat subscription
   */
  readonly slack?: { readonly workspaceId: string; readonly channelId: string };
  /**
   * Email addresses (each confirms its subscription from the email AWS sends).
   * @default - none
   */
  readonly emails?: readonly string[];
}

/** Properties of an {@link AlarmTopic}. */
export interface AlarmTopicProps {
  /** Prefix of physical names, e.g. `wms-prod`. */
  readonly namePrefix: string;
  /** AWS account id, for the key policy. */
  readonly accountId: string;
  /** Who is notified: at least one subscriber, so no alarm goes nowhere. */
  readonly subscriptions: AlarmTopicSubscriptions;
}

/**
 * The SNS topic the environment's CloudWatch alarms, budget alerts and EventBridge rules notify, encrypted with
 * its own customer-managed key that those services may use (an AWS-managed SNS key would refuse them), a topic
 * policy letting only those services of this account publish, and its subscribers: PagerDuty (HTTPS), an AWS
 * Chatbot Slack channel, email. The guardrail WMS_MON_002 fails any topic without a subscriber.
 */
export class AlarmTopic extends Construct {
  /** The topic (escape hatch). */
  readonly topic: SnsTopic;
  /** ARN of the topic, for alarm actions. */
  readonly topicArn: string;
  /** The topic policy: what publishes must wait for it (escape hatch). */
  readonly policy: SnsTopicPolicy;
  /** ARN of the key encrypting the topic: a publisher with an IAM role needs kms:GenerateDataKey on it. */
  readonly keyArn: string;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    validateSubscriptions(this, props.subscriptions);
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
    this.keyArn = key.arn;
    this.topic = new SnsTopic(this, 'Topic', { name, kmsMasterKeyId: key.arn });
    this.topicArn = this.topic.arn;
    this.policy = new SnsTopicPolicy(this, 'Policy', {
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
    this.subscribe(name, props);
  }

  /** One subscription per subscriber; Chatbot subscribes through its channel configuration. */
  private subscribe(name: string, props: AlarmTopicProps): void {
    const { pagerDutyUrl, slack, emails = [] } = props.subscriptions;
    if (pagerDutyUrl !== undefined) {
      new SnsTopicSubscription(this, 'PagerDuty', {
        topicArn: this.topic.arn,
        protocol: 'https',
        endpoint: pagerDutyUrl,
        // PagerDuty confirms the subscription itself: Terraform waits for it instead of leaving it pending.
        endpointAutoConfirms: true,
      });
    }
    emails.forEach((endpoint, index) => {
      new SnsTopicSubscription(this, `Email${index}`, {
        topicArn: this.topic.arn,
        protocol: 'email',
        endpoint,
      });
    });
    if (slack) {
      // A role without permissions: the channel only relays notifications, nobody runs commands from Slack.
      const role = serviceRole(this, 'ChatbotRole', {
        name: physicalName(name, 'chatbot'),
        description: `AWS Chatbot relaying ${name} to Slack`,
        service: 'chatbot.amazonaws.com',
        accountId: props.accountId,
      });
      new ChatbotSlackChannelConfiguration(this, 'Slack', {
        configurationName: name,
        iamRoleArn: role.arn,
        slackTeamId: slack.workspaceId,
        slackChannelId: slack.channelId,
        snsTopicArns: [this.topic.arn],
        guardrailPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
        loggingLevel: 'ERROR',
      });
    }
  }
}

function validateSubscriptions(scope: Construct, subscriptions: AlarmTopicSubscriptions): void {
  const { pagerDutyUrl, slack, emails = [] } = subscriptions;
  if (pagerDutyUrl === undefined && slack === undefined && emails.length === 0) {
    throw propError(scope, 'subscriptions', subscriptions, 'at least one of pagerDutyUrl, slack, emails');
  }
  if (pagerDutyUrl !== undefined && !Token.isUnresolved(pagerDutyUrl)) {
    throw propError(
      scope,
      'subscriptions.pagerDutyUrl',
      '<literal>',
      'a token such as a sensitive Terraform variable: the URL holds the integration key',
    );
  }
  emails.forEach((email, index) => {
    if (!/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(email)) {
      throw propError(scope, `subscriptions.emails[${index}]`, email, 'an email address');
    }
  });
  if (slack && (!/^T[A-Z0-9]{6,}$/.test(slack.workspaceId) || !/^C[A-Z0-9]{6,}$/.test(slack.channelId))) {
    throw propError(scope, 'subscriptions.slack', slack, 'workspaceId T... and channelId C... (Slack ids)');
  }
}
