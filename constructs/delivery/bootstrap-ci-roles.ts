import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { Construct } from 'constructs';
import { suppress } from '../../guardrails/suppress';
import type { BootstrapState } from './bootstrap-state';
import { BUCKET_SETTINGS } from './bootstrap-state';
import { GITHUB_OIDC_HOST } from './github-oidc-provider';
import type { IGithubOidcProvider } from './github-oidc-provider';
import { GithubOidcRole } from './github-oidc-role';
import { propError } from '../shared/errors';
import type { PolicyStatement } from '../shared/kms';

/** A tag every resource of the environment carries, e.g. `Environment = dev` (from the provider's default_tags). */
export interface EnvironmentTag {
  /** Tag key, e.g. `Environment`. */
  readonly key: string;
  /** This environment's value, e.g. `dev`. */
  readonly value: string;
}

/** Properties of {@link BootstrapCiRoles}. */
export interface BootstrapCiRolesProps {
  /** Prefix of the environment's physical names, `wms-<env>`: names the roles, scopes what IAM the apply role manages. */
  readonly namePrefix: string;
  /** The GitHub environment whose jobs may assume the apply role (its deployment branch policy admits `main` only). */
  readonly githubEnvironment: string;
  /** The repository trusted, `<owner>/<name>`. */
  readonly repository: string;
  /** The account of the environment. */
  readonly accountId: string;
  /** The account's GitHub OIDC provider. */
  readonly provider: IGithubOidcProvider;
  /** The account's state store. */
  readonly state: BootstrapState;
  /** The environment's state keys (one per stack); both roles work on these and their lock files only. */
  readonly stateKeys: readonly string[];
  /**
   * The environment's tag: the apply role may not act on EC2, EKS, RDS, ... resources tagged for another environment
   * of the same account.
   */
  readonly environmentTag: EnvironmentTag;
  /**
   * KMS keys of the bootstrap the apply role may use but never administer (the state key is always included).
   * @default - the state key only
   */
  readonly protectedKeyArns?: readonly string[];
  /**
   * ECR repositories of the bootstrap the apply role may read but never change or delete.
   * @default - none
   */
  readonly protectedRepositoryArns?: readonly string[];
  /**
   * ARNs of the SSM parameters the plan role may read, with decryption: the sources of the sensitive Terraform
   * variables of the environment's stacks (a plan stops without their values). Exactly these: every other
   * parameter value stays denied.
   * @default - none: the plan role reads no parameter value
   */
  readonly planParameterArns?: readonly string[];
  /**
   * Longest session of both roles, in seconds.
   * @default 3600
   */
  readonly maxSessionDurationSeconds?: number;
}

/** Physical names of an environment's CI roles and of the apply role's permissions boundary. */
export function ciRoleNames(namePrefix: string): { plan: string; apply: string; boundary: string } {
  return {
    plan: `${namePrefix}-github-plan`,
    apply: `${namePrefix}-github-apply`,
    boundary: `${namePrefix}-github-apply-boundary`,
  };
}

/** An IAM statement that may use NotAction / NotResource (deny statements of this file). */
type Statement = Omit<PolicyStatement, 'Action'> & {
  readonly Action?: string | string[];
  readonly NotAction?: string[];
  readonly NotResource?: string[];
};

const READ_ONLY_ACCESS = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const POWER_USER_ACCESS = 'arn:aws:iam::aws:policy/PowerUserAccess';

// Data-plane reads that ReadOnlyAccess grants and a plan never needs: the plan role is open to every pull request,
// so it sees how resources are configured, not what they hold.
const DATA_READS = [
  'logs:GetLogEvents',
  'logs:FilterLogEvents',
  'logs:GetLogRecord',
  'logs:StartQuery',
  'logs:GetQueryResults',
  'logs:StartLiveTail',
  'secretsmanager:GetSecretValue',
  'secretsmanager:BatchGetSecretValue',
  'ssm:GetParameter',
  'ssm:GetParameters',
  'ssm:GetParametersByPath',
  'ssm:GetParameterHistory',
  'sqs:ReceiveMessage',
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
];

