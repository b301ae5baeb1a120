import type { BootstrapStateProps } from '../../../constructs/delivery/bootstrap-state';
import { BootstrapState } from '../../../constructs/delivery/bootstrap-state';
import { checkStacks } from '../../../guardrails/engine';
import { awsTestStack, resourcesOfType, synthJson } from '../../support/synth';

type Row = Record<string, unknown>;
const BASE: BootstrapStateProps = {
  bucketName: 'wms-tfstate-123456789012-eu-west-1',
  accountId: '123456789012',
  region: 'eu-west-1',
};
const STATE = 'arn:aws:s3:::wms-tfstate-123456789012-eu-west-1';

function build(overrides: Partial<BootstrapStateProps> = {}) {
  const stack = awsTestStack();
  const state = new BootstrapState(stack, 'State', { ...BASE, ...overrides });
  const json = synthJson(stack);
  const buckets = resourcesOfType(json, 'aws_s3_bucket');
  const idOf = (name: string) => Object.keys(buckets).find((id) => buckets[id].bucket === name) as string;
  const companion = (type: string, bucketName: string): Row => {
    const id = idOf(bucketName);
    const rows = Object.values(resourcesOfType(json, type)).filter(
      (row) => row.bucket === `\${aws_s3_bucket.${id}.id}`,
    );
    expect(rows).toHaveLength(1);
    return rows[0];
  };
  const policy = (bucketName: string) =>
    JSON.parse(companion('aws_s3_bucket_policy', bucketName).policy as string) as { Statement: Row[] };
  return { stack, state, json, buckets, idOf, companion, policy };
}

