import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { LocalBackend, S3Backend, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import type { AlarmTopicSubscriptionsConfig, EnvironmentConfig } from '../config/environment';
import { PROJECT } from '../config/project';
import { AccountBaseline } from '../constructs/observability/account-baseline';
import { AlarmTopic } from '../constructs/observability/alarm-topic';
import { CostWatch } from '../constructs/observability/cost-watch';
import { stateKey } from './bootstrap-stack';
import type { BackendKind } from './environment-stack';
import { alarmTopicSubscriptions } from './environment-stack';

/** Name of an account's baseline stack: `wms-baseline-<accountId>`. */
export function baselineStackName(accountId: string): string {
  return `${PROJECT.name}-baseline-${accountId}`;
}

/** The environments of one account, sorted by name (config has checked that they agree on `baseline`). */
export function baselineAccounts(configs: readonly EnvironmentConfig[]): EnvironmentConfig[][] {
  const byAccount = new Map<string, EnvironmentConfig[]>();
  for (const config of configs) {
    byAccount.set(config.awsAccountId, [...(byAccount.get(config.awsAccountId) ?? []), config]);
  }
  return [...byAccount.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, members]) => [...members].sort((a, b) => a.name.localeCompare(b.name)));
}

/** The environment whose pager and chat channel the account's topic uses: the production one, else the first. */
function leadEnvironment(environments: readonly EnvironmentConfig[]): EnvironmentConfig {
  return environments.find((config) => config.production) ?? environments[0];
}

/**
 * The subscribers of the account's topic: every environment's emails, and the pager and chat channel of the
 * production environment when the account has one (else of the first environment).
 */
function accountSubscriptions(environments: readonly EnvironmentConfig[]): AlarmTopicSubscriptionsConfig {
  const lead = leadEnvironment(environments);
  const emails = [
    ...new Set(environments.flatMap((config) => config.alerting.alarmTopic.emails ?? [])),
  ].sort();
  return {
    pagerDutyUrlParameter: lead.alerting.alarmTopic.pagerDutyUrlParameter,
    slack: lead.alerting.alarmTopic.slack,
    ...(emails.length > 0 ? { emails } : {}),
  };
}

/** Properties of a {@link BaselineStack}. */
export interface BaselineStackProps {
  /** The environments of the account (at least one), sorted by name. */
  readonly environments: readonly EnvironmentConfig[];
  /**
   * Where the state goes: the account's state bucket (`s3`, created by its bootstrap stack) or `terraform-state/`.
   * @default 's3'
   */
  readonly backend?: BackendKind;
}

/** The default tags that group cost in Cost Explorer (activated where `baseline.activateCostAllocationTags`). */
export const COST_ALLOCATION_TAG_KEYS = ['Project', 'Environment', 'Owner', 'CostCentre'];

/**
 * `wms-baseline-<accountId>`: what watches the AWS account itself (CloudTrail and the CIS alarms, GuardDuty,
 * Security Hub, AWS Config, IAM Access Analyzer, Inspector), notifying the account's own alarm topic. One stack per
 * account like the bootstrap stack, applied after it by an administrator (docs/runbooks/account-baseline.md).
 */
export class BaselineStack extends TerraformStack {
  /** The account's alarm topic. */
  readonly alarmTopic: AlarmTopic;
  /** The baseline. */
  readonly baseline: AccountBaseline;

  constructor(scope: Construct, id: string, props: BaselineStackProps) {
    super(scope, id);
    const [first] = props.environments;
    if (!first) throw new Error(`${id}: environments: [] is not allowed (at least one environment)`);
    const names = props.environments.map((config) => config.name);
    const { state } = first;
    if ((props.backend ?? 's3') === 's3') {
      new S3Backend(this, {
        bucket: state.bucket,
        key: stateKey(id),
        region: state.region,
        encrypt: true,
        kmsKeyId: `arn:aws:kms:${state.region}:${first.awsAccountId}:alias/${state.bucket}`,
      });
      // cdktf 0.21 predates S3 native locking (Terraform >= 1.10), so its S3Backend has no useLockfile prop.
      this.addOverride('terraform.backend.s3.use_lockfile', true);
    } else {
      new LocalBackend(this, { path: `../../../terraform-state/${id}.tfstate` });
    }
    // Not an environment's name: CI plans the stacks of an environment with its plan role, which may read only
    // that environment's state keys; the baseline is applied by an administrator, like the bootstrap stack.
    this.addOverride('//.wms', {
      environment: `account-${first.awsAccountId}`,
      production: props.environments.some((config) => config.production),
    });
    new AwsProvider(this, 'Aws', {
      region: state.region,
      allowedAccountIds: [first.awsAccountId],
      defaultTags: [
        {
          tags: {
            Project: PROJECT.name,
            Environment: names.join('+'),
            Owner: [...new Set(props.environments.map((config) => config.tags.owner))].join('+'),
            CostCentre: [...new Set(props.environments.map((config) => config.tags.costCentre))].join('+'),
            ManagedBy: 'cdktf',
            Repository: PROJECT.repository,
          },
        },
      ],
    });

    const namePrefix = `${PROJECT.name}-baseline`;
    this.alarmTopic = new AlarmTopic(this, 'Alarms', {
      namePrefix,
      accountId: first.awsAccountId,
      subscriptions: alarmTopicSubscriptions(
        this,
        accountSubscriptions(props.environments),
        // The parameter is the lead environment's, in its region.
        leadEnvironment(props.environments).region,
      ),
    });
    const baseline = first.baseline ?? {};
    this.baseline = new AccountBaseline(this, 'Baseline', {
      namePrefix,
      accountId: first.awsAccountId,
      region: state.region,
      alarmTopicArn: this.alarmTopic.topicArn,
      organizationProvides: baseline.organizationProvides,
      findingsMinSeverity: baseline.findingsMinSeverity,
      trailRetentionDays: baseline.trailRetentionDays,
      trailLockMode: baseline.trailLockMode,
    });
    // Account-level, like the anomaly monitor and the cost allocation tags it creates (issue #19).
    new CostWatch(this, 'CostWatch', {
      namePrefix,
      accountId: first.awsAccountId,
      topicArn: this.alarmTopic.topicArn,
      topicKeyArn: this.alarmTopic.keyArn,
      topicPolicy: this.alarmTopic.policy,
      anomalyThresholdUsd: baseline.costAnomalyThresholdUsd,
      costAllocationTagKeys: baseline.activateCostAllocationTags ? COST_ALLOCATION_TAG_KEYS : [],
    });
    new TerraformOutput(this, 'AlarmTopicArn', {
      value: this.alarmTopic.topicArn,
      description: "SNS topic of the account's CIS alarms and security findings",
    });
    new TerraformOutput(this, 'BaselineItems', {
      value: this.baseline.items.join(','),
      description: 'Baseline items this stack manages (the rest the AWS Organization provides)',
    });
  }
}
