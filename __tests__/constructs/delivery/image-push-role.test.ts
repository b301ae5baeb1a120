import type { ImagePushRoleProps } from '../../../constructs/delivery/image-push-role';
import { IMAGE_PUSH_ACTIONS, ImagePushRole } from '../../../constructs/delivery/image-push-role';
import { awsTestStack, listOfType, synthJson } from '../../support/synth';

const REPO_ARN = 'arn:aws:ecr:eu-west-1:333333333333:repository/wms-api';
const BASE: ImagePushRoleProps = {
  roleName: 'wms-github-push-wms-api',
  provider: { providerArn: 'arn:aws:iam::333333333333:oidc-provider/token.actions.githubusercontent.com' },
  repository: 'acme/wms-api',
  refs: ['refs/tags/v*'],
  repositoryArns: [REPO_ARN],
};

function build(overrides: Partial<ImagePushRoleProps> = {}) {
  const stack = awsTestStack();
  const role = new ImagePushRole(stack, 'Push', { ...BASE, ...overrides });
  return { role, json: synthJson(stack) };
}

describe('ImagePushRole', () => {
  const { role, json } = build({ refs: ['refs/heads/main', 'refs/tags/v*'] });
  const [iamRole] = listOfType(json, 'aws_iam_role');
  const [trust] = JSON.parse(iamRole.assume_role_policy as string).Statement;
  const [policy] = listOfType(json, 'aws_iam_role_policy');
  const statements = JSON.parse(policy.policy as string).Statement as Record<string, unknown>[];

  it('trusts the exact repository on the listed refs only, audience sts.amazonaws.com', () => {
    expect(trust.Action).toBe('sts:AssumeRoleWithWebIdentity');
    expect(trust.Condition).toEqual({
      StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
      StringLike: {
        'token.actions.githubusercontent.com:sub': [
          'repo:acme/wms-api:ref:refs/heads/main',
          'repo:acme/wms-api:ref:refs/tags/v*',
        ],
      },
    });
    expect(role.subjects).toHaveLength(2);
  });

  it('may log in to ECR, push and read its own repositories, and nothing else', () => {
    expect(statements).toEqual([
      { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      { Sid: 'PushOwnImages', Effect: 'Allow', Action: [...IMAGE_PUSH_ACTIONS], Resource: [REPO_ARN] },
      {
        Sid: 'ReadOwnScanFindings',
        Effect: 'Allow',
        Action: ['ecr:DescribeImages', 'ecr:DescribeImageScanFindings'],
        Resource: [REPO_ARN],
      },
    ]);
    expect(IMAGE_PUSH_ACTIONS.filter((action) => /Delete|Policy|Mutability/.test(action))).toEqual([]);
  });

  it.each(['acme/*', 'acme', '*/wms-api', 'acme/wms-api:ref'])(
    'GIVEN repository %s THEN refuses',
    (repository) => {
      expect(() => build({ repository })).toThrow(
        /Push: repository: .* is not allowed \(one repository as <owner>\/<name>/,
      );
    },
  );

  it.each(['*', 'refs/*', 'refs/tags/*', 'main', 'refs/pull/1/merge', 'refs/heads/ma?n'])(
    'GIVEN ref %s THEN refuses (a wildcard may not widen past a branch or tag prefix)',
    (ref) => {
      expect(() => build({ refs: [ref] })).toThrow(
        /Push: refs\[0\]: .* is not allowed \(refs\/heads\/<branch> or refs\/tags\/<tag>/,
      );
    },
  );

  it('GIVEN no refs or no repositories THEN refuses', () => {
    expect(() => build({ refs: [] })).toThrow(/refs: \[\] is not allowed \(at least one ref/);
    expect(() => build({ repositoryArns: [] })).toThrow(/repositoryArns: \[\] is not allowed/);
  });
});