// IAM writes the apply role needs for the environment's own roles (PowerUserAccess has no IAM at all).
const IAM_ENVIRONMENT_WRITES = [
  'iam:CreateRole',
  'iam:DeleteRole',
  'iam:UpdateRole',
  'iam:UpdateRoleDescription',
  'iam:UpdateAssumeRolePolicy',
  'iam:TagRole',
  'iam:UntagRole',
  'iam:PutRolePolicy',
  'iam:DeleteRolePolicy',
  'iam:AttachRolePolicy',
  'iam:DetachRolePolicy',
  'iam:PassRole',
  'iam:CreatePolicy',
  'iam:DeletePolicy',
  'iam:CreatePolicyVersion',
  'iam:DeletePolicyVersion',
  'iam:TagPolicy',
  'iam:UntagPolicy',
  'iam:CreateInstanceProfile',
  'iam:DeleteInstanceProfile',
  'iam:AddRoleToInstanceProfile',
  'iam:RemoveRoleFromInstanceProfile',
  'iam:TagInstanceProfile',
  'iam:UntagInstanceProfile',
];

// Privilege escalation and account takeover primitives no deployment needs.
const IAM_ESCALATION = [
  'iam:CreateUser',
  'iam:CreateAccessKey',
  'iam:UpdateAccessKey',
  'iam:CreateLoginProfile',
  'iam:UpdateLoginProfile',
  'iam:CreateServiceSpecificCredential',
  'iam:UploadSSHPublicKey',
  'iam:AttachUserPolicy',
  'iam:PutUserPolicy',
  'iam:AddUserToGroup',
  'iam:CreateGroup',
  'iam:AttachGroupPolicy',
  'iam:PutGroupPolicy',
  'iam:DeleteRolePermissionsBoundary',
  'iam:CreateOpenIDConnectProvider',
  'iam:CreateSAMLProvider',
  'iam:UpdateAccountPasswordPolicy',
  'organizations:*',
  'account:*',
];

// Services whose resources carry the environment tag and support aws:ResourceTag in authorization. KMS is left out:
// the shared state key is tagged for the account, and the bootstrap keys are protected by ARN.
const TAG_GUARDED_SERVICES = [
  'ec2:*',
  'eks:*',
  'rds:*',
  'elasticloadbalancing:*',
  'secretsmanager:*',
  'backup:*',
  'sns:*',
  'sqs:*',
  'events:*',
  'logs:*',
  'wafv2:*',
  'acm:*',
];

/**
 * The plan role's data reads: all denied, except the value of each SSM parameter a plan needs (the sensitive
 * variables' sources), which it may read and decrypt. The decryption is limited to SSM decrypting exactly those
 * parameters (the SecureString encryption context `PARAMETER_ARN`), whatever key encrypts them.
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/services-parameter-store.html#parameter-store-encryption-context
 */
function planDataReadStatements(
  accountId: string,
  parameterArns: readonly string[],
): (PolicyStatement & { readonly NotResource?: string[] })[] {
  if (parameterArns.length === 0) {
    return [{ Sid: 'DenyDataReads', Effect: 'Deny', Action: DATA_READS, Resource: '*' }];
  }
  const regions = [...new Set(parameterArns.map((arn) => arn.split(':')[3]))].sort();
  return [
    {
      Sid: 'DenyDataReads',
      Effect: 'Deny',
      Action: DATA_READS.filter((action) => action !== 'ssm:GetParameter'),
      Resource: '*',
    },
    {
      Sid: 'DenyOtherParameterReads',
      Effect: 'Deny',
      Action: 'ssm:GetParameter',
      NotResource: [...parameterArns],
    },
    { Sid: 'ReadPlanParameters', Effect: 'Allow', Action: 'ssm:GetParameter', Resource: [...parameterArns] },
    {
      Sid: 'DecryptPlanParameters',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: `arn:aws:kms:*:${accountId}:key/*`,
      Condition: {
        StringEquals: {
          'kms:EncryptionContext:PARAMETER_ARN': [...parameterArns],
          'kms:ViaService': regions.map((region) => `ssm.${region}.amazonaws.com`),
        },
      },
    },
  ];
}

