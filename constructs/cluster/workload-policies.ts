/**
 * Least-privilege permissions of the cluster's smaller workload identities. Each function returns the
 * statements of one role's inline policy; the larger controller policies have their own files.
 */
import type { PolicyStatement } from '../shared/kms';

/**
 * external-dns: manage records in one hosted zone. `ListHostedZones` has no resource-level permissions.
 * @see https://kubernetes-sigs.github.io/external-dns/latest/docs/tutorials/aws/#iam-policy
 */
export function externalDnsPolicy(hostedZoneArn: string): PolicyStatement[] {
  return [
    {
      Sid: 'ManageRecordsInTheZone',
      Effect: 'Allow',
      Action: [
        'route53:ChangeResourceRecordSets',
        'route53:ListResourceRecordSets',
        'route53:ListTagsForResources',
      ],
      Resource: hostedZoneArn,
    },
    { Sid: 'FindTheZone', Effect: 'Allow', Action: ['route53:ListHostedZones'], Resource: '*' },
  ];
}

/**
 * Read the given Secrets Manager secrets, and decrypt them with their customer-managed keys (only through
 * Secrets Manager). Secrets encrypted with the AWS managed key need no KMS statement.
 */
export function secretReaderPolicy(
  region: string,
  secretArns: readonly string[],
  kmsKeyArns: readonly string[],
): PolicyStatement[] {
  const statements: PolicyStatement[] = [
    {
      Sid: 'ReadTheSecrets',
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      Resource: [...secretArns],
    },
  ];
  if (kmsKeyArns.length > 0) {
    statements.push({
      Sid: 'DecryptTheSecrets',
      Effect: 'Allow',
      Action: ['kms:Decrypt'],
      Resource: [...kmsKeyArns],
      Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` } },
    });
  }
  return statements;
}

/**
 * Loki and Tempo: list the bucket and read, write and delete its objects (their compactors apply retention). With a
 * customer-managed bucket key, also use that key through S3. (Tempo would also need object tagging only with its
 * `s3.tags` setting, which we do not set.)
 */
export function objectStorePolicy(
  region: string,
  bucketArn: string,
  bucketKeyArn?: string,
): PolicyStatement[] {
  const statements: PolicyStatement[] = [
    { Sid: 'ListTheBucket', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: bucketArn },
    {
      Sid: 'UseTheObjects',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      Resource: `${bucketArn}/*`,
    },
  ];
  if (bucketKeyArn !== undefined) {
    statements.push({
      Sid: 'UseTheBucketKey',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: bucketKeyArn,
      Condition: { StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } },
    });
  }
  return statements;
}

/**
 * YACE (the CloudWatch exporter): list and read CloudWatch metrics, and find the tagged resources they belong to.
 * Read-only. None of these actions supports resource-level permissions or condition keys that could narrow them
 * (the Service Authorization Reference lists no resource type for them), so the Resource is `*`.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonresourcegrouptaggingapi.html
 * @see https://github.com/prometheus-community/yet-another-cloudwatch-exporter#authentication
 */
export function cloudwatchMetricsReaderPolicy(): PolicyStatement[] {
  return [
    {
      Sid: 'ReadCloudWatchMetrics',
      Effect: 'Allow',
      Action: ['cloudwatch:GetMetricData', 'cloudwatch:GetMetricStatistics', 'cloudwatch:ListMetrics'],
      Resource: '*',
    },
    { Sid: 'FindTaggedResources', Effect: 'Allow', Action: ['tag:GetResources'], Resource: '*' },
  ];
}

/** Connect to the database as one IAM-authenticated user (`rds-db:connect` on that user's ARN only). */
export function databaseConnectPolicy(dbUserArn: string): PolicyStatement[] {
  return [{ Sid: 'ConnectAsItsUser', Effect: 'Allow', Action: ['rds-db:connect'], Resource: dbUserArn }];
}

/**
 * EBS CSI driver: create and attach volumes encrypted with a customer-managed key (on top of the AWS managed
 * AmazonEBSCSIDriverPolicy, which covers the EC2 calls).
 * @see https://docs.aws.amazon.com/eks/latest/userguide/ebs-csi.html
 */
export function ebsVolumeKeyPolicy(keyArn: string): PolicyStatement[] {
  return [
    {
      Sid: 'GrantTheKeyToEbs',
      Effect: 'Allow',
      Action: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'],
      Resource: keyArn,
      Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    },
    {
      Sid: 'UseTheKey',
      Effect: 'Allow',
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
      Resource: keyArn,
    },
  ];
}
