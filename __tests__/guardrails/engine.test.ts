import { checkStack, checkStacks } from '../../guardrails/engine';
import { parseReference, StackModel } from '../../model/stack-model';

const TAGS = {
  Project: 'wms',
  Environment: 'prod',
  Owner: 'platform-team',
  CostCentre: 'CC-1042',
  ManagedBy: 'cdktf',
  Repository: 'acme/wms-platform',
};

/** A log group that passes every rule in every environment. */
const goodLogGroup = { kms_key_id: '${aws_kms_key.key.arn}', retention_in_days: 365 };

function stack(resource: object, wms?: object, extra: object = {}): object {
  return {
    '//': { metadata: { stackName: 's', version: '0.21.0' }, ...(wms ? { wms } : {}) },
    provider: { aws: [{ region: 'eu-west-1', default_tags: [{ tags: TAGS }] }] },
    resource,
    ...extra,
  };
}

function withMeta(body: object, suppressions?: object[]): object {
  return {
    ...body,
    '//': {
      metadata: { path: 's/logs/group', uniqueId: 'group' },
      ...(suppressions ? { suppressions } : {}),
    },
  };
}

const PROD = { environment: 'prod', production: true };
const DEV = { environment: 'dev', production: false };

describe('StackModel', () => {
  it('parses whole-string references, with dashes in logical ids', () => {
    expect(parseReference('${aws_kms_key.logs_key-1_ABCD.arn}')).toEqual({
      address: 'aws_kms_key.logs_key-1_ABCD',
      attribute: 'arn',
    });
    expect(parseReference('${data.aws_iam_policy_document.p.json}')).toEqual({
      address: 'data.aws_iam_policy_document.p',
      attribute: 'json',
    });
    expect(parseReference('${aws_eks_cluster.c.vpc_config[0].cluster_security_group_id}')).toEqual({
      address: 'aws_eks_cluster.c',
      attribute: 'vpc_config[0].cluster_security_group_id',
    });
    expect(parseReference('arn:${aws_kms_key.k.arn}')).toBeUndefined();
    expect(parseReference('${upper(aws_kms_key.k.arn)}')).toBeUndefined();
    expect(parseReference(42)).toBeUndefined();
  });

  it('resolves companion resources by reference and by literal name', () => {
    // GIVEN a bucket with a versioning resource by reference and a policy by literal bucket name
    const model = new StackModel(
      's',
      stack({
        aws_s3_bucket: { b: { bucket: 'wms-logs' }, other: { bucket: 'other' } },
        aws_s3_bucket_versioning: {
          v: { bucket: '${aws_s3_bucket.b.id}' },
          w: { bucket: '${aws_s3_bucket.b.arn}' },
        },
        aws_s3_bucket_policy: { p: { bucket: 'wms-logs' }, q: { bucket: 'other' } },
      }),
    );
    const bucket = model.get('aws_s3_bucket.b');
    expect(bucket).toBeDefined();
    if (!bucket) return;

    // THEN only matching attributes count: .id (not .arn) for versioning, the same literal for the policy
    expect(
      model
        .referrers(bucket, 'aws_s3_bucket_versioning', 'bucket', ['id', 'bucket'], 'bucket')
        .map((node) => node.name),
    ).toEqual(['v']);
    expect(
      model
        .referrers(bucket, 'aws_s3_bucket_policy', 'bucket', ['id', 'bucket'], 'bucket')
        .map((node) => node.name),
    ).toEqual(['p']);
    expect(model.referenced('${aws_s3_bucket.b.id}')).toBe(bucket);
    expect(model.referenced('${aws_s3_bucket.b.arn}', ['id'])).toBeUndefined();
    expect(model.referenced('${aws_s3_bucket.missing.id}')).toBeUndefined();
  });

  it('merges default_tags of the provider the resource uses, and gives up on expression tags', () => {
    const model = new StackModel('s', {
      provider: {
        aws: [
          { region: 'eu-west-1', default_tags: { tags: { Project: 'wms' } } },
          { alias: 'use1', region: 'us-east-1', default_tags: [{ tags: { Project: 'edge' } }] },
          { alias: 'dynamic', default_tags: [{ tags: '${var.tags}' }] },
        ],
      },
      resource: {
        aws_vpc: {
          a: {},
          b: { provider: 'aws.use1' },
          c: { provider: 'aws.dynamic' },
          d: { provider: 'aws.nope' },
        },
      },
    });
    const tags = (name: string) => model.defaultTags(model.get(`aws_vpc.${name}`) ?? model.resources[0]);
    expect(tags('a')).toEqual({ Project: 'wms' });
    expect(tags('b')).toEqual({ Project: 'edge' });
    expect(tags('c')).toBeUndefined();
    expect(tags('d')).toEqual({});
  });

  it('reads the environment, assuming production when the metadata is missing', () => {
    expect(new StackModel('s', stack({}, DEV)).environment).toEqual({
      name: 'dev',
      production: false,
      assumed: false,
    });
    expect(new StackModel('s', stack({}, PROD)).environment).toEqual({
      name: 'prod',
      production: true,
      assumed: false,
    });
    expect(new StackModel('s', stack({})).environment).toEqual({ production: true, assumed: true });
    expect(new StackModel('s', stack({}, { environment: 'x' })).environment.assumed).toBe(true);
  });

  it('rejects a stack that is not a JSON object', () => {
    expect(() => new StackModel('broken', [])).toThrow(/broken: the synthesized stack is not a JSON object/);
  });
});