/**
 * An environment's two GitHub Actions roles, `<prefix>-github-plan` and `<prefix>-github-apply`.
 *
 * The plan role is trusted by pull requests of the repository (anyone who can open one can use it, so it only
 * reads): AWS `ReadOnlyAccess` for Terraform's refresh, read of the environment's state and the lock-file writes
 * that locking needs, and explicit denies of data reads (object contents outside the state, log events, secret and
 * parameter values, queue messages, table items, image layers), except the values of `planParameterArns`.
 *
 * The apply role is trusted by jobs of the environment's GitHub environment. Creating an environment touches some
 * twenty services, so it has AWS `PowerUserAccess` (everything but IAM, Organizations and account settings), IAM
 * reads, and IAM writes on the environment's own roles, policies and instance profiles (`<prefix>-*`) and on
 * service-linked roles. Its permissions boundary denies creating users and credentials, changing any CI role, its
 * boundary or the GitHub OIDC provider, changing the state buckets or erasing state history, administering the
 * bootstrap keys and repositories, and touching resources tagged for another environment.
 *
 * Residual risk, by design: the apply role can create a `<prefix>-*` role with any permissions and pass it to a
 * compute service; that role is not under this boundary, so whoever controls the apply role controls the account.
 * Merges to the protected branch and the environment's reviewers are the control (docs/runbooks/bootstrap.md).
 */
export class BootstrapCiRoles extends Construct {
  /** The plan role. */
  readonly planRole: GithubOidcRole;
  /** The apply role. */
  readonly applyRole: GithubOidcRole;
  /** The apply role's permissions boundary (escape hatch). */
  readonly boundary: IamPolicy;

