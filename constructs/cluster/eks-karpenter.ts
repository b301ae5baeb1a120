import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import { Construct } from 'constructs';
import type { EksClusterReference } from './eks-workload-identity';
import { EksWorkloadIdentity } from './eks-workload-identity';
import { policyDocument } from '../shared/kms';
import { karpenterControllerPolicy } from './private/karpenter-controller-policy';
import { physicalName } from '../shared/naming';

/** Properties of an {@link EksKarpenter}. */
export interface EksKarpenterProps {
  /** The cluster Karpenter scales. */
  readonly cluster: EksClusterReference;
  /** Region of the cluster. */
  readonly region: string;
  /** The KMS key that encrypts node volumes (the EC2NodeClass `blockDeviceMappings[].ebs.kmsKeyID`). */
  readonly nodeVolumeKeyArn: string;
  /** Kubernetes namespace of the Karpenter controller. */
  readonly namespace: string;
  /** Kubernetes service account of the Karpenter controller. */
  readonly serviceAccount: string;
}

/** AWS managed policies of every node role: join the cluster, pull images, run the VPC CNI, allow SSM access. */
export const NODE_ROLE_POLICIES: readonly string[] = [
  'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
  'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly',
  'arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy',
  'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
];

/** The EC2 events Karpenter handles before they take a node away, by construct id and rule-name suffix. */
export const INTERRUPTION_EVENTS: Readonly<Record<string, { name: string; pattern: object }>> = {
  ScheduledChange: {
    name: 'scheduled-change',
    pattern: { source: ['aws.health'], 'detail-type': ['AWS Health Event'] },
  },
  SpotInterruption: {
    name: 'spot-interruption',
    pattern: { source: ['aws.ec2'], 'detail-type': ['EC2 Spot Instance Interruption Warning'] },
  },
  Rebalance: {
    name: 'rebalance',
    pattern: { source: ['aws.ec2'], 'detail-type': ['EC2 Instance Rebalance Recommendation'] },
  },
  InstanceStateChange: {
    name: 'instance-state-change',
    pattern: { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'] },
  },
};

/**
 * The AWS side of Karpenter v1, as terraform-aws-modules/eks `modules/karpenter` builds it: the controller's
 * role (Pod Identity), the role of the nodes it launches with the access entry that lets them join, and the
 * interruption queue fed by EventBridge. The Helm chart, NodePools and EC2NodeClasses live in the cluster
 * services stack; Karpenter creates the nodes' instance profile itself from the EC2NodeClass `role`.
 * @see docs/decisions/0002-node-autoscaling.md
 */
export class EksKarpenter extends Construct {
  /** The controller's workload identity. */
  readonly controller: EksWorkloadIdentity;
  /** Name of the nodes' role, for the EC2NodeClass `role`. */
  readonly nodeRoleName: string;
  /** Name of the interruption queue, for the chart's `settings.interruptionQueue`. */
  readonly queueName: string;

  constructor(scope: Construct, id: string, props: EksKarpenterProps) {
    super(scope, id);
    const clusterName = props.cluster.name;
    const name = (...parts: string[]) => physicalName(clusterName, 'karpenter', ...parts);

    const nodeRole = new IamRole(this, 'NodeRole', {
      name: name('node'),
      description: `Nodes that Karpenter launches for ${clusterName}`,
      assumeRolePolicy: policyDocument([
        { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ]),
    });
    NODE_ROLE_POLICIES.forEach((policyArn, index) => {
      new IamRolePolicyAttachment(this, `NodeRolePolicy${index}`, { role: nodeRole.name, policyArn });
    });
    // Managed node groups get their access entry from EKS; nodes launched outside them need an explicit one.
    new EksAccessEntry(this, 'NodeAccessEntry', {
      clusterName,
      principalArn: nodeRole.arn,
      type: 'EC2_LINUX',
      dependsOn: [props.cluster.resource],
    });

    const queue = new SqsQueue(this, 'InterruptionQueue', {
      name: name('interruption'),
      messageRetentionSeconds: 300,
      sqsManagedSseEnabled: true,
    });
    new SqsQueuePolicy(this, 'InterruptionQueuePolicy', {
      queueUrl: queue.url,
      policy: policyDocument([
        {
          Sid: 'EventsDeliver',
          Effect: 'Allow',
          Principal: { Service: ['events.amazonaws.com', 'sqs.amazonaws.com'] },
          Action: 'sqs:SendMessage',
          Resource: queue.arn,
        },
        {
          Sid: 'DenyPlainHttp',
          Effect: 'Deny',
          Principal: '*',
          Action: 'sqs:*',
          Resource: queue.arn,
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ]),
    });
    for (const [ruleId, event] of Object.entries(INTERRUPTION_EVENTS)) {
      const rule = new CloudwatchEventRule(this, `${ruleId}Rule`, {
        name: name(event.name),
        description: `Karpenter interruption handling for ${clusterName}: ${event.name}`,
        eventPattern: JSON.stringify(event.pattern),
      });
      new CloudwatchEventTarget(this, `${ruleId}Target`, {
        rule: rule.name,
        targetId: 'KarpenterInterruptionQueue',
        arn: queue.arn,
      });
    }

    this.controller = new EksWorkloadIdentity(this, 'Controller', {
      cluster: props.cluster,
      namespace: props.namespace,
      serviceAccount: props.serviceAccount,
      roleName: name('controller'),
      description: `Karpenter controller of ${clusterName}`,
      statements: karpenterControllerPolicy({
        clusterName,
        region: props.region,
        accountId: props.cluster.accountId,
        queueArn: queue.arn,
        nodeRoleArn: nodeRole.arn,
        nodeVolumeKeyArn: props.nodeVolumeKeyArn,
      }),
    });
    this.nodeRoleName = nodeRole.name;
    this.queueName = queue.name;
  }
}
