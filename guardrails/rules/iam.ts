import type { PolicyRead, PolicyStatement } from '../../model/iam-policy';
import { allows, readPolicy } from '../../model/iam-policy';
import type { ResourceNode, StackModel } from '../../model/stack-model';
import { parseReference } from '../../model/stack-model';
import type { Rule, Violation } from '../types';
import { blocks, stringListAttr } from '../../model/values';
import { fail, PASS } from './helpers';

const POLICY_TYPES = [
  'aws_iam_policy',
  'aws_iam_role_policy',
  'aws_iam_user_policy',
  'aws_iam_group_policy',
  'aws_iam_role',
];
const ATTACHMENT_TYPES = [
  'aws_iam_role_policy_attachment',
  'aws_iam_policy_attachment',
  'aws_iam_user_policy_attachment',
  'aws_iam_group_policy_attachment',
];
const ADMIN_POLICY = /^arn:[^:]+:iam::aws:policy\/AdministratorAccess$/;
const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
const GITHUB_CLAIM = /^token\.actions\.githubusercontent\.com(?:\/[A-Za-z0-9_-]+)?:(sub|aud)$/;
// `repo:<owner>/<name>` followed by an optional `:<claim>...` part; no wildcard in the owner or the name.
const ONE_REPOSITORY = /^repo:[^/*?:]+\/[^/*?:]+(:.*)?$/;

/** Every permissions policy a resource carries, with where it sits (for messages). */
function permissionPolicies(
  resource: ResourceNode,
  stack: StackModel,
): { where: string; read: PolicyRead }[] {
  if (resource.type === 'aws_iam_role') {
    return blocks(resource.body.inline_policy).map((inline, index) => ({
      where: `inline_policy[${index}].policy`,
      read: readPolicy(inline.policy, stack),
    }));
  }
  return [{ where: 'policy', read: readPolicy(resource.body.policy, stack) }];
}

function statementViolations(
  resource: ResourceNode,
  stack: StackModel,
  test: (statement: PolicyStatement) => string | undefined,
): Violation[] {
  return permissionPolicies(resource, stack).flatMap(({ where, read }) =>
    read.kind !== 'document'
      ? []
      : read.statements.flatMap((statement, index) => {
          const problem = allows(statement) ? test(statement) : undefined;
          return problem
            ? [{ message: `${problem}: ${where} Statement[${index}] ${describe(statement)}` }]
            : [];
        }),
  );
}

function describe(statement: PolicyStatement): string {
  const actions = statement.notActions.length
    ? `NotAction ${JSON.stringify(statement.notActions)}`
    : `Action ${JSON.stringify(statement.actions)}`;
  return `allows ${actions} on Resource ${JSON.stringify(statement.resources)}`;
}

function isStarAction(action: string): boolean {
  return action === '*' || action === '*:*';
}

function isGithubProvider(identifier: string, stack: StackModel): boolean {
  if (identifier.includes(`oidc-provider/${GITHUB_OIDC_HOST}`)) return true;
  const reference = parseReference(identifier);
  const provider = reference ? stack.get(reference.address) : undefined;
  if (!provider || !provider.type.endsWith('aws_iam_openid_connect_provider')) return false;
  return String(provider.body.url ?? '').replace(/^https:\/\//, '') === GITHUB_OIDC_HOST;
}

/** The Allow statements of a role's trust policy that let GitHub Actions assume it. */
function githubTrustStatements(
  role: ResourceNode,
  stack: StackModel,
): { index: number; statement: PolicyStatement }[] {
  const read = readPolicy(role.body.assume_role_policy, stack);
  if (read.kind !== 'document') return [];
  return read.statements
    .map((statement, index) => ({ index, statement }))
    .filter(
      ({ statement }) =>
        allows(statement) &&
        statement.principals.some(
          (principal) =>
            principal.startsWith('Federated:') &&
            isGithubProvider(principal.slice('Federated:'.length), stack),
        ),
    );
}

function claimConditions(statement: PolicyStatement, claim: 'sub' | 'aud') {
  return statement.conditions.filter((condition) => GITHUB_CLAIM.exec(condition.key)?.[1] === claim);
}

/** IAM policies, attachments and role trust policies. */
export const iamRules: readonly Rule[] = [
  {
    id: 'CKV_AWS_62',
    title: 'No IAM policy allows full "*:*" administrative privileges',
    severity: 'critical',
    resourceTypes: POLICY_TYPES,
    requirement:
      'No Allow statement has Action `*` on Resource `*` (in `policy`, an inline policy, or a `data.aws_iam_policy_document` it references).',
    fix: 'grant the specific actions and resources the principal needs',
    check(resource, { stack }) {
      return statementViolations(resource, stack, (statement) =>
        statement.actions.some(isStarAction) && statement.resources.includes('*')
          ? 'policy grants administrator access'
          : undefined,
      );
    },
  },
  {
    id: 'CKV_AWS_63',
    title: 'No IAM policy allows "*" as a statement\'s actions',
    severity: 'high',
    resourceTypes: POLICY_TYPES,
    requirement:
      'No Allow statement has Action `*` (on any resource), and none uses NotAction (which allows everything else).',
    fix: 'list the actions the principal needs instead of "*" or NotAction',
    check(resource, { stack }) {
      return statementViolations(resource, stack, (statement) => {
        if (statement.actions.some(isStarAction)) return 'policy allows every action';
        return statement.notActions.length > 0
          ? 'policy allows every action but a few (NotAction)'
          : undefined;
      });
    },
  },
  {
    id: 'WMS_IAM_002',
    title: 'No IAM policy allows a whole service on every resource',
    severity: 'medium',
    resourceTypes: POLICY_TYPES,
    requirement: 'No Allow statement combines a service-wide action such as `s3:*` with Resource `*`.',
    fix: 'list the actions needed, or scope the resources to the ARNs the principal works on',
    check(resource, { stack }) {
      return statementViolations(resource, stack, (statement) => {
        const wildcards = statement.actions.filter((action) => /^[A-Za-z0-9-]+:\*$/.test(action));
        return wildcards.length > 0 && statement.resources.includes('*')
          ? `policy allows all of ${wildcards.join(', ')} on every resource`
          : undefined;
      });
    },
  },
  {
    id: 'CKV_AWS_274',
    title: 'The AWS AdministratorAccess policy is not attached',
    severity: 'critical',
    resourceTypes: ['aws_iam_role', ...ATTACHMENT_TYPES],
    requirement:
      'No role, user or group gets `arn:aws:iam::aws:policy/AdministratorAccess` (via an attachment or `managed_policy_arns`).',
    fix: 'attach a policy with the permissions the principal needs instead of AdministratorAccess',
    check(resource) {
      if (resource.type === 'aws_iam_role') {
        const arns = stringListAttr(resource.body.managed_policy_arns);
        return arns.kind === 'known' && arns.value.some((arn) => ADMIN_POLICY.test(arn))
          ? fail('role has administrator access: managed_policy_arns contains AdministratorAccess')
          : PASS;
      }
      return typeof resource.body.policy_arn === 'string' && ADMIN_POLICY.test(resource.body.policy_arn)
        ? fail(`attachment grants administrator access: policy_arn is "${resource.body.policy_arn}"`)
        : PASS;
    },
  },
  {
    id: 'CKV_AWS_60',
    title: 'IAM roles can be assumed only by specific services or principals',
    severity: 'critical',
    resourceTypes: ['aws_iam_role'],
    requirement: 'No Allow statement of `assume_role_policy` has Principal `*` (or `AWS: *`).',
    fix: 'name the services, accounts or roles allowed to assume the role',
    check(role, { stack }) {
      const read = readPolicy(role.body.assume_role_policy, stack);
      if (read.kind !== 'document') return PASS;
      return read.statements.flatMap((statement, index): Violation[] =>
        allows(statement) && statement.principals.includes('*')
          ? [
              {
                message: `role can be assumed by anyone: assume_role_policy Statement[${index}] has Principal "*"`,
              },
            ]
          : [],
      );
    },
  },
  {
    id: 'CKV_AWS_393',
    title: 'GitHub Actions OIDC trust is scoped to one repository',
    severity: 'critical',
    resourceTypes: ['aws_iam_role'],
    requirement:
      'A trust statement for `token.actions.githubusercontent.com` (by ARN or through an `aws_iam_openid_connect_provider` of this stack) has a `:sub` condition whose every value is `repo:<owner>/<name>...` with no wildcard in owner or name (the resource-level twin of CKV_AWS_358; stricter than Checkov, which accepts `repo:owner/*`).',
    fix: 'add StringLike { "token.actions.githubusercontent.com:sub" = "repo:<owner>/<repo>:ref:refs/heads/main" } (or :environment:<name>)',
    check(role, { stack }) {
      return githubTrustStatements(role, stack).flatMap(({ index, statement }): Violation[] => {
        const subs = claimConditions(statement, 'sub');
        if (subs.length === 0) {
          return [
            {
              message: `role trusts every GitHub repository: assume_role_policy Statement[${index}] has no token.actions.githubusercontent.com:sub condition`,
            },
          ];
        }
        const values = subs.flatMap((condition) => condition.values);
        const unscoped = values.filter((value) => !ONE_REPOSITORY.test(value.replace(/\$\{[^}]*\}/g, 'x')));
        return unscoped.length === 0 && values.length > 0
          ? []
          : [
              {
                message: `role trusts more than one GitHub repository: assume_role_policy Statement[${index}] :sub allows ${JSON.stringify(unscoped.length ? unscoped : values)}`,
              },
            ];
      });
    },
  },
  {
    id: 'WMS_IAM_001',
    title: 'GitHub Actions OIDC trust checks the audience',
    severity: 'high',
    resourceTypes: ['aws_iam_role'],
    requirement:
      'A trust statement for `token.actions.githubusercontent.com` has a `StringEquals` `:aud` condition whose only value is `sts.amazonaws.com`.',
    fix: 'add StringEquals { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }',
    check(role, { stack }) {
      return githubTrustStatements(role, stack).flatMap(({ index, statement }): Violation[] => {
        const auds = claimConditions(statement, 'aud');
        const ok =
          auds.length > 0 &&
          auds.every(
            (condition) =>
              condition.operator === 'StringEquals' &&
              condition.values.length > 0 &&
              condition.values.every((value) => value === 'sts.amazonaws.com'),
          );
        if (ok) return [];
        const found =
          auds.length === 0
            ? 'has no token.actions.githubusercontent.com:aud condition'
            : `has ${auds.map((c) => `${c.operator} ${JSON.stringify(c.values)}`).join(', ')}`;
        return [
          {
            message: `role does not check the OIDC audience: assume_role_policy Statement[${index}] ${found}, must be StringEquals "sts.amazonaws.com"`,
          },
        ];
      });
    },
  },
];
