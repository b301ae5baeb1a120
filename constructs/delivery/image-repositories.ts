import { EcrLifecyclePolicy } from '@cdktf/provider-aws/lib/ecr-lifecycle-policy';
import { EcrRegistryScanningConfiguration } from '@cdktf/provider-aws/lib/ecr-registry-scanning-configuration';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { EcrRepositoryPolicy } from '@cdktf/provider-aws/lib/ecr-repository-policy';
import type { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { Construct } from 'constructs';
import { propError } from '../shared/errors';
import { customerKey, policyDocument } from '../shared/kms';

/** Properties of {@link ImageRepositories}. */
export interface ImageRepositoriesProps {
  /** Repository names, e.g. `['wms-api', 'wms-web']`; each becomes `<account>.dkr.ecr.<region>.amazonaws.com/<name>`. */
  readonly repositoryNames: readonly string[];
  /** The account that owns the repositories (for the key policy). */
  readonly accountId: string;
  /** Alias of the repositories' KMS key, without `alias/`, e.g. `wms-ecr`. */
  readonly keyAlias: string;
  /**
   * How many tagged images each repository keeps; older ones expire. Releases are never re-tagged (tags are
   * immutable), so this is the rollback horizon: keep it above the number of releases between two production
   * deployments.
   * @default 50
   */
  readonly keepTaggedImages?: number;
  /**
   * Days after which untagged images (failed or superseded pushes) expire.
   * @default 7
   */
  readonly untaggedExpiryDays?: number;
  /**
   * IAM roles, of this or other accounts, that may pull every image (the clusters' node roles, and the pod roles
   * that read signatures), by exact ARN. The repository policy names each role's account as principal and pins
   * the role with `aws:PrincipalArn`, so a role that does not exist yet does not make the policy invalid.
   * @default - no repository policy: only principals of this account with their own ECR permissions pull
   */
  readonly pullRoleArns?: readonly string[];
  /**
   * Turn on ECR enhanced scanning (Amazon Inspector, continuous) for these repositories: the registry-wide
   * scanning configuration of the account and region, with one rule per repository name. The build workflow
   * reads its findings as the second gate after its own scan. Inspector charges per image scanned.
   * @default true
   * @see https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning-enhanced.html
   */
  readonly enhancedScanning?: boolean;
}

const PULL_ACTIONS = ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];
const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/[\w+=,.@/-]+$/;

// ECR's repository name rule, at most 256 characters.
const REPOSITORY_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;

/**
 * Container image repositories: immutable tags, scan on push, encrypted with a customer-managed KMS key (yearly
 * rotation) shared by the repositories, and a lifecycle policy that expires untagged images after a few days and
 * keeps the latest tagged ones.
 * @see https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html
 */
export class ImageRepositories extends Construct {
  /** The repositories by name (escape hatches). */
  readonly repositories: Readonly<Record<string, EcrRepository>>;
  /** Repository URLs by name, `<account>.dkr.ecr.<region>.amazonaws.com/<name>`. */
  readonly repositoryUrls: Readonly<Record<string, string>>;
  /** Repository ARNs, in the order of `repositoryNames`. */
  readonly repositoryArns: readonly string[];
  /** The repositories' key. */
  readonly key: KmsKey;

