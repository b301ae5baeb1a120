import type { BootstrapCiRolesProps } from '../../../constructs/delivery/bootstrap-ci-roles';
import { BootstrapCiRoles, ciRoleNames } from '../../../constructs/delivery/bootstrap-ci-roles';
import { BootstrapState } from '../../../constructs/delivery/bootstrap-state';
import { GithubOidcProvider } from '../../../constructs/delivery/github-oidc-provider';
import { checkStacks } from '../../../guardrails/engine';
import { awsTestStack, listOfType, resourcesOfType, synthJson } from '../../support/synth';
import { githubClaims, mayAssume } from '../../support/trust-policy';

type Row = Record<string, unknown>;
type Statement = Row & { Sid: string; Effect: string };
const ACCOUNT = '123456789012';
const STATE = 'arn:aws:s3:::wms-tfstate-123456789012-eu-west-1';
const KEYS = ['wms-dev-platform/terraform.tfstate', 'wms-dev-app/terraform.tfstate'];

function build(overrides: Partial<BootstrapCiRolesProps> = {}) {
  const stack = awsTestStack();
  const provider = new GithubOidcProvider(stack, 'GithubOidc');
  const state = new BootstrapState(stack, 'State', {
    bucketName: 'wms-tfstate-123456789012-eu-west-1',
    accountId: ACCOUNT,
    region: 'eu-west-1',
  });
  const roles = new BootstrapCiRoles(stack, 'CiRolesDev', {
    namePrefix: 'wms-dev',
    githubEnvironment: 'dev',
    repository: 'acme/wms-platform',
    accountId: ACCOUNT,
    provider,
    state,
    stateKeys: KEYS,
    environmentTag: { key: 'Environment', value: 'dev' },
    ...overrides,
  });
  const json = synthJson(stack);
  const roleRows = resourcesOfType(json, 'aws_iam_role');
  const roleId = (name: string) => Object.keys(roleRows).find((id) => roleRows[id].name === name) as string;
  const role = (name: string) => roleRows[roleId(name)];
  const inline = (name: string): Statement[] => {
    const [policy] = listOfType(json, 'aws_iam_role_policy').filter(
      (p) => p.role === `\${aws_iam_role.${roleId(name)}.id}`,
    );
    return JSON.parse(policy.policy as string).Statement;
  };
  const attached = (name: string) =>
    listOfType(json, 'aws_iam_role_policy_attachment')
      .filter((a) => a.role === `\${aws_iam_role.${roleId(name)}.name}`)
      .map((a) => a.policy_arn);
  const [boundary] = listOfType(json, 'aws_iam_policy');
  const boundaryStatements = JSON.parse(boundary.policy as string).Statement as Statement[];
  const bySid = (statements: Statement[], sid: string) => statements.find((s) => s.Sid === sid) as Statement;
  const [providerId] = Object.keys(resourcesOfType(json, 'aws_iam_openid_connect_provider'));
  const principal = `\${aws_iam_openid_connect_provider.${providerId}.arn}`;
  return { stack, roles, json, role, inline, attached, boundary, boundaryStatements, bySid, principal };
}

describe('ciRoleNames', () => {
  it('names the plan and apply roles and the boundary after the environment prefix', () => {
    expect(ciRoleNames('wms-dev')).toEqual({
      plan: 'wms-dev-github-plan',
      apply: 'wms-dev-github-apply',
      boundary: 'wms-dev-github-apply-boundary',
    });
  });
});

