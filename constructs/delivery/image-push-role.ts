import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import type { IGithubOidcProvider } from './github-oidc-provider';
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST } from './github-oidc-provider';
import { propError } from '../shared/errors';
import { policyDocument } from '../shared/kms';

// GitHub's owner and repository names; no wildcard, so a subject can never match another repository.
const REPOSITORY = /^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/;
// A branch or tag ref; `*` is the only wildcard, and only after `refs/heads/` or `refs/tags/` and a first character.
const REF = /^refs\/(heads|tags)\/[A-Za-z0-9._/-][A-Za-z0-9._/*-]{0,254}$/;

/** What an image push role pushes to: the ECR repositories of one application repository. */
export const IMAGE_PUSH_ACTIONS = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:BatchGetImage',
  'ecr:CompleteLayerUpload',
  'ecr:GetDownloadUrlForLayer',
  'ecr:InitiateLayerUpload',
  'ecr:PutImage',
  'ecr:UploadLayerPart',
] as const;

/** Properties of an {@link ImagePushRole}. */
export interface ImagePushRoleProps {
  /** Physical name of the role, e.g. `wms-github-push-wms-api`. */
  readonly roleName: string;
  /** The account's GitHub OIDC provider. */
  readonly provider: IGithubOidcProvider;
  /** The one application repository trusted, `<owner>/<name>` without wildcards, e.g. `acme/wms-api`. */
  readonly repository: string;
  /**
   * The git refs whose jobs may push, e.g. `refs/tags/v*` (release tags) and `refs/heads/main`. `*` is the only
   * wildcard, allowed after `refs/heads/<c>` or `refs/tags/<c>`; each becomes the subject
   * `repo:<owner>/<name>:ref:<ref>`. A job that sets `environment:` has another subject and is refused.
   */
  readonly refs: readonly string[];
  /** ARNs of the ECR repositories the role may push to (its own, never another application's). */
  readonly repositoryArns: readonly string[];
}

/**
 * A push-only IAM role for the GitHub Actions jobs of one application repository: trusted for the OIDC tokens of
 * that exact repository on the listed refs (`StringEquals` audience, `StringLike` subject whose only wildcard is in
 * the ref), allowed to log in to ECR and to push and read images of its own repositories, and nothing else: no
 * delete, no tag mutability or policy change, no other repository.
 * @see https://docs.github.com/en/actions/reference/security/oidc
 * @see https://github.com/aws-actions/amazon-ecr-login#permissions
 */
export class ImagePushRole extends Construct {
  /** The role (escape hatch). */
  readonly role: IamRole;
  /** ARN of the role: `role-to-assume` of the reusable build workflow. */
  readonly roleArn: string;
  /** The token subjects the role trusts. */
  readonly subjects: readonly string[];

  constructor(scope: Construct, id: string, props: ImagePushRoleProps) {
    super(scope, id);
    if (!REPOSITORY.test(props.repository)) {
      throw propError(this, 'repository', props.repository, 'one repository as <owner>/<name>, no wildcards');
    }
    if (props.refs.length === 0) {
      throw propError(this, 'refs', props.refs, 'at least one ref such as refs/tags/v*');
    }
    props.refs.forEach((ref, index) => {
      if (!REF.test(ref)) {
        throw propError(
          this,
          `refs[${index}]`,
          ref,
          'refs/heads/<branch> or refs/tags/<tag>: letters, digits, ".", "_", "-", "/", and "*" after the first character',
        );
      }
    });
    if (props.repositoryArns.length === 0) {
      throw propError(this, 'repositoryArns', props.repositoryArns, 'at least one ECR repository ARN');
    }
    if (!Token.isUnresolved(props.roleName) && !/^[\w+=,.@-]{1,64}$/.test(props.roleName)) {
      throw propError(this, 'roleName', props.roleName, '1-64 letters, digits and +=,.@_-');
    }

    this.subjects = props.refs.map((ref) => `repo:${props.repository}:ref:${ref}`);
    this.role = new IamRole(this, 'Role', {
      name: props.roleName,
      description: `Pushes the images of ${props.repository} (GitHub Actions on ${props.refs.join(', ')})`,
      maxSessionDuration: 3600,
      assumeRolePolicy: policyDocument([
        {
          Sid: 'GithubActionsOidc',
          Effect: 'Allow',
          Principal: { Federated: props.provider.providerArn },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE },
            // The repository part is literal (validated above); a wildcard can only widen the ref.
            StringLike: { [`${GITHUB_OIDC_HOST}:sub`]: [...this.subjects] },
          },
        },
      ]),
    });
    this.roleArn = this.role.arn;
    new IamRolePolicy(this, 'Permissions', {
      name: 'push',
      role: this.role.id,
      policy: policyDocument([
        // GetAuthorizationToken has no resource-level permissions.
        { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
        {
          Sid: 'PushOwnImages',
          Effect: 'Allow',
          Action: [...IMAGE_PUSH_ACTIONS],
          Resource: [...props.repositoryArns],
        },
        {
          // The second gate of the build workflow: ECR enhanced scanning findings of the pushed image.
          Sid: 'ReadOwnScanFindings',
          Effect: 'Allow',
          Action: ['ecr:DescribeImages', 'ecr:DescribeImageScanFindings'],
          Resource: [...props.repositoryArns],
        },
      ]),
    });
  }
}
