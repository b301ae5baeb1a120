import type { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
// The bindings add an `A` to these class names, which collide with S3Bucket's own nested block types.
import { S3BucketLoggingA as S3BucketLogging } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA as S3BucketServerSideEncryptionConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA as S3BucketVersioning } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { Construct } from 'constructs';
import { suppress } from '../../guardrails/suppress';
import { propError } from './errors';
import type { PolicyStatement } from './kms';
import { customerKey, policyDocument } from './kms';

/** Properties of a {@link SecureBucket}. */
export interface SecureBucketProps {
  /** Globally unique bucket name, e.g. `wms-prod-loki-333333333333-eu-west-1`. */
  readonly bucketName: string;
  /** What the bucket holds, for the key description. */
  readonly purpose: string;
  /** AWS account id, for the key policy. */
  readonly accountId: string;
  /**
   * Server-side encryption: `kms` with the bucket's own customer-managed key, or `s3` (SSE-S3), which is what
   * Elastic Load Balancing access logs require.
   * @default 'kms'
   */
  readonly encryption?: 'kms' | 's3';
  /**
   * Why SSE-S3 rather than a customer-managed key; required with `encryption: 's3'`, and recorded as the
   * suppression of the guardrails' KMS rule (CKV_AWS_145) on the bucket.
   * @default - none
   */
  readonly s3EncryptionReason?: string;
  /**
   * Days after which noncurrent object versions are deleted.
   * @default 90
   */
  readonly noncurrentVersionExpirationDays?: number;
  /**
   * Days after which current objects expire (become noncurrent).
   * @default - never
   */
  readonly expirationDays?: number;
  /**
   * Bucket receiving this bucket's server access logs, under `<bucketName>/`.
   * @default - no access logging
   */
  readonly accessLogsBucket?: string;
  /**
   * Statements added to the bucket policy, after the one denying requests without TLS.
   * @default - none
   */
  readonly policyStatements?: readonly PolicyStatement[];
}

/**
 * An S3 bucket that is private, versioned, encrypted and TLS-only: public access blocked, ACLs disabled (bucket
 * owner enforced), a policy denying any request without TLS, noncurrent versions expired after a while.
 */
export class SecureBucket extends Construct {
  /** The bucket (escape hatch). */
  readonly bucket: S3Bucket;
  /** Bucket name. */
  readonly bucketName: string;
  /** Bucket ARN. */
  readonly bucketArn: string;
  /** The bucket's key, when encryption is `kms`. */
  readonly key?: KmsKey;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    const noncurrentDays = props.noncurrentVersionExpirationDays ?? 90;
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(props.bucketName)) {
      throw propError(this, 'bucketName', props.bucketName, '3-63 lowercase letters, digits, dots, dashes');
    }
    if (!Number.isInteger(noncurrentDays) || noncurrentDays < 1) {
      throw propError(this, 'noncurrentVersionExpirationDays', noncurrentDays, 'a whole number of days >= 1');
    }
    if (
      props.expirationDays !== undefined &&
      (!Number.isInteger(props.expirationDays) || props.expirationDays < 1)
    ) {
      throw propError(this, 'expirationDays', props.expirationDays, 'a whole number of days >= 1');
    }

    const encryption = props.encryption ?? 'kms';
    if ((encryption === 's3') !== (props.s3EncryptionReason !== undefined)) {
      throw propError(
        this,
        's3EncryptionReason',
        props.s3EncryptionReason ?? null,
        'a reason exactly when encryption is "s3"',
      );
    }

    this.bucket = new S3Bucket(this, 'Bucket', { bucket: props.bucketName });
    if (props.s3EncryptionReason) suppress(this.bucket, 'CKV_AWS_145', props.s3EncryptionReason);
    const bucket = this.bucket.id;
    this.bucketName = props.bucketName;
    this.bucketArn = this.bucket.arn;

    new S3BucketPublicAccessBlock(this, 'PublicAccessBlock', {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, 'OwnershipControls', {
      bucket,
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    });
    new S3BucketVersioning(this, 'Versioning', { bucket, versioningConfiguration: { status: 'Enabled' } });

    if (encryption === 'kms') {
      this.key = customerKey(this, 'Key', {
        description: `Encrypts the ${props.bucketName} bucket: ${props.purpose}`,
        alias: props.bucketName,
        accountId: props.accountId,
      });
    }
    new S3BucketServerSideEncryptionConfiguration(this, 'Encryption', {
      bucket,
      rule: [
        {
          applyServerSideEncryptionByDefault: this.key
            ? { sseAlgorithm: 'aws:kms', kmsMasterKeyId: this.key.arn }
            : { sseAlgorithm: 'AES256' },
          bucketKeyEnabled: this.key !== undefined,
        },
      ],
    });

    new S3BucketLifecycleConfiguration(this, 'Lifecycle', {
      bucket,
      rule: [
        {
          id: 'expire-old-versions',
          status: 'Enabled',
          filter: [{}],
          noncurrentVersionExpiration: [{ noncurrentDays }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
          ...(props.expirationDays ? { expiration: [{ days: props.expirationDays }] } : {}),
        },
      ],
    });

    if (props.accessLogsBucket) {
      new S3BucketLogging(this, 'AccessLogs', {
        bucket,
        targetBucket: props.accessLogsBucket,
        targetPrefix: `${props.bucketName}/`,
      });
    }

    new S3BucketPolicy(this, 'Policy', {
      bucket,
      policy: policyDocument([
        {
          Sid: 'DenyWithoutTls',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [this.bucket.arn, `${this.bucket.arn}/*`],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
        ...(props.policyStatements ?? []),
      ]),
    });
  }
}
