import { Construct } from 'constructs';
import { propError } from '../shared/errors';
import type { PolicyStatement } from '../shared/kms';
import { SecureBucket } from '../shared/secure-bucket';

/** The state objects of one set of CI roles: who they are and which keys they may use. */
export interface StateAccess {
  /** ARNs of the roles (literal ARNs: the bucket policy is written before the roles exist). */
  readonly principalArns: readonly string[];
  /** The state keys they work on, e.g. `wms-dev-platform/terraform.tfstate`; each has a lock `<key>.tflock`. */
  readonly keys: readonly string[];
}

/** What a role does with state: read it (plan, which still takes the lock), or read and write it (apply). */
export type StateAccessLevel = 'read' | 'write';

/** Properties of a {@link BootstrapState}. */
export interface BootstrapStateProps {
  /** Name of the state bucket, e.g. `wms-tfstate-111111111111-eu-west-1`. */
  readonly bucketName: string;
  /** The account that owns both buckets. */
  readonly accountId: string;
  /** Region of the buckets (for `kms:ViaService`). */
  readonly region: string;
  /**
   * Name of the bucket receiving the state bucket's server access logs.
   * @default - `<bucketName>-access-logs`
   */
  readonly logBucketName?: string;
  /**
   * Days old state versions are kept, for recovery (the current version is never expired).
   * @default 365
   */
  readonly stateVersionRetentionDays?: number;
  /**
   * Days access logs are kept.
   * @default 365
   */
  readonly accessLogRetentionDays?: number;
  /**
   * CI roles confined to their own keys: the bucket policy denies them every object outside `keys` (and their lock
   * files) whatever their IAM policies allow, and denies them erasing object versions or changing the bucket.
   * @default - none
   */
  readonly ciAccess?: readonly StateAccess[];
}

const OBJECT_ACTIONS = [
  's3:GetObject',
  's3:GetObjectVersion',
  's3:PutObject',
  's3:DeleteObject',
  's3:DeleteObjectVersion',
];

/** The bucket settings that protect the state: no CI role changes them. */
export const BUCKET_SETTINGS = [
  's3:DeleteBucket',
  's3:PutBucketPolicy',
  's3:DeleteBucketPolicy',
  's3:PutBucketAcl',
  's3:PutBucketVersioning',
  's3:PutLifecycleConfiguration',
  's3:PutEncryptionConfiguration',
  's3:PutBucketLogging',
  's3:PutBucketPublicAccessBlock',
  's3:PutBucketOwnershipControls',
];

// What no CI role may do to the state bucket: erase history, or loosen the bucket's protection.
const BUCKET_PROTECTED_ACTIONS = ['s3:DeleteObjectVersion', ...BUCKET_SETTINGS];

/**
 * The Terraform state store of an account: a {@link SecureBucket} (private, versioned, KMS-encrypted with its own key,
 * TLS-only) whose old versions expire after a while and whose server access logs go to a second bucket.
 *
 * The log bucket is encrypted with SSE-S3: S3 server access log delivery supports only SSE-S3 as the destination's
 * default encryption ("Default server-side encryption with AWS KMS keys (SSE-KMS) is not supported"). Log delivery is
 * granted to the logging service principal for this source bucket and account only.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html
 */
export class BootstrapState extends Construct {
  /** The state bucket. */
  readonly stateBucket: SecureBucket;
  /** The access-log bucket. */
  readonly logBucket: SecureBucket;
  /** Name of the state bucket. */
  readonly bucketName: string;
  /** ARN of the state bucket. */
  readonly bucketArn: string;
  /** ARN of the state bucket's KMS key. */
  readonly keyArn: string;
  /** The alias of the key, `alias/<bucketName>`: what a backend's `kms_key_id` can name before the key exists. */
  readonly keyAlias: string;
  private readonly region: string;