describe('BootstrapCiRoles', () => {
  const built = build();
  const { role, inline, attached, boundary, boundaryStatements, bySid, principal } = built;

  describe('the plan role', () => {
    const trust = JSON.parse(role('wms-dev-github-plan').assume_role_policy as string);

    it('is assumed by pull requests and main-branch runs (deploy plans, drift) of the repository only', () => {
      expect(mayAssume(trust, principal, githubClaims('repo:acme/wms-platform:pull_request'))).toBe(true);
      expect(mayAssume(trust, principal, githubClaims('repo:acme/wms-platform:ref:refs/heads/main'))).toBe(
        true,
      );
      expect(mayAssume(trust, principal, githubClaims('repo:acme/wms-platform:ref:refs/heads/feature'))).toBe(
        false,
      );
      expect(mayAssume(trust, principal, githubClaims('repo:other/wms-platform:ref:refs/heads/main'))).toBe(
        false,
      );
      expect(mayAssume(trust, principal, githubClaims('repo:acme/wms-platform:environment:dev'))).toBe(false);
    });

    it('reads with AWS ReadOnlyAccess and has no boundary (it writes nothing but lock files)', () => {
      expect(attached('wms-dev-github-plan')).toEqual(['arn:aws:iam::aws:policy/ReadOnlyAccess']);
      expect(role('wms-dev-github-plan').permissions_boundary).toBeUndefined();
    });

    it('reads its state keys and takes their locks, nothing more in the state bucket', () => {
      const statements = inline('wms-dev-github-plan');
      expect(bySid(statements, 'StateRead')).toMatchObject({
        Action: 's3:GetObject',
        Resource: KEYS.map((key) => `${STATE}/${key}`),
      });
      expect(bySid(statements, 'StateLock')).toMatchObject({
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        Resource: KEYS.map((key) => `${STATE}/${key}.tflock`),
      });
      const writes = statements.filter(
        (s) => s.Effect === 'Allow' && [s.Action].flat().some((action) => action === 's3:PutObject'),
      );
      expect(writes.flatMap((s) => [s.Resource].flat())).toEqual(KEYS.map((key) => `${STATE}/${key}.tflock`));
    });

    it('is denied data reads: secrets, parameters, log events, messages, items, and objects outside its state', () => {
      const statements = inline('wms-dev-github-plan');
      expect(bySid(statements, 'DenyDataReads')).toMatchObject({ Effect: 'Deny', Resource: '*' });
      expect(bySid(statements, 'DenyDataReads').Action).toEqual(
        expect.arrayContaining([
          'secretsmanager:GetSecretValue',
          'ssm:GetParameter',
          'logs:GetLogEvents',
          'sqs:ReceiveMessage',
          'dynamodb:Scan',
        ]),
      );
      expect(bySid(statements, 'DenyObjectReadsOutsideState')).toEqual({
        Sid: 'DenyObjectReadsOutsideState',
        Effect: 'Deny',
        Action: ['s3:GetObject', 's3:GetObjectVersion'],
        NotResource: KEYS.flatMap((key) => [`${STATE}/${key}`, `${STATE}/${key}.tflock`]),
      });
    });
  });

  describe('the plan role with planParameterArns (the sources of sensitive variables)', () => {
    const PARAMETER = `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/wms/dev/alerting/pagerduty-cloudwatch-url`;
    const statements = build({ planParameterArns: [PARAMETER] }).inline('wms-dev-github-plan');

    it('reads exactly those parameters: every other value stays denied', () => {
      expect(bySid(statements, 'DenyDataReads').Action).not.toContain('ssm:GetParameter');
      expect(bySid(statements, 'DenyDataReads').Action).toEqual(
        expect.arrayContaining([
          'ssm:GetParameters',
          'ssm:GetParametersByPath',
          'secretsmanager:GetSecretValue',
        ]),
      );
      expect(bySid(statements, 'DenyOtherParameterReads')).toEqual({
        Sid: 'DenyOtherParameterReads',
        Effect: 'Deny',
        Action: 'ssm:GetParameter',
        NotResource: [PARAMETER],
      });
      expect(bySid(statements, 'ReadPlanParameters')).toMatchObject({
        Effect: 'Allow',
        Resource: [PARAMETER],
      });
    });

    it('decrypts only through SSM and only for those parameters (the SecureString encryption context)', () => {
      expect(bySid(statements, 'DecryptPlanParameters')).toEqual({
        Sid: 'DecryptPlanParameters',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: `arn:aws:kms:*:${ACCOUNT}:key/*`,
        Condition: {
          StringEquals: {
            'kms:EncryptionContext:PARAMETER_ARN': [PARAMETER],
            'kms:ViaService': ['ssm.eu-west-1.amazonaws.com'],
          },
        },
      });
    });

    it('by default reads no parameter and decrypts nothing', () => {
      const plain = inline('wms-dev-github-plan');
      expect(plain.map((statement) => statement.Sid)).not.toContain('ReadPlanParameters');
      // The state key's decryption (through S3) is the only one.
      expect(
        plain.filter((statement) => [statement.Action].flat().includes('kms:Decrypt')).map((s) => s.Sid),
      ).toEqual(['StateKey']);
      expect(bySid(plain, 'DenyDataReads').Action).toContain('ssm:GetParameter');
    });
  });

  describe('the apply role', () => {
    const trust = JSON.parse(role('wms-dev-github-apply').assume_role_policy as string);

    it("is assumed by jobs of the environment's GitHub environment only, never by a pull request", () => {
      expect(mayAssume(trust, principal, githubClaims('repo:acme/wms-platform:environment:dev'))).toBe(true);
      expect(mayAssume(trust, principal, githubClaims('repo:acme/wms-platform:pull_request'))).toBe(false);
      expect(mayAssume(trust, principal, githubClaims('repo:acme/wms-platform:ref:refs/heads/main'))).toBe(
        false,
      );
    });

    it('has PowerUserAccess (no IAM), under its boundary', () => {
      expect(attached('wms-dev-github-apply')).toEqual(['arn:aws:iam::aws:policy/PowerUserAccess']);
      const [boundaryId] = Object.keys(resourcesOfType(built.json, 'aws_iam_policy'));
      expect(role('wms-dev-github-apply').permissions_boundary).toBe(`\${aws_iam_policy.${boundaryId}.arn}`);
      expect(boundary.name).toBe('wms-dev-github-apply-boundary');
    });

    it('reads and writes its state, never deletes it', () => {
      const statements = inline('wms-dev-github-apply');
      expect(bySid(statements, 'StateReadWrite')).toMatchObject({
        Action: ['s3:GetObject', 's3:PutObject'],
        Resource: KEYS.map((key) => `${STATE}/${key}`),
      });
    });

    it("writes IAM only for the environment's own roles, policies and instance profiles, and service-linked roles", () => {
      const statements = inline('wms-dev-github-apply');
      expect(bySid(statements, 'IamRead')).toMatchObject({
        Action: ['iam:Get*', 'iam:List*'],
        Resource: '*',
      });
      expect(bySid(statements, 'IamEnvironmentRoles').Resource).toEqual([
        `arn:aws:iam::${ACCOUNT}:role/wms-dev-*`,
        `arn:aws:iam::${ACCOUNT}:policy/wms-dev-*`,
        `arn:aws:iam::${ACCOUNT}:instance-profile/wms-dev-*`,
      ]);
      expect(bySid(statements, 'IamEnvironmentRoles').Action).not.toContain('iam:CreateUser');
      expect(bySid(statements, 'ServiceLinkedRoles')).toMatchObject({
        Action: 'iam:CreateServiceLinkedRole',
        Resource: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/*`,
      });
      const allowed = statements.filter((s) => s.Effect === 'Allow');
      expect(allowed.map((s) => s.Sid)).toEqual([
        'StateList',
        'StateReadWrite',
        'StateLock',
        'StateKey',
        'IamRead',
        'IamEnvironmentRoles',
        'ServiceLinkedRoles',
      ]);
    });
  });

  describe("the apply role's boundary", () => {
    it('caps nothing by itself (Allow *, the suppressed guardrails) and denies escalation', () => {
      expect(boundaryStatements[0]).toEqual({ Sid: 'Ceiling', Effect: 'Allow', Action: '*', Resource: '*' });
      expect(boundaryStatements.slice(1).every((s) => s.Effect === 'Deny')).toBe(true);
      expect(bySid(boundaryStatements, 'DenyEscalation').Action).toEqual(
        expect.arrayContaining([
          'iam:CreateUser',
          'iam:CreateAccessKey',
          'iam:CreateLoginProfile',
          'iam:DeleteRolePermissionsBoundary',
          'organizations:*',
        ]),
      );
    });

    it('denies changing any CI role (push roles included), any CI boundary or the GitHub OIDC provider (reads stay allowed)', () => {
      expect(bySid(boundaryStatements, 'DenyCiIdentityChanges')).toEqual({
        Sid: 'DenyCiIdentityChanges',
        Effect: 'Deny',
        NotAction: ['iam:Get*', 'iam:List*'],
        Resource: [
          `arn:aws:iam::${ACCOUNT}:role/*-github-plan`,
          `arn:aws:iam::${ACCOUNT}:role/*-github-apply`,
          `arn:aws:iam::${ACCOUNT}:role/*-github-push-*`,
          `arn:aws:iam::${ACCOUNT}:policy/*-github-apply-boundary`,
          `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
        ],
      });
    });

    it('denies changing the state and log buckets, erasing state history and touching the logs', () => {
      expect(bySid(boundaryStatements, 'DenyStateBucketChanges').Action).toEqual(
        expect.arrayContaining(['s3:PutBucketPolicy', 's3:DeleteBucket', 's3:PutBucketVersioning']),
      );
      expect((bySid(boundaryStatements, 'DenyStateBucketChanges').Resource as string[])[0]).toBe(STATE);
      expect(bySid(boundaryStatements, 'DenyStateVersionDeletion')).toMatchObject({
        Action: 's3:DeleteObjectVersion',
        Resource: `${STATE}/*`,
      });
      expect(bySid(boundaryStatements, 'DenyStateHistoryAndLogChanges').Action).toEqual([
        's3:DeleteObjectVersion',
        's3:PutObject',
        's3:DeleteObject',
      ]);
    });

    it('GIVEN no protected keys or repositories THEN protects the state key, and has no repository statement', () => {
      const keys = bySid(boundaryStatements, 'DenyBootstrapKeyAdministration');
      expect(keys.NotAction).toEqual(expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey*']));
      expect(keys.Resource).toEqual([expect.stringMatching(/^\$\{aws_kms_key\.State_Key_\w+\.arn\}$/)]);
      expect(bySid(boundaryStatements, 'DenyBootstrapRepositoryChanges')).toBeUndefined();
    });

    it('denies acting on EC2, EKS, RDS, ... resources tagged for another environment', () => {
      expect(bySid(boundaryStatements, 'DenyOtherEnvironments')).toMatchObject({
        Effect: 'Deny',
        Resource: '*',
        Condition: {
          StringNotEquals: { 'aws:ResourceTag/Environment': 'dev' },
          Null: { 'aws:ResourceTag/Environment': 'false' },
        },
      });
      expect(bySid(boundaryStatements, 'DenyOtherEnvironments').Action).toEqual(
        expect.arrayContaining(['ec2:*', 'eks:*', 'rds:*']),
      );
      expect(bySid(boundaryStatements, 'DenyOtherEnvironments').Action).not.toContain('kms:*');
    });

    it('stays under the 6,144-character limit of a managed policy', () => {
      expect((boundary.policy as string).replace(/\s/g, '').length).toBeLessThan(6144);
    });
  });

  it('GIVEN no maxSessionDurationSeconds THEN both roles keep sessions to one hour', () => {
    expect(role('wms-dev-github-plan').max_session_duration).toBe(3600);
    expect(role('wms-dev-github-apply').max_session_duration).toBe(3600);
  });

  it('passes the guardrails; the only suppressions are the boundary ceiling, with its reason', () => {
    const [result] = checkStacks([{ stackName: 'test', json: built.stack.toTerraform() }]).stacks;
    expect(result.findings.filter((f) => f.ruleId !== 'WMS_TAG_001')).toEqual([]);
    expect(result.stale).toEqual([]);
    expect(result.suppressed.filter((s) => s.address.startsWith('aws_iam')).map((s) => s.ruleId)).toEqual([
      'CKV_AWS_62',
      'CKV_AWS_63',
    ]);
    expect(result.suppressed[0].reason).toMatch(/A permissions boundary grants nothing/);
  });

  describe('options', () => {
    it('GIVEN protected keys and repositories THEN the boundary protects them too', () => {
      const { boundaryStatements: statements, bySid: find } = build({
        protectedKeyArns: ['arn:aws:kms:eu-west-1:123456789012:key/ecr'],
        protectedRepositoryArns: ['arn:aws:ecr:eu-west-1:123456789012:repository/wms-api'],
      });
      expect((find(statements, 'DenyBootstrapKeyAdministration').Resource as string[])[1]).toBe(
        'arn:aws:kms:eu-west-1:123456789012:key/ecr',
      );
      expect(find(statements, 'DenyBootstrapRepositoryChanges')).toMatchObject({
        Effect: 'Deny',
        Resource: ['arn:aws:ecr:eu-west-1:123456789012:repository/wms-api'],
      });
    });

    it('GIVEN maxSessionDurationSeconds THEN both roles use it', () => {
      const { role: find } = build({ maxSessionDurationSeconds: 7200 });
      expect(find('wms-dev-github-plan').max_session_duration).toBe(7200);
      expect(find('wms-dev-github-apply').max_session_duration).toBe(7200);
    });
  });

  describe('validation', () => {
    it('GIVEN no state keys THEN refuses', () => {
      expect(() => build({ stateKeys: [] })).toThrow(
        /CiRolesDev: stateKeys: \[\] is not allowed \(at least one state key\)/,
      );
    });

    it.each(['', 'wms dev', 'x'.repeat(41)])('GIVEN namePrefix %j THEN refuses', (namePrefix) => {
      expect(() => build({ namePrefix })).toThrow(/CiRolesDev: namePrefix: .* is not allowed/);
    });
  });
});
