import { GithubOidcProvider } from '../../../constructs/delivery/github-oidc-provider';
import type { GithubOidcRoleProps } from '../../../constructs/delivery/github-oidc-role';
import { GithubOidcRole, githubSubject } from '../../../constructs/delivery/github-oidc-role';
import { awsTestStack, listOfType, resourcesOfType, synthJson } from '../../support/synth';
import { githubClaims, mayAssume, stringLike } from '../../support/trust-policy';

type Row = Record<string, unknown>;
const REPOSITORY = 'acme/wms-platform';

function build(overrides: Partial<GithubOidcRoleProps> = {}) {
  const stack = awsTestStack();
  const provider = new GithubOidcProvider(stack, 'GithubOidc');
  const role = new GithubOidcRole(stack, 'Ci', {
    roleName: 'wms-prod-github-apply',
    description: 'applies prod',
    provider,
    repository: REPOSITORY,
    trigger: { environment: 'prod' },
    ...overrides,
  });
  const json = synthJson(stack);
  const [resource] = listOfType(json, 'aws_iam_role');
  const [providerId] = Object.keys(resourcesOfType(json, 'aws_iam_openid_connect_provider'));
  const principal = `\${aws_iam_openid_connect_provider.${providerId}.arn}`;
  return { role, json, resource, principal, trust: JSON.parse(resource.assume_role_policy as string) };
}

describe('githubSubject', () => {
  it('GIVEN pull requests THEN the pull_request subject of the repository', () => {
    expect(githubSubject(REPOSITORY, { pullRequest: true })).toBe('repo:acme/wms-platform:pull_request');
  });

  it('GIVEN an environment THEN the environment subject of the repository', () => {
    expect(githubSubject(REPOSITORY, { environment: 'prod' })).toBe(
      'repo:acme/wms-platform:environment:prod',
    );
  });
});

describe('the trust-policy evaluator', () => {
  const policy = {
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: 'provider' },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { 'k:aud': 'sts' }, StringLike: { 'k:sub': ['repo:a/b:*', 'x?z'] } },
      },
    ],
  };

  it('GIVEN every condition holds THEN allows; GIVEN one fails or a claim is missing THEN refuses', () => {
    expect(mayAssume(policy, 'provider', { 'k:aud': 'sts', 'k:sub': 'repo:a/b:pull_request' })).toBe(true);
    expect(mayAssume(policy, 'provider', { 'k:aud': 'sts', 'k:sub': 'xyz' })).toBe(true);
    expect(mayAssume(policy, 'provider', { 'k:aud': 'other', 'k:sub': 'repo:a/b:pull_request' })).toBe(false);
    expect(mayAssume(policy, 'provider', { 'k:aud': 'sts', 'k:sub': 'repo:a/c:pull_request' })).toBe(false);
    expect(mayAssume(policy, 'provider', { 'k:sub': 'repo:a/b:pull_request' })).toBe(false);
  });

  it('GIVEN another principal or action THEN refuses', () => {
    expect(mayAssume(policy, 'other', { 'k:aud': 'sts', 'k:sub': 'xyz' })).toBe(false);
    const otherAction = { Statement: [{ ...policy.Statement[0], Action: 'sts:AssumeRole' }] };
    expect(mayAssume(otherAction, 'provider', { 'k:aud': 'sts', 'k:sub': 'xyz' })).toBe(false);
  });

  it('GIVEN a matching Deny THEN refuses whatever the Allow says', () => {
    const denied = {
      Statement: [
        ...policy.Statement,
        {
          Effect: 'Deny',
          Principal: '*',
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringEquals: { 'k:sub': 'xyz' } },
        },
      ],
    };
    expect(mayAssume(denied, 'provider', { 'k:aud': 'sts', 'k:sub': 'xyz' })).toBe(false);
    expect(mayAssume(denied, 'provider', { 'k:aud': 'sts', 'k:sub': 'repo:a/b:main' })).toBe(true);
  });

  it('StringLike: * is any run, ? one character, the rest literal and case-sensitive', () => {
    expect(stringLike('repo:a/*', 'repo:a/b:c')).toBe(true);
    expect(stringLike('a?c', 'abc')).toBe(true);
    expect(stringLike('a?c', 'ac')).toBe(false);
    expect(stringLike('a.c', 'abc')).toBe(false);
    expect(stringLike('repo:A/*', 'repo:a/b')).toBe(false);
  });

  it('GIVEN an operator it does not know THEN refuses to guess', () => {
    const other = { Statement: [{ ...policy.Statement[0], Condition: { ForAnyValue: { 'k:sub': 'x' } } }] };
    expect(() => mayAssume(other, 'provider', { 'k:sub': 'x' })).toThrow(/ForAnyValue is not supported/);
  });
});