  constructor(scope: Construct, id: string, props: BootstrapStateProps) {
    super(scope, id);
    const stateDays = props.stateVersionRetentionDays ?? 365;
    const logDays = props.accessLogRetentionDays ?? 365;
    const logBucketName = props.logBucketName ?? `${props.bucketName}-access-logs`;
    for (const [prop, days] of [
      ['stateVersionRetentionDays', stateDays],
      ['accessLogRetentionDays', logDays],
    ] as const) {
      if (!Number.isInteger(days) || days < 1)
        throw propError(this, prop, days, 'a whole number of days >= 1');
    }
    if (logBucketName === props.bucketName) {
      throw propError(this, 'logBucketName', logBucketName, 'a bucket other than the state bucket');
    }
    props.ciAccess?.forEach((access, index) => {
      if (access.principalArns.length === 0 || access.keys.length === 0) {
        throw propError(this, `ciAccess[${index}]`, access, 'at least one principal and one key');
      }
    });
    this.region = props.region;
    const stateArn = `arn:aws:s3:::${props.bucketName}`;

    this.logBucket = new SecureBucket(this, 'AccessLogs', {
      bucketName: logBucketName,
      purpose: `server access logs of ${props.bucketName}`,
      accountId: props.accountId,
      encryption: 's3',
      s3EncryptionReason:
        'S3 server access log delivery supports only SSE-S3 as the destination default encryption, not SSE-KMS.',
      expirationDays: logDays,
      noncurrentVersionExpirationDays: 1,
      policyStatements: [
        {
          Sid: 'S3ServerAccessLogDelivery',
          Effect: 'Allow',
          Principal: { Service: 'logging.s3.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: `arn:aws:s3:::${logBucketName}/${props.bucketName}/*`,
          Condition: {
            ArnLike: { 'aws:SourceArn': stateArn },
            StringEquals: { 'aws:SourceAccount': props.accountId },
          },
        },
      ],
    });

    this.stateBucket = new SecureBucket(this, 'State', {
      bucketName: props.bucketName,
      purpose: 'Terraform state of the environments',
      accountId: props.accountId,
      noncurrentVersionExpirationDays: stateDays,
      // The log bucket's name as a reference, so the logging configuration waits for the bucket to exist.
      accessLogsBucket: this.logBucket.bucket.bucket,
      policyStatements: (props.ciAccess ?? []).flatMap((access, index) => [
        {
          Sid: `CiRolesOwnKeysOnly${index}`,
          Effect: 'Deny' as const,
          Principal: '*',
          Action: OBJECT_ACTIONS,
          NotResource: access.keys.flatMap((key) => [`${stateArn}/${key}`, `${stateArn}/${key}.tflock`]),
          Condition: { ArnEquals: { 'aws:PrincipalArn': [...access.principalArns] } },
        },
        {
          Sid: `CiRolesKeepBucket${index}`,
          Effect: 'Deny' as const,
          Principal: '*',
          Action: BUCKET_PROTECTED_ACTIONS,
          Resource: [stateArn, `${stateArn}/*`],
          Condition: { ArnEquals: { 'aws:PrincipalArn': [...access.principalArns] } },
        },
      ]),
    });
    if (!this.stateBucket.key) throw new Error(`${this.node.path}: the state bucket has no KMS key`);
    this.bucketName = props.bucketName;
    this.bucketArn = stateArn;
    this.keyArn = this.stateBucket.key.arn;
    this.keyAlias = `alias/${props.bucketName}`;
  }

  /**
   * The IAM statements a role needs to use `keys` with the S3 backend and native locking: list the bucket (without
   * it a missing object is a 403, not a 404, and `terraform init` of a new stack fails), get the state (and put it,
   * for `write`), get, put and delete its lock object `<key>.tflock` (plan takes the lock too), and use the bucket's
   * key through S3.
   * @see https://developer.hashicorp.com/terraform/language/backend/s3#permissions-required
   */
  accessStatements(keys: readonly string[], level: StateAccessLevel): PolicyStatement[] {
    const objects = (suffix: string) => keys.map((key) => `${this.bucketArn}/${key}${suffix}`);
    return [
      {
        Sid: 'StateList',
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: this.bucketArn,
      },
      {
        Sid: level === 'write' ? 'StateReadWrite' : 'StateRead',
        Effect: 'Allow',
        Action: level === 'write' ? ['s3:GetObject', 's3:PutObject'] : 's3:GetObject',
        Resource: objects(''),
      },
      {
        Sid: 'StateLock',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        Resource: objects('.tflock'),
      },
      {
        Sid: 'StateKey',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: this.keyArn,
        Condition: { StringEquals: { 'kms:ViaService': `s3.${this.region}.amazonaws.com` } },
      },
    ];
  }
}
