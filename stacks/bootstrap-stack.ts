import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { LocalBackend, S3Backend, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import type {
  AlarmTopicSubscriptionsConfig,
  AppConfig,
  EnvironmentConfig,
  StateConfig,
} from '../config/environment';
import { PROJECT } from '../config/project';
import { BootstrapCiRoles, ciRoleNames } from '../constructs/delivery/bootstrap-ci-roles';
import { BootstrapState } from '../constructs/delivery/bootstrap-state';
import { eksClusterName } from '../constructs/cluster/eks-cluster';
import { IMAGE_ADMISSION_IDENTITY } from '../constructs/cluster/image-admission';
import { GithubOidcProvider } from '../constructs/delivery/github-oidc-provider';
import { ImagePushRole } from '../constructs/delivery/image-push-role';
import { ImageRepositories } from '../constructs/delivery/image-repositories';
import { physicalName } from '../constructs/shared/naming';
import type { BackendKind } from './environment-stack';
import { ssmParameterArn, ssmVariableSources } from './environment-stack';

/** What the bootstrap reads of an environment's config. */
export type BootstrapSource = Pick<
  EnvironmentConfig,
  'name' | 'production' | 'awsAccountId' | 'tags' | 'region'
> & {
  /**
   * The state location; `bootstrapBackend` (when the schema has it) is where the account's bootstrap stack keeps its
   * own state: `local` until it has been migrated into the bucket, then `s3`.
   */
  readonly state: StateConfig & { readonly bootstrapBackend?: BackendKind };
  /** The image repositories the environment pulls from: their ECR host names the registry account. */
  readonly app: Pick<AppConfig, 'images'>;
  /** The alarm topic's PagerDuty URL parameter: its plan role must read it (a sensitive variable's source). */
  readonly alerting: { readonly alarmTopic: Pick<AlarmTopicSubscriptionsConfig, 'pagerDutyUrlParameter'> };
};

/** One environment hosted by an account, as its bootstrap needs it. */
export interface BootstrapEnvironment {
  /** The environment name, e.g. `dev`; also the name of its GitHub environment. */
  readonly name: string;
  /** Whether it is a production environment. */
  readonly production: boolean;
  /** The state keys of its stacks (`<stack>/terraform.tfstate`, as EnvironmentStack's backend writes them). */
  readonly stateKeys: readonly string[];
  /**
   * ARNs of the SSM parameters its stacks read as sensitive variables (their `"//".wms.ssmVariables`): its plan
   * role reads exactly these.
   * @default - none
   */
  readonly planParameterArns?: readonly string[];
}

/** An AWS account and the environments it hosts: what one bootstrap stack creates things for. */
export interface BootstrapAccount {
  /** The account id. */
  readonly accountId: string;
  /** Region of the state bucket, and of the bootstrap's resources. */
  readonly region: string;
  /** Name of the state bucket the environments' backends use. */
  readonly stateBucket: string;
  /** The environments of the account, sorted by name. */
  readonly environments: readonly BootstrapEnvironment[];
  /** Owner tag (the environments' owners, `+`-joined when they differ). */
  readonly owner: string;
  /** Cost-centre tag (the environments' cost centres, `+`-joined when they differ). */
  readonly costCentre: string;
  /** Where the bootstrap stack keeps its own state. */
  readonly backend: BackendKind;
  /**
   * Set when this account holds the one registry every environment pulls from (the account of the ECR host in
   * `app.images`): the roles, of every account, that pull from it.
   * @default - not the registry account: no repositories, no push roles
   */
  readonly registry?: { readonly pullRoleArns: readonly string[] };
}

/** The image repositories every account gets: the WMS API and web images. */
export const IMAGE_REPOSITORIES = [`${PROJECT.name}-api`, `${PROJECT.name}-web`] as const;

/** Name of an account's bootstrap stack: `wms-bootstrap-<accountId>`. */
export function bootstrapStackName(accountId: string): string {
  return `${PROJECT.name}-bootstrap-${accountId}`;
}

/** The key a stack's state has in the state bucket (EnvironmentStack's S3 backend: `<stack>/terraform.tfstate`). */
export function stateKey(stackName: string): string {
  return `${stackName}/terraform.tfstate`;
}

/** ARN of an environment's apply role: what `eks.accessRoles.deployRoleArn` names. */
export function githubApplyRoleArn(accountId: string, environment: string): string {
  return `arn:aws:iam::${accountId}:role/${ciRoleNames(`${PROJECT.name}-${environment}`).apply}`;
}

// <account>.dkr.ecr.<region>.amazonaws.com/<name>
const ECR_IMAGE = /^(\d{12})\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com\//;

/** The account of an ECR image repository, or undefined for another registry. */
export function registryAccountOf(image: string): string | undefined {
  return ECR_IMAGE.exec(image)?.[1];
}

/**
 * The roles of an environment that pull images: the node roles of its managed node groups and of Karpenter's
 * nodes (the kubelet pulls with the node's role), as EksCluster and EksKarpenter name them, and the pod role of the
 * image admission controller (it reads signatures), as EksCluster names workload identities.
 */
export function imagePullRoleArns(accountId: string, environment: string): string[] {
  const cluster = eksClusterName(`${PROJECT.name}-${environment}`);
  return [
    `arn:aws:iam::${accountId}:role/${physicalName(cluster, 'node')}`,
    `arn:aws:iam::${accountId}:role/${physicalName(cluster, 'karpenter', 'node')}`,
    `arn:aws:iam::${accountId}:role/${physicalName(cluster, IMAGE_ADMISSION_IDENTITY.serviceAccount)}`,
  ];
}

/** Name of the push role of an application repository: `wms-github-push-<repository name>`. */
export function imagePushRoleName(repository: string): string {
  return physicalName(PROJECT.name, 'github-push', repository.split('/')[1]);
}

const joined = (values: readonly string[]): string => [...new Set(values)].join('+');
const pascal = (name: string): string =>
  name
    .split(/[^A-Za-z0-9]+/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');

/**
 * Groups the environments by AWS account, one bootstrap per account.
 *
 * The environments of one account share its state bucket: config (`crossEnvironmentProblems`) has checked that
 * they name the same `state.bucket`, `state.region` and `state.bootstrapBackend`, so the first one's are taken.
 * @param stackNamesOf the names of an environment's stacks (`Object.values(stackNames(env))`), for its state keys
 */
export function bootstrapAccounts(
  configs: readonly BootstrapSource[],
  stackNamesOf: (environment: string) => readonly string[],
): BootstrapAccount[] {
  // config's crossEnvironmentProblems has checked that every environment names the same registry.
  const registryAccount = configs.length > 0 ? registryAccountOf(configs[0].app.images.api) : undefined;
  const pullRoleArns = configs
    .flatMap((config) => imagePullRoleArns(config.awsAccountId, config.name))
    .sort();
  const byAccount = new Map<string, BootstrapSource[]>();
  for (const config of configs) {
    byAccount.set(config.awsAccountId, [...(byAccount.get(config.awsAccountId) ?? []), config]);
  }
  return [...byAccount.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([accountId, members]): BootstrapAccount => {
      const sorted = [...members].sort((a, b) => a.name.localeCompare(b.name));
      const [first] = sorted;
      return {
        accountId,
        region: first.state.region,
        stateBucket: first.state.bucket,
        environments: sorted.map((config) => {
          const parameters = ssmVariableSources(config).map((source) =>
            ssmParameterArn(source, config.awsAccountId),
          );
          return {
            name: config.name,
            production: config.production,
            stateKeys: stackNamesOf(config.name).map(stateKey),
            ...(parameters.length > 0 ? { planParameterArns: parameters } : {}),
          };
        }),
        owner: joined(sorted.map((config) => config.tags.owner)),
        costCentre: joined(sorted.map((config) => config.tags.costCentre)),
        backend: first.state.bootstrapBackend ?? 'local',
        ...(accountId === registryAccount ? { registry: { pullRoleArns } } : {}),
      };
    });
}

/** Properties of a {@link BootstrapStack}. */
export interface BootstrapStackProps {
  /** The account and its environments. */
  readonly account: BootstrapAccount;
}

/**
 * `wms-bootstrap-<accountId>`: what an AWS account needs before its environments' stacks can run, applied once by
 * hand (docs/runbooks/bootstrap.md): the Terraform state bucket and its access-log bucket, the GitHub Actions OIDC
 * provider, a plan and an apply role per environment of the account, and the WMS image repositories.
 *
 * One stack per account, not per environment: the OIDC provider and the state bucket are per account (an account
 * holds one provider per issuer, and the bucket is named after the account), so two environments sharing an account
 * share them. The account id also never changes, while a stack named after an environment would be renamed (its
 * state moved) when a second environment joins the account.
 *
 * Its own state cannot start in the bucket it creates: it is local (`terraform-state/`) until migrated into the
 * bucket with `terraform init -migrate-state`, after which `state.bootstrapBackend: s3` keeps it there.
 */
export class BootstrapStack extends TerraformStack {
  /** The state bucket and its access logs. */
  readonly state: BootstrapState;
  /** The account's GitHub OIDC provider. */
  readonly githubOidc: GithubOidcProvider;
  /** Each environment's plan and apply roles, by environment name. */
  readonly ciRoles: Readonly<Record<string, BootstrapCiRoles>>;
  /** The WMS image repositories, in the registry account only. */
  readonly images?: ImageRepositories;
  /** The push role of each application repository (`PROJECT.imageSources`), in the registry account only. */
  readonly pushRoles: Readonly<Record<string, ImagePushRole>>;

  constructor(scope: Construct, id: string, props: BootstrapStackProps) {
    super(scope, id);
    const { account } = props;
    if (account.environments.length === 0) {
      throw new Error(`${id}: account.environments: [] is not allowed (at least one environment)`);
    }
    const names = account.environments.map((environment) => environment.name);
    const prefixOf = (environment: string) => `${PROJECT.name}-${environment}`;

    if (account.backend === 's3') {
      new S3Backend(this, {
        bucket: account.stateBucket,
        key: stateKey(id),
        region: account.region,
        encrypt: true,
        // Without kms_key_id the backend asks S3 for SSE-S3 (AES256) and the bucket's KMS key is bypassed.
        kmsKeyId: `arn:aws:kms:${account.region}:${account.accountId}:alias/${account.stateBucket}`,
      });
      // cdktf 0.21 predates S3 native locking (Terraform >= 1.10), so its S3Backend has no useLockfile prop.
      // https://developer.hashicorp.com/terraform/language/backend/s3#state-locking
      this.addOverride('terraform.backend.s3.use_lockfile', true);
    } else {
      // Relative to the stack's working directory (cdktf.out/stacks/<id>), like the environment stacks' local state.
      new LocalBackend(this, { path: `../../../terraform-state/${id}.tfstate` });
    }
    this.addOverride('//.wms', {
      environment: names.join('+'),
      production: account.environments.some((environment) => environment.production),
    });

    new AwsProvider(this, 'Aws', {
      region: account.region,
      allowedAccountIds: [account.accountId],
      defaultTags: [
        {
          tags: {
            Project: PROJECT.name,
            Environment: names.join('+'),
            Owner: account.owner,
            CostCentre: account.costCentre,
            ManagedBy: 'cdktf',
            Repository: PROJECT.repository,
          },
        },
      ],
    });

    this.state = new BootstrapState(this, 'State', {
      bucketName: account.stateBucket,
      accountId: account.accountId,
      region: account.region,
      ciAccess: account.environments.map((environment) => {
        const roles = ciRoleNames(prefixOf(environment.name));
        return {
          principalArns: [roles.plan, roles.apply].map(
            (role) => `arn:aws:iam::${account.accountId}:role/${role}`,
          ),
          keys: environment.stateKeys,
        };
      }),
    });
    this.images = account.registry
      ? new ImageRepositories(this, 'Images', {
          repositoryNames: IMAGE_REPOSITORIES,
          accountId: account.accountId,
          keyAlias: physicalName(PROJECT.name, 'ecr'),
          pullRoleArns: account.registry.pullRoleArns,
        })
      : undefined;
    this.githubOidc = new GithubOidcProvider(this, 'GithubOidc');

    const ciRoles: Record<string, BootstrapCiRoles> = {};
    for (const environment of account.environments) {
      // The id follows the environment name: renaming an environment means new roles anyway (names change).
      ciRoles[environment.name] = new BootstrapCiRoles(this, `CiRoles${pascal(environment.name)}`, {
        namePrefix: prefixOf(environment.name),
        githubEnvironment: environment.name,
        repository: PROJECT.repository,
        accountId: account.accountId,
        provider: this.githubOidc,
        state: this.state,
        stateKeys: environment.stateKeys,
        environmentTag: { key: 'Environment', value: environment.name },
        planParameterArns: environment.planParameterArns,
        protectedKeyArns: this.images ? [this.images.key.arn] : [],
        // Outside the registry account the names are still denied, so no environment creates its own copy.
        protectedRepositoryArns:
          this.images?.repositoryArns ??
          IMAGE_REPOSITORIES.map(
            (name) => `arn:aws:ecr:${account.region}:${account.accountId}:repository/${name}`,
          ),
      });
    }
    this.ciRoles = ciRoles;
    this.pushRoles = this.createPushRoles();

    const outputs: Record<string, { value: string; description: string }> = {
      StateBucketName: { value: account.stateBucket, description: 'State bucket of the environments' },
      StateKeyAlias: {
        value: this.state.keyAlias,
        description: 'KMS key of the state bucket (kms_key_id of the backends)',
      },
      AccessLogBucketName: {
        value: this.state.logBucket.bucketName,
        description: 'Server access logs of the state bucket',
      },
      GithubOidcProviderArn: {
        value: this.githubOidc.providerArn,
        description: 'GitHub Actions OIDC provider',
      },
    };
    for (const name of this.images ? IMAGE_REPOSITORIES : []) {
      outputs[`${pascal(name)}RepositoryUrl`] = {
        value: this.images?.repositoryUrls[name] ?? '',
        description: `ECR repository of ${name} images`,
      };
    }
    for (const [repository, role] of Object.entries(this.pushRoles)) {
      outputs[`${pascal(repository.split('/')[1])}PushRoleArn`] = {
        value: role.roleArn,
        description: `Push role of ${repository} (role-to-assume of the build-image workflow)`,
      };
    }
    for (const [environment, roles] of Object.entries(ciRoles)) {
      const key = pascal(environment);
      outputs[`${key}PlanRoleArn`] = {
        value: roles.planRole.roleArn,
        description: `Role of ${environment}'s pull-request plans (AWS_ROLE_ARN of the plan job)`,
      };
      outputs[`${key}ApplyRoleArn`] = {
        value: roles.applyRole.roleArn,
        description: `Role of ${environment}'s applies (AWS_ROLE_ARN of the ${environment} environment job)`,
      };
    }
    for (const [name, { value, description }] of Object.entries(outputs)) {
      new TerraformOutput(this, name, { value, description });
    }
  }

  /** One push-only role per application repository, limited to its own image repositories. */
  private createPushRoles(): Record<string, ImagePushRole> {
    const images = this.images;
    if (!images) return {};
    const roles: Record<string, ImagePushRole> = {};
    for (const source of PROJECT.imageSources) {
      const [, name] = source.repository.split('/');
      roles[source.repository] = new ImagePushRole(this, `PushRole${pascal(name)}`, {
        roleName: imagePushRoleName(source.repository),
        provider: this.githubOidc,
        repository: source.repository,
        refs: source.refs,
        repositoryArns: source.images.map((image) => {
          const repository = images.repositories[image];
          if (!repository) {
            throw new Error(
              `PROJECT.imageSources: images: "${image}" is not allowed (one of ${IMAGE_REPOSITORIES.join(', ')})`,
            );
          }
          return repository.arn;
        }),
      });
    }
    return roles;
  }
}
