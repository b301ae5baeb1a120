import { LocalBackend, S3Backend, TerraformStack, TerraformVariable } from 'cdktf';
import type { Construct } from 'constructs';
import type { AlarmTopicSubscriptionsConfig, EnvironmentConfig } from '../config/environment';
import type { AlarmTopicSubscriptions } from '../constructs/observability/alarm-topic';
import { PROJECT } from '../config/project';

/** Where a stack keeps its Terraform state. */
export type BackendKind = 's3' | 'local';

/** Properties shared by every stack of an environment. */
export interface EnvironmentStackProps {
  /** The environment the stack belongs to. */
  readonly config: EnvironmentConfig;
  /**
   * `s3`: the environment's state bucket, one key per stack, native S3 locking. `local`: a file under
   * `terraform-state/` in the repository, for offline work.
   * @default 's3'
   */
  readonly backend?: BackendKind;
}

/** The tags every AWS resource carries, through the provider's default_tags. */
export function defaultTags(config: EnvironmentConfig): Record<string, string> {
  return {
    Project: PROJECT.name,
    Environment: config.name,
    Owner: config.tags.owner,
    CostCentre: config.tags.costCentre,
    ManagedBy: 'cdktf',
    Repository: PROJECT.repository,
  };
}

/** The sensitive Terraform variable holding the PagerDuty CloudWatch integration URL. */
export const PAGERDUTY_URL_VARIABLE = 'pagerduty_cloudwatch_url';

/**
 * Where CI reads a sensitive variable of a stack from, recorded in the stack's JSON at
 * `"//".wms.ssmVariables.<variable>` by synth (from config, the single source): scripts/ci/plan.sh exports
 * `TF_VAR_<variable>` from it before planning the stack, and no workflow names a parameter.
 */
export interface SsmVariableSource {
  /** The SSM parameter name, e.g. `/wms/prod/alerting/pagerduty-cloudwatch-url`. */
  readonly parameter: string;
  /** The parameter's region. */
  readonly region: string;
}

/** ARN of an SSM parameter (names start with `/`, so the ARN is `...:parameter/<path>`). */
export function ssmParameterArn(source: SsmVariableSource, accountId: string): string {
  const path = source.parameter.startsWith('/') ? source.parameter : `/${source.parameter}`;
  return `arn:aws:ssm:${source.region}:${accountId}:parameter${path}`;
}

/**
 * The SSM parameters an environment's stacks read as sensitive variables, as alarmTopicSubscriptions records them
 * (the bootstrap grants its plan role exactly these).
 */
export function ssmVariableSources(
  config: Pick<EnvironmentConfig, 'region'> & {
    readonly alerting: { readonly alarmTopic: Pick<AlarmTopicSubscriptionsConfig, 'pagerDutyUrlParameter'> };
  },
): SsmVariableSource[] {
  const parameter = config.alerting.alarmTopic.pagerDutyUrlParameter;
  return parameter === undefined ? [] : [{ parameter, region: config.region }];
}

/**
 * The subscribers of an alarm topic from config. The PagerDuty URL is a credential: the config names the SSM
 * SecureString parameter that holds it, and the stack reads it from a sensitive variable that CI exports from
 * that parameter (`TF_VAR_pagerduty_cloudwatch_url`, from the stack's `"//".wms.ssmVariables`), so it is in
 * neither code, config nor plan output. It does reach the state and the saved plan file (the subscription's
 * `endpoint` is not a write-only attribute in hashicorp/aws 5.100.0): the state bucket is KMS-encrypted and
 * readable by the deploy roles only (docs/runbooks/aws-alarms.md).
 * @param region the region of the SSM parameter (the environment's)
 */
export function alarmTopicSubscriptions(
  stack: Construct,
  config: AlarmTopicSubscriptionsConfig,
  region: string,
): AlarmTopicSubscriptions {
  const [source] = ssmVariableSources({ region, alerting: { alarmTopic: config } });
  if (source === undefined) return { slack: config.slack, emails: config.emails };
  const { parameter } = source;
  const pagerDutyUrl = new TerraformVariable(stack, PAGERDUTY_URL_VARIABLE, {
    type: 'string',
    sensitive: true,
    nullable: false,
    description: `PagerDuty CloudWatch integration URL: the value of SSM parameter ${parameter}`,
    validation: [
      {
        condition: `\${startswith(var.${PAGERDUTY_URL_VARIABLE}, "https://")}`,
        errorMessage: `${PAGERDUTY_URL_VARIABLE} must be an https:// URL (the SSM parameter ${parameter})`,
      },
    ],
  }).stringValue;
  TerraformStack.of(stack).addOverride(`//.wms.ssmVariables.${PAGERDUTY_URL_VARIABLE}`, source);
  return { pagerDutyUrl, slack: config.slack, emails: config.emails };
}

/**
 * Base of every stack of an environment: its remote state, and metadata naming the environment in the
 * synthesized JSON (read by the guardrails, which apply production-only rules to production environments).
 */
export abstract class EnvironmentStack extends TerraformStack {
  /** Prefix of physical names: `wms-<environment>`. */
  readonly namePrefix: string;

  constructor(scope: Construct, id: string, props: EnvironmentStackProps) {
    super(scope, id);
    const { config } = props;
    this.namePrefix = `${PROJECT.name}-${config.name}`;
    if ((props.backend ?? 's3') === 's3') {
      new S3Backend(this, {
        bucket: config.state.bucket,
        key: `${id}/terraform.tfstate`,
        region: config.state.region,
        encrypt: true,
        // Without a key id the backend sends an explicit SSE-S3 header, bypassing the bucket's default KMS key.
        kmsKeyId: `arn:aws:kms:${config.state.region}:${config.awsAccountId}:alias/${config.state.bucket}`,
      });
      // cdktf 0.21 predates S3 native locking (Terraform >= 1.10), so its S3Backend has no useLockfile prop.
      // https://developer.hashicorp.com/terraform/language/backend/s3#state-locking
      this.addOverride('terraform.backend.s3.use_lockfile', true);
    } else {
      // Relative to the stack's working directory (cdktf.out/stacks/<id>), so synthesis stays byte-identical
      // across machines and the state outlives a fresh cdktf.out.
      new LocalBackend(this, { path: `../../../terraform-state/${id}.tfstate` });
    }
    this.addOverride('//.wms', { environment: config.name, production: config.production });
  }
}
