import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import type { IGithubOidcProvider } from './github-oidc-provider';
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST } from './github-oidc-provider';
import { propError } from '../shared/errors';
import type { PolicyStatement } from '../shared/kms';
import { policyDocument } from '../shared/kms';

/**
 * Which GitHub Actions jobs of the repository may assume the role: jobs of pull requests, or jobs that run in one
 * GitHub environment (and so passed that environment's protection rules: deployment branches, reviewers).
 */
export type GithubTrigger = { readonly pullRequest: true } | { readonly environment: string };

// GitHub's owner and repository names; no wildcard, so a subject can never match another repository.
const REPOSITORY = /^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/;
// GitHub environment names, minus the characters that are wildcards or separators in a subject.
const ENVIRONMENT = /^[A-Za-z0-9._-]{1,255}$/;
// Branch names, minus the characters that are wildcards in a StringLike condition (never used here anyway).
const BRANCH = /^[A-Za-z0-9._/-]{1,255}$/;

/**
 * The `sub` claim of the tokens GitHub issues to those jobs: `repo:<owner>/<name>:pull_request` or
 * `repo:<owner>/<name>:environment:<environment>` (GitHub's default subject template).
 * @see https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect#example-subject-claims
 */
export function githubSubject(repository: string, trigger: GithubTrigger): string {
  return 'environment' in trigger
    ? `repo:${repository}:environment:${trigger.environment}`
    : `repo:${repository}:pull_request`;
}

/** Properties of a {@link GithubOidcRole}. */
export interface GithubOidcRoleProps {
  /** Physical name of the role, e.g. `wms-prod-github-apply`. */
  readonly roleName: string;
  /** What the role is for. */
  readonly description: string;
  /** The account's GitHub OIDC provider. */
  readonly provider: IGithubOidcProvider;
  /** The one repository trusted, `<owner>/<name>` without wildcards, e.g. `acme/wms-platform`. */
  readonly repository: string;
  /** The jobs of that repository trusted: pull requests, or one GitHub environment. */
  readonly trigger: GithubTrigger;
  /**
   * Branches whose jobs outside any GitHub environment (pushes, schedules) are trusted too, by their exact
   * `repo:<owner>/<name>:ref:refs/heads/<branch>` subject: the plan role's runs on `main` (deploy plans, drift).
   * @default - none
   */
  readonly branches?: readonly string[];
  /**
   * Statements of the role's inline policy (`permissions`), Allow and Deny.
   * @default - none
   */
  readonly statements?: readonly PolicyStatement[];
  /**
   * AWS managed (or customer managed) policies to attach, by ARN.
   * @default - none
   */
  readonly managedPolicyArns?: readonly string[];
  /**
   * A permissions boundary: the most the role's policies can grant.
   * @default - no boundary
   */
  readonly permissionsBoundaryArn?: string;
  /**
   * Longest session, in seconds (3600-43200).
   * @default 3600
   */
  readonly maxSessionDurationSeconds?: number;
}

/**
 * An IAM role that GitHub Actions jobs of exactly one repository and one trigger (and optionally named branches)
 * assume with their OIDC token
 * (`sts:AssumeRoleWithWebIdentity`). The trust policy has exact `StringEquals` conditions on the token's audience
 * (`sts.amazonaws.com`) and subject, no `StringLike` wildcard, so no other repository, fork, branch, event or
 * environment matches.
 */
export class GithubOidcRole extends Construct {
  /** The role (escape hatch). */
  readonly role: IamRole;
  /** ARN of the role. */
  readonly roleArn: string;
  /** Name of the role. */
  readonly roleName: string;
  /** The exact token subject of the trigger. */
  readonly subject: string;
  /** Every exact token subject the role trusts: the trigger's, then the branches'. */
  readonly subjects: readonly string[];

  constructor(scope: Construct, id: string, props: GithubOidcRoleProps) {
    super(scope, id);
    const maxSession = props.maxSessionDurationSeconds ?? 3600;
    if (!REPOSITORY.test(props.repository)) {
      throw propError(this, 'repository', props.repository, 'one repository as <owner>/<name>, no wildcards');
    }
    if ('environment' in props.trigger && !ENVIRONMENT.test(props.trigger.environment)) {
      throw propError(
        this,
        'trigger.environment',
        props.trigger.environment,
        'a GitHub environment name: letters, digits, ".", "_", "-"',
      );
    }
    if (!Token.isUnresolved(props.roleName) && !/^[\w+=,.@-]{1,64}$/.test(props.roleName)) {
      throw propError(this, 'roleName', props.roleName, '1-64 letters, digits and +=,.@_-');
    }
    if (!Number.isInteger(maxSession) || maxSession < 3600 || maxSession > 43200) {
      throw propError(this, 'maxSessionDurationSeconds', maxSession, 'a whole number from 3600 to 43200');
    }

    for (const branch of props.branches ?? []) {
      if (!BRANCH.test(branch)) {
        throw propError(this, 'branches', branch, 'a branch name: letters, digits, ".", "_", "-", "/"');
      }
    }
    this.subject = githubSubject(props.repository, props.trigger);
    this.subjects = [
      this.subject,
      ...(props.branches ?? []).map((branch) => `repo:${props.repository}:ref:refs/heads/${branch}`),
    ];
    this.role = new IamRole(this, 'Role', {
      name: props.roleName,
      description: props.description,
      maxSessionDuration: maxSession,
      permissionsBoundary: props.permissionsBoundaryArn,
      assumeRolePolicy: policyDocument([
        {
          Sid: 'GithubActionsOidc',
          Effect: 'Allow',
          Principal: { Federated: props.provider.providerArn },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: {
              [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,
              // StringEquals with a list matches any of its exact values.
              [`${GITHUB_OIDC_HOST}:sub`]: this.subjects.length === 1 ? this.subject : this.subjects,
            },
          },
        },
      ]),
    });
    this.roleArn = this.role.arn;
    this.roleName = props.roleName;

    if (props.statements && props.statements.length > 0) {
      new IamRolePolicy(this, 'Permissions', {
        name: 'permissions',
        role: this.role.id,
        policy: policyDocument(props.statements),
      });
    }
    (props.managedPolicyArns ?? []).forEach((policyArn, index) => {
      new IamRolePolicyAttachment(this, `Managed${index}`, { role: this.role.name, policyArn });
    });
  }
}
