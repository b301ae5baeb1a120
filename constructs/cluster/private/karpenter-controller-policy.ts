import type { PolicyStatement } from '../../shared/kms';

/** What the Karpenter controller works on. */
export interface KarpenterControllerScope {
  /** The cluster whose nodes Karpenter launches. */
  readonly clusterName: string;
  /** Region of the cluster. */
  readonly region: string;
  /** Account of the cluster. */
  readonly accountId: string;
  /** The interruption queue Karpenter reads. */
  readonly queueArn: string;
  /** The role of the nodes Karpenter launches (the EC2NodeClass `role`). */
  readonly nodeRoleArn: string;
  /** The KMS key that encrypts node volumes. */
  readonly nodeVolumeKeyArn: string;
}

/**
 * The Karpenter v1 controller's permissions.
 *
 * Source: terraform-aws-modules/terraform-aws-eks v21.19.0 (commit bef29c4d), `modules/karpenter/policy.tf`,
 * which tracks Karpenter's own CloudFormation reference policy. Statements, actions and tag conditions are the
 * module's, with the region and account written out. One statement is added: launching instances whose EBS
 * volumes use our customer-managed key needs the caller to use that key through EC2.
 */
export function karpenterControllerPolicy(scope: KarpenterControllerScope): PolicyStatement[] {
  const { clusterName, region, accountId } = scope;
  const ec2 = `arn:aws:ec2:${region}:*`;
  const clusterArn = `arn:aws:eks:${region}:${accountId}:cluster/${clusterName}`;
  const instanceProfiles = `arn:aws:iam::${accountId}:instance-profile/*`;
  const ownedResource = { [`aws:ResourceTag/kubernetes.io/cluster/${clusterName}`]: 'owned' };
  const ownedRequest = {
    [`aws:RequestTag/kubernetes.io/cluster/${clusterName}`]: 'owned',
    'aws:RequestTag/eks:eks-cluster-name': clusterName,
  };
  const anyNodePool = { StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' } };
  const launchedResources = [
    `${ec2}:fleet/*`,
    `${ec2}:instance/*`,
    `${ec2}:volume/*`,
    `${ec2}:network-interface/*`,
    `${ec2}:launch-template/*`,
    `${ec2}:spot-instances-request/*`,
  ];
  return [
    {
      Sid: 'AllowScopedEC2InstanceAccessActions',
      Effect: 'Allow',
      Action: ['ec2:RunInstances', 'ec2:CreateFleet'],
      Resource: [
        `arn:aws:ec2:${region}::image/*`,
        `arn:aws:ec2:${region}::snapshot/*`,
        `${ec2}:security-group/*`,
        `${ec2}:subnet/*`,
        `${ec2}:capacity-reservation/*`,
        `${ec2}:placement-group/*`,
      ],
    },
    {
      Sid: 'AllowScopedEC2LaunchTemplateAccessActions',
      Effect: 'Allow',
      Action: ['ec2:RunInstances', 'ec2:CreateFleet'],
      Resource: `${ec2}:launch-template/*`,
      Condition: { StringEquals: ownedResource, ...anyNodePool },
    },
    {
      Sid: 'AllowScopedEC2InstanceActionsWithTags',
      Effect: 'Allow',
      Action: ['ec2:RunInstances', 'ec2:CreateFleet', 'ec2:CreateLaunchTemplate'],
      Resource: [...launchedResources, `${ec2}:capacity-reservation/*`],
      Condition: {
        StringEquals: ownedRequest,
        StringLike: { 'aws:RequestTag/karpenter.sh/nodepool': '*' },
      },
    },
    {
      Sid: 'AllowScopedResourceCreationTagging',
      Effect: 'Allow',
      Action: ['ec2:CreateTags'],
      Resource: launchedResources,
      Condition: {
        StringEquals: {
          ...ownedRequest,
          'ec2:CreateAction': ['RunInstances', 'CreateFleet', 'CreateLaunchTemplate'],
        },
        StringLike: { 'aws:RequestTag/karpenter.sh/nodepool': '*' },
      },
    },
    {
      Sid: 'AllowScopedResourceTagging',
      Effect: 'Allow',
      Action: ['ec2:CreateTags'],
      Resource: `${ec2}:instance/*`,
      Condition: {
        StringEquals: ownedResource,
        ...anyNodePool,
        StringEqualsIfExists: { 'aws:RequestTag/eks:eks-cluster-name': clusterName },
        'ForAllValues:StringEquals': {
          'aws:TagKeys': ['eks:eks-cluster-name', 'karpenter.sh/nodeclaim', 'Name'],
        },
      },
    },
    {
      Sid: 'AllowScopedDeletion',
      Effect: 'Allow',
      Action: ['ec2:TerminateInstances', 'ec2:DeleteLaunchTemplate'],
      Resource: [`${ec2}:instance/*`, `${ec2}:launch-template/*`],
      Condition: { StringEquals: ownedResource, ...anyNodePool },
    },
    {
      Sid: 'AllowRegionalReadActions',
      Effect: 'Allow',
      Action: [
        'ec2:DescribeCapacityReservations',
        'ec2:DescribeAvailabilityZones',
        'ec2:DescribeImages',
        'ec2:DescribeInstances',
        'ec2:DescribeInstanceTypeOfferings',
        'ec2:DescribeInstanceTypes',
        'ec2:DescribeLaunchTemplates',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeInstanceStatus',
        'ec2:DescribeSpotPriceHistory',
        'ec2:DescribeSubnets',
        'ec2:DescribePlacementGroups',
      ],
      Resource: '*',
      Condition: { StringEquals: { 'aws:RequestedRegion': region } },
    },
    {
      Sid: 'AllowSSMReadActions',
      Effect: 'Allow',
      Action: ['ssm:GetParameter'],
      Resource: `arn:aws:ssm:${region}::parameter/aws/service/*`,
    },
    { Sid: 'AllowPricingReadActions', Effect: 'Allow', Action: ['pricing:GetProducts'], Resource: '*' },
    {
      Sid: 'AllowZonalShiftReadActions',
      Effect: 'Allow',
      Action: ['arc-zonal-shift:GetManagedResource'],
      Resource: clusterArn,
    },
    {
      Sid: 'AllowInterruptionQueueActions',
      Effect: 'Allow',
      Action: ['sqs:DeleteMessage', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
      Resource: scope.queueArn,
    },
    {
      Sid: 'AllowPassingInstanceRole',
      Effect: 'Allow',
      Action: ['iam:PassRole'],
      Resource: scope.nodeRoleArn,
      Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
    },
    {
      Sid: 'AllowScopedInstanceProfileCreationActions',
      Effect: 'Allow',
      Action: ['iam:CreateInstanceProfile'],
      Resource: instanceProfiles,
      Condition: {
        StringEquals: { ...ownedRequest, 'aws:RequestTag/topology.kubernetes.io/region': region },
        StringLike: { 'aws:RequestTag/karpenter.k8s.aws/ec2nodeclass': '*' },
      },
    },
    {
      Sid: 'AllowScopedInstanceProfileTagActions',
      Effect: 'Allow',
      Action: ['iam:TagInstanceProfile'],
      Resource: instanceProfiles,
      Condition: {
        StringEquals: {
          ...ownedResource,
          'aws:ResourceTag/topology.kubernetes.io/region': region,
          ...ownedRequest,
          'aws:RequestTag/topology.kubernetes.io/region': region,
        },
        StringLike: {
          'aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass': '*',
          'aws:RequestTag/karpenter.k8s.aws/ec2nodeclass': '*',
        },
      },
    },
    {
      Sid: 'AllowScopedInstanceProfileActions',
      Effect: 'Allow',
      Action: [
        'iam:AddRoleToInstanceProfile',
        'iam:RemoveRoleFromInstanceProfile',
        'iam:DeleteInstanceProfile',
      ],
      Resource: instanceProfiles,
      Condition: {
        StringEquals: { ...ownedResource, 'aws:ResourceTag/topology.kubernetes.io/region': region },
        StringLike: { 'aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass': '*' },
      },
    },
    {
      Sid: 'AllowInstanceProfileReadActions',
      Effect: 'Allow',
      Action: ['iam:GetInstanceProfile'],
      Resource: instanceProfiles,
    },
    {
      Sid: 'AllowUnscopedInstanceProfileListAction',
      Effect: 'Allow',
      Action: ['iam:ListInstanceProfiles'],
      Resource: '*',
    },
    {
      Sid: 'AllowAPIServerEndpointDiscovery',
      Effect: 'Allow',
      Action: ['eks:DescribeCluster'],
      Resource: clusterArn,
    },
    {
      // Added: EC2 creates the encrypted node volumes on Karpenter's behalf, with grants on our key.
      Sid: 'AllowNodeVolumeEncryption',
      Effect: 'Allow',
      Action: [
        'kms:CreateGrant',
        'kms:Decrypt',
        'kms:DescribeKey',
        'kms:GenerateDataKeyWithoutPlaintext',
        'kms:ReEncrypt*',
      ],
      Resource: scope.nodeVolumeKeyArn,
      Condition: { StringEquals: { 'kms:ViaService': `ec2.${region}.amazonaws.com` } },
    },
  ];
}