  constructor(scope: Construct, id: string, props: BootstrapCiRolesProps) {
    super(scope, id);
    if (props.stateKeys.length === 0) {
      throw propError(this, 'stateKeys', props.stateKeys, 'at least one state key');
    }
    if (!/^[A-Za-z0-9+=,.@_-]{1,40}$/.test(props.namePrefix)) {
      throw propError(this, 'namePrefix', props.namePrefix, '1-40 characters usable in IAM role names');
    }
    const names = ciRoleNames(props.namePrefix);
    const iam = (resource: string) => `arn:aws:iam::${props.accountId}:${resource}`;
    const keyArns = [props.state.keyArn, ...(props.protectedKeyArns ?? [])];

    this.boundary = new IamPolicy(this, 'ApplyBoundary', {
      name: names.boundary,
      description: `Permissions boundary of ${names.apply}: what no deployment may do`,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: this.boundaryStatements(props, keyArns),
      }),
    });
    const ceiling =
      'A permissions boundary grants nothing: its Allow * only leaves the identity policies uncapped; its Deny statements are the point.';
    suppress(this.boundary, 'CKV_AWS_62', ceiling);
    suppress(this.boundary, 'CKV_AWS_63', ceiling);

    const objectReadsOutsideState: PolicyStatement & { readonly NotResource: string[] } = {
      Sid: 'DenyObjectReadsOutsideState',
      Effect: 'Deny',
      Action: ['s3:GetObject', 's3:GetObjectVersion'],
      NotResource: props.stateKeys.flatMap((key) => [
        `${props.state.bucketArn}/${key}`,
        `${props.state.bucketArn}/${key}.tflock`,
      ]),
    };
    this.planRole = new GithubOidcRole(this, 'Plan', {
      roleName: names.plan,
      description: `Terraform plan of ${props.namePrefix} for pull requests of ${props.repository}: read-only`,
      provider: props.provider,
      repository: props.repository,
      trigger: { pullRequest: true },
      // The deploy workflow plans the merged commit on main, and the nightly drift check runs there.
      branches: ['main'],
      managedPolicyArns: [READ_ONLY_ACCESS],
      maxSessionDurationSeconds: props.maxSessionDurationSeconds,
      statements: [
        ...props.state.accessStatements(props.stateKeys, 'read'),
        ...planDataReadStatements(props.accountId, props.planParameterArns ?? []),
        objectReadsOutsideState,
      ],
    });

    this.applyRole = new GithubOidcRole(this, 'Apply', {
      roleName: names.apply,
      description: `Terraform apply of ${props.namePrefix} from the ${props.githubEnvironment} GitHub environment of ${props.repository}`,
      provider: props.provider,
      repository: props.repository,
      trigger: { environment: props.githubEnvironment },
      managedPolicyArns: [POWER_USER_ACCESS],
      permissionsBoundaryArn: this.boundary.arn,
      maxSessionDurationSeconds: props.maxSessionDurationSeconds,
      statements: [
        ...props.state.accessStatements(props.stateKeys, 'write'),
        {
          Sid: 'IamRead',
          Effect: 'Allow',
          Action: ['iam:Get*', 'iam:List*'],
          Resource: '*',
        },
        {
          Sid: 'IamEnvironmentRoles',
          Effect: 'Allow',
          Action: IAM_ENVIRONMENT_WRITES,
          Resource: [
            iam(`role/${props.namePrefix}-*`),
            iam(`policy/${props.namePrefix}-*`),
            iam(`instance-profile/${props.namePrefix}-*`),
          ],
        },
        {
          Sid: 'ServiceLinkedRoles',
          Effect: 'Allow',
          Action: 'iam:CreateServiceLinkedRole',
          Resource: iam('role/aws-service-role/*'),
        },
      ],
    });
  }

  private boundaryStatements(props: BootstrapCiRolesProps, keyArns: readonly string[]): Statement[] {
    const iam = (resource: string) => `arn:aws:iam::${props.accountId}:${resource}`;
    const { bucketArn } = props.state;
    const logBucketArn = props.state.logBucket.bucketArn;
    const repositories = props.protectedRepositoryArns ?? [];
    return [
      { Sid: 'Ceiling', Effect: 'Allow', Action: '*', Resource: '*' },
      { Sid: 'DenyEscalation', Effect: 'Deny', Action: IAM_ESCALATION, Resource: '*' },
      {
        Sid: 'DenyCiIdentityChanges',
        Effect: 'Deny',
        NotAction: ['iam:Get*', 'iam:List*'],
        Resource: [
          iam('role/*-github-plan'),
          iam('role/*-github-apply'),
          iam('role/*-github-push-*'),
          iam('policy/*-github-apply-boundary'),
          iam(`oidc-provider/${GITHUB_OIDC_HOST}`),
        ],
      },
      {
        Sid: 'DenyStateBucketChanges',
        Effect: 'Deny',
        Action: BUCKET_SETTINGS,
        Resource: [bucketArn, logBucketArn],
      },
      {
        Sid: 'DenyStateHistoryAndLogChanges',
        Effect: 'Deny',
        Action: ['s3:DeleteObjectVersion', 's3:PutObject', 's3:DeleteObject'],
        Resource: `${logBucketArn}/*`,
      },
      {
        Sid: 'DenyStateVersionDeletion',
        Effect: 'Deny',
        Action: 's3:DeleteObjectVersion',
        Resource: `${bucketArn}/*`,
      },
      {
        Sid: 'DenyBootstrapKeyAdministration',
        Effect: 'Deny',
        NotAction: [
          'kms:Decrypt',
          'kms:Encrypt',
          'kms:GenerateDataKey*',
          'kms:DescribeKey',
          'kms:Get*',
          'kms:List*',
        ],
        Resource: [...keyArns],
      },
      ...(repositories.length > 0
        ? [
            {
              Sid: 'DenyBootstrapRepositoryChanges',
              Effect: 'Deny' as const,
              NotAction: [
                'ecr:Describe*',
                'ecr:List*',
                'ecr:Get*',
                'ecr:BatchGet*',
                'ecr:BatchCheckLayerAvailability',
              ],
              Resource: [...repositories],
            },
          ]
        : []),
      {
        Sid: 'DenyOtherEnvironments',
        Effect: 'Deny',
        Action: TAG_GUARDED_SERVICES,
        Resource: '*',
        Condition: {
          StringNotEquals: { [`aws:ResourceTag/${props.environmentTag.key}`]: props.environmentTag.value },
          Null: { [`aws:ResourceTag/${props.environmentTag.key}`]: 'false' },
        },
      },
    ];
  }
}
