import { EksCluster as EksClusterResource } from '@cdktf/provider-aws/lib/eks-cluster';
import { TerraformOutput } from 'cdktf';
import {
  EksKarpenter,
  INTERRUPTION_EVENTS,
  NODE_ROLE_POLICIES,
} from '../../../constructs/cluster/eks-karpenter';
import { awsTestStack, listOfType, resourcesOfType, synthJson } from '../../support/synth';

const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/node-volumes';

type Row = Record<string, unknown>;
interface Statement {
  Sid?: string;
  Effect: string;
  Principal?: unknown;
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

function build() {
  const stack = awsTestStack();
  const resource = new EksClusterResource(stack, 'Cluster', {
    name: 'wms-test-eks',
    roleArn: 'arn:aws:iam::123456789012:role/cluster',
    vpcConfig: { subnetIds: ['subnet-a'] },
  });
  const karpenter = new EksKarpenter(stack, 'Karpenter', {
    cluster: {
      name: 'wms-test-eks',
      arn: 'arn:aws:eks:eu-west-1:123456789012:cluster/wms-test-eks',
      accountId: '123456789012',
      resource,
    },
    region: 'eu-west-1',
    nodeVolumeKeyArn: KEY_ARN,
    namespace: 'kube-system',
    serviceAccount: 'karpenter',
  });
  new TerraformOutput(stack, 'QueueName', { value: karpenter.queueName });
  new TerraformOutput(stack, 'NodeRoleName', { value: karpenter.nodeRoleName });
  return synthJson(stack);
}

describe('EksKarpenter', () => {
  const json = build();
  const idOf = (type: string, fragment: string) => {
    const ids = Object.keys(resourcesOfType(json, type)).filter((id) => id.includes(fragment));
    expect(ids).toHaveLength(1);
    return ids[0];
  };
  const ref = (type: string, fragment: string, attribute: string) =>
    `\${${type}.${idOf(type, fragment)}.${attribute}}`;
  const nodeRole = resourcesOfType(json, 'aws_iam_role')[idOf('aws_iam_role', 'NodeRole')];
  const controllerStatements: Statement[] = JSON.parse(
    listOfType(json, 'aws_iam_role_policy')[0].policy as string,
  ).Statement;
  const statement = (sid: string) => controllerStatements.find((s) => s.Sid === sid);

  it('gives the nodes an EC2 role with the node policies and an EC2_LINUX access entry after the cluster', () => {
    expect(nodeRole.name).toBe('wms-test-eks-karpenter-node');
    expect(JSON.parse(nodeRole.assume_role_policy as string).Statement[0].Principal).toEqual({
      Service: 'ec2.amazonaws.com',
    });
    expect(listOfType(json, 'aws_iam_role_policy_attachment').map((a) => a.policy_arn)).toEqual(
      NODE_ROLE_POLICIES,
    );
    expect(listOfType(json, 'aws_eks_access_entry')).toEqual([
      {
        cluster_name: 'wms-test-eks',
        principal_arn: ref('aws_iam_role', 'NodeRole', 'arn'),
        type: 'EC2_LINUX',
        depends_on: [`aws_eks_cluster.${idOf('aws_eks_cluster', 'Cluster')}`],
      },
    ]);
  });

  it('keeps interruption messages 5 minutes in an encrypted queue that only EventBridge writes to, over TLS', () => {
    expect(listOfType(json, 'aws_sqs_queue')).toEqual([
      {
        name: 'wms-test-eks-karpenter-interruption',
        message_retention_seconds: 300,
        sqs_managed_sse_enabled: true,
      },
    ]);
    const [policy] = listOfType(json, 'aws_sqs_queue_policy');
    const [write, deny] = JSON.parse(policy.policy as string).Statement as Statement[];
    expect(write).toMatchObject({
      Principal: { Service: ['events.amazonaws.com', 'sqs.amazonaws.com'] },
      Action: 'sqs:SendMessage',
      Resource: ref('aws_sqs_queue', 'InterruptionQueue', 'arn'),
    });
    expect(deny).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
  });

  it('routes Spot interruptions, rebalance recommendations, state changes and scheduled changes to the queue', () => {
    const patterns = listOfType(json, 'aws_cloudwatch_event_rule').map((r) =>
      JSON.parse(r.event_pattern as string),
    );
    expect(patterns.map((p) => p['detail-type'][0]).sort()).toEqual([
      'AWS Health Event',
      'EC2 Instance Rebalance Recommendation',
      'EC2 Instance State-change Notification',
      'EC2 Spot Instance Interruption Warning',
    ]);
    const targets = listOfType(json, 'aws_cloudwatch_event_target');
    expect(targets).toHaveLength(Object.keys(INTERRUPTION_EVENTS).length);
    expect(targets.every((t) => t.arn === ref('aws_sqs_queue', 'InterruptionQueue', 'arn'))).toBe(true);
  });

  it('associates the controller role with kube-system/karpenter', () => {
    expect(listOfType(json, 'aws_eks_pod_identity_association')).toEqual([
      expect.objectContaining({
        namespace: 'kube-system',
        service_account: 'karpenter',
        role_arn: ref('aws_iam_role', 'Controller_Role', 'arn'),
      }),
    ]);
  });

  it('lets the controller pass only the node role, to EC2, and read only its queue', () => {
    expect(statement('AllowPassingInstanceRole')).toMatchObject({
      Resource: ref('aws_iam_role', 'NodeRole', 'arn'),
      Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
    });
    expect(statement('AllowInterruptionQueueActions')?.Resource).toBe(
      ref('aws_sqs_queue', 'InterruptionQueue', 'arn'),
    );
  });

  it('lets the controller launch, tag and terminate only instances tagged for this cluster', () => {
    for (const sid of ['AllowScopedEC2InstanceActionsWithTags', 'AllowScopedResourceCreationTagging']) {
      expect(statement(sid)?.Condition?.StringEquals).toMatchObject({
        'aws:RequestTag/kubernetes.io/cluster/wms-test-eks': 'owned',
        'aws:RequestTag/eks:eks-cluster-name': 'wms-test-eks',
      });
    }
    expect(statement('AllowScopedDeletion')?.Condition?.StringEquals).toEqual({
      'aws:ResourceTag/kubernetes.io/cluster/wms-test-eks': 'owned',
    });
    expect(statement('AllowRegionalReadActions')?.Condition).toEqual({
      StringEquals: { 'aws:RequestedRegion': 'eu-west-1' },
    });
  });

  it('lets the controller use the node-volume key only through EC2', () => {
    expect(statement('AllowNodeVolumeEncryption')).toMatchObject({
      Resource: KEY_ARN,
      Condition: { StringEquals: { 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' } },
    });
  });

  it('exposes the queue name and node role name', () => {
    const outputs = json.output as Record<string, Row>;
    expect(outputs.QueueName.value).toBe(ref('aws_sqs_queue', 'InterruptionQueue', 'name'));
    expect(outputs.NodeRoleName.value).toBe(ref('aws_iam_role', 'NodeRole', 'name'));
  });
});