describe('BootstrapState', () => {
  describe('defaults', () => {
    const { stack, state, json, idOf, companion, policy } = build();
    const logs = 'wms-tfstate-123456789012-eu-west-1-access-logs';

    it('GIVEN no logBucketName THEN logs go to <bucketName>-access-logs', () => {
      expect(Object.values(resourcesOfType(json, 'aws_s3_bucket')).map((b) => b.bucket)).toEqual([
        logs,
        BASE.bucketName,
      ]);
      expect(state.logBucket.bucketName).toBe(logs);
    });

    it('the state bucket: KMS with its own rotating key, versioned, private, TLS-only', () => {
      const [rule] = companion('aws_s3_bucket_server_side_encryption_configuration', BASE.bucketName)
        .rule as Row[];
      expect(rule.apply_server_side_encryption_by_default).toMatchObject({ sse_algorithm: 'aws:kms' });
      expect(companion('aws_s3_bucket_versioning', BASE.bucketName).versioning_configuration).toEqual({
        status: 'Enabled',
      });
      expect(companion('aws_s3_bucket_public_access_block', BASE.bucketName)).toMatchObject({
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      });
      expect(policy(BASE.bucketName).Statement[0]).toMatchObject({
        Sid: 'DenyWithoutTls',
        Effect: 'Deny',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      });
      expect(state.keyAlias).toBe(`alias/${BASE.bucketName}`);
      const aliases = Object.values(resourcesOfType(json, 'aws_kms_alias')).map((a) => a.name);
      expect(aliases).toEqual([`alias/${BASE.bucketName}`]);
    });

    it('GIVEN no stateVersionRetentionDays THEN old state versions are kept 365 days, current ones forever', () => {
      const [rule] = companion('aws_s3_bucket_lifecycle_configuration', BASE.bucketName).rule as Row[];
      expect(rule.noncurrent_version_expiration).toEqual([{ noncurrent_days: 365 }]);
      expect(rule.expiration).toBeUndefined();
    });

    it('logs server access to the log bucket, under the state bucket name, waiting for the bucket', () => {
      const logging = companion('aws_s3_bucket_logging', BASE.bucketName);
      expect(logging.target_bucket).toBe(`\${aws_s3_bucket.${idOf(logs)}.bucket}`);
      expect(logging.target_prefix).toBe(`${BASE.bucketName}/`);
    });

    it('the log bucket: SSE-S3 (what log delivery supports), with the suppression saying so', () => {
      const [rule] = companion('aws_s3_bucket_server_side_encryption_configuration', logs).rule as Row[];
      expect(rule.apply_server_side_encryption_by_default).toEqual({ sse_algorithm: 'AES256' });
      expect(Object.keys(resourcesOfType(json, 'aws_kms_key'))).toHaveLength(1);
      const [result] = checkStacks([{ stackName: 'test', json: stack.toTerraform() }]).stacks;
      expect(result.findings.filter((f) => f.ruleId !== 'WMS_TAG_001')).toEqual([]);
      expect(result.suppressed.map((s) => [s.ruleId, s.address, s.reason])).toEqual([
        [
          'CKV_AWS_145',
          `aws_s3_bucket.${idOf(logs)}`,
          expect.stringMatching(/server access log delivery supports only SSE-S3/),
        ],
      ]);
    });

    it('GIVEN no accessLogRetentionDays THEN logs expire after 365 days, and are not logged themselves', () => {
      const [rule] = companion('aws_s3_bucket_lifecycle_configuration', logs).rule as Row[];
      expect(rule.expiration).toEqual([{ days: 365 }]);
      expect(Object.values(resourcesOfType(json, 'aws_s3_bucket_logging'))).toHaveLength(1);
    });

    it('lets only S3 log delivery for this bucket and account write the logs', () => {
      expect(policy(logs).Statement[1]).toEqual({
        Sid: 'S3ServerAccessLogDelivery',
        Effect: 'Allow',
        Principal: { Service: 'logging.s3.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: `arn:aws:s3:::${logs}/${BASE.bucketName}/*`,
        Condition: {
          ArnLike: { 'aws:SourceArn': STATE },
          StringEquals: { 'aws:SourceAccount': '123456789012' },
        },
      });
    });

    it('GIVEN no ciAccess THEN the state bucket policy only requires TLS', () => {
      expect(policy(BASE.bucketName).Statement).toHaveLength(1);
    });
  });

  describe('options', () => {
    it('GIVEN retention days and a log bucket name THEN uses them', () => {
      const { companion } = build({
        logBucketName: 'state-logs-123',
        stateVersionRetentionDays: 30,
        accessLogRetentionDays: 90,
      });
      const [stateRule] = companion('aws_s3_bucket_lifecycle_configuration', BASE.bucketName).rule as Row[];
      const [logRule] = companion('aws_s3_bucket_lifecycle_configuration', 'state-logs-123').rule as Row[];
      expect(stateRule.noncurrent_version_expiration).toEqual([{ noncurrent_days: 30 }]);
      expect(logRule.expiration).toEqual([{ days: 90 }]);
    });

    it('GIVEN ciAccess THEN each set of roles is denied every object but its keys and locks, and bucket changes', () => {
      const principalArns = ['arn:aws:iam::123456789012:role/wms-dev-github-plan'];
      const { policy } = build({
        ciAccess: [{ principalArns, keys: ['wms-dev-platform/terraform.tfstate'] }],
      });
      const [, own, keep] = policy(BASE.bucketName).Statement;
      expect(own).toEqual({
        Sid: 'CiRolesOwnKeysOnly0',
        Effect: 'Deny',
        Principal: '*',
        Action: [
          's3:GetObject',
          's3:GetObjectVersion',
          's3:PutObject',
          's3:DeleteObject',
          's3:DeleteObjectVersion',
        ],
        NotResource: [
          `${STATE}/wms-dev-platform/terraform.tfstate`,
          `${STATE}/wms-dev-platform/terraform.tfstate.tflock`,
        ],
        Condition: { ArnEquals: { 'aws:PrincipalArn': principalArns } },
      });
      expect(keep).toMatchObject({
        Sid: 'CiRolesKeepBucket0',
        Effect: 'Deny',
        Resource: [STATE, `${STATE}/*`],
        Condition: { ArnEquals: { 'aws:PrincipalArn': principalArns } },
      });
      expect(keep.Action).toEqual(
        expect.arrayContaining(['s3:DeleteObjectVersion', 's3:PutBucketPolicy', 's3:PutBucketVersioning']),
      );
    });
  });

  describe('accessStatements', () => {
    const { state } = build();

    it('GIVEN read THEN list, get the state, get/put/delete its lock, use the key through S3', () => {
      const resolved = state.accessStatements(['a/terraform.tfstate'], 'read');
      expect(resolved.map((s) => [s.Sid, s.Action, s.Resource])).toEqual([
        ['StateList', 's3:ListBucket', STATE],
        ['StateRead', 's3:GetObject', [`${STATE}/a/terraform.tfstate`]],
        [
          'StateLock',
          ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
          [`${STATE}/a/terraform.tfstate.tflock`],
        ],
        ['StateKey', ['kms:Decrypt', 'kms:GenerateDataKey'], expect.any(String)],
      ]);
      expect(resolved[3].Condition).toEqual({
        StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
      });
    });

    it('GIVEN write THEN also puts the state, but never deletes it', () => {
      const [, write] = state.accessStatements(['a/terraform.tfstate'], 'write');
      expect(write).toEqual({
        Sid: 'StateReadWrite',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject'],
        Resource: [`${STATE}/a/terraform.tfstate`],
      });
    });
  });

  describe('validation', () => {
    it.each([
      ['stateVersionRetentionDays', 0],
      ['accessLogRetentionDays', 1.5],
    ])('GIVEN %s %s THEN refuses', (prop, days) => {
      expect(() => build({ [prop]: days })).toThrow(
        new RegExp(`State: ${prop}: ${days} is not allowed \\(a whole number of days >= 1\\)`),
      );
    });

    it('GIVEN the state bucket as log bucket THEN refuses', () => {
      expect(() => build({ logBucketName: BASE.bucketName })).toThrow(
        /State: logBucketName: .* is not allowed \(a bucket other than the state bucket\)/,
      );
    });

    it('GIVEN a ciAccess entry without principals or keys THEN refuses', () => {
      expect(() => build({ ciAccess: [{ principalArns: [], keys: ['k'] }] })).toThrow(
        /State: ciAccess\[0\]: .* is not allowed \(at least one principal and one key\)/,
      );
      expect(() => build({ ciAccess: [{ principalArns: ['arn'], keys: [] }] })).toThrow(/ciAccess\[0\]/);
    });
  });
});
