import type { PolicyStatement } from '../../shared/kms';

/** Where the controller runs. */
export interface LoadBalancerControllerScope {
  /** The cluster: the controller tags what it creates `elbv2.k8s.aws/cluster = <name>`. */
  readonly clusterName: string;
  /** Region of the cluster. */
  readonly region: string;
  /** Account of the cluster. */
  readonly accountId: string;
}

/**
 * The AWS Load Balancer Controller's permissions.
 *
 * Source: kubernetes-sigs/aws-load-balancer-controller v3.5.0, `docs/install/iam_policy.json` (identical at
 * commit 225f4456, 2026-08-17). The actions and statement structure are upstream's; two changes narrow it:
 * - resource ARNs name this region and account instead of `*:*`;
 * - upstream's `Null` checks on the `elbv2.k8s.aws/cluster` tag (any cluster's resources) become `StringEquals`
 *   this cluster's name, so the controller cannot modify or delete another cluster's load balancers, target
 *   groups or security groups in the same account.
 * The WAF, Shield and Cognito actions stay: the controller reconciles them on every ALB unless disabled in
 * its Helm values.
 */
export function awsLoadBalancerControllerPolicy(scope: LoadBalancerControllerScope): PolicyStatement[] {
  const ec2 = `arn:aws:ec2:${scope.region}:${scope.accountId}`;
  const elb = `arn:aws:elasticloadbalancing:${scope.region}:${scope.accountId}`;
  const ownTag = 'elbv2.k8s.aws/cluster';
  const resourceIsOurs = { StringEquals: { [`aws:ResourceTag/${ownTag}`]: scope.clusterName } };
  const requestTagsOurs = { StringEquals: { [`aws:RequestTag/${ownTag}`]: scope.clusterName } };
  const oursAndKeepsTag = {
    Null: { [`aws:RequestTag/${ownTag}`]: 'true' },
    StringEquals: { [`aws:ResourceTag/${ownTag}`]: scope.clusterName },
  };
  const loadBalancersAndTargetGroups = [
    `${elb}:targetgroup/*/*`,
    `${elb}:loadbalancer/net/*/*`,
    `${elb}:loadbalancer/app/*/*`,
  ];
  return [
    {
      Effect: 'Allow',
      Action: ['iam:CreateServiceLinkedRole'],
      Resource: '*',
      Condition: { StringEquals: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' } },
    },
    {
      Effect: 'Allow',
      Action: [
        'ec2:DescribeAccountAttributes',
        'ec2:DescribeAddresses',
        'ec2:DescribeAvailabilityZones',
        'ec2:DescribeInternetGateways',
        'ec2:DescribeVpcs',
        'ec2:DescribeVpcPeeringConnections',
        'ec2:DescribeSubnets',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeInstances',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeTags',
        'ec2:GetCoipPoolUsage',
        'ec2:DescribeCoipPools',
        'ec2:GetSecurityGroupsForVpc',
        'ec2:DescribeIpamPools',
        'ec2:DescribeRouteTables',
        'elasticloadbalancing:DescribeLoadBalancers',
        'elasticloadbalancing:DescribeLoadBalancerAttributes',
        'elasticloadbalancing:DescribeListeners',
        'elasticloadbalancing:DescribeListenerCertificates',
        'elasticloadbalancing:DescribeSSLPolicies',
        'elasticloadbalancing:DescribeRules',
        'elasticloadbalancing:DescribeTargetGroups',
        'elasticloadbalancing:DescribeTargetGroupAttributes',
        'elasticloadbalancing:DescribeTargetHealth',
        'elasticloadbalancing:DescribeTags',
        'elasticloadbalancing:DescribeTrustStores',
        'elasticloadbalancing:DescribeListenerAttributes',
        'elasticloadbalancing:DescribeCapacityReservation',
      ],
      Resource: '*',
    },
    {
      Effect: 'Allow',
      Action: [
        'cognito-idp:DescribeUserPoolClient',
        'acm:ListCertificates',
        'acm:DescribeCertificate',
        'iam:ListServerCertificates',
        'iam:GetServerCertificate',
        'waf-regional:GetWebACL',
        'waf-regional:GetWebACLForResource',
        'waf-regional:AssociateWebACL',
        'waf-regional:DisassociateWebACL',
        'wafv2:GetWebACL',
        'wafv2:GetWebACLForResource',
        'wafv2:AssociateWebACL',
        'wafv2:DisassociateWebACL',
        'shield:GetSubscriptionState',
        'shield:DescribeProtection',
        'shield:CreateProtection',
        'shield:DeleteProtection',
      ],
      Resource: '*',
    },
    {
      // The node security group (not created by the controller) gets the rules admitting the load balancers.
      Effect: 'Allow',
      Action: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress'],
      Resource: '*',
    },
    { Effect: 'Allow', Action: ['ec2:CreateSecurityGroup'], Resource: '*' },
    {
      Effect: 'Allow',
      Action: ['ec2:CreateTags'],
      Resource: `${ec2}:security-group/*`,
      Condition: {
        StringEquals: { ...requestTagsOurs.StringEquals, 'ec2:CreateAction': 'CreateSecurityGroup' },
      },
    },
    {
      Effect: 'Allow',
      Action: ['ec2:CreateTags', 'ec2:DeleteTags'],
      Resource: `${ec2}:security-group/*`,
      Condition: oursAndKeepsTag,
    },
    {
      Effect: 'Allow',
      Action: [
        'ec2:AuthorizeSecurityGroupIngress',
        'ec2:RevokeSecurityGroupIngress',
        'ec2:DeleteSecurityGroup',
      ],
      Resource: '*',
      Condition: resourceIsOurs,
    },
    {
      Effect: 'Allow',
      Action: ['elasticloadbalancing:CreateLoadBalancer', 'elasticloadbalancing:CreateTargetGroup'],
      Resource: '*',
      Condition: requestTagsOurs,
    },
    {
      Effect: 'Allow',
      Action: [
        'elasticloadbalancing:CreateListener',
        'elasticloadbalancing:DeleteListener',
        'elasticloadbalancing:CreateRule',
        'elasticloadbalancing:DeleteRule',
      ],
      Resource: '*',
    },
    {
      Effect: 'Allow',
      Action: ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'],
      Resource: loadBalancersAndTargetGroups,
      Condition: oursAndKeepsTag,
    },
    {
      Effect: 'Allow',
      Action: ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'],
      Resource: [
        `${elb}:listener/net/*/*/*`,
        `${elb}:listener/app/*/*/*`,
        `${elb}:listener-rule/net/*/*/*`,
        `${elb}:listener-rule/app/*/*/*`,
      ],
    },
    {
      Effect: 'Allow',
      Action: [
        'elasticloadbalancing:ModifyLoadBalancerAttributes',
        'elasticloadbalancing:SetIpAddressType',
        'elasticloadbalancing:SetSecurityGroups',
        'elasticloadbalancing:SetSubnets',
        'elasticloadbalancing:DeleteLoadBalancer',
        'elasticloadbalancing:ModifyTargetGroup',
        'elasticloadbalancing:ModifyTargetGroupAttributes',
        'elasticloadbalancing:DeleteTargetGroup',
        'elasticloadbalancing:ModifyListenerAttributes',
        'elasticloadbalancing:ModifyCapacityReservation',
        'elasticloadbalancing:ModifyIpPools',
      ],
      Resource: '*',
      Condition: resourceIsOurs,
    },
    {
      Effect: 'Allow',
      Action: ['elasticloadbalancing:AddTags'],
      Resource: loadBalancersAndTargetGroups,
      Condition: {
        StringEquals: {
          ...requestTagsOurs.StringEquals,
          'elasticloadbalancing:CreateAction': ['CreateTargetGroup', 'CreateLoadBalancer'],
        },
      },
    },
    {
      Effect: 'Allow',
      Action: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
      Resource: `${elb}:targetgroup/*/*`,
    },
    {
      Effect: 'Allow',
      Action: [
        'elasticloadbalancing:SetWebAcl',
        'elasticloadbalancing:ModifyListener',
        'elasticloadbalancing:AddListenerCertificates',
        'elasticloadbalancing:RemoveListenerCertificates',
        'elasticloadbalancing:ModifyRule',
        'elasticloadbalancing:SetRulePriorities',
      ],
      Resource: '*',
    },
  ];
}
