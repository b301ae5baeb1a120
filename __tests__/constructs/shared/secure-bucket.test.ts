import type { SecureBucketProps } from '../../../constructs/shared/secure-bucket';
import { SecureBucket } from '../../../constructs/shared/secure-bucket';
import { awsTestStack, listOfType, synthJson } from '../../support/synth';

const BASE: SecureBucketProps = {
  bucketName: 'wms-test-data-123456789012',
  purpose: 'test data',
  accountId: '123456789012',
};

function build(overrides: Partial<SecureBucketProps> = {}) {
  const stack = awsTestStack();
  const bucket = new SecureBucket(stack, 'Data', { ...BASE, ...overrides });
  return { bucket, json: synthJson(stack) };
}

type Row = Record<string, unknown>;
const one = (json: ReturnType<typeof synthJson>, type: string): Row => {
  const rows = listOfType(json, type);
  expect(rows).toHaveLength(1);
  return rows[0];
};

describe('SecureBucket', () => {
  describe('defaults', () => {
    const { bucket, json } = build();

    it('blocks every kind of public access and disables ACLs', () => {
      expect(one(json, 'aws_s3_bucket_public_access_block')).toMatchObject({
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      });
      expect(one(json, 'aws_s3_bucket_ownership_controls').rule).toEqual({
        object_ownership: 'BucketOwnerEnforced',
      });
    });

    it('versions objects and expires noncurrent versions after 90 days', () => {
      expect(one(json, 'aws_s3_bucket_versioning').versioning_configuration).toEqual({ status: 'Enabled' });
      const [rule] = one(json, 'aws_s3_bucket_lifecycle_configuration').rule as Row[];
      expect(rule.noncurrent_version_expiration).toEqual([{ noncurrent_days: 90 }]);
      expect(rule.expiration).toBeUndefined();
    });

    it('encrypts with its own rotating KMS key', () => {
      const [rule] = one(json, 'aws_s3_bucket_server_side_encryption_configuration').rule as Row[];
      expect(rule).toEqual({
        apply_server_side_encryption_by_default: {
          sse_algorithm: 'aws:kms',
          kms_master_key_id: expect.stringMatching(/aws_kms_key/),
        },
        bucket_key_enabled: true,
      });
      expect(one(json, 'aws_kms_key').enable_key_rotation).toBe(true);
      expect(bucket.key).toBeDefined();
    });

    it('denies every request without TLS', () => {
      const [statement] = JSON.parse(one(json, 'aws_s3_bucket_policy').policy as string).Statement;
      expect(statement).toMatchObject({
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      });
    });

    it('has no access logging unless asked', () => {
      expect(listOfType(json, 'aws_s3_bucket_logging')).toEqual([]);
    });
  });

  describe('options', () => {
    it('GIVEN s3 encryption THEN SSE-S3 and no key (what load balancer access logs require)', () => {
      const { bucket, json } = build({
        encryption: 's3',
        s3EncryptionReason: 'load balancer access logs need SSE-S3',
      });
      const [rule] = one(json, 'aws_s3_bucket_server_side_encryption_configuration').rule as Row[];
      expect(rule.apply_server_side_encryption_by_default).toEqual({ sse_algorithm: 'AES256' });
      expect(listOfType(json, 'aws_kms_key')).toEqual([]);
      expect(bucket.key).toBeUndefined();
    });

    it('GIVEN expirations, an access-log bucket and policy statements THEN they are applied', () => {
      const { json } = build({
        noncurrentVersionExpirationDays: 7,
        expirationDays: 30,
        accessLogsBucket: 'wms-test-access-logs',
        policyStatements: [
          {
            Sid: 'Extra',
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: 's3:PutObject',
            Resource: '*',
          },
        ],
      });
      const [rule] = one(json, 'aws_s3_bucket_lifecycle_configuration').rule as Row[];
      expect(rule).toMatchObject({
        noncurrent_version_expiration: [{ noncurrent_days: 7 }],
        expiration: [{ days: 30 }],
      });
      expect(one(json, 'aws_s3_bucket_logging')).toMatchObject({
        target_bucket: 'wms-test-access-logs',
        target_prefix: 'wms-test-data-123456789012/',
      });
      const statements = JSON.parse(one(json, 'aws_s3_bucket_policy').policy as string).Statement;
      expect(statements.map((s: Row) => s.Sid)).toEqual(['DenyWithoutTls', 'Extra']);
    });
  });

  describe('validation', () => {
    it.each([
      [
        { bucketName: 'Bad_Name' },
        /test\/Data: bucketName: "Bad_Name" is not allowed \(3-63 lowercase letters/,
      ],
      [{ noncurrentVersionExpirationDays: 0 }, /noncurrentVersionExpirationDays: 0 is not allowed/],
      [{ expirationDays: 1.5 }, /expirationDays: 1.5 is not allowed/],
      [
        { encryption: 's3' as const },
        /s3EncryptionReason: null is not allowed \(a reason exactly when encryption is "s3"\)/,
      ],
      [{ s3EncryptionReason: 'no reason to give' }, /s3EncryptionReason: "no reason to give" is not allowed/],
    ])('GIVEN %j THEN it throws naming the prop', (overrides, message) => {
      expect(() => build(overrides)).toThrow(message);
    });
  });
});