  constructor(scope: Construct, id: string, props: ImageRepositoriesProps) {
    super(scope, id);
    const keep = props.keepTaggedImages ?? 50;
    const untaggedDays = props.untaggedExpiryDays ?? 7;
    const pullRoleArns = props.pullRoleArns ?? [];
    pullRoleArns.forEach((arn, index) => {
      if (!ROLE_ARN.test(arn)) {
        throw propError(
          this,
          `pullRoleArns[${index}]`,
          arn,
          'an IAM role ARN such as arn:aws:iam::123456789012:role/x',
        );
      }
    });
    if (props.repositoryNames.length === 0) {
      throw propError(this, 'repositoryNames', props.repositoryNames, 'at least one repository name');
    }
    // Construct ids follow the names, which cannot change without replacing the repository anyway.
    const ids = props.repositoryNames.map((name) =>
      name
        .split(/[^a-z0-9]+/)
        .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
        .join(''),
    );
    props.repositoryNames.forEach((name, index) => {
      if (!REPOSITORY_NAME.test(name) || name.length < 2 || name.length > 256) {
        throw propError(this, `repositoryNames[${index}]`, name, 'an ECR repository name such as wms-api');
      }
      if (ids.indexOf(ids[index]) !== index) {
        throw propError(
          this,
          `repositoryNames[${index}]`,
          name,
          'names that differ in more than punctuation',
        );
      }
    });
    if (!Number.isInteger(keep) || keep < 1 || keep > 10000) {
      throw propError(this, 'keepTaggedImages', keep, 'a whole number from 1 to 10000');
    }
    if (!Number.isInteger(untaggedDays) || untaggedDays < 1) {
      throw propError(this, 'untaggedExpiryDays', untaggedDays, 'a whole number of days >= 1');
    }

    this.key = customerKey(this, 'Key', {
      description: `Encrypts the container images of ${props.repositoryNames.join(', ')}`,
      alias: props.keyAlias,
      accountId: props.accountId,
    });
    const lifecycle = JSON.stringify({
      rules: [
        {
          rulePriority: 1,
          description: `Expire untagged images after ${untaggedDays} days`,
          selection: {
            tagStatus: 'untagged',
            countType: 'sinceImagePushed',
            countUnit: 'days',
            countNumber: untaggedDays,
          },
          action: { type: 'expire' },
        },
        {
          rulePriority: 2,
          description: `Keep the latest ${keep} tagged images`,
          selection: {
            tagStatus: 'tagged',
            tagPatternList: ['*'],
            countType: 'imageCountMoreThan',
            countNumber: keep,
          },
          action: { type: 'expire' },
        },
      ],
    });

    const repositories: Record<string, EcrRepository> = {};
    props.repositoryNames.forEach((name, index) => {
      const id = ids[index];
      const repository = new EcrRepository(this, id, {
        name,
        imageTagMutability: 'IMMUTABLE',
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfiguration: [{ encryptionType: 'KMS', kmsKey: this.key.arn }],
      });
      new EcrLifecyclePolicy(this, `${id}Lifecycle`, { repository: repository.name, policy: lifecycle });
      if (pullRoleArns.length > 0) {
        new EcrRepositoryPolicy(this, `${id}Policy`, {
          repository: repository.name,
          policy: pullPolicy(pullRoleArns),
        });
      }
      repositories[name] = repository;
    });
    this.repositories = repositories;
    this.repositoryUrls = Object.fromEntries(
      Object.entries(repositories).map(([name, repository]) => [name, repository.repositoryUrl]),
    );
    this.repositoryArns = props.repositoryNames.map((name) => repositories[name].arn);
    if (props.enhancedScanning ?? true) {
      new EcrRegistryScanningConfiguration(this, 'EnhancedScanning', {
        scanType: 'ENHANCED',
        rule: [
          {
            scanFrequency: 'CONTINUOUS_SCAN',
            repositoryFilter: props.repositoryNames.map((name) => ({ filter: name, filterType: 'WILDCARD' })),
          },
        ],
      });
    }
  }
}

/** Pull-only repository policy: each role's account as principal, the exact roles by `aws:PrincipalArn`. */
function pullPolicy(roleArns: readonly string[]): string {
  const accounts = [...new Set(roleArns.map((arn) => ROLE_ARN.exec(arn)?.[1] ?? ''))].sort();
  return policyDocument([
    {
      Sid: 'PullFromClusters',
      Effect: 'Allow',
      Principal: { AWS: accounts.map((account) => `arn:aws:iam::${account}:root`) },
      Action: PULL_ACTIONS,
      Condition: { ArnEquals: { 'aws:PrincipalArn': [...roleArns].sort() } },
    },
  ]);
}