describe('checkStack', () => {
  it('reports stack, address, construct path, rule, severity, message and fix', () => {
    // GIVEN an unencrypted log group
    const json = stack({ aws_cloudwatch_log_group: { lg: withMeta({ retention_in_days: 365 }) } }, PROD);

    // WHEN checked
    const result = checkStack({ stackName: 'wms-prod-platform', json });

    // THEN one finding says what is wrong and what to change
    expect(result.findings).toEqual([
      {
        ruleId: 'CKV_AWS_158',
        severity: 'high',
        stackName: 'wms-prod-platform',
        address: 'aws_cloudwatch_log_group.lg',
        constructPath: 's/logs/group',
        message: 'log group is not encrypted: kms_key_id is missing',
        fix: expect.stringMatching(/^set kms_key_id to a customer-managed KMS key ARN/),
      },
    ]);
    expect(result.resourceCount).toBe(1);
  });

  it('applies production-only rules to production stacks only, and to stacks without metadata', () => {
    // GIVEN the same cluster without deletion protection in three stacks
    const resource = { aws_rds_cluster: { db: { deletion_protection: false } } };
    const ids = (wms?: object) =>
      checkStack({ stackName: 's', json: stack(resource, wms) }).findings.map((finding) => finding.ruleId);

    // THEN CKV_AWS_139 fires in production and where the environment is unknown, not in dev
    expect(ids(PROD)).toContain('CKV_AWS_139');
    expect(ids(undefined)).toContain('CKV_AWS_139');
    expect(ids(DEV)).not.toContain('CKV_AWS_139');
    expect(ids(DEV)).toContain('CKV_AWS_96');
  });

  it('uses the environment-aware retention threshold', () => {
    const json = (wms: object) =>
      stack({ aws_cloudwatch_log_group: { lg: { kms_key_id: 'k', retention_in_days: 90 } } }, wms);
    expect(checkStack({ stackName: 's', json: json(PROD) }).findings.map((f) => f.ruleId)).toEqual([
      'CKV_AWS_338',
    ]);
    expect(checkStack({ stackName: 's', json: json(DEV) }).findings).toEqual([]);
  });

  it('reports the tags that are missing after merging default_tags with resource tags', () => {
    const json = {
      provider: {
        aws: [{ default_tags: [{ tags: { Project: 'wms', Environment: 'dev', Owner: 'team' } }] }],
      },
      resource: {
        aws_cloudwatch_log_group: { lg: { ...goodLogGroup, tags: { CostCentre: 'CC-1', Owner: '' } } },
      },
    };
    const [finding] = checkStack({ stackName: 's', json }).findings;
    expect(finding.ruleId).toBe('WMS_TAG_001');
    expect(finding.message).toBe(
      'resource is missing required tags after default_tags: Owner, ManagedBy, Repository are not set',
    );
  });

  it('moves a finding with a valid suppression to suppressed', () => {
    // GIVEN a log group suppressing the encryption rule with a reason
    const reason = 'the log group only receives public build metadata';
    const json = stack(
      {
        aws_cloudwatch_log_group: {
          lg: withMeta({ retention_in_days: 365 }, [{ id: 'CKV_AWS_158', reason }]),
        },
      },
      PROD,
    );

    // WHEN checked
    const result = checkStack({ stackName: 's', json });

    // THEN nothing fails and the suppression is reported with its reason
    expect(result.findings).toEqual([]);
    expect(result.stale).toEqual([]);
    expect(result.suppressed).toEqual([
      expect.objectContaining({ ruleId: 'CKV_AWS_158', address: 'aws_cloudwatch_log_group.lg', reason }),
    ]);
    expect(checkStacks([{ stackName: 's', json }]).passed).toBe(true);
  });

  it('reports stale suppressions: no matching finding, a rule for another type, an unknown id, a short reason', () => {
    // GIVEN a compliant log group with four bad suppressions (as hand-written JSON could have)
    const json = stack(
      {
        aws_cloudwatch_log_group: {
          lg: withMeta(goodLogGroup, [
            { id: 'CKV_AWS_158', reason: 'was unencrypted before the key existed' },
            { id: 'CKV_AWS_7', reason: 'rotation is handled by the security team' },
            { id: 'CKV_AWS_999', reason: 'a rule that does not exist at all' },
            { id: 'CKV_AWS_338', reason: 'short' },
          ]),
        },
      },
      PROD,
    );

    // WHEN checked
    const result = checkStack({ stackName: 's', json });

    // THEN each is stale with its own problem, and the report fails
    expect(result.stale.map((entry) => [entry.ruleId, entry.problem])).toEqual([
      ['CKV_AWS_158', 'CKV_AWS_158 reports nothing on this resource any more; remove the suppression'],
      ['CKV_AWS_7', 'CKV_AWS_7 does not check aws_cloudwatch_log_group resources; remove the suppression'],
      ['CKV_AWS_999', '"CKV_AWS_999" is not a guardrails rule id'],
      ['CKV_AWS_338', 'the reason is shorter than 10 characters'],
    ]);
    expect(result.stale[0]).toEqual(
      expect.objectContaining({
        stackName: 's',
        address: 'aws_cloudwatch_log_group.lg',
        constructPath: 's/logs/group',
      }),
    );
    expect(checkStacks([{ stackName: 's', json }]).passed).toBe(false);
  });

  it('does not let a suppression with a short reason silence its finding', () => {
    const json = stack(
      {
        aws_cloudwatch_log_group: {
          lg: withMeta({ retention_in_days: 365 }, [{ id: 'CKV_AWS_158', reason: ' tiny    ' }]),
        },
      },
      PROD,
    );
    const result = checkStack({ stackName: 's', json });
    expect(result.findings.map((finding) => finding.ruleId)).toEqual(['CKV_AWS_158']);
    expect(result.suppressed).toEqual([]);
    expect(result.stale.map((entry) => entry.problem)).toEqual(['the reason is shorter than 10 characters']);
  });

  it('does not call a suppression of a production-only rule stale outside production', () => {
    // GIVEN a construct that suppresses deletion protection, synthesized for dev and for prod
    const resource = {
      aws_lb: {
        lb: withMeta(
          { load_balancer_type: 'network', internal: true, access_logs: { bucket: 'b', enabled: true } },
          [{ id: 'CKV_AWS_150', reason: 'recreated by blue/green cut-overs' }],
        ),
      },
    };

    // THEN dev has neither a finding nor a stale suppression; prod has it suppressed
    const dev = checkStack({ stackName: 'dev', json: stack(resource, DEV) });
    const prod = checkStack({ stackName: 'prod', json: stack(resource, PROD) });
    expect([dev.findings, dev.stale, dev.suppressed]).toEqual([[], [], []]);
    expect(prod.suppressed.map((entry) => entry.ruleId)).toEqual(['CKV_AWS_150']);
    expect(prod.stale).toEqual([]);
  });

  it('ignores data sources and sorts findings by address then rule id', () => {
    const json = stack(
      {
        aws_kms_key: { b: { enable_key_rotation: false } },
        aws_cloudwatch_log_group: { a: { retention_in_days: 1 } },
      },
      PROD,
      { data: { aws_cloudwatch_log_group: { ignored: {} } } },
    );
    const result = checkStack({ stackName: 's', json });
    expect(result.findings.map((finding) => `${finding.address} ${finding.ruleId}`)).toEqual([
      'aws_cloudwatch_log_group.a CKV_AWS_158',
      'aws_cloudwatch_log_group.a CKV_AWS_338',
      'aws_kms_key.b CKV_AWS_7',
    ]);
  });
});