describe('GithubOidcRole', () => {
  describe('trust policy', () => {
    it('GIVEN an environment trigger THEN exact StringEquals on aud and the environment subject, nothing else', () => {
      const { trust, principal, role } = build();
      expect(trust.Statement).toEqual([
        {
          Sid: 'GithubActionsOidc',
          Effect: 'Allow',
          Principal: { Federated: principal },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: {
              'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
              'token.actions.githubusercontent.com:sub': 'repo:acme/wms-platform:environment:prod',
            },
          },
        },
      ]);
      expect(role.subject).toBe('repo:acme/wms-platform:environment:prod');
    });

    it('GIVEN branches THEN their exact ref subjects are trusted too, as a StringEquals list', () => {
      const { role, trust } = build({ trigger: { pullRequest: true }, branches: ['main'] });
      expect(trust.Statement[0].Condition.StringEquals['token.actions.githubusercontent.com:sub']).toEqual([
        'repo:acme/wms-platform:pull_request',
        'repo:acme/wms-platform:ref:refs/heads/main',
      ]);
      expect(role.subjects).toHaveLength(2);
      expect(() => build({ branches: ['ma*n'] })).toThrow(/branches: "ma\*n" is not allowed \(a branch name/);
    });

    it('GIVEN a pull-request trigger THEN the sub is exactly the pull_request subject of the repository', () => {
      const { trust } = build({ trigger: { pullRequest: true } });
      expect(trust.Statement[0].Condition).toEqual({
        StringEquals: {
          'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
          'token.actions.githubusercontent.com:sub': 'repo:acme/wms-platform:pull_request',
        },
      });
    });

    describe('evaluated against sample tokens', () => {
      const apply = build();
      const plan = build({ trigger: { pullRequest: true } });
      const cases: [string, string, boolean, boolean][] = [
        // token, sub, plan may assume, apply may assume
        ['a pull request', 'repo:acme/wms-platform:pull_request', true, false],
        ['a push to main', 'repo:acme/wms-platform:ref:refs/heads/main', false, false],
        ['a job in the prod environment', 'repo:acme/wms-platform:environment:prod', false, true],
        ['a job in another environment', 'repo:acme/wms-platform:environment:staging', false, false],
        ['another repository of the owner', 'repo:acme/other:pull_request', false, false],
        ['a fork (its own workflows)', 'repo:mallory/wms-platform:pull_request', false, false],
        ['a fork in the prod environment', 'repo:mallory/wms-platform:environment:prod', false, false],
        ['a look-alike repository name', 'repo:acme/wms-platform-fork:environment:prod', false, false],
        ['a case variant', 'repo:ACME/wms-platform:environment:prod', false, false],
        ['a tag push', 'repo:acme/wms-platform:ref:refs/tags/v1.0.0', false, false],
      ];
      it.each(cases)('GIVEN %s (%s) THEN plan %s, apply %s', (_name, sub, planAllowed, applyAllowed) => {
        expect(mayAssume(plan.trust, plan.principal, githubClaims(sub))).toBe(planAllowed);
        expect(mayAssume(apply.trust, apply.principal, githubClaims(sub))).toBe(applyAllowed);
      });

      it('GIVEN the right subject but another audience THEN neither role', () => {
        const wrong = 'https://github.com/acme';
        expect(
          mayAssume(plan.trust, plan.principal, githubClaims('repo:acme/wms-platform:pull_request', wrong)),
        ).toBe(false);
        expect(
          mayAssume(
            apply.trust,
            apply.principal,
            githubClaims('repo:acme/wms-platform:environment:prod', wrong),
          ),
        ).toBe(false);
      });

      it('GIVEN a token from another identity provider THEN neither role', () => {
        const claims = githubClaims('repo:acme/wms-platform:environment:prod');
        expect(mayAssume(apply.trust, 'arn:aws:iam::123456789012:oidc-provider/other', claims)).toBe(false);
      });
    });
  });

  describe('defaults', () => {
    const { json, resource } = build();

    it('GIVEN no maxSessionDurationSeconds THEN sessions last at most one hour', () => {
      expect(resource.max_session_duration).toBe(3600);
    });

    it('GIVEN no boundary, statements or managed policies THEN none', () => {
      expect(resource.permissions_boundary).toBeUndefined();
      expect(listOfType(json, 'aws_iam_role_policy')).toEqual([]);
      expect(listOfType(json, 'aws_iam_role_policy_attachment')).toEqual([]);
    });

    it('names and describes the role as given', () => {
      expect(resource).toMatchObject({ name: 'wms-prod-github-apply', description: 'applies prod' });
    });
  });

  describe('options', () => {
    it('GIVEN statements THEN one inline policy named permissions holds them', () => {
      const statement = { Effect: 'Allow' as const, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/k' };
      const { json } = build({ statements: [statement] });
      const policies = listOfType(json, 'aws_iam_role_policy');
      expect(policies).toHaveLength(1);
      expect(policies[0].name).toBe('permissions');
      expect(JSON.parse(policies[0].policy as string).Statement).toEqual([statement]);
    });

    it('GIVEN managed policies THEN each is attached', () => {
      const arns = ['arn:aws:iam::aws:policy/ReadOnlyAccess', 'arn:aws:iam::aws:policy/Other'];
      const { json } = build({ managedPolicyArns: arns });
      expect(listOfType(json, 'aws_iam_role_policy_attachment').map((a: Row) => a.policy_arn)).toEqual(arns);
    });

    it('GIVEN a boundary and a session length THEN the role has them', () => {
      const { resource } = build({
        permissionsBoundaryArn: 'arn:aws:iam::123456789012:policy/boundary',
        maxSessionDurationSeconds: 7200,
      });
      expect(resource.permissions_boundary).toBe('arn:aws:iam::123456789012:policy/boundary');
      expect(resource.max_session_duration).toBe(7200);
    });
  });

  describe('validation', () => {
    it.each(['acme/*', '*/wms-platform', 'acme', 'acme/wms platform', 'repo:acme/wms-platform'])(
      'GIVEN repository %s THEN refuses: one repository, no wildcards',
      (repository) => {
        expect(() => build({ repository })).toThrow(/Ci: repository: .* is not allowed \(one repository/);
      },
    );

    it.each(['pr*', 'prod:x', '', 'a?'])('GIVEN environment %j THEN refuses', (environment) => {
      expect(() => build({ trigger: { environment } })).toThrow(
        /Ci: trigger.environment: .* is not allowed \(a GitHub environment name/,
      );
    });

    it('GIVEN an invalid role name THEN refuses', () => {
      expect(() => build({ roleName: 'a role' })).toThrow(/Ci: roleName: "a role" is not allowed/);
      expect(() => build({ roleName: 'x'.repeat(65) })).toThrow(/roleName: .* is not allowed/);
    });

    it.each([3599, 43201, 3600.5])('GIVEN maxSessionDurationSeconds %s THEN refuses', (seconds) => {
      expect(() => build({ maxSessionDurationSeconds: seconds })).toThrow(
        new RegExp(
          `maxSessionDurationSeconds: ${seconds} is not allowed \\(a whole number from 3600 to 43200\\)`,
        ),
      );
    });
  });
});
