/**
 * The CIS AWS Foundations monitoring controls as Security Hub checks them (CloudWatch.1-14): one metric filter
 * pattern each, exactly as prescribed ("additional fields or terms cannot be added"), on the log group of the
 * account's multi-Region trail.
 * Patterns from awsdocs/aws-security-hub-user-guide
 * `doc_source/cloudwatch-controls.md` (commit bda5bf7), CloudWatch.1 re-checked against the current page.
 * @see https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html
 */
export interface CisControl {
  /** Security Hub control id, e.g. `CloudWatch.1`. */
  readonly control: string;
  /** Stable id of the filter and alarm (PascalCase). */
  readonly id: string;
  /** What the alarm means. */
  readonly description: string;
  /** The prescribed filter pattern. */
  readonly pattern: string;
}

const any = (...names: string[]) => names.map((name) => `($.eventName=${name})`).join(' || ');

/** The 14 controls, in Security Hub's order. */
export const CIS_CONTROLS: readonly CisControl[] = [
  {
    control: 'CloudWatch.1',
    id: 'RootUse',
    description: 'the root user was used',
    pattern:
      '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}',
  },
  {
    control: 'CloudWatch.2',
    id: 'UnauthorizedApiCalls',
    description: 'API calls were refused as unauthorized',
    pattern: '{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}',
  },
  {
    control: 'CloudWatch.3',
    id: 'ConsoleSignInWithoutMfa',
    description: 'someone signed in to the console without MFA',
    pattern:
      '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
  },
  {
    control: 'CloudWatch.4',
    id: 'IamPolicyChanges',
    description: 'an IAM policy was created, changed, attached or detached',
    pattern: `{${any(
      'DeleteGroupPolicy',
      'DeleteRolePolicy',
      'DeleteUserPolicy',
      'PutGroupPolicy',
      'PutRolePolicy',
      'PutUserPolicy',
      'CreatePolicy',
      'DeletePolicy',
      'CreatePolicyVersion',
      'DeletePolicyVersion',
      'AttachRolePolicy',
      'DetachRolePolicy',
      'AttachUserPolicy',
      'DetachUserPolicy',
      'AttachGroupPolicy',
      'DetachGroupPolicy',
    )}}`,
  },
  {
    control: 'CloudWatch.5',
    id: 'CloudTrailChanges',
    description: 'a trail was created, changed, stopped or deleted',
    pattern: `{${any('CreateTrail', 'UpdateTrail', 'DeleteTrail', 'StartLogging', 'StopLogging')}}`,
  },
  {
    control: 'CloudWatch.6',
    id: 'ConsoleAuthenticationFailures',
    description: 'console sign-ins failed',
    pattern: '{($.eventName=ConsoleLogin) && ($.errorMessage="Failed authentication")}',
  },
  {
    control: 'CloudWatch.7',
    id: 'KmsKeyDisabledOrDeleted',
    description: 'a customer managed KMS key was disabled or scheduled for deletion',
    pattern:
      '{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}',
  },
  {
    control: 'CloudWatch.8',
    id: 'S3BucketPolicyChanges',
    description: 'an S3 bucket policy, ACL, CORS, lifecycle or replication was changed',
    pattern: `{($.eventSource=s3.amazonaws.com) && (${any(
      'PutBucketAcl',
      'PutBucketPolicy',
      'PutBucketCors',
      'PutBucketLifecycle',
      'PutBucketReplication',
      'DeleteBucketPolicy',
      'DeleteBucketCors',
      'DeleteBucketLifecycle',
      'DeleteBucketReplication',
    )})}`,
  },
  {
    control: 'CloudWatch.9',
    id: 'ConfigChanges',
    description: 'the AWS Config recorder or delivery channel was stopped, changed or deleted',
    pattern: `{($.eventSource=config.amazonaws.com) && (${any(
      'StopConfigurationRecorder',
      'DeleteDeliveryChannel',
      'PutDeliveryChannel',
      'PutConfigurationRecorder',
    )})}`,
  },
  {
    control: 'CloudWatch.10',
    id: 'SecurityGroupChanges',
    description: 'a security group was created, changed or deleted',
    pattern: `{${any(
      'AuthorizeSecurityGroupIngress',
      'AuthorizeSecurityGroupEgress',
      'RevokeSecurityGroupIngress',
      'RevokeSecurityGroupEgress',
      'CreateSecurityGroup',
      'DeleteSecurityGroup',
    )}}`,
  },
  {
    control: 'CloudWatch.11',
    id: 'NetworkAclChanges',
    description: 'a network ACL was created, changed or deleted',
    pattern: `{${any(
      'CreateNetworkAcl',
      'CreateNetworkAclEntry',
      'DeleteNetworkAcl',
      'DeleteNetworkAclEntry',
      'ReplaceNetworkAclEntry',
      'ReplaceNetworkAclAssociation',
    )}}`,
  },
  {
    control: 'CloudWatch.12',
    id: 'NetworkGatewayChanges',
    description: 'an internet or customer gateway was created, attached, detached or deleted',
    pattern: `{${any(
      'CreateCustomerGateway',
      'DeleteCustomerGateway',
      'AttachInternetGateway',
      'CreateInternetGateway',
      'DeleteInternetGateway',
      'DetachInternetGateway',
    )}}`,
  },
  {
    control: 'CloudWatch.13',
    id: 'RouteTableChanges',
    description: 'a route table or route was created, changed or deleted',
    pattern: `{${any(
      'CreateRoute',
      'CreateRouteTable',
      'ReplaceRoute',
      'ReplaceRouteTableAssociation',
      'DeleteRouteTable',
      'DeleteRoute',
      'DisassociateRouteTable',
    )}}`,
  },
  {
    control: 'CloudWatch.14',
    id: 'VpcChanges',
    description: 'a VPC or VPC peering was created, changed or deleted',
    pattern: `{${any(
      'CreateVpc',
      'DeleteVpc',
      'ModifyVpcAttribute',
      'AcceptVpcPeeringConnection',
      'CreateVpcPeeringConnection',
      'DeleteVpcPeeringConnection',
      'RejectVpcPeeringConnection',
      'AttachClassicLinkVpc',
      'DetachClassicLinkVpc',
      'DisableVpcClassicLink',
      'EnableVpcClassicLink',
    )}}`,
  },
];
