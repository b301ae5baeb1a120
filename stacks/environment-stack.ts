import { LocalBackend, S3Backend, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environment';
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
